/*
 * recon_queue.c: which instance the reconciler works on next, and the
 * public calls that are only SQL (recon.h): new orders picked up, one
 * due instance claimed under a lease and loaded, the time until the
 * next is due, a wake-up, the leases of dead pollers released, and a
 * failed instance resumed.  What is "due" is the DUE predicate below;
 * what runs for it is recon_decide() (recon_decide.c).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inst.h"
#include "log.h"
#include "recon_int.h"

/* Instances with something to do (see the dispatch in step()). */
#define DUE \
	" (i.state IN ('pending', 'creating', 'booting', 'suspending'," \
	"  'resuming', 'resizing', 'rebooting', 'rebuilding', 'terminating')" \
	" OR (i.state IN ('active', 'suspended')" \
	"  AND (i.desired_state <> i.state" \
	"  OR i.pending_plan IS NOT NULL OR i.pending_action IS NOT NULL))" \
	" OR (i.state = 'failed' AND (i.cleanup OR (i.desired_state =" \
	"  'terminated' AND i.failed_state IS DISTINCT FROM 'terminating'))))"
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
/*
 * What a step knows of a claimed instance: X(field of struct ri, SQL, T)
 * with T how the text becomes the field (STR copied, I64/INT/LONG as
 * numbers, BOOL from "t", AGE seconds or -1 when NULL).  The SELECT list
 * of stmt_load and load_row() both derive from it.
 */
#define RI_COLS(X) \
	X(id,		"i.id",					STR) \
	X(slug,		", i.slug",				STR) \
	X(state,	", i.state",				STR) \
	X(desired,	", i.desired_state",			STR) \
	X(plan,		", i.plan",				STR) \
	X(pending_plan,	", i.pending_plan",			STR) \
	X(pending_action, ", i.pending_action",			STR) \
	X(server_type,	", coalesce(pt.server_type, p.server_type)", STR) \
	/* a snapshot being restored is the image of the rebuild (151) */ \
	X(image,	", coalesce(i.restore_image, p.image)",	STR) \
	X(location,	", coalesce(a.location, r.location)",	STR) \
	X(new_server_type, ", coalesce(npt.server_type, np.server_type)", STR) \
	X(server_id,	", i.hetzner_server_id",		I64) \
	X(ipv4,		", host(i.ipv4)",			STR) \
	X(ipv6,		", i.ipv6",				STR) \
	X(dns4,		", i.dns_record_id",			STR) \
	X(dns6,		", i.dns_record6_id",			STR) \
	X(attempts,	", i.attempts",				INT) \
	X(ready,	", i.ready_at IS NOT NULL",		BOOL) \
	X(age,		", extract(epoch FROM now() - i.step_since)::float8", AGE) \
	X(action_id,	", i.hetzner_action_id",		I64) \
	X(action,	", i.hetzner_action",			STR) \
	X(return_state,	", i.return_state",			STR) \
	X(cleanup,	", i.cleanup",				BOOL) \
	X(email,	", u.email",				STR) \
	X(failed_state,	", i.failed_state",			STR) \
	X(version,	", coalesce(i.openclaw_version, p.openclaw_version)", STR) \
	X(memory_mb,	", p.memory_mb",			LONG)

#define RI_COL_SQL_(f, sql, t) sql
static const struct db_stmt stmt_load = { "recon_load",
	"SELECT " RI_COLS(RI_COL_SQL_)
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
#undef RI_COL_SQL_
#define RI_COL_ENUM_(f, sql, t) RI_COL_##f,
enum { RI_COLS(RI_COL_ENUM_) RI_NCOLS };
#undef RI_COL_ENUM_
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

enum och_err
recon_claim(struct recon *r, char *id, size_t idsz)
{
	PGresult	*res;
	const char	*p[2];
	char		 lease[16];
	enum och_err	 err;

	snprintf(lease, sizeof(lease), "%d", r->lease_s);
	p[0] = r->owner;
	p[1] = lease;
	if ((res = db_exec(r->db, &stmt_claim, 2, p, &err)) == NULL)
		return err;
	err = PQntuples(res) == 0 ? OCH_ENOTFOUND : OCH_OK;
	if (err == OCH_OK)
		copy(id, idsz, db_val(res, 0, 0));
	PQclear(res);
	return err;
}

#define RI_GET_STR(f, v)	copy(in->f, sizeof(in->f), v)
#define RI_GET_I64(f, v)	in->f = v != NULL ? strtoll(v, NULL, 10) : 0
#define RI_GET_INT(f, v)	in->f = v != NULL ? (int)strtol(v, NULL, 10) : 0
#define RI_GET_LONG(f, v)	in->f = v != NULL ? strtol(v, NULL, 10) : 0
#define RI_GET_BOOL(f, v)	in->f = is(v, "t")
#define RI_GET_AGE(f, v)	in->f = v != NULL ? strtod(v, NULL) : -1

static void
load_row(struct ri *in, const PGresult *res)
{
	const char	*v;

	memset(in, 0, sizeof(*in));
#define RI_COL_READ_(f, sql, t) \
	v = db_val(res, 0, RI_COL_##f); \
	RI_GET_##t(f, v);
	RI_COLS(RI_COL_READ_)
#undef RI_COL_READ_
}

enum och_err
recon_load(struct recon *r, const char *id, struct ri *in)
{
	PGresult	*res;
	const char	*p[2];
	enum och_err	 err;

	p[0] = id;
	p[1] = r->owner;
	if ((res = db_exec(r->db, &stmt_load, 2, p, &err)) == NULL)
		return err;
	err = PQntuples(res) == 1 ? OCH_OK : OCH_ENOTFOUND;
	if (err == OCH_OK)
		load_row(in, res);
	PQclear(res);
	return err;
}

/* ---- the public part that is only SQL (recon.h) ---------------------- */

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

	if (!recon_uuid_ok(id))
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

	if (!recon_uuid_ok(id))
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
