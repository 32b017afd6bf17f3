/*
 * ent_ops.c: the operators' views of the entity layer (ent.h): an
 * instance with everything an operator looks at, the provisioning queue,
 * and the drift between WHMCS and us.  Each statement's row shape is its
 * struct ent_view (or INST_COLS), next to it.
 */
#include <stdlib.h>
#include <string.h>

#include "ent_ops.h"

#define TS(col) ENT_TS(col)

/* INST_COLUMNS, then these */
static const struct ent_col show_cols[] = { { "failed_state", 's' },
	{ "next_attempt_at", 's' }, { "locked_until", 's' },
	{ "locked_by", 's' }, { "dns_record_id", 's' },
	{ "dns_record6_id", 's' }, { "cleanup", 'b' },
	{ "config_revision", 'i' }, { "ready_at", 's' },
	{ "terminated_at", 's' }, { "user_id", 'i' } };
static const struct db_stmt stmt_show = { "ent_ops_show",
	"SELECT " INST_COLUMNS ", i.failed_state, " TS("i.next_attempt_at") ","
	" " TS("i.locked_until") ", i.locked_by, i.dns_record_id,"
	" i.dns_record6_id, i.cleanup, i.config_revision, " TS("i.ready_at") ","
	" " TS("i.terminated_at") ", i.user_id"
	INST_FROM " WHERE i.id = $1::uuid" };

static const struct ent_col ev_cols[] = { { "id", 'i' }, { "at", 's' },
	{ "kind", 's' }, { "from", 's' }, { "to", 's' }, { "actor", 's' },
	{ "message", 's' } };
static const struct ent_view v_events = ENT_VIEW("ent_ops_events",
	"SELECT id, " TS("at") ", kind, from_state, to_state, actor, message"
	" FROM instance_events WHERE instance_id = $1::uuid"
	" ORDER BY id DESC LIMIT 100", ev_cols);
static const struct ent_col rep_cols[] = { { "reported_at", 's' },
	{ "version", 's' }, { "config_revision", 'i' },
	{ "config_error", 's' }, { "health", 'j' }, { "channels", 'j' },
	{ "pairing_requests", 'i' } };
static const struct ent_view v_report = ENT_VIEW("ent_ops_report",
	"SELECT " TS("reported_at") ", version, config_revision, config_error,"
	" health::text, channels::text, jsonb_array_length(pairing)"
	" FROM agent_reports WHERE instance_id = $1::uuid", rep_cols);
/* no result: a running whatsapp_login holds the customer's QR code */
static const struct ent_col cmd_cols[] = { { "id", 'i' }, { "type", 's' },
	{ "args", 'j' }, { "status", 's' }, { "created_by", 's' },
	{ "created_at", 's' }, { "started_at", 's' } };
static const struct ent_view v_cmds = ENT_VIEW("ent_ops_cmds",
	"SELECT id, kind, args::text, status, created_by, " TS("created_at") ","
	" " TS("started_at") " FROM instance_commands"
	" WHERE instance_id = $1::uuid AND status IN ('queued', 'running')"
	" ORDER BY id", cmd_cols);
static const struct ent_col mail_cols[] = { { "id", 'i' },
	{ "template", 's' }, { "to", 's' }, { "status", 's' },
	{ "attempts", 'i' }, { "next_attempt_at", 's' },
	{ "last_error", 's' }, { "created_at", 's' }, { "sent_at", 's' } };
static const struct ent_view v_emails = ENT_VIEW("ent_ops_emails",
	"SELECT id, template, to_email, status, attempts, "
	TS("next_attempt_at") ", last_error, " TS("created_at") ","
	" " TS("sent_at") " FROM email_outbox WHERE instance_id = $1::uuid"
	" ORDER BY id DESC LIMIT 50", mail_cols);
static const struct ent_col hook_cols[] = { { "id", 'i' },
	{ "command", 's' }, { "payload", 'j' }, { "status", 's' },
	{ "attempts", 'i' }, { "next_attempt_at", 's' },
	{ "last_error", 's' }, { "created_at", 's' }, { "sent_at", 's' } };
