/*
 * agent_status.c: what the VPS says about itself, and what that does to
 * the instance (cloud-init/AGENT-PROTOCOL.md §1, §5).
 *
 * The ready call and every report carry och-setup's setup.json.  A
 * booting (or rebuilding) instance becomes `active` only when that says
 * the setup finished (or, from an agent that cannot read it, says
 * nothing); a setup that failed makes it `failed` with the step and the
 * reason, the operators are emailed, no welcome email goes out, and a
 * retry rebuilds the server.  A setup still running leaves it booting: the
 * next report decides.
 *
 * A report's setup, tls, skills (installed and errors), Control UI
 * devices and the models its OpenClaw offers are kept in agent_reports
 * for the dashboard; its usage goes to
 * ai_usage, one row per day, provider and model when the agent splits it
 * (usage.models), else one `all`/`all` row per day.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "agent.h"
#include "cry.h"
#include "ent_agent.h"
#include "ent_report.h"
#include "ent_secret.h"
#include "inst.h"
#include "js.h"
#include "log.h"

#define USAGE_MODELS_MAX	200
/*
 * The usage a report may store: days of the window the dashboard shows
 * (GET …/ai-usage?days= up to 366, UTC) and tomorrow (an agent's clock
 * ahead), at most USAGE_DAYS_MAX of them a report (the agent sends two).
 * The VPS is the customer's, so its report is outside input: without the
 * window one report stored a row for any date from 0001 to 9999 (some
 * 6,000 a report, kept for ever) and ran a statement for each.
 */
#define USAGE_WINDOW_DAYS	366
#define USAGE_DAYS_MAX		64

static int
is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

enum agent_setup
agent_setup_apply(struct req *r, const char *id, const char *state,
    const cJSON *setup, enum och_err *err)
{
	struct db	*db = r->app->db;
	const cJSON	*ok;
	const char	*step = NULL, *msg = NULL;
	char		*s, *why;

	*err = OCH_OK;
	if (cJSON_IsObject(setup)) {
		s = cJSON_PrintUnformatted(setup);
		*err = ent_agent_setup_state(db, id, s);
		cJSON_free(s);
		if (*err != OCH_OK)
			return AGENT_SETUP_ERROR;
	}
	if (!is(state, "booting") && !is(state, "rebuilding"))
		return AGENT_SETUP_NONE;
	ok = cJSON_IsObject(setup) ?
	    cJSON_GetObjectItemCaseSensitive(setup, "ok") : NULL;
	if (!cJSON_IsFalse(ok)) {
		/* finished, or an agent that cannot tell: the server is up */
		*err = inst_activate(db, &r->app->cfg, id, state, "agent");
		return *err == OCH_OK ? AGENT_SETUP_ACTIVE : AGENT_SETUP_ERROR;
	}
	if (js_str(setup, "step", 64, &step) != JS_OK)
		step = "unknown";
	if (strcmp(step, "running") == 0) {
		/* och-setup started the agent before its last line */
		*err = inst_event(db, id, "agent.setup_running", state, NULL,
		    "the server's setup is still running", "agent");
		return *err == OCH_OK ? AGENT_SETUP_WAIT : AGENT_SETUP_ERROR;
	}
	if (js_str(setup, "error", 300, &msg) != JS_OK)
		msg = "no reason given";
	why = xasprintf("setup failed at step %s: %s", step, msg);
	*err = inst_setup_failed(db, &r->app->cfg, id, state, why, "agent");
	log_warn("instance %s: %s", id, why);
	free(why);
	return *err == OCH_OK ? AGENT_SETUP_FAILED : AGENT_SETUP_ERROR;
}

/* A usage row's numbers as text: input, output, cost. */
static void
usage_nums(const cJSON *d, char *in, char *out, char *cost, size_t sz)
{
	const cJSON	*v;
	int64_t		 ti = 0, to = 0;

	(void)js_int64(d, "input", 0, INT64_MAX / 2, &ti);
	(void)js_int64(d, "output", 0, INT64_MAX / 2, &to);
	v = cJSON_GetObjectItemCaseSensitive(d, "totalCost");
	snprintf(cost, sz, "%.6f", cJSON_IsNumber(v) && v->valuedouble >= 0 &&
	    v->valuedouble < 1e9 ? v->valuedouble : 0.0);
	snprintf(in, sz, "%lld", (long long)ti);
	snprintf(out, sz, "%lld", (long long)to);
}

