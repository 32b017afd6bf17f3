/*
 * recon_store.c: every SQL statement of the reconciler, and the
 * functions that run them (recon_int.h): the claim and the lease, the
 * transitions with their history rows and queued emails, the records of
 * what a step did upstream.  Writes check locked_by (MINE), so a step
 * whose lease was taken over changes nothing; a transition also names
 * the state it leaves, so a move the API made meanwhile wins.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inst.h"
#include "log.h"
#include "recon_int.h"


static const struct db_stmt stmt_lock = { "recon_lock",
	"SELECT state, ready_at IS NOT NULL,"
	" extract(epoch FROM now() - coalesce(step_since, updated_at))::float8"
	" FROM instances" MINE " FOR UPDATE" };
static const struct db_stmt stmt_renew = { "recon_renew",
	"UPDATE instances SET locked_until = now() + make_interval("
	" secs => $3::int)" MINE };
static const struct db_stmt stmt_release = { "recon_release",
	"UPDATE instances SET" RELEASE MINE };
static const struct db_stmt stmt_defer = { "recon_defer",
	"UPDATE instances SET next_attempt_at =" IN_MS("$3") "," RELEASE MINE };
static const struct db_stmt stmt_retry = { "recon_retry_later",
	"UPDATE instances SET attempts = attempts + 1,"
	" last_error = CASE WHEN state = 'failed' THEN last_error"
	"  ELSE left($4, 1000) END,"
	" next_attempt_at =" IN_MS("$3") ","
	RELEASE MINE };
static const struct db_stmt stmt_fail = { "recon_fail",
	"UPDATE instances SET state = 'failed', failed_state = $3,"
	" cleanup = $4::boolean, last_error = left($5, 1000),"
	" pending_action = coalesce($6, pending_action),"
	" hetzner_action_id = NULL, hetzner_action = NULL, step_since = NULL,"
	" return_state = NULL, attempts = 0, next_attempt_at = now(),"
	" updated_at = now()," RELEASE MINE " AND state = $7" };
static const struct db_stmt stmt_server = { "recon_server",
	"UPDATE instances SET hetzner_server_id = $3::bigint,"
	" ipv4 = $4::inet, ipv6 = nullif($5, ''),"
	" hetzner_action_id = $6::bigint, hetzner_action = $7,"
	" attempts = 0, last_error = NULL, updated_at = now()" MINE };
static const struct db_stmt stmt_dns = { "recon_dns",
	"UPDATE instances SET dns_record_id = coalesce($3, dns_record_id),"
	" dns_record6_id = coalesce($4, dns_record6_id), attempts = 0,"
	" last_error = NULL, updated_at = now()" MINE };
/* an action was issued: wait for it (released until $7 ms) */
static const struct db_stmt stmt_action = { "recon_action",
	"UPDATE instances SET hetzner_action_id = $3::bigint,"
	" hetzner_action = $4, state = coalesce($5, state),"
	" attempts = CASE WHEN $5 IS NULL THEN attempts ELSE 0 END,"
	" step_since = CASE WHEN $6::boolean THEN now() ELSE step_since END,"
	" next_attempt_at =" IN_MS("$7") ","
	" return_state = coalesce($8, return_state),"
	" pending_action = CASE WHEN $9::boolean THEN NULL"
	"  ELSE pending_action END,"
	" updated_at = now()," RELEASE MINE " AND state = $10" };
static const struct db_stmt stmt_action_done = { "recon_action_done",
	"UPDATE instances SET hetzner_action_id = NULL, attempts = 0,"
	" last_error = NULL" MINE };
static const struct db_stmt stmt_action_clear = { "recon_action_clear",
	"UPDATE instances SET hetzner_action_id = NULL, hetzner_action = NULL"
	MINE };
/*
 * A transition from state $15 (the API may have moved the instance
 * meanwhile: then nothing happens); $6: release the lease (else the step
 * goes on).
 */
