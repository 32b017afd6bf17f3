/*
 * agent.fcgi: the VPS agent's API (cloud-init/AGENT-PROTOCOL.md).
 *
 *   POST /api/v1/agent/ready   {"bootstrap_token": "..."}  (one-time token)
 *     Trades the bootstrap token (single use, 2 h) for the long-lived agent
 *     token and the instance's secrets, once; moves a booting instance to
 *     active in the same transaction, with the welcome email and the WHMCS
 *     update queued in the outboxes -- unless its "setup" says the VPS's
 *     setup failed (then failed, operators emailed) or is still running
 *     (then booting until a report says finished): agent_status.c.
 *     "exporter_pin" (optional) is the public-key pin of the VPS's
 *     node_exporter TLS key ("sha256//<base64 of the SPKI's SHA-256>",
 *     as CURLOPT_PINNEDPUBLICKEY takes it), stored for the poller's
 *     scrape; a malformed one is refused (400) and the token stays unused.
 *
 * A warm pool server's agent: agent_pool.c (POST /api/v1/agent/pool).
 * The other agent routes (config, commands, report) use the agent token
 * (Authorization: Bearer) and reach only the token's own instance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "audit.h"
#include "cry.h"
#include "ent_agent.h"
#include "ent_secret.h"
#include "inst.h"
#include "js.h"
#include "log.h"
#include "srv.h"
#include "valid.h"

/* The secrets an instance's VPS gets on its ready call. */
static const char *const secret_names[] = { "gateway_token",
    "node_exporter_password" };

/*
 * The ready call's bootstrap token and optional exporter pin (strings in
 * the body).  Returns 0, or -1 answered and audited (401 for a missing
 * or malformed token, 400 for a bad pin).
 */
static int
ready_input(struct req *r, const char **tok, const char **pin)
{
	if (r->json == NULL || js_str(r->json, "bootstrap_token", 256, tok) !=
	    JS_OK || !valid_hex(*tok, 32, 256)) {
		resp_error(r, OCH_EAUTH, NULL);
		audit_req(r, "agent.ready", NULL, NULL, 401, NULL);
		return -1;
	}
	if (js_str(r->json, "exporter_pin", 64, pin) == JS_BAD ||
	    (*pin != NULL && !valid_pin(*pin))) {
		resp_error(r, OCH_EINVAL, "exporter_pin must be sha256// and the "
		    "base64 of the SHA-256 of the key's SubjectPublicKeyInfo");
		audit_req(r, "agent.ready", NULL, NULL, 400, NULL);
		return -1;
	}
	return 0;
}

/*
 * In the ready call's transaction, for instance id in state: refused
 * (OCH_ECONFLICT) when it is terminating, terminated or failed; else the
 * bootstrap token (hash) used up, the instance's agent tokens revoked
 * (one live agent per instance: a rebuild replaces it) and a new one
 * stored; *agent is it (caller frees with xfree_secret).  OCH_OK or the
 * error.
 */
static enum och_err
ready_token(struct req *r, const char *hash, const char *id,
    const char *state, char **agent)
{
	if (strcmp(state, "terminating") == 0 ||
	    strcmp(state, "terminated") == 0 || strcmp(state, "failed") == 0) {
		log_warn("ready call for instance %s in state %s refused", id,
		    state);
		return OCH_ECONFLICT;
	}
	return ent_agent_token_new(r->app->db, hash, id, agent);
}

/*
 * The rest of the ready call's transaction for instance id (in state):
 * the exporter pin and ready time stored, what the setup report says
 * applied, the history, the poller woken, the commit.  OCH_OK or the
 * error (not rolled back).
 */
static enum och_err
ready_commit(struct req *r, const char *id, const char *state,
    const char *pin)
{
	struct db	*db = r->app->db;
	enum och_err	 err;

	if ((err = ent_agent_ready(db, id, pin)) != OCH_OK)
		return err;
	/* active, still setting up, or failed: as the setup says */
	if (agent_setup_apply(r, id, state, cJSON_GetObjectItemCaseSensitive(
	    r->json, "setup"), &err) == AGENT_SETUP_ERROR)
		return err;
	if (strcmp(state, "booting") != 0 && strcmp(state, "rebuilding") != 0 &&
	    (err = inst_event(db, id, "agent.ready", state, NULL,
	    "ready before the create step finished", "agent")) != OCH_OK)
		return err;
	/* the poller sends the outbox rows now */
	if ((err = inst_notify(db, id)) != OCH_OK)
		return err;
	return db_commit(db) < 0 ? OCH_EDB : OCH_OK;
}

