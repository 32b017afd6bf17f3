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
	PGresult	*res;
	const char	*p[2] = { id, days };
	struct ent_ai_usage *u;
	enum och_err	 err;
	int		 i;

	*out = NULL;
	*n = 0;
	if ((res = db_exec(db, &stmt_ai, 2, p, &err)) == NULL)
		return err;
	if (PQntuples(res) > 0)
		*out = xcalloc((size_t)PQntuples(res), sizeof(**out));
	for (i = 0; i < PQntuples(res); i++) {
		u = &(*out)[i];
		u->day = db_dup_empty(res, i, 0);
		u->provider = db_dup_empty(res, i, 1);
		u->model = db_dup_empty(res, i, 2);
		u->input_tokens = db_int(res, i, 3);
		u->output_tokens = db_int(res, i, 4);
		u->cost_usd = strtod(db_val(res, i, 5), NULL);
	}
	*n = (size_t)PQntuples(res);
	PQclear(res);
	return OCH_OK;
}

void
ent_ai_usage_free(struct ent_ai_usage *u, size_t n)
{
	size_t	i;

	if (u == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(u[i].day);
		free(u[i].provider);
		free(u[i].model);
	}
	free(u);
}
