/*
 * settings_providers.c: the AI providers an instance's plan allows
 * (schema 310: plan_providers, lib/ent_provider.c).  A key (PUT
 * ai-keys/{provider}) or a model (PUT model, primary and fallbacks) of any
 * other provider is refused with 422 naming the ones the plan allows, and
 * nothing is stored; GET ai-keys lists them for the dashboard's picker.
 */
#include <stdlib.h>
#include <string.h>

#include "ent_provider.h"
#include "settings.h"

cJSON *
sp_providers_json(struct req *r, const char *id, enum och_err *err)
{
	struct ent_provider	*p;
	cJSON			*arr;
	size_t			 i, n;

	if ((*err = ent_provider_of_instance(r->app->db, id, &p, &n)) !=
	    OCH_OK)
		return NULL;
	arr = cJSON_CreateArray();
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, ent_provider_json(&p[i]));
	ent_provider_free(p, n);
	return arr;
}

int
sp_check(struct req *r, const char *id, const char *const *names, size_t n)
{
	struct ent_provider	*p;
	struct buf		 b = { 0 };
	const char		*sl;
	size_t			 i, j, len, np;
	enum och_err		 err;

	if ((err = ent_provider_of_instance(r->app->db, id, &p, &np)) !=
	    OCH_OK) {
		resp_error(r, err, NULL);
		return -1;
	}
	for (i = 0; i < n; i++) {
		sl = strchr(names[i], '/');
		len = sl != NULL ? (size_t)(sl - names[i]) : strlen(names[i]);
		if (ent_provider_listed(p, np, names[i], len))
			continue;
		for (j = 0; j < np; j++)
			buf_printf(&b, "%s%s", j > 0 ? ", " : "",
			    p[j].provider);
		resp_errorf(r, OCH_EUNPROCESSABLE, "%.*s: the plan does not "
		    "include this AI provider (it includes: %s)", (int)len,
		    names[i], b.data != NULL ? b.data : "none");
		buf_free(&b);
		ent_provider_free(p, np);
		return -1;
	}
	ent_provider_free(p, np);
	return 0;
}
