/*
 * instances.fcgi: the WHMCS-facing instance API (docs/api.md).  Every
 * route records intent in the database, wakes the poller, and writes the
 * audit log; nothing here talks to a provider.
 *
 *   POST /api/v1/instances                      create (idempotent on whmcs_service_id)
 *   GET  /api/v1/instances?whmcs_service_id=N   find / list
 *   GET  /api/v1/instances/{id}                 one instance with recent events
 *   POST /api/v1/instances/{id}/{suspend,unsuspend,terminate,change-plan,reboot,rebuild,sso}
 *   GET  /api/v1/instances/{id}/usage           disk and bandwidth for WHMCS
 *   GET  /api/v1/plans, /api/v1/regions, /api/v1/ping
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "cry.h"
#include "ent_instance.h"
#include "ent_plan.h"
#include "inst.h"
#include "js.h"
#include "log.h"
#include "srv.h"
#include "valid.h"

/* Send one instance, with an "events" array of ev[0..n) if events. */
static void
answer(struct req *r, int status, const struct ent_instance *in, int events,
    const struct ent_event *ev, size_t n)
{
	cJSON	*o, *arr;
	size_t	 i;

	o = ent_instance_json(in, &r->app->cfg);
	if (events) {
		arr = cJSON_AddArrayToObject(o, "events");
		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, ent_event_json(&ev[i]));
	}
	resp_json(r, status, o);
}

/* Send one instance with its recent events (0 for none, 1 read them). */
static void
send_instance(struct req *r, int status, const struct ent_instance *in,
    int events)
{
	struct ent_event *ev = NULL;
	size_t		 n = 0;

	if (events && ent_event_recent(r->app->db, in->id, &ev, &n) != OCH_OK)
		n = 0;
	answer(r, status, in, events, ev, n);
	ent_event_free(ev, n);
}

/* Answer an error and audit it. */
static void
fail(struct req *r, const char *action, const char *id, enum och_err e,
    const char *msg)
{
	resp_error(r, e, msg);
	db_rollback(r->app->db);
	audit_req(r, action, "instance", id, err_status(e), NULL);
}

