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
#include "ent_alert.h"
#include "srv.h"

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

/* Answer {"alerts": [...]}: ent_alert_list()'s of scope and key. */
static void
run_list(struct req *r, enum ent_alert_scope scope, const char *key,
    const char *state, const char *lim, int every)
{
	struct ent_alert *a;
	cJSON		*root, *arr;
	enum och_err	 err;
	size_t		 i, n;

	if ((err = ent_alert_list(r->app->db, scope, key, state, lim, every,
	    &a, &n)) != OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "alerts");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, ent_alert_json(&a[i], &r->app->cfg));
	ent_alert_free(a, n);
	resp_json(r, 200, root);
}

static void
h_instance(struct req *r)
{
	const char	*id = req_param(r, 0);
	char		 state[8], lim[16];
	enum och_err	 err;

	if (!auth_may_see(r, id, AUTH_SEE_RECORD, NULL, 0, &err)) {
		resp_error(r, err != OCH_OK ? err : OCH_ENOTFOUND,
		    err != OCH_OK ? NULL : "no such instance");
		return;
	}
	if (list_args(r, state, sizeof(state), lim, sizeof(lim), 50, 500) < 0)
		return;
	/* the billing system and admins see the operators' conditions */
	run_list(r, ENT_ALERT_INSTANCE, id, state, lim,
	    r->auth.kind == AUTH_HMAC || r->auth.is_admin);
}

static void
h_mine(struct req *r)
{
	char		 uid[24], state[8], lim[16];

	if (list_args(r, state, sizeof(state), lim, sizeof(lim), 50, 500) < 0)
		return;
	snprintf(uid, sizeof(uid), "%lld", (long long)r->auth.user_id);
	run_list(r, ENT_ALERT_USER, uid, state, lim, 0);
}

static void
h_admin(struct req *r)
{
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
	run_list(r, ENT_ALERT_ALL, cond, state, lim, 1);
	free(cond);
}

/* Answer the user's preferences: every condition they may mute. */
static void
prefs_answer(struct req *r, const char *uid)
{
	const struct alert_cond_info *c;
	struct ent_alert_pref *pr;
	cJSON		*root, *arr, *o;
	size_t		 i, n;
	enum och_err	 err;

	if ((err = ent_alert_prefs(r->app->db, uid, &pr, &n)) != OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "conditions");
	for (i = 0; i < alert_ncond(); i++) {
		if (!for_customers(c = alert_cond(i)))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "condition", c->name);
		cJSON_AddStringToObject(o, "title", c->title);
		cJSON_AddStringToObject(o, "severity", c->severity);
		cJSON_AddBoolToObject(o, "email",
		    ent_alert_pref_email(pr, n, c->name));
		cJSON_AddItemToArray(arr, o);
	}
	ent_alert_pref_free(pr, n);
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
		if ((err = ent_alert_pref_set(r->app->db, uid, it->string,
		    cJSON_IsTrue(it))) != OCH_OK) {
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
