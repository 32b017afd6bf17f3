/*
 * admin_pool.c: the warm pool's settings and state (lib/pool.h).
 *
 *   GET /api/v1/admin/pool   {max_servers, max_monthly_cents,
 *                            max_age_hours, servers, monthly_cents,
 *                            claimed_last_day, targets: [{plan, region,
 *                            target, monthly_cents, image, warming,
 *                            ready, discarding, claimed_last_day,
 *                            capped}]}
 *   PUT /api/v1/admin/pool   any of {max_servers, max_monthly_cents,
 *                            max_age_hours, targets: [{plan, region,
 *                            target, monthly_cents}]} → the same view;
 *                            400 naming the rule on bad input (nothing
 *                            changed).  The poller acts on it within
 *                            POOL_TICK_SECONDS.  The audit record's detail
 *                            is what was asked (numbers and names only).
 */
#include <stdio.h>
#include <stdlib.h>

#include "admin.h"
#include "audit.h"
#include "pool.h"

void
adm_h_pool(struct req *r)
{
	cJSON	*o;

	if ((o = pool_json(r->app->db)) == NULL) {
		resp_error(r, OCH_EDB, NULL);
		return;
	}
	resp_json(r, 200, o);
}

/*
 * The audit detail of a change: the caps and targets as set, copied
 * member by member (pool_configure checked them: numbers and names, and
 * nothing else of the body).  Returns a string for free(), never NULL.
 */
static char *
asked_json(const cJSON *j)
{
	static const char *const caps[] = { "max_servers",
	    "max_monthly_cents", "max_age_hours" };
	static const char *const keys[] = { "plan", "region", "target",
	    "monthly_cents" };
	const cJSON	*v, *t, *m;
	cJSON		*o, *a, *x;
	char		*s;
	size_t		 i;

	o = cJSON_CreateObject();
	for (i = 0; i < OCH_NELEM(caps); i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(j, caps[i])) != NULL)
			cJSON_AddItemToObject(o, caps[i],
			    cJSON_Duplicate(v, 0));
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "targets")) != NULL) {
		a = cJSON_AddArrayToObject(o, "targets");
		cJSON_ArrayForEach(t, v) {
			x = cJSON_CreateObject();
			for (i = 0; i < OCH_NELEM(keys); i++) {
				if ((m = cJSON_GetObjectItemCaseSensitive(t,
				    keys[i])) != NULL)
					cJSON_AddItemToObject(x, keys[i],
					    cJSON_Duplicate(m, 0));
			}
			cJSON_AddItemToArray(a, x);
		}
	}
	if ((s = cJSON_PrintUnformatted(o)) == NULL)
		abort();
	cJSON_Delete(o);
	return s;
}

void
adm_h_pool_put(struct req *r)
{
	const char	*why = NULL;
	enum och_err	 err;
	cJSON		*o;
	char		*asked;

	if (r->json == NULL) {
		resp_error(r, OCH_EINVAL, "expected a JSON object");
		audit_req(r, "admin.pool", NULL, NULL, 400, NULL);
		return;
	}
	if ((err = pool_configure(r->app->db, r->json, &why)) != OCH_OK) {
		resp_error(r, err, why);
		audit_req(r, "admin.pool", NULL, NULL, err_status(err), NULL);
		return;
	}
	asked = asked_json(r->json);
	audit_req(r, "admin.pool", NULL, NULL, 200, asked);
	free(asked);
	if ((o = pool_json(r->app->db)) == NULL) {
		resp_error(r, OCH_EDB, NULL);
		return;
	}
	resp_json(r, 200, o);
}
