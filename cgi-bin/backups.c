/*
 * backups.fcgi: the archives of the off-server backups (lib/backup.h)
 * and their restore.
 *
 *   PUT  /api/v1/agent/backups/{id}     (agent token) the archive of a
 *        backup row of its own instance that is 'creating' or 'failed':
 *        streamed, sealed, to object storage; 200 {id, size_bytes,
 *        sha256}; the row is then 'available'.  Any failure (storage
 *        down or stalled, the upload cut short) marks it 'failed' with
 *        the reason and leaves every other backup as it was.
 *        Header X-OCH-OpenClaw-Version: the version that made it.
 *   GET  /api/v1/agent/backups/{id}     (agent token) an available
 *        backup of its own instance, opened; headers X-OCH-SHA256 and
 *        X-OCH-OpenClaw-Version.  A stored object that does not
 *        authenticate is cut short (the agent sees a truncated body).
 *   POST /api/v1/instances/{id}/backups/{backup}/restore
 *        {"confirm": "<the instance's hostname>"} (owner or admin
 *        session, X-CSRF-Token): an agent backup queues the agent's
 *        backup_restore command, 202 {command_id}; a snapshot
 *        (lib/snapshot.h) asks the reconciler to rebuild the server from
 *        its image, 202 {rebuild: true}.  409 when the instance is not
 *        active, the backup is not available, or a restore (or rebuild)
 *        is already pending.
 *   POST /api/v1/instances/{id}/backups/snapshot  (admin session, or the
 *        owner's when the plan includes snapshots; X-CSRF-Token): queue
 *        a Hetzner snapshot; 202 {backup_id}.  403 when the plan has
 *        none, 409 when the instance is not active or one is being made.
 *
 * The VPS never holds storage credentials: it reaches its own backups
 * through its agent token and nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "audit.h"
#include "auth.h"
#include "backup.h"
#include "cry.h"
#include "inst.h"
#include "log.h"
#include "s3.h"
#include "snapshot.h"
#include "srv.h"

#define CHUNK		65536

static const struct db_stmt stmt_claim = { "bk_claim",
	"UPDATE backups SET status = 'uploading', error = NULL"
	" WHERE id = $1::bigint AND instance_id = $2::uuid AND kind = 'agent'"
	" AND status IN ('creating', 'failed') AND completed_at IS NULL"
	" RETURNING id" };
static const struct db_stmt stmt_exists = { "bk_exists",
	"SELECT status FROM backups WHERE id = $1::bigint"
	" AND instance_id = $2::uuid" };
static const struct db_stmt stmt_stored = { "bk_stored",
	"UPDATE backups SET status = 'available', object_key = $2,"
	" size_bytes = $3::bigint, sha256 = $4, key_enc = $5::bytea,"
	" openclaw_version = $6, completed_at = now(), error = NULL"
	" WHERE id = $1::bigint AND status = 'uploading'" };
static const struct db_stmt stmt_failed = { "bk_failed",
	"UPDATE backups SET status = 'failed', error = left($2, 500)"
	" WHERE id = $1::bigint AND status = 'uploading'" };
static const struct db_stmt stmt_event = { "bk_event",
	"INSERT INTO instance_events (instance_id, kind, message, actor)"
	" VALUES ($1::uuid, $2, $3, $4)" };
static const struct db_stmt stmt_get = { "bk_get",
	"SELECT object_key, size_bytes, sha256, key_enc, openclaw_version"
	" FROM backups WHERE id = $1::bigint AND instance_id = $2::uuid"
	" AND kind = 'agent' AND status = 'available'" };
static const struct db_stmt stmt_restore_check = { "bk_restore_check",
	"SELECT i.state, i.slug, b.status, b.sha256, b.size_bytes,"
	" b.openclaw_version, (SELECT count(*) FROM instance_commands c"
	"  WHERE c.instance_id = i.id AND c.kind = 'backup_restore'"
	"  AND c.status IN ('queued', 'running')), b.kind"
	" FROM instances i LEFT JOIN backups b ON b.id = $2::bigint"
	"  AND b.instance_id = i.id"
	" WHERE i.id = $1::uuid" };
/* a snapshot restore: the image of the next rebuild (lib/recon.c) */
static const struct db_stmt stmt_snap_restore = { "bk_snap_restore",
	"UPDATE instances i SET restore_image = b.hetzner_image_id::text"
	" FROM backups b WHERE i.id = $1::uuid AND b.id = $2::bigint"
	" AND b.instance_id = i.id AND b.kind = 'snapshot'"
	" AND b.status = 'available' AND b.hetzner_image_id IS NOT NULL"
	" AND i.state = 'active' AND i.pending_action IS NULL RETURNING i.id" };
