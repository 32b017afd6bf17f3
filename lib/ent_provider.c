/*
 * ent_provider.c: the AI providers entity (ent.h, schema 310): the
 * providers an instance's plan allows (struct ent_provider), in the
 * catalogue's order.
 */
#include <stdlib.h>
#include <string.h>

#include "ent_provider.h"

/* stmt_of_instance's columns in order, and the JSON */
static const struct ent_field provider_fields[] = {
	ENT_FIELD("provider", ent_provider, provider, ENT_F_TEXT),
	ENT_FIELD("display_name", ent_provider, display_name, ENT_F_TEXT),
};
static const struct ent_fields provider_shape =
    ENT_FIELDS(ent_provider, provider_fields);
static const struct db_stmt stmt_of_instance = { "ent_provider_of_instance",
	"SELECT a.provider, a.display_name FROM instances i"
	" JOIN plan_providers pp ON pp.plan = i.plan"
	" JOIN ai_providers a ON a.provider = pp.provider"
	" WHERE i.id = $1::uuid ORDER BY a.sort, a.provider" };

enum och_err
ent_provider_of_instance(struct db *db, const char *id,
    struct ent_provider **out, size_t *n)
{
	const char	*p[1] = { id };

	return ent_fields_rows(db, &stmt_of_instance, 1, p, &provider_shape,
	    out, n);
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
	return ent_fields_json(p, &provider_shape);
}

void
ent_provider_free(struct ent_provider *p, size_t n)
{
	ent_fields_free(p, n, &provider_shape);
}
