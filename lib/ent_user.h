/*
 * ent_user.h: users and GET /me (lib/ent_user.c).  The ownership rule and
 * the shared views are lib/ent.h's.
 */
#ifndef OCH_ENT_USER_H
#define OCH_ENT_USER_H

#include "ent.h"

/* A user (schema: users). */
struct ent_user {
	int64_t	 id;
	char	*email;
	char	*role;		/* customer, admin */
};
/*
 * User uid: *out (caller frees with ent_user_free()).  Returns OCH_OK,
 * OCH_ENOTFOUND (*out NULL) or db_exec()'s error.
 */
enum och_err	 ent_user_get(struct db *, const char *uid,
		    struct ent_user **out);
void		 ent_user_free(struct ent_user *);
/*
 * GET /api/v1/me in the session check's round trip: the statements of
 * ent_user_me() for user uid into it[0..1] (pv: their parameter slots,
 * uid living as long as the request).  Returns 2, how many.
 */
size_t		 ent_user_me_prefetch(const char *uid,
		    struct db_batch_item *it, const char **pv);
/*
 * User uid and the JSON array of their instances that are not
 * terminated (inst_json()'s shape: cfg for the hostnames): pre_user and
 * pre_insts are the results ent_user_me_prefetch() named (taken; NULL:
 * run the statements now).  *user (ent_user_free()) and *insts (cJSON
 * delete) are the caller's.  Returns OCH_OK, OCH_ENOTFOUND or the
 * database error, with both NULL unless OCH_OK.
 */
enum och_err	 ent_user_me(struct db *, const struct cfg *, const char *uid,
		    PGresult *pre_user, PGresult *pre_insts,
		    struct ent_user **user, cJSON **insts);

#endif
