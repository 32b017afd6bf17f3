/*
 * admin.fcgi: the operators' panel API (DESIGN §6).  Every route needs an
 * admin session (unsafe methods also the CSRF token) and every call is
 * written to the audit log, reads included.  Actions record intent
 * through the same lib/ code as the billing API and ochctl (inst_act,
 * recon_retry); nothing here talks to a provider.
 * The routes and their handlers: OCH_ROUTES_admin in lib/routes.def.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "audit.h"
#include "backup.h"
#include "inst.h"
#include "js.h"
#include "log.h"
#include "recon.h"
#include "srv.h"
#include "valid.h"

#define TS(col) ADM_TS(col)

static const struct db_stmt stmt_show = { "adm_show",
	"SELECT " INST_COLUMNS ", i.failed_state, " TS("i.next_attempt_at") ","
	" " TS("i.locked_until") ", i.locked_by, i.dns_record_id,"
	" i.dns_record6_id, i.cleanup, i.config_revision, " TS("i.ready_at") ","
	" " TS("i.terminated_at") ", i.user_id"
	INST_FROM " WHERE i.id = $1::uuid" };
static const struct db_stmt stmt_events = { "adm_events",
	"SELECT id, " TS("at") ", kind, from_state, to_state, actor, message"
	" FROM instance_events WHERE instance_id = $1::uuid"
	" ORDER BY id DESC LIMIT 100" };
static const struct db_stmt stmt_report = { "adm_report",
	"SELECT " TS("reported_at") ", version, config_revision, config_error,"
	" health::text, channels::text, jsonb_array_length(pairing)"
	" FROM agent_reports WHERE instance_id = $1::uuid" };
/* no result: a running whatsapp_login holds the customer's QR code */
static const struct db_stmt stmt_cmds = { "adm_cmds",
	"SELECT id, kind, args::text, status, created_by, " TS("created_at") ","
	" " TS("started_at") " FROM instance_commands"
	" WHERE instance_id = $1::uuid AND status IN ('queued', 'running')"
	" ORDER BY id" };
static const struct db_stmt stmt_emails = { "adm_emails",
	"SELECT id, template, to_email, status, attempts, "
	TS("next_attempt_at") ", last_error, " TS("created_at") ","
	" " TS("sent_at") " FROM email_outbox WHERE instance_id = $1::uuid"
	" ORDER BY id DESC LIMIT 50" };
static const struct db_stmt stmt_hooks = { "adm_hooks",
	"SELECT id, command, (payload - 'password' - 'password2')::text,"
	" status, attempts, " TS("next_attempt_at") ", last_error,"
	" " TS("created_at") ", " TS("sent_at")
	" FROM webhook_outbox WHERE instance_id = $1::uuid"
	" ORDER BY id DESC LIMIT 50" };
static const struct db_stmt stmt_cmd_state = { "adm_cmd_state",
	"SELECT state, desired_state FROM instances WHERE id = $1::uuid" };
static const struct db_stmt stmt_queue = { "adm_queue",
	"SELECT i.id, i.slug, i.state, i.desired_state, i.plan, i.pending_plan,"
	" i.pending_action, i.attempts, " TS("i.next_attempt_at") ","
	" " TS("i.locked_until") ", i.locked_by, i.last_error,"
	" " TS("i.updated_at") ", i.whmcs_service_id,"
	" i.next_attempt_at <= now() AND (i.locked_until IS NULL"
	"  OR i.locked_until < now())"
	" FROM instances i WHERE i.state NOT IN ('failed', 'terminated')"
	" AND (i.state <> i.desired_state OR i.pending_plan IS NOT NULL"
	"  OR i.pending_action IS NOT NULL)"
	" ORDER BY i.next_attempt_at, i.id LIMIT 500" };
static const struct db_stmt stmt_failed = { "adm_failed",
	"SELECT i.id, i.slug, i.failed_state, i.desired_state, i.plan,"
	" i.attempts, i.last_error, i.cleanup, " TS("i.updated_at") ","
	" i.whmcs_service_id FROM instances i WHERE i.state = 'failed'"
	" ORDER BY i.updated_at DESC, i.id LIMIT 500" };
