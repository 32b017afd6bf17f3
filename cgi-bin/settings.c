/*
 * settings.fcgi: what a customer configures on their instance, through
 * the dashboard (session + CSRF; the owner or an admin).  Every change
 * bumps the instance's config revision (schema triggers), which wakes the
 * agent's long poll, so it reaches the VPS within seconds.  Secrets (bot
 * tokens, provider keys) are sealed at once and never sent back: reads
 * show only that one is set (and a key's last four characters).
 *
 *   GET    /api/v1/instances/{id}/channels
 *   PUT    /api/v1/instances/{id}/channels/{kind}    {enabled, dm_policy, allow_from, secrets}
 *   DELETE /api/v1/instances/{id}/channels/{kind}
 *   GET    /api/v1/instances/{id}/ai-keys
 *   PUT    /api/v1/instances/{id}/ai-keys/{provider} {key}
 *   DELETE /api/v1/instances/{id}/ai-keys/{provider}
 *   GET    /api/v1/instances/{id}/skills
 *   PUT    /api/v1/instances/{id}/skills/{name}      {enabled}
 *   DELETE /api/v1/instances/{id}/skills/{name}
 *   GET    /api/v1/instances/{id}/pairing            pending requests from the last report
 *   POST   /api/v1/instances/{id}/pairing/approve    {channel, code}
 *   GET    /api/v1/instances/{id}/backups
 *   POST   /api/v1/instances/{id}/backups            queue a backup on the VPS
 *          (stored off the server when S3_* is set: lib/backup.h)
 * and the first-hour routes of settings.h (status, model, retry, gateway
 * token, devices, WhatsApp login, commands).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "backup.h"
#include "cry.h"
#include "ent_backup.h"
#include "ent_channel.h"
#include "ent_command.h"
#include "ent_key.h"
#include "ent_plan.h"
#include "ent_skill.h"
#include "ent_status.h"
#include "js.h"
#include "log.h"
#include "settings.h"
#include "srv.h"
#include "valid.h"

/* What a channel kind takes as secrets, and how long each may be. */
static const struct {
	const char	*kind;
	const char	*fields[2];
} chan_kinds[] = {
	{ "telegram", { "bot_token", NULL } },
	{ "discord", { "token", NULL } },
	{ "slack", { "bot_token", "app_token" } },
	{ "whatsapp", { NULL, NULL } },	/* logs in by QR on the VPS */
};

/* The characters the agent accepts in an env value (AGENT-PROTOCOL §2). */
static int
secret_ok(const char *v)
{
	size_t	 n = strlen(v);

	return n >= 8 && n <= 4096 && strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._~+/=:@,-") == n;
}

/*
 * Check that the session may touch the instance's settings
 * (auth_may_see, AUTH_SEE_LIVE); answers 404 itself when not (also for
 * others' instances and terminated ones).  Returns 0, with its state in
 * state (statesz bytes) when that is not NULL, or -1 after the answer.
 */
static int
access_check(struct req *r, char *state, size_t statesz)
{
	enum och_err	 err;

	if (auth_may_see(r, req_param(r, 0), AUTH_SEE_LIVE, state, statesz,
	    &err))
		return 0;
	resp_error(r, err != OCH_OK ? err : OCH_ENOTFOUND,
	    err != OCH_OK ? NULL : "no such instance");
	return -1;
}

/*
 * The plan of the instance in the path (its limits), after
 * access_check().  Returns it (caller frees with ent_plan_free(pl, 1))
 * or NULL after answering (404, or the database error).
 */
static struct ent_plan *
plan_limits(struct req *r)
{
	struct ent_plan	*pl;
	enum och_err	 err;

	if ((err = ent_plan_of_instance(r->app->db, req_param(r, 0), &pl)) !=
	    OCH_OK)
		resp_error(r, err, err == OCH_ENOTFOUND ? "no such instance" :
		    NULL);
	return pl;
}

/* Answer a change: 204, or the error (routes.def audits it). */
static void
changed(struct req *r, enum och_err err)
{
	if (err != OCH_OK)
		resp_error(r, err, NULL);
	else
		resp_empty(r, 204);
}

static void
h_channels(struct req *r)
{
	struct ent_channel	*c;
	cJSON			*root, *arr;
	enum och_err		 err;
	size_t			 i, n;

	if (access_check(r, NULL, 0) < 0)
		return;
	if ((err = ent_channel_list(r->app->db, req_param(r, 0), &c, &n)) !=
	    OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "channels");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, ent_channel_json(&c[i]));
	ent_channel_free(c, n);
	resp_json(r, 200, root);
}

