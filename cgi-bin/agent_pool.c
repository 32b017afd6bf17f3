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
#include "pool.h"
#include "userdata.h"

static const struct db_stmt stmt_pool_ready = { "agtp_ready",
	"UPDATE pool_servers SET boot_token_hash = NULL,"
	" agent_token_hash = CASE WHEN $3::boolean THEN $2 END,"
	" state = CASE WHEN $3::boolean THEN 'ready' ELSE 'bad' END,"
	" ready_at = now(), last_seen_at = now(),"
	" last_error = CASE WHEN $3::boolean THEN NULL"
	"  ELSE left('setup failed: ' || $4, 500) END"
	" WHERE boot_token_hash = $1 AND state = 'warming'"
	" AND created_at > now() - interval '" UD_TOKEN_TTL "'"
	" RETURNING id" };
static const struct db_stmt stmt_pool_known = { "agtp_known",
	"SELECT id FROM pool_servers WHERE boot_token_hash = $1"
	" AND state = 'warming'" };
static const struct db_stmt stmt_pool_poll = { "agtp_poll",
	"UPDATE pool_servers p SET last_seen_at = now()"
	" WHERE agent_token_hash = $1 AND (p.state = 'ready'"
	"  OR (p.state = 'claimed' AND NOT EXISTS (SELECT 1 FROM instances i"
	"  WHERE i.id = p.instance_id AND (i.ready_at IS NOT NULL"
	"  OR i.state IN ('failed', 'terminating', 'terminated')))))"
	" RETURNING p.id, p.state, p.instance_id" };
static const struct db_stmt stmt_pool_handed = { "agtp_handed",
	"UPDATE pool_servers SET handed_at = now() WHERE id = $1::bigint" };

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

int
agent_pool_ready(struct req *r, const char *hash)
{
	PGresult	*res;
	cJSON		*o;
	const char	*p[4], *step;
	char		 thash[65], *tok = NULL, *url, id[32];
	enum och_err	 err;
	int		 ok;

	p[0] = hash;
	if ((res = db_exec(r->app->db, &stmt_pool_known, 1, p, &err)) ==
	    NULL) {
		resp_error(r, err, NULL);
		return 1;
	}
	ok = PQntuples(res) == 1;
	PQclear(res);
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
	p[1] = ok ? thash : NULL;
	p[2] = ok ? "true" : "false";
	p[3] = step;
	if ((res = db_exec(r->app->db, &stmt_pool_ready, 4, p, &err)) ==
	    NULL || PQntuples(res) != 1) {
		resp_error(r, res == NULL ? err : OCH_EAUTH, NULL);
		goto out;
	}
	snprintf(id, sizeof(id), "%s", db_val(res, 0, 0));
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "pool", 1);
	if (!ok) {
		log_warn("pool server %s: setup failed at %s: discarded", id,
		    step);
		cJSON_AddStringToObject(o, "state", "discarded");
		resp_json(r, 200, o);
		audit_req(r, "agent.pool_ready", "pool_server", id, 200, NULL);
		goto out;
	}
	cJSON_AddStringToObject(o, "state", "waiting");
	cJSON_AddStringToObject(o, "pool_token", tok);
	url = xasprintf("%s/api/v1/agent/pool",
	    cfg_str(&r->app->cfg, CFG_API_URL, ""));
	cJSON_AddStringToObject(o, "poll_url", url);
	free(url);
	cJSON_AddNumberToObject(o, "poll_seconds", POOL_POLL_SECONDS);
	resp_json(r, 200, o);
	log_info("pool server %s ready", id);
	audit_req(r, "agent.pool_ready", "pool_server", id, 200, NULL);
out:
	PQclear(res);
	xfree_secret(tok);
	return 1;
}

void
agent_pool_poll(struct req *r)
{
	struct db	*db = r->app->db;
	PGresult	*res = NULL;
	cJSON		*o;
	const char	*h, *p[1];
	char		 hash[65], *boot = NULL, *inst = NULL;
	enum och_err	 err;
	size_t		 len;

	h = req_header(r, "AUTHORIZATION");
	if (h == NULL || strncmp(h, "Bearer ", 7) != 0 ||
	    (len = strlen(h + 7)) < 32 || len > 256) {
		resp_error(r, OCH_EAUTH, NULL);
		return;
	}
	cry_sha256_hex(h + 7, len, hash);
	p[0] = hash;
	if (db_begin(db) < 0) {
		resp_error(r, OCH_EDB, NULL);
		return;
	}
	if ((res = db_exec(db, &stmt_pool_poll, 1, p, &err)) == NULL)
		goto fail;
	if (PQntuples(res) != 1) {
		err = OCH_EAUTH;
		goto fail;
	}
	o = cJSON_CreateObject();
	if (strcmp(db_val(res, 0, 1), "claimed") != 0) {
		if (db_commit(db) < 0) {
			cJSON_Delete(o);
			err = OCH_EDB;
			goto fail;
		}
		cJSON_AddStringToObject(o, "state", "waiting");
		cJSON_AddNumberToObject(o, "poll_seconds", POOL_POLL_SECONDS);
		resp_json(r, 200, o);
		goto out;
	}
	inst = xstrdup(db_val(res, 0, 2));
	p[0] = db_val(res, 0, 0);
	if ((boot = ud_token(db, inst, &err)) == NULL ||
	    (err = db_run(db, &stmt_pool_handed, 1, p, NULL)) != OCH_OK ||
	    db_commit(db) < 0) {
		cJSON_Delete(o);
		if (err == OCH_OK)
			err = OCH_EDB;
		goto fail;
	}
	cJSON_AddStringToObject(o, "state", "claimed");
	cJSON_AddStringToObject(o, "instance_id", inst);
	cJSON_AddStringToObject(o, "bootstrap_token", boot);
	resp_json(r, 200, o);
	log_info("pool server %s handed to instance %s", p[0], inst);
	audit_req(r, "agent.pool_claimed", "instance", inst, 200, NULL);
	goto out;
fail:
	db_rollback(db);
	resp_error(r, err, NULL);
out:
	PQclear(res);
	xfree_secret(boot);
	free(inst);
}
