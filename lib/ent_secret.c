/*
 * ent_secret.c: an instance's own secrets (ent.h): the gateway token and
 * the node_exporter password, sealed in instance_secrets; the one place
 * that seals and opens them.
 */
#include <stdlib.h>
#include <string.h>

#include "cry.h"
#include "ent_secret.h"
#include "log.h"

static const struct db_stmt stmt_get = { "ent_secret_get",
	"SELECT value_enc FROM instance_secrets"
	" WHERE instance_id = $1::uuid AND name = $2" };
static const struct db_stmt stmt_add = { "ent_secret_add",
	"INSERT INTO instance_secrets (instance_id, name, value_enc)"
	" VALUES ($1::uuid, $2, $3::bytea)" };
static const struct db_stmt stmt_gateway = { "ent_gateway_token",
	"SELECT i.slug, s.value_enc FROM instances i"
	" LEFT JOIN instance_secrets s ON s.instance_id = i.id"
	"  AND s.name = 'gateway_token' WHERE i.id = $1::uuid" };
static const struct db_stmt stmt_replace = { "ent_secret_replace",
	"UPDATE instance_secrets SET value_enc = $2::bytea, created_at = now()"
	" WHERE instance_id = $1::uuid AND name = 'gateway_token'" };
static const struct db_stmt stmt_bump = { "ent_secret_bump",
	"WITH u AS (UPDATE instances SET config_revision = config_revision + 1,"
	" updated_at = now() WHERE id = $1::uuid RETURNING id)"
	" SELECT pg_notify('och_agent', id::text) FROM u" };

/* The associated data sealing secret name of instance id (caller frees). */
static char *
ent_secret_ad(const char *id, const char *name)
{
	return xasprintf("instance_secrets:%s:%s", id, name);
}

/* Open sealed (bytea text) as secret name of id into *val. */
static enum och_err
open_sealed(const struct cry_keyring *keys, const char *id, const char *name,
    const char *sealed, char **val, size_t *len)
{
	char	*ad = ent_secret_ad(id, name);

	*val = cry_open_bytea(keys, ad, sealed, len);
	free(ad);
	if (*val == NULL) {
		log_error("secret %s of %s does not open", name, id);
		return OCH_ESYSTEM;
	}
	return OCH_OK;
}

enum och_err
ent_secret_get(struct db *db, const struct cry_keyring *keys, const char *id,
    const char *name, char **val, size_t *len)
{
	PGresult	*res;
	const char	*p[2] = { id, name };
	enum och_err	 err;

	*val = NULL;
	if ((res = db_exec(db, &stmt_get, 2, p, &err)) == NULL)
		return err;
	if (PQntuples(res) != 1 || db_val(res, 0, 0) == NULL)
		err = OCH_ENOTFOUND;
	else
		err = open_sealed(keys, id, name, db_val(res, 0, 0), val, len);
	PQclear(res);
	return err;
}

enum och_err
ent_secret_ensure(struct db *db, const struct cry_keyring *keys,
    const char *id, const char *name, char **val)
{
	const char	*p[3] = { id, name, NULL };
	char		*ad, *sealed;
	enum och_err	 err;

	if ((err = ent_secret_get(db, keys, id, name, val, NULL)) !=
	    OCH_ENOTFOUND)
		return err;
	if ((*val = cry_token(24)) == NULL)
		return OCH_ESYSTEM;
	ad = ent_secret_ad(id, name);
	sealed = cry_seal_bytea(keys, ad, *val, strlen(*val));
	free(ad);
	p[2] = sealed;
	err = sealed == NULL ? OCH_ESYSTEM : db_run(db, &stmt_add, 3, p, NULL);
	free(sealed);
	if (err != OCH_OK) {
		xfree_secret(*val);
		*val = NULL;
	}
	return err;
}

enum och_err
ent_gateway_token(struct db *db, const struct cry_keyring *keys,
    const char *id, char **slug, char **tok)
{
	PGresult	*res;
	const char	*p[1] = { id };
	enum och_err	 err;

	*slug = *tok = NULL;
	if ((res = db_exec(db, &stmt_gateway, 1, p, &err)) == NULL)
		return err;
	if (PQntuples(res) != 1 || db_val(res, 0, 1) == NULL)
		err = OCH_ECONFLICT;
	else if ((err = open_sealed(keys, id, "gateway_token",
	    db_val(res, 0, 1), tok, NULL)) == OCH_OK)
		*slug = db_dup_empty(res, 0, 0);
	PQclear(res);
	return err;
}

/* In the caller's transaction: the new token's steps. */
static enum och_err
rotate(struct db *db, const struct cry_keyring *keys, const char *id)
{
	PGresult	*res;
	const char	*p[2] = { id, NULL };
	char		*ad, *tok = NULL, *sealed = NULL;
	enum och_err	 err = OCH_OK;
	int		 have;

	if ((res = db_exec(db, &stmt_gateway, 1, p, &err)) == NULL)
		return err;
	have = PQntuples(res) == 1 && db_val(res, 0, 1) != NULL;
	PQclear(res);
	if (!have)
		return OCH_ECONFLICT;
	ad = ent_secret_ad(id, "gateway_token");
	if ((tok = cry_token(24)) == NULL || (sealed = cry_seal_bytea(keys,
	    ad, tok, strlen(tok))) == NULL)
		err = OCH_ESYSTEM;
	free(ad);
	xfree_secret(tok);
	p[1] = sealed;
	if (err == OCH_OK)
		err = db_run(db, &stmt_replace, 2, p, NULL);
	/* the agent fetches the new config (it carries the token) at once */
	if (err == OCH_OK)
		err = db_run(db, &stmt_bump, 1, p, NULL);
	free(sealed);
	return err;
}

enum och_err
ent_gateway_rotate(struct db *db, const struct cry_keyring *keys,
    const char *id)
{
	enum och_err	 err;

	if (db_begin(db) < 0)
		return OCH_EDB;
	if ((err = rotate(db, keys, id)) == OCH_OK && db_commit(db) < 0)
		err = OCH_EDB;
	db_rollback(db);
	return err;
}
