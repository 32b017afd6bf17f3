/*
 * instances.fcgi: the WHMCS-facing instance API (DESIGN §4–§6).  Every
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
#include "ent.h"
#include "inst.h"
#include "js.h"
#include "log.h"
#include "srv.h"
#include "valid.h"
#include "valid.h"

/*
 * The WHMCS client's own user (DESIGN §5, principals never merge): found
 * or created by client id alone; the email is contact data and links to
 * no other row (an operator's or another client's with the same address).
 */
static const struct db_stmt stmt_user_of_client = { "ins_user_of_client",
	"INSERT INTO users (email, whmcs_client_id) VALUES ($1, $2::bigint)"
	" ON CONFLICT (whmcs_client_id) WHERE whmcs_client_id IS NOT NULL"
	" DO UPDATE SET updated_at = users.updated_at RETURNING id" };
static const struct db_stmt stmt_plan = { "ins_plan",
	"SELECT name FROM plans WHERE name = $1 AND active" };
static const struct db_stmt stmt_region = { "ins_region",
	"SELECT coalesce(alias_of, name) FROM regions WHERE name = $1 AND active" };
static const struct db_stmt stmt_create = { "ins_create",
	"INSERT INTO instances (slug, user_id, plan, region, whmcs_service_id,"
	" whmcs_client_id, openclaw_version)"
	" VALUES ($1, $2::bigint, $3, $4, $5::bigint, $6::bigint,"
	"  coalesce($7, (SELECT openclaw_version FROM plans WHERE name = $3), $8))"
	" ON CONFLICT (whmcs_service_id) DO NOTHING RETURNING id" };
static const struct db_stmt stmt_by_service = { "ins_by_service",
	"SELECT " INST_COLUMNS INST_FROM " WHERE i.whmcs_service_id = $1::bigint" };
static const struct db_stmt stmt_by_id = { "ins_by_id",
	"SELECT " INST_COLUMNS INST_FROM " WHERE i.id = $1::uuid" };
/* stmt_by_id for a session, ownership (auth_may_see()) in the statement */
static const struct db_stmt stmt_mine_by_id = { "ins_mine_by_id",
	"SELECT " INST_COLUMNS INST_FROM " WHERE i.id = $1::uuid"
	" AND (i.user_id = $2::bigint OR EXISTS (SELECT 1 FROM users a"
	"  WHERE a.id = $2::bigint AND a.role = 'admin'))" };
static const struct db_stmt stmt_list = { "ins_list",
	"SELECT " INST_COLUMNS INST_FROM
	" ORDER BY i.created_at, i.id LIMIT $1::integer OFFSET $2::integer" };
static const struct db_stmt stmt_events = { "ins_events",
	"SELECT kind, from_state, to_state, message,"
	" to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
	" FROM instance_events WHERE instance_id = $1::uuid"
	" ORDER BY id DESC LIMIT 20" };
static const struct db_stmt stmt_regions = { "ins_regions",
	"SELECT name, location, display_name FROM regions"
	" WHERE active AND alias_of IS NULL ORDER BY name" };
/* never for an admin (DESIGN §5): only a WHMCS client's own user */
static const struct db_stmt stmt_sso = { "ins_sso",
	"INSERT INTO sso_tokens (token_hash, user_id, instance_id, expires_at)"
	" SELECT $2, i.user_id, i.id, now() + interval '60 seconds'"
	" FROM instances i JOIN users u ON u.id = i.user_id"
	" WHERE i.id = $1::uuid AND u.role = 'customer'"
	" AND u.whmcs_client_id IS NOT NULL" };
static const struct db_stmt stmt_usage = { "ins_usage",
	"SELECT p.disk_gb * 1024,"
	" (SELECT (max(value) FILTER (WHERE series = 'disk_total')"
	"   - min(value) FILTER (WHERE series = 'disk_free')) / 1048576"
	"  FROM metrics m WHERE m.instance_id = i.id"
	"  AND m.at > now() - interval '1 hour'),"
	" (SELECT (max(value) - min(value)) / 1048576 FROM metrics m"
	"  WHERE m.instance_id = i.id AND series IN ('net_tx_bytes')"
	"  AND m.at > date_trunc('month', now()))"
	" FROM instances i JOIN plans p ON p.name = i.plan WHERE i.id = $1::uuid" };

