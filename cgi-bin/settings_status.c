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
#include "ent_status.h"
#include "inst.h"
#include "js.h"
#include "log.h"
#include "recon.h"
#include "settings.h"
#include "valid.h"

#define REPORT_STALE_SECONDS	180
#define FALLBACKS_MAX		5

/* failed by its own setup (retry = rebuild)? */
static int
setup_retry_ok(const struct ent_status *s)
{
	return strcmp(s->state, "failed") == 0 && s->failed_state != NULL &&
	    strcmp(s->failed_state, "active") == 0 &&
	    s->pending_action != NULL && strcmp(s->pending_action,
	    "rebuild") == 0;
}

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
 * The status of the instance in the path, after the access check
 * (caller frees with ent_status_free()); NULL after the answer (404 or
 * the database error).
 */
static struct ent_status *
status_of(struct req *r)
{
	struct ent_status	*s;
	enum och_err		 err;
	char			*st;

	if ((st = st_visible(r)) == NULL)
		return NULL;
	free(st);
	if ((err = ent_status_of(r->app->db, req_param(r, 0), &s)) != OCH_OK)
		resp_error(r, err, err == OCH_ENOTFOUND ? "no such instance" :
		    NULL);
	return s;
}

/* Parsed JSON text, or JSON null. */
static cJSON *
col_json(const char *text)
{
	cJSON	*v = NULL;

	if (text != NULL)
		v = cJSON_Parse(text);
	return v != NULL ? v : cJSON_CreateNull();
}

/* A string member, null when NULL. */
static void
add_str(cJSON *o, const char *name, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, name, v);
	else
		cJSON_AddNullToObject(o, name);
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

/* {primary, fallbacks, available}, available being the models the
 * agent reported the instance offers (null: not yet). */
static cJSON *
model_json(const struct ent_status *s)
{
	cJSON	*v = cJSON_CreateObject(), *e;

	add_str(v, "primary", s->model_primary);
	e = s->model_fallbacks_json ? cJSON_Parse(s->model_fallbacks_json) :
	    NULL;
	cJSON_AddItemToObject(v, "fallbacks", e ? e : cJSON_CreateArray());
	cJSON_AddItemToObject(v, "available", col_json(s->models_json));
	return v;
}

/* The phase of the status (the file's header comment lists them). */
static const char *
phase_of(const struct ent_status *s, const cJSON *health)
{
	const char	*state = s->state;

	if (strcmp(state, "failed") == 0)
		return "error";
	if (strcmp(state, "pending") == 0 || strcmp(state, "creating") == 0 ||
	    strcmp(state, "booting") == 0 || strcmp(state, "rebuilding") == 0)
		return "setting_up";
	if (strcmp(state, "active") != 0)
		return state;
	if (!s->reported)
		return "waiting_for_server";
	if (s->report_age > REPORT_STALE_SECONDS)
		return "not_reporting";
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(health, "ready")))
		return "gateway_not_ready";
	return "running";
}

/* setup (the report's, else what the ready call said) and tls into o;
 * a self-signed certificate warned about in w. */
static void
setup_tls_json(const struct ent_status *s, cJSON *o, cJSON *w)
{
	cJSON	*setup, *tls, *v, *e;
	char	*m;

	setup = col_json(s->setup_json);
	if (cJSON_IsNull(setup)) {
		cJSON_Delete(setup);
		setup = col_json(s->setup_state_json);
	}
	cJSON_AddItemToObject(o, "setup", setup);
	tls = col_json(s->tls_json);
	cJSON_AddItemToObject(o, "tls", tls);
	v = cJSON_GetObjectItemCaseSensitive(tls, "mode");
	if (cJSON_IsString(v) && strcmp(v->valuestring, "self-signed") == 0) {
		e = cJSON_GetObjectItemCaseSensitive(tls, "error");
		m = xasprintf("the certificate is still self-signed (%s)",
		    cJSON_IsString(e) ? e->valuestring : "not issued yet");
		warn(w, "tls_self_signed", m);
		free(m);
	}
}

