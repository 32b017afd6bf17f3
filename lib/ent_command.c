/*
 * ent_command.c: the agent commands entity (ent.h): queueing a command
 * for an instance's agent, following it (struct ent_command), the agent
 * claiming its queue and sending results, and the command owner a DM
 * pairing approval named.  Every statement is keyed by the instance, so
 * no command of another instance is reachable through it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ent_command.h"

/* every read selects CMD_COLS: these fields, in this order */
static const struct ent_field command_fields[] = {
	ENT_FIELD("id", ent_command, id, ENT_F_TEXT),
	ENT_FIELD("kind", ent_command, kind, ENT_F_TEXT),
	ENT_FIELD("status", ent_command, status, ENT_F_TEXT),
	ENT_FIELD("args", ent_command, args_json, ENT_F_TEXT),
	ENT_FIELD("result", ent_command, result_json, ENT_F_STR),
	ENT_FIELD("created_at", ent_command, created_at, ENT_F_TEXT),
	ENT_FIELD("finished_at", ent_command, finished_at, ENT_F_STR),
};
static const struct ent_fields command_shape =
    ENT_FIELDS(ent_command, command_fields);
#define CMD_COLS \
	"id, kind, status, args::text, result::text," ENT_TS("created_at") \
	"," ENT_TS("finished_at")

/* one queueing per instance at a time: the count below then sees every
 * command queued before it (a statement of its own, so a fresh snapshot;
 * 7341: the commands' lock class) */
static const struct db_stmt stmt_lock = { "ent_command_lock",
	"SELECT pg_advisory_xact_lock(7341, hashtext($1))" };
/* the command when the instance's queue has room (ent_command.h); else
 * no id, and the seconds until its oldest young command is over */
static const struct db_stmt stmt_queue = { "ent_command_queue",
	"WITH p AS (SELECT count(*) AS n, count(*) FILTER (WHERE created_at >"
	"  now() - interval '" ENT_COMMAND_EXPIRE "') AS young,"
	"  min(created_at) FILTER (WHERE created_at > now() - interval '"
	ENT_COMMAND_EXPIRE "') AS oldest FROM instance_commands"
	"  WHERE instance_id = $1::uuid AND status IN ('queued', 'running')),"
	" c AS (INSERT INTO instance_commands (instance_id, kind, args,"
	"  created_by) SELECT $1::uuid, $2, $3::jsonb, $4 FROM p"
	"  WHERE p.young < $5::int AND p.n < $6::int RETURNING id)"
	" SELECT (SELECT id FROM c), CASE WHEN p.n < $6::int THEN"
	" greatest(1, ceil(extract(epoch FROM p.oldest + interval '"
	ENT_COMMAND_EXPIRE "' - now())))::bigint END FROM p" };
static const struct db_stmt stmt_open = { "ent_command_open",
	"SELECT id FROM instance_commands WHERE instance_id = $1::uuid"
	" AND kind = $2 AND status IN ('queued', 'running')"
	" AND created_at > now() - interval '" ENT_COMMAND_EXPIRE "'"
	" ORDER BY id DESC LIMIT 1" };
static const struct db_stmt stmt_expire = { "ent_command_expire",
	"UPDATE instance_commands SET status = 'expired', finished_at = now()"
	" WHERE id = $2::bigint AND instance_id = $1::uuid"
	" AND status IN ('queued', 'running')"
	" AND created_at < now() - interval '" ENT_COMMAND_EXPIRE "'" };
static const struct db_stmt stmt_get = { "ent_command_get",
	"SELECT " CMD_COLS " FROM instance_commands"
	" WHERE id = $2::bigint AND instance_id = $1::uuid" };
static const struct db_stmt stmt_backups = { "ent_command_backups",
	"SELECT " CMD_COLS " FROM instance_commands"
	" WHERE instance_id = $1::uuid"
	" AND kind IN ('backup_create', 'backup_restore')"
	" ORDER BY id DESC LIMIT 40" };
static const struct db_stmt stmt_claim = { "ent_command_claim",
	"WITH c AS (SELECT id FROM instance_commands"
	"  WHERE instance_id = $1::uuid AND status IN ('queued', 'running')"
	"  ORDER BY id LIMIT 20 FOR UPDATE)"
	" UPDATE instance_commands x SET status = 'running',"
	"  started_at = coalesce(started_at, now())"
	" FROM c WHERE x.id = c.id RETURNING x.id, x.kind, x.status,"
	" x.args::text, x.result::text," ENT_TS("x.created_at") ","
	ENT_TS("x.finished_at") };
