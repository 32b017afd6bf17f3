/*
 * alert.c: the alert conditions and their evaluation (see alert.h).
 *
 * Each condition's query returns rows (subject, instance id or NULL,
 * state 'fire' | 'ok' | 'hold', detail) and takes its thresholds as
 * integer parameters from the configuration; the bookkeeping statements
 * below are the same for every condition.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "log.h"

struct cond {
	struct alert_cond_info	 info;
	int			 mail_open;	/* 0: another path mails it */
	enum cfg_key		 hold;		/* CFG__MAX: opens at once */
	long long		 hold_dflt;
	int			 np;
	enum cfg_key		 key[2];
	long long		 dflt[2];
	struct db_stmt		 eval;
};

/* the newest disk and memory samples of an active instance (15 min) */
#define LATEST(series) \
	" LEFT JOIN LATERAL (SELECT m.value FROM metrics m" \
	"  WHERE m.instance_id = i.id AND m.series = '" series "'" \
	"  AND m.at > now() - interval '15 minutes'" \
	"  ORDER BY m.at DESC LIMIT 1)"
/* the newest lim 'up' samples of an instance within the hour: n, cnt */
#define LAST_UP(lim, cnt, pred, alias) \
	" CROSS JOIN LATERAL (SELECT count(*) AS n, count(*) FILTER" \
	"  (WHERE s.value " pred ") AS " cnt " FROM (SELECT m.value" \
	"  FROM metrics m WHERE m.instance_id = i.id AND m.series = 'up'" \
	"  AND m.at > now() - interval '1 hour'" \
	"  ORDER BY m.at DESC LIMIT " lim "::int) s) " alias
/* a percentage used of an active instance: fires above $1, clear below $2 */
#define USED_PCT(name, what, free, total) { name, \
	"SELECT i.id::text, i.id::text," \
	" CASE WHEN p.used > $1::int THEN 'fire' WHEN p.used < $2::int" \
	"  THEN 'ok' ELSE 'hold' END," \
	" '" what " ' || round(p.used::numeric, 1) || ' % used'" \
	" FROM instances i" LATEST(free) " f ON true" LATEST(total) " t ON true" \
	" CROSS JOIN LATERAL (SELECT 100 * (1 - f.value / t.value) AS used) p" \
	" WHERE i.state = 'active' AND t.value > 0" }

