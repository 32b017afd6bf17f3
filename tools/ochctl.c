/*
 * ochctl: the operator's command line.
 *   ochctl migrate                  apply pending schema files (connects
 *                                   with DATABASE_OWNER_URL when set)
 *   ochctl user create-admin EMAIL  create (or promote) an operator admin
 *   ochctl api-client create NAME   create an HMAC client; prints id and secret once
 *   ochctl doctor                   check config, database and schema
 * Exit status: 0 success, 1 failure (one line on stderr says why), 2 usage.
 */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cry.h"
#include "db.h"
#include "log.h"
#include "ochctl.h"
#include "valid.h"

static const struct db_stmt stmt_lock = { "migrate_lock",
	"SELECT pg_advisory_xact_lock(724311)" };
static const struct db_stmt stmt_versions = { "migrate_versions",
	"SELECT version FROM schema_migrations ORDER BY version" };
static const struct db_stmt stmt_record = { "migrate_record",
	"INSERT INTO schema_migrations (version, name) VALUES ($1::integer, $2)" };
/*
 * An operator account (no WHMCS client: principals never merge,
 * docs/api.md), created or made admin.  No row when the address belongs to a
 * WHMCS client's user: that address is refused, not linked.
 */
static const struct db_stmt stmt_admin = { "user_create_admin",
	"INSERT INTO users (email, role) SELECT $1, 'admin'"
	" WHERE NOT EXISTS (SELECT 1 FROM users WHERE email = lower($1)"
	"  AND whmcs_client_id IS NOT NULL)"
	" ON CONFLICT (email) WHERE whmcs_client_id IS NULL"
	" DO UPDATE SET role = 'admin', updated_at = now() RETURNING id" };
static const struct db_stmt stmt_client = { "api_client_create",
	"INSERT INTO api_clients (id, name, secret_enc) VALUES ($1, $2, $3::bytea)" };
static const struct db_stmt stmt_schema_version = { "doctor_schema",
	"SELECT coalesce(max(version), 0) FROM schema_migrations" };

/* Run a whole SQL file (several statements) on the connection. */
static int
exec_file(PGconn *conn, const char *path)
{
	FILE		*f;
	struct buf	 sql = { 0 };
	char		 chunk[8192];
	size_t		 n;
	PGresult	*res;
	int		 rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "ochctl: unable to open '%s': %s\n", path,
		    strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&sql, chunk, n);
	fclose(f);
	res = PQexec(conn, sql.data ? sql.data : "");
	if (PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK)
		rc = 0;
	else
		fprintf(stderr, "ochctl: '%s' failed: %s", path,
		    PQresultErrorMessage(res));
	PQclear(res);
	buf_free(&sql);
	return rc;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * List schema files NNN_name.sql in dir, sorted.  Returns the count (the
 * array and names are the caller's to free) or -1.
 */
static int
ctl_schema_files(const char *dir, char ***out)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL;
	size_t		 len;
	int		 n = 0, i;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "ochctl: unable to open schema dir '%s': %s\n",
		    dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 9 || strcmp(de->d_name + len - 4, ".sql") != 0 ||
		    de->d_name[0] < '0' || de->d_name[0] > '9' ||
		    de->d_name[1] < '0' || de->d_name[1] > '9' ||
		    de->d_name[2] < '0' || de->d_name[2] > '9' ||
		    de->d_name[3] != '_')
			continue;
		v = xrealloc(v, sizeof(*v) * (size_t)(n + 1));
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(v, (size_t)n, sizeof(*v), cmp_names);
	*out = v;
	for (i = 1; i < n; i++)
		if (atoi(v[i]) == atoi(v[i - 1])) {
			fprintf(stderr, "ochctl: schema files '%s' and '%s' share "
			    "a version number\n", v[i - 1], v[i]);
			while (n > 0)
				free(v[--n]);
			free(v);
			*out = NULL;
			return -1;
		}
	return n;
}

/* The schema directory from config or the installed default. */
static const char *
ctl_schema_dir(const struct cfg *c)
{
	return cfg_str(c, CFG_OCH_SCHEMA_DIR, OCH_PKGDATADIR "/schema");
}

