/*
 * inst.h: instance records shared by the API binaries and the poller:
 * the lifecycle transitions that write history and outbox rows in the
 * caller's transaction, the wake-up NOTIFY, and the JSON shape of an
 * instance.
 *
 * The states and the moves between them: lifecycle.h and
 * schema/180_lifecycle.sql.  desired_state: active | suspended |
 * terminated.
 */
#ifndef OCH_INST_H
#define OCH_INST_H

#include <cjson/cJSON.h>

#include "cfg.h"
#include "db.h"

/* The channel the poller LISTENs on; payload is the instance id. */
#define INST_CHANNEL "och_provision"

/*
 * The columns of an instance as the API shows it, in one list:
 * X(ENUM, field, SQL, J) with the SQL expression (each after the first
 * starts with ", ") and J how inst_json() renders it: S a string, N a
 * number (null when NULL either way).  INST_COLUMNS (the SELECT list),
 * the positions INST_COL_* (INST_NCOLS of them), lib/ent_instance.h's
 * struct ent_instance and its JSON all derive from it.  A query may select
 * more columns after INST_COLUMNS: the first of them is at position
 * INST_NCOLS.
 */
#define INST_TS(col) \
	" to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define INST_COLS(X) \
	X(ID,		id,		"i.id",			S) \
	X(SLUG,		slug,		", i.slug",		S) \
	X(STATE,	state,		", i.state",		S) \
	X(DESIRED,	desired_state,	", i.desired_state",	S) \
	X(PLAN,		plan,		", i.plan",		S) \
	X(REGION,	region,		", i.region",		S) \
	X(IPV4,		ipv4,		", host(i.ipv4)",	S) \
	X(IPV6,		ipv6,		", i.ipv6",		S) \
	X(LAST_ERROR,	last_error,	", i.last_error",	S) \
	X(WHMCS_SERVICE, whmcs_service_id, ", i.whmcs_service_id", N) \
	X(WHMCS_CLIENT,	whmcs_client_id, ", i.whmcs_client_id",	N) \
	X(SERVER_ID,	hetzner_server_id, ", i.hetzner_server_id", N) \
	X(PENDING_PLAN,	pending_plan,	", i.pending_plan",	S) \
	X(PENDING_ACTION, pending_action, ", i.pending_action",	S) \
	X(ATTEMPTS,	attempts,	", i.attempts",		N) \
	X(VERSION,	openclaw_version, ", i.openclaw_version", S) \
	X(CREATED_AT,	created_at,	"," INST_TS("i.created_at"), S) \
	X(UPDATED_AT,	updated_at,	"," INST_TS("i.updated_at"), S) \
	X(ACTIVE_AT,	active_at,	"," INST_TS("i.active_at"), S) \
	X(EMAIL,	email,		", u.email",		S)

#define INST_COL_SQL_(e, f, sql, j) sql
#define INST_COLUMNS INST_COLS(INST_COL_SQL_)
#define INST_FROM " FROM instances i JOIN users u ON u.id = i.user_id"

#define INST_COL_ENUM_(e, f, sql, j) INST_COL_##e,
enum inst_col { INST_COLS(INST_COL_ENUM_) INST_NCOLS };
#undef INST_COL_ENUM_

/*
 * Render row `row` of a result selected with INST_COLUMNS
 * (lib/ent_instance.h's struct ent_instance is the typed form:
 * ent_instance_json()).
 */
cJSON		*inst_json(const PGresult *, int row, const struct cfg *);
/* The same of INST_COLUMNS selected from column col0 on. */
cJSON		*inst_json_at(const PGresult *, int row, int col0,
		    const struct cfg *);
/* "<slug>.<CLOUDFLARE_DOMAIN>" into a new string (caller frees). */
char		*inst_hostname(const char *slug, const struct cfg *);

/*
 * Append to instance_events.  Returns OCH_OK or a db_exec() error.
 * from/to/message/actor may be NULL.
 */
enum och_err	 inst_event(struct db *, const char *id, const char *kind,
		    const char *from, const char *to, const char *message,
		    const char *actor);
/* Wake the provision pollers (NOTIFY on INST_CHANNEL); OCH_OK or error. */
enum och_err	 inst_notify(struct db *, const char *id);

/*
 * Move an instance whose VPS reported ready to `active`, inside the
 * caller's transaction: state, active_at, attempts reset, history, the
 * welcome email (once per instance: dedupe key) and the WHMCS update in
 * the outboxes.  from is the state it leaves.  Returns OCH_OK or error.
 */
enum och_err	 inst_activate(struct db *, const struct cfg *,
		    const char *id, const char *from, const char *actor);

/*
 * Queue an email in the outbox (inside the caller's transaction).
 * vars is a JSON object text (NULL for {}); dedupe may be NULL (no
 * dedupe) or a key that makes a second queueing a no-op.
 */
enum och_err	 inst_email(struct db *, const char *id, const char *tmpl,
		    const char *to, const char *vars, const char *dedupe);
/*
 * Tell the operators (ADMIN_EMAIL) that an instance needs one: the
 * provisioning_failed email in the outbox, inside the caller's
 * transaction.  host, customer and plan may be NULL.  Returns OCH_OK (also
 * when ADMIN_EMAIL is unset: logged) or a database error.
 */
enum och_err	 inst_email_admins(struct db *, const struct cfg *,
		    const char *id, const char *host, const char *customer,
		    const char *plan, const char *step, const char *why);

/*
 * The VPS's own setup failed (its ready call or report said so): a
 * booting or rebuilding instance becomes `failed` with the reason, resumes
 * as a rebuild when retried, the operators are emailed, and no welcome
 * email goes out.  Inside the caller's transaction.  Returns OCH_OK,
 * OCH_ENOTFOUND (not in such a state any more) or a database error.
 */
enum och_err	 inst_setup_failed(struct db *, const struct cfg *,
		    const char *id, const char *from, const char *why,
		    const char *actor);

/* Intents an API caller records (instances.fcgi, admin.fcgi). */
enum inst_act { INST_SUSPEND, INST_UNSUSPEND, INST_TERMINATE,
	INST_CHANGE_PLAN, INST_REBOOT, INST_REBUILD, INST_ACT__MAX };

/* The audit/history name of an action, e.g. "instance.suspend". */
const char	*inst_act_name(enum inst_act);

/*
 * Record the intent of action a on instance id in one transaction of its
 * own (the caller must not have one open) after checking it makes sense
 * in the current state: desired_state, pending plan or action, history
 * (actor may be NULL) and the poller's wake-up.  plan is the new plan of
 * INST_CHANGE_PLAN (else NULL).  *changed is set to 0 when the intent
 * was already recorded (a no-op repeat), else 1.  Returns OCH_OK;
 * OCH_EUNPROCESSABLE for an unknown or inactive plan; OCH_ENOTFOUND;
 * OCH_ECONFLICT with the reason in why (whysz bytes); or a database
 * error.  No transaction is left open.
 */
enum och_err	 inst_act(struct db *, const char *id, enum inst_act a,
		    const char *plan, const char *actor, int *changed,
		    char *why, size_t whysz);

#endif
