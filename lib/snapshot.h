/*
 * snapshot.h: Hetzner server snapshots, the second kind of backup
 * (schema/151_snapshots.sql).  Where the agent's backup (lib/backup.h)
 * holds the OpenClaw state, a snapshot holds the whole disk, made by
 * Hetzner itself (POST /servers/{id}/actions/create_image, type
 * snapshot, labelled och-instance=<instance>).
 *
 * Flow: snap_queue() records a backups row (kind 'snapshot', status
 * 'creating'), by a plan's schedule (plans.snapshot_hours) or on demand
 * (an admin, or the customer whose plan includes snapshots); the
 * poller's snap_maintain() starts its create_image action, follows the
 * action to 'available' or 'failed', keeps the newest
 * plans.snapshot_slots (at least the one an admin took) and deletes the
 * images beyond them.  Termination deletes an instance's images with its
 * server (lib/recon.c); its rows follow.  A restore (backups.fcgi)
 * rebuilds the server from the image through the reconciler
 * (instances.restore_image).
 */
#ifndef OCH_SNAPSHOT_H
#define OCH_SNAPSHOT_H

#include "cfg.h"
#include "db.h"

struct hz;

/*
 * Snapshots on demand ("Take snapshot"): one at a time (none while a
 * snapshot of the instance is being made, whoever asked for it), and a
 * customer may ask when fewer than SNAPSHOT_MANUAL_PER_DAY (och.conf,
 * default this) were asked for within a day (an admin is not held to
 * that count).  Each is a paid Hetzner image and a create_image action;
 * the plan's schedule takes the regular ones, and retention keeps only
 * the plan's slots anyway.
 */
#define SNAP_MANUAL_PER_DAY	3

/*
 * Queue a snapshot of an active instance (reason scheduled | manual);
 * actor names who asked ("user:5", "poller"); a manual one counts
 * against per_day (0: no daily cap, an admin's) and is queued alone,
 * never in a transaction, under the lock of the instance's backups
 * (bak_demand()).  Fills backup_id (24 bytes).  Returns OCH_OK;
 * OCH_ECONFLICT when the instance is not active; OCH_ERATE, nothing
 * stored, when a snapshot of it is being made (*retry 0, when retry is
 * not NULL: only its end helps) or a manual one is over per_day (*retry:
 * the seconds until the oldest of the day's frees a place); or the
 * database error.
 */
enum och_err	 snap_queue(struct db *, const char *instance,
		    const char *reason, const char *actor, long long per_day,
		    char *backup_id, long *retry);

/* What one snap_maintain() pass did. */
struct snap_stats {
	long	queued;		/* scheduled snapshots queued */
	long	started;	/* create_image actions started */
	long	done;		/* snapshots now available */
	long	failed;		/* refused by Hetzner, failed or timed out */
	long	deleted;	/* images deleted (retention, termination) */
};

/*
 * The poller's snapshot work (och-poller maintain), as above; hz may be
 * NULL (no Hetzner token: only the database part).  Returns 0, or -1
 * when the database failed (logged); Hetzner errors are logged and
 * retried on the next pass (a refused create_image fails its row).
 */
int		 snap_maintain(struct db *, const struct cfg *, struct hz *,
		    struct snap_stats *);

#endif
