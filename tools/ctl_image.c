/*
 * ctl_image.c: pre-built server images (schema/131_images.sql).
 *
 *   ochctl image build [--arch x86|arm] [--if-changed] [--timeout S]
 *                      [--poll S]
 *     1. a builder server from the base image (ubuntu-24.04) with
 *        cloud-init/image.yaml.tmpl: `och-setup image` installs, cleans
 *        (cloud-init state, machine-id, SSH host keys, logs) and powers
 *        off; wait for `off`;
 *     2. create_image: a snapshot labelled och-image=<row>,
 *        och-openclaw=<version>, och-recipe=<hash prefix>, och-arch;
 *        the builder is deleted;
 *     3. a check server from the snapshot with image-check.yaml.tmpl:
 *        `och-setup verify-image` powers it off when everything is
 *        installed; wait for `off`, delete it;
 *     4. one transaction: the image is current for its architecture, the
 *        previous one retired, every plan of that architecture boots it
 *        (plans.image = its id; the warm pool recycles onto it);
 *     5. prune: retired images but the newest one, and none a live pool
 *        server still runs, are deleted at Hetzner.
 *     Any failure deletes what the build made and leaves the current
 *     image and the plans as they were (exit 1).  --if-changed: nothing
 *     to do (exit 0) when the current image has the same recipe (the
 *     SHA-256 of och-setup, the two templates, the base image, the
 *     pinned OPENCLAW_VERSION and the architecture) — the cron line
 *     that rebuilds when the pin or the recipe changes.
 *   ochctl image list
 *
 * Provider waits poll every --poll seconds (default 5), never faster.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cry.h"
#include "fleetnet.h"
#include "hetzner.h"
#include "log.h"
#include "ochctl.h"
#include "tpl.h"
#include "userdata.h"

#define BASE_IMAGE	"ubuntu-24.04"

static const struct db_stmt stmt_current = { "img_current",
	"SELECT recipe_hash, hetzner_image_id FROM images"
	" WHERE arch = $1 AND state = 'current'" };
static const struct db_stmt stmt_new = { "img_new",
	"INSERT INTO images (arch, base_image, openclaw_version, recipe_hash)"
	" VALUES ($1, $2, $3, $4) RETURNING id" };
static const struct db_stmt stmt_state = { "img_state",
	"UPDATE images SET state = $2, hetzner_image_id = coalesce($3::bigint,"
	" hetzner_image_id), error = left($4, 500),"
	" finished_at = CASE WHEN $2 IN ('failed', 'current') THEN now()"
	"  ELSE finished_at END WHERE id = $1::bigint" };
/* where to build: a sold plan of the architecture, a location it has */
static const struct db_stmt stmt_where = { "img_where",
	"SELECT coalesce(pt.server_type, p.server_type), r.location"
	" FROM plans p CROSS JOIN regions r LEFT JOIN plan_server_types pt"
	"  ON pt.plan = p.name AND pt.location = r.location"
	" WHERE p.active AND r.active AND r.alias_of IS NULL"
	" AND (coalesce(pt.server_type, p.server_type) LIKE 'cax%') = $1::boolean"
	" ORDER BY p.sort, p.name, r.location = 'fsn1' DESC, r.name LIMIT 1" };
static const struct db_stmt stmt_retire = { "img_retire",
	"UPDATE images SET state = 'retired' WHERE arch = $1"
	" AND state = 'current'" };
static const struct db_stmt stmt_plans = { "img_plans",
	"UPDATE plans p SET image = $2 WHERE (p.server_type LIKE 'cax%')"
	" = ($1 = 'arm') RETURNING name" };
/* retired, not the newest retired, no live pool server on it */
static const struct db_stmt stmt_prunable = { "img_prunable",
	"SELECT i.id, i.hetzner_image_id FROM images i WHERE i.arch = $1"
	" AND i.state = 'retired' AND i.id < (SELECT max(id) FROM images"
	"  WHERE arch = $1 AND state = 'retired')"
	" AND NOT EXISTS (SELECT 1 FROM pool_servers s"
	"  WHERE s.image = i.hetzner_image_id::text"
	"  AND s.state IN ('warming', 'ready', 'bad', 'recycling'))" };
