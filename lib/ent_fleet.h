/*
 * ent_fleet.h: the admin's fleet list, audit log and stats
 * (lib/ent_fleet.c).  The ownership rule and the shared views are
 * lib/ent.h's.
 */
#ifndef OCH_ENT_FLEET_H
#define OCH_ENT_FLEET_H

#include "ent.h"

/*
 * The operators' instance list (ent_fleet.c): the filters (NULL: any),
 * q free text (id, service id, address exactly; slug or hostname, the
 * owner's email as a substring), the order (sort: created, updated,
 * slug, state, plan, region, NULL for created; dir "asc" or else
 * descending), the page (limit, offset; after an instance id: the page
 * after it).
 */
struct ent_fleet_q {
	const char	*state, *q, *plan, *region, *version;
	const char	*sort, *dir, *after;
	int64_t		 limit, offset;
};
/* 1 if key is one of the list's orders, else 0. */
int		 ent_fleet_sort_known(const char *key);
/*
 * The page q asks for: *out {instances, total, limit, offset,
 * next_after} (caller deletes).  Returns OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_fleet_list(struct db *, const struct cfg *,
		    const struct ent_fleet_q *q, cJSON **out);
/*
 * The audit log's filters (NULL: any): the object, the actor (id or
 * kind:id), the action (a prefix when it ends in "."), a time range
 * (RFC 3339), the page (limit; before_id > 0: entries older than it).
 */
struct ent_audit_q {
	const char	*object_id, *actor, *action, *since, *until;
	int64_t		 limit, before_id;
};
/*
 * The entries q asks for, newest first: *out {entries, next_before_id}
 * (caller deletes).  Returns OCH_OK or db_exec()'s error (OCH_EINVAL: a
 * time the database refused).
 */
enum och_err	 ent_fleet_audit(struct db *, const struct ent_audit_q *q,
		    cJSON **out);
/*
 * The fleet's statistics: *out {total, by_state, by_region, by_plan,
 * by_version, stuck, daily, hetzner_budget} (caller deletes).  Returns
 * OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_fleet_stats(struct db *, cJSON **out);

#endif
