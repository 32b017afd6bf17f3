/*
 * agent_api.c: what the VPS agent fetches and sends with its agent token
 * (cloud-init/AGENT-PROTOCOL.md).  Every query is keyed by the token's own
 * instance (r->auth.instance_id); nothing here takes an instance id from
 * the request.
 *
 *   GET  /api/v1/agent/config              the gateway config, env and skills (ETag = revision)
 *   GET  /api/v1/agent/commands?wait=&config_revision=   long poll
 *   POST /api/v1/agent/commands/{id}       a command's result
 *   POST /api/v1/agent/report              health, version, channels, pairing
 *                                          (the rest: agent_status.c)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "agent.h"
#include "audit.h"
#include "ent_agent.h"
#include "ent_command.h"
#include "ent_report.h"
#include "inst.h"
#include "js.h"
#include "log.h"
#include "park.h"
#include "valid.h"

#define AGENT_CHANNEL	"och_agent"
#define AGENT_WAIT_MAX	25

/* Which environment variable carries each channel secret. */
static const struct {
	const char	*kind;
	const char	*field;		/* in the sealed JSON object */
	const char	*config_key;	/* in channels.<kind> */
	const char	*env;
} chan_secrets[] = {
	{ "telegram", "bot_token", "botToken", "TELEGRAM_BOT_TOKEN" },
	{ "discord", "token", "token", "DISCORD_BOT_TOKEN" },
	{ "slack", "bot_token", "botToken", "SLACK_BOT_TOKEN" },
	{ "slack", "app_token", "appToken", "SLACK_APP_TOKEN" },
};

/* A value the agent accepts in its env file (AGENT-PROTOCOL.md §2). */
static int
env_value_ok(const char *v)
{
	size_t	 n = strlen(v);

	return n >= 1 && n <= 4096 && strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._~+/=:@,-") == n;
}

static void
add_env(struct req *r, cJSON *env, const char *name, const char *value)
{
	if (value == NULL || !env_value_ok(value)) {
		/* say which, never what */
		log_warn("instance %s: %s has characters the agent refuses; "
		    "left out", r->auth.instance_id, name);
		return;
	}
	cJSON_AddStringToObject(env, name, value);
}

/*
 * A channel's secrets (secrets: a JSON object's text) into its config
 * block c as ${ENV} references and into env as values.  Never fails.
 */
static void
channel_secrets(struct req *r, cJSON *c, const char *kind,
    const char *secrets, cJSON *env)
{
	const cJSON	*v;
	cJSON		*secret, *it;
	char		*name;
	size_t		 j;

	if ((secret = cJSON_Parse(secrets)) == NULL)
		return;
	for (j = 0; j < OCH_NELEM(chan_secrets); j++) {
		if (strcmp(chan_secrets[j].kind, kind) != 0)
			continue;
		v = cJSON_GetObjectItemCaseSensitive(secret,
		    chan_secrets[j].field);
		if (!cJSON_IsString(v))
			continue;
		name = xasprintf("${%s}", chan_secrets[j].env);
		cJSON_AddStringToObject(c, chan_secrets[j].config_key, name);
		free(name);
		add_env(r, env, chan_secrets[j].env, v->valuestring);
	}
	/* wipe the parsed copy's strings before freeing */
	cJSON_ArrayForEach(it, secret)
		if (cJSON_IsString(it))
			OPENSSL_cleanse(it->valuestring, strlen(it->valuestring));
	cJSON_Delete(secret);
}

/* The channels of c into oc.channels, their plugins into ent and their
 * secrets into env.  Never fails. */
static void
add_channels(struct req *r, const struct ent_agent_config *c, cJSON *oc,
    cJSON *ent, cJSON *env)
{
	const struct ent_agent_channel	*ch;
	cJSON	*chans = cJSON_AddObjectToObject(oc, "channels"), *o, *allow;
	size_t	 i;

	for (i = 0; i < c->nchannels; i++) {
		ch = &c->channels[i];
		o = cJSON_AddObjectToObject(chans, ch->kind);
		agent_channel_plugin(ent, ch->kind);
		cJSON_AddBoolToObject(o, "enabled", ch->enabled);
		cJSON_AddStringToObject(o, "dmPolicy", ch->dm_policy);
		allow = ch->allow_from_json != NULL ?
		    cJSON_Parse(ch->allow_from_json) : NULL;
		if (allow != NULL && cJSON_GetArraySize(allow) > 0)
			cJSON_AddItemToObject(o, "allowFrom", allow);
		else
			cJSON_Delete(allow);
		if (ch->secrets_json != NULL)
			channel_secrets(r, o, ch->kind, ch->secrets_json, env);
	}
}

