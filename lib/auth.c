/*
 * auth.c: authentication of a request for the kind its route declares
 * (docs/api.md, Authentication).  Every failure logs one line naming the
 * category of the failure (never a secret, signature or token) and returns
 * the same OCH_EAUTH, so the client learns nothing about which check
 * failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "cry.h"
#include "ent_session.h"
#include "hmac.h"
#include "log.h"
#include "tok.h"
#include "valid.h"

#define AUTH_WINDOW_DEFAULT	300	/* seconds either side of now */

static const struct db_stmt	stmt_api_client_secret = {
	"auth_api_client_secret",
	"SELECT secret_enc FROM api_clients "
	"WHERE id = $1 AND revoked_at IS NULL"
};

static const struct db_stmt	stmt_api_nonce_insert = {
	"auth_api_nonce_insert",
	"INSERT INTO api_nonces (client_id, nonce, expires_at) "
	"VALUES ($1, $2, now() + make_interval(secs => $3)) "
	"ON CONFLICT DO NOTHING"
};

/* At most one write a minute per client, not one per request. */
static const struct db_stmt	stmt_api_client_used = {
	"auth_api_client_used",
	"UPDATE api_clients SET last_used_at = now() WHERE id = $1 "
	"AND (last_used_at IS NULL OR "
	"last_used_at < now() - interval '60 seconds')"
};

/* One log line per refusal; the reason is a fixed category. */
static enum och_err
refuse(const struct req *r, const char *scheme, const char *why)
{
	log_warn("auth refused scheme=%s reason=%s remote=%s", scheme, why,
	    r->remote != NULL ? r->remote : "-");
	return OCH_EAUTH;
}

/*
 * HMAC request signing.  Cheap checks first (format, clock), then the
 * database; the nonce is recorded only for a request whose signature is
 * good, so nobody can burn another client's nonces.
 */
static enum och_err
auth_hmac(struct req *r)
{
	const char	*key, *ts, *nonce, *sig, *enc, *params[3];
	char		*ad = NULL, *secret = NULL, *canon = NULL;
	char		*exp = NULL;
	PGresult	*res = NULL;
	long		 window, n;
	enum och_err	 rc, err;

	key = req_header(r, "X_OCH_KEY");
	ts = req_header(r, "X_OCH_TIMESTAMP");
	nonce = req_header(r, "X_OCH_NONCE");
	sig = req_header(r, "X_OCH_SIGNATURE");
	if (key == NULL || ts == NULL || nonce == NULL || sig == NULL)
		return refuse(r, "hmac", "missing_header");
	if (!hmac_valid_key(key) || !hmac_valid_nonce(nonce) ||
	    !hmac_valid_sig(sig))
		return refuse(r, "hmac", "malformed_header");
	window = (long)cfg_int(&r->app->cfg, CFG_OCH_HMAC_WINDOW,
	    AUTH_WINDOW_DEFAULT);
	if (!hmac_fresh(ts, time(NULL), window))
		return refuse(r, "hmac", "stale_timestamp");
	if (r->app->keys == NULL) {
		log_error("auth: HMAC clients need OCH_MASTER_KEY");
		return refuse(r, "hmac", "no_master_key");
	}

	params[0] = key;
	if ((res = db_exec(r->app->db, &stmt_api_client_secret, 1, params,
	    &err)) == NULL) {
		rc = err == OCH_EDB ? OCH_EDB : refuse(r, "hmac", "db_refused");
		goto out;
	}
	if (PQntuples(res) != 1 || (enc = db_val(res, 0, 0)) == NULL) {
		rc = refuse(r, "hmac", "unknown_client");
		goto out;
	}
	ad = xasprintf("api_clients:%s", key);
	if ((secret = cry_open_bytea(r->app->keys, ad, enc, NULL)) == NULL) {
		log_error("auth: cannot decrypt the secret of client %s", key);
		rc = refuse(r, "hmac", "undecryptable_secret");
		goto out;
	}
	canon = hmac_canonical(r->method, r->target, ts, nonce,
	    r->body, r->body != NULL ? r->bodylen : 0);
	if (!hmac_verify_hex(secret, canon, sig)) {
		rc = refuse(r, "hmac", "bad_signature");
		goto out;
	}

	/* a nonce is kept until its timestamp could no longer pass */
	exp = xasprintf("%ld", 2 * window);
	params[0] = key;
	params[1] = nonce;
	params[2] = exp;
	if ((err = db_run(r->app->db, &stmt_api_nonce_insert, 3, params,
	    &n)) != OCH_OK) {
		/* e.g. the client was deleted meanwhile (foreign key) */
		rc = err == OCH_EDB ? OCH_EDB : refuse(r, "hmac", "db_refused");
		goto out;
	}
	if (n == 0) {
		rc = refuse(r, "hmac", "replayed_nonce");
		goto out;
	}
	/* bookkeeping only: a failure here does not refuse the request */
	if (db_run(r->app->db, &stmt_api_client_used, 1, params, NULL) !=
	    OCH_OK)
		log_warn("auth: cannot update last_used_at of client %s", key);

	r->auth.kind = AUTH_HMAC;
	r->auth.client_id = xstrdup(key);
	rc = OCH_OK;
out:
	PQclear(res);
	xfree_secret(secret);
	free(canon);
	free(ad);
	free(exp);
	return rc;
}

