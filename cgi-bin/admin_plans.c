/*
 * admin_plans.c: the plans on sale and the users, as the operators edit
 * them (admin.h).
 *
 *   GET  /api/v1/admin/plans              every plan, with its instances
 *   PUT  /api/v1/admin/plans/{name}       201 creates, 200 changes
 *   GET  /api/v1/admin/users?q=&role=&limit=&offset=
 *   POST /api/v1/admin/users/{id}/role    {role}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "audit.h"
#include "js.h"
#include "log.h"
#include "valid.h"

#define TS(col) ADM_TS(col)

#define PLAN_COLUMNS \
	"p.name, p.display_name, p.server_type, p.image, p.vcpus," \
	" p.memory_mb, p.disk_gb, p.max_channels, p.max_skills," \
	" p.backup_slots, p.price_cents, p.openclaw_version, p.sort, p.active," \
	" (SELECT count(*) FROM instances i WHERE i.plan = p.name" \
	"  AND i.state <> 'terminated'), p.backup_hours, p.snapshot_hours," \
	" p.snapshot_slots"
static const struct db_stmt stmt_plans = { "adm_plans",
	"SELECT " PLAN_COLUMNS " FROM plans p ORDER BY p.sort, p.name" };
static const struct db_stmt stmt_plan = { "adm_plan",
	"SELECT " PLAN_COLUMNS " FROM plans p WHERE p.name = $1" };
static const struct db_stmt stmt_plan_lock = { "adm_plan_lock",
	"SELECT 1 FROM plans WHERE name = $1 FOR UPDATE" };
static const struct db_stmt stmt_plan_insert = { "adm_plan_insert",
	"INSERT INTO plans (name, display_name, server_type, image, vcpus,"
	" memory_mb, disk_gb, max_channels, max_skills, backup_slots,"
	" price_cents, openclaw_version, sort, active, backup_hours,"
	" snapshot_hours, snapshot_slots)"
	" VALUES ($1, $2, $3, coalesce($4, 'ubuntu-24.04'), $5::integer,"
	" $6::integer, $7::integer, $8::integer, $9::integer,"
	" coalesce($10::integer, 7), $11::integer, nullif($12, ''),"
	" coalesce($13::integer, 0), coalesce($14::boolean, true),"
	" coalesce($15::integer, 24), coalesce($16::integer, 0),"
	" coalesce($17::integer, 0))" };
static const struct db_stmt stmt_plan_update = { "adm_plan_update",
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
	" WHERE name = $1" };
#define USER_SEARCH \
	" WHERE ($1::text IS NULL OR position(lower($1) in u.email) > 0" \
	"  OR u.id::text = $1 OR u.whmcs_client_id::text = $1)" \
	" AND ($2::text IS NULL OR u.role = $2)"
static const struct db_stmt stmt_users = { "adm_users",
	"SELECT u.id, u.email, u.role, u.whmcs_client_id, " TS("u.created_at") ","
	" (SELECT count(*) FROM instances i WHERE i.user_id = u.id"
	"  AND i.state <> 'terminated'),"
	" (SELECT " TS("max(s.created_at)") " FROM sessions s"
	"  WHERE s.user_id = u.id)"
	" FROM users u" USER_SEARCH
	" ORDER BY u.id DESC LIMIT $3::integer OFFSET $4::integer" };
static const struct db_stmt stmt_users_count = { "adm_users_count",
	"SELECT count(*) FROM users u" USER_SEARCH };
/* every admin row locked: two demotions at once cannot both pass */
static const struct db_stmt stmt_admins_lock = { "adm_admins_lock",
	"SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE" };
static const struct db_stmt stmt_user_lock = { "adm_user_lock",
	"SELECT role, email FROM users WHERE id = $1::bigint FOR UPDATE" };
static const struct db_stmt stmt_user_role = { "adm_user_role",
	"UPDATE users SET role = $2, updated_at = now() WHERE id = $1::bigint" };

/* ---- plans ---------------------------------------------------------- */

static const struct ent_col plan_cols[] = { { "name", 's' },
    { "display_name", 's' }, { "server_type", 's' }, { "image", 's' },
    { "vcpus", 'i' }, { "memory_mb", 'i' }, { "disk_gb", 'i' },
    { "max_channels", 'i' }, { "max_skills", 'i' }, { "backup_slots", 'i' },
    { "price_cents", 'i' }, { "openclaw_version", 's' }, { "sort", 'i' },
    { "active", 'b' }, { "instances", 'i' }, { "backup_hours", 'i' },
    { "snapshot_hours", 'i' }, { "snapshot_slots", 'i' } };

