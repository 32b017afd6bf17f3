/*
 * ent_archive.c: the archives of the agent's off-server backups and
 * their restore (ent.h): claiming a backup row for its upload, recording
 * the stored object or the failure, the row a download opens, and what
 * a restore checks and queues (an agent archive: the agent's
 * backup_restore command; a snapshot: the image of the next rebuild).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ent_archive.h"

static const struct db_stmt stmt_claim = { "ent_archive_claim",
	"UPDATE backups SET status = 'uploading', error = NULL"
	" WHERE id = $1::bigint AND instance_id = $2::uuid AND kind = 'agent'"
	" AND status IN ('creating', 'failed') AND completed_at IS NULL"
	" RETURNING id" };
static const struct db_stmt stmt_exists = { "ent_archive_status",
	"SELECT status FROM backups WHERE id = $1::bigint"
	" AND instance_id = $2::uuid" };
static const struct db_stmt stmt_stored = { "ent_archive_stored",
	"UPDATE backups SET status = 'available', object_key = $2,"
	" size_bytes = $3::bigint, sha256 = $4, key_enc = $5::bytea,"
	" openclaw_version = $6, completed_at = now(), error = NULL"
	" WHERE id = $1::bigint AND status = 'uploading'" };
static const struct db_stmt stmt_failed = { "ent_archive_failed",
	"UPDATE backups SET status = 'failed', error = left($2, 500)"
	" WHERE id = $1::bigint AND status = 'uploading'" };
static const struct db_stmt stmt_get = { "ent_archive_get",
	"SELECT object_key, size_bytes, sha256, key_enc, openclaw_version"
	" FROM backups WHERE id = $1::bigint AND instance_id = $2::uuid"
	" AND kind = 'agent' AND status = 'available'" };
static const struct db_stmt stmt_restore_check = { "ent_restore_check",
	"SELECT i.state, i.slug, b.status, b.sha256, b.size_bytes,"
	" b.openclaw_version, (SELECT count(*) FROM instance_commands c"
	"  WHERE c.instance_id = i.id AND c.kind = 'backup_restore'"
	"  AND c.status IN ('queued', 'running')), b.kind"
	" FROM instances i LEFT JOIN backups b ON b.id = $2::bigint"
	"  AND b.instance_id = i.id"
	" WHERE i.id = $1::uuid" };
/* a snapshot restore: the image of the next rebuild (lib/recon.c) */
static const struct db_stmt stmt_snap_restore = { "ent_restore_snap_mark",
	"UPDATE instances i SET restore_image = b.hetzner_image_id::text"
	" FROM backups b WHERE i.id = $1::uuid AND b.id = $2::bigint"
	" AND b.instance_id = i.id AND b.kind = 'snapshot'"
	" AND b.status = 'available' AND b.hetzner_image_id IS NOT NULL"
	" AND i.state = 'active' AND i.pending_action IS NULL RETURNING i.id" };
static const struct db_stmt stmt_snap_unrestore = { "ent_restore_snap_unmark",
	"UPDATE instances SET restore_image = NULL WHERE id = $1::uuid"
	" AND pending_action IS NULL" };
static const struct db_stmt stmt_snap_plan = { "ent_restore_snap_slots",
	"SELECT p.snapshot_slots FROM instances i JOIN plans p"
	" ON p.name = i.plan WHERE i.id = $1::uuid" };
static const struct db_stmt stmt_restore = { "ent_restore_queue",
	"INSERT INTO instance_commands (instance_id, kind, args, created_by)"
	" VALUES ($1::uuid, 'backup_restore', jsonb_build_object('backup_id',"
	" $2::bigint, 'sha256', $3::text, 'size_bytes', $4::bigint,"
	" 'openclaw_version', $5::text), $6) RETURNING id" };

enum och_err
ent_archive_claim(struct db *db, const char *id, const char *inst,
    char *status, size_t statussz)
{
	PGresult	*res;
	const char	*p[2] = { id, inst };
	enum och_err	 err;

	status[0] = '\0';
	if ((res = db_exec(db, &stmt_claim, 2, p, &err)) == NULL)
		return err;
	err = PQntuples(res) == 1 ? OCH_OK : OCH_ENOTFOUND;
	PQclear(res);
	if (err == OCH_OK)
		return OCH_OK;
	/* why not: no such backup, or not one that takes an upload */
	if ((res = db_exec(db, &stmt_exists, 2, p, &err)) == NULL)
		return err;
	if (PQntuples(res) == 1) {
		snprintf(status, statussz, "%s", db_val(res, 0, 0));
		err = OCH_ECONFLICT;
	} else
		err = OCH_ENOTFOUND;
	PQclear(res);
	return err;
}