static const struct db_stmt stmt_state = { "recon_state",
	"UPDATE instances SET state = $3,"
	" step_since = CASE WHEN $4::boolean THEN now() ELSE NULL END,"
	" next_attempt_at =" IN_MS("$5") ","
	" locked_until = CASE WHEN $6::boolean THEN NULL ELSE locked_until END,"
	" locked_by = CASE WHEN $6::boolean THEN NULL ELSE locked_by END,"
	" plan = CASE WHEN $7::boolean THEN coalesce(pending_plan, plan)"
	"  ELSE plan END,"
	" pending_plan = CASE WHEN $7::boolean THEN NULL ELSE pending_plan END,"
	" pending_action = CASE WHEN $8::boolean THEN NULL"
	"  ELSE pending_action END,"
	" ready_at = CASE WHEN $9::boolean THEN NULL ELSE ready_at END,"
	" return_state = $10, hetzner_action_id = $11::bigint,"
	" hetzner_action = $12, cleanup = $13::boolean,"
	" attempts = CASE WHEN $14::boolean THEN attempts + 1 ELSE 0 END,"
	" last_error = CASE WHEN $14::boolean THEN last_error ELSE NULL END,"
	" updated_at = now()" MINE " AND state = $15" };
static const struct db_stmt stmt_cleaned = { "recon_cleaned",
	"UPDATE instances SET cleanup = false, hetzner_server_id = NULL,"
	" ipv4 = NULL, ipv6 = NULL, dns_record_id = NULL,"
	" dns_record6_id = NULL, ready_at = NULL, hetzner_action_id = NULL,"
	" hetzner_action = NULL, last_error = CASE WHEN state = 'failed'"
	"  THEN last_error ELSE NULL END, updated_at = now()" MINE };
static const struct db_stmt stmt_terminated = { "recon_terminated",
	"UPDATE instances SET state = 'terminated', terminated_at = now(),"
	" dns_record_id = NULL, dns_record6_id = NULL, pending_plan = NULL,"
	" pending_action = NULL, hetzner_action_id = NULL,"
	" hetzner_action = NULL, return_state = NULL, failed_state = NULL,"
	" cleanup = false, step_since = NULL, last_error = NULL, attempts = 0,"
	" updated_at = now()," RELEASE MINE };
static const struct db_stmt stmt_wipe_secrets = { "recon_wipe_secrets",
	"WITH k AS (DELETE FROM ai_keys WHERE instance_id = $1::uuid),"
	" c AS (DELETE FROM channels WHERE instance_id = $1::uuid)"
	" DELETE FROM instance_secrets WHERE instance_id = $1::uuid" };
static const struct db_stmt stmt_revoke_agent = { "recon_revoke_agent",
	"UPDATE agent_tokens SET revoked_at = now()"
	" WHERE instance_id = $1::uuid AND revoked_at IS NULL" };
static const struct db_stmt stmt_expire_boot = { "recon_expire_boot",
	"UPDATE bootstrap_tokens SET expires_at = least(expires_at, now())"
	" WHERE instance_id = $1::uuid AND used_at IS NULL" };
static const struct db_stmt stmt_drop_action = { "recon_drop_action",
	"UPDATE instances SET pending_action = NULL, next_attempt_at = now(),"
	RELEASE MINE };

static void
copy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src != NULL ? src : "");
}

static int
is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

/* ---- transactions and the lease ------------------------------------- */

enum och_err
recon_tx_begin(struct recon *r, int *mine)
{
	*mine = 0;
	if (db_in_tx(r->db))
		return OCH_OK;
	if (db_begin(r->db) < 0)
		return OCH_EDB;
	*mine = 1;
	return OCH_OK;
}

enum och_err
recon_tx_end(struct recon *r, int mine, enum och_err err)
{
	if (!mine)
		return err;
	if (err != OCH_OK) {
		db_rollback(r->db);
		return err;
	}
	return db_commit(r->db) < 0 ? OCH_EDB : OCH_OK;
}

/* Run a statement that must touch our row; OCH_ECONFLICT if it did not. */
static enum och_err
mine(struct recon *r, const struct db_stmt *st, int n, const char *const *p)
{
	enum och_err	 err;
	long		 n_rows = 0;

	if ((err = db_run(r->db, st, n, p, &n_rows)) != OCH_OK)
		return err;
	if (n_rows != 1) {
		log_warn("instance %s: lease lost or state changed (%s)", p[0],
		    st->name);
		return OCH_ECONFLICT;
	}
	return OCH_OK;
}

/* A statement with only (id, owner) on our row. */
static enum och_err
mine2(struct recon *r, const struct db_stmt *st, const char *id)
{
	const char	*p[2];

	p[0] = id;
	p[1] = r->owner;
	return mine(r, st, 2, p);
}

enum och_err
recon_renew(struct recon *r, const struct ri *in)
{
	const char	*p[3];
	char		 lease[16];

	snprintf(lease, sizeof(lease), "%d", r->lease_s);
	p[0] = in->id;
	p[1] = r->owner;
	p[2] = lease;
	return db_run(r->db, &stmt_renew, 3, p, NULL);
}