/*
 * A channel's allow_from as JSON text for its column (OpenClaw's rule:
 * "open" needs ["*"]), or NULL answered (400).  Caller frees with
 * cJSON_free.
 */
static char *
channel_allow(struct req *r, const char *policy)
{
	const cJSON	*allow, *it;

	allow = cJSON_GetObjectItemCaseSensitive(r->json, "allow_from");
	if (allow != NULL && (!cJSON_IsArray(allow) ||
	    cJSON_GetArraySize(allow) > 100)) {
		resp_error(r, OCH_EINVAL, "allow_from: at most 100 strings");
		return NULL;
	}
	cJSON_ArrayForEach(it, allow)
		if (!cJSON_IsString(it) || strlen(it->valuestring) == 0 ||
		    strlen(it->valuestring) > 64 || strspn(it->valuestring,
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789:+*@._-") != strlen(it->valuestring)) {
			resp_error(r, OCH_EINVAL, "allow_from: ids like "
			    "tg:123 or +15551234567");
			return NULL;
		}
	if (strcmp(policy, "open") == 0)
		return xstrdup("[\"*\"]");
	return allow ? cJSON_PrintUnformatted(allow) : xstrdup("[]");
}

/* Wipe and free a JSON object of secret strings. */
static void
wipe_secrets(cJSON *o)
{
	cJSON	*it;

	cJSON_ArrayForEach(it, o)
		if (cJSON_IsString(it))
			OPENSSL_cleanse(it->valuestring, strlen(it->valuestring));
	cJSON_Delete(o);
}

/*
 * The body's secrets for channel kind chan_kinds[k] as a JSON object's
 * text into *plain (caller wipes it with xfree_secret; NULL when the
 * body has none: the stored ones stay).  Returns 0, or -1 answered (400
 * for a secret the kind does not take or a bad value).
 */
static int
channel_secrets(struct req *r, size_t k, char **plain)
{
	const cJSON	*secrets, *it;
	cJSON		*js;
	char		*s;
	size_t		 f;

	*plain = NULL;
	secrets = cJSON_GetObjectItemCaseSensitive(r->json, "secrets");
	if (secrets == NULL)
		return 0;
	if (!cJSON_IsObject(secrets)) {
		resp_error(r, OCH_EINVAL, "secrets: must be an object");
		return -1;
	}
	js = cJSON_CreateObject();
	cJSON_ArrayForEach(it, secrets) {
		for (f = 0; f < 2; f++)
			if (chan_kinds[k].fields[f] != NULL &&
			    strcmp(chan_kinds[k].fields[f], it->string) == 0)
				break;
		if (f == 2 || !cJSON_IsString(it) ||
		    !secret_ok(it->valuestring)) {
			resp_errorf(r, OCH_EINVAL, "secrets.%s: not a %s "
			    "credential", f == 2 ? "?" :
			    chan_kinds[k].fields[f], chan_kinds[k].kind);
			wipe_secrets(js);
			return -1;
		}
		cJSON_AddStringToObject(js, it->string, it->valuestring);
	}
	s = cJSON_PrintUnformatted(js);
	wipe_secrets(js);
	*plain = xstrdup(s);
	OPENSSL_cleanse(s, strlen(s));
	cJSON_free(s);
	return 0;
}

/*
 * The body of a channel PUT for chan_kinds[k] into *in (its strings: the
 * body's, and *allow / *plain, which the caller frees: cJSON_free,
 * xfree_secret).  Returns 0, or -1 answered (400).
 */
static int
channel_input(struct req *r, size_t k, struct ent_channel_in *in,
    char **allow, char **plain)
{
	const cJSON	*en;

	*allow = *plain = NULL;
	if (r->json == NULL) {
		resp_error(r, OCH_EINVAL, "a JSON body is required");
		return -1;
	}
	en = cJSON_GetObjectItemCaseSensitive(r->json, "enabled");
	if (en != NULL && !cJSON_IsBool(en)) {
		resp_error(r, OCH_EINVAL, "enabled: must be true or false");
		return -1;
	}
	in->enabled = en == NULL || cJSON_IsTrue(en);
	in->dm_policy = "pairing";
	if (js_str(r->json, "dm_policy", 16, &in->dm_policy) == JS_BAD ||
	    (strcmp(in->dm_policy, "pairing") && strcmp(in->dm_policy,
	    "allowlist") && strcmp(in->dm_policy, "open") &&
	    strcmp(in->dm_policy, "disabled"))) {
		resp_error(r, OCH_EINVAL, "dm_policy: pairing, allowlist, open "
		    "or disabled");
		return -1;
	}
	if ((*allow = channel_allow(r, in->dm_policy)) == NULL ||
	    channel_secrets(r, k, plain) < 0)
		return -1;
	in->allow_from_json = *allow;
	in->secrets_json = *plain;
	return 0;
}

/*
 * PUT …/channels/{kind} {enabled, dm_policy, allow_from, secrets}:
 * connect or change a channel within the plan's max_channels.
 */
static void
h_channel_put(struct req *r)
{
	struct ent_channel_in	 in = { req_param(r, 0), req_param(r, 1), 1,
	    NULL, NULL, NULL };
	struct ent_plan		*a;
	char			*allow = NULL, *plain = NULL;
	size_t			 k;
	int64_t			 n = 0;
	enum och_err		 err;

	if (access_check(r, NULL, 0) < 0 || (a = plan_limits(r)) == NULL)
		return;
	for (k = 0; k < OCH_NELEM(chan_kinds); k++)
		if (strcmp(chan_kinds[k].kind, in.kind) == 0)
			break;
	if (k == OCH_NELEM(chan_kinds))
		resp_error(r, OCH_ENOTFOUND, "no such channel kind");
	else if (channel_input(r, k, &in, &allow, &plain) == 0) {
		if ((err = ent_channel_count_other(r->app->db, in.id, in.kind,
		    &n)) == OCH_OK && n >= a->max_channels)
			resp_errorf(r, OCH_EUNPROCESSABLE, "the plan allows "
			    "%lld channels", (long long)a->max_channels);
		else
			changed(r, err != OCH_OK ? err : ent_channel_put(
			    r->app->db, r->app->keys, &in));
	}
	ent_plan_free(a, 1);
	cJSON_free(allow);
	xfree_secret(plain);
}

/* DELETE of one row keyed by the second path parameter. */
static void
delete_one(struct req *r, enum och_err (*del)(struct db *, const char *,
    const char *))
{
	if (access_check(r, NULL, 0) < 0)
		return;
	changed(r, del(r->app->db, req_param(r, 0), req_param(r, 1)));
}

static void h_channel_del(struct req *r) { delete_one(r, ent_channel_del); }
static void h_key_del(struct req *r) { delete_one(r, ent_ai_key_del); }
static void h_skill_del(struct req *r) { delete_one(r, ent_skill_del); }

static void
h_keys(struct req *r)
{
	struct ent_ai_key	*k;
	cJSON			*root, *arr;
	enum och_err		 err;
	size_t			 i, n;

	if (access_check(r, NULL, 0) < 0)
		return;
	if ((err = ent_ai_key_list(r->app->db, req_param(r, 0), &k, &n)) !=
	    OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "ai_keys");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, ent_ai_key_json(&k[i]));
	ent_ai_key_free(k, n);
	if ((arr = sp_providers_json(r, req_param(r, 0), &err)) == NULL) {
		cJSON_Delete(root);
		resp_error(r, err, NULL);
		return;
	}
	cJSON_AddItemToObject(root, "providers", arr);
	resp_json(r, 200, root);
}