enum och_err
ent_archive_stored(struct db *db, const char *id, const char *okey,
    const char *size, const char *sha, const char *sealed,
    const char *version)
{
	const char	*p[6] = { id, okey, size, sha, sealed, version };

	return db_run(db, &stmt_stored, 6, p, NULL);
}

enum och_err
ent_archive_failed(struct db *db, const char *id, const char *why)
{
	const char	*p[2] = { id, why };

	return db_run(db, &stmt_failed, 2, p, NULL);
}

/* stmt_get's columns in order */
static const struct ent_field archive_fields[] = {
	ENT_FIELD(NULL, ent_archive, object_key, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_archive, size_bytes, ENT_F_INT),
	ENT_FIELD(NULL, ent_archive, sha256, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_archive, key_enc, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_archive, openclaw_version, ENT_F_STR),
};
static const struct ent_fields archive_shape =
    ENT_FIELDS(ent_archive, archive_fields);

enum och_err
ent_archive_get(struct db *db, const char *id, const char *inst,
    struct ent_archive **out)
{
	const char	*p[2] = { id, inst };

	return ent_fields_new(db, &stmt_get, 2, p, &archive_shape, out);
}

void
ent_archive_free(struct ent_archive *a)
{
	ent_fields_free(a, 1, &archive_shape);
}

/* stmt_restore_check's columns in order */
static const struct ent_field restore_fields[] = {
	ENT_FIELD(NULL, ent_restore, state, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_restore, slug, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_restore, status, ENT_F_STR),
	ENT_FIELD(NULL, ent_restore, sha256, ENT_F_STR),
	ENT_FIELD(NULL, ent_restore, size_bytes, ENT_F_STR),
	ENT_FIELD(NULL, ent_restore, openclaw_version, ENT_F_STR),
	ENT_FIELD(NULL, ent_restore, queued, ENT_F_INT),
	ENT_FIELD(NULL, ent_restore, kind, ENT_F_STR),
};
static const struct ent_fields restore_shape =
    ENT_FIELDS(ent_restore, restore_fields);

enum och_err
ent_restore_check(struct db *db, const char *inst, const char *bid,
    struct ent_restore *out)
{
	const char	*p[2] = { inst, bid };

	return ent_fields_one(db, &stmt_restore_check, 2, p, &restore_shape,
	    out);
}

void
ent_restore_free(struct ent_restore *c)
{
	ent_fields_clear(c, &restore_shape);
}

enum och_err
ent_restore_queue(struct db *db, const char *inst, const char *bid,
    const struct ent_restore *c, const char *who, char *cmd)
{
	PGresult	*res;
	const char	*p[6] = { inst, bid, c->sha256, c->size_bytes,
			    c->openclaw_version, who };
	enum och_err	 err;

	cmd[0] = '\0';
	if ((res = db_exec(db, &stmt_restore, 6, p, &err)) == NULL)
		return err;
	if (PQntuples(res) == 1)
		snprintf(cmd, 24, "%s", db_val(res, 0, 0));
	else
		err = OCH_EDB;
	PQclear(res);
	return err;
}

enum och_err
ent_restore_snap_mark(struct db *db, const char *inst, const char *bid)
{
	const char	*p[2] = { inst, bid };
	enum och_err	 err;
	long		 n = 0;

	if ((err = db_run(db, &stmt_snap_restore, 2, p, &n)) != OCH_OK)
		return err;
	return n == 1 ? OCH_OK : OCH_ECONFLICT;
}

enum och_err
ent_restore_snap_unmark(struct db *db, const char *inst)
{
	const char	*p[1] = { inst };

	return db_run(db, &stmt_snap_unrestore, 1, p, NULL);
}

enum och_err
ent_restore_snap_slots(struct db *db, const char *inst, int64_t *slots)
{
	PGresult	*res;
	const char	*p[1] = { inst };
	enum och_err	 err;

	*slots = 0;
	if ((res = db_exec(db, &stmt_snap_plan, 1, p, &err)) == NULL)
		return err;
	if (PQntuples(res) == 1)
		*slots = db_int(res, 0, 0);
	else
		err = OCH_ENOTFOUND;
	PQclear(res);
	return err;
}
