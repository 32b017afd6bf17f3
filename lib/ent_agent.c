/*
 * ent_agent.c: an instance as its VPS agent meets it (ent.h): the ready
 * call's bootstrap token and agent token, the instance's state and config
 * revision, and the config the agent fetches (struct ent_agent_config,
 * with the secrets opened: AD as ent_channel.c and ent_key.c seal them).
 */
#include <stdlib.h>
#include <string.h>

#include "cry.h"
#include "ent_agent.h"
#include "ent_channel.h"
#include "ent_key.h"
#include "log.h"

static const struct db_stmt stmt_claim = { "ent_agent_claim",
	"SELECT b.instance_id, i.state, i.slug FROM bootstrap_tokens b"
	" JOIN instances i ON i.id = b.instance_id"
	" WHERE b.token_hash = $1 AND b.used_at IS NULL AND b.expires_at > now()"
	" FOR UPDATE OF b, i" };
static const struct db_stmt stmt_use = { "ent_agent_use",
	"UPDATE bootstrap_tokens SET used_at = now() WHERE token_hash = $1" };
static const struct db_stmt stmt_revoke = { "ent_agent_revoke",
	"UPDATE agent_tokens SET revoked_at = now()"
	" WHERE instance_id = $1::uuid AND revoked_at IS NULL" };
static const struct db_stmt stmt_token = { "ent_agent_token",
	"INSERT INTO agent_tokens (token_hash, instance_id) VALUES ($1, $2::uuid)" };
/* the exporter's pin: this VPS's key (a rebuild's new key replaces it) */
static const struct db_stmt stmt_ready = { "ent_agent_ready",
	"UPDATE instances SET ready_at = now(), updated_at = now(),"
	" exporter_pin = $2 WHERE id = $1::uuid" };
static const struct db_stmt stmt_seen = { "ent_agent_seen",
	"UPDATE agent_tokens SET last_seen_at = now()"
	" WHERE instance_id = $1::uuid AND revoked_at IS NULL" };
static const struct db_stmt stmt_setup_state = { "ent_agent_setup_state",
	"UPDATE instances SET setup_state = $2::jsonb WHERE id = $1::uuid" };
static const struct db_stmt stmt_lock = { "ent_agent_lock",
	"SELECT state FROM instances WHERE id = $1::uuid FOR UPDATE" };
static const struct db_stmt stmt_revision = { "ent_agent_revision",
	"SELECT config_revision FROM instances WHERE id = $1::uuid" };
enum { IC_SLUG, IC_REVISION, IC_PRIMARY, IC_FALLBACKS };
static const struct db_stmt stmt_inst = { "ent_agent_inst",
	"SELECT slug, config_revision, model_primary,"
	" array_to_json(model_fallbacks)::text FROM instances WHERE id = $1::uuid" };
enum { CH_KIND, CH_ENABLED, CH_POLICY, CH_ALLOW, CH_SECRET };
static const struct db_stmt stmt_channels = { "ent_agent_channels",
	"SELECT kind, enabled, dm_policy, array_to_json(allow_from)::text,"
	" secret_enc FROM channels WHERE instance_id = $1::uuid ORDER BY kind" };
/* the keys of providers the plan allows, with the variable OpenClaw reads
 * each from (schema 310) */
static const struct db_stmt stmt_keys = { "ent_agent_keys",
	"SELECT k.provider, k.key_enc, a.env FROM ai_keys k"
	" JOIN instances i ON i.id = k.instance_id"
	" JOIN plan_providers pp ON pp.plan = i.plan AND pp.provider = k.provider"
	" JOIN ai_providers a ON a.provider = k.provider"
	" WHERE k.instance_id = $1::uuid ORDER BY k.provider" };
static const struct db_stmt stmt_skills = { "ent_agent_skills",
	"SELECT s.slug, s.version FROM instance_skills i"
	" JOIN skills s ON s.name = i.skill"
	" WHERE i.instance_id = $1::uuid AND i.enabled AND s.active ORDER BY s.slug" };