static void
h_key_put(struct req *r)
{
	const char	*prov = req_param(r, 1), *key;

	if (access_check(r, NULL, 0) < 0)
		return;
	if (!valid_name(prov)) {
		resp_error(r, OCH_EINVAL, "provider: a name like anthropic");
		return;
	}
	if (r->json == NULL || js_str(r->json, "key", 4096, &key) != JS_OK ||
	    !secret_ok(key)) {
		resp_error(r, OCH_EINVAL, "key: not an API key");
		return;
	}
	if (sp_check(r, req_param(r, 0), &prov, 1) < 0)
		return;
	changed(r, ent_ai_key_put(r->app->db, r->app->keys, req_param(r, 0),
	    prov, key));
}

static void
h_skills(struct req *r)
{
	struct ent_skill	*s;
	cJSON			*root, *arr;
	enum och_err		 err;
	size_t			 i, n;

	if (access_check(r, NULL, 0) < 0)
		return;
	if ((err = ent_skill_of_instance(r->app->db, req_param(r, 0), &s,
	    &n)) != OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "skills");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, ent_skill_json(&s[i]));
	ent_skill_free(s, n);
	resp_json(r, 200, root);
}

static void
h_skill_put(struct req *r)
{
	struct ent_plan	*a;
	const char	*id = req_param(r, 0), *name = req_param(r, 1);
	const cJSON	*en;
	int64_t		 n = 0;
	enum och_err	 err;

	if (access_check(r, NULL, 0) < 0 || (a = plan_limits(r)) == NULL)
		return;
	en = r->json ? cJSON_GetObjectItemCaseSensitive(r->json, "enabled") :
	    NULL;
	if (en != NULL && !cJSON_IsBool(en))
		resp_error(r, OCH_EINVAL, "enabled: must be true or false");
	else if ((err = ent_skill_count_other(r->app->db, id, name, &n)) !=
	    OCH_OK)
		resp_error(r, err, NULL);
	else if ((en == NULL || cJSON_IsTrue(en)) && n >= a->max_skills)
		resp_errorf(r, OCH_EUNPROCESSABLE, "the plan allows %lld skills",
		    (long long)a->max_skills);
	else
		changed(r, valid_name(name) || valid_slug(name) ?
		    ent_skill_put(r->app->db, id, name, en == NULL ||
		    cJSON_IsTrue(en)) : OCH_ENOTFOUND);
	ent_plan_free(a, 1);
}

