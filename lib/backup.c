/*
 * backup.c: the backup stream cipher, queueing and the poller's backup
 * work (see backup.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "backup.h"
#include "log.h"
#include "s3.h"

struct bak_cipher {
	EVP_CIPHER_CTX	*ctx;
	int		 enc;
};

/* the row and the command in one statement: both or neither; a manual
 * one only while none of the instance is being made and fewer than $4
 * manual ones were asked for within the hour (backup.h) */
static const struct db_stmt stmt_queue = { "bak_queue",
	"WITH lim AS (SELECT count(*) FILTER (WHERE status IN ('creating',"
	"  'uploading')) AS busy, count(*) FILTER (WHERE reason = 'manual'"
	"  AND created_at > now() - interval '1 hour') AS hour,"
	"  min(created_at) FILTER (WHERE reason = 'manual' AND created_at >"
	"  now() - interval '1 hour') AS first FROM backups"
	"  WHERE instance_id = $1::uuid AND kind = 'agent'),"
	" ids AS (SELECT nextval('backups_id_seq') AS bid,"
	"  nextval('instance_commands_id_seq') AS cid FROM lim"
	"  WHERE $2 <> 'manual' OR (lim.busy = 0 AND lim.hour < $4::int)),"
	" c AS (INSERT INTO instance_commands (id, instance_id, kind, args,"
	"  created_by) SELECT cid, $1::uuid, 'backup_create',"
	"  jsonb_build_object('backup_id', bid, 'upload', true), $3"
	"  FROM ids RETURNING id),"
	" b AS (INSERT INTO backups (id, instance_id, kind, status, reason,"
	"  name, command_id) SELECT bid, $1::uuid, 'agent', 'creating', $2,"
	"  $2 || ' ' || to_char(now() AT TIME ZONE 'UTC',"
	"  'YYYY-MM-DD HH24:MI'), cid FROM ids RETURNING id)"
	" SELECT (SELECT id FROM b), (SELECT id FROM c), CASE WHEN lim.busy"
	" = 0 THEN greatest(1, ceil(extract(epoch FROM lim.first + interval"
	" '1 hour' - now())))::bigint END FROM lim" };
/* one manual queueing per instance at a time, so the count above sees
 * every one before it (7342: the backups' lock class) */
static const struct db_stmt stmt_lock = { "bak_lock",
	"SELECT pg_advisory_xact_lock(7342, hashtext($1))" };