void
adm_h_plans(struct req *r)
{
	PGresult	*res;
	cJSON		*root;
	enum och_err	 err;

	if ((res = db_exec(r->app->db, &stmt_plans, 0, NULL, &err)) == NULL) {
		adm_fail(r, "admin.plan.list", NULL, NULL, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "plans",
	    ent_rows_json(res, 0, plan_cols, OCH_NELEM(plan_cols)));
	PQclear(res);
	resp_json(r, 200, root);
	audit_req(r, "admin.plan.list", NULL, NULL, 200, NULL);
}

/* A Hetzner image name: ^[a-z0-9][a-z0-9._-]{0,63}$ */
static int
valid_image(const char *v)
{
	size_t	 n = strlen(v);

	return n >= 1 && n <= 64 && strchr("0123456789abcdefghijklmnopqrstuvwxyz",
	    v[0]) != NULL && strspn(v, "0123456789abcdefghijklmnopqrstuvwxyz"
	    "._-") == n;
}

/* A plan's fields: stmt_plan_insert's and stmt_plan_update's $2.. */
static const struct js_field plan_fields[] = {
	{ "display_name", JS_T_STR, JS_REQUIRED, 1, 100, NULL, NULL, NULL },
	{ "server_type", JS_T_STR, JS_REQUIRED, 1, 32, valid_name, NULL,
	    "a Hetzner server type like cx23" },
	{ "image", JS_T_STR, 0, 1, 64, valid_image, NULL,
	    "a Hetzner image name like ubuntu-24.04" },
	{ "vcpus", JS_T_INT, JS_REQUIRED, 1, 256, NULL, NULL, NULL },
	{ "memory_mb", JS_T_INT, JS_REQUIRED, 256, 4194304, NULL, NULL, NULL },
	{ "disk_gb", JS_T_INT, JS_REQUIRED, 1, 1048576, NULL, NULL, NULL },
	{ "max_channels", JS_T_INT, JS_REQUIRED, 0, 1000, NULL, NULL, NULL },
	{ "max_skills", JS_T_INT, JS_REQUIRED, 0, 10000, NULL, NULL, NULL },
	{ "backup_slots", JS_T_INT, 0, 0, 100, NULL, NULL, NULL },
	{ "price_cents", JS_T_INT, JS_REQUIRED, 0, 100000000, NULL, NULL,
	    NULL },
	{ "openclaw_version", JS_T_STR, JS_EMPTY, 1, 40, valid_release, NULL,
	    "a release like 2026.9.6, or \"\" for the default" },
	{ "sort", JS_T_INT, 0, -1000000, 1000000, NULL, NULL, NULL },
	{ "active", JS_T_BOOL, 0, 0, 0, NULL, NULL, NULL },
	/* the schedules (lib/backup.h, lib/snapshot.h): every N hours, 0 none */
	{ "backup_hours", JS_T_INT, 0, 0, 8760, NULL, NULL, NULL },
	{ "snapshot_hours", JS_T_INT, 0, 0, 8760, NULL, NULL, NULL },
	{ "snapshot_slots", JS_T_INT, 0, 0, 100, NULL, NULL, NULL },
};

/*
 * PUT /admin/plans/{name}: create the plan (201; every required field)
 * or change the fields given (200).  Unknown fields, bad characters and
 * out-of-range numbers are 400.  Existing instances keep their servers:
 * a new server_type applies to new orders and plan changes.
 */
void
adm_h_plan_put(struct req *r)
{
	static const struct adm_upsert u = { "admin.plan.put", "plan",
	    valid_name, "name: ^[a-z][a-z0-9-]{1,31}$", plan_fields,
	    OCH_NELEM(plan_fields), &stmt_plan_lock, &stmt_plan_insert,
	    &stmt_plan_update, &stmt_plan, plan_cols, OCH_NELEM(plan_cols),
	    OCH_EUNPROCESSABLE, NULL };

	adm_upsert(r, &u);
}

/* ---- users ---------------------------------------------------------- */

void
adm_h_users(struct req *r)
{
	static const char *const action = "admin.user.list";
	static const struct ent_col cols[] = { { "id", 'i' }, { "email", 's' },
	    { "role", 's' }, { "whmcs_client_id", 'i' },
	    { "created_at", 's' }, { "instances", 'i' },
	    { "last_login_at", 's' } };
	PGresult	*res = NULL, *cnt = NULL;
	cJSON		*root;
	char		*q = NULL, *role = NULL, lb[24], ob[24];
	const char	*p[4];
	int64_t		 limit, offset;
	enum och_err	 err;

	if (adm_q_text(r, "q", 254, &q) < 0 || adm_q_text(r, "role", 16, &role) < 0 ||
	    (role != NULL && strcmp(role, "admin") != 0 &&
	    strcmp(role, "customer") != 0) ||
	    adm_q_int(r, "limit", 1, 500, 50, &limit) < 0 ||
	    adm_q_int(r, "offset", 0, INT32_MAX, 0, &offset) < 0) {
		adm_fail(r, action, NULL, NULL, OCH_EINVAL,
		    "q, role, limit (1-500) or offset: invalid");
		goto out;
	}
	snprintf(lb, sizeof(lb), "%lld", (long long)limit);
	snprintf(ob, sizeof(ob), "%lld", (long long)offset);
	p[0] = q;
	p[1] = role;
	p[2] = lb;
	p[3] = ob;
	if ((res = db_exec(r->app->db, &stmt_users, 4, p, &err)) == NULL ||
	    (cnt = db_exec(r->app->db, &stmt_users_count, 2, p, &err)) ==
	    NULL) {
		adm_fail(r, action, NULL, NULL, err, NULL);
		goto out;
	}
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "users",
	    ent_rows_json(res, 0, cols, OCH_NELEM(cols)));
	cJSON_AddNumberToObject(root, "total", (double)db_int(cnt, 0, 0));
	cJSON_AddNumberToObject(root, "limit", (double)limit);
	cJSON_AddNumberToObject(root, "offset", (double)offset);
	resp_json(r, 200, root);
	audit_req(r, action, NULL, NULL, 200, NULL);
out:
	PQclear(res);
	PQclear(cnt);
	free(q);
	free(role);
}

