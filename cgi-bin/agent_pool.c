/*
 * agent_pool.c: the agent of a warm pool server (lib/pool.h).
 *
 *   POST /api/v1/agent/ready {"bootstrap_token": <pool token>, "setup"}
 *     A pool server's user-data carries a one-time pool token in place of
 *     an instance's bootstrap token (agent.c hands it here when it is not
 *     an instance's).  Setup finished: the server is ready and the answer
 *     is {"pool":true,"state":"waiting","pool_token","poll_url",
 *     "poll_seconds"}; setup failed: it is discarded ("state":"discarded",
 *     the poller deletes it); setup still running: 409, try again.
 *   POST /api/v1/agent/pool (Authorization: Bearer <pool token>)
 *     While no order claimed it: {"state":"waiting","poll_seconds"} (and
 *     the poll keeps it in the pool: a silent one is discarded).  Once
 *     claimed: {"state":"claimed","instance_id","bootstrap_token"} with a
 *     fresh bootstrap token of the instance (stored as a hash, 2 h), which
 *     the agent trades at /agent/ready as any new VPS does.  Asked again
 *     before that ready call (a lost answer), it mints another one; after
 *     it, the pool token is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "audit.h"
#include "cry.h"
#include "log.h"
#include "ent_pool.h"
#include "pool.h"
#include "userdata.h"

/* "finished" setup (or none said): 1; failed: 0; still running: -1. */
static int
setup_state(const cJSON *setup, const char **step)
{
	const cJSON	*ok, *st;

	*step = "";
	if (!cJSON_IsObject(setup))
		return 1;
	ok = cJSON_GetObjectItemCaseSensitive(setup, "ok");
	st = cJSON_GetObjectItemCaseSensitive(setup, "step");
	if (cJSON_IsString(st))
		*step = st->valuestring;
	if (cJSON_IsTrue(ok))
		return 1;
	return strcmp(*step, "running") == 0 ? -1 : 0;
}

/* A pool server's ready answer: discarded (tok NULL) or waiting. */
static void
pool_ready_answer(struct req *r, const char *id, const char *tok,
    const char *step)
{
	cJSON	*o = cJSON_CreateObject();
	char	*url;

	cJSON_AddBoolToObject(o, "pool", 1);
	if (tok == NULL) {
		log_warn("pool server %s: setup failed at %s: discarded", id,
		    step);
		cJSON_AddStringToObject(o, "state", "discarded");
	} else {
		cJSON_AddStringToObject(o, "state", "waiting");
		cJSON_AddStringToObject(o, "pool_token", tok);
		url = xasprintf("%s/api/v1/agent/pool",
		    cfg_str(&r->app->cfg, CFG_API_URL, ""));
		cJSON_AddStringToObject(o, "poll_url", url);
		free(url);
		cJSON_AddNumberToObject(o, "poll_seconds", POOL_POLL_SECONDS);
		log_info("pool server %s ready", id);
	}
	resp_json(r, 200, o);
	audit_req(r, "agent.pool_ready", "pool_server", id, 200, NULL);
}

int
agent_pool_ready(struct req *r, const char *hash)
{
	const char	*step;
	char		 thash[65], *tok = NULL, *id = NULL;
	enum och_err	 err;
	int		 ok;

	if ((err = ent_pool_known(r->app->db, hash, &ok)) != OCH_OK) {
		resp_error(r, err, NULL);
		return 1;
	}
	if (!ok)
		return 0;	/* not a pool token either */
	ok = setup_state(cJSON_GetObjectItemCaseSensitive(r->json, "setup"),
	    &step);
	if (ok < 0) {
		resp_error(r, OCH_ECONFLICT, "setup still running");
		return 1;
	}
	if (ok && (tok = cry_token(32)) == NULL) {
		resp_error(r, OCH_ESYSTEM, NULL);
		return 1;
	}
	if (ok)
		cry_sha256_hex(tok, strlen(tok), thash);
	if ((err = ent_pool_ready(r->app->db, hash, ok ? thash : NULL, step,
	    &id)) != OCH_OK)
		resp_error(r, err == OCH_ENOTFOUND ? OCH_EAUTH : err, NULL);
	else
		pool_ready_answer(r, id, tok, step);
	free(id);
	xfree_secret(tok);
	return 1;
}

/*
 * The poll of claimed pool server s in the open transaction: a fresh
 * bootstrap token of its instance handed over, committed, answered.
 * OCH_OK, or the error (the caller rolls back and answers).
 */
static enum och_err
pool_hand(struct req *r, const struct ent_pool_seen *s)
{
	struct db	*db = r->app->db;
	cJSON		*o;
	char		*boot;
	enum och_err	 err = OCH_OK;

	if ((boot = ud_token(db, s->instance_id, &err)) == NULL ||
	    (err = ent_pool_handed(db, s->id)) != OCH_OK ||
	    db_commit(db) < 0) {
		xfree_secret(boot);
		return err == OCH_OK ? OCH_EDB : err;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "state", "claimed");
	cJSON_AddStringToObject(o, "instance_id", s->instance_id);
	cJSON_AddStringToObject(o, "bootstrap_token", boot);
	xfree_secret(boot);
	resp_json(r, 200, o);
	log_info("pool server %s handed to instance %s", s->id,
	    s->instance_id);
	audit_req(r, "agent.pool_claimed", "instance", s->instance_id, 200,
	    NULL);
	return OCH_OK;
}

void
agent_pool_poll(struct req *r)
{
	struct db		*db = r->app->db;
	struct ent_pool_seen	 s = { NULL, 0, NULL };
	cJSON			*o;
	const char		*h;
	char			 hash[65];
	enum och_err		 err;
	size_t			 len;

	h = req_header(r, "AUTHORIZATION");
	if (h == NULL || strncmp(h, "Bearer ", 7) != 0 ||
	    (len = strlen(h + 7)) < 32 || len > 256) {
		resp_error(r, OCH_EAUTH, NULL);
		return;
	}
	cry_sha256_hex(h + 7, len, hash);
	if (db_begin(db) < 0) {
		resp_error(r, OCH_EDB, NULL);
		return;
	}
	if ((err = ent_pool_poll(db, hash, &s)) == OCH_ENOTFOUND)
		err = OCH_EAUTH;
	else if (err == OCH_OK && s.claimed && s.instance_id != NULL)
		err = pool_hand(r, &s);
	else if (err == OCH_OK && db_commit(db) < 0)
		err = OCH_EDB;
	else if (err == OCH_OK) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "state", "waiting");
		cJSON_AddNumberToObject(o, "poll_seconds", POOL_POLL_SECONDS);
		resp_json(r, 200, o);
	}
	if (err != OCH_OK) {
		db_rollback(db);
		resp_error(r, err, NULL);
	}
	ent_pool_seen_free(&s);
}
