/*
 * agent.fcgi: the VPS agent's API (DESIGN §5, §7).
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
#include "inst.h"
#include "js.h"
#include "log.h"
#include "srv.h"
#include "valid.h"

static const struct db_stmt stmt_claim = { "agt_claim",
	"SELECT b.instance_id, i.state, i.slug FROM bootstrap_tokens b"
	" JOIN instances i ON i.id = b.instance_id"
	" WHERE b.token_hash = $1 AND b.used_at IS NULL AND b.expires_at > now()"
	" FOR UPDATE OF b, i" };
static const struct db_stmt stmt_use = { "agt_use",
	"UPDATE bootstrap_tokens SET used_at = now() WHERE token_hash = $1" };
static const struct db_stmt stmt_revoke = { "agt_revoke",
	"UPDATE agent_tokens SET revoked_at = now()"
	" WHERE instance_id = $1::uuid AND revoked_at IS NULL" };
static const struct db_stmt stmt_token = { "agt_token",
	"INSERT INTO agent_tokens (token_hash, instance_id) VALUES ($1, $2::uuid)" };
static const struct db_stmt stmt_secret_get = { "agt_secret_get",
	"SELECT value_enc FROM instance_secrets"
	" WHERE instance_id = $1::uuid AND name = $2" };
static const struct db_stmt stmt_secret_put = { "agt_secret_put",
	"INSERT INTO instance_secrets (instance_id, name, value_enc)"
	" VALUES ($1::uuid, $2, $3::bytea)" };
/* the exporter's pin: this VPS's key (a rebuild's new key replaces it) */
static const struct db_stmt stmt_ready = { "agt_ready",
	"UPDATE instances SET ready_at = now(), updated_at = now(),"
	" exporter_pin = $2 WHERE id = $1::uuid" };

/* The secrets an instance's VPS gets on its ready call. */
static const char *const secret_names[] = { "gateway_token",
    "node_exporter_password" };

/*
 * The instance's secret `name`, created (random, sealed) if missing.
 * Returns the clear value (caller xfree_secret()s) or NULL with *err.
 */
static char *
secret(struct req *r, const char *id, const char *name, enum och_err *err)
{
	PGresult	*res;
	const char	*p[3] = { id, name, NULL };
	char		*ad, *val = NULL, *sealed;
	size_t		 len;

	ad = xasprintf("instance_secrets:%s:%s", id, name);
	if ((res = db_exec(r->app->db, &stmt_secret_get, 2, p, err)) == NULL)
		goto out;
	if (PQntuples(res) == 1) {
		if ((val = cry_open_bytea(r->app->keys, ad, db_val(res, 0, 0),
		    &len)) == NULL) {
			log_error("secret %s of %s does not open", name, id);
			*err = OCH_ESYSTEM;
		}
		goto out;
	}
	if ((val = cry_token(24)) == NULL ||
	    (sealed = cry_seal_bytea(r->app->keys, ad, val, strlen(val))) ==
	    NULL) {
		xfree_secret(val);
		val = NULL;
		*err = OCH_ESYSTEM;
		goto out;
	}
	p[2] = sealed;
	*err = db_run(r->app->db, &stmt_secret_put, 3, p, NULL);
	free(sealed);
	if (*err != OCH_OK) {
		xfree_secret(val);
		val = NULL;
	}
out:
	PQclear(res);
	free(ad);
	return val;
}

