/*
 * ent_metric.h: an instance's metric series and AI usage
 * (lib/ent_metric.c).  The ownership rule and the shared views are
 * lib/ent.h's.
 */
#ifndef OCH_ENT_METRIC_H
#define OCH_ENT_METRIC_H

#include "ent.h"

/* A sample of an instance's series (schema: metrics, metrics_hourly). */
struct ent_point {
	char	 series[16];	/* a name of metrics.c's whitelist */
	double	 t;		/* unix seconds (the hour's start: hourly) */
	double	 v;		/* the value (the hour's mean: hourly) */
	double	 min, max;	/* the hour's (hourly only) */
};
/*
 * The samples of instance id's series (a PostgreSQL text array literal)
 * over interval (an SQL interval's text), raw or hourly, by series then
 * time, at most 20000: *out an array of *n (caller frees with
 * ent_point_free(*out, *n)).  Returns OCH_OK, or db_exec()'s error with
 * *out NULL, *n 0.
 */
enum och_err	 ent_metric_points(struct db *, const char *id,
		    const char *series, const char *interval, int hourly,
		    struct ent_point **out, size_t *n);
void		 ent_point_free(struct ent_point *, size_t n);

/* AI use of an instance on a day, by provider and model (schema: ai_usage). */
struct ent_ai_usage {
	char	*day;		/* YYYY-MM-DD */
	char	*provider;
	char	*model;
	int64_t	 input_tokens;
	int64_t	 output_tokens;
	double	 cost_usd;
};
/*
 * Instance id's AI use over the last days (decimal text) days, newest
 * first: *out an array of *n (caller frees with ent_ai_usage_free(*out,
 * *n)).  Returns OCH_OK, or db_exec()'s error with *out NULL and *n 0.
 */
enum och_err	 ent_ai_usage_list(struct db *, const char *id,
		    const char *days, struct ent_ai_usage **out, size_t *n);
void		 ent_ai_usage_free(struct ent_ai_usage *, size_t n);

#endif