static const struct cond conds[] = {
	{ { "instance_down", "Instance down", "both", "critical" }, 1,
	  CFG__MAX, 0, 2, { CFG_ALERT_DOWN_SCRAPES, CFG_ALERT_UP_SCRAPES },
	  { 3, 2 }, { "alert_down",
	"SELECT i.id::text, i.id::text,"
	" CASE WHEN d.n = $1::int AND d.ups = 0 THEN 'fire'"
	"  WHEN u.n = $2::int AND u.downs = 0 THEN 'ok' ELSE 'hold' END,"
	" 'node_exporter did not answer the last ' || d.n || ' scrapes'"
	" FROM instances i"
	LAST_UP("$1", "ups", "<> 0", "d") LAST_UP("$2", "downs", "= 0", "u")
	" WHERE i.state = 'active' AND d.n > 0" } },
	{ { "disk_full", "Disk almost full", "both", "warning" }, 1,
	  CFG__MAX, 0, 2, { CFG_ALERT_DISK_PCT, CFG_ALERT_DISK_CLEAR_PCT },
	  { 90, 85 }, USED_PCT("alert_disk", "disk", "disk_free", "disk_total") },
	{ { "memory_high", "Memory nearly exhausted", "both", "warning" }, 1,
	  CFG_ALERT_MEMORY_SECONDS, 600, 2,
	  { CFG_ALERT_MEMORY_PCT, CFG_ALERT_MEMORY_CLEAR_PCT }, { 95, 90 },
	  USED_PCT("alert_memory", "memory", "mem_available",
	  "mem_total") },
	{ { "gateway_not_ready", "OpenClaw gateway not ready", "both",
	    "critical" }, 1,
	  CFG_ALERT_GATEWAY_SECONDS, 300, 0, { CFG__MAX, CFG__MAX }, { 0, 0 },
	  { "alert_gateway",
	"SELECT i.id::text, i.id::text,"
	" CASE WHEN r.health->'ready' = 'false'::jsonb THEN 'fire'"
	"  WHEN r.health->'ready' = 'true'::jsonb THEN 'ok' ELSE 'hold' END,"
	" 'the agent reports the gateway not ready'"
	" || coalesce(': ' || left(r.health->>'failing', 200), '')"
	" FROM instances i JOIN agent_reports r ON r.instance_id = i.id"
	" WHERE i.state = 'active'"
	" AND r.reported_at > now() - interval '15 minutes'" } },
	{ { "channel_disconnected", "Channel disconnected", "both",
	    "warning" }, 1,
	  CFG_ALERT_CHANNEL_SECONDS, 600, 0, { CFG__MAX, CFG__MAX }, { 0, 0 },
	  { "alert_channel",
	/* a channel enabled in the settings whose account the agent's last
	   report (`openclaw channels status --json`) shows not running, not
	   connected or failing; jsonb comparisons only: the report is the
	   VPS's word and must not be able to break the query */
	"SELECT i.id::text, i.id::text,"
	" CASE WHEN bool_or(s.bad) THEN 'fire' ELSE 'ok' END,"
	" 'not connected: ' || coalesce(string_agg(c.kind || coalesce(' ('"
	"  || s.err || ')', ''), ', ') FILTER (WHERE s.bad), '')"
	" FROM instances i JOIN agent_reports r ON r.instance_id = i.id"
	" JOIN channels c ON c.instance_id = i.id AND c.enabled"
	" CROSS JOIN LATERAL (SELECT bool_or(a->'running' = 'false'::jsonb"
	"  OR a->'connected' = 'false'::jsonb"
	"  OR jsonb_typeof(a->'lastError') = 'string') AS bad,"
	"  max(left(CASE WHEN jsonb_typeof(a->'lastError') = 'string'"
	"  THEN a->>'lastError' END, 120)) AS err"
	"  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.channels"
	"   ->'channelAccounts'->c.kind) = 'array' THEN r.channels"
	"   ->'channelAccounts'->c.kind ELSE '[]'::jsonb END) a"
	"  WHERE a->'enabled' IS DISTINCT FROM 'false'::jsonb) s"
	" WHERE i.state = 'active' AND jsonb_typeof(r.channels) = 'object'"
	" AND r.reported_at > now() - interval '15 minutes'"
	" GROUP BY i.id" } },
	{ { "tls_self_signed", "Certificate still self-signed", "both",
	    "warning" }, 1,
	  CFG__MAX, 0, 1, { CFG_ALERT_TLS_SECONDS, CFG__MAX }, { 3600, 0 },
	  { "alert_tls",
	/* the DNS record exists from activation on: Let's Encrypt should
	   have answered well within the hour */
	"SELECT i.id::text, i.id::text,"
	" CASE WHEN r.tls->>'mode' = 'self-signed' THEN CASE WHEN i.active_at"
	"  < now() - $1::int * interval '1 second' THEN 'fire' ELSE 'hold'"
	"  END ELSE 'ok' END,"
	" 'HTTPS still uses the self-signed certificate'"
	" || coalesce(': ' || left(r.tls->>'error', 200), '')"
	" FROM instances i JOIN agent_reports r ON r.instance_id = i.id"
	" WHERE i.state = 'active' AND r.tls IS NOT NULL"
	" AND r.reported_at > now() - interval '1 hour'" } },
	{ { "provisioning_failed", "Provisioning failed", "admin",
	    "critical" }, 0,	/* lib/recon.c mails provisioning_failed */
	  CFG__MAX, 0, 0, { CFG__MAX, CFG__MAX }, { 0, 0 },
	  { "alert_provisioning",
	"SELECT i.id::text, i.id::text, 'fire',"
	" left(coalesce(i.last_error, 'failed'), 400)"
	" FROM instances i WHERE i.state = 'failed'" } },
	{ { "whmcs_update_stuck", "WHMCS update stuck", "admin", "warning" }, 1,
	  CFG__MAX, 0, 1, { CFG_ALERT_WHMCS_STUCK_SECONDS, CFG__MAX },
	  { 3600, 0 }, { "alert_whmcs",
	"SELECT w.instance_id::text, w.instance_id::text, 'fire',"
	" count(*) || ' WHMCS command(s) not delivered: '"
	" || left(string_agg(DISTINCT w.command || coalesce(' ('"
	"  || w.last_error || ')', ''), ', '), 400)"
	" FROM webhook_outbox w WHERE w.target = 'whmcs'"
	" AND w.instance_id IS NOT NULL"
	" AND w.created_at > now() - interval '7 days'"
	" AND (w.status = 'failed' OR (w.status = 'pending'"
	"  AND w.created_at < now() - $1::int * interval '1 second'))"
	" GROUP BY w.instance_id" } },
	{ { "backup_failed", "Backup failed", "admin", "warning" }, 1,
	  CFG__MAX, 0, 0, { CFG__MAX, CFG__MAX }, { 0, 0 },
	  { "alert_backup_failed",
	"SELECT i.id::text, i.id::text,"
	" CASE WHEN b.status = 'failed' THEN 'fire' ELSE 'ok' END,"
	" 'backup ' || b.id || ' failed: ' || left(coalesce(b.error, '?'), 300)"
	" FROM instances i CROSS JOIN LATERAL (SELECT x.id, x.status, x.error"
	"  FROM backups x WHERE x.instance_id = i.id AND x.kind = 'agent'"
	"  AND x.status IN ('failed', 'available')"
	"  ORDER BY x.created_at DESC, x.id DESC LIMIT 1) b"
	" WHERE i.state = 'active'" } },
	{ { "backup_overdue", "Backup overdue", "admin", "warning" }, 1,
	  CFG__MAX, 0, 0, { CFG__MAX, CFG__MAX }, { 0, 0 },
	  { "alert_backup_overdue",
	/* no available backup within twice the plan's interval (counted
	   from activation for a new instance); only once backups are in use
	   at all (object storage configured and one made) */
	"SELECT i.id::text, i.id::text,"
	" CASE WHEN coalesce(b.at, i.active_at) < now() - 2 * p.backup_hours"
	"  * interval '1 hour' THEN 'fire' ELSE 'ok' END,"
	" 'no backup stored since ' || to_char(coalesce(b.at, i.active_at)"
	"  AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC'"
	" FROM instances i JOIN plans p ON p.name = i.plan"
	" LEFT JOIN LATERAL (SELECT max(x.completed_at) AS at FROM backups x"
	"  WHERE x.instance_id = i.id AND x.kind = 'agent'"
	"  AND x.status = 'available') b ON true"
	" WHERE i.state = 'active' AND p.backup_hours > 0"
	" AND p.backup_slots > 0 AND i.active_at IS NOT NULL"
	" AND EXISTS (SELECT 1 FROM backups y WHERE y.kind = 'agent')" } },
	{ { "poller_stale", "Poller heartbeat stale", "admin", "critical" }, 1,
	  CFG__MAX, 0, 1, { CFG_ALERT_HEARTBEAT_SECONDS, CFG__MAX },
	  { 180, 0 }, { "alert_poller",
	"SELECT 'poller:' || mode, NULL,"
	" CASE WHEN max(beat_at) < now() - $1::int * interval '1 second'"
	"  THEN 'fire' ELSE 'ok' END,"
	" 'no och-poller ' || mode || ' heartbeat since '"
	" || to_char(max(beat_at) AT TIME ZONE 'UTC',"
	"  'YYYY-MM-DD HH24:MI:SS') || ' UTC'"
	" FROM poller_heartbeats GROUP BY mode" } },
	{ { "outbox_backlog", "Outbox backlog", "admin", "warning" }, 1,
	  CFG__MAX, 0, 2,
	  { CFG_ALERT_OUTBOX_BACKLOG, CFG_ALERT_OUTBOX_AGE_SECONDS },
	  { 100, 900 }, { "alert_outbox",
	"SELECT o.name, NULL,"
	" CASE WHEN o.n > $1::int OR o.oldest < now() - $2::int"
	"  * interval '1 second' THEN 'fire' ELSE 'ok' END,"
	" o.n || ' row(s) waiting' || coalesce(', the oldest since '"
	" || to_char(o.oldest AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
	" || ' UTC', '')"
	" FROM (SELECT 'email_outbox' AS name, count(*) AS n,"
	"  min(created_at) AS oldest FROM email_outbox"
	"  WHERE status = 'pending'"
	" UNION ALL SELECT 'webhook_outbox', count(*), min(created_at)"
	"  FROM webhook_outbox WHERE status = 'pending') o" } },
	{ { "hetzner_budget", "Hetzner API budget nearly spent", "admin",
	    "warning" }, 1,
	  CFG__MAX, 0, 2, { CFG_ALERT_HETZNER_BUDGET_PCT,
	  CFG_ALERT_HETZNER_BUDGET_CLEAR_PCT }, { 10, 25 },
	  { "alert_hetzner_budget",
	/* the project's budget is one for every poller: the newest reading
	   (schema/160) within the hour; none: nothing watched */
	"SELECT 'hetzner', NULL,"
	" CASE WHEN h.hetzner_remaining * 100 < $1::int * h.hetzner_limit"
	"  THEN 'fire' WHEN h.hetzner_remaining * 100 >= $2::int"
	"  * h.hetzner_limit THEN 'ok' ELSE 'hold' END,"
	" h.hetzner_remaining || ' of ' || h.hetzner_limit || ' Hetzner API"
	" requests left (och-poller ' || h.mode || ' on ' || h.host"
	" || ', ' || to_char(h.hetzner_seen_at AT TIME ZONE 'UTC',"
	"  'YYYY-MM-DD HH24:MI:SS') || ' UTC)'"
	" FROM (SELECT * FROM poller_heartbeats WHERE hetzner_seen_at > now()"
	"  - interval '1 hour' AND hetzner_limit > 0"
	"  AND hetzner_remaining >= 0"
	"  ORDER BY hetzner_seen_at DESC, beat_at DESC LIMIT 1) h" } },
};

