/*
 * ent_session.c: the ways into a session and the sessions themselves
 * (ent.h): the one-time tokens of WHMCS single sign-on and of emailed
 * magic links (used, or previewed), the magic-link request, and opening
 * and revoking sessions.  The session check of every request: lib/auth.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ent_session.h"

#define STR_(x)		#x
#define STR(x)		STR_(x)
#define MAGIC_TTL_MIN	15	/* minutes a magic link lives */
#define MAGIC_PER_ADDR	10	/* link emails to one address an hour */
#define MAGIC_PER_ACCT	5	/* links for one account an hour */

/* SSO signs in a WHMCS client's own user only, never an admin. */
static const struct db_stmt stmt_sso_use = { "ent_login_sso_use",
	"UPDATE sso_tokens t SET used_at = now() FROM users u"
	" WHERE t.token_hash = $1 AND t.used_at IS NULL"
	" AND t.expires_at > now() AND u.id = t.user_id"
	" AND u.role = 'customer' AND u.whmcs_client_id IS NOT NULL"
	" RETURNING t.user_id, t.instance_id" };
static const struct db_stmt stmt_magic_use = { "ent_login_magic_use",
	"UPDATE magic_links SET used_at = now() WHERE token_hash = $1"
	" AND used_at IS NULL AND expires_at > now()"
	" RETURNING user_id, NULL::uuid" };
enum { PV_EMAIL, PV_ROLE, PV_CUSTOMER, PV_INSTANCE, PV_SLUG };
static const struct db_stmt stmt_sso_preview = { "ent_login_sso_preview",
	"SELECT u.email, u.role, u.whmcs_client_id IS NOT NULL, i.id, i.slug"
	" FROM sso_tokens t JOIN users u ON u.id = t.user_id"
	" LEFT JOIN instances i ON i.id = t.instance_id"
	" WHERE t.token_hash = $1 AND t.used_at IS NULL"
	" AND t.expires_at > now() AND u.role = 'customer'"
	" AND u.whmcs_client_id IS NOT NULL" };
static const struct db_stmt stmt_magic_preview = { "ent_login_magic_preview",
	"SELECT u.email, u.role, u.whmcs_client_id IS NOT NULL, NULL, NULL"
	" FROM magic_links t JOIN users u ON u.id = t.user_id"
	" WHERE t.token_hash = $1 AND t.used_at IS NULL"
	" AND t.expires_at > now()" };
/* admins get the shorter absolute lifetime; column 1: seconds left */
static const struct db_stmt stmt_session_new = { "ent_session_open",
	"INSERT INTO sessions (user_id, csrf_hash, expires_at, ip, user_agent)"
	" SELECT u.id, $2, now() + make_interval(secs => CASE u.role"
	"  WHEN 'admin' THEN $6::integer ELSE $3::integer END),"
	"  $4::inet, left($5, 200) FROM users u WHERE u.id = $1::bigint"
	" RETURNING id, extract(epoch FROM expires_at - now())::integer" };
/*
 * A magic-link request in one statement, the same for every address
 * (the answer and the work do not tell who has an account).
 * For each account of the address (at most ENT_MAGIC_FANOUT): unless a
 * link for it was minted in the last minute (that live link is on its
 * way: reused, not multiplied), the account had MAGIC_PER_ACCT links in
 * the last hour, or the address got MAGIC_PER_ADDR link emails in the
 * hour, its older links die, a new one ($2[n] hashes the token of the
 * link $3[n], sealed for the address: lib/outbox.h) is stored and
 * emailed.  Returns how many were queued.
 */
static const struct db_stmt stmt_magic_new = { "ent_magic_request",
	"WITH u AS (SELECT id, email, whmcs_client_id IS NULL AS operator,"
	"  row_number() OVER (ORDER BY id) AS n FROM users"
	"  WHERE email = lower($1) ORDER BY id LIMIT " STR(ENT_MAGIC_FANOUT) "),"
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
static const struct db_stmt stmt_logout = { "ent_session_logout",
	"UPDATE sessions SET revoked_at = now() WHERE id = $1::uuid"
	" OR id = (SELECT viewer_session_id FROM sessions WHERE id = $1::uuid)" };
static const struct db_stmt stmt_replaced = { "ent_session_replaced",
	"UPDATE sessions SET revoked_at = now() WHERE id = $1::uuid"
	" AND revoked_at IS NULL" };
static const struct db_stmt stmt_logout_all = { "ent_session_logout_all",
	"UPDATE sessions SET revoked_at = now() WHERE user_id = $1::bigint"
	" AND revoked_at IS NULL" };

enum och_err
ent_login_use(struct db *db, enum ent_login kind, const char *hash,
    struct ent_login_user *out)
{
	PGresult	*res;
	const char	*p[1] = { hash };
	enum och_err	 err;

	memset(out, 0, sizeof(*out));
	if ((res = db_exec(db, kind == ENT_LOGIN_SSO ? &stmt_sso_use :
	    &stmt_magic_use, 1, p, &err)) == NULL)
		return err;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return OCH_ENOTFOUND;
	}
	out->user_id = db_dup_empty(res, 0, 0);
	out->instance_id = db_dup(res, 0, 1);
	PQclear(res);
	return OCH_OK;
}

void
ent_login_user_free(struct ent_login_user *u)
{
	free(u->user_id);
	free(u->instance_id);
	memset(u, 0, sizeof(*u));
}

enum och_err
ent_login_preview(struct db *db, enum ent_login kind, const char *hash,
    struct ent_login_preview *out)
{
	PGresult	*res;
	const char	*p[1] = { hash };
	enum och_err	 err;

