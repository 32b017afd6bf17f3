/*
 * pstats.c: the poller's Prometheus counters (see pstats.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cloudflare.h"
#include "hetzner.h"
#include "pstats.h"
#include "resend.h"
#include "stats.h"

/* The upstreams, by slot; "other" takes what no base URL names. */
static const char *const upstream[] = { "hetzner", "cloudflare", "resend",
	"whmcs", "other" };
static const enum cfg_key upstream_url[] = { CFG_HETZNER_API_URL,
	CFG_CLOUDFLARE_API_URL, CFG_RESEND_API_URL, CFG_WHMCS_API_URL };

static struct {
	struct stats		*st;
	const struct cfg	*cfg;
	char			 mode[16];
	time_t			 started;
} ps;

static void
observe(void *arg, const char *url, long status, long elapsed_ms)
{
	const char	*base;
	size_t		 i;

	(void)arg;
	for (i = 0; i < OCH_NELEM(upstream_url); i++)
		if ((base = cfg_get(ps.cfg, upstream_url[i])) != NULL &&
		    strncmp(url, base, strlen(base)) == 0)
			break;
	stats_observe(ps.st, i, (int)status, elapsed_ms < 0 ? 0 :
	    (uint64_t)elapsed_ms * 1000u);
}

void
pstats_open(const struct cfg *cfg, struct hcl *h, const char *mode)
{
	char	 prog[40];

	snprintf(prog, sizeof(prog), "och-poller-%s", mode);
	ps.st = stats_open(cfg_get(cfg, CFG_OCH_STATS_DIR), prog,
	    STATS_UPSTREAM, upstream, OCH_NELEM(upstream), STATS_PERSIST);
	if (ps.st == NULL)
		return;
	ps.cfg = cfg;
	snprintf(ps.mode, sizeof(ps.mode), "%s", mode);
	ps.started = time(NULL);
	hcl_set_observer(h, observe, NULL);
}

/* One provider's budget as last seen, if it was. */
static void
budget(const char *name, void (*get)(struct hcl_ratelimit *, time_t *))
{
	struct hcl_ratelimit	 rl;
	time_t			 seen;
	char			 g[96];

	get(&rl, &seen);
	if (seen == 0)
		return;
	if (rl.remaining >= 0) {
		snprintf(g, sizeof(g), "och_provider_ratelimit_remaining"
		    "{provider=\"%s\"}", name);
		stats_gauge(ps.st, g, (double)rl.remaining);
	}
	if (rl.limit >= 0) {
		snprintf(g, sizeof(g), "och_provider_ratelimit_limit"
		    "{provider=\"%s\"}", name);
		stats_gauge(ps.st, g, (double)rl.limit);
	}
	if (rl.reset_at >= 0) {
		snprintf(g, sizeof(g), "och_provider_ratelimit_reset_timestamp"
		    "_seconds{provider=\"%s\"}", name);
		stats_gauge(ps.st, g, (double)rl.reset_at);
	}
}

void
pstats_beat(void)
{
	if (ps.st == NULL)
		return;
	budget("hetzner", hz_rl_get);
	budget("cloudflare", cf_rl_get);
	budget("resend", rs_rl_get);
}

void
pstats_close(struct hcl *h)
{
	char	 g[96];
	time_t	 now = time(NULL);

	if (ps.st == NULL)
		return;
	pstats_beat();
	snprintf(g, sizeof(g), "och_poller_last_run_seconds{mode=\"%s\"}",
	    ps.mode);
	stats_gauge(ps.st, g, (double)(now - ps.started));
	snprintf(g, sizeof(g), "och_poller_last_run_end_timestamp_seconds"
	    "{mode=\"%s\"}", ps.mode);
	stats_gauge(ps.st, g, (double)now);
	hcl_set_observer(h, NULL, NULL);
	stats_close(ps.st);
	ps.st = NULL;
}