static int
cmd_migrate(struct ctl *ctl)
{
	PGresult	*res = NULL;
	PGconn		*conn;
	char		**files = NULL, vbuf[16], *path;
	const char	*params[2];
	int		 nfiles, i, j, applied = 0, rc = 1, version, have;

	if ((nfiles = ctl_schema_files(ctl_schema_dir(&ctl->cfg), &files)) < 0)
		return 1;
	if (db_begin(ctl->db) < 0) {
		fprintf(stderr, "ochctl: database unavailable\n");
		goto out;
	}
	conn = db_conn(ctl->db);
	/* the lock first: two migrators must not race on CREATE TABLE */
	if (db_run(ctl->db, &stmt_lock, 0, NULL, NULL) != OCH_OK)
		goto out;
	res = PQexec(conn, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version integer PRIMARY KEY, name text NOT NULL,"
	    " applied_at timestamptz NOT NULL DEFAULT now())");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "ochctl: %s", PQresultErrorMessage(res));
		goto out;
	}
	PQclear(res);
	if ((res = db_exec(ctl->db, &stmt_versions, 0, NULL, NULL)) == NULL)
		goto out;
	for (i = 0; i < nfiles; i++) {
		version = atoi(files[i]);
		for (have = 0, j = 0; j < PQntuples(res); j++)
			if (db_int(res, j, 0) == version)
				have = 1;
		if (have)
			continue;
		path = xasprintf("%s/%s", ctl_schema_dir(&ctl->cfg), files[i]);
		j = exec_file(conn, path);
		free(path);
		if (j < 0)
			goto out;
		snprintf(vbuf, sizeof(vbuf), "%d", version);
		params[0] = vbuf;
		params[1] = files[i];
		if (db_run(ctl->db, &stmt_record, 2, params, NULL) != OCH_OK)
			goto out;
		printf("applied %s\n", files[i]);
		applied++;
	}
	if (db_commit(ctl->db) < 0)
		goto out;
	if (applied == 0)
		printf("schema up to date\n");
	rc = 0;
out:
	PQclear(res);
	db_rollback(ctl->db);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return rc;
}

static int
cmd_user(struct ctl *ctl, int argc, char **argv)
{
	PGresult	*res;
	const char	*params[1];
	enum och_err	 err;

	if (argc != 3 || strcmp(argv[1], "create-admin") != 0) {
		fprintf(stderr, "usage: ochctl user create-admin EMAIL\n");
		return 2;
	}
	if (!valid_email(argv[2])) {
		fprintf(stderr, "ochctl: '%s' is not a valid email address\n",
		    argv[2]);
		return 1;
	}
	params[0] = argv[2];
	if ((res = db_exec(ctl->db, &stmt_admin, 1, params, &err)) == NULL) {
		fprintf(stderr, "ochctl: unable to create admin: %s\n",
		    err_code(err));
		return 1;
	}
	if (PQntuples(res) != 1) {
		fprintf(stderr, "ochctl: %s belongs to a WHMCS client's "
		    "customer account; an operator account needs an address "
		    "of its own\n", argv[2]);
		PQclear(res);
		return 1;
	}
	printf("admin %s (user %s)\n", argv[2], db_val(res, 0, 0));
	PQclear(res);
	return 0;
}

static int
cmd_api_client(struct ctl *ctl, int argc, char **argv)
{
	char		*hex = NULL, *id = NULL, *secret = NULL, *sealed = NULL;
	char		*ad = NULL;
	const char	*params[3];
	enum och_err	 err;
	int		 rc = 1;

	if (argc != 3 || strcmp(argv[1], "create") != 0) {
		fprintf(stderr, "usage: ochctl api-client create NAME\n");
		return 2;
	}
	if (strlen(argv[2]) == 0 || strlen(argv[2]) > 100) {
		fprintf(stderr, "ochctl: the name must be 1 to 100 characters\n");
		return 1;
	}
	if (ctl_need_keys(ctl) < 0)
		return 1;
	if ((hex = cry_token(8)) == NULL || (secret = cry_token(32)) == NULL) {
		fprintf(stderr, "ochctl: no randomness available\n");
		goto out;
	}
	id = xasprintf("ak_%s", hex);
	ad = xasprintf("api_clients:%s", id);
	sealed = cry_seal_bytea(ctl->keys, ad, secret, strlen(secret));
	if (sealed == NULL) {
		fprintf(stderr, "ochctl: unable to encrypt the secret\n");
		goto out;
	}
	params[0] = id;
	params[1] = argv[2];
	params[2] = sealed;
	if ((err = db_run(ctl->db, &stmt_client, 3, params, NULL)) != OCH_OK) {
		fprintf(stderr, "ochctl: unable to store the client: %s\n",
		    err_code(err));
		goto out;
	}
	/* the only time the secret is shown */
	printf("id:     %s\nsecret: %s\n", id, secret);
	rc = 0;
out:
	free(hex);
	free(id);
	free(ad);
	free(sealed);
	xfree_secret(secret);
	return rc;
}