static const struct db_stmt stmt_outbox = { "adm_outbox",
	"SELECT 'email', count(*) FILTER (WHERE status = 'pending'),"
	" count(*) FILTER (WHERE status = 'failed'),"
	" count(*) FILTER (WHERE status = 'pending' AND next_attempt_at <= now()),"
	" floor(extract(epoch FROM now() - min(created_at)"
	"  FILTER (WHERE status = 'pending')))::bigint"
	" FROM email_outbox WHERE status IN ('pending', 'failed')"
	" UNION ALL "
	"SELECT 'webhook', count(*) FILTER (WHERE status = 'pending'),"
	" count(*) FILTER (WHERE status = 'failed'),"
	" count(*) FILTER (WHERE status = 'pending' AND next_attempt_at <= now()),"
	" floor(extract(epoch FROM now() - min(created_at)"
	"  FILTER (WHERE status = 'pending')))::bigint"
	" FROM webhook_outbox WHERE status IN ('pending', 'failed')" };
static const struct db_stmt stmt_pollers = { "adm_pollers",
	"SELECT mode, host, pid, floor(extract(epoch FROM now() - beat_at))::bigint"
	" FROM poller_heartbeats ORDER BY mode, host" };
/*
 * WHMCS's idea of a service's status is the last thing it was told (an
 * UpdateClientProduct we sent with a status) or did itself (a suspend,
 * unsuspend or terminate by an API client), whichever is newer.  Drift:
 * that differs from what our settled state means to WHMCS, or an update
 * for the service failed or is stuck in the outbox.
 */
static const struct db_stmt stmt_sync = { "adm_sync",
	"SELECT * FROM (SELECT i.id, i.slug, i.whmcs_service_id, i.state,"
	" i.desired_state, CASE i.state WHEN 'active' THEN 'Active'"
	"  WHEN 'suspended' THEN 'Suspended'"
	"  WHEN 'terminated' THEN 'Terminated' END AS expected,"
	" k.status, " TS("k.at") ", k.source,"
	" (SELECT count(*) FROM webhook_outbox w WHERE w.instance_id = i.id"
	"  AND w.status = 'failed') AS failed,"
	" (SELECT count(*) FROM webhook_outbox w WHERE w.instance_id = i.id"
	"  AND w.status = 'pending'"
	"  AND w.created_at < now() - interval '15 minutes') AS stuck"
	" FROM instances i LEFT JOIN LATERAL (SELECT * FROM ("
	"  SELECT w.payload->>'status' AS status, w.sent_at AS at,"
	"   'update_sent' AS source FROM webhook_outbox w"
	"   WHERE w.instance_id = i.id AND w.command = 'UpdateClientProduct'"
	"   AND w.status = 'sent' AND w.payload ? 'status'"
	"  UNION ALL"
	"  SELECT CASE e.kind WHEN 'instance.suspend' THEN 'Suspended'"
	"   WHEN 'instance.unsuspend' THEN 'Active' ELSE 'Terminated' END,"
	"   e.at, 'whmcs_action' FROM instance_events e"
	"   WHERE e.instance_id = i.id AND e.kind IN ('instance.suspend',"
	"   'instance.unsuspend', 'instance.terminate')"
	"   AND e.actor IN (SELECT c.id FROM api_clients c)"
	"  ) s ORDER BY s.at DESC LIMIT 1) k ON true"
	" WHERE i.whmcs_service_id IS NOT NULL) d"
	" WHERE (d.expected IS NOT NULL AND d.status IS NOT NULL"
	"  AND d.status <> d.expected) OR d.failed > 0 OR d.stuck > 0"
	" ORDER BY d.whmcs_service_id LIMIT 500" };

/* "admin:<user id>", the actor in instance history (caller frees). */
static char *
actor(const struct req *r)
{
	return xasprintf("admin:%lld", (long long)r->auth.user_id);
}

/* ---- instances ------------------------------------------------------ */