/* What the agent reports of the config, channels, skills and devices. */
static void
report_json(const struct ent_status *s, cJSON *o, cJSON *w)
{
	cJSON	*v, *skills;

	add_str(o, "openclaw_version", s->version);
	cJSON_AddNumberToObject(o, "config_revision",
	    (double)s->config_revision);
	if (s->applied_revision >= 0)
		cJSON_AddNumberToObject(o, "applied_revision",
		    (double)s->applied_revision);
	else
		cJSON_AddNullToObject(o, "applied_revision");
	add_str(o, "config_error", s->config_error);
	if (s->config_error != NULL)
		warn(w, "config_refused", s->config_error);
	v = col_json(s->channels_json);
	cJSON_AddItemToObject(o, "channels", channel_states(v, w));
	cJSON_Delete(v);
	skills = col_json(s->skills_json);
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(skills,
	    "errors"))
		if (cJSON_IsString(v))
			warn(w, "skill_failed", v->valuestring);
	cJSON_AddItemToObject(o, "skills", skills);
	cJSON_AddItemToObject(o, "devices", col_json(s->devices_json));
}

void
st_status(struct req *r)
{
	struct ent_status	*s;
	cJSON			*o, *w, *health;

	if ((s = status_of(r)) == NULL)
		return;
	health = col_json(s->health_json);
	o = cJSON_CreateObject();
	w = cJSON_CreateArray();
	cJSON_AddStringToObject(o, "state", s->state);
	cJSON_AddStringToObject(o, "phase", phase_of(s, health));
	add_str(o, "error", s->last_error);
	cJSON_AddBoolToObject(o, "retry_allowed", setup_retry_ok(s));
	setup_tls_json(s, o, w);
	cJSON_AddItemToObject(o, "health", health);
	report_json(s, o, w);
	cJSON_AddItemToObject(o, "model", model_json(s));
	if (s->reported) {
		cJSON_AddStringToObject(o, "reported_at", s->reported_at);
		cJSON_AddNumberToObject(o, "report_age_seconds",
		    (double)s->report_age);
	} else {
		cJSON_AddNullToObject(o, "reported_at");
		cJSON_AddNullToObject(o, "report_age_seconds");
	}
	cJSON_AddItemToObject(o, "warnings", w);
	ent_status_free(s);
	resp_json(r, 200, o);
}

/* provider/model as the schema's CHECK (311) has it; the model may have
 * slashes of its own ("huggingface/deepseek-ai/DeepSeek-R1"). */
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
	    "._:/-") == b && sl[1] != '/' && s[a + b] != '/' &&
	    strstr(sl, "//") == NULL;
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
	char		*s, *first;
	enum och_err	 err;

	if (prim != NULL)
		cJSON_AddItemToArray(all, cJSON_CreateString(prim));
	s = cJSON_PrintUnformatted(all);
	cJSON_Delete(all);
	err = ent_model_unoffered(r->app->db, id, s, &first);
	cJSON_free(s);
	if (err != OCH_OK) {
		resp_error(r, err, NULL);
		return -1;
	}
	if (first != NULL) {
		s = xasprintf("%s: not a model this instance's OpenClaw offers "
		    "(status: model.available)", first);
		resp_error(r, OCH_EINVAL, s);
		free(s);
		free(first);
		return -1;
	}
	return 0;
}

/* Are the primary prim (or NULL) and the fallbacks arr all of providers
 * the plan allows?  0 if so, -1 answered (sp_check). */
static int
in_plan(struct req *r, const char *id, const char *prim, const cJSON *arr)
{
	const char	*names[FALLBACKS_MAX + 1];
	const cJSON	*v;
	size_t		 n = 0;

	if (prim != NULL)
		names[n++] = prim;
	cJSON_ArrayForEach(v, arr)
		if (n < OCH_NELEM(names))
			names[n++] = v->valuestring;
	return sp_check(r, id, names, n);
}

void
st_model_put(struct req *r)
{
	const char	*prim = NULL, *id = req_param(r, 0);
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
	if (in_plan(r, id, prim, arr) != 0 || offered(r, id, prim, arr) != 0) {
		cJSON_Delete(arr);
		return;
	}
	s = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	/* the schema's trigger bumps the config revision: the agent applies */
	err = ent_model_put(r->app->db, id, prim, s);
	cJSON_free(s);
	if (err != OCH_OK)
		resp_error(r, err, NULL);
	else
		resp_empty(r, 204);
}

void
st_retry(struct req *r)
{
	struct ent_status	*s;
	const char		*p[1] = { req_param(r, 0) };
	char			 state[32], who[32];
	enum och_err		 err;
	int			 ok;

	/* only a failed setup: other failures need an operator */
	if ((s = status_of(r)) == NULL)
		return;
	ok = setup_retry_ok(s);
	ent_status_free(s);
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
