/*
 * ent_channel.h: an instance's chat channels (lib/ent_channel.c).  The
 * ownership rule and the shared views are lib/ent.h's.
 */
#ifndef OCH_ENT_CHANNEL_H
#define OCH_ENT_CHANNEL_H

#include "ent.h"

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
/*
 * How many channels instance id has besides kind: *n.  Returns OCH_OK or
 * db_exec()'s error (*n 0).
 */
enum och_err	 ent_channel_count_other(struct db *, const char *id,
		    const char *kind, int64_t *n);
/* A channel as a customer sets it (all the caller's). */
struct ent_channel_in {
	const char	*id;		/* the instance */
	const char	*kind;
	int		 enabled;
	const char	*dm_policy;
	const char	*allow_from_json;	/* a JSON array's text */
	const char	*secrets_json;	/* a JSON object's text, or NULL:
					 * the stored secrets stay */
};
/*
 * Create or change a channel; its secrets are sealed for it.  Returns
 * OCH_OK, OCH_ESYSTEM (sealing failed) or db_run()'s error.
 */
enum och_err	 ent_channel_put(struct db *, const struct cry_keyring *,
		    const struct ent_channel_in *);
/* Delete channel kind of instance id: OCH_OK, OCH_ENOTFOUND or error. */
enum och_err	 ent_channel_del(struct db *, const char *id,
		    const char *kind);
/* The associated data sealing a channel's secrets (caller frees). */
char		*ent_channel_ad(const char *id, const char *kind);

#endif