static const struct db_stmt stmt_finish = { "ent_command_finish",
	"UPDATE instance_commands SET status = $3, result = $4::jsonb,"
	" finished_at = CASE WHEN $3 IN ('done', 'failed') THEN now() END"
	" WHERE id = $2::bigint AND instance_id = $1::uuid"
	"  AND status IN ('queued', 'running')" };
static const struct db_stmt stmt_exists = { "ent_command_exists",
	"SELECT status FROM instance_commands"
	" WHERE id = $2::bigint AND instance_id = $1::uuid" };
static const struct db_stmt stmt_owner = { "ent_command_owner",
	"SELECT result->'output'->>'owner' FROM instance_commands"
	" WHERE instance_id = $1::uuid AND kind = 'pairing_approve'"
	"  AND status = 'done' AND result->'output' ? 'owner'"
	" ORDER BY id LIMIT 1" };

enum och_err
ent_command_queue(struct db *db, const char *id, const char *kind,
    const char *args, const char *who, char **cid, long *retry)
{
	char			 young[16], all[16];
	const char		*p[6] = { id, kind, args, who, young, all };
	struct db_batch_item	 it[2] = { { &stmt_lock, 1, p, NULL },
				    { &stmt_queue, 6, p, NULL } };
	enum och_err		 err;

	*cid = NULL;
	*retry = 0;
	snprintf(young, sizeof(young), "%d", ENT_COMMAND_PENDING_MAX);
	snprintf(all, sizeof(all), "%d", ENT_COMMAND_BACKLOG_MAX);
	if ((err = db_batch(db, it, 2)) != OCH_OK)
		return err;
	if (PQntuples(it[1].res) != 1)
		err = OCH_EDB;
	else if ((*cid = db_dup(it[1].res, 0, 0)) == NULL) {
		err = OCH_ERATE;
		*retry = (long)db_int(it[1].res, 0, 1);
	}
	PQclear(it[0].res);
	PQclear(it[1].res);
	return err;
}

enum och_err
ent_command_open(struct db *db, const char *id, const char *kind, char **cid)
{
	const char	*p[2] = { id, kind };

	return db_first(db, &stmt_open, 2, p, cid);
}

enum och_err
ent_command_get(struct db *db, const char *id, const char *cid,
    struct ent_command **out)
{
	const char	*p[2] = { id, cid };
	enum och_err	 err;
	size_t		 n;

	(void)db_run(db, &stmt_expire, 2, p, NULL);
	err = ent_fields_rows(db, &stmt_get, 2, p, &command_shape, out, &n);
	return err != OCH_OK || n == 1 ? err : OCH_ENOTFOUND;
}

enum och_err
ent_command_backups(struct db *db, const char *id, struct ent_command **out,
    size_t *n)
{
	const char	*p[1] = { id };

	return ent_fields_rows(db, &stmt_backups, 1, p, &command_shape, out,
	    n);
}

enum och_err
ent_command_claim(struct db *db, const char *id, struct ent_command **out,
    size_t *n)
{
	const char	*p[1] = { id };
	enum och_err	 err;

	*out = NULL;
	*n = 0;
	if (db_begin(db) < 0)
		return OCH_EDB;
	err = ent_fields_rows(db, &stmt_claim, 1, p, &command_shape, out, n);
	if (err == OCH_OK && db_commit(db) < 0) {
		ent_command_free(*out, *n);
		*out = NULL;
		*n = 0;
		err = OCH_EDB;
	}
	db_rollback(db);
	return err;
}

enum och_err
ent_command_finish(struct db *db, const char *id, const char *cid,
    const char *status, const char *result)
{
	const char	*p[4] = { id, cid, status, result };
	char		*st;
	enum och_err	 err;
	long		 rows = 0;

	if ((err = db_run(db, &stmt_finish, 4, p, &rows)) != OCH_OK ||
	    rows > 0)
		return err;
	/* unknown here, or already final (which ends the agent's retries) */
	if ((err = db_first(db, &stmt_exists, 2, p, &st)) != OCH_OK)
		return err;
	err = st == NULL ? OCH_ENOTFOUND : OCH_ECONFLICT;
	free(st);
	return err;
}

enum och_err
ent_command_owner(struct db *db, const char *id, char **owner)
{
	const char	*p[1] = { id };

	return db_first(db, &stmt_owner, 1, p, owner);
}

void
ent_command_free(struct ent_command *c, size_t n)
{
	ent_fields_free(c, n, &command_shape);
}
