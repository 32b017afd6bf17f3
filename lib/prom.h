/*
 * prom.h: a strict, bounded parser of the Prometheus text exposition
 * format 0.0.4, as node_exporter serves it.
 * It owns the grammar only: comments, HELP and TYPE lines, metric names,
 * label sets with escapes, Go float values (NaN, +Inf, -Inf, exponents)
 * and optional integer timestamps.  Each sample goes to a callback; what
 * to keep is the caller's business (lib/met.h).
 *
 * The input is hostile: it is read with explicit lengths (no NUL needed,
 * an embedded NUL is an error), lines, label counts and the whole input
 * are capped, and a malformed line makes the whole exposition invalid,
 * as Prometheus treats a scrape.  Nothing is allocated per sample.
 */
#ifndef OCH_PROM_H
#define OCH_PROM_H

#include <stddef.h>
#include <stdint.h>

#define PROM_MAXLINE	16384		/* bytes in one line, newline excluded */
#define PROM_MAXLABELS	32		/* labels on one sample */
#define PROM_MAXSIZE	(16u << 20)	/* bytes in one exposition */

struct prom_label {
	const char	*name;		/* NUL-terminated */
	const char	*value;		/* NUL-terminated, unescaped */
};

/* One sample; every pointer is valid during the callback only. */
struct prom_sample {
	const char		*name;
	const struct prom_label	*labels;
	int			 nlabels;
	double			 value;
	int			 has_ts;
	int64_t			 ts;	/* milliseconds, when has_ts */
};

/*
 * Called for each sample in input order.  Return 0 to go on, anything
 * else to stop the parse (prom_parse then returns that value).
 */
typedef int (*prom_fn)(const struct prom_sample *, void *arg);

/* What a parse saw; on an error, where and why. */
struct prom_stats {
	size_t		 lines;		/* lines read */
	size_t		 samples;	/* samples handed to the callback */
	size_t		 errline;	/* 1-based line of the error, or 0 */
	const char	*error;		/* static text, or NULL */
};

/*
 * Parse len bytes of text.  Returns 0 when every line was valid, -1 on
 * the first malformed line, oversized line or input, or embedded NUL
 * (st->errline and st->error say which; samples before it were already
 * delivered, so a caller drops what it gathered), or the callback's
 * non-zero value if it stopped the parse.  st may be NULL.
 */
int	prom_parse(const char *text, size_t len, prom_fn fn, void *arg,
	    struct prom_stats *st);

/* The value of label name in s, or NULL. */
const char *prom_label(const struct prom_sample *s, const char *name);

#endif