/* one evaluator per condition at a time (7340: the alerts' lock class) */
static const struct db_stmt stmt_lock = { "alert_lock",
	"SELECT pg_try_advisory_xact_lock(7340, hashtext($1))" };
static const struct db_stmt stmt_pend = { "alert_pend",
	"INSERT INTO alerts (condition, subject, instance_id, audience,"
	" severity, detail)"
	" SELECT $1, u.s, u.i::uuid, $4, $5, left(coalesce(u.d, ''), 500)"
	" FROM unnest($2::text[], $3::text[], $6::text[]) AS u(s, i, d)"
	" ON CONFLICT (condition, subject) WHERE resolved_at IS NULL"
	" DO UPDATE SET last_seen_at = now(), detail = EXCLUDED.detail" };
static const struct db_stmt stmt_drop = { "alert_drop",
	"DELETE FROM alerts WHERE condition = $1 AND opened_at IS NULL"
	" AND resolved_at IS NULL AND NOT (subject = ANY ($2::text[]))" };
static const struct db_stmt stmt_open = { "alert_open",
	"UPDATE alerts SET opened_at = now() WHERE condition = $1"
	" AND opened_at IS NULL AND resolved_at IS NULL"
	" AND pending_since <= now() - $2::int * interval '1 second'"
	" RETURNING id" };
