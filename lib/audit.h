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

#endif