static const struct ent_view v_hooks = ENT_VIEW("ent_ops_hooks",
	"SELECT id, command, (payload - 'password' - 'password2')::text,"
	" status, attempts, " TS("next_attempt_at") ", last_error,"
	" " TS("created_at") ", " TS("sent_at")
	" FROM webhook_outbox WHERE instance_id = $1::uuid"
	" ORDER BY id DESC LIMIT 50", hook_cols);

static const struct ent_col q_cols[] = { { "id", 's' }, { "slug", 's' },
	{ "state", 's' }, { "desired_state", 's' }, { "plan", 's' },
	{ "pending_plan", 's' }, { "pending_action", 's' },
	{ "attempts", 'i' }, { "next_attempt_at", 's' },
	{ "locked_until", 's' }, { "locked_by", 's' },
	{ "last_error", 's' }, { "updated_at", 's' },
	{ "whmcs_service_id", 'i' }, { "due", 'b' } };
static const struct ent_view v_queue = ENT_VIEW("ent_ops_queue",
	"SELECT i.id, i.slug, i.state, i.desired_state, i.plan, i.pending_plan,"
	" i.pending_action, i.attempts, " TS("i.next_attempt_at") ","
	" " TS("i.locked_until") ", i.locked_by, i.last_error,"
	" " TS("i.updated_at") ", i.whmcs_service_id,"
	" i.next_attempt_at <= now() AND (i.locked_until IS NULL"
	"  OR i.locked_until < now())"
	" FROM instances i WHERE i.state NOT IN ('failed', 'terminated')"
	" AND (i.state <> i.desired_state OR i.pending_plan IS NOT NULL"
	"  OR i.pending_action IS NOT NULL)"
	" ORDER BY i.next_attempt_at, i.id LIMIT 500", q_cols);
static const struct ent_col f_cols[] = { { "id", 's' }, { "slug", 's' },
	{ "failed_state", 's' }, { "desired_state", 's' },
	{ "plan", 's' }, { "attempts", 'i' }, { "last_error", 's' },
	{ "cleanup", 'b' }, { "updated_at", 's' },
	{ "whmcs_service_id", 'i' } };
static const struct ent_view v_failed = ENT_VIEW("ent_ops_failed",
	"SELECT i.id, i.slug, i.failed_state, i.desired_state, i.plan,"
	" i.attempts, i.last_error, i.cleanup, " TS("i.updated_at") ","
	" i.whmcs_service_id FROM instances i WHERE i.state = 'failed'"
	" ORDER BY i.updated_at DESC, i.id LIMIT 500", f_cols);
/* the outbox name, then these */
static const struct ent_col o_cols[] = { { "pending", 'i' },
	{ "failed", 'i' }, { "due", 'i' }, { "oldest_pending_age_s", 'i' } };
