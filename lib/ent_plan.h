/*
 * ent_plan.h: the plans customers see (lib/ent_plan.c).  The ownership
 * rule and the shared views are lib/ent.h's.
 */
#ifndef OCH_ENT_PLAN_H
#define OCH_ENT_PLAN_H

#include "ent.h"

/* A plan of the catalogue (schema: plans), as customers see it. */
struct ent_plan {
	char	*name;
	char	*display_name;
	char	*server_type;
	int64_t	 vcpus;
	int64_t	 memory_mb;
	int64_t	 disk_gb;
	int64_t	 max_channels;
	int64_t	 max_skills;
	int64_t	 backup_slots;
	int64_t	 price_cents;
	int64_t	 snapshot_slots;
	char	*ai_providers;	/* JSON array of the providers it allows */
};

/*
 * The active plans in catalogue order (sort, name): *out an array of *n
 * (caller frees with ent_plan_free(*out, *n)).  Returns OCH_OK, or
 * db_exec()'s error with *out NULL and *n 0.
 */
enum och_err	 ent_plan_active(struct db *, struct ent_plan **out,
		    size_t *n);
/*
 * The plan of instance id: *out one plan (caller frees with
 * ent_plan_free(*out, 1)).  Returns OCH_OK, OCH_ENOTFOUND (no such
 * instance; *out NULL) or db_exec()'s error.
 */
enum och_err	 ent_plan_of_instance(struct db *, const char *id,
		    struct ent_plan **out);
/* The public JSON of a plan (caller deletes), or NULL out of memory. */
cJSON		*ent_plan_json(const struct ent_plan *);
/* Free n plans from an ent_plan_* function (NULL is fine). */
void		 ent_plan_free(struct ent_plan *, size_t n);

#endif
