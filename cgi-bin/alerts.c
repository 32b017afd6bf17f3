/*
 * alerts.fcgi: the alerts the poller opened and resolved (lib/alert.h),
 * and the customer's choice of alert emails.
 *
 *   GET /api/v1/instances/{id}/alerts?state=open|all&limit=50
 *       one instance's alerts, newest first (session owner or admin, or
 *       HMAC; any other instance is 404)
 *   GET /api/v1/alerts?state=open|all&limit=50
 *       the alerts of every instance of the session's user
 *   GET /api/v1/alerts/preferences
 *   PUT /api/v1/alerts/preferences   {"<condition>": true|false, ...}
 *       which conditions email the session's user (default: all)
 *   GET /api/v1/admin/alerts?state=open|all&condition=&limit=100
 *       every alert, the operators' conditions included (admin)
 *
 * Customers see the conditions that concern them (audience customer or
 * both); only admins see the operators' ones.  Pending alerts (seen but
 * not yet held for their hold time) are nobody's business: not shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "audit.h"
#include "auth.h"
#include "inst.h"
#include "srv.h"

#define ALERT_COLS \
	"a.id, a.condition, a.severity, a.audience, a.subject," \
	" a.instance_id, i.slug, a.detail," \
	" to_char(a.opened_at AT TIME ZONE 'UTC'," \
	"  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')," \
	" to_char(a.resolved_at AT TIME ZONE 'UTC'," \
	"  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')" \
	" FROM alerts a LEFT JOIN instances i ON i.id = a.instance_id"
#define ALERT_SHOWN " a.opened_at IS NOT NULL AND ($2 = 'all'" \
	" OR a.resolved_at IS NULL)"

static const struct db_stmt stmt_instance = { "alr_instance",
	"SELECT " ALERT_COLS " WHERE a.instance_id = $1::uuid AND" ALERT_SHOWN
	" AND ($4::boolean OR a.audience IN ('customer', 'both'))"
	" ORDER BY a.id DESC LIMIT $3::int" };
static const struct db_stmt stmt_user = { "alr_user",
	"SELECT " ALERT_COLS " WHERE i.user_id = $1::bigint AND" ALERT_SHOWN
	" AND a.audience IN ('customer', 'both')"
	" ORDER BY a.id DESC LIMIT $3::int" };
static const struct db_stmt stmt_admin = { "alr_admin",
	"SELECT " ALERT_COLS " WHERE ($1::text IS NULL OR a.condition = $1)"
	" AND" ALERT_SHOWN " ORDER BY a.id DESC LIMIT $3::int" };
static const struct db_stmt stmt_prefs = { "alr_prefs",
	"SELECT condition, email FROM alert_preferences WHERE user_id = $1" };
static const struct db_stmt stmt_pref_set = { "alr_pref_set",
	"INSERT INTO alert_preferences (user_id, condition, email)"
	" VALUES ($1, $2, $3::boolean) ON CONFLICT (user_id, condition)"
	" DO UPDATE SET email = EXCLUDED.email, updated_at = now()" };

/* A condition customers may see and mute. */
static int
for_customers(const struct alert_cond_info *c)
{
	return c != NULL && strcmp(c->audience, "admin") != 0;
}

/*
 * Read state (open|all, default all) and limit (1..max, default dflt)
 * into the buffers.  Returns 0, or -1 after a 400.
 */
static int
list_args(struct req *r, char *state, size_t ssz, char *lim, size_t lsz,
    long dflt, long max)
{
	char	*s, *l, *end;
	long	 n = dflt;
	int	 bad = 0, ok = 1;

	s = req_query(r, "state", &bad);
	if (bad || (s != NULL && strcmp(s, "open") != 0 &&
	    strcmp(s, "all") != 0))
		ok = 0;
	snprintf(state, ssz, "%s", s != NULL ? s : "all");
	free(s);
	l = req_query(r, "limit", &bad);
	if (bad)
		ok = 0;
	else if (l != NULL) {
		n = strtol(l, &end, 10);
		if (*l == '\0' || *end != '\0' || n < 1 || n > max)
			ok = 0;
	}
	free(l);
	snprintf(lim, lsz, "%ld", n);
	if (!ok)
		resp_errorf(r, OCH_EINVAL, "state must be open or all, limit "
		    "1..%ld", max);
	return ok ? 0 : -1;
}

/* Answer {"alerts": [...]} from a result of ALERT_COLS. */
static void
answer(struct req *r, PGresult *res)
{
	const struct alert_cond_info *c;
	cJSON		*root, *arr, *o;
	const char	*v;
	char		*host;
	int		 i;

	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "alerts");
	for (i = 0; i < PQntuples(res); i++) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)db_int(res, i, 0));
		cJSON_AddStringToObject(o, "condition", db_val(res, i, 1));
		c = alert_cond_find(db_val(res, i, 1));
		cJSON_AddStringToObject(o, "title", c != NULL ? c->title :
		    db_val(res, i, 1));
		cJSON_AddStringToObject(o, "severity", db_val(res, i, 2));
		cJSON_AddStringToObject(o, "audience", db_val(res, i, 3));
		cJSON_AddStringToObject(o, "subject", db_val(res, i, 4));
		if ((v = db_val(res, i, 5)) != NULL) {
			cJSON_AddStringToObject(o, "instance_id", v);
			host = inst_hostname(db_val(res, i, 6), &r->app->cfg);
			cJSON_AddStringToObject(o, "hostname", host);
			free(host);
		} else {
			cJSON_AddNullToObject(o, "instance_id");
			cJSON_AddNullToObject(o, "hostname");
		}
		cJSON_AddStringToObject(o, "detail", db_val(res, i, 7));
		cJSON_AddStringToObject(o, "opened_at", db_val(res, i, 8));
		if ((v = db_val(res, i, 9)) != NULL)
			cJSON_AddStringToObject(o, "resolved_at", v);
		else
			cJSON_AddNullToObject(o, "resolved_at");
		cJSON_AddStringToObject(o, "state", v != NULL ? "resolved" :
		    "open");
		cJSON_AddItemToArray(arr, o);
	}
	resp_json(r, 200, root);
}