/* The AI provider keys of c into env, each under the variable OpenClaw
 * reads it from.  Never fails. */
static void
add_keys(struct req *r, const struct ent_agent_config *c, cJSON *env)
{
	size_t	 i;

	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].key != NULL)
			add_env(r, env, c->keys[i].env, c->keys[i].key);
}

/* openclaw.* of the document from c; env gets the secrets.  OCH_OK, or
 * the database error of agent_owner(). */
static enum och_err
add_openclaw(struct req *r, const struct ent_agent_config *c, cJSON *doc,
    cJSON *env)
{
	cJSON		*oc, *model, *ent;
	char		*fqdn;
	enum och_err	 err;

	oc = cJSON_AddObjectToObject(doc, "openclaw");
	fqdn = inst_hostname(c->slug, &r->app->cfg);
	cJSON_AddItemToObject(oc, "gateway", agent_gateway_block(fqdn));
	free(fqdn);
	if ((err = agent_owner(r->app->db, r->auth.instance_id, oc)) != OCH_OK)
		return err;
	ent = cJSON_AddObjectToObject(cJSON_AddObjectToObject(oc, "plugins"),
	    "entries");
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(ent, "admin-http-rpc"),
	    "enabled", 1);
	if (c->model_primary != NULL) {
		model = cJSON_AddObjectToObject(cJSON_AddObjectToObject(
		    cJSON_AddObjectToObject(oc, "agents"), "defaults"), "model");
		cJSON_AddStringToObject(model, "primary", c->model_primary);
		if (c->model_fallbacks_json != NULL)
			cJSON_AddItemToObject(model, "fallbacks",
			    cJSON_Parse(c->model_fallbacks_json));
	}
	add_channels(r, c, oc, ent, env);
	return OCH_OK;
}

/*
 * Build the agent's config document for the token's instance.  Returns
 * the document (caller deletes) with *revision set, or NULL with *err.
 */
static cJSON *
build_config(struct req *r, long long *revision, enum och_err *err)
{
	struct ent_agent_config	*c;
	cJSON			*doc, *env, *skills, *s;
	size_t			 i;

	if ((*err = ent_agent_config_read(r->app->db, r->app->keys,
	    r->auth.instance_id, &c)) != OCH_OK)
		return NULL;
	*revision = c->revision;
	doc = cJSON_CreateObject();
	cJSON_AddNumberToObject(doc, "revision", (double)*revision);
	env = cJSON_CreateObject();
	if ((*err = add_openclaw(r, c, doc, env)) != OCH_OK) {
		cJSON_Delete(env);
		cJSON_Delete(doc);
		ent_agent_config_free(c);
		return NULL;
	}
	add_keys(r, c, env);
	cJSON_AddItemToObject(doc, "env", env);
	agent_config_token(r, doc);
	skills = cJSON_AddArrayToObject(doc, "skills");
	for (i = 0; i < c->nskills; i++) {
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "slug", c->skills[i].slug);
		cJSON_AddStringToObject(s, "version", c->skills[i].version);
		cJSON_AddItemToArray(skills, s);
	}
	ent_agent_config_free(c);
	return doc;
}

/* Free a config document after wiping the env values (provider keys). */
static void
wipe_config(cJSON *doc)
{
	cJSON	*env, *it;

	it = cJSON_GetObjectItemCaseSensitive(doc, "gateway_token");
	if (cJSON_IsString(it))
		OPENSSL_cleanse(it->valuestring, strlen(it->valuestring));
	env = cJSON_GetObjectItemCaseSensitive(doc, "env");
	cJSON_ArrayForEach(it, env)
		if (cJSON_IsString(it))
			OPENSSL_cleanse(it->valuestring, strlen(it->valuestring));
	cJSON_Delete(doc);
}

