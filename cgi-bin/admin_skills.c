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

static const struct adm_col skill_cols[] = { { "name", 's' },
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
	    adm_rows_json(res, skill_cols, OCH_NELEM(skill_cols)));
	PQclear(res);
	resp_json(r, 200, root);
	audit_req(r, action, NULL, NULL, 200, NULL);
}

void
adm_h_skill_put(struct req *r)
{
	static const char *const action = "admin.skill.put";
	static const char *const known[] = { "slug", "version",
	    "display_name", "description", "active" };
	struct db	*db = r->app->db;
	PGresult	*res = NULL;
	const cJSON	*it;
	const char	*name = req_param(r, 0), *p[6], *s;
	char		 msg[160];
	enum och_err	 err;
	size_t		 k;
	int		 exists, status;

	memset(p, 0, sizeof(p));
	if (name == NULL || !lowname(name, strlen(name), 64)) {
		adm_fail(r, action, "skill", NULL, OCH_EINVAL,
		    "name: ^[a-z0-9][a-z0-9-]{0,63}$");
		return;
	}
	if (r->json == NULL) {
		adm_fail(r, action, "skill", name, OCH_EINVAL,
		    "a JSON body is required");
		return;
	}
	cJSON_ArrayForEach(it, r->json) {
		for (k = 0; k < OCH_NELEM(known); k++)
			if (strcmp(it->string, known[k]) == 0)
				break;
		if (k == OCH_NELEM(known)) {
			snprintf(msg, sizeof(msg), "%.64s: unknown field",
			    it->string);
			adm_fail(r, action, "skill", name, OCH_EINVAL, msg);
			return;
		}
	}
	p[0] = name;
	if (js_str(r->json, "slug", 130, &p[1]) == JS_BAD ||
	    (p[1] != NULL && !valid_package(p[1]))) {
		adm_fail(r, action, "skill", name, OCH_EINVAL,
		    "slug: a package like @openclaw/web-search");
		return;
	}
	it = cJSON_GetObjectItemCaseSensitive(r->json, "version");
	if (it != NULL && !cJSON_IsNull(it)) {
		if ((s = cJSON_GetStringValue(it)) == NULL ||
		    !valid_skill_version(s)) {
			adm_fail(r, action, "skill", name, OCH_EINVAL,
			    "version: up to 32 of 0-9 A-Z a-z . + -");
			return;
		}
		p[2] = s;
	}
	if (js_str(r->json, "display_name", 80, &p[3]) == JS_BAD) {
		adm_fail(r, action, "skill", name, OCH_EINVAL,
		    "display_name: 1 to 80 characters");
		return;
	}
	it = cJSON_GetObjectItemCaseSensitive(r->json, "description");
	if (it != NULL && !cJSON_IsNull(it)) {
		/* "" clears it; js_str() takes 1..500 printable bytes */
		if ((s = cJSON_GetStringValue(it)) == NULL || (*s != '\0' &&
		    js_str(r->json, "description", 500, &p[4]) != JS_OK)) {
			adm_fail(r, action, "skill", name, OCH_EINVAL,
			    "description: up to 500 characters");
			return;
		}
		p[4] = s;
	}
	it = cJSON_GetObjectItemCaseSensitive(r->json, "active");
	if (it != NULL && !cJSON_IsNull(it)) {
		if (!cJSON_IsBool(it)) {
			adm_fail(r, action, "skill", name, OCH_EINVAL,
			    "active: true or false");
			return;
		}
		p[5] = cJSON_IsTrue(it) ? "true" : "false";
	}

	if (db_begin(db) < 0) {
		adm_fail(r, action, "skill", name, OCH_EDB, NULL);
		return;
	}
	if ((res = db_exec(db, &stmt_lock, 1, p, &err)) == NULL) {
		adm_fail(r, action, "skill", name, err, NULL);
		return;
	}
	exists = PQntuples(res) == 1;
	PQclear(res);
	if (!exists && (p[1] == NULL || p[3] == NULL)) {
		adm_fail(r, action, "skill", name, OCH_EINVAL, p[1] == NULL ?
		    "slug: required for a new skill" :
		    "display_name: required for a new skill");
		return;
	}
	err = db_run(db, exists ? &stmt_update : &stmt_insert, 6, p, NULL);
	if (err != OCH_OK) {
		/* the one unique column besides the name is the package */
		adm_fail(r, action, "skill", name, err, err == OCH_ECONFLICT ?
		    "slug: another skill has this package" : err == OCH_EINVAL ?
		    "the skill breaks a constraint" : NULL);
		return;
	}
	if (db_commit(db) < 0) {
		adm_fail(r, action, "skill", name, OCH_EDB, NULL);
		return;
	}
	log_info("admin skill %s %s", name, exists ? "changed" : "created");
	status = exists ? 200 : 201;
	if ((res = db_exec(db, &stmt_one, 1, p, &err)) == NULL ||
	    PQntuples(res) != 1) {
		PQclear(res);
		adm_fail(r, action, "skill", name, res == NULL ? err :
		    OCH_ESYSTEM, NULL);
		return;
	}
	{
		cJSON	*arr = adm_rows_json(res, skill_cols,
		    OCH_NELEM(skill_cols));

		resp_json(r, status, cJSON_DetachItemFromArray(arr, 0));
		cJSON_Delete(arr);
	}
	PQclear(res);
	audit_req(r, action, "skill", name, status, exists ?
	    "{\"created\":false}" : "{\"created\":true}");
}