/* A lower-cased copy of an email address (caller frees). */
static char *
lower(const char *s)
{
	char	*p, *c = xstrdup(s);

	for (p = c; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return c;
}

/* An order as POST /api/v1/instances carries it. */
struct order {
	const char	*email, *plan, *region;
	const char	*version;	/* a pin, or NULL */
	int64_t		 client;
	char		 sid[24], cid[24];	/* service and client ids */
};

/*
 * Read an order's fields from the body into o (strings point into it).
 * Returns 0, or -1 answered and audited (400 naming the field; 422 for
 * an address that is no email address).
 */
static int
order_input(struct req *r, const char *action, struct order *o)
{
	int64_t		 service;
	enum js_res	 jr;

	memset(o, 0, sizeof(*o));
	if (r->json == NULL) {
		fail(r, action, NULL, OCH_EINVAL, "a JSON body is required");
		return -1;
	}
	if ((jr = js_int64(r->json, "whmcs_service_id", 1, INT64_MAX,
	    &service)) != JS_OK) {
		fail(r, action, NULL, OCH_EINVAL, jr == JS_MISSING ?
		    "whmcs_service_id: required" :
		    "whmcs_service_id: must be a positive integer");
		return -1;
	}
	if ((jr = js_int64(r->json, "whmcs_client_id", 1, INT64_MAX,
	    &o->client)) != JS_OK) {
		fail(r, action, NULL, OCH_EINVAL, jr == JS_MISSING ?
		    "whmcs_client_id: required" :
		    "whmcs_client_id: must be a positive integer");
		return -1;
	}
	if ((jr = js_str(r->json, "email", 254, &o->email)) != JS_OK ||
	    !valid_email(o->email)) {
		fail(r, action, NULL, jr == JS_MISSING ? OCH_EINVAL :
		    OCH_EUNPROCESSABLE, jr == JS_MISSING ? "email: required" :
		    "email: not a valid email address");
		return -1;
	}
	if ((jr = js_str(r->json, "plan", 32, &o->plan)) != JS_OK) {
		fail(r, action, NULL, OCH_EINVAL, jr == JS_MISSING ?
		    "plan: required" : "plan: must be a plan name");
		return -1;
	}
	if ((jr = js_str(r->json, "region", 32, &o->region)) != JS_OK) {
		fail(r, action, NULL, OCH_EINVAL, jr == JS_MISSING ?
		    "region: required" : "region: must be a region name");
		return -1;
	}
	/* optional: a version the product pins (npm dist-tag-free semver-ish) */
	if ((jr = js_str(r->json, "openclaw_version", 32, &o->version)) ==
	    JS_BAD || (jr == JS_OK && strspn(o->version, "0123456789.") !=
	    strlen(o->version))) {
		fail(r, action, NULL, OCH_EINVAL, "openclaw_version: a version "
		    "like 2026.11.1");
		return -1;
	}
	snprintf(o->sid, sizeof(o->sid), "%lld", (long long)service);
	snprintf(o->cid, sizeof(o->cid), "%lld", (long long)o->client);
	return 0;
}

/*
 * The order's plan and region exist: the canonical region name into
 * region (32 bytes).  Returns 0, or -1 answered and audited (422 for an
 * unknown one, the database error).
 */
static int
order_catalog(struct req *r, const char *action, const struct order *o,
    char *region)
{
	const char	*msg = "plan: unknown plan";
	enum och_err	 err;

	err = valid_name(o->plan) ? ent_order_plan(r->app->db, o->plan) :
	    OCH_ENOTFOUND;
	if (err == OCH_OK) {
		msg = "region: unknown region";
		err = valid_name(o->region) ? ent_order_region(r->app->db,
		    o->region, region) : OCH_ENOTFOUND;
	}
	if (err == OCH_OK)
		return 0;
	if (err == OCH_ENOTFOUND)
		fail(r, action, NULL, OCH_EUNPROCESSABLE, msg);
	else
		fail(r, action, NULL, err, NULL);
	return -1;
}

/*
 * Begin a transaction and insert the order's user (if new) and instance
 * with a fresh slug (again on a slug collision): the new id into id (40
 * bytes), or "" when a concurrent order for the service won (rolled back
 * then).  Returns OCH_OK with the transaction open when id is set, or
 * the error (rolled back).
 */
static enum och_err
order_insert(struct req *r, const struct order *o, const char *region,
    char *id)
{
	struct db	*db = r->app->db;
	char		 uid[24], *mail = lower(o->email), *hex, *slug;
	enum och_err	 err = OCH_ECONFLICT;
	int		 try;

	/* a slug collision aborts the transaction: start it again */
	for (try = 0; err == OCH_ECONFLICT && try < 5; try++) {
		db_rollback(db);
		if (db_begin(db) < 0) {
			err = OCH_EDB;
			break;
		}
		if ((err = ent_order_user(db, mail, o->cid, uid)) != OCH_OK)
			break;
		if ((hex = cry_token(4)) == NULL) {
			err = OCH_ESYSTEM;
			break;
		}
		slug = xasprintf("oc-%s", hex);
		free(hex);
		err = ent_order_insert(db, slug, uid, o->plan, region, o->sid,
		    o->cid, o->version, cfg_str(&r->app->cfg,
		    CFG_OPENCLAW_VERSION, NULL), id);
		free(slug);
	}
	if (err != OCH_OK || id[0] == '\0')
		db_rollback(db);
	free(mail);
	return err;
}

/*
 * The instance of o's service when there is one: 200 with it, or 409
 * when another WHMCS client ordered it.
 */
static void
order_existing(struct req *r, const char *action, const struct order *o,
    const struct ent_instance *in)
{
	char	 cid[24];

	snprintf(cid, sizeof(cid), "%lld", (long long)o->client);
	if (in->whmcs_client_id == NULL ||
	    strcmp(in->whmcs_client_id, cid) != 0) {
		fail(r, action, in->id, OCH_ECONFLICT,
		    "whmcs_service_id: already used by another WHMCS client");
		return;
	}
	send_instance(r, 200, in, 0);
	audit_req(r, action, "instance", in->id, 200, "{\"repeat\":true}");
}

/*
 * In order_insert's transaction: the new instance's first event, the
 * poller's wake-up, the commit.  OCH_OK or the error (not rolled back).
 */
static enum och_err
order_record(struct req *r, const struct order *o, const char *id)
{
	char		 msg[80];
	enum och_err	 err;

	snprintf(msg, sizeof(msg), "order for WHMCS service %s", o->sid);
	if ((err = inst_event(r->app->db, id, "order.created", NULL, "pending",
	    msg, r->auth.client_id)) != OCH_OK ||
	    (err = inst_notify(r->app->db, id)) != OCH_OK)
		return err;
	return db_commit(r->app->db) < 0 ? OCH_EDB : OCH_OK;
}

static void
h_create(struct req *r)
{
	static const char *const action = "instance.create";
	struct db	*db = r->app->db;
	struct ent_instance *in = NULL;
	struct order	 o;
	char		 region[32] = "", id[40] = "";
	enum och_err	 err;

	if (order_input(r, action, &o) < 0)
		return;
	/* the same order again: the same instance, 200 */
	if ((err = ent_instance_of_service(db, o.sid, &in)) == OCH_OK)
		goto existing;
	if (err != OCH_ENOTFOUND)
		goto dberr;
	if (order_catalog(r, action, &o, region) < 0)
		return;
	if ((err = order_insert(r, &o, region, id)) != OCH_OK)
		goto dberr;
	if (id[0] == '\0') {
		/* a concurrent request with the same service id won */
		if ((err = ent_instance_of_service(db, o.sid, &in)) != OCH_OK)
			goto dberr;
		goto existing;
	}
	if ((err = order_record(r, &o, id)) != OCH_OK ||
	    (err = ent_instance_get(db, id, &in)) != OCH_OK)
		goto dberr;
	log_info("instance created id=%s service=%s plan=%s region=%s", id,
	    o.sid, o.plan, region);
	send_instance(r, 201, in, 0);
	audit_req(r, action, "instance", id, 201, NULL);
	goto out;
existing:
	order_existing(r, action, &o, in);
	goto out;
dberr:
	fail(r, action, id[0] != '\0' ? id : NULL, err == OCH_OK ||
	    err == OCH_ENOTFOUND ? OCH_EDB : err, NULL);
out:
	ent_instance_free(in, 1);
}

/* The instances of one service (sid), or a page of all of them. */
static enum och_err
list_read(struct req *r, const char *sid, int64_t limit, int64_t offset,
    struct ent_instance **in, size_t *n)
{
	char		 lb[24], ob[24];
	enum och_err	 err;

	if (sid != NULL) {
		*n = 0;
		err = ent_instance_of_service(r->app->db, sid, in);
		if (err == OCH_ENOTFOUND)
			return OCH_OK;
		*n = err == OCH_OK;
		return err;
	}
	snprintf(lb, sizeof(lb), "%lld", (long long)limit);
	snprintf(ob, sizeof(ob), "%lld", (long long)offset);
	return ent_instance_list(r->app->db, lb, ob, in, n);
}

static void
h_list(struct req *r)
{
	struct ent_instance *in;
	cJSON		*root, *arr;
	char		*sid, *lim, *off;
	int64_t		 v, limit = 100, offset = 0;
	int		 bad = 0, bad2 = 0, bad3 = 0;
	enum och_err	 err;
	size_t		 i, n;

	sid = req_query(r, "whmcs_service_id", &bad);
	lim = req_query(r, "limit", &bad2);
	off = req_query(r, "offset", &bad3);
	if (bad || bad2 || bad3 ||
	    (sid != NULL && !valid_int64(sid, 1, INT64_MAX, &v)) ||
	    (lim != NULL && !valid_int64(lim, 1, 500, &limit)) ||
	    (off != NULL && !valid_int64(off, 0, INT32_MAX, &offset))) {
		resp_error(r, OCH_EINVAL, sid != NULL || bad ?
		    "whmcs_service_id: must be a positive integer" :
		    "limit/offset: out of range");
		goto out;
	}
	if ((err = list_read(r, sid, limit, offset, &in, &n)) != OCH_OK) {
		resp_error(r, err, NULL);
		goto out;
	}
	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "instances");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, ent_instance_json(&in[i],
		    &r->app->cfg));
	ent_instance_free(in, n);
	resp_json(r, 200, root);
