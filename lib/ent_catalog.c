/*
 * ent_catalog.c: the catalogues the operators edit by name (ent.h): the
 * plans on sale and the skills customers enable, each as its list and
 * one-row views and its lock, insert and update statements; and the users
 * as the operators list them and change their role.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ent_catalog.h"

#define TS(col) ENT_TS(col)

static const struct ent_col plan_cols[] = { { "name", 's' },
    { "display_name", 's' }, { "server_type", 's' }, { "image", 's' },
    { "vcpus", 'i' }, { "memory_mb", 'i' }, { "disk_gb", 'i' },
    { "max_channels", 'i' }, { "max_skills", 'i' }, { "backup_slots", 'i' },
    { "price_cents", 'i' }, { "openclaw_version", 's' }, { "sort", 'i' },
    { "active", 'b' }, { "instances", 'i' }, { "backup_hours", 'i' },
    { "snapshot_hours", 'i' }, { "snapshot_slots", 'i' } };

#define PLAN_COLUMNS \
	"p.name, p.display_name, p.server_type, p.image, p.vcpus," \
	" p.memory_mb, p.disk_gb, p.max_channels, p.max_skills," \
	" p.backup_slots, p.price_cents, p.openclaw_version, p.sort, p.active," \
	" (SELECT count(*) FROM instances i WHERE i.plan = p.name" \
	"  AND i.state <> 'terminated'), p.backup_hours, p.snapshot_hours," \
	" p.snapshot_slots"
/* the plans: $1 the name, then $2.. the fields of admin_plans.c */
const struct ent_catalog ent_plan_catalog = {
	{ "ent_plan_lock",
	"SELECT 1 FROM plans WHERE name = $1 FOR UPDATE" },
	{ "ent_plan_insert",
	"INSERT INTO plans (name, display_name, server_type, image, vcpus,"
	" memory_mb, disk_gb, max_channels, max_skills, backup_slots,"
	" price_cents, openclaw_version, sort, active, backup_hours,"
	" snapshot_hours, snapshot_slots)"
	" VALUES ($1, $2, $3, coalesce($4, 'ubuntu-24.04'), $5::integer,"
	" $6::integer, $7::integer, $8::integer, $9::integer,"
	" coalesce($10::integer, 7), $11::integer, nullif($12, ''),"
	" coalesce($13::integer, 0), coalesce($14::boolean, true),"
	" coalesce($15::integer, 24), coalesce($16::integer, 0),"
	" coalesce($17::integer, 0))" },
	{ "ent_plan_update",
	"UPDATE plans SET display_name = coalesce($2, display_name),"
	" server_type = coalesce($3, server_type), image = coalesce($4, image),"
	" vcpus = coalesce($5::integer, vcpus),"
	" memory_mb = coalesce($6::integer, memory_mb),"
	" disk_gb = coalesce($7::integer, disk_gb),"
	" max_channels = coalesce($8::integer, max_channels),"
	" max_skills = coalesce($9::integer, max_skills),"
	" backup_slots = coalesce($10::integer, backup_slots),"
	" price_cents = coalesce($11::integer, price_cents),"
	" openclaw_version = CASE WHEN $12::text IS NULL THEN openclaw_version"
	"  ELSE nullif($12, '') END,"
	" sort = coalesce($13::integer, sort),"
	" active = coalesce($14::boolean, active),"
	" backup_hours = coalesce($15::integer, backup_hours),"
	" snapshot_hours = coalesce($16::integer, snapshot_hours),"
	" snapshot_slots = coalesce($17::integer, snapshot_slots)"
	" WHERE name = $1" },
	ENT_VIEW("ent_plan_all",
	"SELECT " PLAN_COLUMNS " FROM plans p ORDER BY p.sort, p.name", plan_cols),
	ENT_VIEW("ent_plan_one",
	"SELECT " PLAN_COLUMNS " FROM plans p WHERE p.name = $1", plan_cols)
};
#define SKILL_COLUMNS \
	"s.name, s.slug, s.version, s.display_name, s.description, s.active," \
	" (SELECT count(*) FROM instance_skills i JOIN instances n" \
	"  ON n.id = i.instance_id WHERE i.skill = s.name AND i.enabled" \
	"  AND n.state <> 'terminated')"

static const struct ent_col skill_cols[] = { { "name", 's' },
    { "slug", 's' }, { "version", 's' }, { "display_name", 's' },
    { "description", 's' }, { "active", 'b' }, { "instances", 'i' } };

/* the skills: $1 the name, then $2.. the fields of admin_skills.c */
const struct ent_catalog ent_skill_catalog = {
	{ "ent_skill_lock",
	"SELECT 1 FROM skills WHERE name = $1 FOR UPDATE" },
	{ "ent_skill_insert",
	"INSERT INTO skills (name, slug, version, display_name, description,"
	" active) VALUES ($1, $2, coalesce($3, ''), $4, coalesce($5, ''),"
	" coalesce($6::boolean, true))" },
	{ "ent_skill_update",
	"UPDATE skills SET slug = coalesce($2, slug),"
	" version = coalesce($3, version),"
	" display_name = coalesce($4, display_name),"
	" description = coalesce($5, description),"
	" active = coalesce($6::boolean, active) WHERE name = $1" },
	ENT_VIEW("ent_skill_all",
	"SELECT " SKILL_COLUMNS " FROM skills s ORDER BY s.name", skill_cols),
	ENT_VIEW("ent_skill_one",
	"SELECT " SKILL_COLUMNS " FROM skills s WHERE s.name = $1", skill_cols)
};

