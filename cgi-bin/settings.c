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
#include "ent.h"
#include "js.h"
#include "log.h"
#include "settings.h"
#include "srv.h"
#include "valid.h"

static const struct db_stmt stmt_ch_count = { "set_ch_count",
	"SELECT count(*) FROM channels WHERE instance_id = $1::uuid AND kind <> $2" };
static const struct db_stmt stmt_ch_put = { "set_ch_put",
	"INSERT INTO channels (instance_id, kind, enabled, dm_policy, allow_from,"
	" secret_enc) VALUES ($1::uuid, $2, $3::boolean, $4,"
	"  ARRAY(SELECT json_array_elements_text($5::json)), $6::bytea)"
	" ON CONFLICT (instance_id, kind) DO UPDATE SET enabled = EXCLUDED.enabled,"
	" dm_policy = EXCLUDED.dm_policy, allow_from = EXCLUDED.allow_from,"
	" secret_enc = coalesce(EXCLUDED.secret_enc, channels.secret_enc),"
	" updated_at = now()" };
static const struct db_stmt stmt_ch_del = { "set_ch_del",
	"DELETE FROM channels WHERE instance_id = $1::uuid AND kind = $2" };
static const struct db_stmt stmt_key_put = { "set_key_put",
	"INSERT INTO ai_keys (instance_id, provider, key_enc, last4)"
	" VALUES ($1::uuid, $2, $3::bytea, $4)"
	" ON CONFLICT (instance_id, provider) DO UPDATE SET"
	" key_enc = EXCLUDED.key_enc, last4 = EXCLUDED.last4, updated_at = now()" };
static const struct db_stmt stmt_key_del = { "set_key_del",
	"DELETE FROM ai_keys WHERE instance_id = $1::uuid AND provider = $2" };
static const struct db_stmt stmt_sk_count = { "set_sk_count",
	"SELECT count(*) FROM instance_skills WHERE instance_id = $1::uuid"
	" AND enabled AND skill <> $2" };
static const struct db_stmt stmt_sk_put = { "set_sk_put",
	"INSERT INTO instance_skills (instance_id, skill, enabled)"
	" SELECT $1::uuid, name, $3::boolean FROM skills WHERE name = $2 AND active"
	" ON CONFLICT (instance_id, skill) DO UPDATE SET enabled = EXCLUDED.enabled" };
static const struct db_stmt stmt_sk_del = { "set_sk_del",
	"DELETE FROM instance_skills WHERE instance_id = $1::uuid AND skill = $2" };
