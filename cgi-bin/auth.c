/*
 * auth.fcgi: customer and admin login (DESIGN §5).  Both ways in end in a
 * session: a sessions row, an HS256 JWT in the HttpOnly cookie
 * AUTH_COOKIE_SESSION naming it, and a CSRF token (cookie
 * AUTH_COOKIE_CSRF, readable by the dashboard, sent back as X-CSRF-Token
 * on unsafe methods).  A link alone never signs a browser in (login
 * CSRF): links open the dashboard's /signin page with the token in the
 * URL fragment (never sent to a server, so in no log); the page shows
 * whose account it is (preview) and a click completes with a POST.
 *
 *   GET  /api/v1/auth/sso?token=T      older links → 303 to /signin#sso=T
 *   POST /api/v1/auth/sso {token}      WHMCS single sign-on (60 s, once)
 *   POST /api/v1/auth/preview {kind, token}  whose link this is (not used)
 *   POST /api/v1/auth/magic-link {email}   emails a login link (15 min,
 *                                      once); always 202
 *   GET  /api/v1/auth/verify?token=T   older links → 303 to /signin#magic=T
 *   POST /api/v1/auth/verify {token}   the emailed link
 *   POST /api/v1/auth/logout           revokes the session (a read-only
 *                                      view: and the admin session too)
 *   POST /api/v1/auth/logout-all       revokes every session of the user
 *   POST /api/v1/auth/view/end         ends an admin's read-only view
 *                                      (lib/view.h): the admin session back
 *   GET  /api/v1/me                    the user and their instances; in a
 *                                      view, view: {admin_email}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "auth.h"
#include "cry.h"
#include "inst.h"
#include "js.h"
#include "log.h"
#include "outbox.h"
#include "srv.h"
#include "tok.h"
#include "valid.h"
#include "view.h"

#define STR_(x)		#x
#define STR(x)		STR_(x)
#define MAGIC_TTL_MIN	15	/* minutes a magic link lives */
#define MAGIC_FANOUT	4	/* accounts one address may sign in to */
#define MAGIC_PER_ADDR	10	/* link emails to one address an hour */
#define MAGIC_PER_ACCT	5	/* links for one account an hour */

/* SSO signs in a WHMCS client's own user only, never an admin. */
static const struct db_stmt stmt_sso_use = { "auth_sso_use",
	"UPDATE sso_tokens t SET used_at = now() FROM users u"
	" WHERE t.token_hash = $1 AND t.used_at IS NULL"
	" AND t.expires_at > now() AND u.id = t.user_id"
	" AND u.role = 'customer' AND u.whmcs_client_id IS NOT NULL"
	" RETURNING t.user_id, t.instance_id" };
static const struct db_stmt stmt_magic_use = { "auth_magic_use",
	"UPDATE magic_links SET used_at = now() WHERE token_hash = $1"
	" AND used_at IS NULL AND expires_at > now()"
	" RETURNING user_id, NULL::uuid" };
static const struct db_stmt stmt_sso_preview = { "auth_sso_preview",
	"SELECT u.email, u.role, u.whmcs_client_id IS NOT NULL, i.id, i.slug"
	" FROM sso_tokens t JOIN users u ON u.id = t.user_id"
	" LEFT JOIN instances i ON i.id = t.instance_id"
	" WHERE t.token_hash = $1 AND t.used_at IS NULL"
	" AND t.expires_at > now() AND u.role = 'customer'"
	" AND u.whmcs_client_id IS NOT NULL" };
static const struct db_stmt stmt_magic_preview = { "auth_magic_preview",
	"SELECT u.email, u.role, u.whmcs_client_id IS NOT NULL, NULL, NULL"
	" FROM magic_links t JOIN users u ON u.id = t.user_id"
	" WHERE t.token_hash = $1 AND t.used_at IS NULL"
	" AND t.expires_at > now()" };
/* admins get the shorter absolute lifetime; column 1: seconds left */
static const struct db_stmt stmt_session_new = { "auth_session_new",
	"INSERT INTO sessions (user_id, csrf_hash, expires_at, ip, user_agent)"
	" SELECT u.id, $2, now() + make_interval(secs => CASE u.role"
	"  WHEN 'admin' THEN $6::integer ELSE $3::integer END),"
	"  $4::inet, left($5, 200) FROM users u WHERE u.id = $1::bigint"
	" RETURNING id, extract(epoch FROM expires_at - now())::integer" };
