/*
 * ent_key.c: the AI provider keys entity (ent.h): the statement that
 * lists an instance's keys without their secrets, and its rows as struct
 * ent_ai_key.
 */
#include <stdlib.h>

#include "ent.h"

enum { KC_PROVIDER, KC_LAST4, KC_UPDATED_AT };
static const struct db_stmt stmt_list = { "ent_ai_key_list",
	"SELECT provider, last4,"
	" to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	" FROM ai_keys WHERE instance_id = $1::uuid ORDER BY provider" };

enum och_err
ent_ai_key_list(struct db *db, const char *id, struct ent_ai_key **out,
    size_t *n)
{
	PGresult	*res;
	const char	*p[1] = { id };
	enum och_err	 err;
	int		 i;

	*out = NULL;
	*n = 0;
	if ((res = db_exec(db, &stmt_list, 1, p, &err)) == NULL)
		return err;
	if (PQntuples(res) > 0) {
		*out = xcalloc((size_t)PQntuples(res), sizeof(**out));
		for (i = 0; i < PQntuples(res); i++) {
			(*out)[i].provider = db_dup(res, i, KC_PROVIDER);
			(*out)[i].last4 = db_dup(res, i, KC_LAST4);
			(*out)[i].updated_at = db_dup(res, i,
			    KC_UPDATED_AT);
		}
		*n = (size_t)PQntuples(res);
	}
	PQclear(res);
	return OCH_OK;
}

cJSON *
ent_ai_key_json(const struct ent_ai_key *k)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "provider", k->provider);
	if (k->last4 != NULL)
		cJSON_AddStringToObject(o, "last4", k->last4);
	cJSON_AddStringToObject(o, "updated_at", k->updated_at);
	return o;
}

void
ent_ai_key_free(struct ent_ai_key *k, size_t n)
{
	size_t	i;

	if (k == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(k[i].provider);
		free(k[i].last4);
		free(k[i].updated_at);
	}
	free(k);
}
