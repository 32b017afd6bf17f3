/*
 * snapshot.c: Hetzner snapshots as backups (see snapshot.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "hetzner.h"
#include "log.h"
#include "snapshot.h"

#define SNAP_BATCH	50	/* rows of one kind handled per pass */

/* the row and its history line, bak_demand()'s way: nothing when the
 * instance is not active (-1), when one is being made (NULL: the unique
 * index of 151_snapshots also stops a second one racing this), or for a
 * manual one when $4 (> 0) manual ones were asked for within a day (the
 * seconds until the oldest of them is a day old) */
static const struct db_stmt stmt_queue = { "snap_queue",
	"WITH lim AS (SELECT count(*) FILTER (WHERE status = 'creating')"
	"  AS busy, count(*) FILTER (WHERE reason = 'manual' AND created_at >"
	"  now() - interval '1 day') AS day, min(created_at) FILTER (WHERE"
	"  reason = 'manual' AND created_at > now() - interval '1 day')"
	"  AS first FROM backups WHERE instance_id = $1::uuid"
	"  AND kind = 'snapshot'),"
	" i AS (SELECT id FROM instances WHERE id = $1::uuid"
	"  AND state = 'active'),"
	" b AS (INSERT INTO backups (instance_id, kind, status, reason,"
	"  name) SELECT i.id, 'snapshot', 'creating', $2, 'snapshot ' || $2"
	"  || ' ' || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
	"  FROM i, lim WHERE lim.busy = 0"
	"  AND ($2 <> 'manual' OR $4::int = 0 OR lim.day < $4::int)"
	"  ON CONFLICT (instance_id) WHERE kind = 'snapshot'"
	"  AND status = 'creating' DO NOTHING RETURNING id, instance_id),"
	" e AS (INSERT INTO instance_events (instance_id, kind, message, actor)"
	"  SELECT instance_id, 'snapshot.queued', 'snapshot ' || id"
	"  || ' queued (' || $2 || ')', $3 FROM b)"
	" SELECT (SELECT id FROM b), NULL, CASE"
	"  WHEN NOT EXISTS (SELECT 1 FROM i) THEN -1"
	"  WHEN lim.busy = 0 AND $2 = 'manual' AND $4::int > 0"
	"  AND lim.day >= $4::int"
	"  THEN greatest(1, ceil(extract(epoch FROM lim.first"
	"  + interval '1 day' - now())))::bigint END FROM lim" };
/* active instances whose plan's snapshot schedule is due (a failed one
 * is tried again after an hour) */
static const struct db_stmt stmt_due = { "snap_due",
	"SELECT i.id FROM instances i JOIN plans p ON p.name = i.plan"
	" WHERE i.state = 'active' AND p.snapshot_hours > 0"
	" AND p.snapshot_slots > 0"
	" AND NOT EXISTS (SELECT 1 FROM backups b WHERE b.instance_id = i.id"
	"  AND b.kind = 'snapshot' AND (b.status = 'creating'"
	"  OR (b.status IN ('available', 'deleting', 'deleted')"
	"   AND b.created_at > now() - p.snapshot_hours * interval '1 hour')"
	"  OR (b.status = 'failed' AND b.created_at > now() - interval"
	"   '1 hour')))" };
/* one row to start (hetzner_action_id 0: being started) */
static const struct db_stmt stmt_claim = { "snap_claim",
	"UPDATE backups b SET hetzner_action_id = 0 FROM instances i"
	" WHERE b.id = (SELECT x.id FROM backups x WHERE x.kind = 'snapshot'"
	"  AND x.status = 'creating' AND x.hetzner_action_id IS NULL"
	"  ORDER BY x.id LIMIT 1 FOR UPDATE SKIP LOCKED)"
	" AND i.id = b.instance_id"
	" RETURNING b.id, b.instance_id, i.hetzner_server_id, i.state, i.slug" };
static const struct db_stmt stmt_unclaim = { "snap_unclaim",
	"UPDATE backups SET hetzner_action_id = NULL WHERE id = $1::bigint"
	" AND status = 'creating' AND hetzner_action_id = 0" };
static const struct db_stmt stmt_started = { "snap_started",
	"UPDATE backups SET hetzner_action_id = $2::bigint,"
	" hetzner_image_id = $3::bigint WHERE id = $1::bigint" };
static const struct db_stmt stmt_running = { "snap_running",
	"SELECT id, hetzner_action_id FROM backups WHERE kind = 'snapshot'"
	" AND status = 'creating' AND hetzner_action_id > 0"
	" ORDER BY id LIMIT 50" };
