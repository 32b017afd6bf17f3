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
void		 ent_user_free(struct ent_user *);
/*
 * GET /api/v1/me as the session check's one statement (req.h's
 * app->session_read): *it, the check of ent_session_live_item(), becomes
 * the statement that also reads the user and their instances (the same
 * parameters).
 */
void		 ent_user_me_read(struct db_batch_item *it);
/*
 * The user and the JSON array of their instances that are not terminated
 * (inst_json()'s shape: cfg for the hostnames) from res, that
 * statement's result as auth_read() hands it over (taken), and in a
 * read-only view the viewing admin's address (*viewer, else NULL).
 * *user (ent_user_free()), *insts (cJSON_Delete()) and *viewer (free())
 * are the caller's.  Returns OCH_OK, OCH_ENOTFOUND (no row: not a live
 * session's answer) or OCH_ESYSTEM when res is NULL (the route was read
 * without it), with all three NULL unless OCH_OK.
 */
enum och_err	 ent_user_me(const struct cfg *, PGresult *res,
		    struct ent_user **user, cJSON **insts, char **viewer);

#endif