/* the command, and for an update ($5) its pre-update backup's row */
static const struct db_stmt stmt_command = { "bak_command",
	"WITH ids AS (SELECT nextval('instance_commands_id_seq') AS cid,"
	"  CASE WHEN $2 = 'update' AND $5::boolean"
	"  THEN nextval('backups_id_seq') END AS bid),"
	" c AS (INSERT INTO instance_commands (id, instance_id, kind, args,"
	"  created_by) SELECT cid, $1::uuid, $2, $3::jsonb || CASE WHEN bid"
	"  IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('backup_id', bid)"
	"  END, $4 FROM ids RETURNING id, created_at),"
	" b AS (INSERT INTO backups (id, instance_id, kind, status, reason,"
	"  name, command_id) SELECT bid, $1::uuid, 'agent', 'creating',"
	"  'pre_update', 'pre_update ' || to_char(now() AT TIME ZONE 'UTC',"
	"  'YYYY-MM-DD HH24:MI'), cid FROM ids WHERE bid IS NOT NULL)"
	" SELECT id, to_char(created_at AT TIME ZONE 'UTC',"
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM c" };
/* active instances whose plan's schedule is due: none in flight, and the
 * newest backup that did not fail older than backup_hours (a failed one
 * is tried again after an hour) */
static const struct db_stmt stmt_due = { "bak_due",
	"SELECT i.id FROM instances i JOIN plans p ON p.name = i.plan"
	" WHERE i.state = 'active' AND p.backup_hours > 0"
	" AND p.backup_slots > 0"
	" AND NOT EXISTS (SELECT 1 FROM backups b WHERE b.instance_id = i.id"
	"  AND b.kind = 'agent' AND (b.status IN ('creating', 'uploading')"
	"  OR (b.status IN ('available', 'deleting', 'deleted')"
	"   AND b.created_at > now() - p.backup_hours * interval '1 hour')"
	"  OR (b.status = 'failed' AND b.created_at > now() - interval"
	"   '1 hour')))"
	" ORDER BY i.id LIMIT 500" };
static const struct db_stmt stmt_expire = { "bak_expire",
	"UPDATE backups SET status = 'failed', error = 'the agent did not"
	" deliver the archive within ' || $1 || ' s'"
	" WHERE kind = 'agent' AND status IN ('creating', 'uploading')"
	" AND created_at < now() - $1::int * interval '1 second'" };
/* retention: beyond the plan's slots, newest first; termination grace */
static const struct db_stmt stmt_doomed = { "bak_doomed",
	"UPDATE backups SET status = 'deleting' WHERE id IN ("
	" SELECT x.id FROM (SELECT b.id, i.state, i.terminated_at,"
	"  p.backup_slots, row_number() OVER (PARTITION BY b.instance_id"
	"  ORDER BY b.created_at DESC, b.id DESC) AS rn"
	"  FROM backups b JOIN instances i ON i.id = b.instance_id"
	"  JOIN plans p ON p.name = i.plan"
	"  WHERE b.kind = 'agent' AND b.status = 'available') x"
	" WHERE x.rn > x.backup_slots OR (x.state = 'terminated'"
	"  AND x.terminated_at < now() - $1::int * interval '1 day'))" };
static const struct db_stmt stmt_deleting = { "bak_deleting",
	"SELECT id, object_key FROM backups WHERE status = 'deleting'"
	" AND kind = 'agent'"
	" ORDER BY id LIMIT 200" };
static const struct db_stmt stmt_deleted = { "bak_deleted",
	"UPDATE backups SET status = 'deleted', deleted_at = now(),"
	" key_enc = NULL WHERE id = $1::bigint AND status = 'deleting'" };

struct bak_cipher *
bak_cipher_new(const unsigned char key[BAK_KEYLEN],
    const unsigned char nonce[BAK_NONCELEN], const char *id, int enc)
{
	struct bak_cipher *c;
	char		*ad;
	int		 n, ok;

	c = xcalloc(1, sizeof(*c));
	c->enc = enc;
	if ((c->ctx = EVP_CIPHER_CTX_new()) == NULL) {
		free(c);
		return NULL;
	}
	ad = xasprintf("backups:%s", id);
	ok = EVP_CipherInit_ex(c->ctx, EVP_aes_256_gcm(), NULL, NULL, NULL,
	    enc) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_SET_IVLEN, BAK_NONCELEN,
	    NULL) == 1 &&
	    EVP_CipherInit_ex(c->ctx, NULL, NULL, key, nonce, enc) == 1 &&
	    EVP_CipherUpdate(c->ctx, NULL, &n, (const unsigned char *)ad,
	    (int)strlen(ad)) == 1;
	free(ad);
	if (!ok) {
		bak_cipher_free(c);
		return NULL;
	}
	return c;
}

int
bak_cipher_update(struct bak_cipher *c, const unsigned char *in, size_t n,
    unsigned char *out)
{
	int	 outl;

	if (n == 0)
		return 0;
	if (n > 1 << 30 || EVP_CipherUpdate(c->ctx, out, &outl, in,
	    (int)n) != 1 || (size_t)outl != n)
		return -1;
	return 0;
}

int
bak_cipher_tag(struct bak_cipher *c, unsigned char tag[BAK_TAGLEN])
{
	unsigned char	 rest[32];
	int		 n;

	if (!c->enc || EVP_CipherFinal_ex(c->ctx, rest, &n) != 1 || n != 0 ||
	    EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_GET_TAG, BAK_TAGLEN,
	    tag) != 1)
		return -1;
	return 0;
}

int
bak_cipher_check(struct bak_cipher *c, const unsigned char tag[BAK_TAGLEN])
{
	unsigned char	 t[BAK_TAGLEN], rest[32];
	int		 n;

	memcpy(t, tag, sizeof(t));
	if (c->enc || EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_SET_TAG,
	    BAK_TAGLEN, t) != 1)
		return 0;
	return EVP_CipherFinal_ex(c->ctx, rest, &n) == 1 && n == 0;
}

void
bak_cipher_free(struct bak_cipher *c)
{
	if (c == NULL)
		return;
	EVP_CIPHER_CTX_free(c->ctx);
	free(c);
}

char *
bak_object_key(const char *prefix, const char *instance, const char *id)
{
	return xasprintf("%s/%s/%s.ochbak", prefix, instance, id);
}

