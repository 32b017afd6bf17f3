/*
 * pstats.h: the poller's counters for the control plane's Prometheus
 * exposition (lib/stats.h): requests to each provider by status class and
 * latency, the providers' rate-limit budgets as last seen, and how long
 * each mode's runs last.  Kept in OCH_STATS_DIR/och-poller-<mode>.stats
 * across runs (cron starts a new run every minute).
 */
#ifndef OCH_PSTATS_H
#define OCH_PSTATS_H

#include <time.h>

#include "cfg.h"
#include "hcl.h"

/*
 * Start counting this run's provider requests on h (its observer).  A
 * no-op without OCH_STATS_DIR; never fails the run.
 */
void	pstats_open(const struct cfg *, struct hcl *h, const char *mode);
/* Refresh the gauges (rate-limit budgets, the run's age). */
void	pstats_beat(void);
/* The run ends: record its length and stop counting. */
void	pstats_close(struct hcl *h);

#endif
