/*
 * admin_pool.c: the warm pool's settings and state (lib/pool.h).
 *
 *   GET /api/v1/admin/pool   {max_servers, max_monthly_cents,
 *                            max_age_hours, servers, monthly_cents,
 *                            claimed_last_day, targets: [{plan, region,
 *                            target, monthly_cents, warming, ready,
 *                            discarding, claimed_last_day, capped}]}
 *   PUT /api/v1/admin/pool   any of {max_servers, max_monthly_cents,
 *                            max_age_hours, targets: [{plan, region,
 *                            target, monthly_cents}]} → the same view;
 *                            400 naming the rule on bad input (nothing
 *                            changed).  The poller acts on it within
 *                            POOL_TICK_SECONDS.
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

void
adm_h_pool_put(struct req *r)
{
	const char	*why = NULL;
	enum och_err	 err;
	cJSON		*o;

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
	if ((o = pool_json(r->app->db)) == NULL) {
		resp_error(r, OCH_EDB, NULL);
		return;
	}
	resp_json(r, 200, o);
	audit_req(r, "admin.pool", NULL, NULL, 200, NULL);
}