/* stmt_claim's columns in order */
static const struct ent_field boot_fields[] = {
	ENT_FIELD(NULL, ent_agent_boot, instance_id, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_agent_boot, state, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_agent_boot, slug, ENT_F_TEXT),
};
static const struct ent_fields boot_shape =
    ENT_FIELDS(ent_agent_boot, boot_fields);

enum och_err
ent_agent_claim(struct db *db, const char *hash, struct ent_agent_boot *out)
{
	const char	*p[1] = { hash };

	return ent_fields_one(db, &stmt_claim, 1, p, &boot_shape, out);
}

void
ent_agent_boot_free(struct ent_agent_boot *b)
{
	ent_fields_clear(b, &boot_shape);
}

enum och_err
ent_agent_token_new(struct db *db, const char *hash, const char *id,
    char **agent)
{
	const char	*p[2] = { hash, NULL };
	char		 thash[65];
	enum och_err	 err;

	*agent = NULL;
	if ((err = db_run(db, &stmt_use, 1, p, NULL)) != OCH_OK)
		return err;
	p[0] = id;
	if ((err = db_run(db, &stmt_revoke, 1, p, NULL)) != OCH_OK)
		return err;
	if ((*agent = cry_token(32)) == NULL)
		return OCH_ESYSTEM;
	cry_sha256_hex(*agent, strlen(*agent), thash);
	p[0] = thash;
	p[1] = id;
	return db_run(db, &stmt_token, 2, p, NULL);
}

enum och_err
ent_agent_ready(struct db *db, const char *id, const char *pin)
{
	const char	*p[2] = { id, pin };

	return db_run(db, &stmt_ready, 2, p, NULL);
}

enum och_err
ent_agent_lock_state(struct db *db, const char *id, char **state)
{
	const char	*p[1] = { id };

	return db_first(db, &stmt_lock, 1, p, state);
}

enum och_err
ent_agent_revision(struct db *db, const char *id, int64_t *rev)
{
	const char	*p[1] = { id };
	char		*v;
	enum och_err	 err;

	*rev = 0;
	if ((err = db_first(db, &stmt_revision, 1, p, &v)) == OCH_OK &&
	    v != NULL)
		*rev = strtoll(v, NULL, 10);
	free(v);
	return err;
}

/* Open sealed with ad (taken): "<what> <name><tail> of <id> does not
 * open" logged when it does not. */
static char *
open_logged(const struct cry_keyring *keys, char *ad, const char *sealed,
    const char *what, const char *name, const char *tail, const char *id)
{
	char	*plain = cry_open_bytea(keys, ad, sealed, NULL);

	free(ad);
	if (plain == NULL)
		log_error("%s %s%s of %s does not open", what, name, tail, id);
	return plain;
}

static void
read_channels(const PGresult *res, const struct cry_keyring *keys,
    const char *id, struct ent_agent_config *c)
{
	struct ent_agent_channel	*ch;
	int				 i;

	if (PQntuples(res) == 0)
		return;
	c->channels = xcalloc((size_t)PQntuples(res), sizeof(*c->channels));
	for (i = 0; i < PQntuples(res); i++) {
		ch = &c->channels[i];
		ch->kind = db_dup_empty(res, i, CH_KIND);
		ch->enabled = db_bool(res, i, CH_ENABLED);
		ch->dm_policy = db_dup_empty(res, i, CH_POLICY);
		ch->allow_from_json = db_dup(res, i, CH_ALLOW);
		if (db_val(res, i, CH_SECRET) != NULL)
			ch->secrets_json = open_logged(keys, ent_channel_ad(
			    id, ch->kind),
			    db_val(res, i, CH_SECRET), "channel", ch->kind,
			    " secret", id);
	}
	c->nchannels = (size_t)PQntuples(res);
}