enum och_err
bak_demand(struct db *db, const struct db_stmt *stmt, int n,
    const char *const *p, int lock, char *id, char *id2, long *retry)
{
	struct db_batch_item	 it[2];
	PGresult	*res;
	enum och_err	 err = OCH_OK;
	long		 wait = 0;

	if (!lock) {
		if ((res = db_exec(db, stmt, n, p, &err)) == NULL)
			return err;
	} else {
		it[0] = (struct db_batch_item){ &stmt_lock, 1, p, NULL };
		it[1] = (struct db_batch_item){ stmt, n, p, NULL };
		if ((err = db_batch(db, it, 2)) != OCH_OK)
			return err;
		PQclear(it[0].res);
		res = it[1].res;
	}
	if (PQntuples(res) != 1)
		err = OCH_EDB;
	else if (db_val(res, 0, 0) == NULL) {
		wait = (long)db_int(res, 0, 2);
		err = wait < 0 ? OCH_ECONFLICT : OCH_ERATE;
		wait = wait < 0 ? 0 : wait;
	} else {
		snprintf(id, 24, "%s", db_val(res, 0, 0));
		if (id2 != NULL)
			snprintf(id2, 24, "%s", db_val(res, 0, 1));
	}
	PQclear(res);
	if (retry != NULL)
		*retry = wait;
	return err;
}

enum och_err
bak_queue(struct db *db, const char *instance, const char *reason,
    const char *actor, char *backup_id, char *command_id, long *retry)
{
	const char	*p[4];
	char		 cap[16];

	snprintf(cap, sizeof(cap), "%d", BAK_MANUAL_PER_HOUR);
	p[0] = instance;
	p[1] = reason;
	p[2] = actor;
	p[3] = cap;
	return bak_demand(db, &stmt_queue, 4, p,
	    strcmp(reason, "manual") == 0, backup_id, command_id, retry);
}

enum och_err
bak_command_add(struct db *db, const struct cfg *cfg, const char *instance,
    const char *kind, const char *args, const char *actor, char *id,
    char *at)
{
	PGresult	*res;
	const char	*p[5];
	enum och_err	 err;

	p[0] = instance;
	p[1] = kind;
	p[2] = args;
	p[3] = actor;
	p[4] = cfg_get(cfg, CFG_S3_ENDPOINT) != NULL ? "true" : "false";
	if ((res = db_exec(db, &stmt_command, 5, p, &err)) == NULL)
		return err;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return OCH_EDB;
	}
	snprintf(id, 24, "%s", db_val(res, 0, 0));
	snprintf(at, 40, "%s", db_val(res, 0, 1));
	PQclear(res);
	return OCH_OK;
}

/* Delete the objects of rows marked 'deleting'.  Returns 0, or -1. */
static int
delete_marked(struct db *db, struct s3 *s3, struct bak_stats *st)
{
	PGresult	*res;
	const char	*p[1];
	char		 why[160];
	int		 i;

	if ((res = db_exec(db, &stmt_deleting, 0, NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		if (db_val(res, i, 1) != NULL && (s3 == NULL ||
		    s3_delete(s3, db_val(res, i, 1), why, sizeof(why)) !=
		    OCH_OK)) {
			st->failed++;
			continue;
		}
		p[0] = db_val(res, i, 0);
		if (db_run(db, &stmt_deleted, 1, p, NULL) != OCH_OK) {
			PQclear(res);
			return -1;
		}
		st->deleted++;
	}
	PQclear(res);
	return 0;
}

int
bak_maintain(struct db *db, const struct cfg *cfg, struct bak_stats *out)
{
	struct bak_stats st = { 0, 0, 0, 0 };
	struct s3	*s3 = s3_from_cfg(cfg);
	PGresult	*res;
	const char	*p[1];
	char		 n[24], bid[24], cid[24];
	long		 k;
	int		 i, rc = -1;

	if (s3 == NULL) {
		log_info("backups: object storage not configured (S3_*): "
		    "none scheduled");
		return 0;
	}
	if ((res = db_exec(db, &stmt_due, 0, NULL, NULL)) == NULL)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		if (bak_queue(db, db_val(res, i, 0), "scheduled", "poller",
		    bid, cid, NULL) != OCH_OK) {
			PQclear(res);
			goto out;
		}
		st.queued++;
	}
	PQclear(res);
	snprintf(n, sizeof(n), "%lld", cfg_int(cfg, CFG_BACKUP_TIMEOUT_SECONDS,
	    7200));
	p[0] = n;
	if (db_run(db, &stmt_expire, 1, p, &st.expired) != OCH_OK)
		goto out;
	snprintf(n, sizeof(n), "%lld", cfg_int(cfg, CFG_BACKUP_GRACE_DAYS, 30));
	if (db_run(db, &stmt_doomed, 1, p, &k) != OCH_OK ||
	    delete_marked(db, s3, &st) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		log_error("backups: database failed");
	log_info("backups: %ld queued, %ld expired, %ld deleted, %ld "
	    "deletions to retry", st.queued, st.expired, st.deleted,
	    st.failed);
	if (out != NULL)
		*out = st;
	s3_free(s3);
	return rc;
}
