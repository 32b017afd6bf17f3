/*
 * outbox.c: sending email_outbox and webhook_outbox rows (outbox.h).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cry.h"
#include "log.h"
#include "outbox.h"
#include "resend.h"
#include "tpl.h"
#include "userdata.h"
#include "whmcs.h"
#include "alerthook.h"

#define OBX_MAX_VARS	48

struct obx {
	struct db		*db;
	const struct cfg	*cfg;
	struct cry_keyring	*keys;		/* NULL: no OCH_MASTER_KEY */
	struct rs		*rs;
	struct wh		*wh;
	struct hcl		*hcl;
	unsigned		 base_ms, cap_ms;
	/* a rate-limited provider waits until then (ms since the epoch) */
	long long		 rs_pause, wh_pause;
	int			 warned_rs, warned_wh;
	char			 owner[192];
};

static const struct db_stmt stmt_email_claim = { "obx_email_claim",
	"WITH c AS (SELECT id FROM email_outbox WHERE status = 'pending'"
	"  AND next_attempt_at <= now()"
	"  AND (locked_until IS NULL OR locked_until < now() OR locked_by = $2)"
	"  ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
	" UPDATE email_outbox e SET locked_until = now() + make_interval("
	"  secs => $1::int), locked_by = $2 FROM c WHERE e.id = c.id"
	" RETURNING e.id, e.template, e.to_email, e.vars::text, e.attempts,"
	"  e.instance_id" };
static const struct db_stmt stmt_email_sent = { "obx_email_sent",
	"UPDATE email_outbox SET status = 'sent', sent_at = now(),"
	" provider_id = $2, last_error = NULL, locked_until = NULL,"
	" locked_by = NULL, vars = '{}'"
	" WHERE id = $1::bigint AND status = 'pending'" };
/* sent or failed for good, a row drops its variables (a login link) */
static const struct db_stmt stmt_email_retry = { "obx_email_retry",
	"UPDATE email_outbox SET attempts = attempts + $2::int,"
	" next_attempt_at = now() + $3::bigint * interval '1 millisecond',"
	" last_error = left($4, 1000), locked_until = NULL, locked_by = NULL,"
	" status = CASE WHEN $5::boolean OR attempts + $2::int >= $6::int"
	"  THEN 'failed' ELSE 'pending' END,"
	" vars = CASE WHEN $5::boolean OR attempts + $2::int >= $6::int"
	"  THEN '{}' ELSE vars END"
	" WHERE id = $1::bigint AND status = 'pending' RETURNING status" };
static const struct db_stmt stmt_hook_claim = { "obx_hook_claim",
	"WITH c AS (SELECT id FROM webhook_outbox WHERE status = 'pending'"
	"  AND next_attempt_at <= now()"
	"  AND (locked_until IS NULL OR locked_until < now() OR locked_by = $2)"
	"  ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
	" UPDATE webhook_outbox w SET locked_until = now() + make_interval("
	"  secs => $1::int), locked_by = $2 FROM c WHERE w.id = c.id"
	" RETURNING w.id, w.target, w.command, w.payload::text, w.attempts,"
	"  w.instance_id" };
static const struct db_stmt stmt_hook_sent = { "obx_hook_sent",
	"UPDATE webhook_outbox SET status = 'sent', sent_at = now(),"
	" last_error = NULL, locked_until = NULL, locked_by = NULL"
	" WHERE id = $1::bigint AND status = 'pending'" };
static const struct db_stmt stmt_hook_retry = { "obx_hook_retry",
	"UPDATE webhook_outbox SET attempts = attempts + $2::int,"
	" next_attempt_at = now() + $3::bigint * interval '1 millisecond',"
	" last_error = left($4, 1000), locked_until = NULL, locked_by = NULL,"
	" status = CASE WHEN $5::boolean OR attempts + $2::int >= $6::int"
	"  THEN 'failed' ELSE 'pending' END"
	" WHERE id = $1::bigint AND status = 'pending' RETURNING status" };

