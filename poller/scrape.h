/*
 * scrape.h: och-poller's metrics work (och-poller(8), metrics).
 *
 * scrape_cycle() is one scrape cycle: every active instance's
 * node_exporter at https://<ipv4>:<METRICS_EXPORTER_PORT, 9100>/metrics,
 * TLS with the key pinned to instances.exporter_pin (the VPS's ready call
 * named it; libcurl aborts on another key before any request is sent, so
 * the password never reaches an impostor; an instance without a pin is
 * not scraped), basic auth `och` + the sealed node_exporter_password, many
 * in flight at once (libcurl multi, METRICS_CONCURRENCY, default 500;
 * METRICS_TIMEOUT_MS per target, default 5000), parsed with prom_ and
 * reduced to the whitelisted series with met_, stored with one COPY.  A
 * target that fails (connect, timeout, HTTP status, bad exposition) is
 * recorded as up=0, not as a poller error; so is a key that is not the
 * pinned one.
 *
 * A struct scrape (scrape_new) holds what cycles share: one libcurl multi
 * whose connection cache keeps a target's TLS connection from one cycle
 * to the next (as Prometheus does), so a long-lived metrics poller does
 * the handshake once per target, not once per cycle.  Reuse is no way
 * past the pin: libcurl reuses a connection only for a transfer with the
 * same pinned key (its TLS config match), a transfer whose pin changed
 * since the last cycle is forced onto a fresh connection as well, and the
 * password goes with every request, checked by the exporter each time.
 *
 * scrape_maintain() is the maintain mode's part: partitions ahead, the
 * hourly rollup into metrics_hourly, and retention (day partitions older
 * than METRICS_RETENTION_DAYS, default 30, are dropped).
 */
#ifndef OCH_SCRAPE_H
#define OCH_SCRAPE_H

#include <signal.h>
#include <time.h>

#include "cfg.h"
#include "db.h"

struct scrape_stats {
	long	 targets;	/* instances scraped */
	long	 up;		/* of which answered with a valid exposition */
	long	 rows;		/* rows stored */
	long	 ms;		/* wall time of the cycle */
};

struct scrape;

/*
 * What cycles share, with a connection cache for up to max_conns targets
 * (at least 16).  Returns NULL when libcurl does not initialise (logged).
 * The caller frees it with scrape_free(), which closes the connections.
 */
struct scrape	*scrape_new(long max_conns);
void		 scrape_free(struct scrape *);

/*
 * One cycle with sc's connections; no new target is started after deadline or once *stop is
 * set.  Returns 0 (even when targets were down), or -1 when the database
 * or the key ring failed (logged); st may be NULL.
 */
int	scrape_cycle(struct scrape *sc, struct db *, const struct cfg *,
	    time_t deadline,
	    volatile sig_atomic_t *stop, struct scrape_stats *st);

/*
 * Rollup of the last hours into metrics_hourly and retention.  Returns
 * 0, or -1 on a database error (logged).
 */
int	scrape_maintain(struct db *, const struct cfg *);

#endif
