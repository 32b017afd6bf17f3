/*
 * stats.c: shared-memory request counters and their Prometheus text
 * (see stats.h).  Hand-written because no packaged library shares
 * counters between prefork workers without a daemon of its own.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "stats.h"

#define STATS_MAGIC	"OCHSTAT1"
#define NCODES		6	/* no answer, 1xx, 2xx, 3xx, 4xx, 5xx */
#define NBUCKETS	14
#define GAUGE_NAME_MAX	160

/* Upper bounds of the latency buckets, microseconds (+Inf follows). */
static const uint64_t bucket_us[NBUCKETS] = { 1000, 2500, 5000, 10000,
	25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
	10000000, 30000000 };
static const char *const bucket_le[NBUCKETS] = { "0.001", "0.0025",
	"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5",
	"5", "10", "30" };
static const char *const code_name[NCODES] = { "none", "1xx", "2xx", "3xx",
	"4xx", "5xx" };

struct slot {
	char		 name[STATS_NAME_MAX];
	uint64_t	 code[NCODES];
	uint64_t	 bucket[NBUCKETS + 1];	/* not cumulative; last: +Inf */
	uint64_t	 sum_us;
};

struct gauge {
	uint32_t	 state;		/* 0 free, 1 being named, 2 in use */
	uint32_t	 pad;
	uint64_t	 bits;		/* the double's bits */
	char		 name[GAUGE_NAME_MAX];
};

struct hdr {
	char		 magic[8];
	uint32_t	 kind;
	uint32_t	 nslots;
	int32_t		 pid;
	uint32_t	 pad;
	char		 prog[32];
	struct gauge	 gauges[STATS_GAUGES_MAX];
	struct slot	 slots[];
};

struct stats {
	struct hdr	*h;
	size_t		 size;
	char		*path;
	pid_t		 owner;
};

uint64_t
stats_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
copy_name(char *dst, size_t dstsz, const char *src)
{
	size_t	 n = strlen(src);

	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * Map an existing persistent file at path if it has exactly these slots;
 * NULL otherwise (the caller makes a new one).
 */
static struct hdr *
reuse(const char *path, enum stats_kind kind, const char *const *names,
    size_t n, size_t size)
{
	struct stat	 sb;
	struct hdr	*h;
	size_t		 i;
	int		 fd;

	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &sb) == -1 || (size_t)sb.st_size != size) {
		close(fd);
		return NULL;
	}
	h = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (h == MAP_FAILED)
		return NULL;
	if (memcmp(h->magic, STATS_MAGIC, 8) != 0 || h->kind != kind ||
	    h->nslots != n)
		goto no;
	for (i = 0; i < n; i++)
		if (strncmp(h->slots[i].name, names[i], STATS_NAME_MAX - 1) != 0)
			goto no;
	return h;
no:
	munmap(h, size);
	return NULL;
}