enum och_err
recon_release(struct recon *r, const char *id)
{
	return mine2(r, &stmt_release, id);
}

enum och_err
recon_unlock(struct recon *r, const char *id)
{
	const char	*p[2];

	p[0] = id;
	p[1] = r->owner;
	return db_run(r->db, &stmt_release, 2, p, NULL);
}

enum och_err
recon_defer(struct recon *r, const struct ri *in, long long ms)
{
	const char	*p[3];
	char		 d[32];

	snprintf(d, sizeof(d), "%lld", ms < 0 ? 0 : ms);
	p[0] = in->id;
	p[1] = r->owner;
	p[2] = d;
	return mine(r, &stmt_defer, 3, p);
}

enum och_err
recon_lock_row(struct recon *r, const struct ri *in, char *state,
    size_t statesz, int *ready, double *age)
{
	PGresult	*res;
	const char	*p[2];
	enum och_err	 err;

	p[0] = in->id;
	p[1] = r->owner;
	if ((res = db_exec(r->db, &stmt_lock, 2, p, &err)) == NULL)
		return err;
	if (PQntuples(res) != 1) {
		PQclear(res);
		log_warn("instance %s: lease lost", in->id);
		return OCH_ECONFLICT;
	}
	copy(state, statesz, db_val(res, 0, 0));
	*ready = is(db_val(res, 0, 1), "t");
	*age = strtod(db_val(res, 0, 2), NULL);
	PQclear(res);
	return OCH_OK;
}

/* ---- history and email ---------------------------------------------- */

enum och_err
recon_event(struct recon *r, const struct ri *in, const char *kind,
    const char *to, const char *msg)
{
	return inst_event(r->db, in->id, kind, in->state, to, msg, RECON_ACTOR);
}

/* Queue the customer email tmpl about this instance. */
static enum och_err
recon_email_user(struct recon *r, const struct ri *in, const char *tmpl,
    const char *dedupe)
{
	cJSON		*v;
	char		*host, *url, *s;
	enum och_err	 err;

	host = inst_hostname(in->slug, r->cfg);
	url = xasprintf("https://%s", host);
	v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "hostname", host);
	cJSON_AddStringToObject(v, "instance_url", url);
	cJSON_AddStringToObject(v, "plan", in->plan);
	s = cJSON_PrintUnformatted(v);
	err = inst_email(r->db, in->id, tmpl, in->email, s, dedupe);
	cJSON_free(s);
	cJSON_Delete(v);
	free(host);
	free(url);
	return err;
}

/* Queue the provisioning_failed email to the admins (if configured). */
static enum och_err
email_admin(struct recon *r, const struct ri *in, const char *step,
    const char *why)
{
	char		*host;
	enum och_err	 err;

	host = inst_hostname(in->slug, r->cfg);
	err = inst_email_admins(r->db, r->cfg, in->id, host, in->email,
	    in->plan, step, why);
	free(host);
	return err;
}

/* ---- transitions ---------------------------------------------------- */

static const char *
tf(int b)
{
	return b ? "true" : "false";
}

enum och_err
recon_transition(struct recon *r, struct ri *in, const struct tr *t)
{
	const char	*p[15];
	char		 delay[32], aid[32], kind[64];
	enum och_err	 err;
	int		 own;

	snprintf(delay, sizeof(delay), "%lld", t->delay_ms);
	snprintf(aid, sizeof(aid), "%" PRId64, t->action_id);
	snprintf(kind, sizeof(kind), "state.%s", t->state);
	p[0] = in->id;
	p[1] = r->owner;
	p[2] = t->state;
	p[3] = tf(t->since);
	p[4] = delay;
	p[5] = tf(t->release);
	p[6] = tf(t->apply_plan);
	p[7] = tf(t->clear_action);
	p[8] = tf(t->clear_ready);
	p[9] = t->return_state;
	p[10] = t->action_id > 0 ? aid : NULL;
	p[11] = t->action;
	p[12] = tf(t->cleanup);
	p[13] = tf(t->count);
	p[14] = in->state;
	if ((err = recon_tx_begin(r, &own)) != OCH_OK)
		return err;
	err = mine(r, &stmt_state, 15, p);
	if (err == OCH_OK)
		err = recon_event(r, in, t->kind != NULL ? t->kind : kind,
		    t->state, t->message);
	if (err == OCH_OK && t->email != NULL)
		err = recon_email_user(r, in, t->email, t->dedupe);
	if ((err = recon_tx_end(r, own, err)) != OCH_OK)
		return err;
	log_info("instance %s: %s -> %s%s%s", in->id, in->state, t->state,
	    t->message ? ": " : "", t->message ? t->message : "");
	copy(in->state, sizeof(in->state), t->state);
	in->attempts = t->count ? in->attempts + 1 : 0;
	in->age = t->since ? 0 : -1;
	if (!t->release)
		r->claimed_at = time(NULL);
	return OCH_OK;
}

