/*
 * admin_skills.c: the skills catalogue customers enable skills from
 * (settings.fcgi lists the active ones).  Retiring a skill (active false)
 * stops offering it; instances that have it keep it.
 *
 *   GET /api/v1/admin/skills          every skill, with how many instances
 *                                     have it enabled
 *   PUT /api/v1/admin/skills/{name}   {slug, version, display_name,
 *                                     description, active}: 201 creates
 *                                     (slug and display_name required),
 *                                     200 changes the fields given
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "audit.h"
#include "js.h"
#include "log.h"

#define SKILL_COLUMNS \
	"s.name, s.slug, s.version, s.display_name, s.description, s.active," \
	" (SELECT count(*) FROM instance_skills i JOIN instances n" \
	"  ON n.id = i.instance_id WHERE i.skill = s.name AND i.enabled" \
	"  AND n.state <> 'terminated')"

static const struct ent_col skill_cols[] = { { "name", 's' },
    { "slug", 's' }, { "version", 's' }, { "display_name", 's' },
    { "description", 's' }, { "active", 'b' }, { "instances", 'i' } };

static const struct db_stmt stmt_list = { "adm_skills",
	"SELECT " SKILL_COLUMNS " FROM skills s ORDER BY s.name" };
static const struct db_stmt stmt_one = { "adm_skill",
	"SELECT " SKILL_COLUMNS " FROM skills s WHERE s.name = $1" };
static const struct db_stmt stmt_lock = { "adm_skill_lock",
	"SELECT 1 FROM skills WHERE name = $1 FOR UPDATE" };
static const struct db_stmt stmt_insert = { "adm_skill_insert",
	"INSERT INTO skills (name, slug, version, display_name, description,"
	" active) VALUES ($1, $2, coalesce($3, ''), $4, coalesce($5, ''),"
	" coalesce($6::boolean, true))" };
static const struct db_stmt stmt_update = { "adm_skill_update",
	"UPDATE skills SET slug = coalesce($2, slug),"
	" version = coalesce($3, version),"
	" display_name = coalesce($4, display_name),"
	" description = coalesce($5, description),"
	" active = coalesce($6::boolean, active) WHERE name = $1" };

/* [a-z0-9][a-z0-9-]{0,max-1} exactly n bytes at s: 1, else 0. */
static int
lowname(const char *s, size_t n, size_t max)
{
	size_t	i;

	if (n == 0 || n > max || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* An npm-style package "@scope/name" as schema/010_settings.sql allows. */
static int
valid_package(const char *s)
{
	const char	*slash;

	if (s[0] != '@' || (slash = strchr(s, '/')) == NULL)
		return 0;
	return lowname(s + 1, (size_t)(slash - s - 1), 64) &&
	    lowname(slash + 1, strlen(slash + 1), 64);
}

/* A version of 0..32 bytes of [0-9A-Za-z.+-]. */
static int
valid_skill_version(const char *s)
{
	size_t	n = strlen(s);

	return n <= 32 && strspn(s, "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.+-") == n;
}

void
adm_h_skills(struct req *r)
{
	static const char *const action = "admin.skill.list";
	PGresult	*res;
	cJSON		*root;
	enum och_err	 err;

	if ((res = db_exec(r->app->db, &stmt_list, 0, NULL, &err)) == NULL) {
		adm_fail(r, action, NULL, NULL, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "skills",
	    ent_rows_json(res, 0, skill_cols, OCH_NELEM(skill_cols)));
	PQclear(res);
	resp_json(r, 200, root);
	audit_req(r, action, NULL, NULL, 200, NULL);
}

/* A skill's name: ^[a-z0-9][a-z0-9-]{0,63}$ */
static int
valid_skill_name(const char *s)
{
	return lowname(s, strlen(s), 64);
}

/* A skill's fields: stmt_insert's and stmt_update's $2.. */
static const struct js_field skill_fields[] = {
	{ "slug", JS_T_STR, JS_REQUIRED, 1, 130, valid_package, NULL,
	    "a package like @openclaw/web-search" },
	{ "version", JS_T_STR, JS_EMPTY, 1, 32, valid_skill_version, NULL,
	    "up to 32 of 0-9 A-Z a-z . + -" },
	{ "display_name", JS_T_STR, JS_REQUIRED, 1, 80, NULL, NULL, NULL },
	{ "description", JS_T_STR, JS_EMPTY, 1, 500, NULL, NULL,
	    "up to 500 characters" },
	{ "active", JS_T_BOOL, 0, 0, 0, NULL, NULL, NULL },
};

void
adm_h_skill_put(struct req *r)
{
	/* the one unique column besides the name is the package */
	static const struct adm_upsert u = { "admin.skill.put", "skill",
	    valid_skill_name, "name: ^[a-z0-9][a-z0-9-]{0,63}$", skill_fields,
	    OCH_NELEM(skill_fields), &stmt_lock, &stmt_insert, &stmt_update,
	    &stmt_one, skill_cols, OCH_NELEM(skill_cols), OCH_EINVAL,
	    "slug: another skill has this package" };

	adm_upsert(r, &u);
}
