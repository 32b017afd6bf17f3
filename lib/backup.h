/*
 * backup.h: off-server backups of an instance's OpenClaw state
 * (schema/111_backups.sql).
 *
 * Flow: a backup row ('creating') and a backup_create command carrying
 * its id are queued together (bak_queue: by the schedule, or on demand);
 * the agent runs `openclaw backup create` and PUTs the archive to
 * /api/v1/agent/backups/{id} (backups.fcgi), which streams it, sealed,
 * to object storage (lib/s3.h) and marks the row 'available'.  A restore
 * is a backup_restore command: the agent GETs the archive back (opened
 * and checked on the way), verifies it and swaps it in, keeping the old
 * state until the gateway is healthy again.
 *
 * The stored object is
 *   "OCHBAK1\n" | nonce (12) | AES-256-GCM(archive) | tag (16)
 * under a random key per backup, sealed in the row with the master key
 * (AD "backups:<id>:key"); the GCM associated data is "backups:<id>",
 * so an object copied under another backup's row does not open.
 */
#ifndef OCH_BACKUP_H
#define OCH_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "db.h"

#define BAK_MAGIC	"OCHBAK1\n"
#define BAK_MAGICLEN	8
#define BAK_NONCELEN	12
#define BAK_TAGLEN	16
#define BAK_KEYLEN	32
#define BAK_HDRLEN	(BAK_MAGICLEN + BAK_NONCELEN)
#define BAK_OVERHEAD	(BAK_HDRLEN + BAK_TAGLEN)

struct bak_cipher;

/*
 * An AES-256-GCM stream for backup id (associated data "backups:<id>"):
 * enc 1 seals, 0 opens.  Returns NULL if the cipher does not start.
 */
struct bak_cipher *bak_cipher_new(const unsigned char key[BAK_KEYLEN],
		    const unsigned char nonce[BAK_NONCELEN], const char *id,
		    int enc);
/* Transform n bytes of in into out (n bytes).  Returns 0, or -1. */
int		 bak_cipher_update(struct bak_cipher *, const unsigned char *in,
		    size_t n, unsigned char *out);
/* Sealing: the tag after the last update.  Returns 0, or -1. */
int		 bak_cipher_tag(struct bak_cipher *, unsigned char tag[BAK_TAGLEN]);
/* Opening: 1 when tag authenticates everything updated, else 0. */
int		 bak_cipher_check(struct bak_cipher *,
		    const unsigned char tag[BAK_TAGLEN]);
void		 bak_cipher_free(struct bak_cipher *);

/* The object key of backup id of instance: <prefix>/<instance>/<id>.ochbak */
char		*bak_object_key(const char *prefix, const char *instance,
		    const char *id);

/*
 * A customer's "take a backup now": one at a time (none while a backup
 * of the instance is being made) and at most this many asked for within
 * an hour.  Each is an archive of up to BACKUP_MAX_MB in the operator's
 * bucket; the schedule does the rest, so a few an hour (before a risky
 * change, and again after) are plenty.
 */
#define BAK_MANUAL_PER_HOUR	6

/*
 * Queue a backup of instance (reason scheduled | manual | pre_update):
 * the row and the agent's backup_create command, in the caller's
 * transaction or alone (a manual one: alone, never in a transaction,
 * under a lock of the instance's backups, as BAK_MANUAL_PER_HOUR says).
 * actor names who asked ("user:5", "poller").  On success fills
 * backup_id and command_id (24 bytes each) and returns OCH_OK; OCH_ERATE
 * for a manual one over the limits, nothing stored, with *retry (when
 * retry is not NULL) the seconds until the hour's cap frees one, 0 when
 * a backup is being made (only its end helps); otherwise the db_exec()
 * or db_batch() error.
 */
enum och_err	 bak_queue(struct db *, const char *instance,
		    const char *reason, const char *actor, char *backup_id,
		    char *command_id, long *retry);

/*
 * What bak_queue() and snap_queue() share: run stmt (n params p, p[0] the
 * instance) that queues a backup of either kind or says why not; when
 * lock is set (a backup on demand: never inside a transaction) in a
 * transaction of its own under the lock of the instance's backups, so
 * that its count sees every one asked for before.
 * The statement's one row: the new backup's id; a second id (copied to
 * id2 unless id2 is NULL); and when the first is NULL, why nothing was
 * queued: NULL when one is being made, the seconds until the cap frees
 * one (> 0), or -1 when the instance is in no state for one.  Fills id
 * (and id2: 24 bytes each) and returns OCH_OK; OCH_ERATE with *retry
 * (when retry is not NULL) 0 when one is being made (only its end helps)
 * or the seconds to wait; OCH_ECONFLICT; or the db_exec() or db_batch()
 * error.
 */
enum och_err	 bak_demand(struct db *, const struct db_stmt *, int n,
		    const char *const *p, int lock, char *id, char *id2,
		    long *retry);

/*
 * Queue the agent command kind with args (a JSON object) on instance for
 * actor.  An update also gets its pre-update backup's row (reason
 * pre_update) when object storage is configured, named by
 * args.backup_id: the agent uploads that archive like any other.
 * The new command's id into id (24 bytes) and its created_at (RFC 3339
 * UTC) into at (40 bytes).  Returns OCH_OK or the db_exec() error.
 */
enum och_err	 bak_command_add(struct db *, const struct cfg *,
		    const char *instance, const char *kind, const char *args,
		    const char *actor, char *id, char *at);

/* What one bak_maintain() pass did. */
struct bak_stats {
	long	queued;		/* scheduled backups queued */
	long	expired;	/* creating/uploading past BACKUP_TIMEOUT_SECONDS */
	long	deleted;	/* objects removed (retention, termination) */
	long	failed;		/* deletions the store refused (retried later) */
};

/*
 * The poller's backup work (och-poller maintain): queue the backups the
 * plans' schedules call for (plans.backup_hours), fail the ones the
 * agent did not deliver within BACKUP_TIMEOUT_SECONDS, keep each
 * instance's newest plans.backup_slots available backups and delete the
 * rest from storage, and delete every backup of an instance terminated
 * more than BACKUP_GRACE_DAYS ago.  Returns 0, or -1 when the database
 * failed (logged); storage errors are logged and retried next pass.
 */
int		 bak_maintain(struct db *, const struct cfg *,
		    struct bak_stats *);

#endif
