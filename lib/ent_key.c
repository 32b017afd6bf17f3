/*
 * ent_key.c: the AI provider keys entity (ent.h): the statement that
 * lists an instance's keys without their secrets (struct ent_ai_key), and
 * those that store one, sealed (AD "ai_keys:<instance>:<provider>"), or
 * delete it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cry.h"
#include "ent_key.h"

/* stmt_list's columns in order, and the JSON */
static const struct ent_field key_fields[] = {
	ENT_FIELD("provider", ent_ai_key, provider, ENT_F_STR),
	ENT_FIELD("last4", ent_ai_key, last4, ENT_F_STR),
	ENT_FIELD("updated_at", ent_ai_key, updated_at, ENT_F_STR),
};
static const struct ent_fields key_shape = ENT_FIELDS(ent_ai_key, key_fields);
static const struct db_stmt stmt_list = { "ent_ai_key_list",
	"SELECT provider, last4,"
	ENT_TS("updated_at")
	" FROM ai_keys WHERE instance_id = $1::uuid ORDER BY provider" };
static const struct db_stmt stmt_put = { "ent_ai_key_put",
	"INSERT INTO ai_keys (instance_id, provider, key_enc, last4)"
	" VALUES ($1::uuid, $2, $3::bytea, $4)"
	" ON CONFLICT (instance_id, provider) DO UPDATE SET"
	" key_enc = EXCLUDED.key_enc, last4 = EXCLUDED.last4, updated_at = now()" };
static const struct db_stmt stmt_del = { "ent_ai_key_del",
	"DELETE FROM ai_keys WHERE instance_id = $1::uuid AND provider = $2" };

enum och_err
ent_ai_key_list(struct db *db, const char *id, struct ent_ai_key **out,
    size_t *n)
{
	const char	*p[1] = { id };

	return ent_fields_rows(db, &stmt_list, 1, p, &key_shape, out, n);
}

cJSON *
ent_ai_key_json(const struct ent_ai_key *k)
{
	return ent_fields_json(k, &key_shape);
}

void
ent_ai_key_free(struct ent_ai_key *k, size_t n)
{
	ent_fields_free(k, n, &key_shape);
}

char *
ent_ai_key_ad(const char *id, const char *provider)
{
	return xasprintf("ai_keys:%s:%s", id, provider);
}

enum och_err
ent_ai_key_put(struct db *db, const struct cry_keyring *keys,
    const char *id, const char *provider, const char *key)
{
	const char	*p[4];
	char		*ad, *sealed, last4[5];
	enum och_err	 err;
	size_t		 len = strlen(key);

	snprintf(last4, sizeof(last4), "%s", key + (len > 4 ? len - 4 : 0));
	ad = ent_ai_key_ad(id, provider);
	sealed = cry_seal_bytea(keys, ad, key, len);
	free(ad);
	if (sealed == NULL)
		return OCH_ESYSTEM;
	p[0] = id;
	p[1] = provider;
	p[2] = sealed;
	p[3] = last4;
	err = db_run(db, &stmt_put, 4, p, NULL);
	free(sealed);
	return err;
}

enum och_err
ent_ai_key_del(struct db *db, const char *id, const char *provider)
{
	const char	*p[2] = { id, provider };
	enum och_err	 err;
	long		 n = 0;

	if ((err = db_run(db, &stmt_del, 2, p, &n)) == OCH_OK && n == 0)
		err = OCH_ENOTFOUND;
	return err;
}
