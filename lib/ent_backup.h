/*
 * ent_backup.h: an instance's stored backups (lib/ent_backup.c).  The
 * ownership rule and the shared views are lib/ent.h's.
 */
#ifndef OCH_ENT_BACKUP_H
#define OCH_ENT_BACKUP_H

#include "ent.h"

/* A stored backup of an instance (schema: backups), as its owner sees it. */
struct ent_backup {
	int64_t	 id;
	char	*kind;		/* agent, snapshot */
	char	*status;
	char	*name;		/* NULL when none */
	int64_t	 size_bytes;	/* -1 when not known */
	char	*created_at;	/* RFC 3339, UTC */
};

/*
 * The newest 50 backups of instance id that are not deleted, newest
 * first: *out an array of *n (caller frees with ent_backup_free(*out,
 * *n)).  Returns OCH_OK, or db_exec()'s error with *out NULL and *n 0.
 */
enum och_err	 ent_backup_list(struct db *, const char *id,
		    struct ent_backup **out, size_t *n);
/* The dashboard's JSON of a backup (caller deletes), or NULL. */
cJSON		*ent_backup_json(const struct ent_backup *);
/* Free n backups from ent_backup_list() (NULL is fine). */
void		 ent_backup_free(struct ent_backup *, size_t n);

#endif
