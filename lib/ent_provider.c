/*
 * ent_provider.c: the AI providers entity (ent.h, schema 310): the
 * providers an instance's plan allows (struct ent_provider), in the
 * catalogue's order.
 */
#include <stdlib.h>
#include <string.h>

#include "ent_provider.h"

enum { PC_PROVIDER, PC_DISPLAY_NAME };
static const struct db_stmt stmt_of_instance = { "ent_provider_of_instance",
	"SELECT a.provider, a.display_name FROM instances i"
	" JOIN plan_providers pp ON pp.plan = i.plan"
	" JOIN ai_providers a ON a.provider = pp.provider"
	" WHERE i.id = $1::uuid ORDER BY a.sort, a.provider" };

enum och_err
ent_provider_of_instance(struct db *db, const char *id,
    struct ent_provider **out, size_t *n)
{
	PGresult	*res;
	const char	*p[1] = { id };
	enum och_err	 err;
	int		 i;

	*out = NULL;
	*n = 0;
	if ((res = db_exec(db, &stmt_of_instance, 1, p, &err)) == NULL)
		return err;
	if (PQntuples(res) > 0) {
		*out = xcalloc((size_t)PQntuples(res), sizeof(**out));
		for (i = 0; i < PQntuples(res); i++) {
			(*out)[i].provider = db_dup_empty(res, i, PC_PROVIDER);
			(*out)[i].display_name = db_dup_empty(res, i,
			    PC_DISPLAY_NAME);
		}
		*n = (size_t)PQntuples(res);
	}
	PQclear(res);
	return OCH_OK;
}

int
ent_provider_listed(const struct ent_provider *p, size_t n,
    const char *provider, size_t len)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strlen(p[i].provider) == len &&
		    strncmp(p[i].provider, provider, len) == 0)
			return 1;
	return 0;
}

cJSON *
ent_provider_json(const struct ent_provider *p)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "provider", p->provider);
	cJSON_AddStringToObject(o, "display_name", p->display_name);
	return o;
}

void
ent_provider_free(struct ent_provider *p, size_t n)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(p[i].provider);
		free(p[i].display_name);
	}
	free(p);
}
