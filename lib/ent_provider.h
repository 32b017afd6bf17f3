/*
 * ent_provider.h: the AI providers a plan allows (lib/ent_provider.c).
 * The ownership rule and the shared views are lib/ent.h's.
 */
#ifndef OCH_ENT_PROVIDER_H
#define OCH_ENT_PROVIDER_H

#include "ent.h"

/* An AI provider a plan allows (schema 310: ai_providers). */
struct ent_provider {
	char	*provider;	/* OpenClaw's provider id */
	char	*display_name;
};
/*
 * The providers the plan of instance id allows, in the catalogue's order:
 * *out an array of *n (caller frees with ent_provider_free(*out, *n); none
 * for an unknown instance).  Returns OCH_OK, or db_exec()'s error.
 */
enum och_err	 ent_provider_of_instance(struct db *, const char *id,
		    struct ent_provider **out, size_t *n);
/* 1 if the first len bytes of provider name one of the n, else 0. */
int		 ent_provider_listed(const struct ent_provider *, size_t n,
		    const char *provider, size_t len);
/* {provider, display_name} (caller deletes), or NULL out of memory. */
cJSON		*ent_provider_json(const struct ent_provider *);
/* Free n providers (NULL is fine). */
void		 ent_provider_free(struct ent_provider *, size_t n);

#endif
