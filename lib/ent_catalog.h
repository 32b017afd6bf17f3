/*
 * ent_catalog.h: the catalogues operators edit (plans, skills) and users'
 * roles (lib/ent_catalog.c).  The ownership rule and the shared views are
 * lib/ent.h's.
 */
#ifndef OCH_ENT_CATALOG_H
#define OCH_ENT_CATALOG_H

#include "ent.h"

/*
 * A catalogue the operators edit by name (ent_catalog.c): its row lock,
 * insert and update ($1 the name, $2.. the fields in the order of the
 * admin handler's field table) and its views (all rows; one: $1 the
 * name).
 */
struct ent_catalog {
	struct db_stmt	 lock, insert, update;
	struct ent_view	 all, one;
};
extern const struct ent_catalog ent_plan_catalog, ent_skill_catalog;
/*
 * In the caller's transaction: lock row name of c; *exists whether it
 * is there.  Returns OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_catalog_lock(struct db *, const struct ent_catalog *c,
		    const char *name, int *exists);
/*
 * In the caller's transaction: update (exists) or insert the row with
 * n parameters p.  Returns OCH_OK or db_run()'s error (OCH_EINVAL a
 * CHECK, OCH_ECONFLICT a unique column).
 */
enum och_err	 ent_catalog_write(struct db *, const struct ent_catalog *c,
		    int exists, int n, const char *const *p);

/*
 * The users as the operators search them (ent_catalog.c): q matches the
 * email (substring), the id or the WHMCS client id; role NULL or
 * "admin"/"customer"; newest first.  *out {users, total, limit, offset}
 * (caller deletes).  Returns OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_user_search(struct db *, const char *q,
		    const char *role, int64_t limit, int64_t offset,
		    cJSON **out);
/*
 * In the caller's transaction: lock every admin row and user uid's, and
 * set its role unless that demotes the last admin: the role before into
 * prev (prevsz bytes), *email the user's (caller frees).  Returns OCH_OK,
 * OCH_ENOTFOUND, OCH_ECONFLICT (the last admin), or db_exec()'s error
 * (OCH_EINVAL: the schema refused the role).
 */
enum och_err	 ent_user_set_role(struct db *, const char *uid,
		    const char *role, char *prev, size_t prevsz,
		    char **email);

#endif
