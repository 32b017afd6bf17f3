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

#include "ent_ops.h"
#include "health.h"
#include "stats.h"


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
	struct ent_gauge *g;
	const char	*last = "";
	enum och_err	 err;
	size_t		 i, n;

	(void)stats_render(cfg_get(&r->app->cfg, CFG_OCH_STATS_DIR), &out);
	err = ent_ops_gauges(r->app->db, &g, &n);
	buf_puts(&out, "# HELP och_db_up 1 if PostgreSQL answered this "
	    "scrape, else 0.\n# TYPE och_db_up gauge\n");
	buf_printf(&out, "och_db_up %d\n", err == OCH_OK);
	for (i = 0; i < n; i++) {
		if (strcmp(g[i].name, last) != 0) {
			buf_printf(&out, "# HELP %s %s\n# TYPE %s gauge\n",
			    g[i].name, fleet_help(g[i].name), g[i].name);
			last = g[i].name;
		}
		buf_puts(&out, g[i].name);
		fleet_labels(&out, g[i].name, g[i].label, g[i].label_value);
		buf_printf(&out, " %s\n", g[i].value);
	}
	ent_gauge_free(g, n);
	resp_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    out.data ? out.data : "", out.len);
	buf_free(&out);
}
