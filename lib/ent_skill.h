/*
 * ent_skill.h: the skills an instance adds (lib/ent_skill.c).  The
 * ownership rule and the shared views are lib/ent.h's.
 */
#ifndef OCH_ENT_SKILL_H
#define OCH_ENT_SKILL_H

#include "ent.h"

/* A skill of the catalogue as one instance sees it (schema: skills). */
struct ent_skill {
	char	*name;
	char	*display_name;
	char	*description;	/* NULL when none */
	int	 enabled;	/* enabled on this instance */
	char	*slug;		/* what the VPS installs */
};

/*
 * The active skills of the catalogue by name, each with whether instance
 * id enabled it: *out an array of *n (caller frees with
 * ent_skill_free(*out, *n)).  Returns OCH_OK, or db_exec()'s error with
 * *out NULL and *n 0.
 */
enum och_err	 ent_skill_of_instance(struct db *, const char *id,
		    struct ent_skill **out, size_t *n);
/* The dashboard's JSON of a skill (caller deletes), or NULL. */
cJSON		*ent_skill_json(const struct ent_skill *);
/* Free n skills from ent_skill_of_instance() (NULL is fine). */
void		 ent_skill_free(struct ent_skill *, size_t n);
/*
 * How many skills instance id has enabled besides name: *n.  Returns
 * OCH_OK or db_exec()'s error (*n 0).
 */
enum och_err	 ent_skill_count_other(struct db *, const char *id,
		    const char *name, int64_t *n);
/*
 * Enable or disable the active catalogue skill name on instance id.
 * Returns OCH_OK, OCH_ENOTFOUND (no such active skill) or db_run()'s
 * error.
 */
enum och_err	 ent_skill_put(struct db *, const char *id, const char *name,
		    int enabled);
/* Remove skill name from instance id: OCH_OK, OCH_ENOTFOUND or error. */
enum och_err	 ent_skill_del(struct db *, const char *id, const char *name);

#endif
