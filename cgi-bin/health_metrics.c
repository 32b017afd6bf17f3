/*
 * health_metrics.c: GET /internal/metrics, the control plane's Prometheus
 * exposition (text format 0.0.4).  nginx serves it to loopback and the
 * addresses in och-metrics-allow.conf only.  Two parts:
 *  - the request counters every FastCGI binary and poller on this host
 *    keeps in OCH_STATS_DIR (lib/stats.h): requests and latency per route,
 *    provider requests, rate-limit budgets, poller cycle times;
 *  - the fleet's state from PostgreSQL in one statement: instances by
 *    state, the provisioning queue's depth and age, outbox backlog and
 *    age, poller heartbeats.
 * A database that does not answer gives och_db_up 0 and the counters
 * still; the answer is 200 either way, so a scrape shows what it can.
 */
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "stats.h"

static const struct db_stmt stmt_fleet = { "health_fleet",
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

/* HELP and TYPE of every family the statement returns. */
static const struct {
	const char	*name;
	const char	*help;
} fleet[] = {
	{ "och_instances", "Instances by lifecycle state." },
	{ "och_instances_failed", "Instances in the failed state (they need "
	    "an operator: ochctl instances retry)." },
	{ "och_outbox_failed", "Outbox rows that failed for good." },
	{ "och_outbox_oldest_seconds", "Age of the oldest pending outbox "
	    "row (0 when none is pending)." },
	{ "och_outbox_pending", "Outbox rows waiting to be sent." },
	{ "och_poller_heartbeat_age_seconds", "Seconds since each poller "
	    "mode on each host last beat." },
	{ "och_provision_queue_depth", "Instances on their way to a steady "
	    "state (pending, creating, booting, changing, terminating)." },
	{ "och_provision_queue_oldest_seconds", "Time since the longest-"
	    "waiting instance in the provisioning queue last moved." },
};

static const char *
fleet_help(const char *name)
{
	size_t	 i;

	for (i = 0; i < OCH_NELEM(fleet); i++)
		if (strcmp(fleet[i].name, name) == 0)
			return fleet[i].help;
	return "Fleet state from the database.";
}

/* The labels of one row: k=v, or for heartbeats mode and host. */
static void
fleet_labels(struct buf *out, const char *name, const char *k,
    const char *v)
{
	const char	*sp;
	char		*mode;

	if (k == NULL || v == NULL)
		return;
	if (strcmp(name, "och_poller_heartbeat_age_seconds") == 0 &&
	    (sp = strchr(v, ' ')) != NULL) {
		mode = xstrndup(v, (size_t)(sp - v));
		buf_puts(out, "{mode=\"");
		stats_label(out, mode);
		buf_puts(out, "\",host=\"");
		stats_label(out, sp + 1);
		buf_puts(out, "\"}");
		free(mode);
		return;
	}
	buf_printf(out, "{%s=\"", k);
	stats_label(out, v);
	buf_puts(out, "\"}");
}

void
h_metrics(struct req *r)
{
	struct buf	 out = { 0 };
	PGresult	*res;
	const char	*name, *last = "";
	int		 i, n;

	(void)stats_render(cfg_get(&r->app->cfg, CFG_OCH_STATS_DIR), &out);
	res = db_exec(r->app->db, &stmt_fleet, 0, NULL, NULL);
	buf_puts(&out, "# HELP och_db_up 1 if PostgreSQL answered this "
	    "scrape, else 0.\n# TYPE och_db_up gauge\n");
	buf_printf(&out, "och_db_up %d\n", res != NULL);
	n = res != NULL ? PQntuples(res) : 0;
	for (i = 0; i < n; i++) {
		name = db_val(res, i, 0);
		if (strcmp(name, last) != 0) {
			buf_printf(&out, "# HELP %s %s\n# TYPE %s gauge\n",
			    name, fleet_help(name), name);
			last = name;
		}
		buf_puts(&out, name);
		fleet_labels(&out, name, db_val(res, i, 1), db_val(res, i, 2));
		buf_printf(&out, " %s\n", db_val(res, i, 3));
	}
	PQclear(res);
	resp_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    out.data ? out.data : "", out.len);
	buf_free(&out);
}