struct stats *
stats_open(const char *dir, const char *prog, enum stats_kind kind,
    const char *const *names, size_t n, int flags)
{
	struct stats	*st;
	struct hdr	*h;
	size_t		 size, i;
	char		*path, *tmp;
	int		 fd;

	if (dir == NULL || *dir == '\0')
		return NULL;
	if (n > STATS_SLOTS_MAX)
		n = STATS_SLOTS_MAX;
	size = sizeof(struct hdr) + n * sizeof(struct slot);
	/* one level, as /run/openclawhost/stats under the runtime folder */
	if (mkdir(dir, 0750) == -1 && errno != EEXIST)
		log_warn("stats: mkdir %s: %s", dir, strerror(errno));
	if (flags & STATS_PERSIST) {
		path = xasprintf("%s/%s.stats", dir, prog);
		if ((h = reuse(path, kind, names, n, size)) != NULL) {
			tmp = NULL;
			goto have;
		}
	} else
		path = xasprintf("%s/%s.%ld.stats", dir, prog, (long)getpid());
	tmp = xasprintf("%s.new", path);
	/* readable by the group: health.fcgi renders every program's file */
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) ==
	    -1 || ftruncate(fd, (off_t)size) == -1) {
		log_error("stats: %s: %s", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		free(path);
		free(tmp);
		return NULL;
	}
	h = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (h == MAP_FAILED) {
		log_error("stats: mmap: %s", strerror(errno));
		unlink(tmp);
		free(path);
		free(tmp);
		return NULL;
	}
	h->kind = (uint32_t)kind;
	h->nslots = (uint32_t)n;
	/* 0: kept whoever runs; else the file goes with its process */
	h->pid = flags & STATS_PERSIST ? 0 : (int32_t)getpid();
	copy_name(h->prog, sizeof(h->prog), prog);
	for (i = 0; i < n; i++)
		copy_name(h->slots[i].name, sizeof(h->slots[i].name),
		    names[i]);
	memcpy(h->magic, STATS_MAGIC, sizeof(h->magic));
	/* whole before it is visible under its name */
	if (rename(tmp, path) == -1) {
		log_error("stats: rename %s: %s", path, strerror(errno));
		munmap(h, size);
		unlink(tmp);
		free(path);
		free(tmp);
		return NULL;
	}
have:
	free(tmp);
	st = xcalloc(1, sizeof(*st));
	st->h = h;
	st->size = size;
	st->path = path;
	/* a persistent file stays for the next run */
	st->owner = flags & STATS_PERSIST ? 0 : getpid();
	return st;
}

void
stats_observe(struct stats *st, size_t i, int status, uint64_t usec)
{
	struct slot	*s;
	size_t		 b, c;

	if (st == NULL || i >= st->h->nslots)
		return;
	s = &st->h->slots[i];
	c = status >= 100 && status < 600 ? (size_t)status / 100 : 0;
	for (b = 0; b < NBUCKETS && usec > bucket_us[b]; b++)
		;
	__atomic_add_fetch(&s->code[c], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->bucket[b], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->sum_us, usec, __ATOMIC_RELAXED);
}

