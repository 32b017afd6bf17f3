/*
 * auth.fcgi: customer and admin login (docs/api.md, Authentication). Both
 * ways in end in a session: a sessions row, an HS256 JWT in the HttpOnly
 * cookie AUTH_COOKIE_SESSION naming it, and a CSRF token (cookie
 * AUTH_COOKIE_CSRF, readable by the dashboard, sent back as X-CSRF-Token on
 * unsafe methods).  A link alone never signs a browser in (login CSRF):
 * links open the dashboard's /signin page with the token in the URL
 * fragment (never sent to a server, so in no log); the page shows whose
 * account it is (preview) and a click completes with a POST.
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
#include "ent_session.h"
#include "ent_user.h"
#include "inst.h"
#include "js.h"
#include "log.h"
#include "outbox.h"
#include "srv.h"
#include "tok.h"
#include "valid.h"
#include "view.h"

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
 * CSRF token.  *sid is its id, *left its seconds, *csrf the CSRF token
 * and *jwt the session cookie's token (caller frees: free, and
 * xfree_secret for the two tokens; any may be set on failure).  OCH_OK,
 * or the database error, or OCH_ESYSTEM (no randomness, no token).
 */
static enum och_err
session_open(struct req *r, const char *uid, char **sid, int *left,
    char **csrf, char **jwt)
{
	struct ent_session_in	 in;
	char			 chash[65];
	enum och_err		 err;

	*sid = *jwt = NULL;
	if ((*csrf = cry_token(32)) == NULL)
		return OCH_ESYSTEM;
	cry_sha256_hex(*csrf, strlen(*csrf), chash);
	in.user_id = uid;
	in.csrf_hash = chash;
	in.ttl = AUTH_SESSION_TTL;
	in.admin_ttl = AUTH_ADMIN_TTL;
	in.ip = r->remote;
	in.user_agent = req_header(r, "USER_AGENT");
	if ((err = ent_session_open(r->app->db, &in, sid, left)) != OCH_OK)
		return err;
	*jwt = tok_issue(cfg_get(&r->app->cfg, CFG_JWT_SECRET), uid, *sid,
	    *left);
	return *jwt == NULL ? OCH_ESYSTEM : OCH_OK;
}

/*
 * In the caller's transaction: use up the token (hash) of kind, open a
 * session for its user (*u: whose; *sid, *left, *csrf, *jwt as
 * session_open()) and end the session the browser had (its cookie):
 * switching accounts leaves none behind.  OCH_OK, OCH_EAUTH for an
 * unknown, used or expired token, or the error.
 */
static enum och_err
login_tx(struct req *r, enum ent_login kind, const char *hash,
    struct ent_login_user *u, char **sid, int *left, char **csrf,
    char **jwt)
{
	enum och_err	 err;
	char		*old;

	if ((err = ent_login_use(r->app->db, kind, hash, u)) ==
	    OCH_ENOTFOUND) {
		log_info("login token refused");
		return OCH_EAUTH;
	}
	if (err != OCH_OK || (err = session_open(r, u->user_id, sid, left,
	    csrf, jwt)) != OCH_OK)
		return err;
	if ((old = cookie_sid(r)) != NULL) {
		err = ent_session_replaced(r->app->db, old);
		free(old);
	}
	if (err == OCH_OK && db_commit(r->app->db) < 0)
		err = OCH_EDB;
	return err;
}

/*
 * Consume a one-time token of kind and open a session for its user:
 * cookies set on r, the CSRF token and the instance the token named (may
 * be NULL) returned to the caller (free both).  Returns OCH_OK,
 * OCH_EAUTH for an unknown, used or expired token, or a database error.
 */
static enum och_err
login(struct req *r, enum ent_login kind, const char *token,
    char **csrf_out, char **instance_out, int64_t *uid_out)
{
	struct ent_login_user	 u = { NULL, NULL };
	char			 hash[65], *sid = NULL, *csrf = NULL;
	char			*jwt = NULL;
	enum och_err		 err;
	int			 left = 0;

	*csrf_out = *instance_out = NULL;
	if (token == NULL || !valid_hex(token, 32, 256))
		return OCH_EAUTH;
	cry_sha256_hex(token, strlen(token), hash);
	if (db_begin(r->app->db) < 0)
		return OCH_EDB;
	if ((err = login_tx(r, kind, hash, &u, &sid, &left, &csrf, &jwt)) !=
	    OCH_OK)
		db_rollback(r->app->db);
	else {
		auth_set_cookies(r, jwt, csrf, left);
		(void)valid_int64(u.user_id, 1, INT64_MAX, uid_out);
		r->auth.user_id = *uid_out;
		r->auth.kind = AUTH_SESSION;
		r->auth.session_id = sid;
		sid = NULL;
		*instance_out = u.instance_id;
		u.instance_id = NULL;
		*csrf_out = csrf;
		csrf = NULL;
	}
	ent_login_user_free(&u);
	free(sid);
	xfree_secret(csrf);
	xfree_secret(jwt);
	return err;
}