/*
 * The VPS agent: "Authorization: Bearer <token>".  Only the SHA-256 of
 * the token is stored, so the lookup itself compares hashes.
 */
static enum och_err
auth_agent(struct req *r)
{
	const char	*h, *tok, *p;
	char		 hash[65], *id;
	enum och_err	 err;
	size_t		 len;

	if ((h = req_header(r, "AUTHORIZATION")) == NULL)
		return refuse(r, "agent", "missing_header");
	if (strncmp(h, "Bearer ", 7) != 0)
		return refuse(r, "agent", "malformed_header");
	tok = h + 7;
	len = strlen(tok);
	if (len < 32 || len > 256)
		return refuse(r, "agent", "malformed_header");
	for (p = tok; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 127)
			return refuse(r, "agent", "malformed_header");
	cry_sha256_hex(tok, len, hash);
	if ((err = ent_agent_token_of(r->app->db, hash, &id)) == OCH_ENOTFOUND)
		return refuse(r, "agent", "unknown_token");
	if (err != OCH_OK)
		return err == OCH_EDB ? OCH_EDB : refuse(r, "agent", "db_refused");
	r->auth.kind = AUTH_AGENT;
	r->auth.instance_id = id;
	return OCH_OK;
}

/*
 * The value of cookie `name` in a Cookie header, copied into out (size
 * outlen).  Returns 0, or -1 when absent or too long.
 */
int
auth_cookie(const char *header, const char *name, char *out, size_t outlen)
{
	const char	*p = header, *end;
	size_t		 nlen = strlen(name), vlen;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		end = p + strcspn(p, ";");
		if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 &&
		    p[nlen] == '=') {
			vlen = (size_t)(end - p) - nlen - 1;
			if (vlen == 0 || vlen >= outlen)
				return -1;
			memcpy(out, p + nlen + 1, vlen);
			out[vlen] = '\0';
			return 0;
		}
		p = end;
	}
	return -1;
}

void
auth_set_cookies(struct req *r, const char *jwt, const char *csrf,
    int max_age)
{
	char	*c;

	c = xasprintf(AUTH_COOKIE_SESSION "=%s; Path=/; Max-Age=%d; HttpOnly; "
	    "Secure; SameSite=Lax", jwt ? jwt : "", max_age);
	resp_header(r, "Set-Cookie", c);
	xfree_secret(c);
	c = xasprintf(AUTH_COOKIE_CSRF "=%s; Path=/; Max-Age=%d; Secure; "
	    "SameSite=Lax", csrf ? csrf : "", max_age);
	resp_header(r, "Set-Cookie", c);
	xfree_secret(c);
}

static int
unsafe_method(const char *m)
{
	return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 &&
	    strcmp(m, "OPTIONS") != 0;
}

/*
 * The session cookie's token, checked without the database: its JWT
 * verifies and names a session id (*sid, caller frees) and a user id
 * (*sub, caller frees; *uid).  Returns OCH_OK or OCH_EAUTH (logged).
 */