/*
 * A magic-link request in one statement, the same for every address
 * (DESIGN §5: the answer and the work do not tell who has an account).
 * For each account of the address (at most MAGIC_FANOUT): unless a link
 * for it was minted in the last minute (that live link is on its way:
 * reused, not multiplied), the account had MAGIC_PER_ACCT links in the
 * last hour, or the address got MAGIC_PER_ADDR link emails in the hour, its older links die,
 * a new one ($2[n] hashes the token of the link $3[n], sealed for the
 * address: lib/outbox.h) is stored and emailed.
 * Returns how many were queued.
 */
static const struct db_stmt stmt_magic_new = { "auth_magic_new",
	"WITH u AS (SELECT id, email, whmcs_client_id IS NULL AS operator,"
	"  row_number() OVER (ORDER BY id) AS n FROM users"
	"  WHERE email = lower($1) ORDER BY id LIMIT " STR(MAGIC_FANOUT) "),"
	" ok AS (SELECT u.* FROM u WHERE"
	"  (SELECT count(*) FROM email_outbox e WHERE e.template = 'magic_link'"
	"   AND e.to_email = lower($1)"
	"   AND e.created_at > now() - interval '1 hour') < " STR(MAGIC_PER_ADDR)
	"  AND NOT EXISTS (SELECT 1 FROM magic_links m WHERE m.user_id = u.id"
	"   AND m.created_at > now() - interval '1 minute'"
	"   AND m.used_at IS NULL AND m.expires_at > now())"
	"  AND (SELECT count(*) FROM magic_links m WHERE m.user_id = u.id"
	"   AND m.created_at > now() - interval '1 hour') < " STR(MAGIC_PER_ACCT)
	"),"
	" old AS (UPDATE magic_links m SET expires_at = now() FROM ok"
	"  WHERE m.user_id = ok.id AND m.used_at IS NULL"
	"  AND m.expires_at > now()),"
	" new AS (INSERT INTO magic_links (token_hash, user_id, expires_at)"
	"  SELECT ($2::text[])[ok.n], ok.id,"
	"  now() + interval '" STR(MAGIC_TTL_MIN) " minutes' FROM ok),"
	" mail AS (INSERT INTO email_outbox (template, to_email, vars)"
	"  SELECT 'magic_link', ok.email, jsonb_build_object('sealed',"
	"  jsonb_build_object('link', ($3::text[])[ok.n]), 'expires_minutes', "
	STR(MAGIC_TTL_MIN) ", 'operator', ok.operator) FROM ok"
	"  RETURNING id)"
	" SELECT count(*) FROM mail" };
/* a view signs the admin out too: signing out means out */
static const struct db_stmt stmt_logout = { "auth_logout",
	"UPDATE sessions SET revoked_at = now() WHERE id = $1::uuid"
	" OR id = (SELECT viewer_session_id FROM sessions WHERE id = $1::uuid)" };
static const struct db_stmt stmt_replaced = { "auth_replaced",
	"UPDATE sessions SET revoked_at = now() WHERE id = $1::uuid"
	" AND revoked_at IS NULL" };
static const struct db_stmt stmt_logout_all = { "auth_logout_all",
	"UPDATE sessions SET revoked_at = now() WHERE user_id = $1::bigint"
	" AND revoked_at IS NULL" };
static const struct db_stmt stmt_me = { "auth_me",
	"SELECT id, email, role FROM users WHERE id = $1::bigint" };
static const struct db_stmt stmt_my_instances = { "auth_my_instances",
	"SELECT " INST_COLUMNS INST_FROM " WHERE i.user_id = $1::bigint"
	" AND i.state <> 'terminated' ORDER BY i.created_at" };

/*
 * The session id the request's session cookie names when its JWT
 * verifies (caller frees), else NULL: the session a sign-in replaces.
 */
static char *
cookie_sid(struct req *r)
{
	const char	*cookie;
	char		 tok[TOK_MAXLEN + 1], *sub = NULL, *sid = NULL;

	if ((cookie = req_header(r, "COOKIE")) == NULL ||
	    auth_cookie(cookie, AUTH_COOKIE_SESSION, tok, sizeof(tok)) < 0)
		return NULL;
	if (tok_verify(cfg_get(&r->app->cfg, CFG_JWT_SECRET), tok, &sub,
	    &sid) != OCH_OK || !valid_uuid(sid)) {
		free(sid);
		sid = NULL;
	}
	free(sub);
	OPENSSL_cleanse(tok, sizeof(tok));
	return sid;
}

/*
 * In the caller's transaction: a new session for user uid with a fresh
 * CSRF token.  *s is its row (id, seconds left; caller clears), *csrf
 * the CSRF token and *jwt the session cookie's token (caller frees both
 * with xfree_secret; either may be set on failure).  OCH_OK, or the
 * database error, or OCH_ESYSTEM (no randomness, no token).
 */