static const struct db_stmt stmt_resolve = { "alert_resolve",
	"UPDATE alerts SET resolved_at = now() WHERE condition = $1"
	" AND opened_at IS NOT NULL AND resolved_at IS NULL"
	" AND (subject = ANY ($2::text[]) OR NOT (subject = ANY ($3::text[])))"
	" RETURNING id" };
/*
 * The emails of one alert event: $1 alert id, $2 'opened' | 'resolved',
 * $3 ADMIN_EMAIL or NULL, $4 title, $5 CLOUDFLARE_DOMAIN or NULL.
 */
static const struct db_stmt stmt_mail = { "alert_mail",
	"INSERT INTO email_outbox (instance_id, template, to_email, vars,"
	" dedupe_key)"
	" SELECT a.instance_id, 'alert_' || $2, r.email,"
	"  jsonb_build_object('title', $4::text, 'condition', a.condition,"
	"  'severity', a.severity, 'detail', a.detail, 'target',"
	"  coalesce(i.slug || coalesce('.' || $5, ''), a.subject),"
	"  'instance_id', a.instance_id, 'opened_at',"
	"  to_char(a.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),"
	"  'resolved_at', to_char(a.resolved_at AT TIME ZONE 'UTC',"
	"  'YYYY-MM-DD HH24:MI:SS'), 'admin', r.admin),"
	"  'alert:' || a.id || ':' || $2 || ':' || r.email"
	" FROM alerts a LEFT JOIN instances i ON i.id = a.instance_id"
	" CROSS JOIN LATERAL (SELECT u.email, false AS admin FROM users u"
	"  WHERE u.id = i.user_id AND a.audience IN ('customer', 'both')"
	"  AND NOT EXISTS (SELECT 1 FROM alert_preferences p"
	"   WHERE p.user_id = u.id AND p.condition = a.condition"
	"   AND NOT p.email)"
	"  UNION ALL SELECT $3::text, true WHERE $3::text IS NOT NULL"
	"  AND a.audience IN ('admin', 'both')) r"
	" WHERE a.id = $1::bigint"
	" ON CONFLICT (dedupe_key) DO NOTHING" };
