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

#include "ent_status.h"
#include "settings.h"

/* seconds to one decimal */
static double
tenths(double v)
{
	return (double)(long)(v * 10.0 + 0.5) / 10.0;
}

void
st_progress(struct req *r)
{
	struct ent_progress	*g;
	cJSON			*o, *a, *s;
	enum och_err		 err;
	char			*st;
	size_t			 i;
	int			 done;

	if ((st = st_visible(r)) == NULL)
		return;
	free(st);
	if ((err = ent_progress_of(r->app->db, req_param(r, 0), &g)) !=
	    OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "ordered_at", g->ordered_at);
	a = cJSON_CreateArray();
	for (i = 0; i < g->n; i++) {
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "step", g->steps[i].step);
		if (g->steps[i].at != NULL) {
			cJSON_AddStringToObject(s, "at", g->steps[i].at);
			cJSON_AddNumberToObject(s, "elapsed_s",
			    tenths(g->steps[i].elapsed_s));
		} else {
			cJSON_AddNullToObject(s, "at");
			cJSON_AddNullToObject(s, "elapsed_s");
		}
		cJSON_AddItemToArray(a, s);
	}
	cJSON_AddBoolToObject(o, "warm", g->warm);
	/* done: the gateway answered (the last step) */
	done = g->n == 5 && g->steps[4].at != NULL;
	cJSON_AddBoolToObject(o, "done", done);
	cJSON_AddNumberToObject(o, "elapsed_s", tenths(done ?
	    g->steps[4].elapsed_s : g->since_order_s));
	cJSON_AddItemToObject(o, "steps", a);
	ent_progress_free(g);
	resp_json(r, 200, o);
}