static void
read_keys(const PGresult *res, const struct cry_keyring *keys,
    const char *id, struct ent_agent_config *c)
{
	struct ent_agent_key	*k;
	int			 i;

	if (PQntuples(res) == 0)
		return;
	c->keys = xcalloc((size_t)PQntuples(res), sizeof(*c->keys));
	for (i = 0; i < PQntuples(res); i++) {
		k = &c->keys[i];
		k->provider = db_dup_empty(res, i, 0);
		k->env = db_dup_empty(res, i, 2);
		k->key = open_logged(keys, ent_ai_key_ad(id,
		    k->provider), db_val(res, i, 1), "ai key", k->provider,
		    "", id);
	}
	c->nkeys = (size_t)PQntuples(res);
}

static void
read_skills(const PGresult *res, struct ent_agent_config *c)
{
	int	 i;

	if (PQntuples(res) == 0)
		return;
	c->skills = xcalloc((size_t)PQntuples(res), sizeof(*c->skills));
	for (i = 0; i < PQntuples(res); i++) {
		c->skills[i].slug = db_dup_empty(res, i, 0);
		c->skills[i].version = db_dup_empty(res, i, 1);
	}
	c->nskills = (size_t)PQntuples(res);
}

enum och_err
ent_agent_config_read(struct db *db, const struct cry_keyring *keys,
    const char *id, struct ent_agent_config **out)
{
	const char		*p[1] = { id };
	PGresult		*in = NULL, *ch = NULL, *ks = NULL, *sk = NULL;
	struct ent_agent_config	*c;
	enum och_err		 err = OCH_OK;

	*out = NULL;
	if ((in = db_exec(db, &stmt_inst, 1, p, &err)) == NULL ||
	    (ch = db_exec(db, &stmt_channels, 1, p, &err)) == NULL ||
	    (ks = db_exec(db, &stmt_keys, 1, p, &err)) == NULL ||
	    (sk = db_exec(db, &stmt_skills, 1, p, &err)) == NULL)
		goto out;
	if (PQntuples(in) != 1) {
		err = OCH_ENOTFOUND;
		goto out;
	}
	*out = c = xcalloc(1, sizeof(*c));
	c->slug = db_dup_empty(in, 0, IC_SLUG);
	c->revision = db_int(in, 0, IC_REVISION);
	c->model_primary = db_dup(in, 0, IC_PRIMARY);
	c->model_fallbacks_json = db_dup(in, 0, IC_FALLBACKS);
	read_channels(ch, keys, id, c);
	read_keys(ks, keys, id, c);
	read_skills(sk, c);
out:
	PQclear(in);
	PQclear(ch);
	PQclear(ks);
	PQclear(sk);
	return err;
}

void
ent_agent_config_free(struct ent_agent_config *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nchannels; i++) {
		free(c->channels[i].kind);
		free(c->channels[i].dm_policy);
		free(c->channels[i].allow_from_json);
		xfree_secret(c->channels[i].secrets_json);
	}
	for (i = 0; i < c->nkeys; i++) {
		free(c->keys[i].provider);
		free(c->keys[i].env);
		xfree_secret(c->keys[i].key);
	}
	for (i = 0; i < c->nskills; i++) {
		free(c->skills[i].slug);
		free(c->skills[i].version);
	}
	free(c->channels);
	free(c->keys);
	free(c->skills);
	free(c->slug);
	free(c->model_primary);
	free(c->model_fallbacks_json);
	free(c);
}

enum och_err
ent_agent_seen(struct db *db, const char *id)
{
	const char	*p[1] = { id };

	return db_run(db, &stmt_seen, 1, p, NULL);
}

enum och_err
ent_agent_setup_state(struct db *db, const char *id, const char *setup)
{
	const char	*p[2] = { id, setup };

	return db_run(db, &stmt_setup_state, 2, p, NULL);
}