static const struct db_stmt stmt_deleted = { "img_deleted",
	"UPDATE images SET state = 'deleted', deleted_at = now()"
	" WHERE id = $1::bigint" };
static const struct db_stmt stmt_list = { "img_list",
	"SELECT id, arch, state, coalesce(hetzner_image_id::text, '-'),"
	" openclaw_version, left(recipe_hash, 12),"
	" to_char(created_at, 'YYYY-MM-DD HH24:MI'), coalesce(error, '')"
	" FROM images ORDER BY id" };

struct build {
	struct ctl	*ctl;
	struct hz	*hz;
	const char	*arch;
	char		 id[24];
	char		 version[64];
	char		 recipe[65];
	char		*plugins;	/* every active plan's provider plugins */
	double		 poll;
	long		 timeout;
};

static void
nap(double s)
{
	struct timespec	 ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	(void)nanosleep(&ts, NULL);
}

/* Record a state (and an error, which is also printed). */
static void
set_state(struct build *b, const char *state, int64_t image, const char *err)
{
	const char	*p[4];
	char		 iid[32];

	snprintf(iid, sizeof(iid), "%" PRId64, image);
	p[0] = b->id;
	p[1] = state;
	p[2] = image > 0 ? iid : NULL;
	p[3] = err;
	if (err != NULL)
		fprintf(stderr, "ochctl: image %s: %s\n", b->id, err);
	(void)db_run(b->ctl->db, &stmt_state, 4, p, NULL);
}

/* The SHA-256 over what makes an image, into b->recipe. */
static int
recipe(struct build *b)
{
	static const char *const files[] = { "och-setup", "image.yaml.tmpl",
	    "image-check.yaml.tmpl" };
	struct buf	 all = { 0 };
	char		*dir, *t;
	size_t		 i;

	dir = xasprintf("%s/cloud-init", ud_template_dir(&b->ctl->cfg));
	for (i = 0; i < OCH_NELEM(files); i++) {
		if ((t = tpl_load(dir, files[i])) == NULL) {
			fprintf(stderr, "ochctl: %s/%s cannot be read\n", dir,
			    files[i]);
			free(dir);
			buf_free(&all);
			return -1;
		}
		buf_puts(&all, t);
		buf_puts(&all, "\n");
		free(t);
	}
	free(dir);
	buf_printf(&all, "%s\n%s\n%s\n%s\n", BASE_IMAGE, b->version, b->arch,
	    b->plugins);
	cry_sha256_hex(all.data, all.len, b->recipe);
	buf_free(&all);
	return 0;
}

/* A rendered image template (no token in it). */
static char *
render(struct build *b, const char *name)
{
	struct ud_instance	 ui;
	enum och_err		 err;
	char			*dir, *t, *out;

	dir = xasprintf("%s/cloud-init", ud_template_dir(&b->ctl->cfg));
	t = tpl_load(dir, name);
	free(dir);
	if (t == NULL)
		return NULL;
	memset(&ui, 0, sizeof(ui));
	ui.id = ui.slug = "image";
	ui.plan = "";
	ui.openclaw_version = b->version;
	ui.plugins = b->plugins;
	out = ud_render(t, &b->ctl->cfg, &ui, "", &err);
	free(t);
	return out;
}