/* The window's first and last day, "YYYY-MM-DD" (UTC), into lo and hi. */
static void
usage_window(char lo[11], char hi[11])
{
	struct tm	 tm;
	time_t		 now = time(NULL), t;

	t = now - (time_t)USAGE_WINDOW_DAYS * 86400;
	strftime(lo, 11, "%Y-%m-%d", gmtime_r(&t, &tm));
	t = now + 86400;
	strftime(hi, 11, "%Y-%m-%d", gmtime_r(&t, &tm));
}

/*
 * The entry's date when it is YYYY-MM-DD (digits) from lo to hi (NULL:
 * any); 1, else 0.  An impossible day inside (2026-11-31) is the
 * database's to refuse.
 */
static int
date_ok(const cJSON *d, const char **date, const char *lo, const char *hi)
{
	size_t	 i;

	if (js_str(d, "date", 10, date) != JS_OK || strlen(*date) != 10)
		return 0;
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? (*date)[i] != '-' :
		    (*date)[i] < '0' || (*date)[i] > '9')
			return 0;
	return lo == NULL || (strcmp(*date, lo) >= 0 && strcmp(*date, hi) <= 0);
}

/* A provider or model name we store: printable, no spaces, bounded. */
static int
label_ok(const char *s, size_t max)
{
	size_t	 n = strlen(s);

	return n >= 1 && n <= max && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._:/@+-") == n;
}

/* Does the array hold a row for this date? */
static int
has_date(const cJSON *arr, const char *date)
{
	const cJSON	*m;
	const char	*d;

	cJSON_ArrayForEach(m, arr)
		if (date_ok(m, &d, NULL, NULL) && strcmp(d, date) == 0)
			return 1;
	return 0;
}

/* Is date one of the n days stored? */
static int
stored_day(const char *const *days, size_t n, const char *date)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(days[i], date) == 0)
			return 1;
	return 0;
}

static enum och_err
store_usage(struct req *r, const cJSON *usage)
{
	struct db	*db = r->app->db;
	const cJSON	*daily, *models, *d;
	const char	*date, *prov, *model, *days[USAGE_DAYS_MAX];
	char		 in[48], out[48], cost[48], lo[11], hi[11];
	struct ent_usage u = { r->auth.instance_id, NULL, in, out, cost, NULL,
	    NULL };
	enum och_err	 err;
	size_t		 n = 0;

	if (!cJSON_IsObject(usage))
		return OCH_OK;
	usage_window(lo, hi);
	daily = cJSON_GetObjectItemCaseSensitive(usage, "daily");
	models = cJSON_GetObjectItemCaseSensitive(usage, "models");
	if (!cJSON_IsArray(models) ||
	    cJSON_GetArraySize(models) > USAGE_MODELS_MAX)
		models = NULL;
	/* days split by model: replaced by the split; each day once */
	cJSON_ArrayForEach(d, daily) {
		if (n == USAGE_DAYS_MAX)
			break;
		if (!date_ok(d, &date, lo, hi) || stored_day(days, n, date))
			continue;
		days[n++] = u.day = date;
		if (models != NULL && has_date(models, date))
			err = ent_usage_clear(db, u.id, date);
		else {
			usage_nums(d, in, out, cost, sizeof(in));
			err = ent_usage_put(db, &u);
		}
		if (err != OCH_OK)
			return err;
	}
	cJSON_ArrayForEach(d, models) {
		if (!date_ok(d, &date, lo, hi) ||
		    js_str(d, "provider", 64, &prov) != JS_OK ||
		    js_str(d, "model", 128, &model) != JS_OK ||
		    !label_ok(prov, 64) || !label_ok(model, 128))
			continue;
		/* only days just cleared (else a second report adds up) */
		if (!stored_day(days, n, date))
			continue;
		usage_nums(d, in, out, cost, sizeof(in));
		u.day = date;
		u.provider = prov;
		u.model = model;
		if ((err = ent_usage_put(db, &u)) != OCH_OK)
			return err;
	}
	return OCH_OK;
}