static const struct db_stmt stmt_outbox = { "ent_ops_outbox",
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
static const struct ent_col p_cols[] = { { "mode", 's' }, { "host", 's' },
	{ "pid", 'i' }, { "age_s", 'i' } };
static const struct ent_view v_pollers = ENT_VIEW("ent_ops_pollers",
	"SELECT mode, host, pid, floor(extract(epoch FROM now() - beat_at))::bigint"
	" FROM poller_heartbeats ORDER BY mode, host", p_cols);

/*
 * WHMCS's idea of a service's status is the last thing it was told (an
 * UpdateClientProduct we sent with a status) or did itself (a suspend,
 * unsuspend or terminate by an API client), whichever is newer.  Drift:
 * that differs from what our settled state means to WHMCS, or an update
 * for the service failed or is stuck in the outbox.
 */
enum { SC_EXPECTED = 5, SC_STATUS, SC_FAILED = 9, SC_STUCK };
static const struct ent_col sync_cols[] = { { "id", 's' }, { "slug", 's' },
	{ "whmcs_service_id", 'i' }, { "state", 's' },
	{ "desired_state", 's' }, { "expected_whmcs_status", 's' },
	{ "whmcs_status", 's' }, { "whmcs_status_at", 's' },
	{ "whmcs_status_source", 's' }, { "failed_updates", 'i' },
	{ "stuck_updates", 'i' } };
static const struct db_stmt stmt_sync = { "ent_ops_sync",
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

static const struct db_stmt stmt_health = { "ent_ops_health",
	"SELECT (SELECT max(version) FROM schema_migrations),"
	" (SELECT floor(extract(epoch FROM now() - max(beat_at)))::bigint"
	"  FROM poller_heartbeats)" };
/* the fleet's gauges: name, label, label value, value */
static const struct db_stmt stmt_fleet = { "ent_ops_gauges",
	"SELECT 'och_instances', 'state', state, count(*)::float8"
	" FROM instances GROUP BY state"
	" UNION ALL SELECT 'och_provision_queue_depth', NULL, NULL, count(*)"
	" FROM instances WHERE state NOT IN ('active', 'suspended',"
	" 'terminated', 'failed')"
	" UNION ALL SELECT 'och_provision_queue_oldest_seconds', NULL, NULL,"
	" coalesce(extract(epoch FROM now() - min(updated_at)), 0)::float8"
	" FROM instances WHERE state NOT IN ('active', 'suspended',"
	" 'terminated', 'failed')"
	" UNION ALL SELECT 'och_instances_failed', NULL, NULL, count(*)"
	" FROM instances WHERE state = 'failed'"
	" UNION ALL SELECT 'och_outbox_pending', 'outbox', 'email', count(*)"
	" FROM email_outbox WHERE status = 'pending'"
	" UNION ALL SELECT 'och_outbox_pending', 'outbox', 'whmcs', count(*)"
	" FROM webhook_outbox WHERE status = 'pending'"
	" UNION ALL SELECT 'och_outbox_oldest_seconds', 'outbox', 'email',"
	" coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8"
	" FROM email_outbox WHERE status = 'pending'"
	" UNION ALL SELECT 'och_outbox_oldest_seconds', 'outbox', 'whmcs',"
	" coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8"
	" FROM webhook_outbox WHERE status = 'pending'"
	" UNION ALL SELECT 'och_outbox_failed', 'outbox', 'email', count(*)"
	" FROM email_outbox WHERE status = 'failed'"
	" UNION ALL SELECT 'och_outbox_failed', 'outbox', 'whmcs', count(*)"
	" FROM webhook_outbox WHERE status = 'failed'"
	" UNION ALL SELECT 'och_poller_heartbeat_age_seconds', 'mode',"
	" mode || ' ' || host, extract(epoch FROM now() - beat_at)::float8"
	" FROM poller_heartbeats"
	" ORDER BY 1, 3" };

/* Add view v's rows for instance id to o as key (best effort: logged). */
static void
add_rows(struct db *db, cJSON *o, const char *key, const struct ent_view *v,
    const char *id)
{
	const char	*p[1] = { id };
	cJSON		*arr;

	if (ent_view_rows(db, v, 1, p, &arr) == OCH_OK)
		cJSON_AddItemToObject(o, key, arr);
}

enum och_err
ent_ops_instance(struct db *db, const struct cfg *c, const char *id,
    cJSON **out)
{
	PGresult	*res;
	const char	*p[1] = { id };
	cJSON		*o, *x;
	enum och_err	 err;

	*out = NULL;
	if ((res = db_exec(db, &stmt_show, 1, p, &err)) == NULL)
		return err;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return OCH_ENOTFOUND;
	}
	o = inst_json(res, 0, c);
	ent_cols_add(o, res, 0, INST_NCOLS, show_cols, OCH_NELEM(show_cols));
	PQclear(res);
	add_rows(db, o, "events", &v_events, id);
	if ((err = ent_view_one(db, &v_report, 1, p, &x)) == OCH_OK)
		cJSON_AddItemToObject(o, "agent_report", x);
	else if (err == OCH_ENOTFOUND)
		cJSON_AddNullToObject(o, "agent_report");
	add_rows(db, o, "pending_commands", &v_cmds, id);
	x = cJSON_AddObjectToObject(o, "outbox");
	add_rows(db, x, "email", &v_emails, id);
	add_rows(db, x, "webhook", &v_hooks, id);
	*out = o;
	return OCH_OK;
}

/* The outboxes' counts by name into root's "outbox". */
static enum och_err
queue_outbox(struct db *db, cJSON *root)
{
	PGresult	*res;
	cJSON		*o, *x;
	enum och_err	 err;
	int		 i;

	if ((res = db_exec(db, &stmt_outbox, 0, NULL, &err)) == NULL)
		return err;
	o = cJSON_AddObjectToObject(root, "outbox");
	for (i = 0; i < PQntuples(res); i++) {
		x = cJSON_AddObjectToObject(o, db_val(res, i, 0));
		ent_cols_add(x, res, i, 1, o_cols, OCH_NELEM(o_cols));
	}
	PQclear(res);
	return OCH_OK;
}

enum och_err
ent_ops_queue(struct db *db, cJSON **out)
{
	cJSON		*root, *q = NULL, *f = NULL, *pl = NULL;
	enum och_err	 err;

	*out = NULL;
	root = cJSON_CreateObject();
	if ((err = ent_view_rows(db, &v_queue, 0, NULL, &q)) != OCH_OK ||
	    (err = ent_view_rows(db, &v_failed, 0, NULL, &f)) != OCH_OK) {
		cJSON_Delete(q);
		cJSON_Delete(root);
		return err;
	}
	cJSON_AddItemToObject(root, "queue", q);
	cJSON_AddItemToObject(root, "failed", f);
	if ((err = queue_outbox(db, root)) != OCH_OK ||
	    (err = ent_view_rows(db, &v_pollers, 0, NULL, &pl)) != OCH_OK) {
		cJSON_Delete(root);
		return err;
	}
	cJSON_AddItemToObject(root, "pollers", pl);
	*out = root;
	return OCH_OK;
}

/* Why row i of res (stmt_sync) drifts, as a new array of codes. */
static cJSON *
drift_reasons(const PGresult *res, int i)
{
	const char	*exp, *got;
	cJSON		*why;

	why = cJSON_CreateArray();
	exp = db_val(res, i, SC_EXPECTED);
	got = db_val(res, i, SC_STATUS);
	if (exp != NULL && got != NULL && strcmp(exp, got) != 0)
		cJSON_AddItemToArray(why, cJSON_CreateString("status_mismatch"));
	if (db_int(res, i, SC_FAILED) > 0)
		cJSON_AddItemToArray(why, cJSON_CreateString("update_failed"));
	if (db_int(res, i, SC_STUCK) > 0)
		cJSON_AddItemToArray(why, cJSON_CreateString("update_stuck"));
	return why;
}

enum och_err
ent_ops_drift(struct db *db, cJSON **out)
{
	PGresult	*res;
	cJSON		*o;
	enum och_err	 err;
	int		 i;

	*out = NULL;
	if ((res = db_exec(db, &stmt_sync, 0, NULL, &err)) == NULL)
		return err;
	*out = cJSON_CreateArray();
	for (i = 0; i < PQntuples(res); i++) {
		o = cJSON_CreateObject();
		ent_cols_add(o, res, i, 0, sync_cols, OCH_NELEM(sync_cols));
		cJSON_AddItemToObject(o, "reasons", drift_reasons(res, i));
		cJSON_AddItemToArray(*out, o);
	}
	PQclear(res);
	return OCH_OK;
}

enum och_err
ent_ops_health(struct db *db, struct ent_health *h)
{
	PGresult	*res;
	enum och_err	 err;

	memset(h, 0, sizeof(*h));
	if ((res = db_exec(db, &stmt_health, 0, NULL, &err)) == NULL)
		return err;
	if ((h->has_schema = db_val(res, 0, 0) != NULL))
		h->schema = db_int(res, 0, 0);
	if ((h->has_poller_age = db_val(res, 0, 1) != NULL))
		h->poller_age_s = db_int(res, 0, 1);
	PQclear(res);
	return OCH_OK;
}

/* stmt_fleet's columns in order */
static const struct ent_field gauge_fields[] = {
	ENT_FIELD(NULL, ent_gauge, name, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_gauge, label, ENT_F_STR),
	ENT_FIELD(NULL, ent_gauge, label_value, ENT_F_STR),
	ENT_FIELD(NULL, ent_gauge, value, ENT_F_TEXT),
};
static const struct ent_fields gauge_shape =
    ENT_FIELDS(ent_gauge, gauge_fields);

enum och_err
ent_ops_gauges(struct db *db, struct ent_gauge **out, size_t *n)
{
	return ent_fields_rows(db, &stmt_fleet, 0, NULL, &gauge_shape, out, n);
}

void
ent_gauge_free(struct ent_gauge *g, size_t n)
{
	ent_fields_free(g, n, &gauge_shape);
}
