/*
 * ent_key.h: an instance's AI provider keys (lib/ent_key.c).  The
 * ownership rule and the shared views are lib/ent.h's.
 */
#ifndef OCH_ENT_KEY_H
#define OCH_ENT_KEY_H

#include "ent.h"

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
/*
 * Store (or replace) the key of provider for instance id, sealed, with
 * its last four characters.  Returns OCH_OK, OCH_ESYSTEM (sealing
 * failed) or db_run()'s error.
 */
enum och_err	 ent_ai_key_put(struct db *, const struct cry_keyring *,
		    const char *id, const char *provider, const char *key);
/* Delete the key of provider: OCH_OK, OCH_ENOTFOUND or db_run()'s error. */
enum och_err	 ent_ai_key_del(struct db *, const char *id,
		    const char *provider);
/* The associated data sealing a key (caller frees). */
char		*ent_ai_key_ad(const char *id, const char *provider);

#endif
