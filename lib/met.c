/*
 * met.c: the whitelisted series of one node_exporter scrape (see met.h).
 */
#include <math.h>
#include <string.h>

#include "met.h"

/* "mode" values that are not busy time */
static int
idle_mode(const char *m)
{
	return m != NULL && (strcmp(m, "idle") == 0 ||
	    strcmp(m, "iowait") == 0);
}

int
met_sample(const struct prom_sample *s, void *arg)
{
	struct met_node	*n = arg;
	const char	*name = s->name, *l;
	double		 v = s->value;

	if (strncmp(name, "node_", 5) != 0)
		return 0;
	name += 5;
	if (strcmp(name, "cpu_seconds_total") == 0) {
		if (!isfinite(v))
			return 0;
		l = prom_label(s, "mode");
		if (idle_mode(l))
			n->cpu_idle += v;
		else
			n->cpu_busy += v;
		if (l != NULL && strcmp(l, "idle") == 0)
			n->ncpu++;
		n->have |= MET_H_CPU;
	} else if (strcmp(name, "load1") == 0) {
		n->load1 = v;
		n->have |= MET_H_LOAD1;
	} else if (strncmp(name, "memory_", 7) == 0) {
		name += 7;
		if (strcmp(name, "MemTotal_bytes") == 0) {
			n->mem_total = v;
			n->have |= MET_H_MEMTOTAL;
		} else if (strcmp(name, "MemAvailable_bytes") == 0) {
			n->mem_avail = v;
			n->have |= MET_H_MEMAVAIL;
		} else if (strcmp(name, "MemFree_bytes") == 0) {
			n->mem_free = v;
			n->have |= MET_H_MEMFREE;
		} else if (strcmp(name, "Buffers_bytes") == 0) {
			n->mem_buffers = v;
			n->have |= MET_H_BUFFERS;
		} else if (strcmp(name, "Cached_bytes") == 0) {
			n->mem_cached = v;
			n->have |= MET_H_CACHED;
		}
	} else if (strncmp(name, "filesystem_", 11) == 0) {
		if ((l = prom_label(s, "mountpoint")) == NULL ||
		    strcmp(l, "/") != 0)
			return 0;
		name += 11;
		if (strcmp(name, "size_bytes") == 0) {
			n->fs_size = v;
			n->have |= MET_H_FSSIZE;
		} else if (strcmp(name, "avail_bytes") == 0) {
			n->fs_avail = v;
			n->have |= MET_H_FSAVAIL;
		}
	} else if (strncmp(name, "network_", 8) == 0) {
		if ((l = prom_label(s, "device")) == NULL ||
		    strcmp(l, "lo") == 0 || !isfinite(v))
			return 0;
		name += 8;
		if (strcmp(name, "receive_bytes_total") == 0) {
			n->net_rx += v;
			n->have |= MET_H_RX;
		} else if (strcmp(name, "transmit_bytes_total") == 0) {
			n->net_tx += v;
			n->have |= MET_H_TX;
		}
	} else if (strcmp(name, "boot_time_seconds") == 0) {
		n->boot_time = v;
		n->have |= MET_H_BOOT;
	}
	return 0;
}

int
met_parse(const char *text, size_t len, struct met_node *n)
{
	memset(n, 0, sizeof(*n));
	return prom_parse(text, len, met_sample, n, NULL) == 0 ? 0 : -1;
}

/*
 * A row, when v is a value a series can hold: every series is a count,
 * a size or a load, never negative, 0 or from MET_VALUE_MIN to
 * MET_VALUE_MAX.  The exporter is the customer's: a huge value stored
 * made the hourly rollup's avg() overflow float8 for every instance, a
 * tiny disk size the disk condition's quotient.
 */
static void
add(struct met_row *rows, size_t *k, const char *series, double v)
{
	if (!isfinite(v) || v < 0 || v > MET_VALUE_MAX ||
	    (v > 0 && v < MET_VALUE_MIN))
		return;
	rows[*k].series = series;
	rows[*k].value = v;
	(*k)++;
}

size_t
met_rows(const struct met_node *n, const struct met_prev *prev, double at,
    struct met_row *rows)
{
	size_t	 k = 0;
	double	 dt, util;

	add(rows, &k, "up", 1);
	if (n->have & MET_H_CPU) {
		add(rows, &k, "cpu_seconds", n->cpu_busy);
		if (prev != NULL && prev->have && n->ncpu > 0 &&
		    (dt = at - prev->at) >= 1 &&
		    n->cpu_busy >= prev->cpu_seconds) {
			util = 100 * (n->cpu_busy - prev->cpu_seconds) /
			    (dt * n->ncpu);
			add(rows, &k, "cpu_util", util > 100 ? 100 : util);
		}
	}
	if (n->have & MET_H_LOAD1)
		add(rows, &k, "load1", n->load1);
	if (n->have & MET_H_MEMTOTAL)
		add(rows, &k, "mem_total", n->mem_total);
	if (n->have & MET_H_MEMAVAIL)
		add(rows, &k, "mem_available", n->mem_avail);
	else if ((n->have & (MET_H_MEMFREE | MET_H_BUFFERS | MET_H_CACHED)) ==
	    (MET_H_MEMFREE | MET_H_BUFFERS | MET_H_CACHED))
		add(rows, &k, "mem_available", n->mem_free + n->mem_buffers +
		    n->mem_cached);
	if (n->have & MET_H_FSSIZE)
		add(rows, &k, "disk_total", n->fs_size);
	if (n->have & MET_H_FSAVAIL)
		add(rows, &k, "disk_free", n->fs_avail);
	if (n->have & MET_H_RX)
		add(rows, &k, "net_rx_bytes", n->net_rx);
	if (n->have & MET_H_TX)
		add(rows, &k, "net_tx_bytes", n->net_tx);
	return k;
}
