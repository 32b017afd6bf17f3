/*
 * audit.h: the append-only audit log (who, what, on which object, from
 * where, when, with which outcome).  Never holds a secret.
 */
#ifndef OCH_AUDIT_H
#define OCH_AUDIT_H

#include "req.h"

/*
 * Record what request r did: action (e.g. "instance.suspend"), the object
 * it touched (kind and id, either may be NULL), the answer's status, and
 * optional detail (a JSON object text or NULL).  The actor comes from
 * r->auth; through an admin's read-only view it is that admin, and the
 * detail gains {"view_of_user": <the customer's id>}.  Failures are
 * logged, never fatal: returns 0 or -1.
 */
int	audit_req(struct req *r, const char *action, const char *object_kind,
	    const char *object_id, int status, const char *detail);
/*
 * The same record, sent without waiting for the server's answer
 * (db_send()): it costs the request no round trip.  Returns 0 when sent,
 * -1 (logged) when not; a failure the server reports later is logged.
 */
int	audit_req_send(struct req *r, const char *action,
	    const char *object_kind, const char *object_id, int status,
	    const char *detail);

/*
 * The record as SQL, for a statement that writes it itself (a session
 * read, lib/routes.def AUDIT_READ): AUDIT_INSERT_SQL names the columns
 * in the order the statement selects them (actor_kind, actor_id, action,
 * object_kind, object_id, remote_addr, request_id, status, detail);
 * AUDIT_SESSION_ACTOR_SQL (actor_kind, actor_id) and
 * AUDIT_SESSION_DETAIL_SQL (detail) are what audit_req() makes of a
 * cookie session's r->auth, from the session's role, user id and viewing
 * admin (SQL expressions): an admin's read-only view is the admin acting
 * with {"view_of_user": <the customer's id>}.
 */
#define AUDIT_INSERT_SQL \
	"INSERT INTO audit_log (actor_kind, actor_id, action, object_kind," \
	" object_id, remote_addr, request_id, status, detail)"
#define AUDIT_SESSION_ACTOR_SQL(role, uid, viewer) \
	"CASE WHEN " viewer " IS NOT NULL OR " role " = 'admin'" \
	" THEN 'admin' ELSE 'user' END, coalesce(" viewer ", " uid ")::text"
#define AUDIT_SESSION_DETAIL_SQL(uid, viewer) \
	"CASE WHEN " viewer " IS NOT NULL THEN" \
	" jsonb_build_object('view_of_user', " uid ") END"

#endif
