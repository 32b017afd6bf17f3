/*
 * settings_progress.c: an order's way to a working gateway, step by step,
 * for the customer's instance page (issue 15).
 *
 *   GET /api/v1/instances/{id}/progress
 *     {"ordered_at", "elapsed_s", "done", "warm",
 *      "steps": [{"step", "at", "elapsed_s"}]}
 *   steps in order: server (a warm pool server claimed, "warm": true, or
 *   one created), dns (the first record of its name), configured (the
 *   agent's ready call: it has its token and config), certificate (the
 *   agent reports a Let's Encrypt certificate), gateway_ready (the agent
 *   reports OpenClaw's /readyz 200).  "at" is RFC 3339 UTC or null while
 *   the step has not happened; "elapsed_s" is seconds since the order.
 *   "elapsed_s" at the top: until gateway_ready, or until now.  Read
 *   from the instance's history (instance_events), where the poller, the
 *   ready call and the agent's reports put each step once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

/* one row per step, in order; then the order itself */
static const struct db_stmt stmt_progress = { "sts_progress",
	"WITH s(n, step, kinds) AS (VALUES"
	"  (1, 'server', ARRAY['pool.claimed', 'server.created',"
	"   'server.found', 'server.pooled']),"
	"  (2, 'dns', ARRAY['dns.record']),"
	"  (3, 'configured', ARRAY['agent.ready', 'state.active']),"
	"  (4, 'certificate', ARRAY['tls.issued']),"
	"  (5, 'gateway_ready', ARRAY['gateway.ready'])),"
	" i AS (SELECT created_at FROM instances WHERE id = $1::uuid)"
	" SELECT s.step, to_char(min(e.at) AT TIME ZONE 'UTC',"
	"  'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
	" extract(epoch FROM min(e.at) - (SELECT created_at FROM i))::float8,"
	" bool_or(e.kind = 'pool.claimed'),"
	" to_char((SELECT created_at FROM i) AT TIME ZONE 'UTC',"
	"  'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
	" extract(epoch FROM now() - (SELECT created_at FROM i))::float8"
	" FROM s LEFT JOIN instance_events e ON e.instance_id = $1::uuid"
	"  AND e.kind = ANY (s.kinds)"
	" GROUP BY s.n, s.step ORDER BY s.n" };

/* seconds to one decimal */
static double
tenths(const char *v)
{
	return (double)(long)(strtod(v, NULL) * 10.0 + 0.5) / 10.0;
}

void
st_progress(struct req *r)
{
	PGresult	*res;
	const char	*p[1] = { req_param(r, 0) };
	cJSON		*o, *a, *s;
	enum och_err	 err;
	char		*st;
	int		 i, n, warm = 0;

	if ((st = st_visible(r)) == NULL)
		return;
	free(st);
	if ((res = db_exec(r->app->db, &stmt_progress, 1, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	n = PQntuples(res);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "ordered_at", n > 0 ? db_val(res, 0, 4) :
	    "");
	a = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "step", db_val(res, i, 0));
		if (db_val(res, i, 1) != NULL) {
			cJSON_AddStringToObject(s, "at", db_val(res, i, 1));
			cJSON_AddNumberToObject(s, "elapsed_s",
			    tenths(db_val(res, i, 2)));
		} else {
			cJSON_AddNullToObject(s, "at");
			cJSON_AddNullToObject(s, "elapsed_s");
		}
		if (db_val(res, i, 3) != NULL && db_val(res, i, 3)[0] == 't')
			warm = 1;
		cJSON_AddItemToArray(a, s);
	}
	cJSON_AddBoolToObject(o, "warm", warm);
	/* done: the gateway answered (the last step) */
	cJSON_AddBoolToObject(o, "done", n == 5 && db_val(res, 4, 1) != NULL);
	cJSON_AddNumberToObject(o, "elapsed_s", n == 0 ? 0 :
	    tenths(db_val(res, 4, 1) != NULL ? db_val(res, 4, 2) :
	    db_val(res, 0, 5)));
	cJSON_AddItemToObject(o, "steps", a);
	PQclear(res);
	resp_json(r, 200, o);
}