static enum och_err
session_token(struct req *r, char **sub, char **sid, int64_t *uid)
{
	const char	*cookie, *secret;
	char		 tok[TOK_MAXLEN + 1];
	enum och_err	 rc = OCH_OK;

	*sub = *sid = NULL;
	if ((cookie = req_header(r, "COOKIE")) == NULL ||
	    auth_cookie(cookie, AUTH_COOKIE_SESSION, tok, sizeof(tok)) < 0)
		return refuse(r, "session", "no_cookie");
	if ((secret = cfg_get(&r->app->cfg, CFG_JWT_SECRET)) == NULL) {
		log_error("auth: no JWT_SECRET configured");
		rc = OCH_EAUTH;
	} else if (tok_verify(secret, tok, sub, sid) != OCH_OK)
		rc = refuse(r, "session", "bad_token");
	else if (!valid_uuid(*sid) || !valid_int64(*sub, 1, INT64_MAX, uid))
		rc = refuse(r, "session", "bad_claims");
	OPENSSL_cleanse(tok, sizeof(tok));
	if (rc != OCH_OK) {
		free(*sub);
		free(*sid);
		*sub = *sid = NULL;
	}
	return rc;
}

/*
 * Apply the answer of ent_session_live_item() (res) to r: a dead session
 * is 401;
 * CSRF for unsafe methods, the read-only view and the admin role are
 * checked; r->auth is filled (taking sid).  Returns OCH_OK, OCH_EAUTH,
 * OCH_EFORBIDDEN or OCH_EDB.
 */
static enum och_err
session_apply(struct req *r, enum auth_kind kind, const PGresult *res,
    char **sid, int64_t uid)
{
	const int	 admin = kind == AUTH_ADMIN;
	struct ent_session_live	 s;
	const char	*csrf;
	char		 hash[65];

	if (!ent_session_live_read(res, &s))
		return refuse(r, "session", "revoked_or_expired");
	if (unsafe_method(r->method)) {
		csrf = req_header(r, "X_CSRF_TOKEN");
		if (csrf == NULL || strlen(csrf) > 256) {
			log_info("auth: session refused: csrf_missing");
			return OCH_EFORBIDDEN;
		}
		cry_sha256_hex(csrf, strlen(csrf), hash);
		if (!cry_streq(hash, s.csrf_hash)) {
			log_info("auth: session refused: csrf_mismatch");
			return OCH_EFORBIDDEN;
		}
	}
	/* bookkeeping only: a failure here does not refuse the request */
	if (s.seen_stale && ent_session_seen(r->app->db, *sid) != OCH_OK)
		log_warn("auth: cannot update last_seen_at of a session");
	r->auth.kind = admin ? AUTH_ADMIN : AUTH_SESSION;
	r->auth.user_id = uid;
	r->auth.is_admin = s.admin;
	r->auth.session_id = *sid;
	*sid = NULL;
	if (s.viewer[0] != '\0' &&
	    !valid_int64(s.viewer, 1, INT64_MAX, &r->auth.viewer_id))
		return OCH_EDB;
	if (r->auth.viewer_id != 0 && unsafe_method(r->method) &&
	    kind != AUTH_SESSION_VIEW) {
		log_info("auth: read-only view of user %lld refused %s",
		    (long long)uid, r->method);
		return OCH_EFORBIDDEN;
	}
	if (admin && !r->auth.is_admin) {
		log_info("auth: admin route refused to user %lld",
		    (long long)uid);
		return OCH_EFORBIDDEN;
	}
	return OCH_OK;
}

/*
 * The cookie session: AUTH_COOKIE_SESSION is an HS256 JWT
 * whose sid names a live row in sessions (ent_session_live_item()); unsafe methods
 * also need X-CSRF-Token matching the session's CSRF hash.  AUTH_ADMIN:
 * the user's role must be admin.  A read-only view is refused every
 * unsafe method unless kind is AUTH_SESSION_VIEW (403, with r->auth
 * filled so the refusal is audited).  For a GET or HEAD, app->session_read
 * may make the check the route's whole read: one statement, one round
 * trip (db_batch() prepares it in the same one); its result is kept for
 * the handler only when the session is good.
 */
