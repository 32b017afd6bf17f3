/*
 * audit.c: writing audit_log rows (see audit.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "log.h"

/* $10: the customer an admin's read-only view shows, into the detail */
static const struct db_stmt stmt_audit = { "audit_insert",
	AUDIT_INSERT_SQL " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::integer,"
	" CASE WHEN $10::bigint IS NULL THEN $9::jsonb"
	" ELSE coalesce($9::jsonb, '{}'::jsonb)"
	"  || jsonb_build_object('view_of_user', $10::bigint) END)" };

static int
insert(struct db *db, const char *const p[10], int later)
{
	if ((later ? db_send(db, &stmt_audit, 10, p) :
	    db_run(db, &stmt_audit, 10, p, NULL)) != OCH_OK) {
		log_warn("audit record for '%s' not written", p[2]);
		return -1;
	}
	return 0;
}

static int
record(struct req *r, const char *action, const char *object_kind,
    const char *object_id, int status, const char *detail, int later)
{
	const char	*p[10];
	char		 st[16], uid[32], viewed[32];

	snprintf(st, sizeof(st), "%d", status);
	p[9] = NULL;
	switch (r->auth.kind) {
	case AUTH_HMAC:
	case AUTH_HMAC_OR_SESSION:
		p[0] = "api_client";
		p[1] = r->auth.client_id;
		break;
	case AUTH_AGENT:
	case AUTH_BOOTSTRAP:
		p[0] = "agent";
		p[1] = r->auth.instance_id;
		break;
	case AUTH_SESSION:
	case AUTH_ADMIN:
		/* the same in SQL: AUDIT_SESSION_ACTOR_SQL, _DETAIL_SQL */
		snprintf(uid, sizeof(uid), "%lld", (long long)r->auth.user_id);
		p[0] = r->auth.is_admin ? "admin" : "user";
		p[1] = uid;
		if (r->auth.viewer_id != 0) {
			/* a read-only view: the admin acts, the user is seen */
			snprintf(viewed, sizeof(viewed), "%s", uid);
			snprintf(uid, sizeof(uid), "%lld",
			    (long long)r->auth.viewer_id);
			p[0] = "admin";
			p[9] = viewed;
		}
		break;
	default:
		p[0] = "system";
		p[1] = NULL;
		break;
	}
	p[2] = action;
	p[3] = object_kind;
	p[4] = object_id;
	p[5] = r->remote;
	p[6] = log_reqid();
	p[7] = st;
	p[8] = detail;
	/* never inside the handler's transaction: a rollback must not lose it */
	if (db_in_tx(r->app->db)) {
		log_error("audit_req called inside a transaction");
		return -1;
	}
	return insert(r->app->db, p, later);
}

int
audit_req(struct req *r, const char *action, const char *object_kind,
    const char *object_id, int status, const char *detail)
{
	return record(r, action, object_kind, object_id, status, detail, 0);
}

int
audit_req_send(struct req *r, const char *action, const char *object_kind,
    const char *object_id, int status, const char *detail)
{
	return record(r, action, object_kind, object_id, status, detail, 1);
}
