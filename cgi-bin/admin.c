/*
 * admin.fcgi: the operators' panel API (DESIGN §6).  Every route needs an
 * admin session (unsafe methods also the CSRF token) and every call is
 * written to the audit log, reads included.  Actions record intent
 * through the same lib/ code as the billing API and ochctl (inst_act,
 * recon_retry); nothing here talks to a provider.
 *
 *   GET  /api/v1/admin/instances?…                (admin_fleet.c)
 *   GET  /api/v1/admin/instances/{id}             with history, agent, commands, outbox
 *   POST /api/v1/admin/instances/{id}/retry       a failed instance resumes
 *   POST /api/v1/admin/instances/{id}/{suspend,unsuspend,terminate,rebuild}
 *   POST /api/v1/admin/instances/{id}/commands    {type, args}
 *   GET  /api/v1/admin/queue                      provisioning queue, failures, outboxes
 *   GET  /api/v1/admin/audit?…                    (admin_fleet.c)
 *   GET  /api/v1/admin/stats                      fleet statistics (admin_fleet.c)
 *   GET  /api/v1/admin/skills, PUT …/skills/{name}  the catalogue (admin_skills.c)
 *   GET  /api/v1/admin/plans
 *   PUT  /api/v1/admin/plans/{name}
 *   GET  /api/v1/admin/users?q=&role=&limit=&offset=
 *   POST /api/v1/admin/users/{id}/role            {role}
 *   GET  /api/v1/admin/whmcs-sync                 WHMCS-side status drift
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "audit.h"
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
static const struct db_stmt stmt_cmd_add = { "adm_cmd_add",
	"INSERT INTO instance_commands (instance_id, kind, args, created_by)"
	" VALUES ($1::uuid, $2, $3::jsonb, $4)"
	" RETURNING id, " TS("created_at") };
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
#define PLAN_COLUMNS \
	"p.name, p.display_name, p.server_type, p.image, p.vcpus," \
	" p.memory_mb, p.disk_gb, p.max_channels, p.max_skills," \
	" p.backup_slots, p.price_cents, p.openclaw_version, p.sort, p.active," \
	" (SELECT count(*) FROM instances i WHERE i.plan = p.name" \
	"  AND i.state <> 'terminated')"
static const struct db_stmt stmt_plans = { "adm_plans",
	"SELECT " PLAN_COLUMNS " FROM plans p ORDER BY p.sort, p.name" };
static const struct db_stmt stmt_plan = { "adm_plan",
	"SELECT " PLAN_COLUMNS " FROM plans p WHERE p.name = $1" };
static const struct db_stmt stmt_plan_lock = { "adm_plan_lock",
	"SELECT 1 FROM plans WHERE name = $1 FOR UPDATE" };
static const struct db_stmt stmt_plan_insert = { "adm_plan_insert",
	"INSERT INTO plans (name, display_name, server_type, image, vcpus,"
	" memory_mb, disk_gb, max_channels, max_skills, backup_slots,"
	" price_cents, openclaw_version, sort, active)"
	" VALUES ($1, $2, $3, coalesce($4, 'ubuntu-24.04'), $5::integer,"
	" $6::integer, $7::integer, $8::integer, $9::integer,"
	" coalesce($10::integer, 7), $11::integer, nullif($12, ''),"
	" coalesce($13::integer, 0), coalesce($14::boolean, true))" };
static const struct db_stmt stmt_plan_update = { "adm_plan_update",
	"UPDATE plans SET display_name = coalesce($2, display_name),"
	" server_type = coalesce($3, server_type), image = coalesce($4, image),"
	" vcpus = coalesce($5::integer, vcpus),"
	" memory_mb = coalesce($6::integer, memory_mb),"
	" disk_gb = coalesce($7::integer, disk_gb),"
	" max_channels = coalesce($8::integer, max_channels),"
	" max_skills = coalesce($9::integer, max_skills),"
	" backup_slots = coalesce($10::integer, backup_slots),"
	" price_cents = coalesce($11::integer, price_cents),"
	" openclaw_version = CASE WHEN $12::text IS NULL THEN openclaw_version"
	"  ELSE nullif($12, '') END,"
	" sort = coalesce($13::integer, sort),"
	" active = coalesce($14::boolean, active) WHERE name = $1" };
#define USER_SEARCH \
	" WHERE ($1::text IS NULL OR position(lower($1) in u.email) > 0" \
	"  OR u.id::text = $1 OR u.whmcs_client_id::text = $1)" \
	" AND ($2::text IS NULL OR u.role = $2)"
static const struct db_stmt stmt_users = { "adm_users",
	"SELECT u.id, u.email, u.role, u.whmcs_client_id, " TS("u.created_at") ","
	" (SELECT count(*) FROM instances i WHERE i.user_id = u.id"
	"  AND i.state <> 'terminated'),"
	" (SELECT " TS("max(s.created_at)") " FROM sessions s"
	"  WHERE s.user_id = u.id)"
	" FROM users u" USER_SEARCH
	" ORDER BY u.id DESC LIMIT $3::integer OFFSET $4::integer" };
static const struct db_stmt stmt_users_count = { "adm_users_count",
	"SELECT count(*) FROM users u" USER_SEARCH };
/* every admin row locked: two demotions at once cannot both pass */
static const struct db_stmt stmt_admins_lock = { "adm_admins_lock",
	"SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE" };
