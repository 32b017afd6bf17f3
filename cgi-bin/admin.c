/*
 * admin.fcgi: the operators' panel API (docs/api.md).  Every route needs an
 * admin session (unsafe methods also the CSRF token) and every call is
 * written to the audit log, reads included.  Actions record intent
 * through the same lib/ code as the billing API and ochctl (inst_act,
 * recon_retry); nothing here talks to a provider.
 * The routes and their handlers: OCH_ROUTES_admin in lib/routes.def.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "audit.h"
#include "backup.h"
#include "ent_instance.h"
#include "ent_ops.h"
#include "inst.h"
#include "js.h"
#include "log.h"
#include "recon.h"
#include "srv.h"
#include "valid.h"

/* "admin:<user id>", the actor in instance history (caller frees). */
static char *
actor(const struct req *r)
{
	return xasprintf("admin:%lld", (long long)r->auth.user_id);
}

/* ---- instances ------------------------------------------------------ */

/*
 * Answer with instance id in full (status), or 404; then audit action.
 * detail may be NULL.
 */
static void
send_detail(struct req *r, int status, const char *action, const char *id,
    const char *detail)
{
	cJSON		*o;
	enum och_err	 err;

	if ((err = ent_ops_instance(r->app->db, &r->app->cfg, id, &o)) !=
	    OCH_OK) {
		adm_fail(r, action, "instance", id, err, err == OCH_ENOTFOUND ?
		    "no such instance" : NULL);
		return;
	}
	resp_json(r, status, o);
	audit_req(r, action, "instance", id, status, detail);
}

static void
h_get(struct req *r)
{
	const char	*id = req_param(r, 0);

	if (!valid_uuid(id)) {
		adm_fail(r, "admin.instance.get", NULL, NULL, OCH_ENOTFOUND,
		    "no such instance");
		return;
	}
	send_detail(r, 200, "admin.instance.get", id, NULL);
}

/* POST …/{id}/retry: as `ochctl instances retry` (recon_retry). */
static void
h_retry(struct req *r)
{
	static const char *const action = "admin.instance.retry";
	const char	*id = req_param(r, 0);
	char		 state[32], *who, *detail;
	enum och_err	 err;

	if (!valid_uuid(id)) {
		adm_fail(r, action, NULL, NULL, OCH_ENOTFOUND, "no such instance");
		return;
	}
	who = actor(r);
	err = recon_retry(r->app->db, id, who, state, sizeof(state));
	free(who);
	switch (err) {
	case OCH_OK:
		break;
	case OCH_ENOTFOUND:
		adm_fail(r, action, "instance", id, err, "no such instance");
		return;
	case OCH_ECONFLICT:
		adm_fail(r, action, "instance", id, err, "instance is not failed "
		    "(or the cleanup of its failed create is still running)");
		return;
	default:
		adm_fail(r, action, "instance", id, err, NULL);
		return;
	}
	log_info("admin retry id=%s resumes=%s", id, state);
	detail = xasprintf("{\"resumes_at\":\"%s\"}", state);
	send_detail(r, 202, action, id, detail);
	free(detail);
}

/* POST …/{id}/{suspend,unsuspend,terminate,rebuild}: as the billing API. */
static void
act(struct req *r, enum inst_act a)
{
	const char	*id = req_param(r, 0);
	char		 why[160], *who, *action;
	enum och_err	 err;
	int		 changed;

	action = xasprintf("admin.%s", inst_act_name(a));
	if (!valid_uuid(id)) {
		adm_fail(r, action, NULL, NULL, OCH_ENOTFOUND, "no such instance");
		goto out;
	}
	who = actor(r);
	err = inst_act(r->app->db, id, a, NULL, who, &changed, why,
	    sizeof(why));
	free(who);
	if (err != OCH_OK) {
		adm_fail(r, action, "instance", id, err, err == OCH_ENOTFOUND ?
		    "no such instance" : err == OCH_ECONFLICT ? why : NULL);
		goto out;
	}
	send_detail(r, 202, action, id, changed ? NULL : "{\"repeat\":true}");
out:
	free(action);
}

static void h_suspend(struct req *r) { act(r, INST_SUSPEND); }
static void h_unsuspend(struct req *r) { act(r, INST_UNSUSPEND); }
static void h_terminate(struct req *r) { act(r, INST_TERMINATE); }
static void h_rebuild(struct req *r) { act(r, INST_REBUILD); }

/* An agent command's body, and the args of each type that takes some. */
static const char *const cmd_types[] = { "restart", "doctor_fix", "update",
    NULL };
static const struct js_field cmd_fields[] = {
	{ "type", JS_T_ENUM, JS_REQUIRED, 0, 0, NULL, cmd_types, NULL },
	{ "args", JS_T_OBJECT, 0, 0, 0, NULL, NULL, NULL },
};
static const struct js_field update_fields[] = {
	{ "version", JS_T_STR, JS_REQUIRED, 1, 40, valid_release, NULL, NULL },
};