static const struct db_stmt stmt_snap_unrestore = { "bk_snap_unrestore",
	"UPDATE instances SET restore_image = NULL WHERE id = $1::uuid"
	" AND pending_action IS NULL" };
static const struct db_stmt stmt_snap_plan = { "bk_snap_plan",
	"SELECT p.snapshot_slots FROM instances i JOIN plans p"
	" ON p.name = i.plan WHERE i.id = $1::uuid" };
static const struct db_stmt stmt_restore = { "bk_restore",
	"INSERT INTO instance_commands (instance_id, kind, args, created_by)"
	" VALUES ($1::uuid, 'backup_restore', jsonb_build_object('backup_id',"
	" $2::bigint, 'sha256', $3::text, 'size_bytes', $4::bigint,"
	" 'openclaw_version', $5::text), $6) RETURNING id" };

/* The upload being streamed to storage. */
struct up {
	FCGX_Stream		*in;
	struct bak_cipher	*c;
	unsigned char		 hdr[BAK_HDRLEN];
	unsigned char		 tag[BAK_TAGLEN];
	size_t			 hdr_off, tag_off;
	uint64_t		 left;		/* plaintext still to read */
	EVP_MD_CTX		*sha;
	int			 short_body;
	int			 tagged;
};

static long
up_read(void *arg, char *buf, size_t n)
{
	struct up	*u = arg;
	unsigned char	 pt[CHUNK];
	size_t		 k;
	int		 got;

	if (u->hdr_off < sizeof(u->hdr)) {
		k = sizeof(u->hdr) - u->hdr_off;
		k = k < n ? k : n;
		memcpy(buf, u->hdr + u->hdr_off, k);
		u->hdr_off += k;
		return (long)k;
	}
	if (u->left > 0) {
		k = n < sizeof(pt) ? n : sizeof(pt);
		if (k > u->left)
			k = (size_t)u->left;
		if ((got = FCGX_GetStr((char *)pt, (int)k, u->in)) <= 0) {
			u->short_body = 1;
			return -1;
		}
		u->left -= (uint64_t)got;
		if (EVP_DigestUpdate(u->sha, pt, (size_t)got) != 1 ||
		    bak_cipher_update(u->c, pt, (size_t)got,
		    (unsigned char *)buf) < 0)
			return -1;
		return got;
	}
	if (!u->tagged) {
		if (bak_cipher_tag(u->c, u->tag) < 0)
			return -1;
		u->tagged = 1;
	}
	k = sizeof(u->tag) - u->tag_off;
	k = k < n ? k : n;
	memcpy(buf, u->tag + u->tag_off, k);
	u->tag_off += k;
	return (long)k;
}

static void
event_by(struct req *r, const char *inst, const char *kind, const char *msg,
    const char *actor)
{
	const char	*p[4] = { inst, kind, msg, actor };

	(void)db_run(r->app->db, &stmt_event, 4, p, NULL);
}

static void
event(struct req *r, const char *inst, const char *kind, const char *msg)
{
	event_by(r, inst, kind, msg, "agent");
}