static const struct db_stmt stmt_owners = { "obx_owners",
	"SELECT locked_by FROM email_outbox"
	"  WHERE split_part(locked_by, ':', 1) = $1 AND locked_until > now()"
	" UNION SELECT locked_by FROM webhook_outbox"
	"  WHERE split_part(locked_by, ':', 1) = $1 AND locked_until > now()" };
static const struct db_stmt stmt_unlock_email = { "obx_unlock_email",
	"UPDATE email_outbox SET locked_until = NULL, locked_by = NULL"
	" WHERE locked_by = $1" };
static const struct db_stmt stmt_unlock_hook = { "obx_unlock_hook",
	"UPDATE webhook_outbox SET locked_until = NULL, locked_by = NULL"
	" WHERE locked_by = $1" };

static long long
now_ms(void)
{
	struct timeval	 tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

struct obx *
obx_new(struct db *db, const struct cfg *c, struct hcl *h)
{
	struct obx	*o;

	o = xcalloc(1, sizeof(*o));
	o->db = db;
	o->cfg = c;
	o->rs = rs_from_cfg(h, c);
	o->wh = wh_from_cfg(h, c);
	o->hcl = h;
	if (cfg_get(c, CFG_OCH_MASTER_KEY) != NULL &&
	    (o->keys = cry_keyring_new(c)) == NULL)
		log_error("outbox: OCH_MASTER_KEY is bad: sealed email "
		    "variables cannot be opened");
	o->base_ms = (unsigned)cfg_int(c, CFG_POLLER_BACKOFF_MS, 1000);
	o->cap_ms = (unsigned)cfg_int(c, CFG_POLLER_BACKOFF_MAX_MS, 60000);
	if (o->cap_ms < o->base_ms)
		o->cap_ms = o->base_ms;
	snprintf(o->owner, sizeof(o->owner), "-");
	return o;
}

void
obx_set_owner(struct obx *o, const char *owner)
{
	snprintf(o->owner, sizeof(o->owner), "%s", owner);
}

int
obx_rescue(struct obx *o)
{
	PGresult	*res;
	const char	*p[1], *who, *colon;
	char		 host[192];
	long		 pid;
	int		 i, n = 0;

	snprintf(host, sizeof(host), "%s", o->owner);
	if ((colon = strrchr(host, ':')) == NULL)
		return 0;
	host[colon - host] = '\0';
	p[0] = host;
	if ((res = db_exec(o->db, &stmt_owners, 1, p, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		who = db_val(res, i, 0);
		if (who == NULL || strcmp(who, o->owner) == 0 ||
		    (colon = strrchr(who, ':')) == NULL)
			continue;
		pid = strtol(colon + 1, NULL, 10);
		if (pid <= 1 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		p[0] = who;
		if (db_run(o->db, &stmt_unlock_email, 1, p, NULL) != OCH_OK ||
		    db_run(o->db, &stmt_unlock_hook, 1, p, NULL) != OCH_OK) {
			PQclear(res);
			return -1;
		}
		log_info("released the outbox leases of %s (process gone)",
		    who);
		n++;
	}
	PQclear(res);
	return n;
}

void
obx_free(struct obx *o)
{
	if (o == NULL)
		return;
	rs_free(o->rs);
	wh_free(o->wh);
	cry_keyring_free(o->keys);
	free(o);
}

void
obx_mail_free(struct obx_mail *m)
{
	free(m->subject);
	free(m->html);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

/* Add a variable unless one of that name is there already. */
static void
add_var(struct tpl_var *v, size_t *n, char **own, const char *name,
    const char *value)
{
	size_t	 i;

	if (*n >= OBX_MAX_VARS || name == NULL || value == NULL)
		return;
	for (i = 0; i < *n; i++)
		if (strcmp(v[i].name, name) == 0)
			return;
	own[*n] = xstrdup(value);
	v[*n].name = name;
	v[*n].value = own[*n];
	(*n)++;
}

/* Render dir/<tmpl>.<part>.tmpl; NULL if it does not exist or fails. */
static char *
render_part(const char *dir, const char *tmpl, const char *part,
    enum tpl_mode mode, const struct tpl_var *v, size_t n, int *missing)
{
	char	*name, *path, *t, *out;

	name = xasprintf("%s.%s.tmpl", tmpl, part);
	path = xasprintf("%s/%s", dir, name);
	*missing = access(path, R_OK) != 0;
	free(path);
	if (*missing) {
		free(name);
		return NULL;
	}
	t = tpl_load(dir, name);
	free(name);
	if (t == NULL)
		return NULL;
	out = tpl_render(t, mode, v, n, NULL);
	free(t);
	return out;
}

int
obx_render(const struct cfg *c, const char *tmpl, const char *vars,
    const char *to, struct obx_mail *m)
{
	struct tpl_var	 v[OBX_MAX_VARS];
	char		*own[OBX_MAX_VARS], *dir, num[64], *p;
	cJSON		*j = NULL, *it;
	size_t		 n = 0, i;
	int		 rc = -1, miss_html, miss_text, miss;

	memset(m, 0, sizeof(*m));
	if (tmpl == NULL || *tmpl == '\0' ||
	    strspn(tmpl, "abcdefghijklmnopqrstuvwxyz_") != strlen(tmpl)) {
		log_error("email template name refused");
		return -1;
	}
	if (vars != NULL && (j = cJSON_Parse(vars)) != NULL &&
	    cJSON_IsObject(j)) {
		cJSON_ArrayForEach(it, j) {
			if (it->string == NULL)
				continue;
			if (cJSON_IsString(it))
				add_var(v, &n, own, it->string,
				    it->valuestring);
			else if (cJSON_IsNumber(it)) {
				if (it->valuedouble == (double)(long long)
				    it->valuedouble)
					snprintf(num, sizeof(num), "%lld",
					    (long long)it->valuedouble);
				else
					snprintf(num, sizeof(num), "%g",
					    it->valuedouble);
				add_var(v, &n, own, it->string, num);
			} else if (cJSON_IsBool(it))
				add_var(v, &n, own, it->string,
				    cJSON_IsTrue(it) ? "true" : "false");
			else if (cJSON_IsNull(it))	/* unset: "" */
				add_var(v, &n, own, it->string, "");
		}
	}
	add_var(v, &n, own, "email", to);
	add_var(v, &n, own, "dashboard_url",
	    cfg_str(c, CFG_DASHBOARD_URL, ""));
	dir = xasprintf("%s/templates/email", ud_template_dir(c));
	m->subject = render_part(dir, tmpl, "subject", TPL_TEXT, v, n, &miss);
	m->html = render_part(dir, tmpl, "html", TPL_HTML, v, n, &miss_html);
	m->text = render_part(dir, tmpl, "txt", TPL_TEXT, v, n, &miss_text);
	if (m->subject == NULL || (m->html == NULL && !miss_html) ||
	    (m->text == NULL && !miss_text) ||
	    (m->html == NULL && m->text == NULL)) {
		log_error("email template '%s' under %s does not render",
		    tmpl, dir);
		obx_mail_free(m);
		goto out;
	}
	/* one line: no header folding, no injected header */
	for (p = m->subject; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	while (p > m->subject && p[-1] == ' ')
		*--p = '\0';
	rc = 0;
out:
	free(dir);
	for (i = 0; i < n; i++)
		free(own[i]);
	cJSON_Delete(j);
	return rc;
}

/* The backoff for a row that failed attempts times (counting this one). */
static long long
backoff(const struct obx *o, int attempts, const struct prov_err *e)
{
	long long	 d;

	d = hcl_backoff_ms((unsigned)(attempts > 20 ? 20 : attempts),
	    o->base_ms, o->cap_ms);
	if (e != NULL && e->retry_after_ms > d)
		d = e->retry_after_ms;
	return d;
}

/*
 * Reschedule or fail a row after an error.  count: whether this counts
 * as an attempt; final: fail it now.  Returns 0, or -1 on database error.
 */
static int
reschedule(struct obx *o, const struct db_stmt *st, const char *id,
    int attempts, int count, int final, long long delay_ms, const char *why,
    const char *what)
{
	PGresult	*res;
	char		 cnt[8], dl[32], max[16];
	const char	*p[6];
	enum och_err	 err;

	snprintf(cnt, sizeof(cnt), "%d", count ? 1 : 0);
	snprintf(dl, sizeof(dl), "%lld", delay_ms);
	snprintf(max, sizeof(max), "%d", OBX_MAX_ATTEMPTS);
	p[0] = id;
	p[1] = cnt;
	p[2] = dl;
	p[3] = why;
	p[4] = final ? "true" : "false";
	p[5] = max;
	if ((res = db_exec(o->db, st, 6, p, &err)) == NULL)
		return -1;
	if (PQntuples(res) == 1 && strcmp(db_val(res, 0, 0), "failed") == 0)
		log_error("%s %s failed for good after %d attempts: %s", what,
		    id, attempts + (count ? 1 : 0), why);
	else
		log_warn("%s %s will be retried in %lld ms: %s", what, id,
		    delay_ms, why);
	PQclear(res);
	return 0;
}

char *
obx_seal_ad(const char *to, const char *name)
{
	return xasprintf("email_outbox:%s:%s", name, to);
}

/*
 * vars with its "sealed" members opened (see obx_seal_ad) for recipient
 * to: a string for the caller to free with xfree_secret().  NULL when a
 * sealed member does not open (no key, another recipient, tampered).
 */
static char *
unseal(const struct obx *o, const char *vars, const char *to)
{
	cJSON	*j, *s, *it;
	char	*ad, *hex, *pt, *txt, *out = NULL;

	if (vars == NULL || (j = cJSON_Parse(vars)) == NULL)
		return xstrdup(vars != NULL ? vars : "{}");
	if ((s = cJSON_DetachItemFromObject(j, "sealed")) == NULL) {
		cJSON_Delete(j);
		return xstrdup(vars);
	}
	cJSON_ArrayForEach(it, s) {
		if (!cJSON_IsString(it) || it->string == NULL ||
		    o->keys == NULL)
			goto out;
		ad = obx_seal_ad(to, it->string);
		hex = xasprintf("\\x%s", it->valuestring);
		pt = cry_open_bytea(o->keys, ad, hex, NULL);
		free(ad);
		free(hex);
		if (pt == NULL)
			goto out;
		cJSON_DeleteItemFromObject(j, it->string);
		cJSON_AddStringToObject(j, it->string, pt);
		xfree_secret(pt);
	}
	if ((txt = cJSON_PrintUnformatted(j)) != NULL) {
		out = xstrdup(txt);
		OPENSSL_cleanse(txt, strlen(txt));
		cJSON_free(txt);
	}
out:
	cJSON_Delete(s);
	cJSON_Delete(j);
	return out;
}

/* Send one claimed email row.  Returns 0, or -1 on database error. */
static int
send_email(struct obx *o, const PGresult *row)
{
	const char	*id = db_val(row, 0, 0), *tmpl = db_val(row, 0, 1);
	const char	*to[2], *tags[5], *p[2];
	int		 attempts = (int)db_int(row, 0, 4);
	struct obx_mail	 m;
	struct rs_email	 em;
	struct prov_err	 e;
	char		 key[64], rid[128], why[512], *vars;
	enum och_err	 err;
	int		 rc;

	if ((vars = unseal(o, db_val(row, 0, 3), db_val(row, 0, 2))) == NULL)
		return reschedule(o, &stmt_email_retry, id, attempts, 1, 1, 0,
		    "a sealed variable does not open (OCH_MASTER_KEY?)",
		    "email");
	rc = obx_render(o->cfg, tmpl, vars, db_val(row, 0, 2), &m);
	xfree_secret(vars);
	if (rc < 0)
		return reschedule(o, &stmt_email_retry, id, attempts, 1, 1, 0,
		    "template does not render", "email");
	snprintf(key, sizeof(key), "email-%s", id);
	to[0] = db_val(row, 0, 2);
	to[1] = NULL;
	tags[0] = "template";
	tags[1] = tmpl;
	tags[2] = NULL;
	if (db_val(row, 0, 5) != NULL) {
		tags[2] = "instance";
		tags[3] = db_val(row, 0, 5);
		tags[4] = NULL;
	}
	memset(&em, 0, sizeof(em));
	em.from = cfg_str(o->cfg, CFG_EMAIL_FROM,
	    "openclawhost <noreply@localhost>");
	em.to = to;
	em.subject = m.subject;
	em.html = m.html;
	em.text = m.text;
	em.tags = tags;
	em.idempotency_key = key;
	rid[0] = '\0';
	err = rs_send(o->rs, &em, rid, sizeof(rid), &e);
	obx_mail_free(&m);
	if (err == OCH_OK || hcl_perr_is(&e, "invalid_idempotent_request")) {
		/* the second case: this key was accepted before */
		p[0] = id;
		p[1] = rid[0] != '\0' ? rid : NULL;
		if (db_run(o->db, &stmt_email_sent, 2, p, NULL) != OCH_OK)
			return -1;
		log_info("email %s (%s) sent%s", id, tmpl, err == OCH_OK ?
		    "" : " before (idempotency key known)");
		return 0;
	}
	hcl_perr_str(&e, why, sizeof(why));
	if (e.err == OCH_ERATE && e.retryable) {
		o->rs_pause = now_ms() + (e.retry_after_ms > 0 ?
		    e.retry_after_ms : 1000);
		rc = reschedule(o, &stmt_email_retry, id, attempts, 0, 0,
		    backoff(o, 0, &e), why, "email");
	} else
		rc = reschedule(o, &stmt_email_retry, id, attempts, 1,
		    !e.retryable, backoff(o, attempts, &e), why, "email");
	return rc;
}

static int	hook_done(struct obx *, const char *, const char *, int,
		    enum och_err, const struct prov_err *);

/* Send one claimed webhook row.  Returns 0, or -1 on database error. */
static int
send_hook(struct obx *o, const PGresult *row)
{
	const char	*id = db_val(row, 0, 0), *cmd = db_val(row, 0, 2);
	int		 attempts = (int)db_int(row, 0, 4);
	struct wh_param	 params[24];
	char		*vals[24];
	cJSON		*j, *it;
	struct prov_err	 e;
	enum och_err	 err;
	size_t		 n = 0, i;

	if (strcmp(db_val(row, 0, 1), "alert") == 0) {
		/* the operators' alert webhook (lib/alerthook.h) */
		err = alert_hook_send(o->hcl, o->cfg, db_val(row, 0, 3), &e);
		return hook_done(o, id, cmd, attempts, err, &e);
	}
	if (strcmp(db_val(row, 0, 1), "whmcs") != 0)
		return reschedule(o, &stmt_hook_retry, id, attempts, 1, 1, 0,
		    "unknown target", "webhook");
	if (o->wh == NULL)	/* swept for the alert webhook: wait */
		return reschedule(o, &stmt_hook_retry, id, attempts, 0, 0,
		    60000, "WHMCS is not configured", "webhook");
	if ((j = cJSON_Parse(db_val(row, 0, 3))) == NULL ||
	    !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return reschedule(o, &stmt_hook_retry, id, attempts, 1, 1, 0,
		    "payload is not a JSON object", "webhook");
	}
	cJSON_ArrayForEach(it, j) {
		if (n >= OCH_NELEM(params) || it->string == NULL)
			break;
		if (cJSON_IsString(it))
			vals[n] = xstrdup(it->valuestring);
		else if (cJSON_IsNumber(it))
			vals[n] = xasprintf("%lld", (long long)it->valuedouble);
		else if (cJSON_IsBool(it))
			vals[n] = xstrdup(cJSON_IsTrue(it) ? "true" : "false");
		else
			continue;
		params[n].key = it->string;
		params[n].value = vals[n];
		n++;
	}
	err = wh_call(o->wh, cmd, params, n, strncmp(cmd, "Update", 6) == 0 ||
	    strncmp(cmd, "Get", 3) == 0, NULL, &e);
	for (i = 0; i < n; i++)
		free(vals[i]);
	cJSON_Delete(j);
	return hook_done(o, id, cmd, attempts, err, &e);
}

/*
 * Record the outcome err (e) of webhook row id.  Returns 0, or -1 on
 * database error.
 */
static int
hook_done(struct obx *o, const char *id, const char *cmd, int attempts,
    enum och_err err, const struct prov_err *pe)
{
	const char	*p[1];
	char		 why[512];
	struct prov_err	 e = *pe;
	int		 rc;

	if (err == OCH_OK) {
		p[0] = id;
		if (db_run(o->db, &stmt_hook_sent, 1, p, NULL) != OCH_OK)
			return -1;
		log_info("webhook %s (%s) sent", id, cmd);
		return 0;
	}
	hcl_perr_str(&e, why, sizeof(why));
	if (e.err == OCH_ERATE && e.retryable) {
		if (strcmp(e.upstream, "alert-webhook") != 0)
			o->wh_pause = now_ms() + (e.retry_after_ms > 0 ?
			    e.retry_after_ms : 1000);
		rc = reschedule(o, &stmt_hook_retry, id, attempts, 0, 0,
		    backoff(o, 0, &e), why, "webhook");
	} else
		rc = reschedule(o, &stmt_hook_retry, id, attempts, 1,
		    !e.retryable, backoff(o, attempts, &e), why, "webhook");
	return rc;
}

/*
 * Claim and send one row of one outbox.  Returns 1 when a row was
 * handled, 0 when none is due, -1 on database error.
 */
static int
one(struct obx *o, int email)
{
	PGresult	*res;
	const char	*p[2];
	char		 lease[16];
	int		 rc;

	snprintf(lease, sizeof(lease), "%d", OBX_LEASE_SECONDS);
	p[0] = lease;
	p[1] = o->owner;
	if ((res = db_exec(o->db, email ? &stmt_email_claim : &stmt_hook_claim,
	    2, p, NULL)) == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	rc = email ? send_email(o, res) : send_hook(o, res);
	PQclear(res);
	return rc < 0 ? -1 : 1;
}

int
obx_sweep(struct obx *o, int max, time_t deadline)
{
	int	 done = 0, r, k, more[2] = { 1, 1 };

	if (o->rs == NULL && !o->warned_rs++)
		log_warn("RESEND_API_KEY is not set: emails wait in the "
		    "outbox");
	if (o->wh == NULL && !o->warned_wh++)
		log_warn("WHMCS_API_URL/_IDENTIFIER/_SECRET not set: WHMCS "
		    "updates wait in the outbox");
	while (done < max && (more[0] || more[1])) {
		if (deadline != 0 && time(NULL) >= deadline)
			break;
		for (k = 0; k < 2; k++) {
			if (!more[k])
				continue;
			if ((k == 0 && (o->rs == NULL ||
			    o->rs_pause > now_ms())) ||
			    (k == 1 && ((o->wh == NULL &&
			    cfg_get(o->cfg, CFG_ALERT_WEBHOOK_URL) == NULL) ||
			    o->wh_pause > now_ms()))) {
				more[k] = 0;
				continue;
			}
			if ((r = one(o, k == 0)) < 0)
				return -1;
			more[k] = r;
			done += r;
		}
	}
	return done;
}