/* Send one instance (row 0 of res) with its recent events. */
static void
send_instance(struct req *r, int status, const PGresult *res, int events)
{
	cJSON		*o, *arr, *e;
	PGresult	*ev;
	const char	*p[1];
	int		 i;

	o = inst_json(res, 0, &r->app->cfg);
	if (events) {
		p[0] = db_val(res, 0, INST_COL_ID);
		arr = cJSON_AddArrayToObject(o, "events");
		/* GET's session read brought them along (get_prefetch()) */
		if ((ev = auth_prefetched(r, 1)) != NULL ||
		    (ev = db_exec(r->app->db, &stmt_events, 1, p, NULL)) != NULL) {
			for (i = 0; i < PQntuples(ev); i++) {
				e = cJSON_CreateObject();
				cJSON_AddStringToObject(e, "kind", db_val(ev, i, 0));
				if (db_val(ev, i, 1))
					cJSON_AddStringToObject(e, "from", db_val(ev, i, 1));
				if (db_val(ev, i, 2))
					cJSON_AddStringToObject(e, "to", db_val(ev, i, 2));
				if (db_val(ev, i, 3))
					cJSON_AddStringToObject(e, "message", db_val(ev, i, 3));
				cJSON_AddStringToObject(e, "at", db_val(ev, i, 4));
				cJSON_AddItemToArray(arr, e);
			}
			PQclear(ev);
		}
	}
	resp_json(r, status, o);
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

/*
 * The user an order belongs to, inside the caller's transaction: the
 * WHMCS client's own (created if new).  Writes the user id into uid (24
 * bytes).  Returns OCH_OK or a database error.
 */
static enum och_err
resolve_user(struct db *db, const char *cid, const char *mail, char *uid)
{
	PGresult	*u;
	const char	*p[2] = { mail, cid };
	enum och_err	 err;

	if ((u = db_exec(db, &stmt_user_of_client, 2, p, &err)) == NULL)
		return err;
	snprintf(uid, 24, "%s", db_val(u, 0, 0));
	PQclear(u);
	return OCH_OK;
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
 * The order's plan and region exist: returns the canonical region name
 * (caller frees), or NULL answered and audited (422 for an unknown one,
 * the database error).
 */
static char *
order_catalog(struct req *r, const char *action, const struct order *o)
{
	PGresult	*res = NULL;
	const char	*p[1] = { o->plan };
	char		*region;
	enum och_err	 err = OCH_OK;

	if (!valid_name(o->plan) ||
	    (res = db_exec(r->app->db, &stmt_plan, 1, p, &err)) == NULL ||
	    PQntuples(res) != 1) {
		PQclear(res);
		if (err != OCH_OK)
			fail(r, action, NULL, err, NULL);
		else
			fail(r, action, NULL, OCH_EUNPROCESSABLE,
			    "plan: unknown plan");
		return NULL;
	}
	PQclear(res);
	res = NULL;
	p[0] = o->region;
	if (!valid_name(o->region) ||
	    (res = db_exec(r->app->db, &stmt_region, 1, p, &err)) == NULL ||
	    PQntuples(res) != 1) {
		PQclear(res);
		if (err != OCH_OK)
			fail(r, action, NULL, err, NULL);
		else
			fail(r, action, NULL, OCH_EUNPROCESSABLE,
			    "region: unknown region");
		return NULL;
	}
	region = xstrdup(db_val(res, 0, 0));
	PQclear(res);
	return region;
}

/*
 * Begin a transaction and insert the order's user (if new) and instance
 * with a fresh slug (again on a slug collision).  Returns the insert's
 * result with the transaction open: one row (the id), or none when a
 * concurrent order for the service won (rolled back then); NULL with
 * *err (rolled back).
 */
static PGresult *
order_insert(struct req *r, const struct order *o, const char *region,
    enum och_err *err)
{
	struct db	*db = r->app->db;
	PGresult	*res;
	const char	*p[8];
	char		 uid[24], *mail = lower(o->email), *hex, *slug = NULL;
	int		 try;

	/* a slug collision aborts the transaction: start it again */
	for (try = 0, res = NULL; res == NULL; try++) {
		if (db_begin(db) < 0) {
			*err = OCH_EDB;
			break;
		}
		if ((*err = resolve_user(db, o->cid, mail, uid)) != OCH_OK)
			break;
		if ((hex = cry_token(4)) == NULL) {
			*err = OCH_ESYSTEM;
			break;
		}
		free(slug);
		slug = xasprintf("oc-%s", hex);
		free(hex);
		p[0] = slug;
		p[1] = uid;
		p[2] = o->plan;
		p[3] = region;
		p[4] = o->sid;
		p[5] = o->cid;
		p[6] = o->version;
		p[7] = cfg_str(&r->app->cfg, CFG_OPENCLAW_VERSION, NULL);
		if ((res = db_exec(db, &stmt_create, 8, p, err)) == NULL &&
		    (*err != OCH_ECONFLICT || try == 4))
			break;
		if (res == NULL)
			db_rollback(db);
	}
	if (res == NULL)
		db_rollback(db);
	else if (PQntuples(res) == 0)
		db_rollback(db);
	free(mail);
	free(slug);
	return res;
}

/*
 * The instance of o's service when there is one (res: its stmt_by_id
 * row): 200 with it, or 409 when another WHMCS client ordered it.
 */
static void
order_existing(struct req *r, const char *action, const struct order *o,
    const PGresult *res)
{
	if (db_int(res, 0, INST_COL_WHMCS_CLIENT) != o->client) {
		fail(r, action, db_val(res, 0, INST_COL_ID), OCH_ECONFLICT,
		    "whmcs_service_id: already used by another WHMCS client");
		return;
	}
	send_instance(r, 200, res, 0);
	audit_req(r, action, "instance", db_val(res, 0, INST_COL_ID), 200,
	    "{\"repeat\":true}");
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
	struct order	 o;
	PGresult	*res;
	const char	*p[1];
	char		*region = NULL, *id = NULL;
	enum och_err	 err;

	if (order_input(r, action, &o) < 0)
		return;
	/* the same order again: the same instance, 200 */
	p[0] = o.sid;
	if ((res = db_exec(db, &stmt_by_service, 1, p, &err)) == NULL)
		goto dberr;
	if (PQntuples(res) == 1)
		goto existing;
	PQclear(res);
	if ((region = order_catalog(r, action, &o)) == NULL)
		return;
	if ((res = order_insert(r, &o, region, &err)) == NULL)
		goto dberr;
	if (PQntuples(res) == 0) {
		/* a concurrent request with the same service id won */
		PQclear(res);
		if ((res = db_exec(db, &stmt_by_service, 1, p, &err)) == NULL ||
		    PQntuples(res) != 1)
			goto dberr;
		goto existing;
	}
	id = xstrdup(db_val(res, 0, 0));
	PQclear(res);
	res = NULL;
	if ((err = order_record(r, &o, id)) != OCH_OK)
		goto dberr;
	p[0] = id;
	if ((res = db_exec(db, &stmt_by_id, 1, p, &err)) == NULL ||
	    PQntuples(res) != 1)
		goto dberr;
	log_info("instance created id=%s service=%s plan=%s region=%s", id,
	    o.sid, o.plan, region);
	send_instance(r, 201, res, 0);
	audit_req(r, action, "instance", id, 201, NULL);
	goto out;
existing:
	order_existing(r, action, &o, res);
	goto out;
dberr:
	fail(r, action, id, err == OCH_OK ? OCH_EDB : err, NULL);
out:
	PQclear(res);
	free(id);
	free(region);
}

static void
h_list(struct req *r)
{
	PGresult	*res;
	cJSON		*root, *arr;
	char		*sid, *lim, *off;
	const char	*p[2];
	int64_t		 v, limit = 100, offset = 0;
	int		 bad = 0, bad2 = 0, bad3 = 0, i;
	enum och_err	 err;

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
	if (sid != NULL) {
		p[0] = sid;
		res = db_exec(r->app->db, &stmt_by_service, 1, p, &err);
	} else {
		char	 lb[24], ob[24];

		snprintf(lb, sizeof(lb), "%lld", (long long)limit);
		snprintf(ob, sizeof(ob), "%lld", (long long)offset);
		p[0] = lb;
		p[1] = ob;
		res = db_exec(r->app->db, &stmt_list, 2, p, &err);
	}
	if (res == NULL) {
		resp_error(r, err, NULL);
		goto out;
	}
	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "instances");
	for (i = 0; i < PQntuples(res); i++)
		cJSON_AddItemToArray(arr, inst_json(res, i, &r->app->cfg));
	PQclear(res);
	resp_json(r, 200, root);
out:
	free(sid);
	free(lim);
	free(off);
}

static void
h_get(struct req *r)
{
	PGresult	*res;
	const char	*p[1] = { req_param(r, 0) };
	enum och_err	 err;

	/* a session's read came with its check (get_prefetch()) */
	res = auth_prefetched(r, 0);
	if (res == NULL && !auth_may_see(r, p[0], AUTH_SEE_RECORD, NULL, 0,
	    &err)) {
		resp_error(r, err ? err : OCH_ENOTFOUND, err ? NULL :
		    "no such instance");
		return;
	}
	if (res == NULL && (res = db_exec(r->app->db, &stmt_by_id, 1, p,
	    &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	if (PQntuples(res) == 0)
		resp_error(r, OCH_ENOTFOUND, "no such instance");
	else
		send_instance(r, 200, res, 1);
	PQclear(res);
}

/*
 * Record the intent of an action (inst_act(): checked against the current
 * state, in one transaction); 202 with the instance, 409 with the reason
 * otherwise.  Repeating an action already recorded is a no-op.
 */
static void
action(struct req *r, enum inst_act a)
{
	PGresult	*res;
	const char	*id = req_param(r, 0), *plan = NULL, *name, *p[1];
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
	err = inst_act(r->app->db, id, a, plan, r->auth.client_id, &changed,
	    why, sizeof(why));
	switch (err) {
	case OCH_OK:
		break;
	case OCH_EUNPROCESSABLE:
		fail(r, name, id, err, "plan: unknown plan");
		return;
	case OCH_ENOTFOUND:
		fail(r, name, id, err, "no such instance");
		return;
	case OCH_ECONFLICT:
		fail(r, name, id, err, why);
		return;
	default:
		fail(r, name, id, err, NULL);
		return;
	}
	p[0] = id;
	if ((res = db_exec(r->app->db, &stmt_by_id, 1, p, &err)) == NULL) {
		fail(r, name, id, err, NULL);
		return;
	}
	send_instance(r, 202, res, 0);
	PQclear(res);
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
 * POST /api/v1/instances/{id}/sso: a single-use login link for the
 * instance's owner (a WHMCS client's user, never an admin), valid 60 s
 * (DESIGN §5), to the dashboard's sign-in page.  The token is only in the
 * answer; the database keeps its hash.
 */
static void
h_sso(struct req *r)
{
	const char	*id = req_param(r, 0), *p[2];
	char		*tok = NULL, hash[65], *url;
	cJSON		*o;
	enum och_err	 err;
	long		 n = 0;

	if (!valid_uuid(id)) {
		fail(r, "instance.sso", NULL, OCH_ENOTFOUND, "no such instance");
		return;
	}
	p[0] = id;
	if (!auth_may_see(r, id, AUTH_SEE_LIVE, NULL, 0, &err)) {
		fail(r, "instance.sso", id, err ? err : OCH_ENOTFOUND, err ?
		    NULL : "no such instance");
		return;
	}
	if ((tok = cry_token(32)) == NULL) {
		fail(r, "instance.sso", id, OCH_ESYSTEM, NULL);
		return;
	}
	cry_sha256_hex(tok, strlen(tok), hash);
	p[1] = hash;
	if ((err = db_run(r->app->db, &stmt_sso, 2, p, &n)) != OCH_OK || n != 1) {
		xfree_secret(tok);
		fail(r, "instance.sso", id, err ? err : OCH_ENOTFOUND, NULL);
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
	PGresult	*res;
	const char	*p[1] = { req_param(r, 0) };
	cJSON		*o;
	enum och_err	 err;

	if (!valid_uuid(p[0])) {
		resp_error(r, OCH_ENOTFOUND, "no such instance");
		return;
	}
	if ((res = db_exec(r->app->db, &stmt_usage, 1, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		resp_error(r, OCH_ENOTFOUND, "no such instance");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "disk_limit_mb", (double)db_int(res, 0, 0));
	if (db_val(res, 0, 1))
		cJSON_AddNumberToObject(o, "disk_used_mb",
		    (double)db_int(res, 0, 1));
	else
		cJSON_AddNullToObject(o, "disk_used_mb");
	if (db_val(res, 0, 2))
		cJSON_AddNumberToObject(o, "bandwidth_used_mb",
		    (double)db_int(res, 0, 2));
	else
		cJSON_AddNullToObject(o, "bandwidth_used_mb");
	PQclear(res);
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
	PGresult	*res;
	cJSON		*root, *arr, *o;
	enum och_err	 err;
	int		 i;

	if ((res = db_exec(r->app->db, &stmt_regions, 0, NULL, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "regions");
	for (i = 0; i < PQntuples(res); i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", db_val(res, i, 0));
		cJSON_AddStringToObject(o, "location", db_val(res, i, 1));
		cJSON_AddStringToObject(o, "display_name", db_val(res, i, 2));
		cJSON_AddItemToArray(arr, o);
	}
	PQclear(res);
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

/* GET /api/v1/instances/{id} as a session: one round trip with the check */
static size_t
get_prefetch(struct req *r, const char *uid, struct db_batch_item *it,
    const char **p)
{
	/* a bad id must not fail the batch: h_get answers it 404 */
	if (routes[r->slot].fn != h_get || !valid_uuid(req_param(r, 0)))
		return 0;
	p[0] = req_param(r, 0);
	p[1] = uid;
	it[0].stmt = &stmt_mine_by_id;
	it[0].n = 2;
	it[0].params = p;
	/* send_instance()'s events; thrown away unless the row is there */
	it[1].stmt = &stmt_events;
	it[1].n = 1;
	it[1].params = p;
	return 2;
}

static int
instances_init(struct app *app)
{
	app->prefetch = get_prefetch;
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
