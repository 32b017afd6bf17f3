/*
 * auth.fcgi: customer and admin login (DESIGN §5).  Both ways in end in a
 * session: a sessions row, an HS256 JWT in the HttpOnly cookie och_session
 * naming it, and a CSRF token (cookie och_csrf, readable by the dashboard,
 * sent back as X-CSRF-Token on unsafe methods).
 *
 *   GET  /api/v1/auth/sso?token=T      WHMCS single sign-on link (60 s, once) → 302
 *   POST /api/v1/auth/sso {token}      the same for the dashboard's own fetch
 *   POST /api/v1/auth/magic-link {email}   emails a login link (15 min, once); always 202
 *   GET  /api/v1/auth/verify?token=T   the emailed link → 302
 *   POST /api/v1/auth/verify {token}
 *   POST /api/v1/auth/logout           revokes the session
 *   GET  /api/v1/me                    the user and their instances
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "cry.h"
#include "inst.h"
#include "js.h"
#include "log.h"
#include "srv.h"
#include "tok.h"
#include "valid.h"

#define SESSION_TTL	(7 * 24 * 3600)

static const struct db_stmt stmt_sso_use = { "auth_sso_use",
	"UPDATE sso_tokens SET used_at = now() WHERE token_hash = $1"
	" AND used_at IS NULL AND expires_at > now()"
	" RETURNING user_id, instance_id" };
static const struct db_stmt stmt_magic_use = { "auth_magic_use",
	"UPDATE magic_links SET used_at = now() WHERE token_hash = $1"
	" AND used_at IS NULL AND expires_at > now()"
	" RETURNING user_id, NULL::uuid" };
static const struct db_stmt stmt_session_new = { "auth_session_new",
	"INSERT INTO sessions (user_id, csrf_hash, expires_at, ip, user_agent)"
	" VALUES ($1::bigint, $2, now() + make_interval(secs => $3::integer),"
	"  $4::inet, left($5, 200)) RETURNING id" };
static const struct db_stmt stmt_user_by_email = { "auth_user_by_email",
	"SELECT id FROM users WHERE email = lower($1)" };
static const struct db_stmt stmt_magic_new = { "auth_magic_new",
	"INSERT INTO magic_links (token_hash, user_id, expires_at)"
	" VALUES ($1, $2::bigint, now() + interval '15 minutes')" };
static const struct db_stmt stmt_logout = { "auth_logout",
	"UPDATE sessions SET revoked_at = now() WHERE id = $1::uuid" };
static const struct db_stmt stmt_me = { "auth_me",
	"SELECT id, email, role FROM users WHERE id = $1::bigint" };
static const struct db_stmt stmt_my_instances = { "auth_my_instances",
	"SELECT " INST_COLUMNS INST_FROM " WHERE i.user_id = $1::bigint"
	" AND i.state <> 'terminated' ORDER BY i.created_at" };

/*
 * Consume a one-time token with stmt (its hash) and open a session for
 * its user: cookies set on r, the CSRF token and the instance the token
 * named (may be NULL) returned to the caller (free both).  Returns OCH_OK,
 * OCH_EAUTH for an unknown, used or expired token, or a database error.
 */
