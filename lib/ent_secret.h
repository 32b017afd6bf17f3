/*
 * ent_secret.h: an instance's sealed secrets and gateway token
 * (lib/ent_secret.c).  The ownership rule and the shared views are
 * lib/ent.h's.
 */
#ifndef OCH_ENT_SECRET_H
#define OCH_ENT_SECRET_H

#include "ent.h"

/*
 * An instance's own secrets (schema: instance_secrets: gateway_token,
 * node_exporter_password), sealed with AD
 * "instance_secrets:<instance>:<name>".  Clear values come back to free
 * with xfree_secret().
 */
/*
 * Secret name of instance id, opened: *val (and *len when len is not
 * NULL).  Returns OCH_OK, OCH_ENOTFOUND (none stored), OCH_ESYSTEM (it
 * does not open: logged) or db_exec()'s error; *val NULL unless OCH_OK.
 */
enum och_err	 ent_secret_get(struct db *, const struct cry_keyring *,
		    const char *id, const char *name, char **val, size_t *len);
/*
 * The same, created (random, sealed, stored) when none is stored yet.
 * Returns OCH_OK, OCH_ESYSTEM (no randomness, sealing or opening failed)
 * or the database error.
 */
enum och_err	 ent_secret_ensure(struct db *, const struct cry_keyring *,
		    const char *id, const char *name, char **val);
/*
 * Instance id's gateway token, opened (*tok), and its slug (*slug), both
 * the caller's.  Returns OCH_OK, OCH_ECONFLICT (the server has not
 * started yet: no token), OCH_ESYSTEM (it does not open: logged) or
 * db_exec()'s error.
 */
enum och_err	 ent_gateway_token(struct db *, const struct cry_keyring *,
		    const char *id, char **slug, char **tok);
/*
 * A new gateway token for instance id, in a transaction of its own, with
 * its config revision bumped (the agent fetches it at once).  Returns
 * OCH_OK, OCH_ECONFLICT (no token yet), OCH_ESYSTEM or the database error.
 */
enum och_err	 ent_gateway_rotate(struct db *, const struct cry_keyring *,
		    const char *id);

#endif