void
stats_gauge(struct stats *st, const char *name, double v)
{
	struct gauge	*g;
	uint64_t	 bits;
	uint32_t	 want;
	size_t		 i;

	if (st == NULL)
		return;
	memcpy(&bits, &v, sizeof(bits));
	for (i = 0; i < STATS_GAUGES_MAX; i++) {
		g = &st->h->gauges[i];
		if (__atomic_load_n(&g->state, __ATOMIC_ACQUIRE) == 2 &&
		    strcmp(g->name, name) == 0)
			break;
		want = 0;
		if (__atomic_compare_exchange_n(&g->state, &want, 1, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			copy_name(g->name, sizeof(g->name), name);
			__atomic_store_n(&g->state, 2, __ATOMIC_RELEASE);
			break;
		}
	}
	if (i < STATS_GAUGES_MAX)
		__atomic_store_n(&g->bits, bits, __ATOMIC_RELAXED);
}

void
stats_close(struct stats *st)
{
	if (st == NULL)
		return;
	munmap(st->h, st->size);
	if (st->owner == getpid())
		unlink(st->path);
	free(st->path);
	free(st);
}

void
stats_label(struct buf *out, const char *v)
{
	for (; *v != '\0'; v++)
		if (*v == '\\' || *v == '"')
			buf_printf(out, "\\%c", *v);
		else if (*v == '\n')
			buf_add(out, "\\n", 2);
		else
			buf_add(out, v, 1);
}

/* One (program, kind, slot name) summed over the files that have it. */
struct agg {
	char		 prog[32];
	uint32_t	 kind;
	struct slot	 s;
};

struct aggs {
	struct agg	*v;
	size_t		 n, cap;
	struct buf	 gauges;	/* "name value\n" lines */
};

static void
agg_add(struct aggs *a, const struct hdr *h, const struct slot *s)
{
	struct agg	*e = NULL;
	size_t		 i;

	for (i = 0; i < a->n; i++)
		if (a->v[i].kind == h->kind &&
		    strcmp(a->v[i].prog, h->prog) == 0 &&
		    strcmp(a->v[i].s.name, s->name) == 0) {
			e = &a->v[i];
			break;
		}
	if (e == NULL) {
		if (a->n == a->cap) {
			a->cap = a->cap ? a->cap * 2 : 64;
			a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
		}
		e = &a->v[a->n++];
		memset(e, 0, sizeof(*e));
		memcpy(e->prog, h->prog, sizeof(e->prog));
		e->kind = h->kind;
		memcpy(e->s.name, s->name, sizeof(e->s.name));
	}
	for (i = 0; i < NCODES; i++)
		e->s.code[i] += s->code[i];
	for (i = 0; i <= NBUCKETS; i++)
		e->s.bucket[i] += s->bucket[i];
	e->s.sum_us += s->sum_us;
}

/*
 * Read one file into a; 1 if it was used, 0 if skipped (foreign, torn,
 * or its process is gone: then it is removed).
 */
static int
read_file(const char *dir, const char *fname, struct aggs *a)
{
	struct stat	 sb;
	struct hdr	*h = NULL;
	char		*path;
	size_t		 i, n;
	ssize_t		 got;
	double		 v;
	int		 fd, used = 0;

	path = xasprintf("%s/%s", dir, fname);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1 || (size_t)sb.st_size < sizeof(*h) ||
	    (size_t)sb.st_size > sizeof(*h) + STATS_SLOTS_MAX *
	    sizeof(struct slot))
		goto out;
	h = xmalloc((size_t)sb.st_size);
	got = pread(fd, h, (size_t)sb.st_size, 0);
	if (got != sb.st_size || memcmp(h->magic, STATS_MAGIC, 8) != 0 ||
	    h->nslots > STATS_SLOTS_MAX || sizeof(*h) + h->nslots *
	    sizeof(struct slot) != (size_t)sb.st_size)
		goto out;
	if (h->pid < 0 || (h->pid > 0 && kill(h->pid, 0) == -1 &&
	    errno == ESRCH)) {
		unlink(path);	/* its process is gone; may fail: fine */
		goto out;
	}
	h->prog[sizeof(h->prog) - 1] = '\0';
	n = h->nslots;
	for (i = 0; i < n; i++) {
		h->slots[i].name[STATS_NAME_MAX - 1] = '\0';
		agg_add(a, h, &h->slots[i]);
	}
	for (i = 0; i < STATS_GAUGES_MAX; i++) {
		if (h->gauges[i].state != 2)
			continue;
		h->gauges[i].name[GAUGE_NAME_MAX - 1] = '\0';
		memcpy(&v, &h->gauges[i].bits, sizeof(v));
		buf_printf(&a->gauges, "%s %.17g\n", h->gauges[i].name, v);
	}
	used = 1;
out:
	if (fd != -1)
		close(fd);
	free(h);
	free(path);
	return used;
}

/* The labels of one aggregate: program and method/route or provider. */
static void
labels(struct buf *out, const struct agg *e)
{
	const char	*sp;
	char		 method[16];

	buf_printf(out, "program=\"");
	stats_label(out, e->prog);
	if (e->kind == STATS_HTTP && (sp = strchr(e->s.name, ' ')) != NULL &&
	    (size_t)(sp - e->s.name) < sizeof(method)) {
		memcpy(method, e->s.name, (size_t)(sp - e->s.name));
		method[sp - e->s.name] = '\0';
		buf_printf(out, "\",method=\"");
		stats_label(out, method);
		buf_printf(out, "\",route=\"");
		stats_label(out, sp + 1);
	} else {
		buf_printf(out, "\",%s=\"", e->kind == STATS_HTTP ? "route" :
		    "provider");
		stats_label(out, e->s.name);
	}
	buf_printf(out, "\"");
}