/* POST /servers labelled och-image-build=<row>; its id, or 0. */
static int64_t
server(struct build *b, const char *name, const char *image,
    const char *tmpl)
{
	PGresult	*res;
	struct hz_server srv;
	struct prov_err	 e;
	cJSON		*body, *labels, *root = NULL;
	const char	*p[1];
	char		*ud;
	int64_t		 ssh = 0, fw = 0, id = 0;

	p[0] = strcmp(b->arch, "arm") == 0 ? "true" : "false";
	if ((res = db_exec(b->ctl->db, &stmt_where, 1, p, NULL)) == NULL ||
	    PQntuples(res) != 1) {
		set_state(b, "failed", 0, "no sold plan of this architecture");
		PQclear(res);
		return 0;
	}
	if ((ud = render(b, tmpl)) == NULL) {
		set_state(b, "failed", 0, "the image template does not render");
		PQclear(res);
		return 0;
	}
	if (fleet_ids(b->ctl->db, &b->ctl->cfg, b->hz, &ssh, &fw, &e) !=
	    OCH_OK) {
		set_state(b, "failed", 0, "fleet network unavailable");
		free(ud);
		PQclear(res);
		return 0;
	}
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "name", name);
	cJSON_AddStringToObject(body, "server_type", db_val(res, 0, 0));
	cJSON_AddStringToObject(body, "image", image);
	cJSON_AddStringToObject(body, "location", db_val(res, 0, 1));
	cJSON_AddStringToObject(body, "user_data", ud);
	cJSON_AddBoolToObject(body, "start_after_create", 1);
	labels = cJSON_AddObjectToObject(body, "labels");
	cJSON_AddStringToObject(labels, "och-image-build", b->id);
	fleet_create_fields(body, ssh, fw);
	if (hz_request(b->hz, "POST", "/servers", body, 0, &root, &e) ==
	    OCH_OK && hz_parse_server(cJSON_GetObjectItemCaseSensitive(root,
	    "server"), &srv) == 0)
		id = srv.id;
	else {
		char	 s[300];

		set_state(b, "failed", 0, hcl_perr_str(&e, s, sizeof(s)));
	}
	cJSON_Delete(body);
	cJSON_Delete(root);
	free(ud);
	PQclear(res);
	return id;
}

/* Wait for a server to be off.  0, or -1 (timeout or gone). */
static int
wait_off(struct build *b, int64_t id, const char *what)
{
	struct hz_server srv;
	struct prov_err	 e;
	time_t		 end = time(NULL) + b->timeout;

	while (time(NULL) < end) {
		nap(b->poll);
		if (hz_server_get(b->hz, id, &srv, &e) == OCH_ENOTFOUND)
			break;
		if (strcmp(srv.status, "off") == 0)
			return 0;
	}
	fprintf(stderr, "ochctl: image %s: the %s server %" PRId64 " did not "
	    "power off within %ld s\n", b->id, what, id, b->timeout);
	return -1;
}

static void
drop_server(struct build *b, int64_t id)
{
	struct prov_err	 e;

	if (id > 0 && hz_server_delete(b->hz, id, NULL, &e) != OCH_OK &&
	    e.err != OCH_ENOTFOUND)
		hcl_perr_log(&e, "delete image server");
}

/* create_image of the builder, waited for; the image id, or 0. */
static int64_t
snapshot(struct build *b, int64_t sid)
{
	struct hz_action a;
	struct prov_err	 e;
	cJSON		*body, *labels, *root = NULL;
	char		*path, desc[160], s[400], rh[33];
	int64_t		 img = 0;
	time_t		 end = time(NULL) + b->timeout;

	snprintf(desc, sizeof(desc), "openclawhost %s openclaw %s", b->arch,
	    b->version);
	snprintf(rh, sizeof(rh), "%.32s", b->recipe);
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "type", "snapshot");
	cJSON_AddStringToObject(body, "description", desc);
	labels = cJSON_AddObjectToObject(body, "labels");
	cJSON_AddStringToObject(labels, "och-image", b->id);
	cJSON_AddStringToObject(labels, "och-openclaw", b->version);
	cJSON_AddStringToObject(labels, "och-recipe", rh);
	cJSON_AddStringToObject(labels, "och-arch", b->arch);
	path = xasprintf("/servers/%" PRId64 "/actions/create_image", sid);
	if (hz_request(b->hz, "POST", path, body, 0, &root, &e) != OCH_OK ||
	    hz_parse_action(cJSON_GetObjectItemCaseSensitive(root, "action"),
	    &a) == -1 || (img = (int64_t)cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    root, "image"), "id"))) <= 0) {
		set_state(b, "failed", 0, e.err != OCH_OK ? hcl_perr_str(&e, s,
		    sizeof(s)) : "create_image: no image in the answer");
		img = 0;
		goto out;
	}
	while (a.status == HZ_ACTION_RUNNING && time(NULL) < end) {
		nap(b->poll);
		if (hz_action_get(b->hz, a.id, &a, &e) != OCH_OK)
			a.status = HZ_ACTION_RUNNING;
	}
	if (a.status != HZ_ACTION_SUCCESS) {
		snprintf(s, sizeof(s), "create_image %s %s", a.error_code,
		    a.status == HZ_ACTION_RUNNING ? "timed out" :
		    a.error_message);
		set_state(b, "failed", img, s);
		(void)hz_image_delete(b->hz, img, &e);
		img = 0;
	}
