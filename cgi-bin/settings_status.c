/*
 * settings_status.c: what the dashboard shows about an instance, told
 * honestly, and what its owner may do about it (settings.h).
 *
 *   GET  /api/v1/instances/{id}/status   phase, setup, TLS, gateway health,
 *        running version, channels, skills, devices, model, last report
 *   PUT  /api/v1/instances/{id}/model    {primary, fallbacks[]}
 *   POST /api/v1/instances/{id}/retry    a failed setup: rebuild the server
 *
 * phase (one of):
 *   setting_up           the server is being created or is booting
 *   waiting_for_server   the control plane has no report from its agent yet
 *   not_reporting        the agent's last report is older than 3 minutes
 *   gateway_not_ready    reports arrive, but OpenClaw's /readyz is not 200
 *   running              the last report says the gateway is ready
 *   error                failed (last_error says why)
 *   suspended, terminating, ...   the lifecycle state itself
 * "warnings" lists what is wrong on a running server: a self-signed
 * certificate, a config the VPS refused, skills that failed to install,
 * channels that report an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "inst.h"
#include "js.h"
#include "log.h"
#include "recon.h"
#include "settings.h"
#include "valid.h"

#define REPORT_STALE_SECONDS	180
#define FALLBACKS_MAX		5

static const struct db_stmt stmt_status = { "sts_status",
	"SELECT i.state, i.last_error, i.setup_state::text, i.model_primary,"
	" array_to_json(i.model_fallbacks)::text, i.failed_state,"
	" i.pending_action, i.config_revision,"
	" to_char(a.reported_at AT TIME ZONE 'UTC',"
	"  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	" extract(epoch FROM now() - a.reported_at)::bigint,"
	" a.health::text, a.version, a.config_revision, a.config_error,"
	" a.channels::text, a.setup::text, a.tls::text, a.skills::text,"
	" a.devices::text, a.reported_at IS NOT NULL, a.models::text"
	" FROM instances i LEFT JOIN agent_reports a ON a.instance_id = i.id"
	" WHERE i.id = $1::uuid" };
/* the first of the models ($2, a JSON array) the instance's OpenClaw
 * does not offer, when its agent reported what it offers */
static const struct db_stmt stmt_unoffered = { "sts_unoffered",
	"SELECT m FROM json_array_elements_text($2::json) m"
	" WHERE EXISTS (SELECT 1 FROM agent_reports a"
	"  WHERE a.instance_id = $1::uuid AND a.models IS NOT NULL"
	"  AND NOT a.models ? m) LIMIT 1" };
static const struct db_stmt stmt_model = { "sts_model",
	"UPDATE instances SET model_primary = nullif($2, ''),"
	" model_fallbacks = ARRAY(SELECT json_array_elements_text($3::json))"
	" WHERE id = $1::uuid" };

/* Row 0 of stmt_status: failed by its own setup (retry = rebuild)? */
static int
setup_retry_ok(const PGresult *res)
{
	return strcmp(db_val(res, 0, 0), "failed") == 0 &&
	    db_val(res, 0, 5) != NULL && strcmp(db_val(res, 0, 5), "active") ==
	    0 && db_val(res, 0, 6) != NULL && strcmp(db_val(res, 0, 6),
	    "rebuild") == 0;
}

static PGresult *status_row(struct req *);

char *
st_visible(struct req *r)
{
	char		 st[32];
	enum och_err	 err;

	if (!auth_may_see(r, req_param(r, 0), AUTH_SEE_LIVE, st, sizeof(st),
	    &err)) {
		resp_error(r, err != OCH_OK ? err : OCH_ENOTFOUND,
		    err != OCH_OK ? NULL : "no such instance");
		return NULL;
	}
	return xstrdup(st);
}

/*
 * stmt_status's row for the instance in the path, after the access
 * check; NULL after the answer (404 or the database error).
 */
static PGresult *
status_row(struct req *r)
{
	PGresult	*res;
	const char	*p[1] = { req_param(r, 0) };
	enum och_err	 err;
	char		*st;

	if ((st = st_visible(r)) == NULL)
		return NULL;
	free(st);
	if ((res = db_exec(r->app->db, &stmt_status, 1, p, &err)) == NULL)
		resp_error(r, err, NULL);
	return res;
}

