/*
 * ent_metric.c: what the dashboard charts for an instance (ent.h): its
 * samples (raw or hourly rollups) and its AI usage per day, as struct
 * ent_point and struct ent_ai_usage.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ent_metric.h"

static const struct db_stmt stmt_raw = { "ent_metric_raw",
	"SELECT series, extract(epoch FROM at)::float8, value FROM metrics"
	" WHERE instance_id = $1::uuid AND series = ANY ($2::text[])"
	" AND at > now() - $3::interval"
	" ORDER BY series, at LIMIT 20000" };
static const struct db_stmt stmt_hourly = { "ent_metric_hourly",
	"SELECT series, extract(epoch FROM hour)::float8, avg, min, max"
	" FROM metrics_hourly"
	" WHERE instance_id = $1::uuid AND series = ANY ($2::text[])"
	" AND hour > now() - $3::interval"
	" ORDER BY series, hour LIMIT 20000" };
/* stmt_ai's columns in order */
static const struct ent_field usage_fields[] = {
	ENT_FIELD("day", ent_ai_usage, day, ENT_F_TEXT),
	ENT_FIELD("provider", ent_ai_usage, provider, ENT_F_TEXT),
	ENT_FIELD("model", ent_ai_usage, model, ENT_F_TEXT),
	ENT_FIELD("input_tokens", ent_ai_usage, input_tokens, ENT_F_INT),
	ENT_FIELD("output_tokens", ent_ai_usage, output_tokens, ENT_F_INT),
	ENT_FIELD("cost_usd", ent_ai_usage, cost_usd, ENT_F_NUM),
};
static const struct ent_fields usage_shape =
    ENT_FIELDS(ent_ai_usage, usage_fields);
static const struct db_stmt stmt_ai = { "ent_ai_usage",
	"SELECT to_char(day, 'YYYY-MM-DD'), provider, model, input_tokens,"
	" output_tokens, cost_usd::float8 FROM ai_usage"
	" WHERE instance_id = $1::uuid"
	" AND day > (now() AT TIME ZONE 'UTC')::date - $2::integer"
	" ORDER BY day DESC, provider, model LIMIT 20000" };

enum och_err
ent_metric_points(struct db *db, const char *id, const char *series,
    const char *interval, int hourly, struct ent_point **out, size_t *n)
{
	PGresult	*res;
	const char	*p[3] = { id, series, interval };
	struct ent_point *pt;
	enum och_err	 err;
	int		 i;

	*out = NULL;
	*n = 0;
	if ((res = db_exec(db, hourly ? &stmt_hourly : &stmt_raw, 3, p,
	    &err)) == NULL)
		return err;
	if (PQntuples(res) > 0)
		*out = xcalloc((size_t)PQntuples(res), sizeof(**out));
	for (i = 0; i < PQntuples(res); i++) {
		pt = &(*out)[i];
		snprintf(pt->series, sizeof(pt->series), "%s",
		    db_val(res, i, 0));
		pt->t = strtod(db_val(res, i, 1), NULL);
		pt->v = strtod(db_val(res, i, 2), NULL);
		if (hourly) {
			pt->min = strtod(db_val(res, i, 3), NULL);
			pt->max = strtod(db_val(res, i, 4), NULL);
		}
	}
	*n = (size_t)PQntuples(res);
	PQclear(res);
	return OCH_OK;
}

void
ent_point_free(struct ent_point *p, size_t n)
{
	(void)n;	/* nothing inside a point is allocated */
	free(p);
}

enum och_err
ent_ai_usage_list(struct db *db, const char *id, const char *days,
    struct ent_ai_usage **out, size_t *n)
{
	const char	*p[2] = { id, days };

	return ent_fields_rows(db, &stmt_ai, 2, p, &usage_shape, out, n);
}

void
ent_ai_usage_free(struct ent_ai_usage *u, size_t n)
{
	ent_fields_free(u, n, &usage_shape);
}
