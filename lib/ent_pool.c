/*
 * ent_pool.c: a warm pool server as its agent meets it (ent.h; the pool
 * itself: lib/pool.h): its ready call with the one-time pool token, and
 * its polls with the pool token until an order claims it.
 */
#include <stdlib.h>
#include <string.h>

#include "ent_pool.h"
#include "userdata.h"

static const struct db_stmt stmt_known = { "ent_pool_known",
	"SELECT id FROM pool_servers WHERE boot_token_hash = $1"
	" AND state = 'warming'" };
static const struct db_stmt stmt_ready = { "ent_pool_ready",
	"UPDATE pool_servers SET boot_token_hash = NULL,"
	" agent_token_hash = CASE WHEN $3::boolean THEN $2 END,"
	" state = CASE WHEN $3::boolean THEN 'ready' ELSE 'bad' END,"
	" ready_at = now(), last_seen_at = now(),"
	" last_error = CASE WHEN $3::boolean THEN NULL"
	"  ELSE left('setup failed: ' || $4, 500) END"
	" WHERE boot_token_hash = $1 AND state = 'warming'"
	" AND created_at > now() - interval '" UD_TOKEN_TTL "'"
	" RETURNING id" };
static const struct db_stmt stmt_poll = { "ent_pool_poll",
	"UPDATE pool_servers p SET last_seen_at = now()"
	" WHERE agent_token_hash = $1 AND (p.state = 'ready'"
	"  OR (p.state = 'claimed' AND NOT EXISTS (SELECT 1 FROM instances i"
	"  WHERE i.id = p.instance_id AND (i.ready_at IS NOT NULL"
	"  OR i.state IN ('failed', 'terminating', 'terminated')))))"
	" RETURNING p.id, p.state = 'claimed', p.instance_id" };
/* stmt_poll's columns in order */
static const struct ent_field seen_fields[] = {
	ENT_FIELD(NULL, ent_pool_seen, id, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_pool_seen, claimed, ENT_F_BOOL),
	ENT_FIELD(NULL, ent_pool_seen, instance_id, ENT_F_STR),
};
static const struct ent_fields seen_shape =
    ENT_FIELDS(ent_pool_seen, seen_fields);
static const struct db_stmt stmt_handed = { "ent_pool_handed",
	"UPDATE pool_servers SET handed_at = now() WHERE id = $1::bigint" };

enum och_err
ent_pool_known(struct db *db, const char *hash, int *known)
{
	const char	*p[1] = { hash };
	char		*id;
	enum och_err	 err;

	err = db_first(db, &stmt_known, 1, p, &id);
	*known = id != NULL;
	free(id);
	return err;
}

enum och_err
ent_pool_ready(struct db *db, const char *hash, const char *agent_hash,
    const char *step, char **id)
{
	const char	*p[4] = { hash, agent_hash, agent_hash != NULL ?
	    "true" : "false", step };
	enum och_err	 err;

	if ((err = db_first(db, &stmt_ready, 4, p, id)) != OCH_OK)
		return err;
	return *id != NULL ? OCH_OK : OCH_ENOTFOUND;
}

enum och_err
ent_pool_poll(struct db *db, const char *hash, struct ent_pool_seen *out)
{
	const char	*p[1] = { hash };

	return ent_fields_one(db, &stmt_poll, 1, p, &seen_shape, out);
}

enum och_err
ent_pool_handed(struct db *db, const char *id)
{
	const char	*p[1] = { id };

	return db_run(db, &stmt_handed, 1, p, NULL);
}

void
ent_pool_seen_free(struct ent_pool_seen *s)
{
	ent_fields_clear(s, &seen_shape);
}