static void
h_pairing(struct req *r)
{
	char		*reqs, *at;
	cJSON		*o, *v;
	enum och_err	 err;

	if (access_check(r, NULL, 0) < 0)
		return;
	if ((err = ent_pairing_requests(r->app->db, req_param(r, 0), &reqs,
	    &at)) != OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	o = cJSON_CreateObject();
	v = reqs != NULL ? cJSON_Parse(reqs) : NULL;
	cJSON_AddItemToObject(o, "requests", v != NULL ? v :
	    cJSON_CreateArray());
	if (at != NULL)
		cJSON_AddStringToObject(o, "reported_at", at);
	free(reqs);
	free(at);
	resp_json(r, 200, o);
}

/* Queue a command for the instance's agent; 202 {"command_id"}. */
void
settings_queue(struct req *r, const char *kind, const char *args)
{
	char		 who[32], *cid;
	cJSON		*o;
	enum och_err	 err;
	long		 retry;

	snprintf(who, sizeof(who), "user:%lld", (long long)r->auth.user_id);
	if ((err = ent_command_queue(r->app->db, req_param(r, 0), kind, args,
	    who, &cid, &retry)) == OCH_ERATE) {
		resp_retry_after(r, retry);
		resp_errorf(r, err, "%d commands are already waiting for this "
		    "server's agent: try again when it has run some",
		    retry > 0 ? ENT_COMMAND_PENDING_MAX :
		    ENT_COMMAND_BACKLOG_MAX);
		return;
	}
	if (err != OCH_OK) {
		resp_error(r, err, NULL);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "command_id", cid);
	free(cid);
	resp_json(r, 202, o);
}

static void
h_pairing_approve(struct req *r)
{
	const char	*ch, *code;
	cJSON		*args;
	char		*s;

	if (access_check(r, NULL, 0) < 0)
		return;
	if (r->json == NULL || js_str(r->json, "channel", 32, &ch) != JS_OK ||
	    !valid_name(ch) || js_str(r->json, "code", 16, &code) != JS_OK ||
	    strlen(code) < 4 || strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(code)) {
		resp_error(r, OCH_EINVAL, "channel and code required");
		return;
	}
	args = cJSON_CreateObject();
	cJSON_AddStringToObject(args, "channel", ch);
	cJSON_AddStringToObject(args, "code", code);
	cJSON_AddBoolToObject(args, "notify", 1);
	s = cJSON_PrintUnformatted(args);
	cJSON_Delete(args);
	settings_queue(r, "pairing_approve", s);
	cJSON_free(s);
}

/* The backup commands c[n]: restores go to rst, the agent's backups to arr. */
static void
backup_cmds_json(cJSON *arr, cJSON *rst, const struct ent_command *c,
    size_t n)
{
	cJSON		*o, *args, *res;
	const cJSON	*v;
	size_t		 i;

	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "command_id", c[i].id);
		cJSON_AddStringToObject(o, "status", c[i].status);
		cJSON_AddStringToObject(o, "created_at", c[i].created_at);
		res = c[i].result_json ? cJSON_Parse(c[i].result_json) : NULL;
		if (strcmp(c[i].kind, "backup_restore") == 0) {
			args = cJSON_Parse(c[i].args_json);
			v = cJSON_GetObjectItemCaseSensitive(args, "backup_id");
			cJSON_AddNumberToObject(o, "backup_id", cJSON_IsNumber(v) ?
			    v->valuedouble : cJSON_IsString(v) ?
			    strtod(v->valuestring, NULL) : 0);
			cJSON_Delete(args);
			v = cJSON_GetObjectItemCaseSensitive(res, "error");
			if (cJSON_IsString(v))
				cJSON_AddStringToObject(o, "error",
				    v->valuestring);
			cJSON_Delete(res);
			cJSON_AddItemToArray(rst, o);
			continue;
		}
		if (res != NULL)
			cJSON_AddItemToObject(o, "result", res);
		cJSON_AddItemToArray(arr, o);
	}
}