/* The ready call's answer for instance id (slug: its hostname's). */
static cJSON *
ready_json(struct req *r, const char *id, const char *agent,
    const char *slug, const char *const *vals)
{
	cJSON	*o, *sec;
	char	*url;
	size_t	 i;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "instance_id", id);
	cJSON_AddStringToObject(o, "agent_token", agent);
	url = inst_hostname(slug, &r->app->cfg);
	cJSON_AddStringToObject(o, "hostname", url);
	free(url);
	sec = cJSON_AddObjectToObject(o, "secrets");
	for (i = 0; i < OCH_NELEM(secret_names); i++)
		cJSON_AddStringToObject(sec, secret_names[i], vals[i]);
	url = xasprintf("%s/api/v1/agent/config",
	    cfg_str(&r->app->cfg, CFG_API_URL, ""));
	cJSON_AddStringToObject(o, "config_url", url);
	free(url);
	return o;
}

/*
 * The ready call of the instance claimed (b) in the open transaction:
 * the agent token, the secrets, the rest of the transaction, the answer.
 * OCH_OK after answering, or the error (the caller rolls back).
 */
static enum och_err
ready_instance(struct req *r, const char *hash, const char *pin,
    const struct ent_agent_boot *b)
{
	char		*agent = NULL, *vals[OCH_NELEM(secret_names)] = { NULL };
	enum och_err	 err;
	size_t		 i;

	if ((err = ready_token(r, hash, b->instance_id, b->state, &agent)) !=
	    OCH_OK)
		goto out;
	for (i = 0; i < OCH_NELEM(secret_names); i++)
		if ((err = ent_secret_ensure(r->app->db, r->app->keys,
		    b->instance_id, secret_names[i], &vals[i])) != OCH_OK)
			goto out;
	if ((err = ready_commit(r, b->instance_id, b->state, pin)) != OCH_OK)
		goto out;
	resp_json(r, 200, ready_json(r, b->instance_id, agent, b->slug,
	    (const char *const *)vals));
	log_info("agent ready instance=%s from=%s", b->instance_id, b->state);
	audit_req(r, "agent.ready", "instance", b->instance_id, 200, NULL);
out:
	xfree_secret(agent);
	for (i = 0; i < OCH_NELEM(secret_names); i++)
		xfree_secret(vals[i]);
	return err;
}

static void
h_ready(struct req *r)
{
	struct db		*db = r->app->db;
	struct ent_agent_boot	 b = { NULL, NULL, NULL };
	const char		*tok, *pin = NULL;
	char			 hash[65];
	enum och_err		 err;

	if (ready_input(r, &tok, &pin) < 0)
		return;
	cry_sha256_hex(tok, strlen(tok), hash);
	if (db_begin(db) < 0) {
		resp_error(r, OCH_EDB, NULL);
		return;
	}
	if ((err = ent_agent_claim(db, hash, &b)) == OCH_ENOTFOUND) {
		/* a warm pool server's token? (agent_pool.c) */
		db_rollback(db);
		if (agent_pool_ready(r, hash))
			return;
		/* unknown, used or expired: all look the same */
		log_info("bootstrap token refused");
		err = OCH_EAUTH;
	} else if (err == OCH_OK) {
		r->auth.kind = AUTH_BOOTSTRAP;
		r->auth.instance_id = xstrdup(b.instance_id);
		err = ready_instance(r, hash, pin, &b);
	}
	if (err != OCH_OK) {
		db_rollback(db);
		resp_error(r, err, NULL);
		audit_req(r, "agent.ready", "instance", b.instance_id,
		    err_status(err), NULL);
	}
	ent_agent_boot_free(&b);
}

/* the routes: lib/routes.def */
static const struct route routes[] = { OCH_ROUTES_agent(SRV_ROUTE) };

int
main(int argc, char **argv)
{
	static const enum cfg_key required[] = { CFG_DATABASE_URL,
	    CFG_OCH_MASTER_KEY, CFG__MAX };

	return srv_main(argc, argv, "agent", routes, OCH_NELEM(routes),
	    required, agent_init);
}
