/*
 * ent_agent.h: what the agent's routes read and write (lib/ent_agent.c).
 * The ownership rule and the shared views are lib/ent.h's.
 */
#ifndef OCH_ENT_AGENT_H
#define OCH_ENT_AGENT_H

#include "ent.h"

/* A bootstrap token's instance, claimed for its ready call. */
struct ent_agent_boot {
	char	*instance_id;
	char	*state;
	char	*slug;
};
/*
 * In the caller's transaction: the instance whose live bootstrap token
 * has SHA-256 hash, locked with the token: *out (caller frees its
 * strings with ent_agent_boot_free()).  Returns OCH_OK, OCH_ENOTFOUND
 * (unknown, used or expired) or db_exec()'s error.
 */
enum och_err	 ent_agent_claim(struct db *, const char *hash,
		    struct ent_agent_boot *out);
/* Free what ent_agent_claim() put in b (zeroed; safe to repeat). */
void		 ent_agent_boot_free(struct ent_agent_boot *);
/*
 * In the caller's transaction: the bootstrap token (hash) used up, the
 * instance's agent tokens revoked (one live agent per instance) and a new
 * one stored (its hash); *agent is it (caller frees with xfree_secret;
 * may be set on failure).  Returns OCH_OK, OCH_ESYSTEM (no randomness)
 * or db_run()'s error.
 */
enum och_err	 ent_agent_token_new(struct db *, const char *hash,
		    const char *id, char **agent);
/* The ready time and the exporter's pin (NULL: none) of instance id. */
enum och_err	 ent_agent_ready(struct db *, const char *id,
		    const char *pin);
/*
 * In the caller's transaction: instance id's state, the row locked:
 * *state (caller frees), NULL when no such instance.  Returns OCH_OK or
 * db_exec()'s error.
 */
enum och_err	 ent_agent_lock_state(struct db *, const char *id,
		    char **state);
/* Instance id's config revision: *rev (0 when none); OCH_OK or error. */
enum och_err	 ent_agent_revision(struct db *, const char *id,
		    int64_t *rev);

/* What the agent's config is made of, its secrets opened (to wipe). */
struct ent_agent_channel {
	char	*kind;
	int	 enabled;
	char	*dm_policy;
	char	*allow_from_json;	/* a JSON array's text, or NULL */
	char	*secrets_json;		/* a JSON object's text, or NULL:
					 * none, or it does not open (logged) */
};
struct ent_agent_key {
	char	*provider;
	char	*env;	/* the variable OpenClaw reads it from (HF_TOKEN, …) */
	char	*key;		/* NULL when it does not open (logged) */
};
struct ent_agent_skill {
	char	*slug;
	char	*version;
};
struct ent_agent_config {
	char			*slug;
	int64_t			 revision;
	char			*model_primary;		/* NULL: none */
	char			*model_fallbacks_json;	/* a JSON array */
	struct ent_agent_channel *channels;		/* by kind */
	size_t			 nchannels;
	struct ent_agent_key	*keys;			/* by provider */
	size_t			 nkeys;
	struct ent_agent_skill	*skills;		/* enabled, by slug */
	size_t			 nskills;
};
/*
 * The config of instance id: *out (caller frees with
 * ent_agent_config_free(), which wipes the secrets).  Returns OCH_OK,
 * OCH_ENOTFOUND (*out NULL) or db_exec()'s error.
 */
enum och_err	 ent_agent_config_read(struct db *,
		    const struct cry_keyring *, const char *id,
		    struct ent_agent_config **out);
/* Wipe and free a config (NULL is fine). */
void		 ent_agent_config_free(struct ent_agent_config *);
/* The agent token of instance id was used (its last_seen_at). */
enum och_err	 ent_agent_seen(struct db *, const char *id);
/* What the VPS said of its setup (setup: a JSON object's text). */
enum och_err	 ent_agent_setup_state(struct db *, const char *id,
		    const char *setup);

#endif
