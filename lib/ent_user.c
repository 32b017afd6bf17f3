/*
 * ent_user.c: the users entity (ent.h): a user as struct ent_user, and
 * what GET /api/v1/me answers: the user and their instances.
 */
#include <stdlib.h>

#include "ent_session.h"
#include "ent_user.h"
#include "inst.h"

/*
 * GET /api/v1/me in one statement: the session check (ent_session.h),
 * the user's address, the viewing admin's (a read-only view; else NULL),
 * and one row per instance of theirs that is not terminated
 * (INST_COLUMNS, NULL when they have none); no row for a dead session.
 */
#define ME_EMAIL	ENT_SESSION_LIVE_NCOLS
#define ME_VIEWER	(ME_EMAIL + 1)
#define ME_INST		(ME_VIEWER + 1)
static const struct db_stmt stmt_me = { "ent_user_me",
	"SELECT" ENT_SESSION_LIVE_COLS ", u.email,"
	" (SELECT e.email FROM users e WHERE e.id = v.user_id), " INST_COLUMNS
	ENT_SESSION_LIVE_FROM
	" LEFT JOIN instances i ON i.user_id = s.user_id"
	"  AND i.state <> 'terminated'"
	ENT_SESSION_LIVE_WHERE " ORDER BY i.created_at" };

void
ent_user_free(struct ent_user *u)
{
	if (u == NULL)
		return;
	free(u->email);
	free(u->role);
	free(u);
}

void
ent_user_me_read(struct db_batch_item *it)
{
	/* the same parameters as the check: $1..$3 */
	it->stmt = &stmt_me;
}

enum och_err
ent_user_me(const struct cfg *cfg, PGresult *res, struct ent_user **user,
    cJSON **insts, char **viewer)
{
	struct ent_user	*u;
	int		 i;

	*user = NULL;
	*insts = NULL;
	*viewer = NULL;
	if (res == NULL)
		return OCH_ESYSTEM;
	if (PQntuples(res) < 1 || PQnfields(res) != ME_INST + INST_NCOLS) {
		PQclear(res);
		return OCH_ENOTFOUND;
	}
	/* the session's user: its id and role are the check's columns */
	u = xcalloc(1, sizeof(*u));
	u->id = db_int(res, 0, 0);
	u->role = db_dup_empty(res, 0, 1);
	u->email = db_dup_empty(res, 0, ME_EMAIL);
	*viewer = db_dup(res, 0, ME_VIEWER);
	*insts = cJSON_CreateArray();
	for (i = 0; i < PQntuples(res); i++)
		if (db_val(res, i, ME_INST + INST_COL_ID) != NULL)
			cJSON_AddItemToArray(*insts,
			    inst_json_at(res, i, ME_INST, cfg));
	*user = u;
	PQclear(res);
	return OCH_OK;
}