out:
	free(path);
	cJSON_Delete(body);
	cJSON_Delete(root);
	return img;
}

/* Make img current for the architecture and the plans'.  0 or -1. */
static int
promote(struct build *b, int64_t img)
{
	PGresult	*res = NULL;
	const char	*p[4];
	char		 iid[32];
	int		 i;

	snprintf(iid, sizeof(iid), "%" PRId64, img);
	if (db_begin(b->ctl->db) < 0)
		return -1;
	p[0] = b->arch;
	p[1] = iid;
	if (db_run(b->ctl->db, &stmt_retire, 1, p, NULL) != OCH_OK)
		goto fail;
	p[0] = b->id;
	p[1] = "current";
	p[2] = iid;
	p[3] = NULL;
	if (db_run(b->ctl->db, &stmt_state, 4, p, NULL) != OCH_OK)
		goto fail;
	p[0] = b->arch;
	p[1] = iid;
	if ((res = db_exec(b->ctl->db, &stmt_plans, 2, p, NULL)) == NULL)
		goto fail;
	if (db_commit(b->ctl->db) < 0)
		goto fail;
	for (i = 0; i < PQntuples(res); i++)
		printf("plan %s now boots image %s\n", db_val(res, i, 0), iid);
	PQclear(res);
	return 0;
fail:
	PQclear(res);
	db_rollback(b->ctl->db);
	return -1;
}

static void
prune(struct build *b)
{
	PGresult	*res;
	struct prov_err	 e;
	const char	*p[1] = { b->arch };
	enum och_err	 rc;
	int		 i;

	if ((res = db_exec(b->ctl->db, &stmt_prunable, 1, p, NULL)) == NULL)
		return;
	for (i = 0; i < PQntuples(res); i++) {
		rc = hz_image_delete(b->hz, db_int(res, i, 1), &e);
		if (rc != OCH_OK && rc != OCH_ENOTFOUND) {
			hcl_perr_log(&e, "prune image");
			continue;
		}
		p[0] = db_val(res, i, 0);
		(void)db_run(b->ctl->db, &stmt_deleted, 1, p, NULL);
		printf("image %s (%s) pruned\n", db_val(res, i, 0),
		    db_val(res, i, 1));
	}
	PQclear(res);
}

static int
build(struct build *b, int if_changed)
{
	PGresult	*res;
	const char	*p[4];
	char		 name[64], imgs[32];
	int64_t		 sid, img, vid;

	if (recipe(b) < 0)
		return 1;
	p[0] = b->arch;
	if ((res = db_exec(b->ctl->db, &stmt_current, 1, p, NULL)) == NULL)
		return 1;
	if (if_changed && PQntuples(res) == 1 &&
	    strcmp(db_val(res, 0, 0), b->recipe) == 0) {
		printf("image %s is current for %s: nothing changed\n",
		    db_val(res, 0, 1), b->arch);
		PQclear(res);
		return 0;
	}
	PQclear(res);
	p[1] = BASE_IMAGE;
	p[2] = b->version;
	p[3] = b->recipe;
	if ((res = db_exec(b->ctl->db, &stmt_new, 4, p, NULL)) == NULL)
		return 1;
	snprintf(b->id, sizeof(b->id), "%s", db_val(res, 0, 0));
	PQclear(res);
	printf("image %s: building (%s, openclaw %s, recipe %.12s)\n", b->id,
	    b->arch, b->version, b->recipe);
	snprintf(name, sizeof(name), "och-image-%s", b->id);
	if ((sid = server(b, name, BASE_IMAGE, "image.yaml.tmpl")) == 0)
		return 1;
	if (wait_off(b, sid, "builder") < 0) {
		set_state(b, "failed", 0, "the builder did not finish");
		drop_server(b, sid);
		return 1;
	}
	img = snapshot(b, sid);
	drop_server(b, sid);
	if (img == 0)
		return 1;
	set_state(b, "verifying", img, NULL);
	printf("image %s: snapshot %" PRId64 ", checking it\n", b->id, img);
	snprintf(name, sizeof(name), "och-image-%s-check", b->id);
	snprintf(imgs, sizeof(imgs), "%" PRId64, img);
	if ((vid = server(b, name, imgs, "image-check.yaml.tmpl")) == 0 ||
	    wait_off(b, vid, "check") < 0) {
		struct prov_err	 e;

		drop_server(b, vid);
		set_state(b, "failed", img, "the check server found the image "
		    "incomplete");
		(void)hz_image_delete(b->hz, img, &e);
		return 1;
	}
	drop_server(b, vid);
	if (promote(b, img) < 0) {
		fprintf(stderr, "ochctl: image %s: database error\n", b->id);
		return 1;
	}
	printf("image %s: %" PRId64 " is current for %s\n", b->id, img,
	    b->arch);
	prune(b);
	return 0;
}