/* The row could not take an upload: 404 or 409. */
static void
refuse(struct req *r, const char *id, const char *inst)
{
	PGresult	*res;
	const char	*p[2] = { id, inst };
	enum och_err	 err;

	if ((res = db_exec(r->app->db, &stmt_exists, 2, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	if (PQntuples(res) == 0)
		resp_error(r, OCH_ENOTFOUND, "no such backup");
	else
		resp_errorf(r, OCH_ECONFLICT, "backup is %s",
		    db_val(res, 0, 0));
	PQclear(res);
}

/* Seal a fresh key for backup id into a bytea text (caller frees). */
static char *
new_key(struct req *r, const char *id, unsigned char key[BAK_KEYLEN],
    unsigned char nonce[BAK_NONCELEN])
{
	char	*ad, *sealed;

	if (r->app->keys == NULL || cry_random(key, BAK_KEYLEN) < 0 ||
	    cry_random(nonce, BAK_NONCELEN) < 0)
		return NULL;
	ad = xasprintf("backups:%s:key", id);
	sealed = cry_seal_bytea(r->app->keys, ad, key, BAK_KEYLEN);
	free(ad);
	return sealed;
}

static void
h_put(struct req *r)
{
	const char	*id = req_param(r, 0), *inst = r->auth.instance_id;
	const char	*cl = req_env(r, "CONTENT_LENGTH"), *p[6];
	struct s3	*s3 = NULL;
	struct up	 u;
	PGresult	*res;
	unsigned char	 key[BAK_KEYLEN], md[32];
	char		*sealed = NULL, *okey = NULL, why[200], sz[24], hex[65];
	char		*end;
	unsigned long long len;
	cJSON		*o;
	enum och_err	 err;

	memset(&u, 0, sizeof(u));
	len = cl != NULL ? strtoull(cl, &end, 10) : 0;
	if (cl == NULL || *cl == '\0' || *end != '\0' || len == 0) {
		resp_error(r, OCH_EINVAL, "the archive is the body, with "
		    "Content-Length");
		return;
	}
	if (len > (unsigned long long)cfg_int(&r->app->cfg, CFG_BACKUP_MAX_MB,
	    4096) << 20) {
		resp_error(r, OCH_ETOOLARGE, "archive over BACKUP_MAX_MB");
		return;
	}
	if ((s3 = s3_from_cfg(&r->app->cfg)) == NULL) {
		resp_error(r, OCH_EUNAVAIL, "object storage not configured");
		return;
	}
	p[0] = id;
	p[1] = inst;
	if ((res = db_exec(r->app->db, &stmt_claim, 2, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		goto out;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		refuse(r, id, inst);
		goto out;
	}
	PQclear(res);
	memcpy(u.hdr, BAK_MAGIC, BAK_MAGICLEN);
	if ((sealed = new_key(r, id, key, u.hdr + BAK_MAGICLEN)) == NULL ||
	    (u.c = bak_cipher_new(key, u.hdr + BAK_MAGICLEN, id, 1)) ==
	    NULL || (u.sha = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(u.sha, EVP_sha256(), NULL) != 1) {
		snprintf(why, sizeof(why), "the archive could not be sealed");
		err = OCH_ESYSTEM;
		goto failed;
	}
	u.in = r->fr->in;
	u.left = len;
	okey = bak_object_key(s3_prefix(s3), inst, id);
	err = s3_put(s3, okey, len + BAK_OVERHEAD, up_read, &u, why,
	    sizeof(why));
	if (u.short_body) {
		snprintf(why, sizeof(why), "upload interrupted after %llu of "
		    "%llu bytes", len - (unsigned long long)u.left, len);
		err = OCH_EINVAL;
	}
	if (err != OCH_OK)
		goto failed;
	EVP_DigestFinal_ex(u.sha, md, NULL);
	cry_hex(md, sizeof(md), hex);
	snprintf(sz, sizeof(sz), "%llu", len);
	p[1] = okey;
	p[2] = sz;
	p[3] = hex;
	p[4] = sealed;
	p[5] = req_header(r, "X_OCH_OPENCLAW_VERSION");
	if (p[5] != NULL && strlen(p[5]) > 64)
		p[5] = NULL;
	if ((err = db_run(r->app->db, &stmt_stored, 6, p, NULL)) != OCH_OK) {
		/* stored but not recorded: the object is an orphan; say so */
		log_error("backup %s stored as %s but not recorded", id, okey);
		snprintf(why, sizeof(why), "stored but not recorded");
		p[1] = why;
		(void)db_run(r->app->db, &stmt_failed, 2, p, NULL);
		resp_error(r, err, NULL);
		goto out;
	}
	snprintf(why, sizeof(why), "backup %s stored (%llu bytes)", id, len);
	event(r, inst, "backup.stored", why);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", strtod(id, NULL));
	cJSON_AddNumberToObject(o, "size_bytes", (double)len);
	cJSON_AddStringToObject(o, "sha256", hex);
	resp_json(r, 200, o);
	goto out;
failed:
	p[1] = why;
	(void)db_run(r->app->db, &stmt_failed, 2, p, NULL);
	event(r, inst, "backup.failed", why);
	log_warn("backup %s of %s failed: %s", id, inst, why);
	resp_error(r, err == OCH_EINVAL ? OCH_EINVAL : err == OCH_ESYSTEM ?
	    OCH_ESYSTEM : OCH_EUPSTREAM, why);
out:
	if (u.sha != NULL)
		EVP_MD_CTX_free(u.sha);
	bak_cipher_free(u.c);
	explicit_bzero(key, sizeof(key));
	free(sealed);
	free(okey);
	s3_free(s3);
}

/* A download being opened on its way to the agent. */
struct down {
	struct req		*r;
	struct bak_cipher	*c;
	const char		*id;
	unsigned char		 key[BAK_KEYLEN];
	unsigned char		 hdr[BAK_HDRLEN];
	size_t			 hdr_got;
	unsigned char		 pend[BAK_TAGLEN];	/* maybe the tag */
	size_t			 npend;
	struct buf		 tail;	/* opened, sent once the next is */
	struct buf		 work;
	uint64_t		 sent, size;
	int			 started, bad;
	const char		*sha, *version;
};

/* Send the held plaintext.  Returns 0, or -1 when it would overrun. */
static int
flush_tail(struct down *d)
{
	if (d->tail.len == 0)
		return 0;
	if (d->sent + d->tail.len > d->size)
		return -1;
	FCGX_PutStr(d->tail.data, (int)d->tail.len, d->r->fr->out);
	d->sent += d->tail.len;
	d->tail.len = 0;
	return 0;
}

static int
down_write(void *arg, const char *p, size_t n)
{
	struct down	*d = arg;
	unsigned char	*pt;
	char		 len[24];
	size_t		 k, ct;

	if (d->hdr_got < BAK_HDRLEN) {
		k = BAK_HDRLEN - d->hdr_got;
		k = k < n ? k : n;
		memcpy(d->hdr + d->hdr_got, p, k);
		d->hdr_got += k;
		p += k;
		n -= k;
		if (d->hdr_got < BAK_HDRLEN)
			return 0;
		if (memcmp(d->hdr, BAK_MAGIC, BAK_MAGICLEN) != 0 ||
		    (d->c = bak_cipher_new(d->key, d->hdr + BAK_MAGICLEN,
		    d->id, 0)) == NULL) {
			d->bad = 1;
			return -1;
		}
		snprintf(len, sizeof(len), "%llu", (unsigned long long)d->size);
		resp_header(d->r, "Content-Length", len);
		resp_header(d->r, "X-OCH-SHA256", d->sha);
		if (d->version != NULL)
			resp_header(d->r, "X-OCH-OpenClaw-Version", d->version);
		resp_raw(d->r, 200, "application/gzip", NULL, 0);
		d->started = 1;
	}
	/* the last BAK_TAGLEN bytes seen may be the tag: hold them back */
	d->work.len = 0;
	buf_add(&d->work, d->pend, d->npend);
	buf_add(&d->work, p, n);
	if (d->work.len <= BAK_TAGLEN) {
		memcpy(d->pend, d->work.data, d->work.len);
		d->npend = d->work.len;
		return 0;
	}
	ct = d->work.len - BAK_TAGLEN;
	memcpy(d->pend, d->work.data + ct, BAK_TAGLEN);
	d->npend = BAK_TAGLEN;
	if (flush_tail(d) < 0)
		return -1;
	pt = xmalloc(ct);
	if (bak_cipher_update(d->c, (unsigned char *)d->work.data, ct,
	    pt) < 0) {
		free(pt);
		return -1;
	}
	buf_add(&d->tail, pt, ct);
	free(pt);
	return 0;
}

static void
h_get(struct req *r)
{
	const char	*inst = r->auth.instance_id, *p[2];
	struct s3	*s3 = NULL;
	struct down	 d;
	PGresult	*res;
	unsigned char	*key = NULL;
	size_t		 klen = 0;
	char		*ad, why[200];
	enum och_err	 err;

	memset(&d, 0, sizeof(d));
	d.r = r;
	d.id = req_param(r, 0);
	p[0] = d.id;
	p[1] = inst;
	if ((res = db_exec(r->app->db, &stmt_get, 2, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		resp_error(r, OCH_ENOTFOUND, "no such available backup");
		return;
	}
	ad = xasprintf("backups:%s:key", d.id);
	if (r->app->keys != NULL)
		key = (unsigned char *)cry_open_bytea(r->app->keys, ad,
		    db_val(res, 0, 3), &klen);
	free(ad);
	if (key == NULL || klen != BAK_KEYLEN ||
	    (s3 = s3_from_cfg(&r->app->cfg)) == NULL) {
		resp_error(r, OCH_EUNAVAIL, "backup key or storage unavailable");
		goto out;
	}
	memcpy(d.key, key, BAK_KEYLEN);
	d.size = (uint64_t)db_int(res, 0, 1);
	d.sha = db_val(res, 0, 2);
	d.version = db_val(res, 0, 4);
	err = s3_get(s3, db_val(res, 0, 0), down_write, &d, why, sizeof(why));
	if (err == OCH_OK && d.c != NULL && d.npend == BAK_TAGLEN &&
	    bak_cipher_check(d.c, d.pend) && flush_tail(&d) == 0 &&
	    d.sent == d.size)
		goto out;
	/* not whole, or not ours: never the last part */
	log_error("backup %s of %s not served whole: %s", d.id, inst,
	    d.bad ? "the stored object is not a backup of ours" :
	    err != OCH_OK ? why : "the stored object does not authenticate");
	if (!d.started)
		resp_error(r, err == OCH_ENOTFOUND ? OCH_ENOTFOUND :
		    OCH_EUPSTREAM, d.bad || err == OCH_OK ?
		    "the stored archive does not open" : why);
	else
		FCGX_SetExitStatus(1, r->fr->out);
out:
	if (key != NULL) {
		explicit_bzero(key, klen);
		free(key);
	}
	explicit_bzero(d.key, sizeof(d.key));
	bak_cipher_free(d.c);
	buf_free(&d.tail);
	buf_free(&d.work);
	s3_free(s3);
	PQclear(res);
}

/* Restore snapshot bid of inst: rebuild the server from its image. */
static void
restore_snapshot(struct req *r, const char *inst, const char *bid,
    const char *who)
{
	PGresult	*res;
	const char	*p[2] = { inst, bid };
	char		 why[200], msg[80];
	cJSON		*o;
	enum och_err	 err;
	int		 changed;

	if ((res = db_exec(r->app->db, &stmt_snap_restore, 2, p, &err)) ==
	    NULL) {
		resp_error(r, err, NULL);
		return;
	}
	changed = PQntuples(res);
	PQclear(res);
	if (changed != 1) {
		resp_error(r, OCH_ECONFLICT, "a rebuild is already pending");
		return;
	}
	why[0] = '\0';
	if ((err = inst_act(r->app->db, inst, INST_REBUILD, NULL, who,
	    &changed, why, sizeof(why))) != OCH_OK) {
		(void)db_run(r->app->db, &stmt_snap_unrestore, 1, p, NULL);
		resp_error(r, err, why[0] ? why : NULL);
		return;
	}
	snprintf(msg, sizeof(msg), "the server is rebuilt from snapshot %s",
	    bid);
	event_by(r, inst, "snapshot_restore.queued", msg, who);
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "rebuild", 1);
	cJSON_AddNumberToObject(o, "backup_id", strtod(bid, NULL));
	resp_json(r, 202, o);
}

static void
h_snapshot(struct req *r)
{
	const char	*id = req_param(r, 0), *p[1] = { id };
	PGresult	*res;
	char		 who[32], bid[24];
	cJSON		*o;
	enum och_err	 err;

	if (!auth_may_see(r, id, AUTH_SEE_LIVE, NULL, 0, &err)) {
		resp_error(r, err != OCH_OK ? err : OCH_ENOTFOUND,
		    err != OCH_OK ? NULL : "no such instance");
		return;
	}
	if ((res = db_exec(r->app->db, &stmt_snap_plan, 1, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	snprintf(who, sizeof(who), "user:%lld", (long long)r->auth.user_id);
	if (PQntuples(res) != 1)
		resp_error(r, OCH_ENOTFOUND, "no such instance");
	else if (!r->auth.is_admin && db_int(res, 0, 0) <= 0)
		resp_error(r, OCH_EFORBIDDEN, "the plan includes no snapshots");
	else if ((err = snap_queue(r->app->db, id, "manual", who, bid)) !=
	    OCH_OK)
		resp_error(r, err, err == OCH_ECONFLICT ? "the instance is not "
		    "active, or a snapshot of it is being made" : NULL);
	else {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "backup_id", strtod(bid, NULL));
		resp_json(r, 202, o);
	}
	PQclear(res);
	audit_req(r, "backups.snapshot", "instance", id, r->status, NULL);
}

static void
h_restore(struct req *r)
{
	const char	*id = req_param(r, 0), *p[6];
	PGresult	*res, *q;
	const cJSON	*cf;
	char		*host, who[32];
	cJSON		*o;
	enum och_err	 err;

	if (!auth_may_see(r, id, AUTH_SEE_LIVE, NULL, 0, &err)) {
		resp_error(r, err != OCH_OK ? err : OCH_ENOTFOUND,
		    err != OCH_OK ? NULL : "no such instance");
		return;
	}
	p[0] = id;
	p[1] = req_param(r, 1);
	if ((res = db_exec(r->app->db, &stmt_restore_check, 2, p, &err)) ==
	    NULL) {
		resp_error(r, err, NULL);
		return;
	}
	host = inst_hostname(db_val(res, 0, 1), &r->app->cfg);
	cf = r->json != NULL ? cJSON_GetObjectItemCaseSensitive(r->json,
	    "confirm") : NULL;
	snprintf(who, sizeof(who), "user:%lld", (long long)r->auth.user_id);
	if (db_val(res, 0, 2) == NULL)
		resp_error(r, OCH_ENOTFOUND, "no such backup");
	else if (!cJSON_IsString(cf) || strcmp(cf->valuestring, host) != 0)
		resp_errorf(r, OCH_EINVAL, "confirm with the hostname, %s",
		    host);
	else if (strcmp(db_val(res, 0, 0), "active") != 0)
		resp_error(r, OCH_ECONFLICT, "the instance is not active");
	else if (strcmp(db_val(res, 0, 2), "available") != 0)
		resp_errorf(r, OCH_ECONFLICT, "backup is %s",
		    db_val(res, 0, 2));
	else if (strcmp(db_val(res, 0, 7), "snapshot") == 0)
		restore_snapshot(r, id, p[1], who);
	else if (db_int(res, 0, 6) > 0)
		resp_error(r, OCH_ECONFLICT, "a restore is already queued");
	else {
		p[2] = db_val(res, 0, 3);
		p[3] = db_val(res, 0, 4);
		p[4] = db_val(res, 0, 5);
		p[5] = who;
		if ((q = db_exec(r->app->db, &stmt_restore, 6, p, &err)) ==
		    NULL)
			resp_error(r, err, NULL);
		else {
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "command_id",
			    db_val(q, 0, 0));
			PQclear(q);
			resp_json(r, 202, o);
			event(r, id, "backup_restore.queued", p[1]);
		}
	}
	audit_req(r, "backups.restore", "instance", id, r->status, NULL);
	free(host);
	PQclear(res);
}

/* the routes: lib/routes.def */
static const struct route routes[] = { OCH_ROUTES_backups(SRV_ROUTE) };

int
main(int argc, char **argv)
{
	static const enum cfg_key required[] = { CFG_OCH_MASTER_KEY,
	    CFG__MAX };

	return srv_main(argc, argv, "backups", routes, OCH_NELEM(routes),
	    required, NULL);
}