static const char *const roles[] = { "admin", "customer", NULL };
static const struct js_field role_fields[] = {
	{ "role", JS_T_ENUM, JS_REQUIRED, 0, 0, NULL, roles,
	    "admin or customer" },
};

/*
 * In the caller's transaction: lock every admin row and the user's, and
 * set the user's role unless that demotes the last admin.  Returns the
 * user's row (role before, email; caller clears), or NULL answered and
 * audited.
 */
static PGresult *
role_set(struct req *r, const char *uid, const char *role)
{
	static const char *const action = "admin.user.role";
	struct db	*db = r->app->db;
	PGresult	*res;
	const char	*p[2] = { uid, role };
	enum och_err	 err;
	int		 admins;

	if ((res = db_exec(db, &stmt_admins_lock, 0, NULL, &err)) == NULL) {
		adm_fail(r, action, "user", uid, err, NULL);
		return NULL;
	}
	admins = PQntuples(res);
	PQclear(res);
	if ((res = db_exec(db, &stmt_user_lock, 1, p, &err)) == NULL) {
		adm_fail(r, action, "user", uid, err, NULL);
		return NULL;
	}
	if (PQntuples(res) != 1)
		adm_fail(r, action, "user", uid, OCH_ENOTFOUND, "no such user");
	else if (strcmp(db_val(res, 0, 0), "admin") == 0 &&
	    strcmp(role, "admin") != 0 && admins <= 1)
		adm_fail(r, action, "user", uid, OCH_ECONFLICT,
		    "the last admin cannot be demoted");
	else if (strcmp(db_val(res, 0, 0), role) != 0 &&
	    (err = db_run(db, &stmt_user_role, 2, p, NULL)) != OCH_OK)
		/* EINVAL: users_admin_is_operator (050) */
		adm_fail(r, action, "user", uid, err, err == OCH_EINVAL ? "role: a"
		    " WHMCS client's user cannot be an admin" : NULL);
	else
		return res;
	PQclear(res);
	return NULL;
}

/*
 * POST /admin/users/{id}/role {role}: promote or demote.  The last admin
 * cannot be demoted (409): every admin row is locked first, so two
 * demotions at the same time cannot leave none.  A WHMCS client's user
 * is never promoted (400; principals never merge).
 */
void
adm_h_user_role(struct req *r)
{
	static const char *const action = "admin.user.role";
	struct js_val	 v[OCH_NELEM(role_fields)];
	PGresult	*res;
	const char	*uid = req_param(r, 0), *role;
	char		*detail, msg[160];
	cJSON		*o;

	if (!valid_int64(uid, 1, INT64_MAX, NULL)) {
		adm_fail(r, action, "user", NULL, OCH_ENOTFOUND, "no such user");
		return;
	}
	if (js_fields(r->json, role_fields, OCH_NELEM(role_fields), v, msg,
	    sizeof(msg)) == 0 && !v[0].set)
		js_hint(&role_fields[0], msg, sizeof(msg));
	if (msg[0] != '\0') {
		adm_fail(r, action, "user", uid, OCH_EINVAL, msg);
		return;
	}
	role = v[0].s;
	if (db_begin(r->app->db) < 0) {
		adm_fail(r, action, "user", uid, OCH_EDB, NULL);
		return;
	}
	if ((res = role_set(r, uid, role)) == NULL)
		return;
	if (db_commit(r->app->db) < 0) {
		PQclear(res);
		adm_fail(r, action, "user", uid, OCH_EDB, NULL);
		return;
	}
	log_info("admin user %s role %s -> %s", uid, db_val(res, 0, 0), role);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)strtoll(uid, NULL, 10));
	cJSON_AddStringToObject(o, "email", db_val(res, 0, 1));
	cJSON_AddStringToObject(o, "role", role);
	cJSON_AddStringToObject(o, "previous_role", db_val(res, 0, 0));
	resp_json(r, 200, o);
	detail = xasprintf("{\"from\":\"%s\",\"to\":\"%s\"}",
	    db_val(res, 0, 0), role);
	PQclear(res);
	audit_req(r, action, "user", uid, 200, detail);
	free(detail);
}
