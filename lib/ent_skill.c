/*
 * ent_skill.c: the skills entity (ent.h): the catalogue as one instance
 * sees it (each active skill with whether the instance enabled it), as
 * struct ent_skill; the count of its enabled skills; enabling, disabling
 * and removing one.
 */
#include <stdlib.h>
#include <string.h>

#include "ent_skill.h"

/* stmt_of_instance's columns in order, and the JSON (a NULL text
 * leaves its member out) */
static const struct ent_field skill_fields[] = {
	ENT_FIELD("name", ent_skill, name, ENT_F_STR),
	ENT_FIELD("display_name", ent_skill, display_name, ENT_F_STR),
	ENT_FIELD("description", ent_skill, description, ENT_F_STR),
	ENT_FIELD("enabled", ent_skill, enabled, ENT_F_BOOL),
	ENT_FIELD("slug", ent_skill, slug, ENT_F_STR),
};
static const struct ent_fields skill_shape =
    ENT_FIELDS(ent_skill, skill_fields);
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

enum och_err
ent_skill_of_instance(struct db *db, const char *id, struct ent_skill **out,
    size_t *n)
{
	const char	*p[1] = { id };

	return ent_fields_rows(db, &stmt_of_instance, 1, p, &skill_shape, out,
	    n);
}

cJSON *
ent_skill_json(const struct ent_skill *s)
{
	return ent_fields_json(s, &skill_shape);
}

void
ent_skill_free(struct ent_skill *s, size_t n)
{
	ent_fields_free(s, n, &skill_shape);
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