static void
run_list(struct req *r, const struct db_stmt *st, int n, const char **p)
{
	PGresult	*res;
	enum och_err	 err;

	if ((res = db_exec(r->app->db, st, n, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	answer(r, res);
	PQclear(res);
}

static void
h_instance(struct req *r)
{
	const char	*id = req_param(r, 0), *p[4];
	char		 state[8], lim[16];
	enum och_err	 err;

	if (!auth_may_see(r, id, AUTH_SEE_RECORD, NULL, 0, &err)) {
		resp_error(r, err != OCH_OK ? err : OCH_ENOTFOUND,
		    err != OCH_OK ? NULL : "no such instance");
		return;
	}
	if (list_args(r, state, sizeof(state), lim, sizeof(lim), 50, 500) < 0)
		return;
	p[0] = id;
	p[1] = state;
	p[2] = lim;
	/* the billing system and admins see the operators' conditions */
	p[3] = r->auth.kind == AUTH_HMAC || r->auth.is_admin ? "true" :
	    "false";
	run_list(r, &stmt_instance, 4, p);
}

static void
h_mine(struct req *r)
{
	const char	*p[3];
	char		 uid[24], state[8], lim[16];

	if (list_args(r, state, sizeof(state), lim, sizeof(lim), 50, 500) < 0)
		return;
	snprintf(uid, sizeof(uid), "%lld", (long long)r->auth.user_id);
	p[0] = uid;
	p[1] = state;
	p[2] = lim;
	run_list(r, &stmt_user, 3, p);
}

static void
h_admin(struct req *r)
{
	const char	*p[3];
	char		 state[8], lim[16], *cond;
	int		 bad = 0;

	if (list_args(r, state, sizeof(state), lim, sizeof(lim), 100,
	    1000) < 0)
		return;
	cond = req_query(r, "condition", &bad);
	if (bad || (cond != NULL && alert_cond_find(cond) == NULL)) {
		free(cond);
		resp_error(r, OCH_EINVAL, "unknown condition");
		return;
	}
	p[0] = cond;
	p[1] = state;
	p[2] = lim;
	run_list(r, &stmt_admin, 3, p);
	free(cond);
}

/* Answer the user's preferences: every condition they may mute. */
static void
prefs_answer(struct req *r, const char *uid)
{
	const struct alert_cond_info *c;
	PGresult	*res;
	cJSON		*root, *arr, *o;
	const char	*p[1] = { uid };
	size_t		 i;
	int		 j, email;
	enum och_err	 err;

	if ((res = db_exec(r->app->db, &stmt_prefs, 1, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "conditions");
	for (i = 0; i < alert_ncond(); i++) {
		if (!for_customers(c = alert_cond(i)))
			continue;
		email = 1;
		for (j = 0; j < PQntuples(res); j++)
			if (strcmp(db_val(res, j, 0), c->name) == 0)
				email = strcmp(db_val(res, j, 1), "t") == 0;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "condition", c->name);
		cJSON_AddStringToObject(o, "title", c->title);
		cJSON_AddStringToObject(o, "severity", c->severity);
		cJSON_AddBoolToObject(o, "email", email);
		cJSON_AddItemToArray(arr, o);
	}
	PQclear(res);
	resp_json(r, 200, root);
}

static void
h_prefs(struct req *r)
{
	char	 uid[24];

	snprintf(uid, sizeof(uid), "%lld", (long long)r->auth.user_id);
	prefs_answer(r, uid);
}

static void
h_prefs_put(struct req *r)
{
	const cJSON	*it;
	const char	*p[3];
	char		 uid[24];
	enum och_err	 err;

	if (r->json == NULL || cJSON_GetArraySize(r->json) == 0) {
		resp_error(r, OCH_EINVAL, "expected {\"<condition>\": true|"
		    "false, ...}");
		return;
	}
	cJSON_ArrayForEach(it, r->json) {
		if (!for_customers(alert_cond_find(it->string))) {
			resp_errorf(r, OCH_EINVAL, "unknown condition");
			return;
		}
		if (!cJSON_IsBool(it)) {
			resp_errorf(r, OCH_EINVAL, "%s must be true or false",
			    it->string);
			return;
		}
	}
	snprintf(uid, sizeof(uid), "%lld", (long long)r->auth.user_id);
	if (db_begin(r->app->db) < 0) {
		resp_error(r, OCH_EDB, NULL);
		return;
	}
	cJSON_ArrayForEach(it, r->json) {
		p[0] = uid;
		p[1] = it->string;
		p[2] = cJSON_IsTrue(it) ? "true" : "false";
		if ((err = db_run(r->app->db, &stmt_pref_set, 3, p, NULL)) !=
		    OCH_OK) {
			db_rollback(r->app->db);
			resp_error(r, err, NULL);
			return;
		}
	}
	if (db_commit(r->app->db) < 0) {
		resp_error(r, OCH_EDB, NULL);
		return;
	}
	audit_req(r, "alerts.preferences", "user", uid, 200, r->body);
	prefs_answer(r, uid);
}

/* the routes: lib/routes.def */
static const struct route routes[] = { OCH_ROUTES_alerts(SRV_ROUTE) };

int
main(int argc, char **argv)
{
	return srv_main(argc, argv, "alerts", routes, OCH_NELEM(routes),
	    NULL, NULL);
}