/* Parsed JSON of a column, or JSON null. */
static cJSON *
col_json(const PGresult *res, int col)
{
	cJSON	*v = NULL;

	if (db_val(res, 0, col) != NULL)
		v = cJSON_Parse(db_val(res, 0, col));
	return v != NULL ? v : cJSON_CreateNull();
}

static void
warn(cJSON *w, const char *code, const char *msg)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "code", code);
	cJSON_AddStringToObject(o, "message", msg);
	cJSON_AddItemToArray(w, o);
}

/*
 * `openclaw channels status --json` (an object with channelAccounts, as
 * 2026.9.6 prints it) as [{kind, account, state, error}]: state is
 * connected, running, not_running, error or configured.
 */
static cJSON *
channel_states(const cJSON *st, cJSON *warnings)
{
	const cJSON	*accts, *kind, *a, *v;
	const char	*state, *err;
	cJSON		*out = cJSON_CreateArray(), *o;
	char		*m;

	accts = cJSON_GetObjectItemCaseSensitive(st, "channelAccounts");
	cJSON_ArrayForEach(kind, accts) {
		if (!cJSON_IsArray(kind) || kind->string == NULL)
			continue;
		cJSON_ArrayForEach(a, kind) {
			err = NULL;
			v = cJSON_GetObjectItemCaseSensitive(a, "lastError");
			if (cJSON_IsString(v) && v->valuestring[0] != '\0')
				err = v->valuestring;
			if (err != NULL)
				state = "error";
			else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			    a, "connected")))
				state = "connected";
			else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			    a, "running")))
				state = "running";
			else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			    a, "configured")))
				state = "not_running";
			else
				state = "configured";
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "kind", kind->string);
			v = cJSON_GetObjectItemCaseSensitive(a, "accountId");
			cJSON_AddStringToObject(o, "account", cJSON_IsString(v) ?
			    v->valuestring : "default");
			cJSON_AddStringToObject(o, "state", state);
			if (err != NULL) {
				cJSON_AddStringToObject(o, "error", err);
				m = xasprintf("%s: %.300s", kind->string, err);
				warn(warnings, "channel_error", m);
				free(m);
			} else
				cJSON_AddNullToObject(o, "error");
			cJSON_AddItemToArray(out, o);
		}
	}
	return out;
}

/* Row 0 of stmt_status: {primary, fallbacks, available}, available being
 * the models the agent reported the instance offers (null: not yet). */
static cJSON *
model_json(const PGresult *res)
{
	cJSON	*v = cJSON_CreateObject(), *e;

	if (db_val(res, 0, 3) != NULL)
		cJSON_AddStringToObject(v, "primary", db_val(res, 0, 3));
	else
		cJSON_AddNullToObject(v, "primary");
	e = db_val(res, 0, 4) ? cJSON_Parse(db_val(res, 0, 4)) : NULL;
	cJSON_AddItemToObject(v, "fallbacks", e ? e : cJSON_CreateArray());
	cJSON_AddItemToObject(v, "available", col_json(res, 20));
	return v;
}

