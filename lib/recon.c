/*
 * recon.c: the provisioning reconciler (recon.h).
 *
 * One claimed instance is loaded into a struct ri; step() dispatches on
 * its state and desired state.  Each do_* function ends the step in one
 * of three ways: the row moved on (a transition, which releases the
 * lease unless the step continues), the row was rescheduled (defer,
 * retry, failed), or a database error (OCH_EDB: nothing is counted and
 * the lease, which is ours, is taken again on the next claim).  Writes
 * check locked_by, so a step whose lease was taken over changes nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cloudflare.h"
#include "fleetnet.h"
#include "hetzner.h"
#include "inst.h"
#include "log.h"
#include "recon.h"
#include "userdata.h"

#define RI_MAX_SERVERS	8
#define RI_MAX_RECORDS	16
#define RI_MAX_IMAGES	32
#define DNS_TTL		60

/* What step() knows about a claimed instance. */
struct ri {
	char		 id[40];
	char		 slug[64];
	char		 state[16];
	char		 desired[16];
	char		 plan[40];
	char		 pending_plan[40];
	char		 pending_action[16];
	char		 server_type[32];	/* of the current plan */
	char		 image[64];
	char		 location[16];
	char		 new_server_type[32];	/* pending plan's */
	int64_t		 server_id;
	char		 ipv4[48];
	char		 ipv6[64];
	char		 dns4[64];
	char		 dns6[64];
	int		 attempts;
	int		 ready;
	double		 age;		/* s since step_since, or -1 */
	int64_t		 action_id;
	char		 action[32];
	char		 return_state[16];
	int		 cleanup;
	char		 email[256];
	char		 failed_state[16];
	char		 version[64];
	long		 memory_mb;
};

struct recon {
	struct db		*db;
	const struct cfg	*cfg;
	struct hz		*hz;
	struct cf		*cf;
	char			 owner[192];
	char			 host[128];
	int			 max_attempts;
	int			 lease_s;	/* POLLER_LEASE_SECONDS */
	long			 boot_timeout;
	unsigned		 base_ms, cap_ms;
	time_t			 deadline;
	time_t			 claimed_at;
	time_t			 paced_log;
};

/* Instances with something to do (see the dispatch in step()). */
#define DUE \
	" (i.state IN ('pending', 'creating', 'booting', 'suspending'," \
	"  'resuming', 'resizing', 'rebooting', 'rebuilding', 'terminating')" \
	" OR (i.state IN ('active', 'suspended')" \
	"  AND (i.desired_state <> i.state" \
	"  OR i.pending_plan IS NOT NULL OR i.pending_action IS NOT NULL))" \
	" OR (i.state = 'failed' AND (i.cleanup OR (i.desired_state =" \
	"  'terminated' AND i.failed_state IS DISTINCT FROM 'terminating'))))"
#define MINE	" WHERE id = $1::uuid AND locked_by = $2"
#define RELEASE	" locked_until = NULL, locked_by = NULL"
#define IN_MS(n) " now() + " n "::bigint * interval '1 millisecond'"

static const struct db_stmt stmt_pickup = { "recon_pickup",
	"WITH c AS (SELECT id FROM instances WHERE state = 'pending'"
	"  AND desired_state <> 'terminated'"
	"  AND (locked_until IS NULL OR locked_until < now())"
	"  FOR UPDATE SKIP LOCKED),"
	" u AS (UPDATE instances i SET state = 'creating', step_since = now(),"
	"  attempts = 0, updated_at = now() FROM c WHERE i.id = c.id"
	"  RETURNING i.id)"
	" INSERT INTO instance_events (instance_id, kind, from_state, to_state,"
	"  message, actor) SELECT id, 'state.creating', 'pending', 'creating',"
	"  'order picked up', $1 FROM u" };
static const struct db_stmt stmt_claim = { "recon_claim",
	"WITH c AS (SELECT i.id FROM instances i"
	"  WHERE i.next_attempt_at <= now()"
	"  AND (i.locked_until IS NULL OR i.locked_until < now()"
	"  OR i.locked_by = $1) AND" DUE
	"  ORDER BY i.next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)"
	" UPDATE instances i SET locked_until = now() + make_interval("
	"  secs => $2::int), locked_by = $1 FROM c WHERE i.id = c.id"
	" RETURNING i.id" };
static const struct db_stmt stmt_load = { "recon_load",
	"SELECT i.id, i.slug, i.state, i.desired_state, i.plan,"
	" i.pending_plan, i.pending_action,"
	" coalesce(pt.server_type, p.server_type), p.image,"
	" coalesce(a.location, r.location),"
	" coalesce(npt.server_type, np.server_type),"
	" i.hetzner_server_id, host(i.ipv4), i.ipv6, i.dns_record_id,"
	" i.dns_record6_id, i.attempts, i.ready_at IS NOT NULL,"
	" extract(epoch FROM now() - i.step_since)::float8,"
	" i.hetzner_action_id, i.hetzner_action, i.return_state, i.cleanup,"
	" u.email, i.failed_state,"
	" coalesce(i.openclaw_version, p.openclaw_version), p.memory_mb"
	" FROM instances i JOIN users u ON u.id = i.user_id"
	" JOIN plans p ON p.name = i.plan JOIN regions r ON r.name = i.region"
	" LEFT JOIN regions a ON a.name = r.alias_of"
	" LEFT JOIN plans np ON np.name = i.pending_plan"
	/* a plan's server type where its default is not sold (010 schema) */
	" LEFT JOIN plan_server_types pt ON pt.plan = i.plan"
	"  AND pt.location = coalesce(a.location, r.location)"
	" LEFT JOIN plan_server_types npt ON npt.plan = i.pending_plan"
	"  AND npt.location = coalesce(a.location, r.location)"
	" WHERE i.id = $1::uuid AND i.locked_by = $2" };
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
static const struct db_stmt stmt_next = { "recon_next_due",
	"SELECT coalesce(greatest(0, extract(epoch FROM min("
	" greatest(i.next_attempt_at,"
	"  coalesce(i.locked_until, i.next_attempt_at)))"
	" - now()) * 1000), $1::float8)::bigint"
	" FROM instances i WHERE" DUE };
static const struct db_stmt stmt_wake = { "recon_wake",
	"UPDATE instances SET next_attempt_at = now()"
	" WHERE id = $1::uuid AND next_attempt_at > now()"
	" AND (state IN ('pending', 'active', 'suspended')"
	"  OR (desired_state = 'terminated' AND state <> 'terminated'))" };
static const struct db_stmt stmt_owners = { "recon_owners",
	"SELECT DISTINCT locked_by FROM instances"
	" WHERE split_part(locked_by, ':', 1) = $1 AND locked_until > now()" };
static const struct db_stmt stmt_unlock_owner = { "recon_unlock_owner",
	"UPDATE instances SET" RELEASE " WHERE locked_by = $1" };
static const struct db_stmt stmt_retry_failed = { "recon_retry_failed",
	"UPDATE instances SET state = coalesce(failed_state, 'creating'),"
	" failed_state = NULL, attempts = 0, last_error = NULL,"
	" next_attempt_at = now(), step_since = now(),"
	" hetzner_action_id = NULL, updated_at = now()," RELEASE
	" WHERE id = $1::uuid AND state = 'failed' AND NOT cleanup"
	" RETURNING state" };
static const struct db_stmt stmt_exists = { "recon_exists",
	"SELECT state, cleanup FROM instances WHERE id = $1::uuid" };

/* ---- small helpers ---------------------------------------------------- */

