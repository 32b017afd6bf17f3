/*
 * metrics.fcgi: what the dashboard charts for one instance (docs/api.md).
 *
 *   GET /api/v1/instances/{id}/metrics?series=cpu_util[,load1...]&range=1h
 *     range 1h or 6h: raw samples  {"t": unix s, "v": value}
 *     range 24h, 7d or 30d: hourly rollups (metrics_hourly)
 *                                  {"t": hour, "v": avg, "min", "max"}
 *     series: comma list of the metrics whitelist (default cpu_util)
 *   GET /api/v1/instances/{id}/ai-usage?days=30   (1..366)
 *     rows of ai_usage per day, provider and model, newest first, and the
 *     totals over the period
 *
 * Session (owner or admin) or HMAC (the billing system); any other
 * instance is 404, the same answer as one that does not exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "ent_metric.h"
#include "srv.h"
#include "valid.h"

#define MAX_POINTS	20000	/* rows one answer carries at most */

static const char *const whitelist[] = { "cpu_seconds", "cpu_util",
    "load1", "mem_total", "mem_available", "disk_total", "disk_free",
    "net_rx_bytes", "net_tx_bytes", "up" };

static const struct {
	const char	*name;
	const char	*interval;
	int		 hourly;
} ranges[] = {
	{ "1h", "1 hour", 0 },
	{ "6h", "6 hours", 0 },
	{ "24h", "24 hours", 1 },
	{ "7d", "7 days", 1 },
	{ "30d", "30 days", 1 },
};

/* The instance id of the route if visible, else NULL after the answer. */
static const char *
instance(struct req *r)
{
	const char	*id = req_param(r, 0);
	enum och_err	 err;

	if (!auth_may_see(r, id, AUTH_SEE_LIVE, NULL, 0, &err)) {
		resp_error(r, err != OCH_OK ? err : OCH_ENOTFOUND,
		    err != OCH_OK ? NULL : "no such instance");
		return NULL;
	}
	return id;
}

/*
 * Parse the series list into a PostgreSQL array literal of whitelisted
 * names into arr.  Returns 0, or -1 for an unknown or repeated name or
 * an empty item.
 */
static int
series_list(const char *s, struct buf *arr)
{
	const char	*p = s, *q;
	size_t		 i, n, count = 0;
	unsigned	 seen = 0;

	buf_putc(arr, '{');
	for (;;) {
		q = strchr(p, ',');
		n = q != NULL ? (size_t)(q - p) : strlen(p);
		for (i = 0; i < OCH_NELEM(whitelist); i++)
			if (strlen(whitelist[i]) == n &&
			    memcmp(whitelist[i], p, n) == 0)
				break;
		if (i == OCH_NELEM(whitelist) || (seen & (1u << i)))
			return -1;
		seen |= 1u << i;
		count++;
		if (count > 1)
			buf_putc(arr, ',');
		buf_puts(arr, whitelist[i]);
		if (q == NULL)
			break;
		p = q + 1;
	}
	buf_putc(arr, '}');
	return 0;
}

/*
 * The n points p (ordered by series) into ser: one array per series named in list ("{a,b}", every one
 * present, possibly empty), at most MAX_POINTS points in all.
 */
static void
add_series(cJSON *ser, const char *list, const struct ent_point *p,
    size_t n, int hourly)
{
	cJSON		*pts = NULL, *pt;
	const char	*cur = NULL;
	char		*names = xstrdup(list + 1), *s, *save = NULL;
	size_t		 i;

	names[strlen(names) - 1] = '\0';
	for (s = strtok_r(names, ",", &save); s != NULL;
	    s = strtok_r(NULL, ",", &save))
		cJSON_AddArrayToObject(ser, s);
	free(names);
	for (i = 0; i < n && i < MAX_POINTS; i++) {
		if (cur == NULL || strcmp(cur, p[i].series) != 0) {
			cur = p[i].series;
			pts = cJSON_GetObjectItemCaseSensitive(ser, cur);
		}
		if (pts == NULL)
			continue;
		pt = cJSON_CreateObject();
		cJSON_AddNumberToObject(pt, "t", p[i].t);
		cJSON_AddNumberToObject(pt, "v", p[i].v);
		if (hourly) {
			cJSON_AddNumberToObject(pt, "min", p[i].min);
			cJSON_AddNumberToObject(pt, "max", p[i].max);
		}
		cJSON_AddItemToArray(pts, pt);
	}
}