/*
 * The command's checked args as a new object (caller deletes), or NULL
 * with the 400's message in msg.
 */
static cJSON *
command_args(const struct js_val *v, char *msg, size_t len)
{
	struct js_val	 a[OCH_NELEM(update_fields)];
	cJSON		*na;

	if (!v[0].set) {
		js_hint(&cmd_fields[0], msg, len);
		return NULL;
	}
	if (strcmp(v[0].s, "update") != 0) {
		if (v[1].set && cJSON_GetArraySize(v[1].j) != 0) {
			snprintf(msg, len, "args: this command takes none");
			return NULL;
		}
		return cJSON_CreateObject();
	}
	if (!v[1].set || js_fields(v[1].j, update_fields,
	    OCH_NELEM(update_fields), a, msg, len) < 0 ||
	    js_missing(update_fields, OCH_NELEM(update_fields), a) != NULL) {
		snprintf(msg, len, "args: {\"version\": \"2026.9.6\"} and "
		    "nothing else");
		return NULL;
	}
	na = cJSON_CreateObject();
	cJSON_AddStringToObject(na, "version", a[0].s);
	return na;
}

/* The instance is active and stays so: 0, or -1 answered and audited. */
static int
command_allowed(struct req *r, const char *action, const char *id)
{
	struct ent_instance *in;
	enum och_err	 err;
	int		 rc = -1;

	if ((err = ent_instance_get(r->app->db, id, &in)) != OCH_OK)
		adm_fail(r, action, "instance", id, err, err == OCH_ENOTFOUND ?
		    "no such instance" : NULL);
	else if (strcmp(in->state, "active") != 0 ||
	    strcmp(in->desired_state, "active") != 0) {
		resp_errorf(r, OCH_ECONFLICT, "instance is %s, not active",
		    in->state);
		audit_req(r, action, "instance", id, 409, NULL);
	} else
		rc = 0;
	ent_instance_free(in, 1);
	return rc;
}

/*
 * POST …/{id}/commands {type, args}: queue an agent command (restart,
 * doctor_fix, update {version}) on an active instance; the agent's long
 * poll wakes at once (schema trigger).  202 with the command.
 */
static void
h_command(struct req *r)
{
	static const char *const action = "admin.instance.command";
	struct js_val	 v[OCH_NELEM(cmd_fields)];
	cJSON		*o, *na = NULL;
	const char	*id = req_param(r, 0);
	char		*as = NULL, *who = NULL, *detail = NULL, msg[160];
	char		 cid[24], at[40];
	enum och_err	 err;

	if (!valid_uuid(id)) {
		adm_fail(r, action, NULL, NULL, OCH_ENOTFOUND, "no such instance");
		return;
	}
	if (js_fields(r->json, cmd_fields, OCH_NELEM(cmd_fields), v, msg,
	    sizeof(msg)) < 0 || (na = command_args(v, msg, sizeof(msg))) ==
	    NULL) {
		adm_fail(r, action, "instance", id, OCH_EINVAL, msg);
		return;
	}
	if (command_allowed(r, action, id) < 0)
		goto out;
	as = cJSON_PrintUnformatted(na);
	who = actor(r);
	/* (an update: with its pre-update backup, lib/backup.h) */
	if ((err = bak_command_add(r->app->db, &r->app->cfg, id, v[0].s, as,
	    who, cid, at)) != OCH_OK) {
		adm_fail(r, action, "instance", id, err, NULL);
		goto out;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", strtod(cid, NULL));
	cJSON_AddStringToObject(o, "instance_id", id);
	cJSON_AddStringToObject(o, "type", v[0].s);
	cJSON_AddItemToObject(o, "args", na);
	na = NULL;
	cJSON_AddStringToObject(o, "status", "queued");
	cJSON_AddStringToObject(o, "created_at", at);
	resp_json(r, 202, o);
	detail = xasprintf("{\"command\":%s,\"type\":\"%s\"}", cid,
	    v[0].s);
	audit_req(r, action, "instance", id, 202, detail);
out:
	cJSON_Delete(na);
	cJSON_free(as);
	free(who);
	free(detail);
}

/* ---- queue ---------------------------------------------------------- */

static void
h_queue(struct req *r)
{
	cJSON		*root;
	enum och_err	 err;

	if ((err = ent_ops_queue(r->app->db, &root)) != OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	resp_json(r, 200, root);
}

/* ---- WHMCS sync ----------------------------------------------------- */

static void
h_sync(struct req *r)
{
	cJSON		*root, *arr;
	enum och_err	 err;

	if ((err = ent_ops_drift(r->app->db, &arr)) != OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "drift", arr);
	resp_json(r, 200, root);
}

/* the routes: lib/routes.def */
static const struct route routes[] = { OCH_ROUTES_admin(SRV_ROUTE) };

int
main(int argc, char **argv)
{
	static const enum cfg_key required[] = { CFG_DATABASE_URL,
	    CFG_JWT_SECRET, CFG__MAX };

	return srv_main(argc, argv, "admin", routes, OCH_NELEM(routes),
	    required, NULL);
}
