/*
 * ent_skill.c: the skills entity (ent.h): the catalogue as one instance
 * sees it (each active skill with whether the instance enabled it), as
 * struct ent_skill.
 */
#include <stdlib.h>
#include <string.h>

#include "ent.h"

enum { SC_NAME, SC_DISPLAY_NAME, SC_DESCRIPTION, SC_ENABLED, SC_SLUG };
static const struct db_stmt stmt_of_instance = { "ent_skill_of_instance",
	"SELECT s.name, s.display_name, s.description, coalesce(i.enabled, false),"
	" s.slug"
	" FROM skills s LEFT JOIN instance_skills i ON i.skill = s.name"
	"  AND i.instance_id = $1::uuid WHERE s.active ORDER BY s.name" };

enum och_err
ent_skill_of_instance(struct db *db, const char *id, struct ent_skill **out,
    size_t *n)
{
	PGresult		*res;
	const char		*p[1] = { id };
	struct ent_skill	*s;
	enum och_err		 err;
	int			 i;

	*out = NULL;
	*n = 0;
	if ((res = db_exec(db, &stmt_of_instance, 1, p, &err)) == NULL)
		return err;
	if (PQntuples(res) > 0) {
		*out = xcalloc((size_t)PQntuples(res), sizeof(**out));
		for (i = 0; i < PQntuples(res); i++) {
			s = &(*out)[i];
			s->name = db_dup(res, i, SC_NAME);
			s->display_name = db_dup(res, i, SC_DISPLAY_NAME);
			s->description = db_dup(res, i, SC_DESCRIPTION);
			s->enabled = db_val(res, i, SC_ENABLED) != NULL &&
			    strcmp(db_val(res, i, SC_ENABLED), "t") == 0;
			s->slug = db_dup(res, i, SC_SLUG);
		}
		*n = (size_t)PQntuples(res);
	}
	PQclear(res);
	return OCH_OK;
}

cJSON *
ent_skill_json(const struct ent_skill *s)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	/* a NULL text leaves its member out, as before */
	if (s->name != NULL)
		cJSON_AddStringToObject(o, "name", s->name);
	if (s->display_name != NULL)
		cJSON_AddStringToObject(o, "display_name", s->display_name);
	if (s->description != NULL)
		cJSON_AddStringToObject(o, "description", s->description);
	cJSON_AddBoolToObject(o, "enabled", s->enabled);
	if (s->slug != NULL)
		cJSON_AddStringToObject(o, "slug", s->slug);
	return o;
}

void
ent_skill_free(struct ent_skill *s, size_t n)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].display_name);
		free(s[i].description);
		free(s[i].slug);
	}
	free(s);
}