/* the operators' webhook: $1 alert id, $2 event, $3 title */
static const struct db_stmt stmt_hook = { "alert_hook",
	"INSERT INTO webhook_outbox (instance_id, target, command, payload,"
	" dedupe_key)"
	" SELECT a.instance_id, 'alert', $2, jsonb_build_object('id', a.id,"
	"  'event', $2::text, 'condition', a.condition, 'title', $3::text,"
	"  'subject', a.subject, 'severity', a.severity, 'detail', a.detail,"
	"  'instance_id', a.instance_id,"
	"  'opened_at', extract(epoch FROM a.opened_at)::bigint,"
	"  'resolved_at', extract(epoch FROM a.resolved_at)::bigint),"
	"  'alert:' || a.id || ':' || $2"
	" FROM alerts a WHERE a.id = $1::bigint"
	" ON CONFLICT (dedupe_key) DO NOTHING" };

size_t
alert_ncond(void)
{
	return OCH_NELEM(conds);
}

const struct alert_cond_info *
alert_cond(size_t i)
{
	return i < OCH_NELEM(conds) ? &conds[i].info : NULL;
}

const struct alert_cond_info *
alert_cond_find(const char *name)
{
	size_t	 i;

	for (i = 0; name != NULL && i < OCH_NELEM(conds); i++)
		if (strcmp(conds[i].info.name, name) == 0)
			return &conds[i].info;
	return NULL;
}