enum och_err
recon_fail(struct recon *r, struct ri *in, const char *why)
{
	const char	*p[7], *st, *again;
	enum och_err	 err;
	int		 own, cleanup;

	st = recon_resume_at(in->state, &cleanup, &again);
	p[0] = in->id;
	p[1] = r->owner;
	p[2] = st;
	p[3] = tf(cleanup);
	p[4] = why;
	p[5] = again;
	p[6] = in->state;
	if ((err = recon_tx_begin(r, &own)) != OCH_OK)
		return err;
	err = mine(r, &stmt_fail, 7, p);
	if (err == OCH_OK)
		err = recon_event(r, in, "state.failed", "failed", why);
	if (err == OCH_OK)
		err = email_admin(r, in, in->state, why);
	if ((err = recon_tx_end(r, own, err)) != OCH_OK)
		return err;
	log_error("instance %s failed in %s (resumes at %s): %s", in->id,
	    in->state, st, why);
	copy(in->state, sizeof(in->state), "failed");
	return OCH_OK;
}

/* A retry after ms with the reason (history step.retry). */
static enum och_err
recon_retry_later(struct recon *r, const struct ri *in, long long ms,
    const char *why)
{
	const char	*p[4];
	char		 d[32];
	enum och_err	 err;
	int		 own;

	snprintf(d, sizeof(d), "%lld", ms);
	p[0] = in->id;
	p[1] = r->owner;
	p[2] = d;
	p[3] = why;
	if ((err = recon_tx_begin(r, &own)) != OCH_OK)
		return err;
	err = mine(r, &stmt_retry, 4, p);
	if (err == OCH_OK)
		err = recon_event(r, in, "step.retry", NULL, why);
	if ((err = recon_tx_end(r, own, err)) != OCH_OK)
		return err;
	log_warn("instance %s: %s (attempt %d, again in %lld ms)", in->id,
	    why, in->attempts + 1, ms);
	return OCH_OK;
}

enum och_err
recon_upstream_failed(struct recon *r, struct ri *in,
    const struct prov_err *e, const char *what, int may_fail)
{
	char		 s[400], why[512];
	long long	 ms;

	hcl_perr_str(e, s, sizeof(s));
	snprintf(why, sizeof(why), "%s: %s", what, s);
	if (may_fail && (!e->retryable || in->attempts + 1 >= r->max_attempts))
		return recon_fail(r, in, why);
	ms = recon_backoff_ms(in->attempts + 1, r->base_ms, r->cap_ms,
	    e->retry_after_ms);
	return recon_retry_later(r, in, ms, why);
}

/* ---- what a step did upstream --------------------------------------- */

enum och_err
recon_store_server(struct recon *r, const struct ri *in,
    const struct hz_server *srv, const char *v6, int64_t action, int created)
{
	const char	*p[7];
	char		 sid[32], aid[32], msg[160];
	enum och_err	 err;
	int		 own;

	snprintf(sid, sizeof(sid), "%" PRId64, srv->id);
	snprintf(aid, sizeof(aid), "%" PRId64, action);
	p[0] = in->id;
	p[1] = r->owner;
	p[2] = sid;
	p[3] = srv->ipv4;
	p[4] = v6;
	p[5] = action > 0 ? aid : NULL;
	p[6] = action > 0 ? "create_server" : NULL;
	snprintf(msg, sizeof(msg), "server %" PRId64 " %s %s", srv->id,
	    srv->ipv4, created == 2 ? "from the warm pool" : created ?
	    "created" : "found by label");
	if ((err = recon_tx_begin(r, &own)) != OCH_OK)
		return err;
	err = mine(r, &stmt_server, 7, p);
	if (err == OCH_OK)
		err = recon_event(r, in, created == 2 ? "server.pooled" :
		    created ? "server.created" : "server.found", NULL, msg);
	if ((err = recon_tx_end(r, own, err)) == OCH_OK)
		log_info("instance %s: %s", in->id, msg);
	return err;
}