static void
copy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src != NULL ? src : "");
}

static int
is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static int
valid_uuid_text(const char *s)
{
	size_t	 i;

	if (s == NULL || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	}
	return 1;
}

long long
recon_backoff_ms(int n, unsigned base_ms, unsigned cap_ms, long long hint_ms)
{
	long long	 d;

	if (n < 1)
		n = 1;
	d = hcl_backoff_ms((unsigned)(n - 1 > 30 ? 30 : n - 1), base_ms,
	    cap_ms);
	if (hint_ms > 3600 * 1000LL)
		hint_ms = 3600 * 1000LL;
	return d > hint_ms ? d : hint_ms;
}

int
recon_ipv6_host(const char *net, char *out, size_t outsz)
{
	struct in6_addr	 a;
	char		 buf[INET6_ADDRSTRLEN + 8], *slash;
	int		 prefixed;

	if (net == NULL || strlen(net) >= sizeof(buf))
		return -1;
	copy(buf, sizeof(buf), net);
	prefixed = (slash = strchr(buf, '/')) != NULL;
	if (prefixed)
		*slash = '\0';
	if (inet_pton(AF_INET6, buf, &a) != 1)
		return -1;
	if (prefixed)
		a.s6_addr[15] |= 1;
	if (inet_ntop(AF_INET6, &a, out, (socklen_t)outsz) == NULL)
		return -1;
	return 0;
}

static char *
hostname(const struct recon *r, const struct ri *in)
{
	return inst_hostname(in->slug, r->cfg);
}

/* The interval between checks of something slow, growing with its age. */
static long long
poll_ms(const struct recon *r, double age)
{
	long long	 d;

	d = age > 0 ? (long long)(age * 1000.0 / 4.0) : 0;
	if (d < (long long)r->base_ms)
		d = r->base_ms;
	if (d > 10LL * r->base_ms)
		d = 10LL * r->base_ms;
	return d;
}

