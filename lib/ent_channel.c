/*
 * ent_channel.c: the chat channels entity (ent.h): the statements that
 * list an instance's channels without their secrets (struct ent_channel),
 * count them, and create, change or delete one, sealing its secrets
 * (AD "channels:<instance>:<kind>") on the way in.
 */
#include <stdlib.h>
#include <string.h>

#include "cry.h"
#include "ent_channel.h"

enum { CC_KIND, CC_ENABLED, CC_DM_POLICY, CC_ALLOW_FROM, CC_SECRET_SET,
    CC_UPDATED_AT };
static const struct db_stmt stmt_list = { "ent_channel_list",
	"SELECT c.kind, c.enabled, c.dm_policy, array_to_json(c.allow_from)::text,"
	" c.secret_enc IS NOT NULL,"
	" to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	" FROM channels c WHERE c.instance_id = $1::uuid ORDER BY c.kind" };

static const struct db_stmt stmt_count_other = { "ent_channel_count_other",
	"SELECT count(*) FROM channels WHERE instance_id = $1::uuid AND kind <> $2" };
static const struct db_stmt stmt_put = { "ent_channel_put",
	"INSERT INTO channels (instance_id, kind, enabled, dm_policy, allow_from,"
	" secret_enc) VALUES ($1::uuid, $2, $3::boolean, $4,"
	"  ARRAY(SELECT json_array_elements_text($5::json)), $6::bytea)"
	" ON CONFLICT (instance_id, kind) DO UPDATE SET enabled = EXCLUDED.enabled,"
	" dm_policy = EXCLUDED.dm_policy, allow_from = EXCLUDED.allow_from,"
	" secret_enc = coalesce(EXCLUDED.secret_enc, channels.secret_enc),"
	" updated_at = now()" };
static const struct db_stmt stmt_del = { "ent_channel_del",
	"DELETE FROM channels WHERE instance_id = $1::uuid AND kind = $2" };

/* Row i of res into the struct ent_channel at v. */
static void
channel_read(const PGresult *res, int i, void *v)
{
	struct ent_channel	*c = v;

	c->kind = db_dup_empty(res, i, CC_KIND);
	c->enabled = db_bool(res, i, CC_ENABLED);
	c->dm_policy = db_dup_empty(res, i, CC_DM_POLICY);
	c->allow_from_json = db_dup(res, i, CC_ALLOW_FROM);
	c->secret_set = db_bool(res, i, CC_SECRET_SET);
	c->updated_at = db_dup_empty(res, i, CC_UPDATED_AT);
}

enum och_err
ent_channel_list(struct db *db, const char *id, struct ent_channel **out,
    size_t *n)
{
	const char	*p[1] = { id };
	enum och_err	 err;

	*out = db_rows(db, &stmt_list, 1, p, sizeof(**out), channel_read, n,
	    &err);
	return err;
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

enum och_err
ent_channel_count_other(struct db *db, const char *id, const char *kind,
    int64_t *n)
{
	PGresult	*res;
	const char	*p[2] = { id, kind };
	enum och_err	 err;

	*n = 0;
	if ((res = db_exec(db, &stmt_count_other, 2, p, &err)) == NULL)
		return err;
	*n = db_int(res, 0, 0);
	PQclear(res);
	return OCH_OK;
}

char *
ent_channel_ad(const char *id, const char *kind)
{
	return xasprintf("channels:%s:%s", id, kind);
}

enum och_err
ent_channel_put(struct db *db, const struct cry_keyring *keys,
    const struct ent_channel_in *in)
{
	const char	*p[6];
	char		*ad, *sealed = NULL;
	enum och_err	 err;

	if (in->secrets_json != NULL) {
		ad = ent_channel_ad(in->id, in->kind);
		sealed = cry_seal_bytea(keys, ad, in->secrets_json,
		    strlen(in->secrets_json));
		free(ad);
		if (sealed == NULL)
			return OCH_ESYSTEM;
	}
	p[0] = in->id;
	p[1] = in->kind;
	p[2] = in->enabled ? "true" : "false";
	p[3] = in->dm_policy;
	p[4] = in->allow_from_json;
	p[5] = sealed;
	err = db_run(db, &stmt_put, 6, p, NULL);
	free(sealed);
	return err;
}

enum och_err
ent_channel_del(struct db *db, const char *id, const char *kind)
{
	const char	*p[2] = { id, kind };
	enum och_err	 err;
	long		 n = 0;

	if ((err = db_run(db, &stmt_del, 2, p, &n)) == OCH_OK && n == 0)
		err = OCH_ENOTFOUND;
	return err;
}
