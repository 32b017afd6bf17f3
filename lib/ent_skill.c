/*
 * ent_skill.c: the skills entity (ent.h): the catalogue as one instance
 * sees it (each active skill with whether the instance enabled it), as
 * struct ent_skill; the count of its enabled skills; enabling, disabling
 * and removing one.
 */
#include <stdlib.h>
#include <string.h>

#include "ent_skill.h"

enum { SC_NAME, SC_DISPLAY_NAME, SC_DESCRIPTION, SC_ENABLED, SC_SLUG };
static const struct db_stmt stmt_of_instance = { "ent_skill_of_instance",
	"SELECT s.name, s.display_name, s.description, coalesce(i.enabled, false),"
	" s.slug"
	" FROM skills s LEFT JOIN instance_skills i ON i.skill = s.name"
	"  AND i.instance_id = $1::uuid WHERE s.active ORDER BY s.name" };
static const struct db_stmt stmt_count_other = { "ent_skill_count_other",
	"SELECT count(*) FROM instance_skills WHERE instance_id = $1::uuid"
	" AND enabled AND skill <> $2" };
static const struct db_stmt stmt_put = { "ent_skill_put",
	"INSERT INTO instance_skills (instance_id, skill, enabled)"
	" SELECT $1::uuid, name, $3::boolean FROM skills WHERE name = $2 AND active"
	" ON CONFLICT (instance_id, skill) DO UPDATE SET enabled = EXCLUDED.enabled" };
static const struct db_stmt stmt_del = { "ent_skill_del",
	"DELETE FROM instance_skills WHERE instance_id = $1::uuid AND skill = $2" };

/* Row i of res into the struct ent_skill at v. */
static void
skill_read(const PGresult *res, int i, void *v)
{
	struct ent_skill	*s = v;

	s->name = db_dup(res, i, SC_NAME);
	s->display_name = db_dup(res, i, SC_DISPLAY_NAME);
	s->description = db_dup(res, i, SC_DESCRIPTION);
	s->enabled = db_bool(res, i, SC_ENABLED);
	s->slug = db_dup(res, i, SC_SLUG);
}

enum och_err
ent_skill_of_instance(struct db *db, const char *id, struct ent_skill **out,
    size_t *n)
{
	const char	*p[1] = { id };
	enum och_err	 err;

	*out = db_rows(db, &stmt_of_instance, 1, p, sizeof(**out), skill_read,
	    n, &err);
	return err;
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

enum och_err
ent_skill_count_other(struct db *db, const char *id, const char *name,
    int64_t *n)
{
	PGresult	*res;
	const char	*p[2] = { id, name };
	enum och_err	 err;

	*n = 0;
	if ((res = db_exec(db, &stmt_count_other, 2, p, &err)) == NULL)
		return err;
	*n = db_int(res, 0, 0);
	PQclear(res);
	return OCH_OK;
}

enum och_err
ent_skill_put(struct db *db, const char *id, const char *name, int enabled)
{
	const char	*p[3] = { id, name, enabled ? "true" : "false" };
	enum och_err	 err;
	long		 n = 0;

	if ((err = db_run(db, &stmt_put, 3, p, &n)) == OCH_OK && n == 0)
		err = OCH_ENOTFOUND;
	return err;
}

enum och_err
ent_skill_del(struct db *db, const char *id, const char *name)
{
	const char	*p[2] = { id, name };
	enum och_err	 err;
	long		 n = 0;

	if ((err = db_run(db, &stmt_del, 2, p, &n)) == OCH_OK && n == 0)
		err = OCH_ENOTFOUND;
	return err;
}