static enum och_err
login(struct req *r, const struct db_stmt *stmt, const char *token,
    char **csrf_out, char **instance_out, int64_t *uid_out)
{
	struct db	*db = r->app->db;
	PGresult	*res = NULL, *s = NULL;
	const char	*p[5];
	char		 hash[65], chash[65], ttl[16], *csrf = NULL, *jwt = NULL;
	char		*cookie;
	enum och_err	 err;

	*csrf_out = *instance_out = NULL;
	if (token == NULL || !valid_hex(token, 32, 256))
		return OCH_EAUTH;
	cry_sha256_hex(token, strlen(token), hash);
	if (db_begin(db) < 0)
		return OCH_EDB;
	p[0] = hash;
	if ((res = db_exec(db, stmt, 1, p, &err)) == NULL)
		goto fail;
	if (PQntuples(res) != 1) {
		log_info("login token refused");
		err = OCH_EAUTH;
		goto fail;
	}
	if ((csrf = cry_token(32)) == NULL) {
		err = OCH_ESYSTEM;
		goto fail;
	}
	cry_sha256_hex(csrf, strlen(csrf), chash);
	snprintf(ttl, sizeof(ttl), "%d", SESSION_TTL);
	p[0] = db_val(res, 0, 0);
	p[1] = chash;
	p[2] = ttl;
	p[3] = r->remote;
	p[4] = req_header(r, "USER_AGENT");
	if ((s = db_exec(db, &stmt_session_new, 5, p, &err)) == NULL)
		goto fail;
	jwt = tok_issue(cfg_get(&r->app->cfg, CFG_JWT_SECRET), db_val(res, 0, 0),
	    db_val(s, 0, 0), SESSION_TTL);
	if (jwt == NULL) {
		err = OCH_ESYSTEM;
		goto fail;
	}
	if (db_commit(db) < 0) {
		err = OCH_EDB;
		goto fail;
	}
	cookie = xasprintf("och_session=%s; Path=/; Max-Age=%d; HttpOnly; "
	    "Secure; SameSite=Lax", jwt, SESSION_TTL);
	resp_header(r, "Set-Cookie", cookie);
	xfree_secret(cookie);
	cookie = xasprintf("och_csrf=%s; Path=/; Max-Age=%d; Secure; "
	    "SameSite=Lax", csrf, SESSION_TTL);
	resp_header(r, "Set-Cookie", cookie);
	xfree_secret(cookie);
	*uid_out = db_int(res, 0, 0);
	r->auth.user_id = *uid_out;
	r->auth.kind = AUTH_SESSION;
	r->auth.session_id = xstrdup(db_val(s, 0, 0));
	if (db_val(res, 0, 1) != NULL)
		*instance_out = xstrdup(db_val(res, 0, 1));
	*csrf_out = csrf;
	csrf = NULL;
	err = OCH_OK;
	goto out;
fail:
	db_rollback(db);
out:
	PQclear(res);
	PQclear(s);
	xfree_secret(csrf);
	xfree_secret(jwt);
	return err;
}

/* GET …?token=T: log in and send the browser to the dashboard. */
static void
login_redirect(struct req *r, const struct db_stmt *stmt, const char *action)
{
	char		*tok, *csrf = NULL, *inst = NULL, *loc;
	int64_t		 uid = 0;
	int		 bad;
	enum och_err	 err;

	tok = req_query(r, "token", &bad);
	err = login(r, stmt, tok, &csrf, &inst, &uid);
	xfree_secret(tok);
	if (err != OCH_OK) {
		resp_error(r, err, err == OCH_EAUTH ?
		    "this link is invalid, used or expired" : NULL);
		audit_req(r, action, NULL, NULL, r->status, NULL);
		return;
	}
	loc = inst != NULL ? xasprintf("%s/instances/%s",
	    cfg_str(&r->app->cfg, CFG_DASHBOARD_URL, ""), inst) :
	    xasprintf("%s/", cfg_str(&r->app->cfg, CFG_DASHBOARD_URL, ""));
	resp_header(r, "Location", loc);
	resp_empty(r, 302);
	audit_req(r, action, inst ? "instance" : NULL, inst, 302, NULL);
	free(loc);
	free(inst);
	xfree_secret(csrf);
}

/* POST {token}: log in and answer JSON with the CSRF token. */
static void
login_json(struct req *r, const struct db_stmt *stmt, const char *action)
{
	const char	*tok = NULL;
	char		*csrf = NULL, *inst = NULL;
	int64_t		 uid = 0;
	cJSON		*o;
	enum och_err	 err;

	if (r->json != NULL)
		(void)js_str(r->json, "token", 256, &tok);
	if ((err = login(r, stmt, tok, &csrf, &inst, &uid)) != OCH_OK) {
		resp_error(r, err, NULL);
		audit_req(r, action, NULL, NULL, r->status, NULL);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "user_id", (double)uid);
	cJSON_AddStringToObject(o, "csrf_token", csrf);
	if (inst != NULL)
		cJSON_AddStringToObject(o, "instance_id", inst);
	resp_json(r, 200, o);
	audit_req(r, action, inst ? "instance" : NULL, inst, 200, NULL);
	free(inst);
	xfree_secret(csrf);
}

static void h_sso_get(struct req *r) { login_redirect(r, &stmt_sso_use, "auth.sso"); }
static void h_sso_post(struct req *r) { login_json(r, &stmt_sso_use, "auth.sso"); }
static void h_verify_get(struct req *r) { login_redirect(r, &stmt_magic_use, "auth.magic_link"); }
static void h_verify_post(struct req *r) { login_json(r, &stmt_magic_use, "auth.magic_link"); }

/*
 * POST /api/v1/auth/magic-link {email}: the same answer whether or not
 * the address belongs to a user, so nobody learns who is a customer.
 */