static const struct db_stmt stmt_user_lock = { "adm_user_lock",
	"SELECT role, email FROM users WHERE id = $1::bigint FOR UPDATE" };
static const struct db_stmt stmt_user_role = { "adm_user_role",
	"UPDATE users SET role = $2, updated_at = now() WHERE id = $1::bigint" };
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
	static const struct adm_col extra[] = { { "failed_state", 's' },
	    { "next_attempt_at", 's' }, { "locked_until", 's' },
	    { "locked_by", 's' }, { "dns_record_id", 's' },
	    { "dns_record6_id", 's' }, { "cleanup", 'b' },
	    { "config_revision", 'i' }, { "ready_at", 's' },
	    { "terminated_at", 's' }, { "user_id", 'i' } };
	static const struct adm_col ev_cols[] = { { "id", 'i' }, { "at", 's' },
	    { "kind", 's' }, { "from", 's' }, { "to", 's' }, { "actor", 's' },
	    { "message", 's' } };
	static const struct adm_col rep_cols[] = { { "reported_at", 's' },
	    { "version", 's' }, { "config_revision", 'i' },
	    { "config_error", 's' }, { "health", 'j' }, { "channels", 'j' },
	    { "pairing_requests", 'i' } };
	static const struct adm_col cmd_cols[] = { { "id", 'i' }, { "type", 's' },
	    { "args", 'j' }, { "status", 's' }, { "created_by", 's' },
	    { "created_at", 's' }, { "started_at", 's' } };
	static const struct adm_col mail_cols[] = { { "id", 'i' },
	    { "template", 's' }, { "to", 's' }, { "status", 's' },
	    { "attempts", 'i' }, { "next_attempt_at", 's' },
	    { "last_error", 's' }, { "created_at", 's' }, { "sent_at", 's' } };
	static const struct adm_col hook_cols[] = { { "id", 'i' },
	    { "command", 's' }, { "payload", 'j' }, { "status", 's' },
	    { "attempts", 'i' }, { "next_attempt_at", 's' },
	    { "last_error", 's' }, { "created_at", 's' }, { "sent_at", 's' } };
	struct db	*db = r->app->db;
	PGresult	*x;
	cJSON		*o, *rep, *ob;
	const char	*p[1] = { db_val(res, 0, 0) };

	o = inst_json(res, 0, &r->app->cfg);
	adm_add_cols(o, res, 0, 20, extra, OCH_NELEM(extra));
	if ((x = db_exec(db, &stmt_events, 1, p, NULL)) != NULL) {
		cJSON_AddItemToObject(o, "events",
		    adm_rows_json(x, ev_cols, OCH_NELEM(ev_cols)));
		PQclear(x);
	}
	if ((x = db_exec(db, &stmt_report, 1, p, NULL)) != NULL) {
		if (PQntuples(x) == 1) {
			rep = cJSON_AddObjectToObject(o, "agent_report");
			adm_add_cols(rep, x, 0, 0, rep_cols, OCH_NELEM(rep_cols));
		} else
			cJSON_AddNullToObject(o, "agent_report");
		PQclear(x);
	}
	if ((x = db_exec(db, &stmt_cmds, 1, p, NULL)) != NULL) {
		cJSON_AddItemToObject(o, "pending_commands",
		    adm_rows_json(x, cmd_cols, OCH_NELEM(cmd_cols)));
		PQclear(x);
	}
	ob = cJSON_AddObjectToObject(o, "outbox");
	if ((x = db_exec(db, &stmt_emails, 1, p, NULL)) != NULL) {
		cJSON_AddItemToObject(ob, "email",
		    adm_rows_json(x, mail_cols, OCH_NELEM(mail_cols)));
		PQclear(x);
	}
	if ((x = db_exec(db, &stmt_hooks, 1, p, NULL)) != NULL) {
		cJSON_AddItemToObject(ob, "webhook",
		    adm_rows_json(x, hook_cols, OCH_NELEM(hook_cols)));
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

/* An OpenClaw release: ^\d{4}\.\d{1,2}\.\d{1,3}([.-][A-Za-z0-9.]{1,20})?$ */
static int
valid_version(const char *v)
{
	size_t	 n;
	int	 part;
	static const size_t lim[3][2] = { { 4, 4 }, { 1, 2 }, { 1, 3 } };

	for (part = 0; part < 3; part++) {
		n = strspn(v, "0123456789");
		if (n < lim[part][0] || n > lim[part][1])
			return 0;
		v += n;
		if (part < 2 && *v++ != '.')
			return 0;
	}
	if (*v == '\0')
		return 1;
	if (*v != '.' && *v != '-')
		return 0;
	v++;
	n = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789.");
	return n >= 1 && n <= 20 && v[n] == '\0';
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
	PGresult	*res = NULL;
	const cJSON	*args;
	cJSON		*o, *na = NULL;
	const char	*id = req_param(r, 0), *type, *ver = NULL, *p[4];
	char		*as = NULL, *who = NULL, *detail = NULL;
	enum och_err	 err;

	if (!valid_uuid(id)) {
		adm_fail(r, action, NULL, NULL, OCH_ENOTFOUND, "no such instance");
		return;
	}
	if (r->json == NULL || js_str(r->json, "type", 32, &type) != JS_OK ||
	    (strcmp(type, "restart") != 0 && strcmp(type, "doctor_fix") != 0 &&
	    strcmp(type, "update") != 0)) {
		adm_fail(r, action, "instance", id, OCH_EINVAL,
		    "type: one of restart, doctor_fix, update");
		return;
	}
	args = cJSON_GetObjectItemCaseSensitive(r->json, "args");
	if (args != NULL && !cJSON_IsNull(args) && !cJSON_IsObject(args)) {
		adm_fail(r, action, "instance", id, OCH_EINVAL,
		    "args: must be an object");
		return;
	}
	na = cJSON_CreateObject();
	if (strcmp(type, "update") == 0) {
		if (!cJSON_IsObject(args) || js_str(args, "version", 40,
		    &ver) != JS_OK || !valid_version(ver) ||
		    cJSON_GetArraySize(args) != 1) {
			adm_fail(r, action, "instance", id, OCH_EINVAL,
			    "args: {\"version\": \"2026.9.6\"} and nothing else");
			goto out;
		}
		cJSON_AddStringToObject(na, "version", ver);
	} else if (cJSON_IsObject(args) && cJSON_GetArraySize(args) != 0) {
		adm_fail(r, action, "instance", id, OCH_EINVAL,
		    "args: this command takes none");
		goto out;
	}
	p[0] = id;
	if ((res = db_exec(r->app->db, &stmt_cmd_state, 1, p, &err)) == NULL) {
		adm_fail(r, action, "instance", id, err, NULL);
		goto out;
	}
	if (PQntuples(res) != 1) {
		adm_fail(r, action, "instance", id, OCH_ENOTFOUND,
		    "no such instance");
		goto out;
	}
	if (strcmp(db_val(res, 0, 0), "active") != 0 ||
	    strcmp(db_val(res, 0, 1), "active") != 0) {
		resp_errorf(r, OCH_ECONFLICT, "instance is %s, not active",
		    db_val(res, 0, 0));
		audit_req(r, action, "instance", id, 409, NULL);
		goto out;
	}
	PQclear(res);
	as = cJSON_PrintUnformatted(na);
	who = actor(r);
	p[1] = type;
	p[2] = as;
	p[3] = who;
	if ((res = db_exec(r->app->db, &stmt_cmd_add, 4, p, &err)) == NULL) {
		adm_fail(r, action, "instance", id, err, NULL);
		goto out;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)db_int(res, 0, 0));
	cJSON_AddStringToObject(o, "instance_id", id);
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddItemToObject(o, "args", na);
	na = NULL;
	cJSON_AddStringToObject(o, "status", "queued");
	cJSON_AddStringToObject(o, "created_at", db_val(res, 0, 1));
	resp_json(r, 202, o);
	detail = xasprintf("{\"command\":%lld,\"type\":\"%s\"}",
	    (long long)db_int(res, 0, 0), type);
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
	static const struct adm_col q_cols[] = { { "id", 's' }, { "slug", 's' },
	    { "state", 's' }, { "desired_state", 's' }, { "plan", 's' },
	    { "pending_plan", 's' }, { "pending_action", 's' },
	    { "attempts", 'i' }, { "next_attempt_at", 's' },
	    { "locked_until", 's' }, { "locked_by", 's' },
	    { "last_error", 's' }, { "updated_at", 's' },
	    { "whmcs_service_id", 'i' }, { "due", 'b' } };
	static const struct adm_col f_cols[] = { { "id", 's' }, { "slug", 's' },
	    { "failed_state", 's' }, { "desired_state", 's' },
	    { "plan", 's' }, { "attempts", 'i' }, { "last_error", 's' },
	    { "cleanup", 'b' }, { "updated_at", 's' },
	    { "whmcs_service_id", 'i' } };
	static const struct adm_col o_cols[] = { { "pending", 'i' },
	    { "failed", 'i' }, { "due", 'i' }, { "oldest_pending_age_s", 'i' } };
	static const struct adm_col p_cols[] = { { "mode", 's' }, { "host", 's' },
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
	    adm_rows_json(q, q_cols, OCH_NELEM(q_cols)));
	cJSON_AddItemToObject(root, "failed",
	    adm_rows_json(f, f_cols, OCH_NELEM(f_cols)));
	o = cJSON_AddObjectToObject(root, "outbox");
	for (i = 0; i < PQntuples(ob); i++) {
		x = cJSON_AddObjectToObject(o, db_val(ob, i, 0));
		adm_add_cols(x, ob, i, 1, o_cols, OCH_NELEM(o_cols));
	}
	cJSON_AddItemToObject(root, "pollers",
	    adm_rows_json(pl, p_cols, OCH_NELEM(p_cols)));
	resp_json(r, 200, root);
	audit_req(r, "admin.queue", NULL, NULL, 200, NULL);
out:
	PQclear(q);
	PQclear(f);
	PQclear(ob);
	PQclear(pl);
}