/* One instance with everything an operator looks at (res: stmt_show). */
static cJSON *
instance_detail(struct req *r, const PGresult *res)
{
	static const struct ent_col extra[] = { { "failed_state", 's' },
	    { "next_attempt_at", 's' }, { "locked_until", 's' },
	    { "locked_by", 's' }, { "dns_record_id", 's' },
	    { "dns_record6_id", 's' }, { "cleanup", 'b' },
	    { "config_revision", 'i' }, { "ready_at", 's' },
	    { "terminated_at", 's' }, { "user_id", 'i' } };
	static const struct ent_col ev_cols[] = { { "id", 'i' }, { "at", 's' },
	    { "kind", 's' }, { "from", 's' }, { "to", 's' }, { "actor", 's' },
	    { "message", 's' } };
	static const struct ent_col rep_cols[] = { { "reported_at", 's' },
	    { "version", 's' }, { "config_revision", 'i' },
	    { "config_error", 's' }, { "health", 'j' }, { "channels", 'j' },
	    { "pairing_requests", 'i' } };
	static const struct ent_col cmd_cols[] = { { "id", 'i' }, { "type", 's' },
	    { "args", 'j' }, { "status", 's' }, { "created_by", 's' },
	    { "created_at", 's' }, { "started_at", 's' } };
	static const struct ent_col mail_cols[] = { { "id", 'i' },
	    { "template", 's' }, { "to", 's' }, { "status", 's' },
	    { "attempts", 'i' }, { "next_attempt_at", 's' },
	    { "last_error", 's' }, { "created_at", 's' }, { "sent_at", 's' } };
	static const struct ent_col hook_cols[] = { { "id", 'i' },
	    { "command", 's' }, { "payload", 'j' }, { "status", 's' },
	    { "attempts", 'i' }, { "next_attempt_at", 's' },
	    { "last_error", 's' }, { "created_at", 's' }, { "sent_at", 's' } };
	struct db	*db = r->app->db;
	PGresult	*x;
	cJSON		*o, *rep, *ob;
	const char	*p[1] = { db_val(res, 0, INST_COL_ID) };

	o = inst_json(res, 0, &r->app->cfg);
	ent_cols_add(o, res, 0, INST_NCOLS, extra, OCH_NELEM(extra));
	if ((x = db_exec(db, &stmt_events, 1, p, NULL)) != NULL) {
		cJSON_AddItemToObject(o, "events",
		    ent_rows_json(x, 0, ev_cols, OCH_NELEM(ev_cols)));
		PQclear(x);
	}
	if ((x = db_exec(db, &stmt_report, 1, p, NULL)) != NULL) {
		if (PQntuples(x) == 1) {
			rep = cJSON_AddObjectToObject(o, "agent_report");
			ent_cols_add(rep, x, 0, 0, rep_cols, OCH_NELEM(rep_cols));
		} else
			cJSON_AddNullToObject(o, "agent_report");
		PQclear(x);
	}
	if ((x = db_exec(db, &stmt_cmds, 1, p, NULL)) != NULL) {
		cJSON_AddItemToObject(o, "pending_commands",
		    ent_rows_json(x, 0, cmd_cols, OCH_NELEM(cmd_cols)));
		PQclear(x);
	}
	ob = cJSON_AddObjectToObject(o, "outbox");
	if ((x = db_exec(db, &stmt_emails, 1, p, NULL)) != NULL) {
		cJSON_AddItemToObject(ob, "email",
		    ent_rows_json(x, 0, mail_cols, OCH_NELEM(mail_cols)));
		PQclear(x);
	}
	if ((x = db_exec(db, &stmt_hooks, 1, p, NULL)) != NULL) {
		cJSON_AddItemToObject(ob, "webhook",
		    ent_rows_json(x, 0, hook_cols, OCH_NELEM(hook_cols)));
		PQclear(x);
	}
	return o;
}

/*
 * Answer with instance id in full (status), or 404; then audit action.
 * detail may be NULL.
 */
static void
send_detail(struct req *r, int status, const char *action, const char *id,
    const char *detail)
{
	PGresult	*res;
	const char	*p[1] = { id };
	enum och_err	 err;

	if ((res = db_exec(r->app->db, &stmt_show, 1, p, &err)) == NULL) {
		adm_fail(r, action, "instance", id, err, NULL);
		return;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		adm_fail(r, action, "instance", id, OCH_ENOTFOUND,
		    "no such instance");
		return;
	}
	resp_json(r, status, instance_detail(r, res));
	PQclear(res);
	audit_req(r, action, "instance", id, status, detail);
}

static void
h_get(struct req *r)
{
	const char	*id = req_param(r, 0);

	if (!valid_uuid(id)) {
		adm_fail(r, "admin.instance.get", NULL, NULL, OCH_ENOTFOUND,
		    "no such instance");
		return;
	}
	send_detail(r, 200, "admin.instance.get", id, NULL);
}