static void
h_magic(struct req *r)
{
	struct db	*db = r->app->db;
	PGresult	*res = NULL;
	const char	*email = NULL, *p[2];
	char		*tok = NULL, hash[65], *link = NULL, *vars = NULL;
	cJSON		*v, *o;
	enum och_err	 err = OCH_OK;

	if (r->json == NULL || js_str(r->json, "email", 254, &email) != JS_OK ||
	    !valid_email(email)) {
		resp_error(r, OCH_EINVAL, "email: not a valid email address");
		return;
	}
	p[0] = email;
	if ((res = db_exec(db, &stmt_user_by_email, 1, p, &err)) == NULL)
		goto out;
	if (PQntuples(res) == 1) {
		if ((tok = cry_token(32)) == NULL) {
			err = OCH_ESYSTEM;
			goto out;
		}
		cry_sha256_hex(tok, strlen(tok), hash);
		link = xasprintf("%s/api/v1/auth/verify?token=%s",
		    cfg_str(&r->app->cfg, CFG_DASHBOARD_URL, ""), tok);
		v = cJSON_CreateObject();
		cJSON_AddStringToObject(v, "link", link);
		cJSON_AddNumberToObject(v, "expires_minutes", 15);
		vars = cJSON_PrintUnformatted(v);
		cJSON_Delete(v);
		if (db_begin(db) < 0) {
			err = OCH_EDB;
			goto out;
		}
		p[0] = hash;
		p[1] = db_val(res, 0, 0);
		if ((err = db_run(db, &stmt_magic_new, 2, p, NULL)) != OCH_OK ||
		    (err = inst_email(db, NULL, "magic_link", email, vars,
		    NULL)) != OCH_OK) {
			db_rollback(db);
			goto out;
		}
		if (db_commit(db) < 0)
			err = OCH_EDB;
	}
out:
	if (err != OCH_OK)
		resp_error(r, err, NULL);
	else {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "status", "sent");
		resp_json(r, 202, o);
	}
	audit_req(r, "auth.magic_link_request", NULL, NULL, r->status, NULL);
	PQclear(res);
	xfree_secret(tok);
	xfree_secret(link);
	if (vars != NULL) {
		OPENSSL_cleanse(vars, strlen(vars));
		cJSON_free(vars);
	}
}

static void
h_logout(struct req *r)
{
	const char	*p[1] = { r->auth.session_id };
	enum och_err	 err;

	if ((err = db_run(r->app->db, &stmt_logout, 1, p, NULL)) != OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	resp_header(r, "Set-Cookie", "och_session=; Path=/; Max-Age=0; "
	    "HttpOnly; Secure; SameSite=Lax");
	resp_header(r, "Set-Cookie", "och_csrf=; Path=/; Max-Age=0; Secure; "
	    "SameSite=Lax");
	resp_empty(r, 204);
	audit_req(r, "auth.logout", NULL, NULL, 204, NULL);
}

static void
h_me(struct req *r)
{
	PGresult	*res, *ins;
	char		 uid[24];
	const char	*p[1] = { uid };
	cJSON		*o, *arr;
	enum och_err	 err;
	int		 i;

	snprintf(uid, sizeof(uid), "%lld", (long long)r->auth.user_id);
	if ((res = db_exec(r->app->db, &stmt_me, 1, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	if ((ins = db_exec(r->app->db, &stmt_my_instances, 1, p, &err)) ==
	    NULL) {
		PQclear(res);
		resp_error(r, err, NULL);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)db_int(res, 0, 0));
	cJSON_AddStringToObject(o, "email", db_val(res, 0, 1));
	cJSON_AddStringToObject(o, "role", db_val(res, 0, 2));
	arr = cJSON_AddArrayToObject(o, "instances");
	for (i = 0; i < PQntuples(ins); i++)
		cJSON_AddItemToArray(arr, inst_json(ins, i, &r->app->cfg));
	PQclear(res);
	PQclear(ins);
	resp_json(r, 200, o);
}

static const struct route routes[] = {
	{ "GET", "/api/v1/auth/sso", AUTH_NONE, h_sso_get, 0 },
	{ "POST", "/api/v1/auth/sso", AUTH_NONE, h_sso_post, 4096 },
	{ "POST", "/api/v1/auth/magic-link", AUTH_NONE, h_magic, 4096 },
	{ "GET", "/api/v1/auth/verify", AUTH_NONE, h_verify_get, 0 },
	{ "POST", "/api/v1/auth/verify", AUTH_NONE, h_verify_post, 4096 },
	{ "POST", "/api/v1/auth/logout", AUTH_SESSION, h_logout, 0 },
	{ "GET", "/api/v1/me", AUTH_SESSION, h_me, 0 },
};

int
main(int argc, char **argv)
{
	static const enum cfg_key required[] = { CFG_DATABASE_URL,
	    CFG_JWT_SECRET, CFG__MAX };

	return srv_main(argc, argv, "auth", routes, OCH_NELEM(routes),
	    required, NULL);
}