/* Append s as an element of a PostgreSQL array literal (NULL: NULL). */
static void
arr_add(struct buf *b, const char *s)
{
	buf_putc(b, b->len > 1 ? ',' : '{');
	if (s == NULL) {
		buf_puts(b, "NULL");
		return;
	}
	buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

static const char *
arr_end(struct buf *b)
{
	if (b->len == 0)
		buf_putc(b, '{');
	buf_putc(b, '}');
	return b->data;
}

/*
 * Queue the emails and webhook of the alerts in res (column 0: id) for
 * event.  Returns 0, or -1 on database error.
 */
static int
announce(struct db *db, const struct cfg *cfg, const struct cond *c,
    const PGresult *res, const char *event)
{
	const char	*p[5], *h[3];
	int		 i;

	for (i = 0; i < PQntuples(res); i++) {
		p[0] = h[0] = db_val(res, i, 0);
		p[1] = h[1] = event;
		p[2] = cfg_get(cfg, CFG_ADMIN_EMAIL);
		p[3] = h[2] = c->info.title;
		p[4] = cfg_get(cfg, CFG_CLOUDFLARE_DOMAIN);
		if ((c->mail_open || strcmp(event, "resolved") == 0) &&
		    db_run(db, &stmt_mail, 5, p, NULL) != OCH_OK)
			return -1;
		if (cfg_get(cfg, CFG_ALERT_WEBHOOK_URL) != NULL &&
		    db_run(db, &stmt_hook, 3, h, NULL) != OCH_OK)
			return -1;
		log_info("alert %s %s %s", p[0], c->info.name, event);
	}
	return 0;
}

/*
 * Evaluate one condition in its own transaction.  Returns 1 when done,
 * 0 when another poller holds it, -1 on database error (rolled back).
 */
static int
eval_one(struct db *db, const struct cfg *cfg, const struct cond *c,
    struct alert_stats *st)
{
	struct buf	 fs = { 0 }, fi = { 0 }, fd = { 0 }, ok = { 0 },
			 all = { 0 };
	PGresult	*res = NULL, *ev = NULL;
	char		 num[2][24], hold[24];
	const char	*p[6], *state;
	int		 i, rc = -1;

	if (db_begin(db) < 0)
		return -1;
	p[0] = c->info.name;
	if ((res = db_exec(db, &stmt_lock, 1, p, NULL)) == NULL)
		goto out;
	if (strcmp(db_val(res, 0, 0), "t") != 0) {
		rc = 0;
		goto out;
	}
	PQclear(res);
	res = NULL;
	for (i = 0; i < c->np; i++) {
		snprintf(num[i], sizeof(num[i]), "%lld",
		    cfg_int(cfg, c->key[i], c->dflt[i]));
		p[i] = num[i];
	}
	if ((ev = db_exec(db, &c->eval, c->np, p, NULL)) == NULL)
		goto out;
	for (i = 0; i < PQntuples(ev); i++) {
		state = db_val(ev, i, 2);
		arr_add(&all, db_val(ev, i, 0));
		if (strcmp(state, "fire") == 0) {
			arr_add(&fs, db_val(ev, i, 0));
			arr_add(&fi, db_val(ev, i, 1));
			arr_add(&fd, db_val(ev, i, 3));
		} else if (strcmp(state, "ok") == 0)
			arr_add(&ok, db_val(ev, i, 0));
	}
	p[0] = c->info.name;
	p[1] = arr_end(&fs);
	p[2] = arr_end(&fi);
	p[3] = c->info.audience;
	p[4] = c->info.severity;
	p[5] = arr_end(&fd);
	if (db_run(db, &stmt_pend, 6, p, NULL) != OCH_OK ||
	    db_run(db, &stmt_drop, 2, p, NULL) != OCH_OK)
		goto out;
	snprintf(hold, sizeof(hold), "%lld", c->hold == CFG__MAX ? 0 :
	    cfg_int(cfg, c->hold, c->hold_dflt));
	p[1] = hold;
	if ((res = db_exec(db, &stmt_open, 2, p, NULL)) == NULL ||
	    announce(db, cfg, c, res, "opened") < 0)
		goto out;
	st->opened += PQntuples(res);
	PQclear(res);
	p[1] = arr_end(&ok);
	p[2] = arr_end(&all);
	if ((res = db_exec(db, &stmt_resolve, 3, p, NULL)) == NULL ||
	    announce(db, cfg, c, res, "resolved") < 0)
		goto out;
	st->resolved += PQntuples(res);
	if (db_commit(db) < 0)
		goto out;
	rc = 1;
out:
	if (rc != 1)
		db_rollback(db);
	PQclear(res);
	PQclear(ev);
	buf_free(&fs);
	buf_free(&fi);
	buf_free(&fd);
	buf_free(&ok);
	buf_free(&all);
	return rc;
}

int
alert_evaluate(struct db *db, const struct cfg *cfg, struct alert_stats *out)
{
	struct alert_stats st = { 0, 0, 0 };
	size_t		 i;
	int		 r;

	for (i = 0; i < OCH_NELEM(conds); i++) {
		if ((r = eval_one(db, cfg, &conds[i], &st)) < 0) {
			log_error("alerts: %s not evaluated",
			    conds[i].info.name);
			return -1;
		}
		if (r == 0)
			st.skipped++;
	}
	log_info("alerts: %ld opened, %ld resolved%s", st.opened, st.resolved,
	    st.skipped > 0 ? " (some held by another poller)" : "");
	if (out != NULL)
		*out = st;
	return 0;
}