/* ---- audit log ------------------------------------------------------ */

/* ---- plans ---------------------------------------------------------- */

static const struct adm_col plan_cols[] = { { "name", 's' },
    { "display_name", 's' }, { "server_type", 's' }, { "image", 's' },
    { "vcpus", 'i' }, { "memory_mb", 'i' }, { "disk_gb", 'i' },
    { "max_channels", 'i' }, { "max_skills", 'i' }, { "backup_slots", 'i' },
    { "price_cents", 'i' }, { "openclaw_version", 's' }, { "sort", 'i' },
    { "active", 'b' }, { "instances", 'i' } };

static void
h_plans(struct req *r)
{
	PGresult	*res;
	cJSON		*root;
	enum och_err	 err;

	if ((res = db_exec(r->app->db, &stmt_plans, 0, NULL, &err)) == NULL) {
		adm_fail(r, "admin.plan.list", NULL, NULL, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "plans",
	    adm_rows_json(res, plan_cols, OCH_NELEM(plan_cols)));
	PQclear(res);
	resp_json(r, 200, root);
	audit_req(r, "admin.plan.list", NULL, NULL, 200, NULL);
}

/* The integer fields of a plan: statement parameter, range. */
static const struct {
	const char	*key;
	int		 param;		/* index in stmt_plan_insert's $n - 1 */
	int64_t		 min, max;
	int		 required;	/* for a new plan */
} plan_ints[] = {
	{ "vcpus", 4, 1, 256, 1 },
	{ "memory_mb", 5, 256, 4194304, 1 },
	{ "disk_gb", 6, 1, 1048576, 1 },
	{ "max_channels", 7, 0, 1000, 1 },
	{ "max_skills", 8, 0, 10000, 1 },
	{ "backup_slots", 9, 0, 100, 0 },
	{ "price_cents", 10, 0, 100000000, 1 },
	{ "sort", 12, -1000000, 1000000, 0 },
};

/* A Hetzner image name: ^[a-z0-9][a-z0-9._-]{0,63}$ */
static int
valid_image(const char *v)
{
	size_t	 n = strlen(v);

	return n >= 1 && n <= 64 && strchr("0123456789abcdefghijklmnopqrstuvwxyz",
	    v[0]) != NULL && strspn(v, "0123456789abcdefghijklmnopqrstuvwxyz"
	    "._-") == n;
}

/*
 * PUT /admin/plans/{name}: create the plan (201; every required field)
 * or change the fields given (200).  Unknown fields, bad characters and
 * out-of-range numbers are 400.  Existing instances keep their servers:
 * a new server_type applies to new orders and plan changes.
 */
static void
h_plan_put(struct req *r)
{
	static const char *const action = "admin.plan.put";
	static const char *const known[] = { "display_name", "server_type",
	    "image", "vcpus", "memory_mb", "disk_gb", "max_channels",
	    "max_skills", "backup_slots", "price_cents", "openclaw_version",
	    "sort", "active" };
	struct db	*db = r->app->db;
	PGresult	*res = NULL;
	const cJSON	*it, *act;
	const char	*name = req_param(r, 0), *p[14], *s;
	char		 nums[OCH_NELEM(plan_ints)][24], msg[160];
	int64_t		 v;
	enum js_res	 jr;
	enum och_err	 err;
	size_t		 k;
	int		 exists, status;

	memset(p, 0, sizeof(p));
	if (!valid_name(name)) {
		adm_fail(r, action, "plan", NULL, OCH_EINVAL,
		    "name: ^[a-z][a-z0-9-]{1,31}$");
		return;
	}
	if (r->json == NULL) {
		adm_fail(r, action, "plan", name, OCH_EINVAL,
		    "a JSON body is required");
		return;
	}
	cJSON_ArrayForEach(it, r->json) {
		for (k = 0; k < OCH_NELEM(known); k++)
			if (strcmp(it->string, known[k]) == 0)
				break;
		if (k == OCH_NELEM(known)) {
			snprintf(msg, sizeof(msg), "%.64s: unknown field",
			    it->string);
			adm_fail(r, action, "plan", name, OCH_EINVAL, msg);
			return;
		}
	}
	p[0] = name;
	if ((jr = js_str(r->json, "display_name", 100, &p[1])) == JS_BAD) {
		adm_fail(r, action, "plan", name, OCH_EINVAL,
		    "display_name: 1 to 100 characters");
		return;
	}
	if ((jr = js_str(r->json, "server_type", 32, &p[2])) == JS_BAD ||
	    (jr == JS_OK && !valid_name(p[2]))) {
		adm_fail(r, action, "plan", name, OCH_EINVAL,
		    "server_type: a Hetzner server type like cx23");
		return;
	}
	if ((jr = js_str(r->json, "image", 64, &p[3])) == JS_BAD ||
	    (jr == JS_OK && !valid_image(p[3]))) {
		adm_fail(r, action, "plan", name, OCH_EINVAL,
		    "image: a Hetzner image name like ubuntu-24.04");
		return;
	}
	for (k = 0; k < OCH_NELEM(plan_ints); k++) {
		jr = js_int64(r->json, plan_ints[k].key, plan_ints[k].min,
		    plan_ints[k].max, &v);
		if (jr == JS_BAD) {
			snprintf(msg, sizeof(msg), "%s: an integer from %lld "
			    "to %lld", plan_ints[k].key,
			    (long long)plan_ints[k].min,
			    (long long)plan_ints[k].max);
			adm_fail(r, action, "plan", name, OCH_EINVAL, msg);
			return;
		}
		if (jr == JS_OK) {
			snprintf(nums[k], sizeof(nums[k]), "%lld",
			    (long long)v);
			p[plan_ints[k].param] = nums[k];
		}
	}
	it = cJSON_GetObjectItemCaseSensitive(r->json, "openclaw_version");
	if (it != NULL && !cJSON_IsNull(it)) {
		s = cJSON_GetStringValue(it);
		if (s == NULL || (*s != '\0' && !valid_version(s))) {
			adm_fail(r, action, "plan", name, OCH_EINVAL,
			    "openclaw_version: a release like 2026.9.6, or \"\" "
			    "for the default");
			return;
		}
		p[11] = s;
	}
	act = cJSON_GetObjectItemCaseSensitive(r->json, "active");
	if (act != NULL && !cJSON_IsNull(act)) {
		if (!cJSON_IsBool(act)) {
			adm_fail(r, action, "plan", name, OCH_EINVAL,
			    "active: true or false");
			return;
		}
		p[13] = cJSON_IsTrue(act) ? "true" : "false";
	}

	if (db_begin(db) < 0) {
		adm_fail(r, action, "plan", name, OCH_EDB, NULL);
		return;
	}
	if ((res = db_exec(db, &stmt_plan_lock, 1, p, &err)) == NULL) {
		adm_fail(r, action, "plan", name, err, NULL);
		return;
	}
	exists = PQntuples(res) == 1;
	PQclear(res);
	res = NULL;
	if (!exists) {
		s = p[1] == NULL ? "display_name" : p[2] == NULL ?
		    "server_type" : NULL;
		for (k = 0; s == NULL && k < OCH_NELEM(plan_ints); k++)
			if (plan_ints[k].required &&
			    p[plan_ints[k].param] == NULL)
				s = plan_ints[k].key;
		if (s != NULL) {
			snprintf(msg, sizeof(msg), "%s: required for a new "
			    "plan", s);
			adm_fail(r, action, "plan", name, OCH_EINVAL, msg);
			return;
		}
	}
	err = db_run(db, exists ? &stmt_plan_update : &stmt_plan_insert, 14,
	    p, NULL);
	if (err != OCH_OK) {
		adm_fail(r, action, "plan", name, err == OCH_EINVAL ?
		    OCH_EUNPROCESSABLE : err, err == OCH_EINVAL ?
		    "the plan breaks a constraint" : NULL);
		return;
	}
	if (db_commit(db) < 0) {
		adm_fail(r, action, "plan", name, OCH_EDB, NULL);
		return;
	}
	log_info("admin plan %s %s", name, exists ? "changed" : "created");
	status = exists ? 200 : 201;
	if ((res = db_exec(db, &stmt_plan, 1, p, &err)) == NULL ||
	    PQntuples(res) != 1) {
		PQclear(res);
		adm_fail(r, action, "plan", name, res == NULL ? err : OCH_ESYSTEM,
		    NULL);
		return;
	}
	it = adm_rows_json(res, plan_cols, OCH_NELEM(plan_cols));
	resp_json(r, status, cJSON_DetachItemFromArray((cJSON *)it, 0));
	cJSON_Delete((cJSON *)it);
	PQclear(res);
	audit_req(r, action, "plan", name, status, exists ?
	    "{\"created\":false}" : "{\"created\":true}");
}

/* ---- users ---------------------------------------------------------- */

static void
h_users(struct req *r)
{
	static const char *const action = "admin.user.list";
	static const struct adm_col cols[] = { { "id", 'i' }, { "email", 's' },
	    { "role", 's' }, { "whmcs_client_id", 'i' },
	    { "created_at", 's' }, { "instances", 'i' },
	    { "last_login_at", 's' } };
	PGresult	*res = NULL, *cnt = NULL;
	cJSON		*root;
	char		*q = NULL, *role = NULL, lb[24], ob[24];
	const char	*p[4];
	int64_t		 limit, offset;
	enum och_err	 err;

	if (adm_q_text(r, "q", 254, &q) < 0 || adm_q_text(r, "role", 16, &role) < 0 ||
	    (role != NULL && strcmp(role, "admin") != 0 &&
	    strcmp(role, "customer") != 0) ||
	    adm_q_int(r, "limit", 1, 500, 50, &limit) < 0 ||
	    adm_q_int(r, "offset", 0, INT32_MAX, 0, &offset) < 0) {
		adm_fail(r, action, NULL, NULL, OCH_EINVAL,
		    "q, role, limit (1-500) or offset: invalid");
		goto out;
	}
	snprintf(lb, sizeof(lb), "%lld", (long long)limit);
	snprintf(ob, sizeof(ob), "%lld", (long long)offset);
	p[0] = q;
	p[1] = role;
	p[2] = lb;
	p[3] = ob;
	if ((res = db_exec(r->app->db, &stmt_users, 4, p, &err)) == NULL ||
	    (cnt = db_exec(r->app->db, &stmt_users_count, 2, p, &err)) ==
	    NULL) {
		adm_fail(r, action, NULL, NULL, err, NULL);
		goto out;
	}
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "users",
	    adm_rows_json(res, cols, OCH_NELEM(cols)));
	cJSON_AddNumberToObject(root, "total", (double)db_int(cnt, 0, 0));
	cJSON_AddNumberToObject(root, "limit", (double)limit);
	cJSON_AddNumberToObject(root, "offset", (double)offset);
	resp_json(r, 200, root);
	audit_req(r, action, NULL, NULL, 200, NULL);
out:
	PQclear(res);
	PQclear(cnt);
	free(q);
	free(role);
}