/*
 * GET …/backups: the stored backups, the backups asked of the agent
 * (agent_backups), its restores and how many snapshots the plan keeps.
 */
static void
h_backups(struct req *r)
{
	struct ent_plan		*a;
	struct ent_backup	*b = NULL;
	struct ent_command	*c = NULL;
	const char		*id = req_param(r, 0);
	cJSON			*root, *arr;
	enum och_err		 err;
	size_t			 i, nb = 0, nc = 0;

	if (access_check(r, NULL, 0) < 0 || (a = plan_limits(r)) == NULL)
		return;
	if ((err = ent_backup_list(r->app->db, id, &b, &nb)) != OCH_OK ||
	    (err = ent_command_backups(r->app->db, id, &c, &nc)) != OCH_OK)
		resp_error(r, err, NULL);
	else {
		root = cJSON_CreateObject();
		cJSON_AddNumberToObject(root, "snapshot_slots",
		    (double)a->snapshot_slots);
		arr = cJSON_AddArrayToObject(root, "backups");
		for (i = 0; i < nb; i++)
			cJSON_AddItemToArray(arr, ent_backup_json(&b[i]));
		arr = cJSON_AddArrayToObject(root, "agent_backups");
		backup_cmds_json(arr, cJSON_AddArrayToObject(root, "restores"),
		    c, nc);
		resp_json(r, 200, root);
	}
	ent_plan_free(a, 1);
	ent_backup_free(b, nb);
	ent_command_free(c, nc);
}

static void
h_backup_create(struct req *r)
{
	cJSON		*o;
	char		 who[32], bid[24], cid[24], state[32];
	enum och_err	 err;
	long		 retry;

	if (access_check(r, state, sizeof(state)) < 0)
		return;
	if (strcmp(state, "active") != 0) {
		resp_error(r, OCH_ECONFLICT, "the instance is not active");
		return;
	}
	if (cfg_get(&r->app->cfg, CFG_S3_ENDPOINT) == NULL) {
		/* no object storage: an archive on the server only */
		settings_queue(r, "backup_create", "{}");
		return;
	}
	snprintf(who, sizeof(who), "user:%lld", (long long)r->auth.user_id);
	if ((err = bak_queue(r->app->db, req_param(r, 0), "manual", who, bid,
	    cid, &retry)) == OCH_ERATE)
		resp_limited(r, retry, "a backup of this server is being made: "
		    "ask again when it is done", "at most %d backups an hour "
		    "on demand (the schedule takes the others)",
		    BAK_MANUAL_PER_HOUR);
	else if (err != OCH_OK)
		resp_error(r, err, NULL);
	else {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "command_id", cid);
		cJSON_AddNumberToObject(o, "backup_id", strtod(bid, NULL));
		resp_json(r, 202, o);
	}
}

/* the routes: lib/routes.def */
static const struct route routes[] = { OCH_ROUTES_settings(SRV_ROUTE) };

int
main(int argc, char **argv)
{
	static const enum cfg_key required[] = { CFG_DATABASE_URL,
	    CFG_OCH_MASTER_KEY, CFG_JWT_SECRET, CFG__MAX };

	return srv_main(argc, argv, "settings", routes, OCH_NELEM(routes),
	    required, NULL);
}