void
st_status(struct req *r)
{
	PGresult	*res;
	const char	*state, *phase;
	cJSON		*o, *w, *health, *tls, *skills, *setup, *v, *e;
	char		*m;
	int		 reported;
	int64_t		 age;

	if ((res = status_row(r)) == NULL)
		return;
	state = db_val(res, 0, 0);
	reported = strcmp(db_val(res, 0, 19), "t") == 0;
	age = reported ? db_int(res, 0, 9) : 0;
	health = col_json(res, 10);
	o = cJSON_CreateObject();
	w = cJSON_CreateArray();
	if (strcmp(state, "failed") == 0)
		phase = "error";
	else if (strcmp(state, "pending") == 0 ||
	    strcmp(state, "creating") == 0 || strcmp(state, "booting") == 0 ||
	    strcmp(state, "rebuilding") == 0)
		phase = "setting_up";
	else if (strcmp(state, "active") != 0)
		phase = state;
	else if (!reported)
		phase = "waiting_for_server";
	else if (age > REPORT_STALE_SECONDS)
		phase = "not_reporting";
	else if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(health,
	    "ready")))
		phase = "gateway_not_ready";
	else
		phase = "running";
	cJSON_AddStringToObject(o, "state", state);
	cJSON_AddStringToObject(o, "phase", phase);
	if (db_val(res, 0, 1) != NULL)
		cJSON_AddStringToObject(o, "error", db_val(res, 0, 1));
	else
		cJSON_AddNullToObject(o, "error");
	cJSON_AddBoolToObject(o, "retry_allowed", setup_retry_ok(res));
	/* the report's setup, else what the ready call said */
	setup = col_json(res, 15);
	if (cJSON_IsNull(setup)) {
		cJSON_Delete(setup);
		setup = col_json(res, 2);
	}
	cJSON_AddItemToObject(o, "setup", setup);
	tls = col_json(res, 16);
	cJSON_AddItemToObject(o, "tls", tls);
	v = cJSON_GetObjectItemCaseSensitive(tls, "mode");
	if (cJSON_IsString(v) && strcmp(v->valuestring, "self-signed") == 0) {
		e = cJSON_GetObjectItemCaseSensitive(tls, "error");
		m = xasprintf("the certificate is still self-signed (%s)",
		    cJSON_IsString(e) ? e->valuestring : "not issued yet");
		warn(w, "tls_self_signed", m);
		free(m);
	}
	cJSON_AddItemToObject(o, "health", health);
	if (db_val(res, 0, 11) != NULL)
		cJSON_AddStringToObject(o, "openclaw_version", db_val(res, 0, 11));
	else
		cJSON_AddNullToObject(o, "openclaw_version");
	cJSON_AddNumberToObject(o, "config_revision", (double)db_int(res, 0, 7));
	if (db_val(res, 0, 12) != NULL)
		cJSON_AddNumberToObject(o, "applied_revision",
		    (double)db_int(res, 0, 12));
	else
		cJSON_AddNullToObject(o, "applied_revision");
	if (db_val(res, 0, 13) != NULL) {
		cJSON_AddStringToObject(o, "config_error", db_val(res, 0, 13));
		warn(w, "config_refused", db_val(res, 0, 13));
	} else
		cJSON_AddNullToObject(o, "config_error");
	v = col_json(res, 14);
	cJSON_AddItemToObject(o, "channels", channel_states(v, w));
	cJSON_Delete(v);
	skills = col_json(res, 17);
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(skills,
	    "errors"))
		if (cJSON_IsString(v))
			warn(w, "skill_failed", v->valuestring);
	cJSON_AddItemToObject(o, "skills", skills);
	cJSON_AddItemToObject(o, "devices", col_json(res, 18));
	cJSON_AddItemToObject(o, "model", model_json(res));
	if (reported) {
		cJSON_AddStringToObject(o, "reported_at", db_val(res, 0, 8));
		cJSON_AddNumberToObject(o, "report_age_seconds", (double)age);
	} else {
		cJSON_AddNullToObject(o, "reported_at");
		cJSON_AddNullToObject(o, "report_age_seconds");
	}
	cJSON_AddItemToObject(o, "warnings", w);
	PQclear(res);
	resp_json(r, 200, o);
}

/* provider/model as the schema's CHECK has it. */
static int
model_ok(const char *s)
{
	const char	*sl = strchr(s, '/');
	size_t		 a, b;

	if (sl == NULL)
		return 0;
	a = (size_t)(sl - s);
	b = strlen(sl + 1);
	return a >= 1 && a <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789-") == a && b >= 1 && b <= 100 && strspn(sl + 1,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	    "._:-") == b;
}

/*
 * The body's fallbacks (at most FALLBACKS_MAX models other than the
 * primary prim, none without one) as a new array (caller deletes), or
 * NULL answered (400).
 */
