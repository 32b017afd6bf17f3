/*
 * auth.h: authentication of a request for the kind its route declares.
 */
#ifndef OCH_AUTH_H
#define OCH_AUTH_H

#include "req.h"

/*
 * The session cookies, __Host- prefixed: Secure, Path=/, no
 * Domain, so no other host (a customer's instance under a shared parent
 * domain) can set or shadow them.  t/lib/OCH/Stack.pm and webapp/src/
 * api.ts read the names from here.
 */
#define AUTH_COOKIE_SESSION	"__Host-och_session"
#define AUTH_COOKIE_CSRF	"__Host-och_csrf"
/* Session lifetimes, seconds: customers; admins (absolute, idle). */
#define AUTH_SESSION_TTL	(7 * 24 * 3600)
#define AUTH_ADMIN_TTL		(8 * 3600)
#define AUTH_ADMIN_IDLE		(30 * 60)

/*
 * Authenticate r for kind and fill r->auth.  Returns OCH_OK, OCH_EAUTH
 * (401: missing, malformed, stale, replayed or wrong credentials),
 * OCH_EFORBIDDEN (403: authenticated but not allowed), or OCH_EDB (503).
 * Failures never say which check failed.
 *
 * An admin's read-only view of a customer's dashboard (lib/view.h) is a
 * session of the customer's user: it reads what the customer reads, and
 * every unsafe method is refused it (403, r->auth.viewer_id set) unless
 * the route's kind is AUTH_SESSION_VIEW.
 */
enum och_err	auth_check(struct req *r, enum auth_kind kind);
/*
 * Set (jwt and csrf, max_age > 0) or clear (NULL, NULL, 0) both session
 * cookies on r's answer.
 */
void		auth_set_cookies(struct req *r, const char *jwt,
		    const char *csrf, int max_age);
/*
 * The value of cookie `name` in a Cookie header, copied into out (size
 * outlen).  Returns 0, or -1 when absent, empty or too long.
 */
int		auth_cookie(const char *header, const char *name, char *out,
		    size_t outlen);
/*
 * What a caller means to do with an instance (auth_may_see).  A
 * terminated instance keeps its record — the billing system, its owner
 * and the admins still read it and its history, and an action on it is
 * answered 409 with the reason — but it has no server any more: its
 * settings, secrets, status, metrics and backups are 404 like an
 * instance that never was, so nothing is written for a server that is
 * gone.
 */
enum auth_see {
	AUTH_SEE_RECORD,	/* the record, its events and alerts, actions */
	AUTH_SEE_LIVE		/* everything about its server: not terminated */
};

/*
 * Ownership, the one predicate every route that names an
 * instance uses: 1 if the authenticated request may see instance id for
 * `see` — the billing system (HMAC) and admins see every instance, a
 * customer session only its own user's; AUTH_SEE_LIVE also refuses a
 * terminated instance.  When state is not NULL it gets the instance's
 * state (statesz bytes, "" when refused).  0 otherwise (the caller
 * answers 404, so others' ids stay unknown), with *err set to a
 * database error when that was the reason (else OCH_OK).
 */
int		auth_may_see(struct req *r, const char *id, enum auth_see see,
		    char *state, size_t statesz, enum och_err *err);
/*
 * auth_may_see()'s rule for a session as SQL, the one copy of it: the
 * instance row aliased `i` is visible to user `uid` (an SQL expression)
 * when it is theirs or they are an admin.  auth_may_see() and a
 * statement read in the session check's round trip (lib/ent_instance.c),
 * before the role is known, both use it.
 */
#define AUTH_MAY_SEE_SQL(i, uid) \
	"(" i ".user_id = " uid " OR EXISTS (SELECT 1 FROM users a" \
	" WHERE a.id = " uid " AND a.role = 'admin'))"
/*
 * The result of the statement r's app->session_read (lib/req.h) made the
 * session check, read in its one round trip; the caller now owns it
 * (PQclear), its rows those of the check (ent_session_live_read()'s
 * columns first) and the route's.  NULL when there was none (another
 * kind of authentication, not a GET, no such read for this route or
 * this request): then the handler runs its statements itself.
 */
PGresult	*auth_read(struct req *r);
/* Release what auth_check() put in r->auth. */
void		auth_clear(struct req_auth *);

#endif