/*
 * POST /admin/users/{id}/role {role}: promote or demote.  The last admin
 * cannot be demoted (409): every admin row is locked first, so two
 * demotions at the same time cannot leave none.  A WHMCS client's user
 * is never promoted (400; principals never merge).
 */
static void
h_user_role(struct req *r)
{
	static const char *const action = "admin.user.role";
	struct db	*db = r->app->db;
	PGresult	*res = NULL;
	const char	*uid = req_param(r, 0), *role, *p[2];
	char		*detail = NULL, from[16];
	cJSON		*o;
	enum och_err	 err;
	int		 admins;

	if (!valid_int64(uid, 1, INT64_MAX, NULL)) {
		adm_fail(r, action, "user", NULL, OCH_ENOTFOUND, "no such user");
		return;
	}
	if (r->json == NULL || js_str(r->json, "role", 16, &role) != JS_OK ||
	    (strcmp(role, "admin") != 0 && strcmp(role, "customer") != 0)) {
		adm_fail(r, action, "user", uid, OCH_EINVAL,
		    "role: admin or customer");
		return;
	}
	if (db_begin(db) < 0) {
		adm_fail(r, action, "user", uid, OCH_EDB, NULL);
		return;
	}
	if ((res = db_exec(db, &stmt_admins_lock, 0, NULL, &err)) == NULL) {
		adm_fail(r, action, "user", uid, err, NULL);
		return;
	}
	admins = PQntuples(res);
	PQclear(res);
	p[0] = uid;
	p[1] = role;
	if ((res = db_exec(db, &stmt_user_lock, 1, p, &err)) == NULL) {
		adm_fail(r, action, "user", uid, err, NULL);
		return;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		adm_fail(r, action, "user", uid, OCH_ENOTFOUND, "no such user");
		return;
	}
	snprintf(from, sizeof(from), "%s", db_val(res, 0, 0));
	if (strcmp(from, "admin") == 0 && strcmp(role, "admin") != 0 &&
	    admins <= 1) {
		PQclear(res);
		adm_fail(r, action, "user", uid, OCH_ECONFLICT,
		    "the last admin cannot be demoted");
		return;
	}
	if (strcmp(from, role) != 0 &&
	    (err = db_run(db, &stmt_user_role, 2, p, NULL)) != OCH_OK) {
		PQclear(res);	/* EINVAL: users_admin_is_operator (050) */
		adm_fail(r, action, "user", uid, err, err == OCH_EINVAL ? "role: a"
		    " WHMCS client's user cannot be an admin" : NULL);
		return;
	}
	if (db_commit(db) < 0) {
		PQclear(res);
		adm_fail(r, action, "user", uid, OCH_EDB, NULL);
		return;
	}
	log_info("admin user %s role %s -> %s", uid, from, role);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)strtoll(uid, NULL, 10));
	cJSON_AddStringToObject(o, "email", db_val(res, 0, 1));
	cJSON_AddStringToObject(o, "role", role);
	cJSON_AddStringToObject(o, "previous_role", from);
	PQclear(res);
	resp_json(r, 200, o);
	detail = xasprintf("{\"from\":\"%s\",\"to\":\"%s\"}", from, role);
	audit_req(r, action, "user", uid, 200, detail);
	free(detail);
}

