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
	cJSON		*root, *arr;
	enum och_err	 err;

	if ((err = ent_view_rows(r->app->db, &ent_skill_catalog.all, 0, NULL,
	    &arr)) != OCH_OK) {
		adm_fail(r, action, NULL, NULL, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "skills", arr);
	resp_json(r, 200, root);
	audit_req(r, action, NULL, NULL, 200, NULL);
}

/* A skill's name: ^[a-z0-9][a-z0-9-]{0,63}$ */
static int
valid_skill_name(const char *s)
{
	return lowname(s, strlen(s), 64);
}

/* A skill's fields: ent_skill_catalog's insert's and update's $2.. */
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
	    OCH_NELEM(skill_fields), &ent_skill_catalog, OCH_EINVAL,
	    "slug: another skill has this package" };

	adm_upsert(r, &u);
}
