/*
 * ent_user.c: the users entity (ent.h): a user as struct ent_user, and
 * what GET /api/v1/me answers: the user and their instances.
 */
#include <stdlib.h>

#include "ent_user.h"
#include "inst.h"

enum { UC_ID, UC_EMAIL, UC_ROLE };
static const struct db_stmt stmt_get = { "ent_user_get",
	"SELECT id, email, role FROM users WHERE id = $1::bigint" };
static const struct db_stmt stmt_instances = { "ent_user_instances",
	"SELECT " INST_COLUMNS INST_FROM " WHERE i.user_id = $1::bigint"
	" AND i.state <> 'terminated' ORDER BY i.created_at" };

/* The user of res (stmt_get), or NULL when none. */
static struct ent_user *
user_read(const PGresult *res)
{
	struct ent_user	*u;

	if (PQntuples(res) != 1)
		return NULL;
	u = xcalloc(1, sizeof(*u));
	u->id = db_int(res, 0, UC_ID);
	u->email = db_dup_empty(res, 0, UC_EMAIL);
	u->role = db_dup_empty(res, 0, UC_ROLE);
	return u;
}

enum och_err
ent_user_get(struct db *db, const char *uid, struct ent_user **out)
{
	PGresult	*res;
	const char	*p[1] = { uid };
	enum och_err	 err;

	*out = NULL;
	if ((res = db_exec(db, &stmt_get, 1, p, &err)) == NULL)
		return err;
	*out = user_read(res);
	PQclear(res);
	return *out != NULL ? OCH_OK : OCH_ENOTFOUND;
}

void
ent_user_free(struct ent_user *u)
{
	if (u == NULL)
		return;
	free(u->email);
	free(u->role);
	free(u);
}

size_t
ent_user_me_prefetch(const char *uid, struct db_batch_item *it,
    const char **pv)
{
	pv[0] = uid;
	it[0].stmt = &stmt_get;
	it[1].stmt = &stmt_instances;
	it[0].n = it[1].n = 1;
	it[0].params = it[1].params = pv;
	return 2;
}

enum och_err
ent_user_me(struct db *db, const struct cfg *cfg, const char *uid,
    PGresult *pre_user, PGresult *pre_insts, struct ent_user **user,
    cJSON **insts)
{
	const char	*p[1] = { uid };
	enum och_err	 err = OCH_OK;
	int		 i;

	*user = NULL;
	*insts = NULL;
	if ((pre_user == NULL && (pre_user = db_exec(db, &stmt_get, 1, p,
	    &err)) == NULL) || (pre_insts == NULL && (pre_insts = db_exec(db,
	    &stmt_instances, 1, p, &err)) == NULL))
		goto out;
	if ((*user = user_read(pre_user)) == NULL) {
		err = OCH_ENOTFOUND;
		goto out;
	}
	*insts = cJSON_CreateArray();
	for (i = 0; i < PQntuples(pre_insts); i++)
		cJSON_AddItemToArray(*insts, inst_json(pre_insts, i, cfg));
out:
	PQclear(pre_user);
	PQclear(pre_insts);
	return err;
}
