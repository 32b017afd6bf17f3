/*
 * health.fcgi: GET /api/health, for load balancers and operators.
 * 200 {"status":"ok","db":"ok","schema":N,"poller_age_s":S|null,"version":V}
 * 503 {"status":"unavailable","db":"down",...} when PostgreSQL is away.
 */
#include <stdlib.h>

#include "ent_ops.h"
#include "health.h"
#include "log.h"

static void
h_health(struct req *r)
{
	struct ent_health hl;
	cJSON		*root;
	int		 up;

	root = cJSON_CreateObject();
	up = ent_ops_health(r->app->db, &hl) == OCH_OK;
	cJSON_AddStringToObject(root, "status", up ? "ok" : "unavailable");
	cJSON_AddStringToObject(root, "db", up ? "ok" : "down");
	if (hl.has_schema)
		cJSON_AddNumberToObject(root, "schema", (double)hl.schema);
	else
		cJSON_AddNullToObject(root, "schema");
	if (hl.has_poller_age)
		cJSON_AddNumberToObject(root, "poller_age_s",
		    (double)hl.poller_age_s);
	else
		cJSON_AddNullToObject(root, "poller_age_s");
	cJSON_AddStringToObject(root, "version", OCH_VERSION);
	resp_json(r, up ? 200 : 503, root);
}

/* the routes: lib/routes.def */
static const struct route routes[] = { OCH_ROUTES_health(SRV_ROUTE) };

int
main(int argc, char **argv)
{
	return srv_main(argc, argv, "health", routes, OCH_NELEM(routes),
	    NULL, NULL);
}