/* Sleep ms milliseconds, at most until the deadline. */
static void
nap(const struct recon *r, long long ms)
{
	struct timespec	 ts;
	time_t		 now = time(NULL);

	if (r->deadline != 0 && now + ms / 1000 >= r->deadline)
		ms = r->deadline > now ? (long long)(r->deadline - now) * 1000 :
		    0;
	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Before every Hetzner request: keep the lease and pace to the project's
 * rate limit (the headers of the last answer, shared by all instances).
 */
static void
before_hz(struct recon *r, const struct ri *in)
{
	const char	*p[3];
	char		 lease[16];
	long long	 ms;
	time_t		 now = time(NULL);

	if (now - r->claimed_at > r->lease_s / 3) {
		snprintf(lease, sizeof(lease), "%d", r->lease_s);
		p[0] = in->id;
		p[1] = r->owner;
		p[2] = lease;
		if (db_run(r->db, &stmt_renew, 3, p, NULL) == OCH_OK)
			r->claimed_at = now;
	}
	while ((ms = hz_pace_ms(time(NULL), RECON_HZ_FLOOR)) > 0) {
		if (r->deadline != 0 && time(NULL) >= r->deadline)
			break;
		if (now - r->paced_log >= 10) {
			log_warn("hetzner rate limit low: pausing %lld ms", ms);
			r->paced_log = now;
		}
		nap(r, ms > 5000 ? 5000 : ms);
	}
}

/* ---- recording ---------------------------------------------------------- */

static enum och_err
tx_begin(struct recon *r, int *mine)
{
	*mine = 0;
	if (db_in_tx(r->db))
		return OCH_OK;
	if (db_begin(r->db) < 0)
		return OCH_EDB;
	*mine = 1;
	return OCH_OK;
}

static enum och_err
tx_end(struct recon *r, int mine, enum och_err err)
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

static enum och_err
event(struct recon *r, const struct ri *in, const char *kind, const char *to,
    const char *msg)
{
	return inst_event(r->db, in->id, kind, in->state, to, msg, RECON_ACTOR);
}

/* Queue an email to the customer about this instance. */
static enum och_err
email_user(struct recon *r, const struct ri *in, const char *tmpl,
    const char *dedupe)
{
	cJSON		*v;
	char		*host, *url, *s;
	enum och_err	 err;

	host = hostname(r, in);
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

	host = hostname(r, in);
	err = inst_email_admins(r->db, r->cfg, in->id, host, in->email,
	    in->plan, step, why);
	free(host);
	return err;
}

/* A transition (see stmt_state); the fields not named keep their meaning. */
struct tr {
	const char	*state;
	int		 since;		/* step_since = now() */
	long long	 delay_ms;	/* due again after */
	int		 release;
	int		 apply_plan;
	int		 clear_action;	/* pending_action = NULL */
	int		 clear_ready;
	const char	*return_state;
	int64_t		 action_id;
	const char	*action;
	int		 cleanup;
	int		 count;		/* a failed attempt */
	const char	*kind;		/* NULL: "state.<state>" */
	const char	*message;
	const char	*email;		/* template to the customer */
	const char	*dedupe;
};

static enum och_err
transition(struct recon *r, struct ri *in, const struct tr *t)
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
	p[3] = t->since ? "true" : "false";
	p[4] = delay;
	p[5] = t->release ? "true" : "false";
	p[6] = t->apply_plan ? "true" : "false";
	p[7] = t->clear_action ? "true" : "false";
	p[8] = t->clear_ready ? "true" : "false";
	p[9] = t->return_state;
	p[10] = t->action_id > 0 ? aid : NULL;
	p[11] = t->action;
	p[12] = t->cleanup ? "true" : "false";
	p[13] = t->count ? "true" : "false";
	p[14] = in->state;
	if ((err = tx_begin(r, &own)) != OCH_OK)
		return err;
	err = mine(r, &stmt_state, 15, p);
	if (err == OCH_OK)
		err = event(r, in, t->kind != NULL ? t->kind : kind, t->state,
		    t->message);
	if (err == OCH_OK && t->email != NULL)
		err = email_user(r, in, t->email, t->dedupe);
	if ((err = tx_end(r, own, err)) != OCH_OK)
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

static enum och_err
defer(struct recon *r, const struct ri *in, long long ms)
{
	const char	*p[3];
	char		 d[32];

	snprintf(d, sizeof(d), "%lld", ms < 0 ? 0 : ms);
	p[0] = in->id;
	p[1] = r->owner;
	p[2] = d;
	return mine(r, &stmt_defer, 3, p);
}

/* Where a failed instance resumes (ochctl instances retry). */
static const char *
resume_at(const struct ri *in, int *cleanup, const char **again)
{
	*cleanup = 0;
	*again = NULL;
	if (is(in->state, "pending") || is(in->state, "creating") ||
	    is(in->state, "booting")) {
		*cleanup = 1;
		return "creating";
	}
	if (is(in->state, "suspending") || is(in->state, "rebooting"))
		return "active";
	if (is(in->state, "resuming"))
		return "suspended";
	if (is(in->state, "rebuilding")) {
		*again = "rebuild";
		return "active";
	}
	return in->state;
}

/*
 * The instance failed for good: failed (with where to resume), history,
 * the admins told.  A failed create is cleaned up by the next claim.
 */
static enum och_err
fail(struct recon *r, struct ri *in, const char *why)
{
	const char	*p[7], *st, *again;
	enum och_err	 err;
	int		 own, cleanup;

	st = resume_at(in, &cleanup, &again);
	p[0] = in->id;
	p[1] = r->owner;
	p[2] = st;
	p[3] = cleanup ? "true" : "false";
	p[4] = why;
	p[5] = again;
	p[6] = in->state;
	if ((err = tx_begin(r, &own)) != OCH_OK)
		return err;
	err = mine(r, &stmt_fail, 7, p);
	if (err == OCH_OK)
		err = event(r, in, "state.failed", "failed", why);
	if (err == OCH_OK)
		err = email_admin(r, in, in->state, why);
	if ((err = tx_end(r, own, err)) != OCH_OK)
		return err;
	log_error("instance %s failed in %s (resumes at %s): %s", in->id,
	    in->state, st, why);
	copy(in->state, sizeof(in->state), "failed");
	return OCH_OK;
}

/*
 * An upstream call failed: try again later with backoff, or fail the
 * instance when the error cannot pass or the attempts are spent (unless
 * may_fail is 0: cleanups keep trying).
 */
static enum och_err
upstream_failed(struct recon *r, struct ri *in, const struct prov_err *e,
    const char *what, int may_fail)
{
	char		 s[400], why[512], d[32];
	const char	*p[4];
	long long	 ms;
	enum och_err	 err;
	int		 own;

	hcl_perr_str(e, s, sizeof(s));
	snprintf(why, sizeof(why), "%s: %s", what, s);
	if (may_fail && (!e->retryable || in->attempts + 1 >= r->max_attempts))
		return fail(r, in, why);
	ms = recon_backoff_ms(in->attempts + 1, r->base_ms, r->cap_ms,
	    e->retry_after_ms);
	snprintf(d, sizeof(d), "%lld", ms);
	p[0] = in->id;
	p[1] = r->owner;
	p[2] = d;
	p[3] = why;
	if ((err = tx_begin(r, &own)) != OCH_OK)
		return err;
	err = mine(r, &stmt_retry, 4, p);
	if (err == OCH_OK)
		err = event(r, in, "step.retry", NULL, why);
	if ((err = tx_end(r, own, err)) != OCH_OK)
		return err;
	log_warn("instance %s: %s (attempt %d, again in %lld ms)", in->id,
	    why, in->attempts + 1, ms);
	return OCH_OK;
}

/* A failure of ours (not an upstream answer) as a prov_err. */
static void
our_err(struct prov_err *e, int retryable, const char *code, const char *msg)
{
	hcl_perr_init(e, "poller");
	hcl_perr_set(e, retryable ? OCH_EUPSTREAM : OCH_EINVAL, retryable,
	    code, "%s", msg);
}

/* ---- Hetzner and Cloudflare helpers -------------------------------------- */

/*
 * The servers labelled for the instance that are not being deleted;
 * *n of them in out (lowest id first).  *deleting counts the others.
 */
static enum och_err
find_servers(struct recon *r, const struct ri *in, struct hz_server *out,
    size_t *n, size_t *deleting, struct prov_err *e)
{
	struct hz_server	 all[RI_MAX_SERVERS], t;
	size_t			 total, i, j;
	enum och_err		 rc;

	before_hz(r, in);
	rc = hz_server_find_instance(r->hz, in->id, all, RI_MAX_SERVERS,
	    &total, e);
	*n = 0;
	if (deleting != NULL)
		*deleting = 0;
	if (rc != OCH_OK)
		return rc;
	if (total > RI_MAX_SERVERS)
		total = RI_MAX_SERVERS;
	for (i = 0; i < total; i++) {
		if (is(all[i].status, "deleting")) {
			if (deleting != NULL)
				(*deleting)++;
			continue;
		}
		out[(*n)++] = all[i];
	}
	for (i = 1; i < *n; i++)
		for (j = i; j > 0 && out[j].id < out[j - 1].id; j--) {
			t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return OCH_OK;
}

/*
 * Delete every server labelled for the instance.  *left counts those
 * still present (being deleted now or before).
 */
static enum och_err
delete_servers(struct recon *r, const struct ri *in, size_t *left,
    struct prov_err *e)
{
	struct hz_server	 s[RI_MAX_SERVERS];
	size_t			 n, deleting, i;
	enum och_err		 rc;

	*left = 0;
	if ((rc = find_servers(r, in, s, &n, &deleting, e)) != OCH_OK)
		return rc;
	*left = deleting;
	for (i = 0; i < n; i++) {
		before_hz(r, in);
		rc = hz_server_delete(r->hz, s[i].id, NULL, e);
		if (rc != OCH_OK && rc != OCH_ENOTFOUND)
			return rc;
		if (rc == OCH_OK)
			(*left)++;
		log_info("instance %s: server %" PRId64 " deleted", in->id,
		    s[i].id);
	}
	hcl_perr_init(e, "hetzner");
	return OCH_OK;
}

/* Delete every DNS record named <slug>.<domain>. */
static enum och_err
delete_records(struct recon *r, const struct ri *in, struct prov_err *e)
{
	struct cf_record	 rec[RI_MAX_RECORDS];
	size_t			 n, i;
	char			*host;
	enum och_err		 rc;

	host = hostname(r, in);
	rc = cf_record_list(r->cf, host, NULL, rec, RI_MAX_RECORDS, &n, e);
	free(host);
	if (rc != OCH_OK)
		return rc;
	if (n > RI_MAX_RECORDS)
		n = RI_MAX_RECORDS;
	for (i = 0; i < n; i++) {
		rc = cf_record_delete(r->cf, rec[i].id, e);
		if (rc != OCH_OK && rc != OCH_ENOTFOUND)
			return rc;
	}
	hcl_perr_init(e, "cloudflare");
	return OCH_OK;
}

/* Delete the snapshots labelled for the instance. */
static enum och_err
delete_images(struct recon *r, const struct ri *in, struct prov_err *e)
{
	struct hz_image	 img[RI_MAX_IMAGES];
	size_t		 n, i;
	char		*sel;
	enum och_err	 rc;

	sel = xasprintf("%s=%s", HZ_LABEL, in->id);
	before_hz(r, in);
	rc = hz_image_list(r->hz, sel, img, RI_MAX_IMAGES, &n, e);
	free(sel);
	if (rc != OCH_OK)
		return rc;
	if (n > RI_MAX_IMAGES)
		n = RI_MAX_IMAGES;
	for (i = 0; i < n; i++) {
		before_hz(r, in);
		rc = hz_image_delete(r->hz, img[i].id, e);
		if (rc != OCH_OK && rc != OCH_ENOTFOUND)
			return rc;
	}
	hcl_perr_init(e, "hetzner");
	return OCH_OK;
}

/* The server id of an instance that should have one (label lookup). */
static enum och_err
need_server(struct recon *r, struct ri *in, struct prov_err *e)
{
	struct hz_server	 s[RI_MAX_SERVERS];
	size_t			 n;
	enum och_err		 rc;

	if (in->server_id > 0)
		return OCH_OK;
	if ((rc = find_servers(r, in, s, &n, NULL, e)) != OCH_OK)
		return rc;
	if (n == 0) {
		our_err(e, 0, "no_server", "the instance has no server");
		return e->err;
	}
	in->server_id = s[0].id;
	return OCH_OK;
}

/*
 * Wait for the Hetzner action the step issued.  Returns 1 when it
 * succeeded (the step goes on), 0 when the step is over for now (still
 * running: checked again later; failed: retried), -1 on database error.
 */
static int
wait_action(struct recon *r, struct ri *in)
{
	struct hz_action	 a;
	struct prov_err		 e;
	const char		*p[2];
	char			 msg[400];

	if (in->action_id == 0)
		return 1;
	before_hz(r, in);
	if (hz_action_get(r->hz, in->action_id, &a, &e) != OCH_OK) {
		if (e.err == OCH_ENOTFOUND) {
			/* forgotten by Hetzner: look at the server instead */
			a.status = HZ_ACTION_SUCCESS;
		} else
			return upstream_failed(r, in, &e, "check action", 1) ==
			    OCH_EDB ? -1 : 0;
	}
	p[0] = in->id;
	p[1] = r->owner;
	switch (a.status) {
	case HZ_ACTION_RUNNING:
		return defer(r, in, poll_ms(r, in->age)) == OCH_EDB ? -1 : 0;
	case HZ_ACTION_ERROR:
		if (mine(r, &stmt_action_clear, 2, p) == OCH_EDB)
			return -1;
		snprintf(msg, sizeof(msg), "%s (action %" PRId64 ") failed: "
		    "%s %s", in->action, in->action_id, a.error_code,
		    a.error_message);
		in->action_id = 0;
		in->action[0] = '\0';
		hcl_perr_init(&e, "hetzner");
		hcl_perr_set(&e, OCH_EUPSTREAM, 1, "action_failed", "%s", msg);
		return upstream_failed(r, in, &e, "action", 1) == OCH_EDB ?
		    -1 : 0;
	default:
		if (mine(r, &stmt_action_done, 2, p) != OCH_OK)
			return -1;
		in->action_id = 0;
		in->attempts = 0;
		return 1;
	}
}

/* An action was issued: record it and wait (see stmt_action). */
static enum och_err
issued(struct recon *r, struct ri *in, const struct hz_action *a,
    const char *name, const char *state, int since, const char *ret,
    int clear_action)
{
	const char	*p[10];
	char		 id[32], delay[32], msg[96], kind[64];
	enum och_err	 err;
	int		 own;

	snprintf(id, sizeof(id), "%" PRId64, a->id);
	snprintf(delay, sizeof(delay), "%lld", poll_ms(r, 0));
	p[0] = in->id;
	p[1] = r->owner;
	p[2] = a->id > 0 ? id : NULL;
	p[3] = name;
	p[4] = state;
	p[5] = since ? "true" : "false";
	p[6] = delay;
	p[7] = ret;
	p[8] = clear_action ? "true" : "false";
	p[9] = in->state;
	snprintf(msg, sizeof(msg), "%s (action %" PRId64 ")", name, a->id);
	snprintf(kind, sizeof(kind), "%s.%s", state != NULL ? "state" :
	    "hetzner", state != NULL ? state : name);
	if ((err = tx_begin(r, &own)) != OCH_OK)
		return err;
	err = mine(r, &stmt_action, 10, p);
	if (err == OCH_OK)
		err = event(r, in, kind, state, msg);
	if ((err = tx_end(r, own, err)) != OCH_OK)
		return err;
	log_info("instance %s: hetzner %s on server %" PRId64 " (action %"
	    PRId64 ")%s%s", in->id, name, in->server_id, a->id,
	    state ? ", now " : "", state ? state : "");
	return OCH_OK;
}

static const struct {
	enum hz_act	 act;
	const char	*name;
} acts[] = {
	{ HZ_POWERON, "poweron" },
	{ HZ_POWEROFF, "poweroff" },
	{ HZ_SHUTDOWN, "shutdown" },
	{ HZ_REBOOT, "reboot" },
};

static const char *
act_name(enum hz_act a)
{
	size_t	 i;

	for (i = 0; i < OCH_NELEM(acts); i++)
		if (acts[i].act == a)
			return acts[i].name;
	return "?";
}

/*
 * Issue a power action and wait for it; state (may be NULL) is the
 * transient state it puts the instance in.
 */
static enum och_err
power(struct recon *r, struct ri *in, enum hz_act act, const char *state,
    int since, const char *ret, int clear_action)
{
	struct hz_action	 a;
	struct prov_err		 e;
	char			 what[64];
	enum och_err		 rc;

	snprintf(what, sizeof(what), "%s", act_name(act));
	if ((rc = need_server(r, in, &e)) != OCH_OK)
		return upstream_failed(r, in, &e, what, 1);
	before_hz(r, in);
	if ((rc = hz_server_act(r->hz, in->server_id, act, &a, &e)) != OCH_OK)
		return upstream_failed(r, in, &e, what, 1);
	return issued(r, in, &a, act_name(act), state, since, ret,
	    clear_action);
}

/* ---- the steps ------------------------------------------------------ */

/*
 * Lock the instance row (inside a transaction) and read what the API may
 * have changed: state, whether the VPS called ready, the step's age.
 */
static enum och_err
lock_row(struct recon *r, const struct ri *in, char *state, size_t statesz,
    int *ready, double *age)
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

static enum och_err	 do_terminating(struct recon *, struct ri *);

/* Record a DNS record id (p: id, owner, A id, AAAA id) with history. */
static enum och_err
dns_stored(struct recon *r, const struct ri *in, const char *const *p,
    const char *type, const char *host, const char *addr)
{
	char		 msg[400];
	enum och_err	 err;
	int		 own;

	snprintf(msg, sizeof(msg), "%s %s %s (record %s)", type, host, addr,
	    p[2] != NULL ? p[2] : p[3]);
	if ((err = tx_begin(r, &own)) != OCH_OK)
		return err;
	err = mine(r, &stmt_dns, 4, p);
	if (err == OCH_OK)
		err = event(r, in, "dns.record", NULL, msg);
	return tx_end(r, own, err);
}

/* Create (or find) the server, then the DNS records, then booting. */
static enum och_err
do_creating(struct recon *r, struct ri *in)
{
	struct hz_server	 s[RI_MAX_SERVERS], srv;
	struct hz_action	 act;
	struct hz_create	 hc;
	struct ud_instance	 ui;
	struct cf_record	 rec;
	struct prov_err		 e;
	struct tr		 t;
	const char		*p[7];
	char			 sid[32], aid[32], v6[64], msg[160];
	char			*ud, *host;
	char			 cur[16];
	size_t			 n, left;
	enum och_err		 rc, err;
	double			 age;
	int			 own, ready, created = 0;

	if (in->cleanup) {
		/* a broken server of an earlier try: delete it first */
		if ((rc = delete_servers(r, in, &left, &e)) != OCH_OK)
			return upstream_failed(r, in, &e, "delete server", 1);
		if (left > 0)
			return defer(r, in, poll_ms(r, 0));
		if ((rc = delete_records(r, in, &e)) != OCH_OK)
			return upstream_failed(r, in, &e, "delete DNS", 1);
		p[0] = in->id;
		p[1] = r->owner;
		if ((err = mine(r, &stmt_cleaned, 2, p)) != OCH_OK)
			return err;
		in->cleanup = 0;
		in->server_id = 0;
		in->dns4[0] = in->dns6[0] = in->ipv4[0] = in->ipv6[0] = '\0';
		in->action_id = 0;
		in->ready = 0;
	}
	act.id = 0;
	if (in->server_id == 0) {
		/* the label first: an earlier error may have created it */
		if ((rc = find_servers(r, in, s, &n, NULL, &e)) != OCH_OK)
			return upstream_failed(r, in, &e, "look up server", 1);
		if (n > 1)
			log_error("instance %s has %zu servers; using %" PRId64,
			    in->id, n, s[0].id);
		if (n > 0)
			srv = s[0];
		else {
			ui.id = in->id;
			ui.slug = in->slug;
			ui.plan = in->plan;
			ui.openclaw_version = in->version[0] ? in->version :
			    NULL;
			ui.memory_mb = in->memory_mb;
			if ((ud = ud_build(r->db, r->cfg, &ui, &err)) == NULL) {
				if (err == OCH_EDB)
					return err;
				our_err(&e, 0, "user_data",
				    "the user-data does not render");
				return upstream_failed(r, in, &e, "user-data",
				    1);
			}
			memset(&hc, 0, sizeof(hc));
			/* never without the operator's key and the firewall */
			if ((rc = fleet_ids(r->db, r->cfg, r->hz,
			    &hc.ssh_key_id, &hc.firewall_id, &e)) != OCH_OK) {
				xfree_secret(ud);
				return rc == OCH_EDB ? rc : upstream_failed(r,
				    in, &e, "fleet network", 1);
			}
			hc.name = in->slug;
			hc.server_type = in->server_type;
			hc.image = in->image;
			hc.location = in->location;
			hc.user_data = ud;
			hc.instance = in->id;
			hc.start_after_create = 1;
			before_hz(r, in);
			rc = hz_server_create(r->hz, &hc, &srv, &act, &e);
			xfree_secret(ud);
			if (rc != OCH_OK &&
			    hcl_perr_is(&e, "uniqueness_error")) {
				/* created by a request we saw fail? */
				if (find_servers(r, in, s, &n, NULL, &e) ==
				    OCH_OK && n > 0) {
					srv = s[0];
					rc = OCH_OK;
				} else
					our_err(&e, 0, "uniqueness_error",
					    "a server of this name exists "
					    "without our label");
			}
			if (rc != OCH_OK)
				return upstream_failed(r, in, &e,
				    "create server", 1);
			created = 1;
		}
		if (srv.ipv4[0] == '\0') {
			our_err(&e, 1, "no_ipv4", "the server has no IPv4 yet");
			return upstream_failed(r, in, &e, "server", 1);
		}
		v6[0] = '\0';
		if (srv.ipv6[0] != '\0' &&
		    recon_ipv6_host(srv.ipv6, v6, sizeof(v6)) < 0)
			v6[0] = '\0';
		snprintf(sid, sizeof(sid), "%" PRId64, srv.id);
		snprintf(aid, sizeof(aid), "%" PRId64, act.id);
		p[0] = in->id;
		p[1] = r->owner;
		p[2] = sid;
		p[3] = srv.ipv4;
		p[4] = v6;
		p[5] = act.id > 0 ? aid : NULL;
		p[6] = act.id > 0 ? "create_server" : NULL;
		snprintf(msg, sizeof(msg), "server %" PRId64 " %s %s", srv.id,
		    srv.ipv4, created ? "created" : "found by label");
		if ((err = tx_begin(r, &own)) != OCH_OK)
			return err;
		err = mine(r, &stmt_server, 7, p);
		if (err == OCH_OK)
			err = event(r, in, created ? "server.created" :
			    "server.found", NULL, msg);
		if ((err = tx_end(r, own, err)) != OCH_OK) {
			/*
			 * a unique violation is not a lost lease: another
			 * instance row names this server id.  Retrying would
			 * only repeat it (and spend Hetzner's budget), so fail.
			 */
			if (err == OCH_EDB || (err == OCH_ECONFLICT &&
			    strcmp(db_last_sqlstate(r->db), "23505") != 0))
				return err;
			our_err(&e, 0, "server_taken",
			    "the server is recorded for another instance");
			return upstream_failed(r, in, &e, "server", 1);
		}
		log_info("instance %s: %s", in->id, msg);
		in->server_id = srv.id;
		copy(in->ipv4, sizeof(in->ipv4), srv.ipv4);
		copy(in->ipv6, sizeof(in->ipv6), v6);
		in->action_id = act.id;
		copy(in->action, sizeof(in->action), act.id > 0 ?
		    "create_server" : "");
		in->attempts = 0;
	}
	host = hostname(r, in);
	p[0] = in->id;
	p[1] = r->owner;
	if (in->dns4[0] == '\0') {
		rc = cf_record_ensure(r->cf, "A", host, in->ipv4, DNS_TTL, &rec,
		    &e);
		if (rc != OCH_OK) {
			free(host);
			return upstream_failed(r, in, &e, "DNS A record", 1);
		}
		p[2] = rec.id;
		p[3] = NULL;
		if ((err = dns_stored(r, in, p, "A", host, in->ipv4)) !=
		    OCH_OK) {
			free(host);
			return err;
		}
		copy(in->dns4, sizeof(in->dns4), rec.id);
		in->attempts = 0;
	}
	if (in->ipv6[0] != '\0' && in->dns6[0] == '\0') {
		rc = cf_record_ensure(r->cf, "AAAA", host, in->ipv6, DNS_TTL,
		    &rec, &e);
		if (rc != OCH_OK) {
			free(host);
			return upstream_failed(r, in, &e, "DNS AAAA record", 1);
		}
		p[2] = NULL;
		p[3] = rec.id;
		if ((err = dns_stored(r, in, p, "AAAA", host, in->ipv6)) !=
		    OCH_OK) {
			free(host);
			return err;
		}
		copy(in->dns6, sizeof(in->dns6), rec.id);
		in->attempts = 0;
	}
	free(host);
	/* booting, unless the VPS called ready already (API saw creating) */
	if ((err = tx_begin(r, &own)) != OCH_OK)
		return err;
	if ((err = lock_row(r, in, cur, sizeof(cur), &ready, &age)) != OCH_OK)
		return tx_end(r, own, err);
	if (!is(cur, "creating"))
		return tx_end(r, own, OCH_ECONFLICT);
	if (ready) {
		err = inst_activate(r->db, r->cfg, in->id, "creating",
		    RECON_ACTOR);
		if (err == OCH_OK)
			err = mine(r, &stmt_release, 2, p);
		if ((err = tx_end(r, own, err)) == OCH_OK)
			log_info("instance %s: creating -> active (the VPS was "
			    "ready first)", in->id);
		return err;
	}
	memset(&t, 0, sizeof(t));
	t.state = "booting";
	t.since = 1;
	t.release = 1;
	/* check the create action soon, else the boot timeout */
	t.delay_ms = in->action_id > 0 ? 2 * poll_ms(r, 0) :
	    r->boot_timeout * 1000;
	t.action_id = in->action_id;
	t.action = in->action_id > 0 ? "create_server" : NULL;
	t.message = "waiting for the VPS to call ready";
	return tx_end(r, own, transition(r, in, &t));
}

/*
 * booting and rebuilding: the ready call (API) activates the instance;
 * here only the create/rebuild action and the boot timeout are checked.
 */
static enum och_err
do_booting(struct recon *r, struct ri *in)
{
	struct hz_action	 a;
	struct prov_err		 e;
	struct tr		 t;
	const char		*p[2];
	char			 cur[16], why[400];
	enum och_err		 err, rc;
	long long		 left;
	double			 age;
	int			 own, ready;

	p[0] = in->id;
	p[1] = r->owner;
	if ((err = tx_begin(r, &own)) != OCH_OK)
		return err;
	if ((err = lock_row(r, in, cur, sizeof(cur), &ready, &age)) != OCH_OK)
		return tx_end(r, own, err);
	if (!is(cur, in->state))
		/* the ready call moved it meanwhile */
		return tx_end(r, own, mine(r, &stmt_release, 2, p));
	if (ready) {
		err = inst_activate(r->db, r->cfg, in->id, in->state,
		    RECON_ACTOR);
		if (err == OCH_OK)
			err = mine(r, &stmt_release, 2, p);
		return tx_end(r, own, err);
	}
	if (age >= (double)r->boot_timeout) {
		snprintf(why, sizeof(why), "server did not boot within %ld s",
		    r->boot_timeout);
		return tx_end(r, own, fail(r, in, why));
	}
	if ((err = tx_end(r, own, OCH_OK)) != OCH_OK)
		return err;
	in->age = age;
	left = (long long)(((double)r->boot_timeout - age) * 1000.0) + 50;
	if (in->action_id == 0)
		return defer(r, in, left);
	before_hz(r, in);
	if ((rc = hz_action_get(r->hz, in->action_id, &a, &e)) != OCH_OK) {
		if (rc != OCH_ENOTFOUND) {
			hcl_perr_log(&e, "check action");
			return defer(r, in, poll_ms(r, age) < left ?
			    poll_ms(r, age) : left);
		}
		a.status = HZ_ACTION_SUCCESS;
	}
	if (a.status == HZ_ACTION_RUNNING)
		return defer(r, in, poll_ms(r, age) < left ? poll_ms(r, age) :
		    left);
	if (a.status == HZ_ACTION_SUCCESS) {
		if ((err = mine(r, &stmt_action_done, 2, p)) != OCH_OK)
			return err;
		return defer(r, in, left);
	}
	snprintf(why, sizeof(why), "%s (action %" PRId64 ") failed: %s %s",
	    in->action, in->action_id, a.error_code, a.error_message);
	if (in->attempts + 1 >= r->max_attempts)
		return fail(r, in, why);
	if (is(in->state, "rebuilding")) {
		/* issue the rebuild again */
		if ((err = mine(r, &stmt_action_clear, 2, p)) != OCH_OK)
			return err;
		hcl_perr_init(&e, "hetzner");
		hcl_perr_set(&e, OCH_EUPSTREAM, 1, "action_failed", "%s", why);
		return upstream_failed(r, in, &e, "rebuild", 1);
	}
	/* a server whose create failed: delete it and create another */
	memset(&t, 0, sizeof(t));
	t.state = "creating";
	t.since = 1;
	t.release = 1;
	t.clear_ready = 1;
	t.cleanup = 1;
	t.count = 1;
	t.message = why;
	return transition(r, in, &t);
}

/* rebuilding: issue the rebuild with fresh user-data, then as booting. */
static enum och_err
do_rebuilding(struct recon *r, struct ri *in)
{
	struct hz_action	 a;
	struct ud_instance	 ui;
	struct prov_err		 e;
	char			*ud;
	enum och_err		 err, rc;

	if (is(in->action, "rebuild"))
		return do_booting(r, in);
	if ((rc = need_server(r, in, &e)) != OCH_OK)
		return upstream_failed(r, in, &e, "rebuild", 1);
	ui.id = in->id;
	ui.slug = in->slug;
	ui.plan = in->plan;
	ui.openclaw_version = in->version[0] ? in->version : NULL;
	ui.memory_mb = in->memory_mb;
	if ((ud = ud_build(r->db, r->cfg, &ui, &err)) == NULL) {
		if (err == OCH_EDB)
			return err;
		our_err(&e, 0, "user_data", "the user-data does not render");
		return upstream_failed(r, in, &e, "user-data", 1);
	}
	before_hz(r, in);
	rc = hz_server_rebuild(r->hz, in->server_id, in->image, ud, &a, &e);
	xfree_secret(ud);
	if (rc != OCH_OK)
		return upstream_failed(r, in, &e, "rebuild", 1);
	return issued(r, in, &a, "rebuild", NULL, 1, NULL, 0);
}

/* suspending, resuming, rebooting: the action, then the stable state. */
static enum och_err
do_power(struct recon *r, struct ri *in)
{
	struct tr	 t;
	enum hz_act	 act;
	const char	*final, *mail;
	int		 w;

	if (is(in->state, "suspending")) {
		act = HZ_POWEROFF;
		final = "suspended";
		mail = "suspended";
	} else if (is(in->state, "resuming")) {
		act = HZ_POWERON;
		final = "active";
		mail = "unsuspended";
	} else {
		act = HZ_REBOOT;
		final = "active";
		mail = NULL;
	}
	if (!is(in->action, act_name(act)))
		/* not issued yet, or it failed: (again) */
		return power(r, in, act, NULL, 0, NULL, 0);
	if ((w = wait_action(r, in)) <= 0)
		return w < 0 ? OCH_EDB : OCH_OK;
	memset(&t, 0, sizeof(t));
	t.state = final;
	t.release = 1;
	t.message = act_name(act);
	t.email = mail;
	return transition(r, in, &t);
}

/*
 * resizing (a plan change): shutdown, wait until off, change_type
 * without disk upgrade (Hetzner starts the server again), poweron when
 * it is not running, poweroff when it was suspended.  What to do
 * next is read from the server, so the step may repeat at any point.
 */
static enum och_err
do_resizing(struct recon *r, struct ri *in)
{
	struct hz_server	 srv;
	struct hz_action	 a;
	struct prov_err		 e;
	struct tr		 t;
	const char		*target;
	char			 msg[128];
	enum och_err		 rc;
	int			 w, want_on;

	target = in->pending_plan[0] != '\0' && in->new_server_type[0] !=
	    '\0' ? in->new_server_type : in->server_type;
	if ((w = wait_action(r, in)) <= 0)
		return w < 0 ? OCH_EDB : OCH_OK;
	if ((rc = need_server(r, in, &e)) != OCH_OK)
		return upstream_failed(r, in, &e, "change plan", 1);
	before_hz(r, in);
	if ((rc = hz_server_get(r->hz, in->server_id, &srv, &e)) != OCH_OK)
		return upstream_failed(r, in, &e, "change plan", 1);
	if (!is(srv.server_type, target)) {
		if (is(srv.status, "off")) {
			before_hz(r, in);
			rc = hz_server_change_type(r->hz, in->server_id,
			    target, 0, &a, &e);
			if (rc != OCH_OK)
				return upstream_failed(r, in, &e,
				    "change_type", 1);
			return issued(r, in, &a, "change_type", NULL, 0, NULL,
			    0);
		}
		if (is(in->action, "shutdown") && in->age >=
		    RECON_SHUTDOWN_TIMEOUT)
			/* the OS ignores ACPI: cut the power */
			return power(r, in, HZ_POWEROFF, NULL, 1, NULL, 0);
		if (is(in->action, "shutdown") || is(in->action, "poweroff"))
			return defer(r, in, poll_ms(r, in->age));
		return power(r, in, HZ_SHUTDOWN, NULL, 1, NULL, 0);
	}
	/* change_type starts the server again: a suspended one goes off */
	want_on = !is(in->return_state, "suspended");
	if (!is(srv.status, want_on ? "running" : "off")) {
		if (is(srv.status, want_on ? "off" : "running"))
			return power(r, in, want_on ? HZ_POWERON : HZ_POWEROFF,
			    NULL, 0, NULL, 0);
		return defer(r, in, poll_ms(r, in->age));
	}
	snprintf(msg, sizeof(msg), "plan %s -> %s (%s)", in->plan,
	    in->pending_plan[0] ? in->pending_plan : in->plan, target);
	memset(&t, 0, sizeof(t));
	t.state = want_on ? "active" : "suspended";
	t.release = 1;
	t.apply_plan = 1;
	t.kind = "plan.changed";
	t.message = msg;
	return transition(r, in, &t);
}

/* failed with cleanup: delete what the failed create left behind. */
static enum och_err
do_cleanup(struct recon *r, struct ri *in)
{
	struct prov_err	 e;
	const char	*p[2];
	size_t		 left;
	enum och_err	 err;
	int		 own;

	if (delete_servers(r, in, &left, &e) != OCH_OK)
		return upstream_failed(r, in, &e, "cleanup: delete server", 0);
	if (left > 0)
		return defer(r, in, poll_ms(r, 0));
	if (delete_records(r, in, &e) != OCH_OK)
		return upstream_failed(r, in, &e, "cleanup: delete DNS", 0);
	p[0] = in->id;
	p[1] = r->owner;
	if ((err = tx_begin(r, &own)) != OCH_OK)
		return err;
	err = mine(r, &stmt_cleaned, 2, p);
	if (err == OCH_OK)
		err = event(r, in, "cleanup.done", NULL,
		    "server and DNS records of the failed create deleted");
	if (err == OCH_OK)
		err = mine(r, &stmt_release, 2, p);
	if ((err = tx_end(r, own, err)) == OCH_OK)
		log_info("instance %s: failed create cleaned up", in->id);
	return err;
}

/* terminating: servers, DNS records, snapshots, secrets, tokens. */
static enum och_err
do_terminating(struct recon *r, struct ri *in)
{
	struct prov_err	 e;
	const char	*p[2];
	char		*dedupe;
	size_t		 left;
	enum och_err	 err;
	int		 own;

	if (delete_servers(r, in, &left, &e) != OCH_OK)
		return upstream_failed(r, in, &e, "delete server", 1);
	if (left > 0)
		/* come back when Hetzner has finished deleting */
		return defer(r, in, poll_ms(r, in->age));
	if (delete_records(r, in, &e) != OCH_OK)
		return upstream_failed(r, in, &e, "delete DNS", 1);
	if (delete_images(r, in, &e) != OCH_OK)
		return upstream_failed(r, in, &e, "delete snapshots", 1);
	p[0] = in->id;
	p[1] = r->owner;
	dedupe = xasprintf("terminated:%s", in->id);
	if ((err = tx_begin(r, &own)) != OCH_OK) {
		free(dedupe);
		return err;
	}
	err = db_run(r->db, &stmt_wipe_secrets, 1, p, NULL);
	if (err == OCH_OK)
		err = db_run(r->db, &stmt_revoke_agent, 1, p, NULL);
	if (err == OCH_OK)
		err = db_run(r->db, &stmt_expire_boot, 1, p, NULL);
	if (err == OCH_OK)
		err = mine(r, &stmt_terminated, 2, p);
	if (err == OCH_OK)
		err = event(r, in, "state.terminated", "terminated",
		    "server, DNS records and snapshots deleted; secrets, AI keys"
		    " and channels wiped");
	if (err == OCH_OK)
		err = email_user(r, in, "terminated", dedupe);
	free(dedupe);
	if ((err = tx_end(r, own, err)) == OCH_OK)
		log_info("instance %s: terminated", in->id);
	return err;
}

static enum och_err
step(struct recon *r, struct ri *in)
{
	struct tr	 t;
	const char	*p[2];
	enum och_err	 err;

	p[0] = in->id;
	p[1] = r->owner;
	memset(&t, 0, sizeof(t));
	if (is(in->state, "terminated"))
		return mine(r, &stmt_release, 2, p);
	if (is(in->desired, "terminated") && !is(in->state, "terminating") &&
	    !(is(in->state, "failed") && is(in->failed_state, "terminating"))) {
		t.state = "terminating";
		t.since = 1;
		t.clear_action = 1;
		t.message = "termination requested";
		if ((err = transition(r, in, &t)) != OCH_OK)
			return err;
		return do_terminating(r, in);
	}
	if (is(in->state, "failed"))
		return in->cleanup ? do_cleanup(r, in) :
		    mine(r, &stmt_release, 2, p);
	if (is(in->state, "pending")) {
		t.state = "creating";
		t.since = 1;
		t.message = "order picked up";
		if ((err = transition(r, in, &t)) != OCH_OK)
			return err;
	}
	if (is(in->state, "creating"))
		return do_creating(r, in);
	if (is(in->state, "booting"))
		return do_booting(r, in);
	if (is(in->state, "rebuilding"))
		return do_rebuilding(r, in);
	if (is(in->state, "suspending") || is(in->state, "resuming") ||
	    is(in->state, "rebooting"))
		return do_power(r, in);
	if (is(in->state, "resizing"))
		return do_resizing(r, in);
	if (is(in->state, "terminating"))
		return do_terminating(r, in);
	if (is(in->state, "active") && is(in->desired, "suspended"))
		return power(r, in, HZ_POWEROFF, "suspending", 1, "active", 0);
	if (is(in->state, "suspended") && is(in->desired, "active"))
		return power(r, in, HZ_POWERON, "resuming", 1, "suspended", 0);
	if ((is(in->state, "active") || is(in->state, "suspended")) &&
	    in->pending_plan[0] != '\0') {
		t.state = "resizing";
		t.since = 1;
		t.return_state = in->state;
		t.message = in->pending_plan;
		if ((err = transition(r, in, &t)) != OCH_OK)
			return err;
		copy(in->return_state, sizeof(in->return_state),
		    t.return_state);
		in->action[0] = '\0';
		in->action_id = 0;
		return do_resizing(r, in);
	}
	if (is(in->state, "active") && is(in->pending_action, "reboot"))
		return power(r, in, HZ_REBOOT, "rebooting", 1, "active", 1);
	if (is(in->state, "active") && is(in->pending_action, "rebuild")) {
		t.state = "rebuilding";
		t.since = 1;
		t.clear_action = 1;
		t.clear_ready = 1;
		t.return_state = "active";
		t.message = "rebuild requested";
		if ((err = transition(r, in, &t)) != OCH_OK)
			return err;
		in->action[0] = '\0';
		in->action_id = 0;
		return do_rebuilding(r, in);
	}
	if (in->pending_action[0] != '\0') {
		/* a reboot or rebuild asked while suspended: dropped */
		if ((err = event(r, in, "action.dropped", NULL,
		    in->pending_action)) != OCH_OK)
			return err;
		return mine(r, &stmt_drop_action, 2, p);
	}
	return mine(r, &stmt_release, 2, p);
}

/* ---- the public part ------------------------------------------------ */

struct recon *
recon_new(struct db *db, const struct cfg *c, struct hcl *h, const char *host)
{
	struct recon	*r;
	struct hz	*hz;
	struct cf	*cf;
	long long	 timeout;

	if ((hz = hz_from_cfg(h, c)) == NULL) {
		log_error("HETZNER_API_TOKEN is not set");
		return NULL;
	}
	if ((cf = cf_from_cfg(h, c)) == NULL) {
		log_error("CLOUDFLARE_API_TOKEN or CLOUDFLARE_ZONE_ID is not "
		    "set");
		hz_free(hz);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->db = db;
	r->cfg = c;
	r->hz = hz;
	r->cf = cf;
	copy(r->host, sizeof(r->host), host);
	snprintf(r->owner, sizeof(r->owner), "%s:%ld", host, (long)getpid());
	r->max_attempts = (int)cfg_int(c, CFG_POLLER_MAX_ATTEMPTS, 8);
	r->lease_s = (int)cfg_int(c, CFG_POLLER_LEASE_SECONDS,
	    RECON_LEASE_SECONDS);
	r->boot_timeout = (long)cfg_int(c, CFG_BOOT_TIMEOUT, 600);
	r->base_ms = (unsigned)cfg_int(c, CFG_POLLER_BACKOFF_MS, 1000);
	r->cap_ms = (unsigned)cfg_int(c, CFG_POLLER_BACKOFF_MAX_MS, 60000);
	if (r->cap_ms < r->base_ms)
		r->cap_ms = r->base_ms;
	if ((timeout = cfg_int(c, CFG_POLLER_HTTP_TIMEOUT, 0)) > 0)
		hcl_set_timeouts(h, timeout * 1000 < HCL_CONNECT_TIMEOUT_MS ?
		    timeout * 1000 : HCL_CONNECT_TIMEOUT_MS, timeout * 1000);
	return r;
}

void
recon_free(struct recon *r)
{
	if (r == NULL)
		return;
	hz_free(r->hz);
	cf_free(r->cf);
	free(r);
}

const char *
recon_owner(const struct recon *r)
{
	return r->owner;
}

void
recon_set_deadline(struct recon *r, time_t t)
{
	r->deadline = t;
}

int
recon_pickup(struct recon *r)
{
	const char	*p[1];
	long		 n = 0;

	p[0] = RECON_ACTOR;
	if (db_run(r->db, &stmt_pickup, 1, p, &n) != OCH_OK)
		return -1;
	if (n > 0)
		log_info("%ld new order%s picked up", n, n == 1 ? "" : "s");
	return (int)n;
}

static void
load(struct ri *in, const PGresult *res)
{
	const char	*v;

	memset(in, 0, sizeof(*in));
	copy(in->id, sizeof(in->id), db_val(res, 0, 0));
	copy(in->slug, sizeof(in->slug), db_val(res, 0, 1));
	copy(in->state, sizeof(in->state), db_val(res, 0, 2));
	copy(in->desired, sizeof(in->desired), db_val(res, 0, 3));
	copy(in->plan, sizeof(in->plan), db_val(res, 0, 4));
	copy(in->pending_plan, sizeof(in->pending_plan), db_val(res, 0, 5));
	copy(in->pending_action, sizeof(in->pending_action),
	    db_val(res, 0, 6));
	copy(in->server_type, sizeof(in->server_type), db_val(res, 0, 7));
	copy(in->image, sizeof(in->image), db_val(res, 0, 8));
	copy(in->location, sizeof(in->location), db_val(res, 0, 9));
	copy(in->new_server_type, sizeof(in->new_server_type),
	    db_val(res, 0, 10));
	in->server_id = db_int(res, 0, 11);
	copy(in->ipv4, sizeof(in->ipv4), db_val(res, 0, 12));
	copy(in->ipv6, sizeof(in->ipv6), db_val(res, 0, 13));
	copy(in->dns4, sizeof(in->dns4), db_val(res, 0, 14));
	copy(in->dns6, sizeof(in->dns6), db_val(res, 0, 15));
	in->attempts = (int)db_int(res, 0, 16);
	in->ready = is(db_val(res, 0, 17), "t");
	in->age = (v = db_val(res, 0, 18)) != NULL ? strtod(v, NULL) : -1;
	in->action_id = db_int(res, 0, 19);
	copy(in->action, sizeof(in->action), db_val(res, 0, 20));
	copy(in->return_state, sizeof(in->return_state), db_val(res, 0, 21));
	in->cleanup = is(db_val(res, 0, 22) ? db_val(res, 0, 22) : "", "t");
	copy(in->email, sizeof(in->email), db_val(res, 0, 23));
	copy(in->failed_state, sizeof(in->failed_state), db_val(res, 0, 24));
	copy(in->version, sizeof(in->version), db_val(res, 0, 25));
	in->memory_mb = (long)db_int(res, 0, 26);
}

int
recon_run_one(struct recon *r)
{
	PGresult	*res;
	struct ri	 in;
	const char	*p[2];
	char		 lease[16], id[40];
	enum och_err	 err;

	snprintf(lease, sizeof(lease), "%d", r->lease_s);
	p[0] = r->owner;
	p[1] = lease;
	if ((res = db_exec(r->db, &stmt_claim, 2, p, NULL)) == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	copy(id, sizeof(id), db_val(res, 0, 0));
	PQclear(res);
	p[0] = id;
	p[1] = r->owner;
	if ((res = db_exec(r->db, &stmt_load, 2, p, NULL)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 1;
	}
	load(&in, res);
	PQclear(res);
	r->claimed_at = time(NULL);
	err = step(r, &in);
	if (db_in_tx(r->db))
		db_rollback(r->db);
	if (err == OCH_EDB)
		return -1;
	/* whatever happened, the lease is not kept past the step */
	if (db_run(r->db, &stmt_release, 2, p, NULL) != OCH_OK)
		return -1;
	return 1;
}

long
recon_next_due_ms(struct recon *r, long cap)
{
	PGresult	*res;
	const char	*p[1];
	char		 c[32];
	long		 ms;

	snprintf(c, sizeof(c), "%ld", cap);
	p[0] = c;
	if ((res = db_exec(r->db, &stmt_next, 1, p, NULL)) == NULL)
		return -1;
	ms = (long)db_int(res, 0, 0);
	PQclear(res);
	return ms < 0 ? 0 : ms > cap ? cap : ms;
}

int
recon_wake(struct recon *r, const char *id)
{
	const char	*p[1];

	if (!valid_uuid_text(id))
		return 0;
	p[0] = id;
	return db_run(r->db, &stmt_wake, 1, p, NULL) == OCH_OK ? 0 : -1;
}

int
recon_rescue(struct recon *r)
{
	PGresult	*res;
	const char	*p[1], *owner, *colon;
	long		 pid;
	int		 i, n = 0;

	p[0] = r->host;
	if ((res = db_exec(r->db, &stmt_owners, 1, p, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		owner = db_val(res, i, 0);
		if (owner == NULL || is(owner, r->owner) ||
		    (colon = strrchr(owner, ':')) == NULL)
			continue;
		pid = strtol(colon + 1, NULL, 10);
		if (pid <= 1 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		p[0] = owner;
		if (db_run(r->db, &stmt_unlock_owner, 1, p, NULL) != OCH_OK) {
			PQclear(res);
			return -1;
		}
		log_info("released the leases of %s (process gone)", owner);
		n++;
	}
	PQclear(res);
	return n;
}

enum och_err
recon_retry(struct db *db, const char *id, const char *actor, char *state,
    size_t statesz)
{
	PGresult	*res;
	const char	*p[1];
	enum och_err	 err;

	if (!valid_uuid_text(id))
		return OCH_ENOTFOUND;
	p[0] = id;
	if (db_begin(db) < 0)
		return OCH_EDB;
	if ((res = db_exec(db, &stmt_retry_failed, 1, p, &err)) == NULL)
		goto fail;
	if (PQntuples(res) == 0) {
		PQclear(res);
		if ((res = db_exec(db, &stmt_exists, 1, p, &err)) == NULL)
			goto fail;
		err = PQntuples(res) == 0 ? OCH_ENOTFOUND : OCH_ECONFLICT;
		PQclear(res);
		goto fail;
	}
	copy(state, statesz, db_val(res, 0, 0));
	PQclear(res);
	if ((err = inst_event(db, id, "state.retry", "failed", state,
	    "retry requested", actor)) != OCH_OK ||
	    (err = inst_notify(db, id)) != OCH_OK)
		goto fail;
	if (db_commit(db) < 0)
		return OCH_EDB;
	return OCH_OK;
fail:
	db_rollback(db);
	return err;
}
