/*
 * ent_archive.h: backup archives and restores (lib/ent_archive.c).  The
 * ownership rule and the shared views are lib/ent.h's.
 */
#ifndef OCH_ENT_ARCHIVE_H
#define OCH_ENT_ARCHIVE_H

#include "ent.h"

/* An available archive of an agent backup (schema: backups; ent_archive.c). */
struct ent_archive {
	char	*object_key;
	int64_t	 size_bytes;		/* of the opened archive */
	char	*sha256;		/* of the opened archive, hex */
	char	*key_enc;		/* its key, sealed (bytea text) */
	char	*openclaw_version;	/* NULL when not known */
};
/*
 * Claim backup id of instance inst for its upload ('creating' or
 * 'failed' -> 'uploading').  Returns OCH_OK; OCH_ENOTFOUND (no such
 * backup of inst); OCH_ECONFLICT with its status in status (statussz
 * bytes) when it takes no upload; or db_exec()'s error.
 */
enum och_err	 ent_archive_claim(struct db *, const char *id,
		    const char *inst, char *status, size_t statussz);
/*
 * The claimed upload is stored as okey (size, sha256, its sealed key, the
 * OpenClaw version or NULL): the row becomes 'available'.  Returns OCH_OK
 * or db_run()'s error.
 */
enum och_err	 ent_archive_stored(struct db *, const char *id,
		    const char *okey, const char *size, const char *sha,
		    const char *sealed, const char *version);
/* The claimed upload failed for why.  Returns OCH_OK or db_run()'s error. */
enum och_err	 ent_archive_failed(struct db *, const char *id,
		    const char *why);
/*
 * Available agent backup id of inst (*out, caller frees with
 * ent_archive_free()).  Returns OCH_OK, OCH_ENOTFOUND or the error.
 */
enum och_err	 ent_archive_get(struct db *, const char *id,
		    const char *inst, struct ent_archive **out);
void		 ent_archive_free(struct ent_archive *);

/* What a restore of a backup checks (ent_restore_check()). */
struct ent_restore {
	char	*state;			/* the instance's */
	char	*slug;
	char	*status;		/* the backup's; NULL: no such backup */
	char	*sha256, *size_bytes, *openclaw_version;	/* or NULL */
	int64_t	 queued;		/* restores queued or running */
	char	*kind;			/* agent or snapshot */
};
/*
 * Fill *c for backup bid of instance inst (release with
 * ent_restore_free(), also after a failure).  Returns OCH_OK,
 * OCH_ENOTFOUND (no such instance) or db_exec()'s error.
 */
enum och_err	 ent_restore_check(struct db *, const char *inst,
		    const char *bid, struct ent_restore *c);
void		 ent_restore_free(struct ent_restore *);
/*
 * Queue the agent's backup_restore command of backup bid (checked: c)
 * for who: its id into cmd (24 bytes).  Returns OCH_OK or the error.
 */
enum och_err	 ent_restore_queue(struct db *, const char *inst,
		    const char *bid, const struct ent_restore *c,
		    const char *who, char *cmd);
/*
 * Make snapshot bid the image of inst's next rebuild: OCH_OK, or
 * OCH_ECONFLICT when inst is not active, an action is pending or bid is
 * no available snapshot of it, or the error.  _unmark takes it back
 * (when no action is pending).
 */
enum och_err	 ent_restore_snap_mark(struct db *, const char *inst,
		    const char *bid);
enum och_err	 ent_restore_snap_unmark(struct db *, const char *inst);
/* The snapshot slots of inst's plan: OCH_OK, OCH_ENOTFOUND or the error. */
enum och_err	 ent_restore_snap_slots(struct db *, const char *inst,
		    int64_t *slots);

#endif