static enum och_err
session_open(struct req *r, const char *uid, PGresult **s, char **csrf,
    char **jwt)
{
	const char	*p[6];
	char		 chash[65], ttl[16], attl[16];
	enum och_err	 err;

	*s = NULL;
	*jwt = NULL;
	if ((*csrf = cry_token(32)) == NULL)
		return OCH_ESYSTEM;
	cry_sha256_hex(*csrf, strlen(*csrf), chash);
	snprintf(ttl, sizeof(ttl), "%d", AUTH_SESSION_TTL);
	snprintf(attl, sizeof(attl), "%d", AUTH_ADMIN_TTL);
	p[0] = uid;
	p[1] = chash;
	p[2] = ttl;
	p[3] = r->remote;
	p[4] = req_header(r, "USER_AGENT");
	p[5] = attl;
	if ((*s = db_exec(r->app->db, &stmt_session_new, 6, p, &err)) == NULL)
		return err;
	*jwt = tok_issue(cfg_get(&r->app->cfg, CFG_JWT_SECRET), uid,
	    db_val(*s, 0, 0), (int)db_int(*s, 0, 1));
	return *jwt == NULL ? OCH_ESYSTEM : OCH_OK;
}

/*
 * Consume a one-time token with stmt (its hash) and open a session for
 * its user: cookies set on r, the CSRF token and the instance the token
 * named (may be NULL) returned to the caller (free both).  The session
 * the browser had (its cookie) ends: switching accounts leaves none
 * behind.  Returns OCH_OK,
 * OCH_EAUTH for an unknown, used or expired token, or a database error.
 */