out:
	free(sid);
	free(lim);
	free(off);
}

static void
h_get(struct req *r)
{
	struct ent_instance *in = NULL;
	struct ent_event *ev = NULL;
	const char	*id = req_param(r, 0);
	enum och_err	 err = OCH_OK;
	size_t		 nev = 0;

	/* a session's read came with its check (get_read()) */
	if (ent_instance_adopt(auth_read(r), &in, &ev, &nev)) {
		if (in == NULL)
			resp_error(r, OCH_ENOTFOUND, "no such instance");
		else
			answer(r, 200, in, 1, ev, nev);
		ent_instance_free(in, 1);
		ent_event_free(ev, nev);
		return;
	}
	if (!auth_may_see(r, id, AUTH_SEE_RECORD, NULL, 0, &err)) {
		resp_error(r, err ? err : OCH_ENOTFOUND, err ? NULL :
		    "no such instance");
		return;
	}
	err = ent_instance_get(r->app->db, id, &in);
	if (err == OCH_OK && in == NULL)
		err = OCH_ENOTFOUND;
	if (err == OCH_OK)
		send_instance(r, 200, in, 1);
	else
		resp_error(r, err, err == OCH_ENOTFOUND ? "no such instance" :
		    NULL);
	ent_instance_free(in, 1);
}