#define USER_SEARCH \
	" WHERE ($1::text IS NULL OR position(lower($1) in u.email) > 0" \
	"  OR u.id::text = $1 OR u.whmcs_client_id::text = $1)" \
	" AND ($2::text IS NULL OR u.role = $2)"
static const struct db_stmt stmt_users = { "ent_user_search",
	"SELECT u.id, u.email, u.role, u.whmcs_client_id, " TS("u.created_at") ","
	" (SELECT count(*) FROM instances i WHERE i.user_id = u.id"
	"  AND i.state <> 'terminated'),"
	" (SELECT " TS("max(s.created_at)") " FROM sessions s"
	"  WHERE s.user_id = u.id)"
	" FROM users u" USER_SEARCH
	" ORDER BY u.id DESC LIMIT $3::integer OFFSET $4::integer" };
static const struct db_stmt stmt_users_count = { "ent_user_search_count",
	"SELECT count(*) FROM users u" USER_SEARCH };
/* every admin row locked: two demotions at once cannot both pass */
static const struct db_stmt stmt_admins_lock = { "ent_user_admins_lock",
	"SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE" };
static const struct db_stmt stmt_user_lock = { "ent_user_lock",
	"SELECT role, email FROM users WHERE id = $1::bigint FOR UPDATE" };
static const struct db_stmt stmt_user_role = { "ent_user_role",
	"UPDATE users SET role = $2, updated_at = now() WHERE id = $1::bigint" };

static const struct ent_col user_cols[] = { { "id", 'i' }, { "email", 's' },
	{ "role", 's' }, { "whmcs_client_id", 'i' }, { "created_at", 's' },
	{ "instances", 'i' }, { "last_login_at", 's' } };

enum och_err
ent_catalog_lock(struct db *db, const struct ent_catalog *c,
    const char *name, int *exists)
{
	PGresult	*res;
	const char	*p[1] = { name };
	enum och_err	 err;

	*exists = 0;
	if ((res = db_exec(db, &c->lock, 1, p, &err)) == NULL)
		return err;
	*exists = PQntuples(res) == 1;
	PQclear(res);
	return OCH_OK;
}

enum och_err
ent_catalog_write(struct db *db, const struct ent_catalog *c, int exists,
    int n, const char *const *p)
{
	return db_run(db, exists ? &c->update : &c->insert, n, p, NULL);
}

enum och_err
ent_user_search(struct db *db, const char *q, const char *role,
    int64_t limit, int64_t offset, cJSON **out)
{
	PGresult	*res = NULL, *cnt = NULL;
	const char	*p[4];
	char		 lb[24], ob[24];
	enum och_err	 err = OCH_OK;

	*out = NULL;
	snprintf(lb, sizeof(lb), "%lld", (long long)limit);
	snprintf(ob, sizeof(ob), "%lld", (long long)offset);
	p[0] = q;
	p[1] = role;
	p[2] = lb;
	p[3] = ob;
	if ((res = db_exec(db, &stmt_users, 4, p, &err)) != NULL &&
	    (cnt = db_exec(db, &stmt_users_count, 2, p, &err)) != NULL) {
		*out = cJSON_CreateObject();
		cJSON_AddItemToObject(*out, "users", ent_rows_json(res, 0,
		    user_cols, OCH_NELEM(user_cols)));
		cJSON_AddNumberToObject(*out, "total",
		    (double)db_int(cnt, 0, 0));
		cJSON_AddNumberToObject(*out, "limit", (double)limit);
		cJSON_AddNumberToObject(*out, "offset", (double)offset);
	}
	PQclear(res);
	PQclear(cnt);
	return err;
}

enum och_err
ent_user_set_role(struct db *db, const char *uid, const char *role,
    char *prev, size_t prevsz, char **email)
{
	PGresult	*res;
	const char	*p[2] = { uid, role };
	enum och_err	 err = OCH_OK;
	int		 admins;

	*email = NULL;
	prev[0] = '\0';
	if ((res = db_exec(db, &stmt_admins_lock, 0, NULL, &err)) == NULL)
		return err;
	admins = PQntuples(res);
	PQclear(res);
	if ((res = db_exec(db, &stmt_user_lock, 1, p, &err)) == NULL)
		return err;
	if (PQntuples(res) != 1)
		err = OCH_ENOTFOUND;
	else if (strcmp(db_val(res, 0, 0), "admin") == 0 &&
	    strcmp(role, "admin") != 0 && admins <= 1)
		err = OCH_ECONFLICT;
	else if (strcmp(db_val(res, 0, 0), role) != 0)
		err = db_run(db, &stmt_user_role, 2, p, NULL);
	if (err == OCH_OK) {
		snprintf(prev, prevsz, "%s", db_val(res, 0, 0));
		*email = db_dup_empty(res, 0, 1);
	}
	PQclear(res);
	return err;
}