static const struct db_stmt stmt_done = { "snap_done",
	"WITH b AS (UPDATE backups SET status = 'available',"
	"  completed_at = now(), error = NULL WHERE id = $1::bigint"
	"  AND status = 'creating' RETURNING id, instance_id, hetzner_image_id)"
	" INSERT INTO instance_events (instance_id, kind, message, actor)"
	" SELECT instance_id, 'snapshot.stored', 'snapshot ' || id"
	" || ' stored (Hetzner image ' || hetzner_image_id || ')', 'poller'"
	" FROM b" };
static const struct db_stmt stmt_fail = { "snap_fail",
	"WITH b AS (UPDATE backups SET status = 'failed', error = left($2, 500)"
	"  WHERE id = $1::bigint AND status = 'creating'"
	"  RETURNING id, instance_id)"
	" INSERT INTO instance_events (instance_id, kind, message, actor)"
	" SELECT instance_id, 'snapshot.failed', left('snapshot ' || id"
	" || ' failed: ' || $2, 500), 'poller' FROM b" };
static const struct db_stmt stmt_expire = { "snap_expire",
	"UPDATE backups SET status = 'failed', error = 'create_image did not"
	" finish within ' || $1 || ' s'"
	" WHERE kind = 'snapshot' AND status = 'creating'"
	" AND created_at < now() - $1::int * interval '1 second'" };
/* retention: beyond the plan's slots (at least one: a snapshot an admin
 * took on a plan without any), newest first; and every snapshot of a
 * terminated instance (lib/recon.c deleted its images with its server:
 * there is nothing left to restore them to) */
static const struct db_stmt stmt_doomed = { "snap_doomed",
	"UPDATE backups SET status = 'deleting' WHERE id IN ("
	" SELECT x.id FROM (SELECT b.id, i.state,"
	"  greatest(p.snapshot_slots, 1) AS slots, row_number() OVER"
	"  (PARTITION BY b.instance_id ORDER BY b.created_at DESC, b.id DESC)"
	"  AS rn FROM backups b JOIN instances i ON i.id = b.instance_id"
	"  JOIN plans p ON p.name = i.plan"
	"  WHERE b.kind = 'snapshot' AND b.status = 'available') x"
	" WHERE x.rn > x.slots OR x.state = 'terminated')" };
static const struct db_stmt stmt_deleting = { "snap_deleting",
	"SELECT id, hetzner_image_id FROM backups WHERE kind = 'snapshot'"
	" AND status = 'deleting' ORDER BY id LIMIT 50" };
static const struct db_stmt stmt_deleted = { "snap_deleted",
	"UPDATE backups SET status = 'deleted', deleted_at = now()"
	" WHERE id = $1::bigint AND status = 'deleting'" };

enum och_err
snap_queue(struct db *db, const char *instance, const char *reason,
    const char *actor, long long per_day, char *backup_id, long *retry)
{
	const char	*p[4] = { instance, reason, actor, NULL };
	char		 cap[24];

	snprintf(cap, sizeof(cap), "%lld", per_day > 0 ? per_day : 0);
	p[3] = cap;
	return bak_demand(db, &stmt_queue, 4, p,
	    strcmp(reason, "manual") == 0, backup_id, NULL, retry);
}

/* Fail row id with why.  Returns 0, or -1 on database error. */
static int
fail(struct db *db, const char *id, const char *why, struct snap_stats *st)
{
	const char	*p[2] = { id, why };

	log_warn("snapshot %s failed: %s", id, why);
	st->failed++;
	return db_run(db, &stmt_fail, 2, p, NULL) == OCH_OK ? 0 : -1;
}

/*
 * Start the create_image action of the rows waiting for one.  Stops at
 * the first retryable Hetzner error (the row waits for the next pass).
 * Returns 0, or -1 on database error.
 */
static int
start(struct db *db, struct hz *hz, struct snap_stats *st)
{
	struct hz_action a;
	struct prov_err	 e;
	PGresult	*res;
	const char	*id, *p[3];
	char		*desc, act[24], img[24];
	int64_t		 image;
	enum och_err	 rc;
	int		 k, ok = 0;

	for (k = 0; k < SNAP_BATCH; k++) {
		if ((res = db_exec(db, &stmt_claim, 0, NULL, NULL)) == NULL)
			return -1;
		if (PQntuples(res) == 0) {
			PQclear(res);
			return 0;
		}
		id = db_val(res, 0, 0);
		if (db_val(res, 0, 2) == NULL ||
		    strcmp(db_val(res, 0, 3), "active") != 0) {
			ok = fail(db, id, "the instance is not active", st);
			PQclear(res);
			if (ok < 0)
				return -1;
			continue;
		}
		hcl_perr_init(&e, "hetzner");
		desc = xasprintf("och %s snapshot %s", db_val(res, 0, 4), id);
		rc = hz_server_create_image(hz, strtoll(db_val(res, 0, 2), NULL,
		    10), desc, db_val(res, 0, 1), &image, &a, &e);
		free(desc);
		p[0] = id;
		if (rc == OCH_OK) {
			snprintf(act, sizeof(act), "%lld", (long long)a.id);
			snprintf(img, sizeof(img), "%lld", (long long)image);
			p[1] = act;
			p[2] = img;
			ok = db_run(db, &stmt_started, 3, p, NULL) == OCH_OK ?
			    0 : -1;
			st->started++;
		} else if (e.retryable) {
			log_warn("snapshot %s: create_image not accepted (%s);"
			    " tried again on the next pass", id, e.message);
			ok = db_run(db, &stmt_unclaim, 1, p, NULL) == OCH_OK ?
			    1 : -1;
		} else
			ok = fail(db, id, e.message[0] ? e.message :
			    "Hetzner refused create_image", st);
		PQclear(res);
		if (ok != 0)
			return ok < 0 ? -1 : 0;
	}
	return 0;
}