static int
cmd_doctor(struct ctl *ctl)
{
	static const enum cfg_key want[] = { CFG_OCH_MASTER_KEY, CFG_JWT_SECRET,
	    CFG_API_URL, CFG_DASHBOARD_URL, CFG_HETZNER_API_TOKEN,
	    CFG_CLOUDFLARE_API_TOKEN, CFG_CLOUDFLARE_ZONE_ID,
	    CFG_CLOUDFLARE_DOMAIN, CFG_RESEND_API_KEY, CFG_EMAIL_FROM };
	PGresult	*res;
	char		**files = NULL;
	int		 nfiles, i, bad = 0, latest = 0, have;
	size_t		 k;

	printf("ok    config %s\n", ctl->cfg.path ? ctl->cfg.path :
	    "(environment only)");
	for (k = 0; k < OCH_NELEM(want); k++)
		if (cfg_get(&ctl->cfg, want[k]) == NULL) {
			printf("warn  %s is not set\n", cfg_name(want[k]));
		}
	if (cfg_get(&ctl->cfg, CFG_OCH_MASTER_KEY) != NULL &&
	    ctl_need_keys(ctl) < 0) {
		printf("FAIL  master key\n");
		bad++;
	}
	if (db_ensure(ctl->db) < 0) {
		printf("FAIL  database unreachable\n");
		return 1;
	}
	printf("ok    database reachable\n");
	if ((nfiles = ctl_schema_files(ctl_schema_dir(&ctl->cfg), &files)) > 0)
		latest = atoi(files[nfiles - 1]);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	if ((res = db_exec(ctl->db, &stmt_schema_version, 0, NULL, NULL)) ==
	    NULL) {
		printf("FAIL  schema not migrated (run ochctl migrate)\n");
		return 1;
	}
	have = (int)db_int(res, 0, 0);
	PQclear(res);
	if (have < latest) {
		printf("FAIL  schema version %d, files go to %d (run ochctl "
		    "migrate)\n", have, latest);
		bad++;
	} else
		printf("ok    schema version %d\n", have);
	return bad ? 1 : 0;
}

int
ctl_need_keys(struct ctl *ctl)
{
	if (ctl->keys != NULL)
		return 0;
	if (cfg_get(&ctl->cfg, CFG_OCH_MASTER_KEY) == NULL) {
		fprintf(stderr, "config: 'OCH_MASTER_KEY' missing\n");
		return -1;
	}
	if ((ctl->keys = cry_keyring_new(&ctl->cfg)) == NULL)
		return -1;
	return 0;
}

static int
cmd_migrate_argv(struct ctl *ctl, int argc, char **argv)
{
	(void)argv;
	return argc == 1 ? cmd_migrate(ctl) : -1;
}

static int
cmd_doctor_argv(struct ctl *ctl, int argc, char **argv)
{
	(void)argv;
	return argc == 1 ? cmd_doctor(ctl) : -1;
}

/* Every command: its name, its usage line, and who runs it. */
static const struct {
	const char	*name;
	const char	*usage;
	int		(*fn)(struct ctl *, int, char **);
} cmds[] = {
	{ "migrate", "migrate", cmd_migrate_argv },
	{ "user", "user create-admin EMAIL", cmd_user },
	{ "api-client", "api-client create NAME", cmd_api_client },
	{ "doctor", "doctor", cmd_doctor_argv },
	{ "instances", "instances list [STATE] | show ID | retry ID",
	    ctl_instances },
	{ "secret", "secret seal AD  (value on stdin)", ctl_secret },
	{ "user-data", "user-data INSTANCE-ID", ctl_userdata },
	{ "rotate-keys", "rotate-keys", ctl_rotate },
	{ "db-backup", "db-backup FILE", ctl_dbbackup },
	{ "image", "image build [--arch x86|arm] [--if-changed] [--timeout S] "
	    "[--poll S] | list", ctl_image },
};

static void
usage(void)
{
	size_t	 i;

	for (i = 0; i < OCH_NELEM(cmds); i++)
		fprintf(stderr, "%s ochctl %s\n", i == 0 ? "usage:" : "      ",
		    cmds[i].usage);
}

int
main(int argc, char **argv)
{
	static const enum cfg_key required[] = { CFG_DATABASE_URL, CFG__MAX };
	struct ctl	 ctl;
	size_t		 i;
	int		 rc = -1;

	log_init("ochctl");
	if (argc < 2) {
		usage();
		return 2;
	}
	memset(&ctl, 0, sizeof(ctl));
	if (cfg_load(&ctl.cfg, required) < 0)
		return 1;
	/* migrations run as the schema's owner; everything else as och_app */
	ctl.db = db_open(strcmp(argv[1], "migrate") == 0 ?
	    cfg_str(&ctl.cfg, CFG_DATABASE_OWNER_URL,
	    cfg_get(&ctl.cfg, CFG_DATABASE_URL)) :
	    cfg_get(&ctl.cfg, CFG_DATABASE_URL));
	for (i = 0; i < OCH_NELEM(cmds); i++)
		if (strcmp(cmds[i].name, argv[1]) == 0) {
			rc = cmds[i].fn(&ctl, argc - 1, argv + 1);
			break;
		}
	if (rc == -1) {
		usage();
		rc = 2;
	}
	db_close(ctl.db);
	cry_keyring_free(ctl.keys);
	cfg_free(&ctl.cfg);
	return rc;
}
