/*
 * ent_session.h: sign-in tokens and sessions (lib/ent_session.c).  The
 * ownership rule and the shared views are lib/ent.h's.
 */
#ifndef OCH_ENT_SESSION_H
#define OCH_ENT_SESSION_H

#include "ent.h"

/* The one-time tokens that open a session (schema: sso_tokens,
 * magic_links); the caller passes their SHA-256 hash. */
enum ent_login { ENT_LOGIN_SSO, ENT_LOGIN_MAGIC };
/* accounts one address may sign in to (a magic-link request's tokens) */
#define ENT_MAGIC_FANOUT	4
struct ent_login_user {
	char	*user_id;	/* a bigint's text */
	char	*instance_id;	/* the instance an SSO token named, or NULL */
};
/*
 * In the caller's transaction: use up a live token of kind: *out whose
 * it is (caller frees with ent_login_user_free()).  Returns OCH_OK,
 * OCH_ENOTFOUND (unknown, used or expired; an SSO token of an operator)
 * or db_exec()'s error.
 */
enum och_err	 ent_login_use(struct db *, enum ent_login, const char *hash,
		    struct ent_login_user *out);
void		 ent_login_user_free(struct ent_login_user *);
/* Whose account a live token signs in to, without using it. */
struct ent_login_preview {
	char	*email;
	char	*role;
	int	 customer;	/* a WHMCS client's user (else an operator) */
	char	*instance_id;	/* the instance an SSO token named, or NULL */
	char	*slug;		/* its slug, or NULL */
};
/*
 * *out for a live token of kind (caller frees with
 * ent_login_preview_free()).  Returns OCH_OK, OCH_ENOTFOUND or
 * db_exec()'s error.
 */
enum och_err	 ent_login_preview(struct db *, enum ent_login,
		    const char *hash, struct ent_login_preview *out);
void		 ent_login_preview_free(struct ent_login_preview *);
/*
 * A magic-link request for email: hashes and sealed are text[] literals
 * of ENT_MAGIC_FANOUT token hashes and the links sealed for the address;
 * the same work for every address (stored and emailed only for its
 * accounts, within the hourly limits).  *queued: how many emails.
 * Returns OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_magic_request(struct db *, const char *email,
		    const char *hashes, const char *sealed, long *queued);
/* A new session (schema: sessions); the strings are the caller's. */
struct ent_session_in {
	const char	*user_id;
	const char	*csrf_hash;	/* SHA-256 hex of its CSRF token */
	int		 ttl;		/* seconds, a customer's */
	int		 admin_ttl;	/* seconds, an admin's */
	const char	*ip;		/* or NULL */
	const char	*user_agent;	/* or NULL */
};
/*
 * Open a session: *sid its id (caller frees), *ttl its seconds left.
 * Returns OCH_OK, OCH_ENOTFOUND (no such user) or db_exec()'s error.
 */
enum och_err	 ent_session_open(struct db *, const struct ent_session_in *,
		    char **sid, int *ttl);
/* Revoke session sid if live (a sign-in replaced it); OCH_OK or error. */
enum och_err	 ent_session_replaced(struct db *, const char *sid);
/* Revoke session sid and, for a read-only view, the admin session it
 * came from (signing out means out); OCH_OK or error. */
enum och_err	 ent_session_logout(struct db *, const char *sid);
/* Revoke every live session of user uid; OCH_OK or error. */
enum och_err	 ent_session_logout_all(struct db *, const char *uid);

/* A live session as every request's check reads it (lib/auth.c). */
struct ent_session_live {
	int	 admin;			/* its user's role is admin */
	char	 csrf_hash[65];		/* SHA-256 hex of its CSRF token */
	int	 seen_stale;		/* last seen over a minute ago */
	char	 viewer[24];		/* a read-only view: the viewing
					 * admin's user id; "" otherwise */
};
/*
 * The session check as SQL, its one copy (lib/ent_session.c's statement
 * and every read that extends it, req.h's app->session_read): session
 * $1 (its id) of user $2 is live — not revoked, not expired and, for an
 * admin, used in the last $3 seconds; a read-only view (viewer_session_id
 * set, schema/161_view_sessions.sql) only while the admin session it was
 * opened from is live too and its user still an admin.  A statement
 * selects ENT_SESSION_LIVE_COLS first (ENT_SESSION_LIVE_NCOLS of them,
 * what ent_session_live_read() reads), FROM ENT_SESSION_LIVE_FROM (the
 * session s, its user u, a view's admin session v) and whatever it joins
 * after, then ENT_SESSION_LIVE_WHERE: no row when the session is dead.
 */
#define ENT_SESSION_LIVE_COLS \
	" s.user_id, u.role, s.csrf_hash," \
	" s.last_seen_at < now() - interval '1 minute', v.user_id"
#define ENT_SESSION_LIVE_NCOLS	5
#define ENT_SESSION_LIVE_FROM \
	" FROM sessions s JOIN users u ON u.id = s.user_id" \
	" LEFT JOIN sessions v ON v.id = s.viewer_session_id"
#define ENT_SESSION_LIVE_WHERE \
	" WHERE s.id = $1::uuid AND s.user_id = $2::bigint" \
	" AND s.revoked_at IS NULL AND s.expires_at > now()" \
	" AND (u.role <> 'admin' OR" \
	"  s.last_seen_at > now() - make_interval(secs => $3::integer))" \
	" AND (s.viewer_session_id IS NULL OR (v.revoked_at IS NULL" \
	"  AND v.expires_at > now()" \
	"  AND v.last_seen_at > now() - make_interval(secs => $3::integer)" \
	"  AND EXISTS (SELECT 1 FROM users a WHERE a.id = v.user_id" \
	"   AND a.role = 'admin')))"
/*
 * The statement that finds session sid of user uid live (an admin's, or
 * a view's admin session, used in the last idle seconds: a number's
 * text) into *it for db_batch(), its parameters in p[0..2] (the strings
 * the caller's, alive until the batch ran).
 */
void		 ent_session_live_item(struct db_batch_item *it,
		    const char **p, const char *sid, const char *uid,
		    const char *idle);
/*
 * The answer of that item, or of a statement that extends it (its first
 * row): 1 with *out filled when live, else 0.
 */
int		 ent_session_live_read(const PGresult *,
		    struct ent_session_live *out);
/* Session sid (and a view's admin session) used now; OCH_OK or error. */
enum och_err	 ent_session_seen(struct db *, const char *sid);
/*
 * The instance whose live agent token has SHA-256 hash: *id (caller
 * frees).  Returns OCH_OK, OCH_ENOTFOUND or db_exec()'s error.
 */
enum och_err	 ent_agent_token_of(struct db *, const char *hash, char **id);

#endif