static const struct db_stmt stmt_pairing = { "set_pairing",
	"SELECT coalesce(pairing::text, '[]'),"
	" to_char(reported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	" FROM agent_reports WHERE instance_id = $1::uuid" };
static const struct db_stmt stmt_command = { "set_command",
	"INSERT INTO instance_commands (instance_id, kind, args, created_by)"
	" VALUES ($1::uuid, $2, $3::jsonb, $4) RETURNING id" };
static const struct db_stmt stmt_backups = { "set_backups",
	"SELECT id, kind, status, name, size_bytes,"
	" to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	" FROM backups WHERE instance_id = $1::uuid AND status <> 'deleted'"
	" ORDER BY id DESC LIMIT 50" };
/* the backups asked of the agent, and its restores of them */
static const struct db_stmt stmt_backup_cmds = { "set_backup_cmds",
	"SELECT id, status, result::text,"
	" to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	" kind, args->>'backup_id', result->>'error'"
	" FROM instance_commands WHERE instance_id = $1::uuid"
	" AND kind IN ('backup_create', 'backup_restore')"
	" ORDER BY id DESC LIMIT 40" };

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

/*
 * The rows of a statement keyed by the instance in the path, after the
 * access check.  Returns them (caller clears) or NULL when it answered
 * (404, or the database error) itself.
 */
static PGresult *
owned_rows(struct req *r, const struct db_stmt *st)
{
	PGresult	*res;
	const char	*p[1] = { req_param(r, 0) };
	enum och_err	 err;

	if (access_check(r, NULL, 0) < 0)
		return NULL;
	if ((res = db_exec(r->app->db, st, 1, p, &err)) == NULL)
		resp_error(r, err, NULL);
	return res;
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
 * The body's secrets for channel kind chan_kinds[k], sealed for the
 * instance id into *sealed (bytea text, caller frees; NULL when the body
 * has none: the stored ones stay).  Returns 0, or -1 answered (400 for a
 * secret the kind does not take or a bad value, 500).
 */
static int
channel_sealed(struct req *r, size_t k, const char *id, char **sealed)
{
	const char	*kind = chan_kinds[k].kind;
	const cJSON	*secrets, *it;
	cJSON		*js;
	char		*plain, *ad;
	size_t		 f;

	*sealed = NULL;
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
			    chan_kinds[k].fields[f], kind);
			wipe_secrets(js);
			return -1;
		}
		cJSON_AddStringToObject(js, it->string, it->valuestring);
	}
	plain = cJSON_PrintUnformatted(js);
	wipe_secrets(js);
	ad = xasprintf("channels:%s:%s", id, kind);
	*sealed = cry_seal_bytea(r->app->keys, ad, plain, strlen(plain));
	free(ad);
	OPENSSL_cleanse(plain, strlen(plain));
	cJSON_free(plain);
	if (*sealed == NULL) {
		resp_error(r, OCH_ESYSTEM, NULL);
		return -1;
	}
	return 0;
}

/*
 * PUT …/channels/{kind} {enabled, dm_policy, allow_from, secrets}:
 * connect or change a channel within the plan's max_channels.
 */
static void
h_channel_put(struct req *r)
{
	PGresult	*cnt = NULL;
	struct ent_plan	*a;
	const char	*id = req_param(r, 0), *kind = req_param(r, 1);
	const char	*policy = "pairing", *p[6];
	const cJSON	*en;
	char		*allow_s = NULL, *sealed = NULL;
	size_t		 k;
	enum och_err	 err = OCH_OK;

	if (access_check(r, NULL, 0) < 0 || (a = plan_limits(r)) == NULL)
		return;
	for (k = 0; k < OCH_NELEM(chan_kinds); k++)
		if (strcmp(chan_kinds[k].kind, kind) == 0)
			break;
	if (k == OCH_NELEM(chan_kinds)) {
		resp_error(r, OCH_ENOTFOUND, "no such channel kind");
		goto out;
	}
	if (r->json == NULL) {
		resp_error(r, OCH_EINVAL, "a JSON body is required");
		goto out;
	}
	en = cJSON_GetObjectItemCaseSensitive(r->json, "enabled");
	if (en != NULL && !cJSON_IsBool(en)) {
		resp_error(r, OCH_EINVAL, "enabled: must be true or false");
		goto out;
	}
	if (js_str(r->json, "dm_policy", 16, &policy) == JS_BAD ||
	    (strcmp(policy, "pairing") && strcmp(policy, "allowlist") &&
	    strcmp(policy, "open") && strcmp(policy, "disabled"))) {
		resp_error(r, OCH_EINVAL, "dm_policy: pairing, allowlist, open "
		    "or disabled");
		goto out;
	}
	if ((allow_s = channel_allow(r, policy)) == NULL ||
	    channel_sealed(r, k, id, &sealed) < 0)
		goto out;
	p[0] = id;
	p[1] = kind;
	if ((cnt = db_exec(r->app->db, &stmt_ch_count, 2, p, &err)) != NULL &&
	    db_int(cnt, 0, 0) >= a->max_channels) {
		resp_errorf(r, OCH_EUNPROCESSABLE, "the plan allows %lld "
		    "channels", (long long)a->max_channels);
		goto out;
	}
	p[2] = en == NULL || cJSON_IsTrue(en) ? "true" : "false";
	p[3] = policy;
	p[4] = allow_s;
	p[5] = sealed;
	if (cnt != NULL)
		err = db_run(r->app->db, &stmt_ch_put, 6, p, NULL);
	changed(r, err);
out:
	ent_plan_free(a, 1);
	PQclear(cnt);
	cJSON_free(allow_s);
	free(sealed);
}

