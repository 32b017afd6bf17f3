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
	struct db	*db = r->app->db;
	const char	*p[2] = { hash, NULL };
	char		 thash[65];
	enum och_err	 err;

	if (strcmp(state, "terminating") == 0 ||
	    strcmp(state, "terminated") == 0 || strcmp(state, "failed") == 0) {
		log_warn("ready call for instance %s in state %s refused", id,
		    state);
		return OCH_ECONFLICT;
	}
	if ((err = db_run(db, &stmt_use, 1, p, NULL)) != OCH_OK)
		return err;
	p[0] = id;
	if ((err = db_run(db, &stmt_revoke, 1, p, NULL)) != OCH_OK)
		return err;
	if ((*agent = cry_token(32)) == NULL)
		return OCH_ESYSTEM;
	cry_sha256_hex(*agent, strlen(*agent), thash);
	p[0] = thash;
	p[1] = id;
	return db_run(db, &stmt_token, 2, p, NULL);
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
	const char	*p[2] = { id, pin };
	enum och_err	 err;

	if ((err = db_run(db, &stmt_ready, 2, p, NULL)) != OCH_OK)
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

static void
h_ready(struct req *r)
{
	struct db	*db = r->app->db;
	PGresult	*res = NULL;
	const char	*tok, *p[1], *state, *pin = NULL;
	char		 hash[65], *agent = NULL, *id = NULL;
	char		*vals[OCH_NELEM(secret_names)] = { NULL };
	cJSON		*o;
	enum och_err	 err = OCH_OK;
	size_t		 i;

	if (ready_input(r, &tok, &pin) < 0)
		return;
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
	if ((err = ready_token(r, hash, id, state, &agent)) != OCH_OK)
		goto fail;
	for (i = 0; i < OCH_NELEM(secret_names); i++)
		if ((vals[i] = secret(r, id, secret_names[i], &err)) == NULL)
			goto fail;
	if ((err = ready_commit(r, id, state, pin)) != OCH_OK)
		goto fail;
	o = ready_json(r, id, agent, db_val(res, 0, 2),
	    (const char *const *)vals);
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