void
agent_config(struct req *r)
{
	cJSON		*doc;
	const char	*inm;
	char		 etag[40], *s;
	long long	 rev = 0;
	enum och_err	 err = OCH_OK;

	(void)ent_agent_seen(r->app->db, r->auth.instance_id);
	if ((doc = build_config(r, &rev, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	snprintf(etag, sizeof(etag), "\"%lld\"", rev);
	resp_header(r, "ETag", etag);
	inm = req_header(r, "IF_NONE_MATCH");
	if (inm != NULL && strcmp(inm, etag) == 0) {
		wipe_config(doc);
		resp_empty(r, 304);
		return;
	}
	s = cJSON_PrintUnformatted(doc);
	wipe_config(doc);
	if (s == NULL) {
		resp_error(r, OCH_ESYSTEM, NULL);
		return;
	}
	resp_raw(r, 200, "application/json", s, strlen(s));
	OPENSSL_cleanse(s, strlen(s));
	cJSON_free(s);
	log_info("config revision %lld sent to %s", rev, r->auth.instance_id);
}

/*
 * The long poll parks in lib/park.c (srv_park): the waker LISTENs on
 * och_agent, whose payload is the instance id (schema triggers on
 * commands and config revisions).
 */
#define PARK_RECHECK	10	/* s: look at every parked poll this often */
/* parked polls per instance and worker (an agent needs one, two while a
 * reconnect overlaps): a further poll answers the oldest at once */
#define PARK_PER_INSTANCE	2

/*
 * Look at an instance's queue: the commands to deliver (marked running)
 * and the current config revision, as the answer in *out.  Returns 1 when
 * the answer is worth sending now (commands, or a revision other than
 * `seen`), 0 when it is empty, -1 on a database error (*err).
 */
static int
poll_once(struct db *db, const char *inst, int64_t seen, cJSON **out,
    enum och_err *err)
{
	struct ent_command	*cmd;
	cJSON			*o, *arr, *c, *args;
	int64_t			 rev;
	size_t			 i, n;

	*out = NULL;
	if ((*err = ent_command_claim(db, inst, &cmd, &n)) != OCH_OK)
		return -1;
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "commands");
	for (i = 0; i < n; i++) {
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "id", cmd[i].id);
		cJSON_AddStringToObject(c, "type", cmd[i].kind);
		args = cJSON_Parse(cmd[i].args_json);
		cJSON_AddItemToObject(c, "args", args ? args :
		    cJSON_CreateObject());
		cJSON_AddItemToArray(arr, c);
	}
	ent_command_free(cmd, n);
	if ((*err = ent_agent_revision(db, inst, &rev)) != OCH_OK) {
		cJSON_Delete(o);
		return -1;
	}
	cJSON_AddNumberToObject(o, "config_revision", (double)rev);
	*out = o;
	return n > 0 || (seen >= 0 && rev != seen);
}

static const struct srv_park_ops park_ops = { AGENT_CHANNEL, poll_once,
	PARK_PER_INSTANCE, PARK_RECHECK };

int
agent_init(struct app *app)
{
	return srv_park_start(app, &park_ops);
}

/*
 * GET /api/v1/agent/commands?wait=S&config_revision=N: answer at once
 * when commands are pending or the config revision moved past the
 * agent's; else park the request for up to S (≤ 25) seconds.
 */
void
agent_commands(struct req *r)
{
	const char	*id = r->auth.instance_id;
	char		*w, *cr;
	int64_t		 wait = AGENT_WAIT_MAX, seen = -1;
	int		 bad1 = 0, bad2 = 0;

	w = req_query(r, "wait", &bad1);
	cr = req_query(r, "config_revision", &bad2);
	if (bad1 || bad2 || (w != NULL && !valid_int64(w, 0, 3600, &wait)) ||
	    (cr != NULL && !valid_int64(cr, 0, INT64_MAX, &seen))) {
		free(w);
		free(cr);
		resp_error(r, OCH_EINVAL, "wait/config_revision: bad value");
		return;
	}
	free(w);
	free(cr);
	if (wait > AGENT_WAIT_MAX)
		wait = AGENT_WAIT_MAX;
	(void)ent_agent_seen(r->app->db, id);
	srv_park(r, id, seen, (int)wait);
}

/* POST /api/v1/agent/commands/{id} {status: ok|error|running, output, error} */
void
agent_command_result(struct req *r)
{
	const char	*cid = req_param(r, 0), *status;
	const cJSON	*out;
	cJSON		*res_js;
	char		*s, *msg;
	enum och_err	 err;
	int64_t		 n;

	if (!valid_int64(cid, 1, INT64_MAX, &n)) {
		resp_error(r, OCH_ENOTFOUND, "no such command");
		return;
	}
	if (r->json == NULL || js_str(r->json, "status", 16, &status) !=
	    JS_OK || (strcmp(status, "ok") != 0 && strcmp(status, "error") !=
	    0 && strcmp(status, "running") != 0)) {
		resp_error(r, OCH_EINVAL, "status: one of ok, error, running");
		return;
	}
	out = cJSON_GetObjectItemCaseSensitive(r->json, "output");
	if (out != NULL && !cJSON_IsObject(out) && !cJSON_IsNull(out)) {
		resp_error(r, OCH_EINVAL, "output: must be an object");
		return;
	}
	res_js = cJSON_CreateObject();
	if (out != NULL && cJSON_IsObject(out))
		cJSON_AddItemToObject(res_js, "output", cJSON_Duplicate(out, 1));
	if (js_str(r->json, "error", 4000, (const char **)&msg) == JS_OK)
		cJSON_AddStringToObject(res_js, "error", msg);
	s = cJSON_PrintUnformatted(res_js);
	cJSON_Delete(res_js);
	err = ent_command_finish(r->app->db, r->auth.instance_id, cid,
	    strcmp(status, "ok") == 0 ? "done" : strcmp(status, "error") == 0 ?
	    "failed" : "running", s);
	cJSON_free(s);
	if (err != OCH_OK) {
		resp_error(r, err, err == OCH_ENOTFOUND ? "no such command" :
		    err == OCH_ECONFLICT ? "the command already has its final "
		    "result" : NULL);
		return;
	}
	resp_empty(r, 204);
	if (strcmp(status, "running") != 0)
		audit_req(r, "agent.command_result", "instance_command", cid,
		    204, strcmp(status, "ok") == 0 ? "{\"ok\":true}" :
		    "{\"ok\":false}");
}

/* A member as JSON text for a jsonb column, or the fallback. */
static char *
member_json(const cJSON *o, const char *key, const char *fallback)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL || cJSON_IsNull(v))
		return xstrdup(fallback);
	return cJSON_PrintUnformatted(v);
}