static void
family(struct buf *out, const struct aggs *a, uint32_t kind,
    const char *prefix, const char *what)
{
	const struct agg	*e;
	uint64_t		 cum, count;
	size_t			 i, c, b;
	int			 any = 0;

	for (i = 0; i < a->n && !any; i++)
		any = a->v[i].kind == kind;
	if (!any)
		return;
	buf_printf(out, "# HELP %s_requests_total %s, by status class.\n"
	    "# TYPE %s_requests_total counter\n", prefix, what, prefix);
	for (i = 0; i < a->n; i++) {
		e = &a->v[i];
		if (e->kind != kind)
			continue;
		for (c = 0; c < NCODES; c++) {
			buf_printf(out, "%s_requests_total{", prefix);
			labels(out, e);
			buf_printf(out, ",code=\"%s\"} %llu\n", code_name[c],
			    (unsigned long long)e->s.code[c]);
		}
	}
	buf_printf(out, "# HELP %s_request_duration_seconds %s: time to "
	    "answer.\n# TYPE %s_request_duration_seconds histogram\n", prefix,
	    what, prefix);
	for (i = 0; i < a->n; i++) {
		e = &a->v[i];
		if (e->kind != kind)
			continue;
		cum = 0;
		for (b = 0; b <= NBUCKETS; b++) {
			cum += e->s.bucket[b];
			buf_printf(out, "%s_request_duration_seconds_bucket{",
			    prefix);
			labels(out, e);
			buf_printf(out, ",le=\"%s\"} %llu\n", b < NBUCKETS ?
			    bucket_le[b] : "+Inf", (unsigned long long)cum);
		}
		count = cum;
		buf_printf(out, "%s_request_duration_seconds_sum{", prefix);
		labels(out, e);
		buf_printf(out, "} %.6f\n", (double)e->s.sum_us / 1e6);
		buf_printf(out, "%s_request_duration_seconds_count{", prefix);
		labels(out, e);
		buf_printf(out, "} %llu\n", (unsigned long long)count);
	}
}

static int
cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The gauges, sorted so each metric's series stand together. */
static void
gauges(struct buf *out, struct buf *g)
{
	char	**lines = NULL, *p, *nl, last[GAUGE_NAME_MAX] = "";
	size_t	  n = 0, cap = 0, i, len;

	if (g->len == 0)
		return;
	for (p = g->data; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			lines = xrealloc(lines, cap * sizeof(*lines));
		}
		lines[n++] = p;
	}
	qsort(lines, n, sizeof(*lines), cmp_lines);
	for (i = 0; i < n; i++) {
		len = strcspn(lines[i], "{ ");
		if (len >= sizeof(last))
			continue;
		if (strncmp(last, lines[i], len) != 0 || last[len] != '\0') {
			memcpy(last, lines[i], len);
			last[len] = '\0';
			buf_printf(out, "# HELP %s Set by the control plane's "
			    "processes (see docs/operator.md).\n"
			    "# TYPE %s gauge\n", last, last);
		}
		buf_printf(out, "%s\n", lines[i]);
	}
	free(lines);
}

int
stats_render(const char *dir, struct buf *out)
{
	struct aggs	 a;
	DIR		*d;
	struct dirent	*de;
	size_t		 len;
	int		 nfiles = 0;

	if (dir == NULL || (d = opendir(dir)) == NULL)
		return -1;
	memset(&a, 0, sizeof(a));
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len > 6 && strcmp(de->d_name + len - 6, ".stats") == 0)
			nfiles += read_file(dir, de->d_name, &a);
	}
	closedir(d);
	family(out, &a, STATS_HTTP, "och_http",
	    "Requests the FastCGI binaries answered");
	family(out, &a, STATS_UPSTREAM, "och_upstream",
	    "Requests the pollers sent to a provider");
	gauges(out, &a.gauges);
	free(a.v);
	buf_free(&a.gauges);
	return nfiles;
}