static cJSON *
fallbacks(struct req *r, const char *prim)
{
	const cJSON	*fb, *v;
	cJSON		*arr;

	fb = cJSON_GetObjectItemCaseSensitive(r->json, "fallbacks");
	if (fb != NULL && (!cJSON_IsArray(fb) ||
	    cJSON_GetArraySize(fb) > FALLBACKS_MAX)) {
		resp_error(r, OCH_EINVAL, "fallbacks: at most 5 "
		    "\"provider/model\" names");
		return NULL;
	}
	arr = cJSON_CreateArray();
	cJSON_ArrayForEach(v, fb) {
		if (!cJSON_IsString(v) || !model_ok(v->valuestring) ||
		    (prim != NULL && strcmp(v->valuestring, prim) == 0)) {
			cJSON_Delete(arr);
			resp_error(r, OCH_EINVAL, "fallbacks: \"provider/model\" "
			    "names other than the primary");
			return NULL;
		}
		cJSON_AddItemToArray(arr, cJSON_CreateString(v->valuestring));
	}
	if (prim == NULL && cJSON_GetArraySize(arr) > 0) {
		cJSON_Delete(arr);
		resp_error(r, OCH_EINVAL, "fallbacks need a primary model");
		return NULL;
	}
	return arr;
}

/*
 * Are the primary prim (or NULL) and the fallbacks arr all models the
 * instance's OpenClaw offers (when its agent reported them)?  0 if so;
 * -1 answered: 400 naming the first that is not, or the database error.
 */
static int
offered(struct req *r, const char *id, const char *prim, const cJSON *arr)
{
	cJSON		*all = cJSON_Duplicate(arr, 1);
	PGresult	*res;
	const char	*p[2];
	char		*s;
	enum och_err	 err;

	if (prim != NULL)
		cJSON_AddItemToArray(all, cJSON_CreateString(prim));
	s = cJSON_PrintUnformatted(all);
	cJSON_Delete(all);
	p[0] = id;
	p[1] = s;
	res = db_exec(r->app->db, &stmt_unoffered, 2, p, &err);
	cJSON_free(s);
	if (res == NULL) {
		resp_error(r, err, NULL);
		return -1;
	}
	if (PQntuples(res) == 1) {
		s = xasprintf("%s: not a model this instance's OpenClaw offers "
		    "(status: model.available)", db_val(res, 0, 0));
		resp_error(r, OCH_EINVAL, s);
		free(s);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

void
st_model_put(struct req *r)
{
	const char	*prim = NULL, *p[3];
	cJSON		*arr;
	char		*st, *s;
	enum och_err	 err;
	enum js_res	 jr;

	if ((st = st_visible(r)) == NULL)
		return;
	free(st);
	if (r->json == NULL) {
		resp_error(r, OCH_EINVAL, "a JSON body is required");
		return;
	}
	jr = js_str(r->json, "primary", 140, &prim);
	if (jr != JS_OK && !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
	    r->json, "primary"))) {
		resp_error(r, OCH_EINVAL, "primary: \"provider/model\" or null");
		return;
	}
	if (jr == JS_OK && !model_ok(prim)) {
		resp_error(r, OCH_EINVAL, "primary: \"provider/model\", e.g. "
		    "\"anthropic/claude-sonnet-4-5\"");
		return;
	}
	if ((arr = fallbacks(r, prim)) == NULL)
		return;
	p[0] = req_param(r, 0);
	if (offered(r, p[0], prim, arr) != 0) {
		cJSON_Delete(arr);
		return;
	}
	s = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	p[1] = prim != NULL ? prim : "";
	p[2] = s;
	/* the schema's trigger bumps the config revision: the agent applies */
	err = db_run(r->app->db, &stmt_model, 3, p, NULL);
	cJSON_free(s);
	if (err != OCH_OK)
		resp_error(r, err, NULL);
	else
		resp_empty(r, 204);
}

void
st_retry(struct req *r)
{
	PGresult	*res;
	const char	*p[1] = { req_param(r, 0) };
	char		 state[32], who[32];
	enum och_err	 err;
	int		 ok;

	/* only a failed setup: other failures need an operator */
	if ((res = status_row(r)) == NULL)
		return;
	ok = setup_retry_ok(res);
	PQclear(res);
	if (!ok) {
		resp_error(r, OCH_ECONFLICT, "only an instance whose server "
		    "setup failed can be retried here; support has been told "
		    "about other failures");
		return;
	}
	snprintf(who, sizeof(who), "user:%lld", (long long)r->auth.user_id);
	if ((err = recon_retry(r->app->db, p[0], who, state, sizeof(state))) !=
	    OCH_OK)
		resp_error(r, err, NULL);
	else {
		cJSON	*o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "state", state);
		cJSON_AddStringToObject(o, "pending_action", "rebuild");
		resp_json(r, 202, o);
	}
}