static enum och_err
auth_session(struct req *r, enum auth_kind kind)
{
	struct db_batch_item	 it;
	const char	*params[REQ_MAXREADPARAMS];
	char		 idle[16];
	char		*sub = NULL, *sid = NULL;
	enum och_err	 rc;
	int64_t		 uid;
	int		 read = 0;

	if ((rc = session_token(r, &sub, &sid, &uid)) != OCH_OK)
		return rc;
	snprintf(idle, sizeof(idle), "%d", AUTH_ADMIN_IDLE);
	memset(&it, 0, sizeof(it));
	ent_session_live_item(&it, params, sid, sub, idle);
	if (r->app->session_read != NULL && (strcmp(r->method, "GET") == 0 ||
	    strcmp(r->method, "HEAD") == 0))
		read = r->app->session_read(r, &it, params);
	if ((rc = db_batch(r->app->db, &it, 1)) != OCH_OK) {
		rc = rc == OCH_EDB ? OCH_EDB : refuse(r, "session", "db");
		goto out;
	}
	rc = session_apply(r, kind, it.res, &sid, uid);
	if (rc == OCH_OK && read) {
		r->auth.read = it.res;
		r->auth.read_done = 1;
	} else
		PQclear(it.res);
out:
	free(sub);
	free(sid);
	return rc;
}

PGresult *
auth_read(struct req *r)
{
	PGresult	*res = r->auth.read;

	r->auth.read = NULL;
	return res;
}

static const struct db_stmt	stmt_visible = {
	"auth_visible",
	"SELECT i.state FROM instances i WHERE i.id = $1::uuid"
	" AND ($2::boolean OR " AUTH_MAY_SEE_SQL("i", "$3::bigint") ")"
};

int
auth_may_see(struct req *r, const char *id, enum auth_see see, char *state,
    size_t statesz, enum och_err *err)
{
	PGresult	*res;
	char		 uid[24];
	const char	*p[3];
	int		 ok;

	*err = OCH_OK;
	if (state != NULL && statesz > 0)
		state[0] = '\0';
	if (id == NULL || !valid_uuid(id))
		return 0;
	snprintf(uid, sizeof(uid), "%lld", (long long)r->auth.user_id);
	p[0] = id;
	/* a session: its user's role decides, in the statement */
	p[1] = r->auth.kind == AUTH_HMAC ? "true" : "false";
	p[2] = uid;
	if ((res = db_exec(r->app->db, &stmt_visible, 3, p, err)) == NULL)
		return 0;
	ok = PQntuples(res) == 1 && (see == AUTH_SEE_RECORD ||
	    strcmp(db_val(res, 0, 0), "terminated") != 0);
	if (ok && state != NULL && statesz > 0)
		snprintf(state, statesz, "%s", db_val(res, 0, 0));
	PQclear(res);
	return ok;
}

enum och_err
auth_check(struct req *r, enum auth_kind kind)
{
	switch (kind) {
	case AUTH_NONE:
		return OCH_OK;
	case AUTH_HMAC:
		return auth_hmac(r);
	case AUTH_HMAC_OR_SESSION:
		if (req_header(r, "X_OCH_KEY") != NULL)
			return auth_hmac(r);
		return auth_session(r, AUTH_SESSION);
	case AUTH_AGENT:
		return auth_agent(r);
	case AUTH_SESSION:
	case AUTH_ADMIN:
	case AUTH_SESSION_VIEW:
		return auth_session(r, kind);
	case AUTH_BOOTSTRAP:
		/*
		 * the bootstrap token travels in the body: its one route
		 * (agent ready) is AUTH_NONE and checks the token itself
		 */
		return refuse(r, "bootstrap", "not_a_route_kind");
	case AUTH__MAX:
		break;
	}
	log_error("auth: unknown kind %d", (int)kind);
	return OCH_EAUTH;
}

void
auth_clear(struct req_auth *a)
{
	if (a == NULL)
		return;
	free(a->client_id);
	free(a->session_id);
	free(a->instance_id);
	PQclear(a->read);
	memset(a, 0, sizeof(*a));
}