static void
h_metrics(struct req *r)
{
	struct buf	 arr = { 0 };
	struct ent_point *pts = NULL;
	cJSON		*root;
	const char	*id;
	char		*series = NULL, *range = NULL;
	size_t		 ri, n = 0;
	int		 bad = 0, hourly;
	enum och_err	 err;

	if ((id = instance(r)) == NULL)
		return;
	series = req_query(r, "series", &bad);
	range = req_query(r, "range", &bad);
	for (ri = 0; ri < OCH_NELEM(ranges); ri++)
		if (strcmp(ranges[ri].name, range != NULL ? range : "1h") == 0)
			break;
	if (bad || ri == OCH_NELEM(ranges)) {
		resp_error(r, OCH_EINVAL, "range must be 1h, 6h, 24h, 7d or 30d");
		goto out;
	}
	if (series_list(series != NULL ? series : "cpu_util", &arr) < 0) {
		resp_error(r, OCH_EINVAL, "unknown series");
		goto out;
	}
	hourly = ranges[ri].hourly;
	if ((err = ent_metric_points(r->app->db, id, arr.data,
	    ranges[ri].interval, hourly, &pts, &n)) != OCH_OK) {
		resp_error(r, err, NULL);
		goto out;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "instance_id", id);
	cJSON_AddStringToObject(root, "range", ranges[ri].name);
	cJSON_AddStringToObject(root, "resolution", hourly ? "hour" : "raw");
	add_series(cJSON_AddObjectToObject(root, "series"), arr.data, pts, n,
	    hourly);
	resp_json(r, 200, root);
out:
	ent_point_free(pts, n);
	free(series);
	free(range);
	buf_free(&arr);
}

/* The usage rows u and their totals into root. */
static void
ai_usage_json(cJSON *root, const struct ent_ai_usage *u, size_t n)
{
	cJSON		*rows, *o, *tot;
	double		 in = 0, out = 0, cost = 0;
	size_t		 i;

	rows = cJSON_AddArrayToObject(root, "usage");
	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "day", u[i].day);
		cJSON_AddStringToObject(o, "provider", u[i].provider);
		cJSON_AddStringToObject(o, "model", u[i].model);
		cJSON_AddNumberToObject(o, "input_tokens",
		    (double)u[i].input_tokens);
		cJSON_AddNumberToObject(o, "output_tokens",
		    (double)u[i].output_tokens);
		cJSON_AddNumberToObject(o, "cost_usd", u[i].cost_usd);
		in += (double)u[i].input_tokens;
		out += (double)u[i].output_tokens;
		cost += u[i].cost_usd;
		cJSON_AddItemToArray(rows, o);
	}
	tot = cJSON_AddObjectToObject(root, "totals");
	cJSON_AddNumberToObject(tot, "input_tokens", in);
	cJSON_AddNumberToObject(tot, "output_tokens", out);
	cJSON_AddNumberToObject(tot, "cost_usd", cost);
}

static void
h_ai_usage(struct req *r)
{
	struct ent_ai_usage *u;
	cJSON		*root;
	const char	*id;
	char		*days, *end;
	char		 dbuf[8];
	long		 d = 30;
	int		 bad = 0;
	size_t		 n;
	enum och_err	 err;

	if ((id = instance(r)) == NULL)
		return;
	if ((days = req_query(r, "days", &bad)) != NULL || bad) {
		d = days != NULL ? strtol(days, &end, 10) : 0;
		if (bad || days == NULL || *days == '\0' || *end != '\0' ||
		    d < 1 || d > 366) {
			free(days);
			resp_error(r, OCH_EINVAL, "days must be 1..366");
			return;
		}
		free(days);
	}
	snprintf(dbuf, sizeof(dbuf), "%ld", d);
	if ((err = ent_ai_usage_list(r->app->db, id, dbuf, &u, &n)) !=
	    OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "instance_id", id);
	cJSON_AddNumberToObject(root, "days", (double)d);
	ai_usage_json(root, u, n);
	ent_ai_usage_free(u, n);
	resp_json(r, 200, root);
}

/* the routes: lib/routes.def */
static const struct route routes[] = { OCH_ROUTES_metrics(SRV_ROUTE) };

int
main(int argc, char **argv)
{
	return srv_main(argc, argv, "metrics", routes, OCH_NELEM(routes),
	    NULL, NULL);
}
