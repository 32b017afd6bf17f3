/*
 * inst.h: instance records shared by the API binaries and the poller:
 * the lifecycle transitions that write history and outbox rows in the
 * caller's transaction, the wake-up NOTIFY, and the JSON shape of an
 * instance.
 *
 * States (schema/001_core.sql): pending creating booting active
 * suspending suspended resuming resizing rebooting rebuilding terminating
 * terminated failed.  desired_state: active | suspended | terminated.
 */
#ifndef OCH_INST_H
#define OCH_INST_H

#include <cjson/cJSON.h>

#include "cfg.h"
#include "db.h"

/* The channel the poller LISTENs on; payload is the instance id. */
#define INST_CHANNEL "och_provision"

/*
 * The columns every instance query selects, in this order, so that
 * inst_json() can render any of them.
 */
#define INST_COLUMNS \
	"i.id, i.slug, i.state, i.desired_state, i.plan, i.region," \
	" host(i.ipv4), i.ipv6, i.last_error, i.whmcs_service_id," \
	" i.whmcs_client_id, i.hetzner_server_id, i.pending_plan," \
	" i.pending_action, i.attempts, i.openclaw_version," \
	" to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')," \
	" to_char(i.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')," \
	" to_char(i.active_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')," \
	" u.email"
#define INST_FROM " FROM instances i JOIN users u ON u.id = i.user_id"

/* Render row `row` of a result selected with INST_COLUMNS. */
cJSON		*inst_json(const PGresult *, int row, const struct cfg *);
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

/* Queue a WHMCS API command with a JSON object payload. */
enum och_err	 inst_whmcs(struct db *, const char *id, const char *command,
		    const char *payload);

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