/* POST …/{id}/retry: as `ochctl instances retry` (recon_retry). */
static void
h_retry(struct req *r)
{
	static const char *const action = "admin.instance.retry";
	const char	*id = req_param(r, 0);
	char		 state[32], *who, *detail;
	enum och_err	 err;

	if (!valid_uuid(id)) {
		adm_fail(r, action, NULL, NULL, OCH_ENOTFOUND, "no such instance");
		return;
	}
	who = actor(r);
	err = recon_retry(r->app->db, id, who, state, sizeof(state));
	free(who);
	switch (err) {
	case OCH_OK:
		break;
	case OCH_ENOTFOUND:
		adm_fail(r, action, "instance", id, err, "no such instance");
		return;
	case OCH_ECONFLICT:
		adm_fail(r, action, "instance", id, err, "instance is not failed "
		    "(or the cleanup of its failed create is still running)");
		return;
	default:
		adm_fail(r, action, "instance", id, err, NULL);
		return;
	}
	log_info("admin retry id=%s resumes=%s", id, state);
	detail = xasprintf("{\"resumes_at\":\"%s\"}", state);
	send_detail(r, 202, action, id, detail);
	free(detail);
}

/* POST …/{id}/{suspend,unsuspend,terminate,rebuild}: as the billing API. */
static void
act(struct req *r, enum inst_act a)
{
	const char	*id = req_param(r, 0);
	char		 why[160], *who, *action;
	enum och_err	 err;
	int		 changed;

	action = xasprintf("admin.%s", inst_act_name(a));
	if (!valid_uuid(id)) {
		adm_fail(r, action, NULL, NULL, OCH_ENOTFOUND, "no such instance");
		goto out;
	}
	who = actor(r);
	err = inst_act(r->app->db, id, a, NULL, who, &changed, why,
	    sizeof(why));
	free(who);
	if (err != OCH_OK) {
		adm_fail(r, action, "instance", id, err, err == OCH_ENOTFOUND ?
		    "no such instance" : err == OCH_ECONFLICT ? why : NULL);
		goto out;
	}
	send_detail(r, 202, action, id, changed ? NULL : "{\"repeat\":true}");
out:
	free(action);
}

static void h_suspend(struct req *r) { act(r, INST_SUSPEND); }
static void h_unsuspend(struct req *r) { act(r, INST_UNSUSPEND); }
static void h_terminate(struct req *r) { act(r, INST_TERMINATE); }
static void h_rebuild(struct req *r) { act(r, INST_REBUILD); }

/* An agent command's body, and the args of each type that takes some. */
static const char *const cmd_types[] = { "restart", "doctor_fix", "update",
    NULL };
static const struct js_field cmd_fields[] = {
	{ "type", JS_T_ENUM, JS_REQUIRED, 0, 0, NULL, cmd_types, NULL },
	{ "args", JS_T_OBJECT, 0, 0, 0, NULL, NULL, NULL },
};
static const struct js_field update_fields[] = {
	{ "version", JS_T_STR, JS_REQUIRED, 1, 40, valid_release, NULL, NULL },
};

/*
 * The command's checked args as a new object (caller deletes), or NULL
 * with the 400's message in msg.
 */
static cJSON *
command_args(const struct js_val *v, char *msg, size_t len)
{
	struct js_val	 a[OCH_NELEM(update_fields)];
	cJSON		*na;

	if (!v[0].set) {
		js_hint(&cmd_fields[0], msg, len);
		return NULL;
	}
	if (strcmp(v[0].s, "update") != 0) {
		if (v[1].set && cJSON_GetArraySize(v[1].j) != 0) {
			snprintf(msg, len, "args: this command takes none");
			return NULL;
		}
		return cJSON_CreateObject();
	}
	if (!v[1].set || js_fields(v[1].j, update_fields,
	    OCH_NELEM(update_fields), a, msg, len) < 0 ||
	    js_missing(update_fields, OCH_NELEM(update_fields), a) != NULL) {
		snprintf(msg, len, "args: {\"version\": \"2026.9.6\"} and "
		    "nothing else");
		return NULL;
	}
	na = cJSON_CreateObject();
	cJSON_AddStringToObject(na, "version", a[0].s);
	return na;
}

