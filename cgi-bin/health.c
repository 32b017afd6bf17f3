/*
 * health.fcgi: GET /api/health, for load balancers and operators.
 * 200 {"status":"ok","db":"ok","schema":N,"poller_age_s":S|null,"version":V}
 * 503 {"status":"unavailable","db":"down",...} when PostgreSQL is away.
 */
#include <stdlib.h>

#include "health.h"
#include "log.h"

static const struct db_stmt stmt_health = { "health",
	"SELECT (SELECT max(version) FROM schema_migrations),"
	" (SELECT floor(extract(epoch FROM now() - max(beat_at)))::bigint"
	"  FROM poller_heartbeats)" };

static void
h_health(struct req *r)
{
	cJSON		*root;
	PGresult	*res;
	enum och_err	 err;
	int		 up;

	root = cJSON_CreateObject();
	res = db_exec(r->app->db, &stmt_health, 0, NULL, &err);
	up = res != NULL;
	cJSON_AddStringToObject(root, "status", up ? "ok" : "unavailable");
	cJSON_AddStringToObject(root, "db", up ? "ok" : "down");
	if (res != NULL && db_val(res, 0, 0) != NULL)
		cJSON_AddNumberToObject(root, "schema", (double)db_int(res, 0, 0));
	else
		cJSON_AddNullToObject(root, "schema");
	if (res != NULL && db_val(res, 0, 1) != NULL)
		cJSON_AddNumberToObject(root, "poller_age_s",
		    (double)db_int(res, 0, 1));
	else
		cJSON_AddNullToObject(root, "poller_age_s");
	cJSON_AddStringToObject(root, "version", OCH_VERSION);
	PQclear(res);
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
