/*
 * echo-fcgi: a FastCGI binary for the harness tests of the shared loop
 * (lib/srv.c): it answers with what the loop handed to the handler.
 */
#include <stdlib.h>

#include "srv.h"

static void
h_echo(struct req *r)
{
	cJSON	*root;

	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "method", r->method);
	cJSON_AddStringToObject(root, "path", r->path);
	if (r->json != NULL)
		cJSON_AddItemToObject(root, "body",
		    cJSON_Duplicate(r->json, 1));
	if (r->auth.client_id != NULL)
		cJSON_AddStringToObject(root, "client", r->auth.client_id);
	resp_json(r, 200, root);
}

static void
h_params(struct req *r)
{
	cJSON	*root;
	char	*q;
	int	 bad;

	q = req_query(r, "q", &bad);
	if (bad) {
		resp_error(r, OCH_EINVAL, "bad percent-encoding in query");
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "id", req_param(r, 0));
	cJSON_AddStringToObject(root, "name", req_param(r, 1));
	if (q != NULL)
		cJSON_AddStringToObject(root, "q", q);
	free(q);
	resp_json(r, 200, root);
}

static void
h_db(struct req *r)
{
	static const struct db_stmt st = { "echo_db", "SELECT $1::text || '!'" };
	const char	*p[1] = { "db" };
	PGresult	*res;
	enum och_err	 err;

	if ((res = db_exec(r->app->db, &st, 1, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	resp_json(r, 200, cJSON_CreateString(db_val(res, 0, 0)));
	PQclear(res);
}

static void
h_silent(struct req *r)
{
	(void)r;	/* forgets to answer: the loop must answer 500 */
}

static const struct route routes[] = {
	{ "POST", "/api/v1/echo", AUTH_NONE, h_echo, 0, { NULL, NULL, 0 } },
	{ "PUT", "/api/v1/echo", AUTH_NONE, h_echo, 0, { NULL, NULL, 0 } },
	{ "POST", "/api/v1/echo-small", AUTH_NONE, h_echo, 100, { NULL, NULL, 0 } },
	{ "POST", "/api/v1/echo-hmac", AUTH_HMAC, h_echo, 0, { NULL, NULL, 0 } },
	{ "GET", "/api/v1/echo-hmac", AUTH_HMAC, h_echo, 0, { NULL, NULL, 0 } },
	{ "GET", "/api/v1/items/{id}/sub/{name}", AUTH_NONE, h_params, 0, { NULL, NULL, 0 } },
	{ "GET", "/api/v1/db", AUTH_NONE, h_db, 0, { NULL, NULL, 0 } },
	{ "GET", "/api/v1/silent", AUTH_NONE, h_silent, 0, { NULL, NULL, 0 } },
};

int
main(int argc, char **argv)
{
	return srv_main(argc, argv, "echo", routes, OCH_NELEM(routes), NULL,
	    NULL);
}