/* The instance is active and stays so: 0, or -1 answered and audited. */
static int
command_allowed(struct req *r, const char *action, const char *id)
{
	PGresult	*res;
	const char	*p[1] = { id };
	enum och_err	 err;
	int		 rc = -1;

	if ((res = db_exec(r->app->db, &stmt_cmd_state, 1, p, &err)) == NULL)
		adm_fail(r, action, "instance", id, err, NULL);
	else if (PQntuples(res) != 1)
		adm_fail(r, action, "instance", id, OCH_ENOTFOUND,
		    "no such instance");
	else if (strcmp(db_val(res, 0, 0), "active") != 0 ||
	    strcmp(db_val(res, 0, 1), "active") != 0) {
		resp_errorf(r, OCH_ECONFLICT, "instance is %s, not active",
		    db_val(res, 0, 0));
		audit_req(r, action, "instance", id, 409, NULL);
	} else
		rc = 0;
	PQclear(res);
	return rc;
}

/*
 * POST …/{id}/commands {type, args}: queue an agent command (restart,
 * doctor_fix, update {version}) on an active instance; the agent's long
 * poll wakes at once (schema trigger).  202 with the command.
 */
static void
h_command(struct req *r)
{
	static const char *const action = "admin.instance.command";
	struct js_val	 v[OCH_NELEM(cmd_fields)];
	PGresult	*res = NULL;
	cJSON		*o, *na = NULL;
	const char	*id = req_param(r, 0);
	char		*as = NULL, *who = NULL, *detail = NULL, msg[160];
	enum och_err	 err;

	if (!valid_uuid(id)) {
		adm_fail(r, action, NULL, NULL, OCH_ENOTFOUND, "no such instance");
		return;
	}
	if (js_fields(r->json, cmd_fields, OCH_NELEM(cmd_fields), v, msg,
	    sizeof(msg)) < 0 || (na = command_args(v, msg, sizeof(msg))) ==
	    NULL) {
		adm_fail(r, action, "instance", id, OCH_EINVAL, msg);
		return;
	}
	if (command_allowed(r, action, id) < 0)
		goto out;
	as = cJSON_PrintUnformatted(na);
	who = actor(r);
	/* (an update: with its pre-update backup, lib/backup.h) */
	if ((res = bak_command_add(r->app->db, &r->app->cfg, id, v[0].s, as,
	    who, &err)) == NULL) {
		adm_fail(r, action, "instance", id, err, NULL);
		goto out;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)db_int(res, 0, 0));
	cJSON_AddStringToObject(o, "instance_id", id);
	cJSON_AddStringToObject(o, "type", v[0].s);
	cJSON_AddItemToObject(o, "args", na);
	na = NULL;
	cJSON_AddStringToObject(o, "status", "queued");
	cJSON_AddStringToObject(o, "created_at", db_val(res, 0, 1));
	resp_json(r, 202, o);
	detail = xasprintf("{\"command\":%lld,\"type\":\"%s\"}",
	    (long long)db_int(res, 0, 0), v[0].s);
	audit_req(r, action, "instance", id, 202, detail);
out:
	PQclear(res);
	cJSON_Delete(na);
	cJSON_free(as);
	free(who);
	free(detail);
}

/* ---- queue ---------------------------------------------------------- */

