/*
 * view.c: an admin's read-only view of a customer's dashboard (view.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cfg.h"
#include "cry.h"
#include "db.h"
#include "log.h"
#include "tok.h"
#include "view.h"

/* The instance's owner: id, email, role. */
static const struct db_stmt stmt_owner = { "view_owner",
	"SELECT u.id, u.email, u.role FROM instances i"
	" JOIN users u ON u.id = i.user_id WHERE i.id = $1::uuid" };
/*
 * The view: the owner's session, as long as the admin session $5 is
 * live (it cannot outlive it).  Column 1: seconds left; 2: when it ends.
 */
static const struct db_stmt stmt_open = { "view_open",
	"INSERT INTO sessions (user_id, csrf_hash, expires_at, ip, user_agent,"
	" viewer_session_id)"
	" SELECT $1::bigint, $2, p.expires_at, $3::inet, left($4, 200), p.id"
	" FROM sessions p WHERE p.id = $5::uuid AND p.revoked_at IS NULL"
	" AND p.expires_at > now()"
	" RETURNING id, ceil(extract(epoch FROM expires_at - now()))::integer,"
	" to_char(expires_at AT TIME ZONE 'UTC',"
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')" };
/* The view ends; column 0: the admin session it came from. */
static const struct db_stmt stmt_close = { "view_close",
	"UPDATE sessions SET revoked_at = now() WHERE id = $1::uuid"
	" AND viewer_session_id IS NOT NULL AND revoked_at IS NULL"
	" RETURNING viewer_session_id" };
/* The admin session, live and still an admin's, with a new CSRF hash. */
static const struct db_stmt stmt_resume = { "view_resume",
	"UPDATE sessions p SET csrf_hash = $2, last_seen_at = now()"
	" FROM users a WHERE p.id = $1::uuid AND a.id = p.user_id"
	" AND a.role = 'admin' AND p.revoked_at IS NULL AND p.expires_at > now()"
	" RETURNING p.user_id,"
	" ceil(extract(epoch FROM p.expires_at - now()))::integer" };

/*
 * Store csrf's hash through stmt (params p, its [1] the hash), then make
 * the JWT for (column uidcol, session sid) of the answer and set both
 * cookies for column ttlcol's seconds.  Inside the caller's transaction,
 * which it commits when this returns OCH_OK (then *res is the answer).
 */
static enum och_err
hand_over(struct req *r, const struct db_stmt *stmt, const char **p, int np,
    const char *csrf, PGresult **res, int sidcol, const char *sid,
    int uidcol, const char *uid, int ttlcol)
{
	char		 chash[65], *jwt;
	enum och_err	 err;

	cry_sha256_hex(csrf, strlen(csrf), chash);
	p[1] = chash;
	if ((*res = db_exec(r->app->db, stmt, np, p, &err)) == NULL)
		return err;
	if (PQntuples(*res) != 1)
		return OCH_EAUTH;
	jwt = tok_issue(cfg_get(&r->app->cfg, CFG_JWT_SECRET),
	    uidcol >= 0 ? db_val(*res, 0, uidcol) : uid,
	    sidcol >= 0 ? db_val(*res, 0, sidcol) : sid,
	    (int)db_int(*res, 0, ttlcol));
	if (jwt == NULL)
		return OCH_ESYSTEM;
	if (db_commit(r->app->db) < 0) {
		xfree_secret(jwt);
		return OCH_EDB;
	}
	auth_set_cookies(r, jwt, csrf, (int)db_int(*res, 0, ttlcol));
	xfree_secret(jwt);
	return OCH_OK;
}

enum och_err
view_open(struct req *r, const char *id, cJSON **out, char *uid,
    size_t uidsz)
{
	struct db	*db = r->app->db;
	PGresult	*own = NULL, *s = NULL;
	const char	*p[5];
	char		*csrf = NULL;
	cJSON		*u;
	enum och_err	 err;

	*out = NULL;
	p[0] = id;
	if ((own = db_exec(db, &stmt_owner, 1, p, &err)) == NULL)
		return err;
	if (PQntuples(own) != 1) {
		PQclear(own);
		return OCH_ENOTFOUND;
	}
	/* never an admin's dashboard: a view is of a customer's */
	if (strcmp(db_val(own, 0, 2), "customer") != 0) {
		PQclear(own);
		return OCH_ECONFLICT;
	}
	if ((csrf = cry_token(32)) == NULL) {
		PQclear(own);
		return OCH_ESYSTEM;
	}
	if (db_begin(db) < 0) {
		err = OCH_EDB;
		goto out;
	}
	p[0] = db_val(own, 0, 0);
	p[2] = r->remote;
	p[3] = req_header(r, "USER_AGENT");
	p[4] = r->auth.session_id;
	if ((err = hand_over(r, &stmt_open, p, 5, csrf, &s, 0, NULL, -1,
	    db_val(own, 0, 0), 1)) != OCH_OK) {
		db_rollback(db);
		goto out;
	}
	snprintf(uid, uidsz, "%s", db_val(own, 0, 0));
	log_info("view: admin %lld opened a read-only view of user %s",
	    (long long)r->auth.user_id, uid);
	*out = cJSON_CreateObject();
	cJSON_AddStringToObject(*out, "csrf_token", csrf);
	u = cJSON_AddObjectToObject(*out, "user");
	cJSON_AddNumberToObject(u, "id", (double)db_int(own, 0, 0));
	cJSON_AddStringToObject(u, "email", db_val(own, 0, 1));
	cJSON_AddStringToObject(*out, "instance_id", id);
	cJSON_AddStringToObject(*out, "expires_at", db_val(s, 0, 2));
out:
	PQclear(own);
	PQclear(s);
	xfree_secret(csrf);
	return err;
}

enum och_err
view_end(struct req *r, cJSON **out)
{
	struct db	*db = r->app->db;
	PGresult	*v = NULL, *s = NULL;
	const char	*p[2];
	char		*csrf = NULL, *parent = NULL;
	enum och_err	 err;

	*out = NULL;
	if (r->auth.viewer_id == 0)
		return OCH_ECONFLICT;
	if ((csrf = cry_token(32)) == NULL)
		return OCH_ESYSTEM;
	if (db_begin(db) < 0) {
		err = OCH_EDB;
		goto out;
	}
	p[0] = r->auth.session_id;
	if ((v = db_exec(db, &stmt_close, 1, p, &err)) == NULL)
		goto fail;
	if (PQntuples(v) != 1) {
		err = OCH_ECONFLICT;
		goto fail;
	}
	parent = xstrdup(db_val(v, 0, 0));
	p[0] = parent;
	err = hand_over(r, &stmt_resume, p, 2, csrf, &s, -1, parent, 0, NULL,
	    1);
	if (err == OCH_EAUTH) {
		/* the admin session is gone: the view ends all the same */
		if (db_commit(db) < 0) {
			err = OCH_EDB;
			goto out;
		}
		auth_set_cookies(r, NULL, NULL, 0);
		goto out;
	}
	if (err != OCH_OK)
		goto fail;
	log_info("view: admin %lld ended the read-only view of user %lld",
	    (long long)r->auth.viewer_id, (long long)r->auth.user_id);
	*out = cJSON_CreateObject();
	cJSON_AddStringToObject(*out, "csrf_token", csrf);
	goto out;
fail:
	db_rollback(db);
out:
	PQclear(v);
	PQclear(s);
	free(parent);
	xfree_secret(csrf);
	return err;
}