	memset(out, 0, sizeof(*out));
	if ((res = db_exec(db, kind == ENT_LOGIN_SSO ? &stmt_sso_preview :
	    &stmt_magic_preview, 1, p, &err)) == NULL)
		return err;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return OCH_ENOTFOUND;
	}
	out->email = db_dup_empty(res, 0, PV_EMAIL);
	out->role = db_dup_empty(res, 0, PV_ROLE);
	out->customer = db_bool(res, 0, PV_CUSTOMER);
	out->instance_id = db_dup(res, 0, PV_INSTANCE);
	out->slug = db_dup(res, 0, PV_SLUG);
	PQclear(res);
	return OCH_OK;
}

void
ent_login_preview_free(struct ent_login_preview *v)
{
	free(v->email);
	free(v->role);
	free(v->instance_id);
	free(v->slug);
	memset(v, 0, sizeof(*v));
}

enum och_err
ent_session_open(struct db *db, const struct ent_session_in *in,
    char **sid, int *ttl)
{
	PGresult	*res;
	const char	*p[6];
	char		 t[16], at[16];
	enum och_err	 err;

	*sid = NULL;
	*ttl = 0;
	snprintf(t, sizeof(t), "%d", in->ttl);
	snprintf(at, sizeof(at), "%d", in->admin_ttl);
	p[0] = in->user_id;
	p[1] = in->csrf_hash;
	p[2] = t;
	p[3] = in->ip;
	p[4] = in->user_agent;
	p[5] = at;
	if ((res = db_exec(db, &stmt_session_new, 6, p, &err)) == NULL)
		return err;
	if (PQntuples(res) != 1)
		err = OCH_ENOTFOUND;
	else {
		*sid = db_dup_empty(res, 0, 0);
		*ttl = (int)db_int(res, 0, 1);
	}
	PQclear(res);
	return err;
}

enum och_err
ent_magic_request(struct db *db, const char *email, const char *hashes,
    const char *sealed, long *queued)
{
	PGresult	*res;
	const char	*p[3] = { email, hashes, sealed };
	enum och_err	 err;

	*queued = 0;
	if ((res = db_exec(db, &stmt_magic_new, 3, p, &err)) == NULL)
		return err;
	*queued = (long)db_int(res, 0, 0);
	PQclear(res);
	return OCH_OK;
}

enum och_err
ent_session_replaced(struct db *db, const char *sid)
{
	const char	*p[1] = { sid };

	return db_run(db, &stmt_replaced, 1, p, NULL);
}

enum och_err
ent_session_logout(struct db *db, const char *sid)
{
	const char	*p[1] = { sid };

	return db_run(db, &stmt_logout, 1, p, NULL);
}

enum och_err
ent_session_logout_all(struct db *db, const char *uid)
{
	const char	*p[1] = { uid };

	return db_run(db, &stmt_logout_all, 1, p, NULL);
}

/* the session check (ent_session.h: ENT_SESSION_LIVE_*) */
enum { SL_USER, SL_ROLE, SL_CSRF, SL_STALE, SL_VIEWER };
static const struct db_stmt stmt_live = { "ent_session_live",
	"SELECT" ENT_SESSION_LIVE_COLS ENT_SESSION_LIVE_FROM
	ENT_SESSION_LIVE_WHERE };
/* a view's use keeps the admin session it came from awake too */
static const struct db_stmt stmt_seen = { "ent_session_seen",
	"UPDATE sessions SET last_seen_at = now() WHERE id = $1::uuid"
	" OR id = (SELECT viewer_session_id FROM sessions WHERE id = $1::uuid)" };
static const struct db_stmt stmt_agent_token = { "ent_agent_token_of",
	"SELECT instance_id FROM agent_tokens"
	" WHERE token_hash = $1 AND revoked_at IS NULL" };

void
ent_session_live_item(struct db_batch_item *it, const char **p,
    const char *sid, const char *uid, const char *idle)
{
	p[0] = sid;
	p[1] = uid;
	p[2] = idle;
	it->stmt = &stmt_live;
	it->n = 3;
	it->params = p;
}

int
ent_session_live_read(const PGresult *res, struct ent_session_live *out)
{
	memset(out, 0, sizeof(*out));
	if (PQntuples(res) < 1 || PQnfields(res) < ENT_SESSION_LIVE_NCOLS)
		return 0;
	out->admin = strcmp(db_val(res, 0, SL_ROLE), "admin") == 0;
	snprintf(out->csrf_hash, sizeof(out->csrf_hash), "%s",
	    db_val(res, 0, SL_CSRF) != NULL ? db_val(res, 0, SL_CSRF) : "");
	out->seen_stale = db_bool(res, 0, SL_STALE);
	if (db_val(res, 0, SL_VIEWER) != NULL)
		snprintf(out->viewer, sizeof(out->viewer), "%s",
		    db_val(res, 0, SL_VIEWER));
	return 1;
}

enum och_err
ent_session_seen(struct db *db, const char *sid)
{
	const char	*p[1] = { sid };

	return db_run(db, &stmt_seen, 1, p, NULL);
}

enum och_err
ent_agent_token_of(struct db *db, const char *hash, char **id)
{
	const char	*p[1] = { hash };
	enum och_err	 err;

	if ((err = db_first(db, &stmt_agent_token, 1, p, id)) != OCH_OK)
		return err;
	return *id != NULL ? OCH_OK : OCH_ENOTFOUND;
}
