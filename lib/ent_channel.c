/*
 * ent_channel.c: the chat channels entity (ent.h): the statement that
 * lists an instance's channels without their secrets, and its rows as
 * struct ent_channel.
 */
#include <stdlib.h>
#include <string.h>

#include "ent.h"

enum { CC_KIND, CC_ENABLED, CC_DM_POLICY, CC_ALLOW_FROM, CC_SECRET_SET,
    CC_UPDATED_AT };
static const struct db_stmt stmt_list = { "ent_channel_list",
	"SELECT c.kind, c.enabled, c.dm_policy, array_to_json(c.allow_from)::text,"
	" c.secret_enc IS NOT NULL,"
	" to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	" FROM channels c WHERE c.instance_id = $1::uuid ORDER BY c.kind" };

static int
is_true(const PGresult *res, int i, int c)
{
	return db_val(res, i, c) != NULL && strcmp(db_val(res, i, c), "t") ==
	    0;
}

enum och_err
ent_channel_list(struct db *db, const char *id, struct ent_channel **out,
    size_t *n)
{
	PGresult		*res;
	const char		*p[1] = { id };
	struct ent_channel	*c;
	enum och_err		 err;
	int			 i;

	*out = NULL;
	*n = 0;
	if ((res = db_exec(db, &stmt_list, 1, p, &err)) == NULL)
		return err;
	if (PQntuples(res) > 0) {
		*out = xcalloc((size_t)PQntuples(res), sizeof(**out));
		for (i = 0; i < PQntuples(res); i++) {
			c = &(*out)[i];
			c->kind = db_dup_empty(res, i, CC_KIND);
			c->enabled = is_true(res, i, CC_ENABLED);
			c->dm_policy = db_dup_empty(res, i, CC_DM_POLICY);
			c->allow_from_json = db_dup(res, i, CC_ALLOW_FROM);
			c->secret_set = is_true(res, i, CC_SECRET_SET);
			c->updated_at = db_dup_empty(res, i, CC_UPDATED_AT);
		}
		*n = (size_t)PQntuples(res);
	}
	PQclear(res);
	return OCH_OK;
}

cJSON *
ent_channel_json(const struct ent_channel *c)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "kind", c->kind);
	cJSON_AddBoolToObject(o, "enabled", c->enabled);
	cJSON_AddStringToObject(o, "dm_policy", c->dm_policy);
	if (c->allow_from_json != NULL)
		cJSON_AddItemToObject(o, "allow_from",
		    cJSON_Parse(c->allow_from_json));
	cJSON_AddBoolToObject(o, "secret_set", c->secret_set);
	cJSON_AddStringToObject(o, "updated_at", c->updated_at);
	return o;
}

void
ent_channel_free(struct ent_channel *c, size_t n)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(c[i].kind);
		free(c[i].dm_policy);
		free(c[i].allow_from_json);
		free(c[i].updated_at);
	}
	free(c);
}