/* inst_act()'s refusal answered and audited (why: its reason). */
static void
action_fail(struct req *r, const char *name, const char *id,
    enum och_err err, const char *why)
{
	switch (err) {
	case OCH_EUNPROCESSABLE:
		fail(r, name, id, err, "plan: unknown plan");
		break;
	case OCH_ENOTFOUND:
		fail(r, name, id, err, "no such instance");
		break;
	case OCH_ECONFLICT:
		fail(r, name, id, err, why);
		break;
	default:
		fail(r, name, id, err, NULL);
		break;
	}
}

/*
 * Record the intent of an action (inst_act(): checked against the current
 * state, in one transaction); 202 with the instance, 409 with the reason
 * otherwise.  Repeating an action already recorded is a no-op.
 */
static void
action(struct req *r, enum inst_act a)
{
	struct ent_instance *in;
	const char	*id = req_param(r, 0), *plan = NULL, *name;
	char		 why[160];
	enum och_err	 err;
	int		 changed;

	name = inst_act_name(a);
	if (!auth_may_see(r, id, AUTH_SEE_RECORD, NULL, 0, &err)) {
		fail(r, name, NULL, err ? err : OCH_ENOTFOUND, err ? NULL :
		    "no such instance");
		return;
	}
	if (a == INST_CHANGE_PLAN && (r->json == NULL ||
	    js_str(r->json, "plan", 32, &plan) != JS_OK)) {
		fail(r, name, id, OCH_EINVAL, "plan: required");
		return;
	}
	if ((err = inst_act(r->app->db, id, a, plan, r->auth.client_id,
	    &changed, why, sizeof(why))) != OCH_OK) {
		action_fail(r, name, id, err, why);
		return;
	}
	if ((err = ent_instance_get(r->app->db, id, &in)) != OCH_OK) {
		fail(r, name, id, err == OCH_ENOTFOUND ? OCH_EDB : err, NULL);
		return;
	}
	send_instance(r, 202, in, 0);
	ent_instance_free(in, 1);
	audit_req(r, name, "instance", id, 202,
	    changed ? NULL : "{\"repeat\":true}");
}

static void h_suspend(struct req *r) { action(r, INST_SUSPEND); }
static void h_unsuspend(struct req *r) { action(r, INST_UNSUSPEND); }
static void h_terminate(struct req *r) { action(r, INST_TERMINATE); }
static void h_change_plan(struct req *r) { action(r, INST_CHANGE_PLAN); }
static void h_reboot(struct req *r) { action(r, INST_REBOOT); }
static void h_rebuild(struct req *r) { action(r, INST_REBUILD); }

/*
 * The SSO body's whmcs_client_id (the client whose service asks, as the
 * module sends it) into cid as decimal text, "" when absent: 0, or -1
 * after a 400 answer (not a positive integer).
 */
static int
sso_client(struct req *r, const char *id, char *cid, size_t cidsz)
{
	enum js_res	 jr;
	int64_t		 v;

	cid[0] = '\0';
	if (r->json == NULL || (jr = js_int64(r->json, "whmcs_client_id", 1,
	    INT64_MAX, &v)) == JS_MISSING)
		return 0;
	if (jr != JS_OK) {
		fail(r, "instance.sso", id, OCH_EINVAL,
		    "whmcs_client_id: must be a positive integer");
		return -1;
	}
	snprintf(cid, cidsz, "%lld", (long long)v);
	return 0;
}

/*
 * POST /api/v1/instances/{id}/sso [{"whmcs_client_id": N}]: a single-use
 * login link for the instance's owner (a WHMCS client's user, never an
 * admin), valid 60 s, to the dashboard's sign-in page; with
 * whmcs_client_id, only when that client owns it (409 else: a service
 * WHMCS moved to another client keeps an instance whose account is the
 * first client's).  The token is only in the answer; the database keeps
 * its hash.
 */