/* POST /api/v1/agent/report */
void
agent_report(struct req *r)
{
	struct db		*db = r->app->db;
	struct ent_report_in	 in;
	const cJSON		*cfg;
	const char		*ver = NULL, *cerr = NULL, *bad;
	char			*health, *chans, *pairing, rev[24];
	enum och_err	 err;
	int64_t		 applied = 0;

	if (r->json == NULL) {
		resp_error(r, OCH_EINVAL, "a JSON report is required");
		return;
	}
	/* each part is read by statements of its own: its type is the
	 * protocol's or the report is refused (nothing stored) */
	if ((bad = agent_report_misfit(r->json)) != NULL) {
		resp_errorf(r, OCH_EINVAL, "%s: not of the protocol's JSON type",
		    bad);
		return;
	}
	(void)js_str(r->json, "openclaw_version", 64, &ver);
	cfg = cJSON_GetObjectItemCaseSensitive(r->json, "config");
	if (cJSON_IsObject(cfg)) {
		(void)js_int64(cfg, "applied_revision", 0, INT64_MAX, &applied);
		(void)js_str(cfg, "error", 2000, &cerr);
	}
	health = member_json(r->json, "health", "{}");
	chans = member_json(r->json, "channels", "[]");
	pairing = member_json(r->json, "pairing_requests", "[]");
	snprintf(rev, sizeof(rev), "%lld", (long long)applied);
	if (db_begin(db) < 0) {
		err = OCH_EDB;
		goto out;
	}
	in.id = r->auth.instance_id;
	in.health = health;
	in.version = ver;
	in.applied_revision = applied ? rev : NULL;
	in.config_error = cerr;
	in.channels = chans;
	in.pairing = pairing;
	if ((err = ent_report_put(db, &in)) != OCH_OK)
		goto out;
	/* setup, tls, skills, devices, usage; a booting instance settled */
	if ((err = agent_report_store(r, r->json)) != OCH_OK)
		goto out;
	(void)ent_agent_seen(db, r->auth.instance_id);
	if (db_commit(db) < 0)
		err = OCH_EDB;
out:
	db_rollback(db);
	if (err != OCH_OK)
		resp_error(r, err, err == OCH_EINVAL ?
		    "the report holds a value out of range" : NULL);
	else
		resp_empty(r, 204);
	cJSON_free(health);
	cJSON_free(chans);
	cJSON_free(pairing);
}
