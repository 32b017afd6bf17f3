/*
 * ent_pool.h: the warm pool's servers as their agents see them
 * (lib/ent_pool.c).  The ownership rule and the shared views are
 * lib/ent.h's.
 */
#ifndef OCH_ENT_POOL_H
#define OCH_ENT_POOL_H

#include "ent.h"

/*
 * A warm pool server's agent (pool servers: lib/pool.h).  Its one-time
 * pool token (SHA-256 hash) names a warming server: *known.  OCH_OK or
 * db_exec()'s error.
 */
enum och_err	 ent_pool_known(struct db *, const char *hash, int *known);
/*
 * Its ready call: ready with the pool token agent_hash (NULL: its setup
 * failed at step, and it is discarded).  *id the server's id (caller
 * frees).  Returns OCH_OK, OCH_ENOTFOUND (not a warming server's token
 * any more, *id NULL) or db_exec()'s error.
 */
enum och_err	 ent_pool_ready(struct db *, const char *hash,
		    const char *agent_hash, const char *step, char **id);
/* What a poll with the pool token saw. */
struct ent_pool_seen {
	char	*id;		/* the pool server */
	int	 claimed;	/* an order claimed it ... */
	char	*instance_id;	/* ... for this instance */
};
/*
 * A poll with the pool token (SHA-256 hash) of a server still waiting or
 * claimed by an instance whose VPS has not called ready yet: *out
 * (caller frees with ent_pool_seen_free()).  Returns OCH_OK,
 * OCH_ENOTFOUND or db_exec()'s error.
 */
enum och_err	 ent_pool_poll(struct db *, const char *hash,
		    struct ent_pool_seen *out);
/* The claimed server id was handed its instance's bootstrap token. */
enum och_err	 ent_pool_handed(struct db *, const char *id);
/* Free what ent_pool_poll() put in s (zeroed; safe to repeat). */
void		 ent_pool_seen_free(struct ent_pool_seen *);

#endif
