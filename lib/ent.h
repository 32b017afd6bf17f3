/*
 * ent.h: the typed data layer for the entities other than instances
 * (lib/inst.h holds those): each entity has one lib/ent_<name>.c that
 * owns its SQL statements and hands back structs, so no handler reads a
 * PGresult's column positions for it.
 *
 * The one ownership rule, for every ent_* function:
 *  - what an ent_* function returns through an out parameter (a struct,
 *    an array of them, the strings inside) belongs to the caller, who
 *    releases it with that entity's ent_<name>_free() — also after a
 *    failure, when it is safe to call and frees nothing;
 *  - nothing returned points into a PGresult or into the arguments;
 *  - what the caller passes in stays the caller's.
 * Failures come back as enum och_err (OCH_OK, OCH_ENOTFOUND, or
 * db_exec()'s errors), never as a NULL the caller must interpret.
 */
#ifndef OCH_ENT_H
#define OCH_ENT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "och.h"

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

/* An AI provider key of an instance, without the key (schema: ai_keys). */
struct ent_ai_key {
	char	*provider;
	char	*last4;		/* NULL when not known */
	char	*updated_at;	/* RFC 3339, UTC */
};

/*
 * The AI keys of instance id by provider: *out an array of *n (caller
 * frees with ent_ai_key_free(*out, *n)).  Returns OCH_OK, or db_exec()'s
 * error with *out NULL and *n 0.
 */
enum och_err	 ent_ai_key_list(struct db *, const char *id,
		    struct ent_ai_key **out, size_t *n);
/* The dashboard's JSON of a key (caller deletes), or NULL out of memory. */
cJSON		*ent_ai_key_json(const struct ent_ai_key *);
/* Free n keys from ent_ai_key_list() (NULL is fine). */
void		 ent_ai_key_free(struct ent_ai_key *, size_t n);

/* A chat channel of an instance, without its secrets (schema: channels). */
struct ent_channel {
	char	*kind;			/* telegram, discord, slack, whatsapp */
	int	 enabled;
	char	*dm_policy;
	char	*allow_from_json;	/* a JSON array's text, or NULL */
	int	 secret_set;		/* a sealed secret is stored */
	char	*updated_at;		/* RFC 3339, UTC */
};

/*
 * The channels of instance id by kind: *out an array of *n (caller frees
 * with ent_channel_free(*out, *n)).  Returns OCH_OK, or db_exec()'s error
 * with *out NULL and *n 0.
 */
enum och_err	 ent_channel_list(struct db *, const char *id,
		    struct ent_channel **out, size_t *n);
/* The dashboard's JSON of a channel (caller deletes), or NULL. */
cJSON		*ent_channel_json(const struct ent_channel *);
/* Free n channels from ent_channel_list() (NULL is fine). */
void		 ent_channel_free(struct ent_channel *, size_t n);

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

#endif
