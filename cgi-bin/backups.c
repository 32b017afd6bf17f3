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

#include "auth.h"
#include "backup.h"
#include "cry.h"
#include "ent_archive.h"
#include "inst.h"
#include "log.h"
#include "s3.h"
#include "snapshot.h"
#include "srv.h"

#define CHUNK		65536

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
	(void)inst_event(r->app->db, inst, kind, NULL, NULL, msg, actor);
}

static void
event(struct req *r, const char *inst, const char *kind, const char *msg)
{
	event_by(r, inst, kind, msg, "agent");
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

/*
 * The upload's Content-Length into *len, checked against BACKUP_MAX_MB.
 * Returns 0, or -1 answered.
 */
static int
put_length(struct req *r, unsigned long long *len)
{
	const char	*cl = req_env(r, "CONTENT_LENGTH");
	char		*end;

	*len = cl != NULL ? strtoull(cl, &end, 10) : 0;
	if (cl == NULL || *cl == '\0' || *end != '\0' || *len == 0) {
		resp_error(r, OCH_EINVAL, "the archive is the body, with "
		    "Content-Length");
		return -1;
	}
	if (*len > (unsigned long long)cfg_int(&r->app->cfg,
	    CFG_BACKUP_MAX_MB, 4096) << 20) {
		resp_error(r, OCH_ETOOLARGE, "archive over BACKUP_MAX_MB");
		return -1;
	}
	return 0;
}

/*
 * Seal and stream the body (len bytes) of backup id to storage as okey,
 * its key sealed into *sealed (caller frees) and its SHA-256 into hex.
 * Returns OCH_OK, or the error with the reason in why (200 bytes).
 */
static enum och_err
put_stream(struct req *r, struct s3 *s3, const char *id, const char *okey,
    unsigned long long len, char **sealed, char *hex, char *why)
{
	struct up	 u;
	unsigned char	 key[BAK_KEYLEN], md[32];
	enum och_err	 err;

	memset(&u, 0, sizeof(u));
	memcpy(u.hdr, BAK_MAGIC, BAK_MAGICLEN);
	if ((*sealed = new_key(r, id, key, u.hdr + BAK_MAGICLEN)) == NULL ||
	    (u.c = bak_cipher_new(key, u.hdr + BAK_MAGICLEN, id, 1)) ==
	    NULL || (u.sha = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(u.sha, EVP_sha256(), NULL) != 1) {
		snprintf(why, 200, "the archive could not be sealed");
		err = OCH_ESYSTEM;
		goto out;
	}
	u.in = r->fr->in;
	u.left = len;
	err = s3_put(s3, okey, len + BAK_OVERHEAD, up_read, &u, why, 200);
	if (u.short_body) {
		snprintf(why, 200, "upload interrupted after %llu of %llu "
		    "bytes", len - (unsigned long long)u.left, len);
		err = OCH_EINVAL;
	}
	if (err == OCH_OK) {
		EVP_DigestFinal_ex(u.sha, md, NULL);
		cry_hex(md, sizeof(md), hex);
	}
out:
	if (u.sha != NULL)
		EVP_MD_CTX_free(u.sha);
	bak_cipher_free(u.c);
	explicit_bzero(key, sizeof(key));
	return err;
}

/* 1 if s is 1 to max bytes of printable ASCII, else 0. */
static int
printable(const char *s, size_t max)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if (n == max || (unsigned char)s[n] < 0x20 ||
		    (unsigned char)s[n] > 0x7e)
			return 0;
	return n > 0;
}

/*
 * Record the archive of backup id stored as okey (size sz, SHA-256 hex,
 * its key sealed).  OCH_OK, or the database's error after deleting the
 * object again (stored but not recorded, nothing would ever delete it;
 * a failure to is logged) and failing the backup.
 */
static enum och_err
put_record(struct req *r, struct s3 *s3, const char *id, const char *okey,
    const char *sz, const char *hex, const char *sealed)
{
	const char	*ver;
	char		 why[200];
	enum och_err	 err;

	/* the agent's word, kept only as printable ASCII (a value the row
	 * cannot take must not fail the record of a stored archive) */
	if ((ver = req_header(r, "X_OCH_OPENCLAW_VERSION")) != NULL &&
	    !printable(ver, 64))
		ver = NULL;
	if ((err = ent_archive_stored(r->app->db, id, okey, sz, hex, sealed,
	    ver)) == OCH_OK)
		return OCH_OK;
	log_error("backup %s stored as %s but not recorded", id, okey);
	if (s3_delete(s3, okey, why, sizeof(why)) != OCH_OK)
		log_error("backup %s: the unrecorded %s stays: %s", id, okey,
		    why);
	(void)ent_archive_failed(r->app->db, id, "stored but not recorded");
	return err;
}

static void
h_put(struct req *r)
{
	const char	*id = req_param(r, 0), *inst = r->auth.instance_id;
	struct s3	*s3 = NULL;
	char		*sealed = NULL, *okey = NULL, why[200], sz[24], hex[65];
	unsigned long long len;
	cJSON		*o;
	enum och_err	 err;

	if (put_length(r, &len) < 0)
		return;
	if ((s3 = s3_from_cfg(&r->app->cfg)) == NULL) {
		resp_error(r, OCH_EUNAVAIL, "object storage not configured");
		return;
	}
	if ((err = ent_archive_claim(r->app->db, id, inst, why,
	    sizeof(why))) != OCH_OK) {
		if (err == OCH_ECONFLICT)
			resp_errorf(r, err, "backup is %s", why);
		else
			resp_error(r, err, err == OCH_ENOTFOUND ?
			    "no such backup" : NULL);
		goto out;
	}
	okey = bak_object_key(s3_prefix(s3), inst, id);
	if ((err = put_stream(r, s3, id, okey, len, &sealed, hex, why)) !=
	    OCH_OK)
		goto failed;
	snprintf(sz, sizeof(sz), "%llu", len);
	if ((err = put_record(r, s3, id, okey, sz, hex, sealed)) != OCH_OK) {
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
	(void)ent_archive_failed(r->app->db, id, why);
	event(r, inst, "backup.failed", why);
	log_warn("backup %s of %s failed: %s", id, inst, why);
	resp_error(r, err == OCH_EINVAL ? OCH_EINVAL : err == OCH_ESYSTEM ?
	    OCH_ESYSTEM : OCH_EUPSTREAM, why);
out:
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

/* Stream archive a of backup d->id to the agent, opened, whole or cut. */
static void
get_stream(struct req *r, struct s3 *s3, struct down *d,
    const struct ent_archive *a)
{
	char		 why[200];
	enum och_err	 err;

	d->size = (uint64_t)a->size_bytes;
	d->sha = a->sha256;
	d->version = a->openclaw_version;
	err = s3_get(s3, a->object_key, down_write, d, why, sizeof(why));
	if (err == OCH_OK && d->c != NULL && d->npend == BAK_TAGLEN &&
	    bak_cipher_check(d->c, d->pend) && flush_tail(d) == 0 &&
	    d->sent == d->size)
		return;
	/* not whole, or not ours: never the last part */
	log_error("backup %s of %s not served whole: %s", d->id,
	    r->auth.instance_id, d->bad ? "the stored object is not a backup "
	    "of ours" : err != OCH_OK ? why :
	    "the stored object does not authenticate");
	if (!d->started)
		resp_error(r, err == OCH_ENOTFOUND ? OCH_ENOTFOUND :
		    OCH_EUPSTREAM, d->bad || err == OCH_OK ?
		    "the stored archive does not open" : why);
	else
		FCGX_SetExitStatus(1, r->fr->out);
}

static void
h_get(struct req *r)
{
	struct ent_archive *a = NULL;
	struct s3	*s3 = NULL;
	struct down	 d;
	unsigned char	*key = NULL;
	size_t		 klen = 0;
	char		*ad;
	enum och_err	 err;

	memset(&d, 0, sizeof(d));
	d.r = r;
	d.id = req_param(r, 0);
	if ((err = ent_archive_get(r->app->db, d.id, r->auth.instance_id,
	    &a)) != OCH_OK) {
		resp_error(r, err, err == OCH_ENOTFOUND ?
		    "no such available backup" : NULL);
		return;
	}
	ad = xasprintf("backups:%s:key", d.id);
	if (r->app->keys != NULL)
		key = (unsigned char *)cry_open_bytea(r->app->keys, ad,
		    a->key_enc, &klen);
	free(ad);
	if (key == NULL || klen != BAK_KEYLEN ||
	    (s3 = s3_from_cfg(&r->app->cfg)) == NULL)
		resp_error(r, OCH_EUNAVAIL, "backup key or storage unavailable");
	else {
		memcpy(d.key, key, BAK_KEYLEN);
		get_stream(r, s3, &d, a);
	}
	if (key != NULL) {
		explicit_bzero(key, klen);
		free(key);
	}
	explicit_bzero(d.key, sizeof(d.key));
	bak_cipher_free(d.c);
	buf_free(&d.tail);
	buf_free(&d.work);
	s3_free(s3);
	ent_archive_free(a);
}

/* Restore snapshot bid of inst: rebuild the server from its image. */
static void
restore_snapshot(struct req *r, const char *inst, const char *bid,
    const char *who)
{
	char		 why[200], msg[80];
	cJSON		*o;
	enum och_err	 err;
	int		 changed;

	if ((err = ent_restore_snap_mark(r->app->db, inst, bid)) != OCH_OK) {
		resp_error(r, err, err == OCH_ECONFLICT ?
		    "a rebuild is already pending" : NULL);
		return;
	}
	why[0] = '\0';
	if ((err = inst_act(r->app->db, inst, INST_REBUILD, NULL, who,
	    &changed, why, sizeof(why))) != OCH_OK) {
		(void)ent_restore_snap_unmark(r->app->db, inst);
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
	const char	*id = req_param(r, 0);
	char		 who[32], bid[24];
	cJSON		*o;
	enum och_err	 err;
	int64_t		 slots;
	long long	 cap = cfg_int(&r->app->cfg, CFG_SNAPSHOT_MANUAL_PER_DAY,
	    SNAP_MANUAL_PER_DAY);
	long		 retry;

	if (!auth_may_see(r, id, AUTH_SEE_LIVE, NULL, 0, &err)) {
		resp_error(r, err != OCH_OK ? err : OCH_ENOTFOUND,
		    err != OCH_OK ? NULL : "no such instance");
		return;
	}
	if ((err = ent_restore_snap_slots(r->app->db, id, &slots)) != OCH_OK &&
	    err != OCH_ENOTFOUND) {
		resp_error(r, err, NULL);
		return;
	}
	snprintf(who, sizeof(who), "user:%lld", (long long)r->auth.user_id);
	if (err == OCH_ENOTFOUND)
		resp_error(r, OCH_ENOTFOUND, "no such instance");
	else if (!r->auth.is_admin && slots <= 0)
		resp_error(r, OCH_EFORBIDDEN, "the plan includes no snapshots");
	else if ((err = snap_queue(r->app->db, id, "manual", who,
	    r->auth.is_admin ? 0 : cap, bid, &retry)) == OCH_ERATE)
		resp_limited(r, retry, "a snapshot of this server is being "
		    "made: ask again when it is done", "at most %lld "
		    "snapshots a day on demand (the plan's schedule takes the "
		    "others)", cap);
	else if (err != OCH_OK)
		resp_error(r, err, err == OCH_ECONFLICT ? "the instance is not "
		    "active" : NULL);
	else {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "backup_id", strtod(bid, NULL));
		resp_json(r, 202, o);
	}
}

/* Queue the agent's restore of backup bid of inst (checked: c). */
static void
restore_agent(struct req *r, const char *inst, const char *bid,
    const struct ent_restore *c, const char *who)
{
	char		 cmd[24];
	cJSON		*o;
	enum och_err	 err;

	if (c->queued > 0) {
		resp_error(r, OCH_ECONFLICT, "a restore is already queued");
		return;
	}
	if ((err = ent_restore_queue(r->app->db, inst, bid, c, who, cmd)) !=
	    OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "command_id", cmd);
	resp_json(r, 202, o);
	event(r, inst, "backup_restore.queued", bid);
}

static void
h_restore(struct req *r)
{
	struct ent_restore c;
	const char	*id = req_param(r, 0), *bid = req_param(r, 1);
	const cJSON	*cf;
	char		*host = NULL, who[32];
	enum och_err	 err;

	if (!auth_may_see(r, id, AUTH_SEE_LIVE, NULL, 0, &err)) {
		resp_error(r, err != OCH_OK ? err : OCH_ENOTFOUND,
		    err != OCH_OK ? NULL : "no such instance");
		return;
	}
	if ((err = ent_restore_check(r->app->db, id, bid, &c)) != OCH_OK) {
		resp_error(r, err, err == OCH_ENOTFOUND ? "no such instance" :
		    NULL);
		goto out;
	}
	host = inst_hostname(c.slug, &r->app->cfg);
	cf = r->json != NULL ? cJSON_GetObjectItemCaseSensitive(r->json,
	    "confirm") : NULL;
	snprintf(who, sizeof(who), "user:%lld", (long long)r->auth.user_id);
	if (c.status == NULL)
		resp_error(r, OCH_ENOTFOUND, "no such backup");
	else if (!cJSON_IsString(cf) || strcmp(cf->valuestring, host) != 0)
		resp_errorf(r, OCH_EINVAL, "confirm with the hostname, %s",
		    host);
	else if (strcmp(c.state, "active") != 0)
		resp_error(r, OCH_ECONFLICT, "the instance is not active");
	else if (strcmp(c.status, "available") != 0)
		resp_errorf(r, OCH_ECONFLICT, "backup is %s", c.status);
	else if (c.kind != NULL && strcmp(c.kind, "snapshot") == 0)
		restore_snapshot(r, id, bid, who);
	else
		restore_agent(r, id, bid, &c, who);
out:
	free(host);
	ent_restore_free(&c);
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