const char *
agent_report_misfit(const cJSON *rep)
{
	/* 'o' an object, 'a' an array, 'b' either */
	static const struct { const char *name; char type; } parts[] = {
		{ "health", 'o' }, { "channels", 'b' },
		{ "pairing_requests", 'a' }, { "usage", 'o' }, { "config", 'o' },
		{ "skills", 'o' }, { "setup", 'o' }, { "tls", 'o' },
		{ "devices", 'a' }, { "models", 'a' } };
	const cJSON	*v;
	size_t		 i;

	for (i = 0; i < OCH_NELEM(parts); i++) {
		v = cJSON_GetObjectItemCaseSensitive(rep, parts[i].name);
		if (v == NULL || cJSON_IsNull(v) ||
		    (parts[i].type != 'a' && cJSON_IsObject(v)) ||
		    (parts[i].type != 'o' && cJSON_IsArray(v)))
			continue;
		return parts[i].name;
	}
	return NULL;
}

/* A member as JSON text (NULL when absent or null; caller frees). */
static char *
member(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	return v == NULL || cJSON_IsNull(v) ? NULL : cJSON_PrintUnformatted(v);
}

/*
 * The report's models (the keys `openclaw models list --all --json`
 * gave) as JSON text: the well-formed "provider/model" strings, at most
 * MODELS_MAX; NULL when the report has no list (the last one stays).
 * Caller frees.
 */
#define MODELS_MAX	1000
static char *
models_json(const cJSON *rep)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(rep, "models"), *v;
	cJSON		*arr;
	char		*s;
	const char	*sl;
	size_t		 n, k = 0;

	if (!cJSON_IsArray(m))
		return NULL;
	arr = cJSON_CreateArray();
	cJSON_ArrayForEach(v, m) {
		if (!cJSON_IsString(v) || k >= MODELS_MAX)
			continue;
		n = strlen(v->valuestring);
		sl = strchr(v->valuestring, '/');
		if (n > 140 || sl == NULL || sl == v->valuestring ||
		    sl[1] == '\0' || strspn(v->valuestring,
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789._:/@-") != n)
			continue;
		cJSON_AddItemToArray(arr, cJSON_CreateString(v->valuestring));
		k++;
	}
	s = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return s;
}

enum och_err
agent_report_store(struct req *r, const cJSON *rep)
{
	struct db		*db = r->app->db;
	struct ent_report_extra	 x;
	const char		*p[1] = { r->auth.instance_id };
	char			*setup, *tls, *skills, *devices, *models, *state;
	enum och_err		 err;

	x.id = p[0];
	x.setup = setup = member(rep, "setup");
	x.tls = tls = member(rep, "tls");
	x.skills = skills = member(rep, "skills");
	x.devices = devices = member(rep, "devices");
	x.models = models = models_json(rep);
	err = ent_report_extra(db, &x);
	cJSON_free(setup);
	cJSON_free(tls);
	cJSON_free(skills);
	cJSON_free(devices);
	cJSON_free(models);
	if (err != OCH_OK)
		return err;
	if ((err = store_usage(r, cJSON_GetObjectItemCaseSensitive(rep,
	    "usage"))) != OCH_OK ||
	    (err = ent_report_milestones(db, p[0])) != OCH_OK)
		return err;
	/* a server that was still setting up when it called ready */
	if ((err = ent_agent_lock_state(db, p[0], &state)) != OCH_OK)
		return err;
	if (state != NULL && (is(state, "booting") ||
	    is(state, "rebuilding")) && cJSON_IsObject(
	    cJSON_GetObjectItemCaseSensitive(rep, "setup"))) {
		if (agent_setup_apply(r, p[0], state,
		    cJSON_GetObjectItemCaseSensitive(rep, "setup"), &err) !=
		    AGENT_SETUP_ERROR && err == OCH_OK)
			err = inst_notify(db, p[0]);
	}
	free(state);
	return err;
}

void
agent_config_token(struct req *r, cJSON *doc)
{
	char	*tok;

	/* missing: nothing to send; not opening: logged */
	if (ent_secret_get(r->app->db, r->app->keys, r->auth.instance_id,
	    "gateway_token", &tok, NULL) != OCH_OK)
		return;
	cJSON_AddStringToObject(doc, "gateway_token", tok);
	xfree_secret(tok);
}