static int
list(struct ctl *ctl)
{
	PGresult	*res;
	int		 i;

	if ((res = db_exec(ctl->db, &stmt_list, 0, NULL, NULL)) == NULL)
		return 1;
	printf("%-5s %-4s %-9s %-12s %-14s %-12s %-16s %s\n", "ID", "ARCH",
	    "STATE", "HETZNER", "OPENCLAW", "RECIPE", "CREATED", "ERROR");
	for (i = 0; i < PQntuples(res); i++)
		printf("%-5s %-4s %-9s %-12s %-14s %-12s %-16s %s\n",
		    db_val(res, i, 0), db_val(res, i, 1), db_val(res, i, 2),
		    db_val(res, i, 3), db_val(res, i, 4), db_val(res, i, 5),
		    db_val(res, i, 6), db_val(res, i, 7));
	PQclear(res);
	return 0;
}

int
ctl_image(struct ctl *ctl, int argc, char **argv)
{
	struct build	 b;
	struct hcl	*h;
	char		*end;
	int		 i, if_changed = 0, rc;

	if (argc >= 2 && strcmp(argv[1], "list") == 0 && argc == 2)
		return list(ctl);
	if (argc < 2 || strcmp(argv[1], "build") != 0)
		goto usage;
	memset(&b, 0, sizeof(b));
	b.ctl = ctl;
	b.arch = "x86";
	b.poll = 5;
	b.timeout = 1800;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--if-changed") == 0)
			if_changed = 1;
		else if (strcmp(argv[i], "--arch") == 0 && i + 1 < argc &&
		    (strcmp(argv[i + 1], "x86") == 0 ||
		    strcmp(argv[i + 1], "arm") == 0))
			b.arch = argv[++i];
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc &&
		    (b.timeout = strtol(argv[++i], &end, 10)) > 0 &&
		    *end == '\0')
			;
		else if (strcmp(argv[i], "--poll") == 0 && i + 1 < argc &&
		    (b.poll = strtod(argv[++i], &end)) >= 0.1 &&
		    b.poll <= 60 && *end == '\0')
			;
		else
			goto usage;
	}
	snprintf(b.version, sizeof(b.version), "%s",
	    cfg_str(&ctl->cfg, CFG_OPENCLAW_VERSION, "latest"));
	if ((h = hcl_new()) == NULL)
		return 1;
	if ((b.hz = hz_from_cfg(h, &ctl->cfg)) == NULL) {
		fprintf(stderr, "ochctl: HETZNER_API_TOKEN is not set\n");
		hcl_free(h);
		return 1;
	}
	if ((b.plugins = ud_plugins(ctl->db, NULL, NULL)) == NULL)
		rc = 1;
	else
		rc = build(&b, if_changed);
	free(b.plugins);
	hz_free(b.hz);
	hcl_free(h);
	return rc;
usage:
	fprintf(stderr, "usage: ochctl image build [--arch x86|arm] "
	    "[--if-changed] [--timeout S] [--poll S]\n"
	    "       ochctl image list\n");
	return 2;
}