/* DELETE of one row keyed by the second path parameter. */
static void
delete_one(struct req *r, const struct db_stmt *st)
{
	const char	*p[2] = { req_param(r, 0), req_param(r, 1) };
	long		 n = 0;
	enum och_err	 err;

	if (access_check(r, NULL, 0) < 0)
		return;
	err = db_run(r->app->db, st, 2, p, &n);
	if (err == OCH_OK && n == 0)
		err = OCH_ENOTFOUND;
	changed(r, err);
}

static void h_channel_del(struct req *r) { delete_one(r, &stmt_ch_del); }
static void h_key_del(struct req *r) { delete_one(r, &stmt_key_del); }
static void h_skill_del(struct req *r) { delete_one(r, &stmt_sk_del); }

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
	resp_json(r, 200, root);
}

static void
h_key_put(struct req *r)
{
	const char	*id = req_param(r, 0), *prov = req_param(r, 1), *key;
	const char	*p[4];
	char		*ad, *sealed, last4[5];
	enum och_err	 err;

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
	snprintf(last4, sizeof(last4), "%s", key + strlen(key) - 4);
	ad = xasprintf("ai_keys:%s:%s", id, prov);
	sealed = cry_seal_bytea(r->app->keys, ad, key, strlen(key));
	free(ad);
	if (sealed == NULL) {
		resp_error(r, OCH_ESYSTEM, NULL);
		return;
	}
	p[0] = id;
	p[1] = prov;
	p[2] = sealed;
	p[3] = last4;
	err = db_run(r->app->db, &stmt_key_put, 4, p, NULL);
	free(sealed);
	changed(r, err);
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
	PGresult	*cnt;
	struct ent_plan	*a;
	const char	*p[3] = { req_param(r, 0), req_param(r, 1), "true" };
	const cJSON	*en;
	long		 n = 0;
	enum och_err	 err;

	if (access_check(r, NULL, 0) < 0 || (a = plan_limits(r)) == NULL)
		return;
	en = r->json ? cJSON_GetObjectItemCaseSensitive(r->json, "enabled") :
	    NULL;
	if (en != NULL && !cJSON_IsBool(en)) {
		ent_plan_free(a, 1);
		resp_error(r, OCH_EINVAL, "enabled: must be true or false");
		return;
	}
	if (en != NULL && cJSON_IsFalse(en))
		p[2] = "false";
	if ((cnt = db_exec(r->app->db, &stmt_sk_count, 2, p, &err)) == NULL) {
		ent_plan_free(a, 1);
		resp_error(r, err, NULL);
		return;
	}
	if (strcmp(p[2], "true") == 0 && db_int(cnt, 0, 0) >= a->max_skills) {
		resp_errorf(r, OCH_EUNPROCESSABLE, "the plan allows %lld skills",
		    (long long)a->max_skills);
		ent_plan_free(a, 1);
		PQclear(cnt);
		return;
	}
	ent_plan_free(a, 1);
	PQclear(cnt);
	err = valid_name(p[1]) || valid_slug(p[1]) ?
	    db_run(r->app->db, &stmt_sk_put, 3, p, &n) : OCH_OK;
	if (err == OCH_OK && n == 0)
		err = OCH_ENOTFOUND;
	changed(r, err);
}

static void
h_pairing(struct req *r)
{
	PGresult	*res;
	cJSON		*o;

	if ((res = owned_rows(r, &stmt_pairing)) == NULL)
		return;
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "requests", PQntuples(res) ?
	    cJSON_Parse(db_val(res, 0, 0)) : cJSON_CreateArray());
	if (PQntuples(res))
		cJSON_AddStringToObject(o, "reported_at", db_val(res, 0, 1));
	PQclear(res);
	resp_json(r, 200, o);
}

