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

/* stmt_list's columns in order, and the JSON */
static const struct ent_field channel_fields[] = {
	ENT_FIELD("kind", ent_channel, kind, ENT_F_TEXT),
	ENT_FIELD("enabled", ent_channel, enabled, ENT_F_BOOL),
	ENT_FIELD("dm_policy", ent_channel, dm_policy, ENT_F_TEXT),
	ENT_FIELD("allow_from", ent_channel, allow_from_json, ENT_F_JSON),
	ENT_FIELD("secret_set", ent_channel, secret_set, ENT_F_BOOL),
	ENT_FIELD("updated_at", ent_channel, updated_at, ENT_F_TEXT),
};
static const struct ent_fields channel_shape =
    ENT_FIELDS(ent_channel, channel_fields);
static const struct db_stmt stmt_list = { "ent_channel_list",
	"SELECT c.kind, c.enabled, c.dm_policy, array_to_json(c.allow_from)::text,"
	" c.secret_enc IS NOT NULL,"
	ENT_TS("c.updated_at")
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

enum och_err
ent_channel_list(struct db *db, const char *id, struct ent_channel **out,
    size_t *n)
{
	const char	*p[1] = { id };

	return ent_fields_rows(db, &stmt_list, 1, p, &channel_shape, out, n);
}

cJSON *
ent_channel_json(const struct ent_channel *c)
{
	return ent_fields_json(c, &channel_shape);
}

void
ent_channel_free(struct ent_channel *c, size_t n)
{
	ent_fields_free(c, n, &channel_shape);
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