/* ---- WHMCS sync ----------------------------------------------------- */

static void
h_sync(struct req *r)
{
	static const struct adm_col cols[] = { { "id", 's' }, { "slug", 's' },
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
		adm_add_cols(o, res, i, 0, cols, OCH_NELEM(cols));
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

#define A "/api/v1/admin"
static const struct route routes[] = {
	{ "GET", A "/instances", AUTH_ADMIN, adm_h_list, 0 },
	{ "GET", A "/instances/{id}", AUTH_ADMIN, h_get, 0 },
	{ "POST", A "/instances/{id}/retry", AUTH_ADMIN, h_retry, 0 },
	{ "POST", A "/instances/{id}/suspend", AUTH_ADMIN, h_suspend, 0 },
	{ "POST", A "/instances/{id}/unsuspend", AUTH_ADMIN, h_unsuspend, 0 },
	{ "POST", A "/instances/{id}/terminate", AUTH_ADMIN, h_terminate, 0 },
	{ "POST", A "/instances/{id}/rebuild", AUTH_ADMIN, h_rebuild, 0 },
	{ "POST", A "/instances/{id}/commands", AUTH_ADMIN, h_command, 4096 },
	{ "GET", A "/queue", AUTH_ADMIN, h_queue, 0 },
	{ "GET", A "/audit", AUTH_ADMIN, adm_h_audit, 0 },
	{ "GET", A "/stats", AUTH_ADMIN, adm_h_stats, 0 },
	{ "GET", A "/skills", AUTH_ADMIN, adm_h_skills, 0 },
	{ "PUT", A "/skills/{name}", AUTH_ADMIN, adm_h_skill_put, 8192 },
	{ "GET", A "/plans", AUTH_ADMIN, h_plans, 0 },
	{ "PUT", A "/plans/{name}", AUTH_ADMIN, h_plan_put, 8192 },
	{ "GET", A "/users", AUTH_ADMIN, h_users, 0 },
	{ "POST", A "/users/{id}/role", AUTH_ADMIN, h_user_role, 1024 },
	{ "GET", A "/whmcs-sync", AUTH_ADMIN, h_sync, 0 },
};
#undef A

int
main(int argc, char **argv)
{
	static const enum cfg_key required[] = { CFG_DATABASE_URL,
	    CFG_JWT_SECRET, CFG__MAX };

	return srv_main(argc, argv, "admin", routes, OCH_NELEM(routes),
	    required, NULL);
}