static void
h_ready(struct req *r)
{
	struct db	*db = r->app->db;
	PGresult	*res = NULL;
	const char	*tok, *p[2], *state, *pin = NULL;
	char		 hash[65], thash[65], *agent = NULL, *id = NULL, *url;
	char		*vals[OCH_NELEM(secret_names)] = { NULL };
	cJSON		*o, *sec;
	enum och_err	 err = OCH_OK;
	size_t		 i;

	if (r->json == NULL || js_str(r->json, "bootstrap_token", 256, &tok) !=
	    JS_OK || !valid_hex(tok, 32, 256)) {
		resp_error(r, OCH_EAUTH, NULL);
		audit_req(r, "agent.ready", NULL, NULL, 401, NULL);
		return;
	}
	if (js_str(r->json, "exporter_pin", 64, &pin) == JS_BAD ||
	    (pin != NULL && !valid_pin(pin))) {
		resp_error(r, OCH_EINVAL, "exporter_pin must be sha256// and the "
		    "base64 of the SHA-256 of the key's SubjectPublicKeyInfo");
		audit_req(r, "agent.ready", NULL, NULL, 400, NULL);
		return;
	}
	cry_sha256_hex(tok, strlen(tok), hash);
	if (db_begin(db) < 0) {
		resp_error(r, OCH_EDB, NULL);
		return;
	}
	p[0] = hash;
	if ((res = db_exec(db, &stmt_claim, 1, p, &err)) == NULL)
		goto fail;
	if (PQntuples(res) != 1) {
		/* a warm pool server's token? (agent_pool.c) */
		db_rollback(db);
		if (agent_pool_ready(r, hash))
			goto out;
		/* unknown, used or expired: all look the same */
		log_info("bootstrap token refused");
		err = OCH_EAUTH;
		goto fail;
	}
	id = xstrdup(db_val(res, 0, 0));
	r->auth.kind = AUTH_BOOTSTRAP;
	r->auth.instance_id = xstrdup(id);
	state = db_val(res, 0, 1);
	if (strcmp(state, "terminating") == 0 ||
	    strcmp(state, "terminated") == 0 || strcmp(state, "failed") == 0) {
		log_warn("ready call for instance %s in state %s refused", id,
		    state);
		err = OCH_ECONFLICT;
		goto fail;
	}
	if ((err = db_run(db, &stmt_use, 1, p, NULL)) != OCH_OK)
		goto fail;
	/* one live agent token per instance: a rebuild replaces it */
	p[0] = id;
	if ((err = db_run(db, &stmt_revoke, 1, p, NULL)) != OCH_OK)
		goto fail;
	if ((agent = cry_token(32)) == NULL) {
		err = OCH_ESYSTEM;
		goto fail;
	}
	cry_sha256_hex(agent, strlen(agent), thash);
	p[0] = thash;
	p[1] = id;
	if ((err = db_run(db, &stmt_token, 2, p, NULL)) != OCH_OK)
		goto fail;
	for (i = 0; i < OCH_NELEM(secret_names); i++)
		if ((vals[i] = secret(r, id, secret_names[i], &err)) == NULL)
			goto fail;
	p[0] = id;
	p[1] = pin;
	if ((err = db_run(db, &stmt_ready, 2, p, NULL)) != OCH_OK)
		goto fail;
	/* active, still setting up, or failed: as the setup says */
	if (agent_setup_apply(r, id, state, cJSON_GetObjectItemCaseSensitive(
	    r->json, "setup"), &err) == AGENT_SETUP_ERROR)
		goto fail;
	if (strcmp(state, "booting") != 0 && strcmp(state, "rebuilding") != 0 &&
	    (err = inst_event(db, id, "agent.ready", state, NULL,
	    "ready before the create step finished", "agent")) != OCH_OK)
		goto fail;
	/* the poller sends the outbox rows now */
	if ((err = inst_notify(db, id)) != OCH_OK)
		goto fail;
	if (db_commit(db) < 0) {
		err = OCH_EDB;
		goto fail;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "instance_id", id);
	cJSON_AddStringToObject(o, "agent_token", agent);
	url = inst_hostname(db_val(res, 0, 2), &r->app->cfg);
	cJSON_AddStringToObject(o, "hostname", url);
	free(url);
	sec = cJSON_AddObjectToObject(o, "secrets");
	for (i = 0; i < OCH_NELEM(secret_names); i++)
		cJSON_AddStringToObject(sec, secret_names[i], vals[i]);
	url = xasprintf("%s/api/v1/agent/config",
	    cfg_str(&r->app->cfg, CFG_API_URL, ""));
	cJSON_AddStringToObject(o, "config_url", url);
	free(url);
	resp_json(r, 200, o);
	log_info("agent ready instance=%s from=%s", id, state);
	audit_req(r, "agent.ready", "instance", id, 200, NULL);
	goto out;
fail:
	db_rollback(db);
	resp_error(r, err, NULL);
	audit_req(r, "agent.ready", "instance", id, err_status(err), NULL);
out:
	PQclear(res);
	xfree_secret(agent);
	for (i = 0; i < OCH_NELEM(secret_names); i++)
		xfree_secret(vals[i]);
	free(id);
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