static enum och_err
login(struct req *r, const struct db_stmt *stmt, const char *token,
    char **csrf_out, char **instance_out, int64_t *uid_out)
{
	struct db	*db = r->app->db;
	PGresult	*res = NULL, *s = NULL;
	const char	*p[1];
	char		 hash[65];
	char		*csrf = NULL, *jwt = NULL, *old;
	enum och_err	 err;
	int		 left;

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
	if ((err = session_open(r, db_val(res, 0, 0), &s, &csrf, &jwt)) !=
	    OCH_OK)
		goto fail;
	left = (int)db_int(s, 0, 1);
	if ((old = cookie_sid(r)) != NULL) {
		p[0] = old;
		err = db_run(db, &stmt_replaced, 1, p, NULL);
		free(old);
		if (err != OCH_OK)
			goto fail;
	}
	if (db_commit(db) < 0) {
		err = OCH_EDB;
		goto fail;
	}
	auth_set_cookies(r, jwt, csrf, left);
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

/*
 * GET or HEAD …?token=T (a link from before the sign-in page): consumes
 * nothing and sets no cookie; 303 to the dashboard's sign-in page with
 * the token in the fragment, where a person confirms (DESIGN §5).
 */
static void
link_redirect(struct req *r, const char *kind)
{
	char	*tok, *loc;
	int	 bad;

	tok = req_query(r, "token", &bad);
	if (tok == NULL || !valid_hex(tok, 32, 256)) {
		xfree_secret(tok);
		resp_error(r, OCH_EAUTH, "this link is invalid, used or expired");
		return;
	}
	loc = xasprintf("%s/signin#%s=%s", cfg_str(&r->app->cfg,
	    CFG_DASHBOARD_URL, ""), kind, tok);
	resp_header(r, "Location", loc);
	resp_header(r, "Referrer-Policy", "no-referrer");
	resp_empty(r, 303);
	xfree_secret(loc);
	xfree_secret(tok);
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
		resp_error(r, err, err == OCH_EAUTH ?
		    "this link is invalid, used or expired" : NULL);
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

static void h_sso_get(struct req *r) { link_redirect(r, "sso"); }
static void h_sso_post(struct req *r) { login_json(r, &stmt_sso_use, "auth.sso"); }
static void h_verify_get(struct req *r) { link_redirect(r, "magic"); }
static void h_verify_post(struct req *r) { login_json(r, &stmt_magic_use, "auth.magic_link"); }

/*
 * POST /api/v1/auth/preview {kind: "sso"|"magic", token}: whose account a
 * live link signs in to, without using it, for the sign-in page to show
 * before the person confirms.  Only the link's holder learns anything.
 */
static void
h_preview(struct req *r)
{
	PGresult	*res;
	const char	*kind = NULL, *tok = NULL, *p[1];
	char		 hash[65];
	cJSON		*o, *i;
	enum och_err	 err;

	if (r->json == NULL || js_str(r->json, "kind", 8, &kind) != JS_OK ||
	    (strcmp(kind, "sso") != 0 && strcmp(kind, "magic") != 0)) {
		resp_error(r, OCH_EINVAL, "kind: sso or magic");
		return;
	}
	if (js_str(r->json, "token", 256, &tok) != JS_OK ||
	    !valid_hex(tok, 32, 256)) {
		resp_error(r, OCH_EAUTH, "this link is invalid, used or expired");
		return;
	}
	cry_sha256_hex(tok, strlen(tok), hash);
	p[0] = hash;
	if ((res = db_exec(r->app->db, strcmp(kind, "sso") == 0 ?
	    &stmt_sso_preview : &stmt_magic_preview, 1, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, OCH_EAUTH, "this link is invalid, used or expired");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "email", db_val(res, 0, 0));
	cJSON_AddStringToObject(o, "role", db_val(res, 0, 1));
	cJSON_AddStringToObject(o, "account", strcmp(db_val(res, 0, 2), "t") ==
	    0 ? "customer" : "operator");
	if (db_val(res, 0, 3) != NULL) {
		i = cJSON_AddObjectToObject(o, "instance");
		cJSON_AddStringToObject(i, "id", db_val(res, 0, 3));
		cJSON_AddStringToObject(i, "slug", db_val(res, 0, 4));
	}
	PQclear(res);
	resp_json(r, 200, o);
}

/* A text[] literal of hex strings: {a,b,...} (caller frees). */
static char *
hex_array(char *const *v, int n)
{
	size_t	 len = 3, k;
	char	*s;
	int	 i;

	for (i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	s = xmalloc(len);
	s[0] = '{';
	k = 1;
	for (i = 0; i < n; i++) {
		if (i > 0)
			s[k++] = ',';
		memcpy(s + k, v[i], strlen(v[i]));
		k += strlen(v[i]);
	}
	s[k++] = '}';
	s[k] = '\0';
	return s;
}

/*
 * MAGIC_FANOUT fresh sign-in tokens for the address email: tok[] (the
 * secrets: free with xfree_secret), hash[] (their SHA-256 hex) and
 * sealed[] (each link sealed for the address, bytea hex without its
 * \x); every slot is filled (caller frees).  OCH_OK, or OCH_ESYSTEM
 * when randomness or sealing failed (the slots then hold blanks).
 */
static enum och_err
magic_tokens(struct req *r, const char *email, char **tok, char **hash,
    char **sealed)
{
	char		*to, *ad, *link, *c;
	enum och_err	 err = OCH_OK;
	int		 i;

	to = xstrdup(email);
	for (c = to; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	ad = obx_seal_ad(to, "link");
	for (i = 0; i < MAGIC_FANOUT; i++) {
		if ((tok[i] = cry_token(32)) == NULL)
			tok[i] = xstrdup("");
		hash[i] = xmalloc(65);
		cry_sha256_hex(tok[i], strlen(tok[i]), hash[i]);
		link = xasprintf("%s/signin#magic=%s", cfg_str(&r->app->cfg,
		    CFG_DASHBOARD_URL, ""), tok[i]);
		/* "\x<hex>": the hex alone goes in the array */
		sealed[i] = cry_seal_bytea(r->app->keys, ad, link, strlen(link));
		xfree_secret(link);
		if (tok[i][0] == '\0' || sealed[i] == NULL) {
			err = OCH_ESYSTEM;
			free(sealed[i]);
			sealed[i] = xstrdup("\\x");
		}
	}
	for (i = 0; i < MAGIC_FANOUT; i++)
		memmove(sealed[i], sealed[i] + 2, strlen(sealed[i] + 2) + 1);
	free(ad);
	free(to);
	return err;
}

/*
 * POST /api/v1/auth/magic-link {email}: the same answer, and the same
 * work (MAGIC_FANOUT fresh tokens, one statement), whether or not the
 * address belongs to an account, so nobody learns who is a customer.
 * The link is sealed for the address (no usable token rests in clear in
 * the outbox).  The limits of stmt_magic_new also answer 202.
 */
static void
h_magic(struct req *r)
{
	PGresult	*res = NULL;
	const char	*email = NULL, *p[3];
	char		*tok[MAGIC_FANOUT], *hash[MAGIC_FANOUT];
	char		*sealed[MAGIC_FANOUT], *seals = NULL, *hashes = NULL;
	cJSON		*o;
	enum och_err	 err;
	int		 i;

	if (r->json == NULL || js_str(r->json, "email", 254, &email) != JS_OK ||
	    !valid_email(email)) {
		resp_error(r, OCH_EINVAL, "email: not a valid email address");
		return;
	}
	err = magic_tokens(r, email, tok, hash, sealed);
	seals = hex_array(sealed, MAGIC_FANOUT);
	hashes = hex_array(hash, MAGIC_FANOUT);
	p[0] = email;
	p[1] = hashes;
	p[2] = seals;
	if (err == OCH_OK &&
	    (res = db_exec(r->app->db, &stmt_magic_new, 3, p, &err)) != NULL)
		log_info("magic link request: %s queued", db_val(res, 0, 0));
	if (err != OCH_OK)
		resp_error(r, err, NULL);
	else {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "status", "sent");
		resp_json(r, 202, o);
	}
	audit_req(r, "auth.magic_link_request", NULL, NULL, r->status, NULL);
	PQclear(res);
	for (i = 0; i < MAGIC_FANOUT; i++) {
		xfree_secret(tok[i]);
		free(hash[i]);
		free(sealed[i]);
	}
	free(seals);
	free(hashes);
}

/* POST /auth/logout (this session) and /auth/logout-all (every one). */
static void
logout(struct req *r, int all)
{
	char		 uid[24];
	const char	*p[1] = { r->auth.session_id };
	enum och_err	 err;

	snprintf(uid, sizeof(uid), "%lld", (long long)r->auth.user_id);
	if (all)
		p[0] = uid;
	if ((err = db_run(r->app->db, all ? &stmt_logout_all : &stmt_logout,
	    1, p, NULL)) != OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	auth_set_cookies(r, NULL, NULL, 0);
	resp_empty(r, 204);
	audit_req(r, all ? "auth.logout_all" : "auth.logout", all ? "user" :
	    NULL, all ? uid : NULL, 204, NULL);
}

static void h_logout(struct req *r) { logout(r, 0); }
static void h_logout_all(struct req *r) { logout(r, 1); }

/* POST /auth/view/end: the read-only view ends, the admin session is back. */
static void
h_view_end(struct req *r)
{
	cJSON		*o;
	char		 uid[24];
	enum och_err	 err;

	snprintf(uid, sizeof(uid), "%lld", (long long)r->auth.user_id);
	if ((err = view_end(r, &o)) != OCH_OK)
		resp_error(r, err, err == OCH_ECONFLICT ?
		    "this session is not a read-only view" : NULL);
	else
		resp_json(r, 200, o);
	audit_req(r, "auth.view.end", "user", uid, r->status, NULL);
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
	/* both came with the session check (me_prefetch()), or read now */
	res = auth_prefetched(r, 0);
	ins = auth_prefetched(r, 1);
	if (res == NULL && (res = db_exec(r->app->db, &stmt_me, 1, p,
	    &err)) == NULL) {
		PQclear(ins);
		resp_error(r, err, NULL);
		return;
	}
	if (ins == NULL && (ins = db_exec(r->app->db, &stmt_my_instances, 1,
	    p, &err)) == NULL) {
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
	/* an admin's read-only view: whose, so the dashboard can say so */
	if (r->auth.viewer_id != 0) {
		snprintf(uid, sizeof(uid), "%lld", (long long)r->auth.viewer_id);
		if ((res = db_exec(r->app->db, &stmt_me, 1, p, &err)) == NULL) {
			cJSON_Delete(o);
			resp_error(r, err, NULL);
			return;
		}
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "view"),
		    "admin_email", PQntuples(res) == 1 ? db_val(res, 0, 1) : "");
		PQclear(res);
	} else
		cJSON_AddNullToObject(o, "view");
	resp_json(r, 200, o);
}

/* the routes: lib/routes.def */
static const struct route routes[] = { OCH_ROUTES_auth(SRV_ROUTE) };

/* GET /api/v1/me reads its two statements in the session's round trip */
static size_t
me_prefetch(struct req *r, const char *uid, struct db_batch_item *it,
    const char **p)
{
	if (routes[r->slot].fn != h_me)
		return 0;
	p[0] = uid;
	it[0].stmt = &stmt_me;
	it[1].stmt = &stmt_my_instances;
	it[0].n = it[1].n = 1;
	it[0].params = it[1].params = p;
	return 2;
}

static int
auth_init(struct app *app)
{
	app->prefetch = me_prefetch;
	return 0;
}

int
main(int argc, char **argv)
{
	static const enum cfg_key required[] = { CFG_DATABASE_URL,
	    CFG_JWT_SECRET, CFG_OCH_MASTER_KEY, CFG__MAX };

	return srv_main(argc, argv, "auth", routes, OCH_NELEM(routes),
	    required, auth_init);
}