static void
h_queue(struct req *r)
{
	static const struct ent_col q_cols[] = { { "id", 's' }, { "slug", 's' },
	    { "state", 's' }, { "desired_state", 's' }, { "plan", 's' },
	    { "pending_plan", 's' }, { "pending_action", 's' },
	    { "attempts", 'i' }, { "next_attempt_at", 's' },
	    { "locked_until", 's' }, { "locked_by", 's' },
	    { "last_error", 's' }, { "updated_at", 's' },
	    { "whmcs_service_id", 'i' }, { "due", 'b' } };
	static const struct ent_col f_cols[] = { { "id", 's' }, { "slug", 's' },
	    { "failed_state", 's' }, { "desired_state", 's' },
	    { "plan", 's' }, { "attempts", 'i' }, { "last_error", 's' },
	    { "cleanup", 'b' }, { "updated_at", 's' },
	    { "whmcs_service_id", 'i' } };
	static const struct ent_col o_cols[] = { { "pending", 'i' },
	    { "failed", 'i' }, { "due", 'i' }, { "oldest_pending_age_s", 'i' } };
	static const struct ent_col p_cols[] = { { "mode", 's' }, { "host", 's' },
	    { "pid", 'i' }, { "age_s", 'i' } };
	struct db	*db = r->app->db;
	PGresult	*q = NULL, *f = NULL, *ob = NULL, *pl = NULL;
	cJSON		*root, *o, *x;
	enum och_err	 err;
	int		 i;

	if ((q = db_exec(db, &stmt_queue, 0, NULL, &err)) == NULL ||
	    (f = db_exec(db, &stmt_failed, 0, NULL, &err)) == NULL ||
	    (ob = db_exec(db, &stmt_outbox, 0, NULL, &err)) == NULL ||
	    (pl = db_exec(db, &stmt_pollers, 0, NULL, &err)) == NULL) {
		adm_fail(r, "admin.queue", NULL, NULL, err, NULL);
		goto out;
	}
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "queue",
	    ent_rows_json(q, 0, q_cols, OCH_NELEM(q_cols)));
	cJSON_AddItemToObject(root, "failed",
	    ent_rows_json(f, 0, f_cols, OCH_NELEM(f_cols)));
	o = cJSON_AddObjectToObject(root, "outbox");
	for (i = 0; i < PQntuples(ob); i++) {
		x = cJSON_AddObjectToObject(o, db_val(ob, i, 0));
		ent_cols_add(x, ob, i, 1, o_cols, OCH_NELEM(o_cols));
	}
	cJSON_AddItemToObject(root, "pollers",
	    ent_rows_json(pl, 0, p_cols, OCH_NELEM(p_cols)));
	resp_json(r, 200, root);
	audit_req(r, "admin.queue", NULL, NULL, 200, NULL);
out:
	PQclear(q);
	PQclear(f);
	PQclear(ob);
	PQclear(pl);
}

/* ---- WHMCS sync ----------------------------------------------------- */

static void
h_sync(struct req *r)
{
	static const struct ent_col cols[] = { { "id", 's' }, { "slug", 's' },
	    { "whmcs_service_id", 'i' }, { "state", 's' },
	    { "desired_state", 's' }, { "expected_whmcs_status", 's' },
	    { "whmcs_status", 's' }, { "whmcs_status_at", 's' },
	    { "whmcs_status_source", 's' }, { "failed_updates", 'i' },
	    { "stuck_updates", 'i' } };
	PGresult	*res;
	cJSON		*root, *arr, *o, *why;
	const char	*exp, *got;
	enum och_err	 err;
	int		 i;

	if ((res = db_exec(r->app->db, &stmt_sync, 0, NULL, &err)) == NULL) {
		adm_fail(r, "admin.whmcs_sync", NULL, NULL, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "drift");
	for (i = 0; i < PQntuples(res); i++) {
		o = cJSON_CreateObject();
		ent_cols_add(o, res, i, 0, cols, OCH_NELEM(cols));
		why = cJSON_AddArrayToObject(o, "reasons");
		exp = db_val(res, i, 5);
		got = db_val(res, i, 6);
		if (exp != NULL && got != NULL && strcmp(exp, got) != 0)
			cJSON_AddItemToArray(why,
			    cJSON_CreateString("status_mismatch"));
		if (db_int(res, i, 9) > 0)
			cJSON_AddItemToArray(why,
			    cJSON_CreateString("update_failed"));
		if (db_int(res, i, 10) > 0)
			cJSON_AddItemToArray(why,
			    cJSON_CreateString("update_stuck"));
		cJSON_AddItemToArray(arr, o);
	}
	PQclear(res);
	resp_json(r, 200, root);
	audit_req(r, "admin.whmcs_sync", NULL, NULL, 200, NULL);
}

/* the routes: lib/routes.def */
static const struct route routes[] = { OCH_ROUTES_admin(SRV_ROUTE) };

int
main(int argc, char **argv)
{
	static const enum cfg_key required[] = { CFG_DATABASE_URL,
	    CFG_JWT_SECRET, CFG__MAX };

	return srv_main(argc, argv, "admin", routes, OCH_NELEM(routes),
	    required, NULL);
}