/*
 * GET or HEAD …?token=T (a link from before the sign-in page): consumes
 * nothing and sets no cookie; 303 to the dashboard's sign-in page with
 * the token in the fragment, where a person confirms (no link alone
 * signs a browser in: login CSRF).
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
login_json(struct req *r, enum ent_login kind, const char *action)
{
	const char	*tok = NULL;
	char		*csrf = NULL, *inst = NULL;
	int64_t		 uid = 0;
	cJSON		*o;
	enum och_err	 err;

	if (r->json != NULL)
		(void)js_str(r->json, "token", 256, &tok);
	if ((err = login(r, kind, tok, &csrf, &inst, &uid)) != OCH_OK) {
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
static void h_sso_post(struct req *r) { login_json(r, ENT_LOGIN_SSO, "auth.sso"); }
static void h_verify_get(struct req *r) { link_redirect(r, "magic"); }
static void h_verify_post(struct req *r) { login_json(r, ENT_LOGIN_MAGIC, "auth.magic_link"); }

/*
 * POST /api/v1/auth/preview {kind: "sso"|"magic", token}: whose account a
 * live link signs in to, without using it, for the sign-in page to show
 * before the person confirms.  Only the link's holder learns anything.
 */
static void
h_preview(struct req *r)
{
	struct ent_login_preview	 v;
	const char			*kind = NULL, *tok = NULL;
	char				 hash[65];
	cJSON				*o, *i;
	enum och_err			 err;

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
	if ((err = ent_login_preview(r->app->db, strcmp(kind, "sso") == 0 ?
	    ENT_LOGIN_SSO : ENT_LOGIN_MAGIC, hash, &v)) != OCH_OK) {
		resp_error(r, err == OCH_ENOTFOUND ? OCH_EAUTH : err,
		    err == OCH_ENOTFOUND ? "this link is invalid, used or "
		    "expired" : NULL);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "email", v.email);
	cJSON_AddStringToObject(o, "role", v.role);
	cJSON_AddStringToObject(o, "account", v.customer ? "customer" :
	    "operator");
	if (v.instance_id != NULL) {
		i = cJSON_AddObjectToObject(o, "instance");
		cJSON_AddStringToObject(i, "id", v.instance_id);
		cJSON_AddStringToObject(i, "slug", v.slug);
	}
	ent_login_preview_free(&v);
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
 * ENT_MAGIC_FANOUT fresh sign-in tokens for the address email: tok[] (the
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
	for (i = 0; i < ENT_MAGIC_FANOUT; i++) {
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
	for (i = 0; i < ENT_MAGIC_FANOUT; i++)
		memmove(sealed[i], sealed[i] + 2, strlen(sealed[i] + 2) + 1);
	free(ad);
	free(to);
	return err;
}

/*
 * POST /api/v1/auth/magic-link {email}: the same answer, and the same
 * work (ENT_MAGIC_FANOUT fresh tokens, one statement), whether or not the
 * address belongs to an account, so nobody learns who is a customer.
 * The link is sealed for the address (no usable token rests in clear in
 * the outbox).  The limits of ent_magic_request() also answer 202.
 */
static void
h_magic(struct req *r)
{
	const char	*email = NULL;
	char		*tok[ENT_MAGIC_FANOUT], *hash[ENT_MAGIC_FANOUT];
	char		*sealed[ENT_MAGIC_FANOUT], *seals = NULL, *hashes = NULL;
	cJSON		*o;
	enum och_err	 err;
	long		 queued;
	int		 i;

	if (r->json == NULL || js_str(r->json, "email", 254, &email) != JS_OK ||
	    !valid_email(email)) {
		resp_error(r, OCH_EINVAL, "email: not a valid email address");
		return;
	}
	err = magic_tokens(r, email, tok, hash, sealed);
	seals = hex_array(sealed, ENT_MAGIC_FANOUT);
	hashes = hex_array(hash, ENT_MAGIC_FANOUT);
	if (err == OCH_OK && (err = ent_magic_request(r->app->db, email,
	    hashes, seals, &queued)) == OCH_OK)
		log_info("magic link request: %ld queued", queued);
	if (err != OCH_OK)
		resp_error(r, err, NULL);
	else {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "status", "sent");
		resp_json(r, 202, o);
	}
	audit_req(r, "auth.magic_link_request", NULL, NULL, r->status, NULL);
	for (i = 0; i < ENT_MAGIC_FANOUT; i++) {
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
	enum och_err	 err;

	snprintf(uid, sizeof(uid), "%lld", (long long)r->auth.user_id);
	if ((err = all ? ent_session_logout_all(r->app->db, uid) :
	    ent_session_logout(r->app->db, r->auth.session_id)) != OCH_OK) {
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
	struct ent_user	*u;
	char		*viewer;
	cJSON		*o, *insts;
	enum och_err	 err;

	/* read with the session check, in its statement (me_read()) */
	if ((err = ent_user_me(&r->app->cfg, auth_read(r), &u, &insts,
	    &viewer)) != OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)u->id);
	cJSON_AddStringToObject(o, "email", u->email);
	cJSON_AddStringToObject(o, "role", u->role);
	cJSON_AddItemToObject(o, "instances", insts);
	/* an admin's read-only view: whose, so the dashboard can say so */
	if (r->auth.viewer_id != 0)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "view"),
		    "admin_email", viewer != NULL ? viewer : "");
	else
		cJSON_AddNullToObject(o, "view");
	ent_user_free(u);
	free(viewer);
	resp_json(r, 200, o);
}

/* the routes: lib/routes.def */
static const struct route routes[] = { OCH_ROUTES_auth(SRV_ROUTE) };

/* GET /api/v1/me is read by the session check's one statement */
static int
me_read(struct req *r, struct db_batch_item *it, const char **p)
{
	(void)p;
	if (routes[r->slot].fn != h_me)
		return 0;
	ent_user_me_read(it);
	return 1;
}

static int
auth_init(struct app *app)
{
	app->session_read = me_read;
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
