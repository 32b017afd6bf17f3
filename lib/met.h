/*
 * met.h: what the control plane keeps of a node_exporter scrape: the
 * whitelisted series of the metrics table (schema/001_core.sql) derived
 * from one exposition.  Pure computation; the scraping and storing are
 * the metrics poller's (poller/scrape.c).
 *
 * Series and their meaning:
 *   cpu_seconds    busy CPU seconds since boot, summed over CPUs (every
 *                  mode of node_cpu_seconds_total but idle and iowait)
 *   cpu_util       percent busy of all CPUs between the previous stored
 *                  cpu_seconds and this one: 100 * Δbusy / (Δt * ncpu);
 *                  absent on the first scrape and after a counter reset
 *   load1          node_load1
 *   mem_total      node_memory_MemTotal_bytes
 *   mem_available  node_memory_MemAvailable_bytes (old kernels:
 *                  MemFree + Buffers + Cached)
 *   disk_total     node_filesystem_size_bytes{mountpoint="/"}
 *   disk_free      node_filesystem_avail_bytes{mountpoint="/"} (what a
 *                  non-root user can still write)
 *   net_rx_bytes   node_network_receive_bytes_total, summed over non-lo
 *   net_tx_bytes   node_network_transmit_bytes_total, summed over non-lo
 *   up             1 when the scrape and parse succeeded, else 0 (then
 *                  the only series)
 */
#ifndef OCH_MET_H
#define OCH_MET_H

#include <stddef.h>

#include "prom.h"

#define MET_MAXSERIES	11
/*
 * The values kept: 0, or from MET_VALUE_MIN to MET_VALUE_MAX (bytes,
 * seconds, loads: 10^18 is an exabyte); anything else, NaN and Inf are
 * not stored, so sums and squares over a year of points, and any
 * quotient of two of them, stay finite.
 */
#define MET_VALUE_MIN	1e-9
#define MET_VALUE_MAX	1e18

/* What one exposition holds of interest. */
struct met_node {
	double		 cpu_busy, cpu_idle;
	int		 ncpu;		/* samples with mode="idle" */
	double		 load1;
	double		 mem_total, mem_avail, mem_free, mem_buffers,
			 mem_cached;
	double		 fs_size, fs_avail;
	double		 net_rx, net_tx;
	double		 boot_time;
	unsigned	 have;		/* MET_H_* bits */
};

#define MET_H_CPU	0x001
#define MET_H_LOAD1	0x002
#define MET_H_MEMTOTAL	0x004
#define MET_H_MEMAVAIL	0x008
#define MET_H_MEMFREE	0x010
#define MET_H_BUFFERS	0x020
#define MET_H_CACHED	0x040
#define MET_H_FSSIZE	0x080
#define MET_H_FSAVAIL	0x100
#define MET_H_RX	0x200
#define MET_H_TX	0x400
#define MET_H_BOOT	0x800

/* One derived row. */
struct met_row {
	const char	*series;	/* a static name of the whitelist */
	double		 value;
};

/* The previous cpu_seconds of the same target, if any. */
struct met_prev {
	int		 have;
	double		 cpu_seconds;
	double		 at;		/* unix seconds */
};

/*
 * Parse an exposition into n (zeroed first).  Returns 0, or -1 when the
 * text is not valid exposition format (prom_parse()); n is then useless.
 */
int	met_parse(const char *text, size_t len, struct met_node *n);
/* The prom_parse() callback met_parse() uses; arg is a struct met_node. */
int	met_sample(const struct prom_sample *, void *arg);

/*
 * The rows for a successful scrape at unix time `at` into rows (room for
 * MET_MAXSERIES), prev may be NULL.  Non-finite values are left out.
 * Returns how many rows were written (at least `up`).
 */
size_t	met_rows(const struct met_node *n, const struct met_prev *prev,
	    double at, struct met_row *rows);

#endif