enum och_err
recon_store_dns(struct recon *r, const struct ri *in, const char *type,
    const char *host, const char *addr, const char *record)
{
	const char	*p[4];
	char		 msg[400];
	enum och_err	 err;
	int		 own;

	p[0] = in->id;
	p[1] = r->owner;
	p[2] = is(type, "A") ? record : NULL;
	p[3] = is(type, "A") ? NULL : record;
	snprintf(msg, sizeof(msg), "%s %s %s (record %s)", type, host, addr,
	    record);
	if ((err = recon_tx_begin(r, &own)) != OCH_OK)
		return err;
	err = mine(r, &stmt_dns, 4, p);
	if (err == OCH_OK)
		err = recon_event(r, in, "dns.record", NULL, msg);
	return recon_tx_end(r, own, err);
}

enum och_err
recon_store_action(struct recon *r, struct ri *in, const struct hz_action *a,
    const char *name, const char *state, int since, const char *ret,
    int clear_action)
{
	const char	*p[10];
	char		 id[32], delay[32], msg[96], kind[64];
	enum och_err	 err;
	int		 own;

	snprintf(id, sizeof(id), "%" PRId64, a->id);
	snprintf(delay, sizeof(delay), "%lld", recon_poll_ms(r->base_ms, 0));
	p[0] = in->id;
	p[1] = r->owner;
	p[2] = a->id > 0 ? id : NULL;
	p[3] = name;
	p[4] = state;
	p[5] = tf(since);
	p[6] = delay;
	p[7] = ret;
	p[8] = tf(clear_action);
	p[9] = in->state;
	snprintf(msg, sizeof(msg), "%s (action %" PRId64 ")", name, a->id);
	snprintf(kind, sizeof(kind), "%s.%s", state != NULL ? "state" :
	    "hetzner", state != NULL ? state : name);
	if ((err = recon_tx_begin(r, &own)) != OCH_OK)
		return err;
	err = mine(r, &stmt_action, 10, p);
	if (err == OCH_OK)
		err = recon_event(r, in, kind, state, msg);
	if ((err = recon_tx_end(r, own, err)) != OCH_OK)
		return err;
	log_info("instance %s: hetzner %s on server %" PRId64 " (action %"
	    PRId64 ")%s%s", in->id, name, in->server_id, a->id,
	    state ? ", now " : "", state ? state : "");
	return OCH_OK;
}

enum och_err
recon_action_done(struct recon *r, const struct ri *in)
{
	return mine2(r, &stmt_action_done, in->id);
}

enum och_err
recon_action_clear(struct recon *r, const struct ri *in)
{
	return mine2(r, &stmt_action_clear, in->id);
}

enum och_err
recon_cleaned(struct recon *r, const struct ri *in)
{
	return mine2(r, &stmt_cleaned, in->id);
}

enum och_err
recon_terminated(struct recon *r, const struct ri *in)
{
	const char	*p[2];
	char		*dedupe;
	enum och_err	 err;
	int		 own;

	p[0] = in->id;
	p[1] = r->owner;
	if ((err = recon_tx_begin(r, &own)) != OCH_OK)
		return err;
	err = db_run(r->db, &stmt_wipe_secrets, 1, p, NULL);
	if (err == OCH_OK)
		err = db_run(r->db, &stmt_revoke_agent, 1, p, NULL);
	if (err == OCH_OK)
		err = db_run(r->db, &stmt_expire_boot, 1, p, NULL);
	if (err == OCH_OK)
		err = mine(r, &stmt_terminated, 2, p);
	if (err == OCH_OK)
		err = recon_event(r, in, "state.terminated", "terminated",
		    "server, DNS records and snapshots deleted; secrets, AI keys"
		    " and channels wiped");
	dedupe = xasprintf("terminated:%s", in->id);
	if (err == OCH_OK)
		err = recon_email_user(r, in, "terminated", dedupe);
	free(dedupe);
	if ((err = recon_tx_end(r, own, err)) == OCH_OK)
		log_info("instance %s: terminated", in->id);
	return err;
}

enum och_err
recon_drop_action(struct recon *r, const struct ri *in)
{
	enum och_err	 err;

	if ((err = recon_event(r, in, "action.dropped", NULL,
	    in->pending_action)) != OCH_OK)
		return err;
	return mine2(r, &stmt_drop_action, in->id);
}

enum och_err
recon_activate(struct recon *r, const struct ri *in)
{
	enum och_err	 err;

	err = inst_activate(r->db, r->cfg, in->id, in->state, RECON_ACTOR);
	if (err == OCH_OK)
		err = mine2(r, &stmt_release, in->id);
	return err;
}
