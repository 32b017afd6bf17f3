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

/* ---- plans ---------------------------------------------------------- */

void
adm_h_plans(struct req *r)
{
	cJSON		*root, *arr;
	enum och_err	 err;

	if ((err = ent_view_rows(r->app->db, &ent_plan_catalog.all, 0, NULL,
	    &arr)) != OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "plans", arr);
	resp_json(r, 200, root);
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

/* A plan's fields: ent_plan_catalog's insert's and update's $2.. */
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
	    OCH_NELEM(plan_fields), &ent_plan_catalog, OCH_EUNPROCESSABLE,
	    NULL };

	adm_upsert(r, &u);
}

/* ---- users ---------------------------------------------------------- */

void
adm_h_users(struct req *r)
{
	static const char *const action = "admin.user.list";
	cJSON		*root;
	char		*q = NULL, *role = NULL;
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
	if ((err = ent_user_search(r->app->db, q, role, limit, offset,
	    &root)) != OCH_OK) {
		adm_fail(r, action, NULL, NULL, err, NULL);
		goto out;
	}
	resp_json(r, 200, root);
	audit_req(r, action, NULL, NULL, 200, NULL);
out:
	free(q);
	free(role);
}

static const char *const roles[] = { "admin", "customer", NULL };
static const struct js_field role_fields[] = {
	{ "role", JS_T_ENUM, JS_REQUIRED, 0, 0, NULL, roles,
	    "admin or customer" },
};

/*
 * In the caller's transaction: set the user's role unless that demotes
 * the last admin (ent_user_set_role()): the role before into prev (16
 * bytes), *email the user's (caller frees).  Returns 0, or -1 answered
 * and audited.
 */
static int
role_set(struct req *r, const char *uid, const char *role, char *prev,
    char **email)
{
	static const char *const action = "admin.user.role";
	enum och_err	 err;

	err = ent_user_set_role(r->app->db, uid, role, prev, 16, email);
	if (err == OCH_OK)
		return 0;
	if (err == OCH_ENOTFOUND)
		adm_fail(r, action, "user", uid, err, "no such user");
	else if (err == OCH_ECONFLICT)
		adm_fail(r, action, "user", uid, err,
		    "the last admin cannot be demoted");
	else
		/* EINVAL: users_admin_is_operator (050) */
		adm_fail(r, action, "user", uid, err, err == OCH_EINVAL ? "role: a"
		    " WHMCS client's user cannot be an admin" : NULL);
	return -1;
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
	const char	*uid = req_param(r, 0), *role;
	char		*detail, *email = NULL, msg[160], prev[16];
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
	if (role_set(r, uid, role, prev, &email) < 0)
		return;
	if (db_commit(r->app->db) < 0) {
		free(email);
		adm_fail(r, action, "user", uid, OCH_EDB, NULL);
		return;
	}
	log_info("admin user %s role %s -> %s", uid, prev, role);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)strtoll(uid, NULL, 10));
	cJSON_AddStringToObject(o, "email", email);
	cJSON_AddStringToObject(o, "role", role);
	cJSON_AddStringToObject(o, "previous_role", prev);
	resp_json(r, 200, o);
	detail = xasprintf("{\"from\":\"%s\",\"to\":\"%s\"}", prev, role);
	audit_req(r, action, "user", uid, 200, detail);
	free(detail);
	free(email);
}