/* Queue a command for the instance's agent; 202 {"command_id"}. */
void
settings_queue(struct req *r, const char *kind, const char *args)
{
	PGresult	*res;
	const char	*p[4];
	char		 who[32];
	cJSON		*o;
	enum och_err	 err;

	snprintf(who, sizeof(who), "user:%lld", (long long)r->auth.user_id);
	p[0] = req_param(r, 0);
	p[1] = kind;
	p[2] = args;
	p[3] = who;
	if ((res = db_exec(r->app->db, &stmt_command, 4, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "command_id", db_val(res, 0, 0));
	PQclear(res);
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

/* The stored backups of stmt_backups' rows, as the backups answer lists them. */
static void
backups_json(cJSON *arr, const PGresult *res)
{
	cJSON	*o;
	int	 i;

	for (i = 0; i < PQntuples(res); i++) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)db_int(res, i, 0));
		cJSON_AddStringToObject(o, "kind", db_val(res, i, 1));
		cJSON_AddStringToObject(o, "status", db_val(res, i, 2));
		if (db_val(res, i, 3))
			cJSON_AddStringToObject(o, "name", db_val(res, i, 3));
		if (db_val(res, i, 4))
			cJSON_AddNumberToObject(o, "size_bytes",
			    (double)db_int(res, i, 4));
		cJSON_AddStringToObject(o, "created_at", db_val(res, i, 5));
		cJSON_AddItemToArray(arr, o);
	}
}

/* stmt_backup_cmds' rows: restores go to rst, the agent's backups to arr. */
static void
backup_cmds_json(cJSON *arr, cJSON *rst, const PGresult *cmds)
{
	cJSON	*o;
	int	 i;

	for (i = 0; i < PQntuples(cmds); i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "command_id", db_val(cmds, i, 0));
		cJSON_AddStringToObject(o, "status", db_val(cmds, i, 1));
		cJSON_AddStringToObject(o, "created_at", db_val(cmds, i, 3));
		if (strcmp(db_val(cmds, i, 4), "backup_restore") == 0) {
			cJSON_AddNumberToObject(o, "backup_id",
			    (double)db_int(cmds, i, 5));
			if (db_val(cmds, i, 6))
				cJSON_AddStringToObject(o, "error",
				    db_val(cmds, i, 6));
			cJSON_AddItemToArray(rst, o);
			continue;
		}
		if (db_val(cmds, i, 2))
			cJSON_AddItemToObject(o, "result",
			    cJSON_Parse(db_val(cmds, i, 2)));
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
	struct ent_plan	*a;
	PGresult	*res, *cmds;
	const char	*p[1] = { req_param(r, 0) };
	cJSON		*root, *arr;
	enum och_err	 err;

	if (access_check(r, NULL, 0) < 0 || (a = plan_limits(r)) == NULL)
		return;
	if ((res = db_exec(r->app->db, &stmt_backups, 1, p, &err)) == NULL) {
		ent_plan_free(a, 1);
		resp_error(r, err, NULL);
		return;
	}
	if ((cmds = db_exec(r->app->db, &stmt_backup_cmds, 1, p, &err)) == NULL) {
		ent_plan_free(a, 1);
		PQclear(res);
		resp_error(r, err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "snapshot_slots", (double)a->snapshot_slots);
	ent_plan_free(a, 1);
	backups_json(cJSON_AddArrayToObject(root, "backups"), res);
	arr = cJSON_AddArrayToObject(root, "agent_backups");
	backup_cmds_json(arr, cJSON_AddArrayToObject(root, "restores"), cmds);
	PQclear(res);
	PQclear(cmds);
	resp_json(r, 200, root);
}

static void
h_backup_create(struct req *r)
{
	cJSON		*o;
	char		 who[32], bid[24], cid[24], state[32];
	enum och_err	 err;

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
	    cid)) != OCH_OK)
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
