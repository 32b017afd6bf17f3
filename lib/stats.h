/*
 * stats.h: counters that the processes of one host share, for the control
 * plane's Prometheus exposition (GET /internal/metrics, health.fcgi).
 *
 * A process group — a FastCGI binary with its prefork workers, or one
 * poller run — maps one file <dir>/<prog>.<pid>.stats (MAP_SHARED, opened
 * before the workers fork, so they all count into the same pages) and
 * counts with atomic adds: no lock, no system call per request.  The file
 * holds one slot per route (or per upstream, for the poller: kind
 * STATS_UPSTREAM) with answers by status class and a latency histogram,
 * and a few named gauges.  stats_render() sums the files of live
 * processes by (program, slot) and writes Prometheus text; the files of
 * dead processes are removed as it goes.  The directory is the
 * configuration's OCH_STATS_DIR; without it nothing is counted.
 *
 * Nothing secret is ever stored: slot names are route patterns
 * ("GET /api/v1/instances/{id}") or upstream names, never request paths.
 */
#ifndef OCH_STATS_H
#define OCH_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "och.h"

#define STATS_SLOTS_MAX		128
#define STATS_GAUGES_MAX	16
#define STATS_NAME_MAX		96

/* What a file's slots count. */
enum stats_kind {
	STATS_HTTP = 1,		/* requests this program answered */
	STATS_UPSTREAM = 2,	/* requests this program sent to a provider */
};

/* stats_open() flags. */
#define STATS_PERSIST	0x1	/* dir/prog.stats, kept across runs */

struct stats;

/*
 * Create (or replace) dir/prog.pid.stats with one slot per name (at most
 * STATS_SLOTS_MAX; longer names are cut) and map it; the file goes when
 * its process does.  With STATS_PERSIST the file is dir/prog.stats and a
 * later run with the same slots counts on from where the last one ended
 * (for the pollers, which cron starts anew every minute; one run per mode
 * and host at a time).  Returns the handle, or NULL with a log line if
 * dir is NULL or the file cannot be made (the caller goes on without
 * counting).
 */
struct stats	*stats_open(const char *dir, const char *prog,
		    enum stats_kind kind, const char *const *names, size_t n,
		    int flags);
/*
 * Count one answer in slot i: status is an HTTP status (0 for "no
 * answer": a transport error), usec the time it took.  Safe from any
 * process or thread sharing the mapping; st may be NULL (no-op).
 */
void		 stats_observe(struct stats *st, size_t i, int status,
		    uint64_t usec);
/*
 * Set gauge name (a metric name with its labels, e.g.
 * `och_provider_ratelimit_remaining{provider="hetzner"}`) to v; the
 * first STATS_GAUGES_MAX names get a place, later ones are dropped.
 * st may be NULL.
 */
void		 stats_gauge(struct stats *st, const char *name, double v);
/* Unmap and remove the file if this process created it; NULL is fine. */
void		 stats_close(struct stats *st);
/* Microseconds on the monotonic clock, for the caller's timings. */
uint64_t	 stats_now_us(void);
/*
 * Append the Prometheus text of every live process's file in dir to out.
 * Returns the number of files read, or -1 if dir cannot be read.
 */
int		 stats_render(const char *dir, struct buf *out);
/* Append value with \, " and newline escaped for a label value. */
void		 stats_label(struct buf *out, const char *value);

#endif