static void
h_sso(struct req *r)
{
	const char	*id = req_param(r, 0);
	char		*tok = NULL, hash[65], *url, cid[24];
	cJSON		*o;
	enum och_err	 err;

	if (!valid_uuid(id)) {
		fail(r, "instance.sso", NULL, OCH_ENOTFOUND, "no such instance");
		return;
	}
	if (!auth_may_see(r, id, AUTH_SEE_LIVE, NULL, 0, &err)) {
		fail(r, "instance.sso", id, err ? err : OCH_ENOTFOUND, err ?
		    NULL : "no such instance");
		return;
	}
	if (sso_client(r, id, cid, sizeof(cid)) < 0)
		return;
	if ((tok = cry_token(32)) == NULL) {
		fail(r, "instance.sso", id, OCH_ESYSTEM, NULL);
		return;
	}
	cry_sha256_hex(tok, strlen(tok), hash);
	if ((err = ent_sso_add(r->app->db, id, hash, cid[0] ? cid : NULL)) !=
	    OCH_OK) {
		xfree_secret(tok);
		fail(r, "instance.sso", id, err, err != OCH_ECONFLICT ? NULL :
		    "whmcs_client_id: the instance belongs to another WHMCS "
		    "client (was the service moved? an operator must move the "
		    "instance too)");
		return;
	}
	/* the sign-in page; the token in the fragment reaches no server */
	url = xasprintf("%s/signin#sso=%s", cfg_str(&r->app->cfg,
	    CFG_DASHBOARD_URL, ""), tok);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "token", tok);
	cJSON_AddNumberToObject(o, "expires_in", 60);
	resp_json(r, 201, o);
	audit_req(r, "instance.sso", "instance", id, 201, NULL);
	xfree_secret(url);
	xfree_secret(tok);
}

static void
h_usage(struct req *r)
{
	const char	*p[1] = { req_param(r, 0) };
	cJSON		*o;
	enum och_err	 err;

	if (!valid_uuid(p[0])) {
		resp_error(r, OCH_ENOTFOUND, "no such instance");
		return;
	}
	if ((err = ent_view_one(r->app->db, &ent_v_instance_usage, 1, p,
	    &o)) != OCH_OK)
		resp_error(r, err, err == OCH_ENOTFOUND ? "no such instance" :
		    NULL);
	else
		resp_json(r, 200, o);
}

static void
h_plans(struct req *r)
{
	struct ent_plan	*pl;
	cJSON		*root, *arr;
	enum och_err	 err;
	size_t		 i, n;

	if ((err = ent_plan_active(r->app->db, &pl, &n)) != OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "plans");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, ent_plan_json(&pl[i]));
	ent_plan_free(pl, n);
	resp_json(r, 200, root);
}

static void
h_regions(struct req *r)
{
	cJSON		*arr, *root;
	enum och_err	 err;

	if ((err = ent_view_rows(r->app->db, &ent_v_regions, 0, NULL,
	    &arr)) != OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "regions", arr);
	resp_json(r, 200, root);
}

static void
h_ping(struct req *r)
{
	cJSON	*o;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "ok");
	cJSON_AddStringToObject(o, "client", r->auth.client_id);
	cJSON_AddStringToObject(o, "version", OCH_VERSION);
	resp_json(r, 200, o);
}

/* the routes: lib/routes.def */
static const struct route routes[] = { OCH_ROUTES_instances(SRV_ROUTE) };

/*
 * GET /api/v1/instances/{id} as a session: the session check's one
 * statement reads it, with its events, and writes its audit record
 * (routes.def AUDIT_READ)
 */
static int
get_read(struct req *r, struct db_batch_item *it, const char **p)
{
	const struct route *rt = &routes[r->slot];

	/* a bad id must not fail the statement: h_get answers it 404 */
	if (rt->fn != h_get || !valid_uuid(req_param(r, 0)))
		return 0;
	ent_instance_read(it, p, req_param(r, 0), rt->audit.action,
	    rt->audit.object_kind, r->remote, log_reqid());
	return 1;
}

static int
instances_init(struct app *app)
{
	app->session_read = get_read;
	return 0;
}

int
main(int argc, char **argv)
{
	static const enum cfg_key required[] = { CFG_DATABASE_URL,
	    CFG_OCH_MASTER_KEY, CFG__MAX };

	return srv_main(argc, argv, "instances", routes, OCH_NELEM(routes),
	    required, instances_init);
}