/* Follow the running actions.  Returns 0, or -1 on database error. */
static int
follow(struct db *db, struct hz *hz, struct snap_stats *st)
{
	struct hz_action a;
	struct prov_err	 e;
	PGresult	*res;
	const char	*p[1];
	char		 why[400];
	int		 i, rc = 0;

	if ((res = db_exec(db, &stmt_running, 0, NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		p[0] = db_val(res, i, 0);
		hcl_perr_init(&e, "hetzner");
		if (hz_action_get(hz, db_int(res, i, 1), &a, &e) != OCH_OK) {
			log_warn("snapshot %s: action not read (%s); again on "
			    "the next pass", p[0], e.message);
			continue;
		}
		if (a.status == HZ_ACTION_SUCCESS) {
			rc = db_run(db, &stmt_done, 1, p, NULL) == OCH_OK ?
			    0 : -1;
			st->done++;
		} else if (a.status == HZ_ACTION_ERROR) {
			snprintf(why, sizeof(why), "create_image failed: %s%s%s",
			    a.error_code, a.error_message[0] ? ": " : "",
			    a.error_message);
			rc = fail(db, p[0], why, st);
		}
	}
	PQclear(res);
	return rc;
}

/* Delete the images of rows marked 'deleting'.  Returns 0, or -1. */
static int
delete_marked(struct db *db, struct hz *hz, struct snap_stats *st)
{
	struct prov_err	 e;
	PGresult	*res;
	const char	*p[1];
	enum och_err	 rc;
	int		 i;

	if ((res = db_exec(db, &stmt_deleting, 0, NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		p[0] = db_val(res, i, 0);
		hcl_perr_init(&e, "hetzner");
		if (db_val(res, i, 1) != NULL && (rc = hz_image_delete(hz,
		    db_int(res, i, 1), &e)) != OCH_OK && rc != OCH_ENOTFOUND) {
			log_warn("snapshot %s: image not deleted (%s); again "
			    "on the next pass", p[0], e.message);
			continue;
		}
		if (db_run(db, &stmt_deleted, 1, p, NULL) != OCH_OK) {
			PQclear(res);
			return -1;
		}
		st->deleted++;
	}
	PQclear(res);
	return 0;
}

int
snap_maintain(struct db *db, const struct cfg *cfg, struct hz *hz,
    struct snap_stats *out)
{
	struct snap_stats st = { 0, 0, 0, 0, 0 };
	PGresult	*res;
	const char	*p[1];
	char		 n[24], bid[24];
	enum och_err	 err;
	int		 i, rc = -1;

	if ((res = db_exec(db, &stmt_due, 0, NULL, NULL)) == NULL)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		err = snap_queue(db, db_val(res, i, 0), "scheduled", "poller",
		    0, bid, NULL);
		if (err != OCH_OK && err != OCH_ECONFLICT && err != OCH_ERATE) {
			PQclear(res);
			goto out;
		}
		st.queued += err == OCH_OK;
	}
	PQclear(res);
	snprintf(n, sizeof(n), "%lld", cfg_int(cfg, CFG_BACKUP_TIMEOUT_SECONDS,
	    7200));
	p[0] = n;
	if (db_run(db, &stmt_expire, 1, p, NULL) != OCH_OK)
		goto out;
	if (hz != NULL && (start(db, hz, &st) < 0 || follow(db, hz, &st) < 0))
		goto out;
	if (db_run(db, &stmt_doomed, 0, NULL, NULL) != OCH_OK)
		goto out;
	if (hz != NULL && delete_marked(db, hz, &st) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		log_error("snapshots: database failed");
	log_info("snapshots: %ld queued, %ld started, %ld stored, %ld failed, "
	    "%ld deleted%s", st.queued, st.started, st.done, st.failed,
	    st.deleted, hz == NULL ? " (no Hetzner token)" : "");
	if (out != NULL)
		*out = st;
	return rc;
}
