/*
 * ent.h: the typed data layer: each entity has one lib/ent_<name>.c that
 * owns its SQL statements and hands back structs (or, for a read-only
 * view that only becomes JSON, the JSON its struct ent_view declares),
 * so no handler reads a PGresult or a column position.  An instance's
 * columns are INST_COLS in lib/inst.h; its transitions stay there too.
 *
 * The one ownership rule, for every ent_* function:
 *  - what an ent_* function returns through an out parameter (a struct,
 *    an array of them, the strings inside) belongs to the caller, who
 *    releases it with that entity's ent_<name>_free() — also after a
 *    failure, when it is safe to call and frees nothing; a struct the
 *    caller provides (struct ent_agent_boot b) is filled and emptied the
 *    same way; a lone string comes back to free() (a clear secret: to
 *    xfree_secret(), which wipes it first); JSON (cJSON *) is deleted
 *    with cJSON_Delete();
 *  - nothing returned points into a PGresult or into the arguments;
 *  - what the caller passes in stays the caller's; a PGresult a caller
 *    hands over (a prefetched result: ent_user_me()) is taken.
 * Failures come back as enum och_err (OCH_OK, OCH_ENOTFOUND, or
 * db_exec()'s errors), never as a NULL the caller must interpret.
 */
#ifndef OCH_ENT_H
#define OCH_ENT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cfg.h"
#include "db.h"
#include "inst.h"
#include "och.h"

/* An SQL expression's time as RFC 3339 text in UTC (to the second). */
#define ENT_TS(col) INST_TS(col)

/*
 * Read-only views (ent_view.c).  A view is a statement and, in its
 * SELECT order, the name and type of each column: its rows become JSON
 * objects member by member.  A result with another number of columns
 * than the view names is refused (logged, OCH_EDB), so the two cannot
 * drift apart unnoticed.
 */
struct ent_col {
	const char	*name;
	char		 type;	/* s string, i integer, f number, b boolean,
				   j JSON text; SQL NULL is null */
};
struct ent_view {
	struct db_stmt		 stmt;
	const struct ent_col	*cols;
	size_t			 ncols;
};
#define ENT_VIEW(name, sql, cols) { { name, sql }, cols, OCH_NELEM(cols) }

/*
 * Run view v with n parameters: *out a new array of its rows as objects
 * (caller deletes).  Returns OCH_OK, or db_exec()'s error with *out NULL.
 */
enum och_err	 ent_view_rows(struct db *, const struct ent_view *v, int n,
		    const char *const *p, cJSON **out);
/*
 * Run view v: *out its one row as a new object (caller deletes).
 * Returns OCH_OK, OCH_ENOTFOUND (not exactly one row; *out NULL) or
 * db_exec()'s error.
 */
enum och_err	 ent_view_one(struct db *, const struct ent_view *v, int n,
		    const char *const *p, cJSON **out);
/*
 * For the entity files only: columns first.. of row `row` of res added
 * to o as cols says; every row so as a new array (caller deletes).
 */
void		 ent_cols_add(cJSON *o, const PGresult *res, int row,
		    int first, const struct ent_col *cols, size_t n);
cJSON		*ent_rows_json(const PGresult *res, int first,
		    const struct ent_col *cols, size_t n);

/*
 * An instance as the API shows it (ent_instance.c): the columns of
 * INST_COLS (lib/inst.h) as text, NULL for SQL NULL.
 */
#define INST_COL_FIELD_(e, f, sql, j) char *f;
struct ent_instance { INST_COLS(INST_COL_FIELD_) };
#undef INST_COL_FIELD_

/*
 * Instance id (*out one, caller frees with ent_instance_free(*out, 1)).
 * Returns OCH_OK, OCH_ENOTFOUND (also for an id that is no uuid; *out
 * NULL) or db_exec()'s error.
 */
enum och_err	 ent_instance_get(struct db *, const char *id,
		    struct ent_instance **out);
/* The instance of a WHMCS service id (decimal text): as ent_instance_get. */
enum och_err	 ent_instance_of_service(struct db *, const char *sid,
		    struct ent_instance **out);
/*
 * Instances by creation, limit and offset as decimal text: *out an array
 * of *n (caller frees with ent_instance_free(*out, *n)).  Returns OCH_OK,
 * or db_exec()'s error with *out NULL and *n 0.
 */
enum och_err	 ent_instance_list(struct db *, const char *limit,
		    const char *offset, struct ent_instance **out, size_t *n);
/* The API's JSON of an instance (caller deletes). */
cJSON		*ent_instance_json(const struct ent_instance *,
		    const struct cfg *);
/* Free n instances (NULL is fine). */
void		 ent_instance_free(struct ent_instance *, size_t n);
/*
 * For GET …/instances/{id} as a session (req.h's app->prefetch): fill
 * it[0] (the instance if uid may see it: the rule of auth_may_see(),
 * AUTH_SEE_RECORD, as AUTH_MAY_SEE_SQL) and it[1] (its recent events)
 * with p[0] = id and p[1] = uid, which the caller keeps alive.  Returns 2.
 */
size_t		 ent_instance_prefetch(struct db_batch_item *it,
		    const char **p, const char *id, const char *uid);
/*
 * Take over it[0]'s result as auth_prefetched() hands it back (res is
 * consumed).  Returns 0 when res is NULL (nothing prefetched: the caller
 * reads it itself), else 1 with *out the instance, or NULL when the row
 * is not there (no such instance, or not the session's to see).
 */
int		 ent_instance_adopt(PGresult *res, struct ent_instance **out);

/* An event of an instance's history, as its owner sees it. */
struct ent_event {
	char	*kind;
	char	*from;		/* NULL when none */
	char	*to;		/* NULL when none */
	char	*message;	/* NULL when none */
	char	*at;		/* RFC 3339 with milliseconds, UTC */
};
/*
 * The 20 latest events of instance id, newest first: *out an array of *n
 * (caller frees with ent_event_free(*out, *n)).  Returns OCH_OK, or
 * db_exec()'s error with *out NULL and *n 0.
 */
enum och_err	 ent_event_recent(struct db *, const char *id,
		    struct ent_event **out, size_t *n);
/*
 * As ent_event_recent() from ent_instance_prefetch()'s it[1] result as
 * auth_prefetched() hands it back (consumed).  Returns 0 when res is
 * NULL, else 1.
 */
int		 ent_event_adopt(PGresult *res, struct ent_event **out,
		    size_t *n);
/* The JSON of an event (caller deletes). */
cJSON		*ent_event_json(const struct ent_event *);
/* Free n events (NULL is fine). */
void		 ent_event_free(struct ent_event *, size_t n);

/*
 * An order's records (ent_instance.c), inside the caller's transaction.
 * The WHMCS client's own user, found or created by client id (decimal
 * text) alone, the email contact data only: its id into uid (24 bytes).
 * Returns OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_order_user(struct db *, const char *mail,
		    const char *cid, char *uid);
/*
 * The active plan named plan exists, and the active region named
 * region: its canonical name (an alias resolved) into canon (32 bytes).
 * Returns OCH_OK, OCH_ENOTFOUND (no such plan or region) or the error.
 */
enum och_err	 ent_order_plan(struct db *, const char *plan);
enum och_err	 ent_order_region(struct db *, const char *region,
		    char *canon);
/*
 * A new instance (the order's fields; version a pin or NULL, then the
 * plan's, then def): its id into id (40 bytes), or "" when an instance of
 * service sid exists already.  Returns OCH_OK, OCH_ECONFLICT (the slug
 * was taken: the transaction is aborted) or db_exec()'s error.
 */
enum och_err	 ent_order_insert(struct db *, const char *slug,
		    const char *uid, const char *plan, const char *region,
		    const char *sid, const char *cid, const char *version,
		    const char *def, char *id);
/*
 * A single-use sign-in token of instance id's owner, when that is a WHMCS
 * client's user (never an admin): its hash (hex) stored, valid 60 s.
 * Returns OCH_OK, OCH_ENOTFOUND (no such instance or owner) or the error.
 */
enum och_err	 ent_sso_add(struct db *, const char *id, const char *hash);

/*
 * Views of instances for the billing system ($1 the instance id where
 * one is named): its disk and bandwidth use; the regions one may order.
 */
extern const struct ent_view ent_v_instance_usage, ent_v_regions;

struct cry_keyring;

/* A plan of the catalogue (schema: plans), as customers see it. */
struct ent_plan {
	char	*name;
	char	*display_name;
	char	*server_type;
	int64_t	 vcpus;
	int64_t	 memory_mb;
	int64_t	 disk_gb;
	int64_t	 max_channels;
	int64_t	 max_skills;
	int64_t	 backup_slots;
	int64_t	 price_cents;
	int64_t	 snapshot_slots;
	char	*ai_providers;	/* JSON array of the providers it allows */
};

/*
 * The active plans in catalogue order (sort, name): *out an array of *n
 * (caller frees with ent_plan_free(*out, *n)).  Returns OCH_OK, or
 * db_exec()'s error with *out NULL and *n 0.
 */
enum och_err	 ent_plan_active(struct db *, struct ent_plan **out,
		    size_t *n);
/*
 * The plan of instance id: *out one plan (caller frees with
 * ent_plan_free(*out, 1)).  Returns OCH_OK, OCH_ENOTFOUND (no such
 * instance; *out NULL) or db_exec()'s error.
 */
enum och_err	 ent_plan_of_instance(struct db *, const char *id,
		    struct ent_plan **out);
/* The public JSON of a plan (caller deletes), or NULL out of memory. */
cJSON		*ent_plan_json(const struct ent_plan *);
/* Free n plans from an ent_plan_* function (NULL is fine). */
void		 ent_plan_free(struct ent_plan *, size_t n);

/* An AI provider a plan allows (schema 310: ai_providers). */
struct ent_provider {
	char	*provider;	/* OpenClaw's provider id */
	char	*display_name;
};
/*
 * The providers the plan of instance id allows, in the catalogue's order:
 * *out an array of *n (caller frees with ent_provider_free(*out, *n); none
 * for an unknown instance).  Returns OCH_OK, or db_exec()'s error.
 */
enum och_err	 ent_provider_of_instance(struct db *, const char *id,
		    struct ent_provider **out, size_t *n);
/* 1 if the first len bytes of provider name one of the n, else 0. */
int		 ent_provider_listed(const struct ent_provider *, size_t n,
		    const char *provider, size_t len);
/* {provider, display_name} (caller deletes), or NULL out of memory. */
cJSON		*ent_provider_json(const struct ent_provider *);
/* Free n providers (NULL is fine). */
void		 ent_provider_free(struct ent_provider *, size_t n);

/* An AI provider key of an instance, without the key (schema: ai_keys). */
struct ent_ai_key {
	char	*provider;
	char	*last4;		/* NULL when not known */
	char	*updated_at;	/* RFC 3339, UTC */
};

/*
 * The AI keys of instance id by provider: *out an array of *n (caller
 * frees with ent_ai_key_free(*out, *n)).  Returns OCH_OK, or db_exec()'s
 * error with *out NULL and *n 0.
 */
enum och_err	 ent_ai_key_list(struct db *, const char *id,
		    struct ent_ai_key **out, size_t *n);
/* The dashboard's JSON of a key (caller deletes), or NULL out of memory. */
cJSON		*ent_ai_key_json(const struct ent_ai_key *);
/* Free n keys from ent_ai_key_list() (NULL is fine). */
void		 ent_ai_key_free(struct ent_ai_key *, size_t n);
/*
 * Store (or replace) the key of provider for instance id, sealed, with
 * its last four characters.  Returns OCH_OK, OCH_ESYSTEM (sealing
 * failed) or db_run()'s error.
 */
enum och_err	 ent_ai_key_put(struct db *, const struct cry_keyring *,
		    const char *id, const char *provider, const char *key);
/* Delete the key of provider: OCH_OK, OCH_ENOTFOUND or db_run()'s error. */
enum och_err	 ent_ai_key_del(struct db *, const char *id,
		    const char *provider);
/* The associated data sealing a key (caller frees). */
char		*ent_ai_key_ad(const char *id, const char *provider);

/* A chat channel of an instance, without its secrets (schema: channels). */
struct ent_channel {
	char	*kind;			/* telegram, discord, slack, whatsapp */
	int	 enabled;
	char	*dm_policy;
	char	*allow_from_json;	/* a JSON array's text, or NULL */
	int	 secret_set;		/* a sealed secret is stored */
	char	*updated_at;		/* RFC 3339, UTC */
};

/*
 * The channels of instance id by kind: *out an array of *n (caller frees
 * with ent_channel_free(*out, *n)).  Returns OCH_OK, or db_exec()'s error
 * with *out NULL and *n 0.
 */
enum och_err	 ent_channel_list(struct db *, const char *id,
		    struct ent_channel **out, size_t *n);
/* The dashboard's JSON of a channel (caller deletes), or NULL. */
cJSON		*ent_channel_json(const struct ent_channel *);
/* Free n channels from ent_channel_list() (NULL is fine). */
void		 ent_channel_free(struct ent_channel *, size_t n);
/*
 * How many channels instance id has besides kind: *n.  Returns OCH_OK or
 * db_exec()'s error (*n 0).
 */
enum och_err	 ent_channel_count_other(struct db *, const char *id,
		    const char *kind, int64_t *n);
/* A channel as a customer sets it (all the caller's). */
struct ent_channel_in {
	const char	*id;		/* the instance */
	const char	*kind;
	int		 enabled;
	const char	*dm_policy;
	const char	*allow_from_json;	/* a JSON array's text */
	const char	*secrets_json;	/* a JSON object's text, or NULL:
					 * the stored secrets stay */
};
/*
 * Create or change a channel; its secrets are sealed for it.  Returns
 * OCH_OK, OCH_ESYSTEM (sealing failed) or db_run()'s error.
 */
enum och_err	 ent_channel_put(struct db *, const struct cry_keyring *,
		    const struct ent_channel_in *);
/* Delete channel kind of instance id: OCH_OK, OCH_ENOTFOUND or error. */
enum och_err	 ent_channel_del(struct db *, const char *id,
		    const char *kind);
/* The associated data sealing a channel's secrets (caller frees). */
char		*ent_channel_ad(const char *id, const char *kind);

/* A skill of the catalogue as one instance sees it (schema: skills). */
struct ent_skill {
	char	*name;
	char	*display_name;
	char	*description;	/* NULL when none */
	int	 enabled;	/* enabled on this instance */
	char	*slug;		/* what the VPS installs */
};

/*
 * The active skills of the catalogue by name, each with whether instance
 * id enabled it: *out an array of *n (caller frees with
 * ent_skill_free(*out, *n)).  Returns OCH_OK, or db_exec()'s error with
 * *out NULL and *n 0.
 */
enum och_err	 ent_skill_of_instance(struct db *, const char *id,
		    struct ent_skill **out, size_t *n);
/* The dashboard's JSON of a skill (caller deletes), or NULL. */
cJSON		*ent_skill_json(const struct ent_skill *);
/* Free n skills from ent_skill_of_instance() (NULL is fine). */
void		 ent_skill_free(struct ent_skill *, size_t n);
/*
 * How many skills instance id has enabled besides name: *n.  Returns
 * OCH_OK or db_exec()'s error (*n 0).
 */
enum och_err	 ent_skill_count_other(struct db *, const char *id,
		    const char *name, int64_t *n);
/*
 * Enable or disable the active catalogue skill name on instance id.
 * Returns OCH_OK, OCH_ENOTFOUND (no such active skill) or db_run()'s
 * error.
 */
enum och_err	 ent_skill_put(struct db *, const char *id, const char *name,
		    int enabled);
/* Remove skill name from instance id: OCH_OK, OCH_ENOTFOUND or error. */
enum och_err	 ent_skill_del(struct db *, const char *id, const char *name);

/* A stored backup of an instance (schema: backups), as its owner sees it. */
struct ent_backup {
	int64_t	 id;
	char	*kind;		/* agent, snapshot */
	char	*status;
	char	*name;		/* NULL when none */
	int64_t	 size_bytes;	/* -1 when not known */
	char	*created_at;	/* RFC 3339, UTC */
};

/*
 * The newest 50 backups of instance id that are not deleted, newest
 * first: *out an array of *n (caller frees with ent_backup_free(*out,
 * *n)).  Returns OCH_OK, or db_exec()'s error with *out NULL and *n 0.
 */
enum och_err	 ent_backup_list(struct db *, const char *id,
		    struct ent_backup **out, size_t *n);
/* The dashboard's JSON of a backup (caller deletes), or NULL. */
cJSON		*ent_backup_json(const struct ent_backup *);
/* Free n backups from ent_backup_list() (NULL is fine). */
void		 ent_backup_free(struct ent_backup *, size_t n);

/* a command nobody finished within this is over (its agent is gone) */
#define ENT_COMMAND_EXPIRE	"6 minutes"

/* A command for an instance's agent (schema: instance_commands). */
struct ent_command {
	char	*id;		/* a bigint's text */
	char	*kind;
	char	*status;	/* queued, running, done, failed, expired */
	char	*args_json;	/* a JSON object's text */
	char	*result_json;	/* NULL until the agent sent one */
	char	*created_at;	/* RFC 3339, UTC */
	char	*finished_at;	/* NULL while not finished */
};

/*
 * Queue command kind (args: a JSON object's text) for the agent of
 * instance id, created_by who: *cid its id (caller frees).  Returns
 * OCH_OK, or db_exec()'s error with *cid NULL.
 */
enum och_err	 ent_command_queue(struct db *, const char *id,
		    const char *kind, const char *args, const char *who,
		    char **cid);
/*
 * The newest queued or running command of kind on instance id younger
 * than ENT_COMMAND_EXPIRE: *cid its id (caller frees), NULL when none.
 * Returns OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_command_open(struct db *, const char *id,
		    const char *kind, char **cid);
/*
 * Command cid of instance id: an unfinished one older than
 * ENT_COMMAND_EXPIRE is marked expired first; *out one command (caller
 * frees with ent_command_free(*out, 1)).  Returns OCH_OK, OCH_ENOTFOUND
 * (*out NULL) or db_exec()'s error.
 */
enum och_err	 ent_command_get(struct db *, const char *id,
		    const char *cid, struct ent_command **out);
/*
 * The newest 40 backup_create and backup_restore commands of instance
 * id, newest first: *out an array of *n (caller frees with
 * ent_command_free(*out, *n)).  Returns OCH_OK, or db_exec()'s error
 * with *out NULL and *n 0.
 */
enum och_err	 ent_command_backups(struct db *, const char *id,
		    struct ent_command **out, size_t *n);
/*
 * For instance id's agent, in one transaction of its own: the queued and
 * running commands (at most 20, oldest first), marked running: *out an
 * array of *n, with id, kind and args_json (caller frees with
 * ent_command_free(*out, *n)).  Returns OCH_OK, or the database error
 * with *out NULL and *n 0.
 */
enum och_err	 ent_command_claim(struct db *, const char *id,
		    struct ent_command **out, size_t *n);
/*
 * The agent's result of command cid of instance id: status running,
 * done or failed, result a JSON object's text.  Returns OCH_OK,
 * OCH_ENOTFOUND (no such command), OCH_ECONFLICT (it already has its
 * final result) or the database error.
 */
enum och_err	 ent_command_finish(struct db *, const char *id,
		    const char *cid, const char *status, const char *result);
/*
 * The command owner the first approved DM pairing of instance id named
 * ("<channel>:<sender>"): *owner (caller frees), NULL when none.
 * Returns OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_command_owner(struct db *, const char *id, char **owner);
/* Free n commands from an ent_command_* function (NULL is fine). */
void		 ent_command_free(struct ent_command *, size_t n);

/*
 * An instance's server as its dashboard sees it (schema: instances and
 * agent_reports): its lifecycle and model, and the agent's last report.
 * The *_json members are JSON texts; every pointer may be NULL (SQL
 * NULL), except state.
 */
struct ent_status {
	char	*state;
	char	*last_error;
	char	*setup_state_json;	/* what the ready call said */
	char	*model_primary;
	char	*model_fallbacks_json;	/* an array */
	char	*failed_state;		/* the state it failed in */
	char	*pending_action;
	int64_t	 config_revision;
	int	 reported;		/* the agent reported at all */
	char	*reported_at;		/* RFC 3339, UTC */
	int64_t	 report_age;		/* seconds since */
	char	*health_json;
	char	*version;		/* OpenClaw's */
	int64_t	 applied_revision;	/* -1 when not reported */
	char	*config_error;
	char	*channels_json;		/* openclaw channels status --json */
	char	*setup_json;
	char	*tls_json;
	char	*skills_json;
	char	*devices_json;
	char	*models_json;		/* the models it offers */
};

/*
 * The status of instance id: *out (caller frees with ent_status_free()).
 * Returns OCH_OK, OCH_ENOTFOUND (*out NULL) or db_exec()'s error.
 */
enum och_err	 ent_status_of(struct db *, const char *id,
		    struct ent_status **out);
/* Free a status (NULL is fine). */
void		 ent_status_free(struct ent_status *);
/*
 * The first of models (a JSON array's text) that instance id's OpenClaw
 * does not offer, once its agent reported what it offers: *first
 * (caller frees), NULL when all are offered or nothing was reported.
 * Returns OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_model_unoffered(struct db *, const char *id,
		    const char *models, char **first);
/*
 * Set instance id's primary model (NULL: none) and fallbacks (a JSON
 * array's text); the schema bumps its config revision.  Returns OCH_OK
 * or db_run()'s error.
 */
enum och_err	 ent_model_put(struct db *, const char *id,
		    const char *primary, const char *fallbacks);
/*
 * The DM pairing requests the last report of instance id listed:
 * *requests (a JSON array's text) and *reported_at (RFC 3339), both the
 * caller's; both NULL when its agent never reported.  Returns OCH_OK or
 * db_exec()'s error.
 */
enum och_err	 ent_pairing_requests(struct db *, const char *id,
		    char **requests, char **reported_at);

/* A step of an order's way to a working gateway (settings_progress.c). */
struct ent_progress_step {
	char	*step;		/* server, dns, configured, certificate,
				 * gateway_ready */
	char	*at;		/* RFC 3339 UTC with ms, NULL: not yet */
	double	 elapsed_s;	/* since the order (when at) */
};
struct ent_progress {
	char			*ordered_at;	/* "" when no such instance */
	double			 since_order_s;	/* now - the order */
	int			 warm;		/* a warm pool server */
	struct ent_progress_step *steps;	/* in order */
	size_t			 n;
};
/*
 * Instance id's steps from its history: *out (caller frees with
 * ent_progress_free()).  Returns OCH_OK, or db_exec()'s error with *out
 * NULL.
 */
enum och_err	 ent_progress_of(struct db *, const char *id,
		    struct ent_progress **out);
/* Free a progress (NULL is fine). */
void		 ent_progress_free(struct ent_progress *);

/*
 * An instance's own secrets (schema: instance_secrets: gateway_token,
 * node_exporter_password), sealed with AD
 * "instance_secrets:<instance>:<name>".  Clear values come back to free
 * with xfree_secret().
 */
/*
 * Secret name of instance id, opened: *val (and *len when len is not
 * NULL).  Returns OCH_OK, OCH_ENOTFOUND (none stored), OCH_ESYSTEM (it
 * does not open: logged) or db_exec()'s error; *val NULL unless OCH_OK.
 */
enum och_err	 ent_secret_get(struct db *, const struct cry_keyring *,
		    const char *id, const char *name, char **val, size_t *len);
/*
 * The same, created (random, sealed, stored) when none is stored yet.
 * Returns OCH_OK, OCH_ESYSTEM (no randomness, sealing or opening failed)
 * or the database error.
 */
enum och_err	 ent_secret_ensure(struct db *, const struct cry_keyring *,
		    const char *id, const char *name, char **val);
/*
 * Instance id's gateway token, opened (*tok), and its slug (*slug), both
 * the caller's.  Returns OCH_OK, OCH_ECONFLICT (the server has not
 * started yet: no token), OCH_ESYSTEM (it does not open: logged) or
 * db_exec()'s error.
 */
enum och_err	 ent_gateway_token(struct db *, const struct cry_keyring *,
		    const char *id, char **slug, char **tok);
/*
 * A new gateway token for instance id, in a transaction of its own, with
 * its config revision bumped (the agent fetches it at once).  Returns
 * OCH_OK, OCH_ECONFLICT (no token yet), OCH_ESYSTEM or the database error.
 */
enum och_err	 ent_gateway_rotate(struct db *, const struct cry_keyring *,
		    const char *id);

/*
 * The operators' views (ent_ops.c), each *out new JSON (caller deletes)
 * or NULL after a failure: instance id with everything an operator looks
 * at (its history, agent report, pending commands, outboxes; OCH_ENOTFOUND
 * when there is none); the provisioning queue (queue, failed, outbox,
 * pollers); the services whose WHMCS status drifts from ours (an array,
 * each with its reasons).  Return OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_ops_instance(struct db *, const struct cfg *,
		    const char *id, cJSON **out);
enum och_err	 ent_ops_queue(struct db *, cJSON **out);
enum och_err	 ent_ops_drift(struct db *, cJSON **out);

/* A bootstrap token's instance, claimed for its ready call. */
struct ent_agent_boot {
	char	*instance_id;
	char	*state;
	char	*slug;
};
/*
 * In the caller's transaction: the instance whose live bootstrap token
 * has SHA-256 hash, locked with the token: *out (caller frees its
 * strings with ent_agent_boot_free()).  Returns OCH_OK, OCH_ENOTFOUND
 * (unknown, used or expired) or db_exec()'s error.
 */
enum och_err	 ent_agent_claim(struct db *, const char *hash,
		    struct ent_agent_boot *out);
/* Free what ent_agent_claim() put in b (zeroed; safe to repeat). */
void		 ent_agent_boot_free(struct ent_agent_boot *);
/*
 * In the caller's transaction: the bootstrap token (hash) used up, the
 * instance's agent tokens revoked (one live agent per instance) and a new
 * one stored (its hash); *agent is it (caller frees with xfree_secret;
 * may be set on failure).  Returns OCH_OK, OCH_ESYSTEM (no randomness)
 * or db_run()'s error.
 */
enum och_err	 ent_agent_token_new(struct db *, const char *hash,
		    const char *id, char **agent);
/* The ready time and the exporter's pin (NULL: none) of instance id. */
enum och_err	 ent_agent_ready(struct db *, const char *id,
		    const char *pin);
/*
 * In the caller's transaction: instance id's state, the row locked:
 * *state (caller frees), NULL when no such instance.  Returns OCH_OK or
 * db_exec()'s error.
 */
enum och_err	 ent_agent_lock_state(struct db *, const char *id,
		    char **state);
/* Instance id's config revision: *rev (0 when none); OCH_OK or error. */
enum och_err	 ent_agent_revision(struct db *, const char *id,
		    int64_t *rev);

/* What the agent's config is made of, its secrets opened (to wipe). */
struct ent_agent_channel {
	char	*kind;
	int	 enabled;
	char	*dm_policy;
	char	*allow_from_json;	/* a JSON array's text, or NULL */
	char	*secrets_json;		/* a JSON object's text, or NULL:
					 * none, or it does not open (logged) */
};
struct ent_agent_key {
	char	*provider;
	char	*env;	/* the variable OpenClaw reads it from (HF_TOKEN, …) */
	char	*key;		/* NULL when it does not open (logged) */
};
struct ent_agent_skill {
	char	*slug;
	char	*version;
};
struct ent_agent_config {
	char			*slug;
	int64_t			 revision;
	char			*model_primary;		/* NULL: none */
	char			*model_fallbacks_json;	/* a JSON array */
	struct ent_agent_channel *channels;		/* by kind */
	size_t			 nchannels;
	struct ent_agent_key	*keys;			/* by provider */
	size_t			 nkeys;
	struct ent_agent_skill	*skills;		/* enabled, by slug */
	size_t			 nskills;
};
/*
 * The config of instance id: *out (caller frees with
 * ent_agent_config_free(), which wipes the secrets).  Returns OCH_OK,
 * OCH_ENOTFOUND (*out NULL) or db_exec()'s error.
 */
enum och_err	 ent_agent_config_read(struct db *,
		    const struct cry_keyring *, const char *id,
		    struct ent_agent_config **out);
/* Wipe and free a config (NULL is fine). */
void		 ent_agent_config_free(struct ent_agent_config *);

/*
 * A warm pool server's agent (pool servers: lib/pool.h).  Its one-time
 * pool token (SHA-256 hash) names a warming server: *known.  OCH_OK or
 * db_exec()'s error.
 */
enum och_err	 ent_pool_known(struct db *, const char *hash, int *known);
/*
 * Its ready call: ready with the pool token agent_hash (NULL: its setup
 * failed at step, and it is discarded).  *id the server's id (caller
 * frees).  Returns OCH_OK, OCH_ENOTFOUND (not a warming server's token
 * any more, *id NULL) or db_exec()'s error.
 */
enum och_err	 ent_pool_ready(struct db *, const char *hash,
		    const char *agent_hash, const char *step, char **id);
/* What a poll with the pool token saw. */
struct ent_pool_seen {
	char	*id;		/* the pool server */
	int	 claimed;	/* an order claimed it ... */
	char	*instance_id;	/* ... for this instance */
};
/*
 * A poll with the pool token (SHA-256 hash) of a server still waiting or
 * claimed by an instance whose VPS has not called ready yet: *out
 * (caller frees with ent_pool_seen_free()).  Returns OCH_OK,
 * OCH_ENOTFOUND or db_exec()'s error.
 */
enum och_err	 ent_pool_poll(struct db *, const char *hash,
		    struct ent_pool_seen *out);
/* The claimed server id was handed its instance's bootstrap token. */
enum och_err	 ent_pool_handed(struct db *, const char *id);
/* Free what ent_pool_poll() put in s (zeroed; safe to repeat). */
void		 ent_pool_seen_free(struct ent_pool_seen *);

/* The one-time tokens that open a session (schema: sso_tokens,
 * magic_links); the caller passes their SHA-256 hash. */
enum ent_login { ENT_LOGIN_SSO, ENT_LOGIN_MAGIC };
/* accounts one address may sign in to (a magic-link request's tokens) */
#define ENT_MAGIC_FANOUT	4
struct ent_login_user {
	char	*user_id;	/* a bigint's text */
	char	*instance_id;	/* the instance an SSO token named, or NULL */
};
/*
 * In the caller's transaction: use up a live token of kind: *out whose
 * it is (caller frees with ent_login_user_free()).  Returns OCH_OK,
 * OCH_ENOTFOUND (unknown, used or expired; an SSO token of an operator)
 * or db_exec()'s error.
 */
enum och_err	 ent_login_use(struct db *, enum ent_login, const char *hash,
		    struct ent_login_user *out);
void		 ent_login_user_free(struct ent_login_user *);
/* Whose account a live token signs in to, without using it. */
struct ent_login_preview {
	char	*email;
	char	*role;
	int	 customer;	/* a WHMCS client's user (else an operator) */
	char	*instance_id;	/* the instance an SSO token named, or NULL */
	char	*slug;		/* its slug, or NULL */
};
/*
 * *out for a live token of kind (caller frees with
 * ent_login_preview_free()).  Returns OCH_OK, OCH_ENOTFOUND or
 * db_exec()'s error.
 */
enum och_err	 ent_login_preview(struct db *, enum ent_login,
		    const char *hash, struct ent_login_preview *out);
void		 ent_login_preview_free(struct ent_login_preview *);
/*
 * A magic-link request for email: hashes and sealed are text[] literals
 * of ENT_MAGIC_FANOUT token hashes and the links sealed for the address;
 * the same work for every address (stored and emailed only for its
 * accounts, within the hourly limits).  *queued: how many emails.
 * Returns OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_magic_request(struct db *, const char *email,
		    const char *hashes, const char *sealed, long *queued);
/* A new session (schema: sessions); the strings are the caller's. */
struct ent_session_in {
	const char	*user_id;
	const char	*csrf_hash;	/* SHA-256 hex of its CSRF token */
	int		 ttl;		/* seconds, a customer's */
	int		 admin_ttl;	/* seconds, an admin's */
	const char	*ip;		/* or NULL */
	const char	*user_agent;	/* or NULL */
};
/*
 * Open a session: *sid its id (caller frees), *ttl its seconds left.
 * Returns OCH_OK, OCH_ENOTFOUND (no such user) or db_exec()'s error.
 */
enum och_err	 ent_session_open(struct db *, const struct ent_session_in *,
		    char **sid, int *ttl);
/* Revoke session sid if live (a sign-in replaced it); OCH_OK or error. */
enum och_err	 ent_session_replaced(struct db *, const char *sid);
/* Revoke session sid and, for a read-only view, the admin session it
 * came from (signing out means out); OCH_OK or error. */
enum och_err	 ent_session_logout(struct db *, const char *sid);
/* Revoke every live session of user uid; OCH_OK or error. */
enum och_err	 ent_session_logout_all(struct db *, const char *uid);

/* A user (schema: users). */
struct ent_user {
	int64_t	 id;
	char	*email;
	char	*role;		/* customer, admin */
};
/*
 * User uid: *out (caller frees with ent_user_free()).  Returns OCH_OK,
 * OCH_ENOTFOUND (*out NULL) or db_exec()'s error.
 */
enum och_err	 ent_user_get(struct db *, const char *uid,
		    struct ent_user **out);
void		 ent_user_free(struct ent_user *);
/*
 * GET /api/v1/me in the session check's round trip: the statements of
 * ent_user_me() for user uid into it[0..1] (pv: their parameter slots,
 * uid living as long as the request).  Returns 2, how many.
 */
size_t		 ent_user_me_prefetch(const char *uid,
		    struct db_batch_item *it, const char **pv);
/*
 * User uid and the JSON array of their instances that are not
 * terminated (inst_json()'s shape: cfg for the hostnames): pre_user and
 * pre_insts are the results ent_user_me_prefetch() named (taken; NULL:
 * run the statements now).  *user (ent_user_free()) and *insts (cJSON
 * delete) are the caller's.  Returns OCH_OK, OCH_ENOTFOUND or the
 * database error, with both NULL unless OCH_OK.
 */
enum och_err	 ent_user_me(struct db *, const struct cfg *, const char *uid,
		    PGresult *pre_user, PGresult *pre_insts,
		    struct ent_user **user, cJSON **insts);
/* The control plane's own health (health.fcgi), filled by ent_ops_health. */
struct ent_health {
	int	 has_schema;		/* else no migration recorded */
	int64_t	 schema;		/* the latest migration */
	int	 has_poller_age;	/* else no poller ever beat */
	int64_t	 poller_age_s;		/* since the latest heartbeat */
};
/* Fill *h (zeroed first).  Returns OCH_OK or db_exec()'s error. */
enum och_err	 ent_ops_health(struct db *, struct ent_health *h);

/* A gauge of the fleet's state for the Prometheus exposition. */
struct ent_gauge {
	char	*name;		/* och_instances, … */
	char	*label;		/* its one label's name, or NULL */
	char	*label_value;	/* NULL when label is */
	char	*value;		/* a number's text */
};
/*
 * The fleet's gauges by name: *out an array of *n (caller frees with
 * ent_gauge_free(*out, *n)).  Returns OCH_OK, or db_exec()'s error with
 * *out NULL and *n 0.
 */
enum och_err	 ent_ops_gauges(struct db *, struct ent_gauge **out,
		    size_t *n);
void		 ent_gauge_free(struct ent_gauge *, size_t n);

/*
 * WHMCS says client cid's (decimal text) address is now email: the
 * user's login address follows it and, when it changed, their sessions
 * and live magic links end (ent_whmcs.c).  *changed is 1 when the
 * address changed.  Returns OCH_OK, OCH_ENOTFOUND (no such client's
 * user) or db_exec()'s error.
 */
enum och_err	 ent_whmcs_email(struct db *, const char *cid,
		    const char *email, int *changed);

/* An alert the poller opened (schema: alerts; ent_alert.c). */
struct ent_alert {
	int64_t	 id;
	char	*condition;	/* lib/alert.h's conditions */
	char	*severity;
	char	*audience;	/* customer, admin, both */
	char	*subject;
	char	*instance_id;	/* NULL for a fleet-wide alert */
	char	*slug;		/* the instance's, or NULL */
	char	*detail;
	char	*opened_at;	/* RFC 3339, UTC */
	char	*resolved_at;	/* NULL while open */
};
/* Whose alerts ent_alert_list() reads: key is then */
enum ent_alert_scope {
	ENT_ALERT_INSTANCE,	/* an instance id */
	ENT_ALERT_USER,		/* a user id: their instances' */
	ENT_ALERT_ALL		/* a condition, or NULL for every one */
};
/*
 * The alerts of scope and key that have opened, newest first: state
 * "open" (not resolved) or "all", at most limit (decimal text); every
 * says whether the operators' conditions are shown too (ENT_ALERT_USER:
 * never; ENT_ALERT_ALL: always).  *out an array of *n (caller frees with
 * ent_alert_free(*out, *n)).  Returns OCH_OK, or db_exec()'s error with
 * *out NULL and *n 0.
 */
enum och_err	 ent_alert_list(struct db *, enum ent_alert_scope scope,
		    const char *key, const char *state, const char *limit,
		    int every, struct ent_alert **out, size_t *n);
/* The API's JSON of an alert, with its title and hostname (caller deletes). */
cJSON		*ent_alert_json(const struct ent_alert *, const struct cfg *);
void		 ent_alert_free(struct ent_alert *, size_t n);

/* A user's choice for one alert condition (schema: alert_preferences). */
struct ent_alert_pref {
	char	*condition;
	int	 email;		/* email them when it opens */
};
/*
 * User uid's choices: *out an array of *n (caller frees with
 * ent_alert_pref_free(*out, *n)).  Returns OCH_OK, or db_exec()'s error
 * with *out NULL and *n 0.
 */
enum och_err	 ent_alert_prefs(struct db *, const char *uid,
		    struct ent_alert_pref **out, size_t *n);
/* Whether condition cond emails, by the n choices pr (default: yes). */
int		 ent_alert_pref_email(const struct ent_alert_pref *pr,
		    size_t n, const char *cond);
void		 ent_alert_pref_free(struct ent_alert_pref *, size_t n);
/*
 * Set user uid's choice for cond, inside the caller's transaction.
 * Returns OCH_OK or db_run()'s error.
 */
enum och_err	 ent_alert_pref_set(struct db *, const char *uid,
		    const char *cond, int email);

/* A sample of an instance's series (schema: metrics, metrics_hourly). */
struct ent_point {
	char	 series[16];	/* a name of metrics.c's whitelist */
	double	 t;		/* unix seconds (the hour's start: hourly) */
	double	 v;		/* the value (the hour's mean: hourly) */
	double	 min, max;	/* the hour's (hourly only) */
};
/*
 * The samples of instance id's series (a PostgreSQL text array literal)
 * over interval (an SQL interval's text), raw or hourly, by series then
 * time, at most 20000: *out an array of *n (caller frees with
 * ent_point_free(*out, *n)).  Returns OCH_OK, or db_exec()'s error with
 * *out NULL, *n 0.
 */
enum och_err	 ent_metric_points(struct db *, const char *id,
		    const char *series, const char *interval, int hourly,
		    struct ent_point **out, size_t *n);
void		 ent_point_free(struct ent_point *, size_t n);

/* AI use of an instance on a day, by provider and model (schema: ai_usage). */
struct ent_ai_usage {
	char	*day;		/* YYYY-MM-DD */
	char	*provider;
	char	*model;
	int64_t	 input_tokens;
	int64_t	 output_tokens;
	double	 cost_usd;
};
/*
 * Instance id's AI use over the last days (decimal text) days, newest
 * first: *out an array of *n (caller frees with ent_ai_usage_free(*out,
 * *n)).  Returns OCH_OK, or db_exec()'s error with *out NULL and *n 0.
 */
enum och_err	 ent_ai_usage_list(struct db *, const char *id,
		    const char *days, struct ent_ai_usage **out, size_t *n);
void		 ent_ai_usage_free(struct ent_ai_usage *, size_t n);

/*
 * The operators' instance list (ent_fleet.c): the filters (NULL: any),
 * q free text (id, service id, address exactly; slug or hostname, the
 * owner's email as a substring), the order (sort: created, updated,
 * slug, state, plan, region, NULL for created; dir "asc" or else
 * descending), the page (limit, offset; after an instance id: the page
 * after it).
 */
struct ent_fleet_q {
	const char	*state, *q, *plan, *region, *version;
	const char	*sort, *dir, *after;
	int64_t		 limit, offset;
};
/* 1 if key is one of the list's orders, else 0. */
int		 ent_fleet_sort_known(const char *key);
/*
 * The page q asks for: *out {instances, total, limit, offset,
 * next_after} (caller deletes).  Returns OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_fleet_list(struct db *, const struct cfg *,
		    const struct ent_fleet_q *q, cJSON **out);
/*
 * The audit log's filters (NULL: any): the object, the actor (id or
 * kind:id), the action (a prefix when it ends in "."), a time range
 * (RFC 3339), the page (limit; before_id > 0: entries older than it).
 */
struct ent_audit_q {
	const char	*object_id, *actor, *action, *since, *until;
	int64_t		 limit, before_id;
};
/*
 * The entries q asks for, newest first: *out {entries, next_before_id}
 * (caller deletes).  Returns OCH_OK or db_exec()'s error (OCH_EINVAL: a
 * time the database refused).
 */
enum och_err	 ent_fleet_audit(struct db *, const struct ent_audit_q *q,
		    cJSON **out);
/*
 * The fleet's statistics: *out {total, by_state, by_region, by_plan,
 * by_version, stuck, daily, hetzner_budget} (caller deletes).  Returns
 * OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_fleet_stats(struct db *, cJSON **out);

/*
 * A catalogue the operators edit by name (ent_catalog.c): its row lock,
 * insert and update ($1 the name, $2.. the fields in the order of the
 * admin handler's field table) and its views (all rows; one: $1 the
 * name).
 */
struct ent_catalog {
	struct db_stmt	 lock, insert, update;
	struct ent_view	 all, one;
};
extern const struct ent_catalog ent_plan_catalog, ent_skill_catalog;
/*
 * In the caller's transaction: lock row name of c; *exists whether it
 * is there.  Returns OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_catalog_lock(struct db *, const struct ent_catalog *c,
		    const char *name, int *exists);
/*
 * In the caller's transaction: update (exists) or insert the row with
 * n parameters p.  Returns OCH_OK or db_run()'s error (OCH_EINVAL a
 * CHECK, OCH_ECONFLICT a unique column).
 */
enum och_err	 ent_catalog_write(struct db *, const struct ent_catalog *c,
		    int exists, int n, const char *const *p);

/*
 * The users as the operators search them (ent_catalog.c): q matches the
 * email (substring), the id or the WHMCS client id; role NULL or
 * "admin"/"customer"; newest first.  *out {users, total, limit, offset}
 * (caller deletes).  Returns OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_user_search(struct db *, const char *q,
		    const char *role, int64_t limit, int64_t offset,
		    cJSON **out);
/*
 * In the caller's transaction: lock every admin row and user uid's, and
 * set its role unless that demotes the last admin: the role before into
 * prev (prevsz bytes), *email the user's (caller frees).  Returns OCH_OK,
 * OCH_ENOTFOUND, OCH_ECONFLICT (the last admin), or db_exec()'s error
 * (OCH_EINVAL: the schema refused the role).
 */
enum och_err	 ent_user_set_role(struct db *, const char *uid,
		    const char *role, char *prev, size_t prevsz,
		    char **email);

/* An available archive of an agent backup (schema: backups; ent_archive.c). */
struct ent_archive {
	char	*object_key;
	int64_t	 size_bytes;		/* of the opened archive */
	char	*sha256;		/* of the opened archive, hex */
	char	*key_enc;		/* its key, sealed (bytea text) */
	char	*openclaw_version;	/* NULL when not known */
};
/*
 * Claim backup id of instance inst for its upload ('creating' or
 * 'failed' -> 'uploading').  Returns OCH_OK; OCH_ENOTFOUND (no such
 * backup of inst); OCH_ECONFLICT with its status in status (statussz
 * bytes) when it takes no upload; or db_exec()'s error.
 */
enum och_err	 ent_archive_claim(struct db *, const char *id,
		    const char *inst, char *status, size_t statussz);
/*
 * The claimed upload is stored as okey (size, sha256, its sealed key, the
 * OpenClaw version or NULL): the row becomes 'available'.  Returns OCH_OK
 * or db_run()'s error.
 */
enum och_err	 ent_archive_stored(struct db *, const char *id,
		    const char *okey, const char *size, const char *sha,
		    const char *sealed, const char *version);
/* The claimed upload failed for why.  Returns OCH_OK or db_run()'s error. */
enum och_err	 ent_archive_failed(struct db *, const char *id,
		    const char *why);
/*
 * Available agent backup id of inst (*out, caller frees with
 * ent_archive_free()).  Returns OCH_OK, OCH_ENOTFOUND or the error.
 */
enum och_err	 ent_archive_get(struct db *, const char *id,
		    const char *inst, struct ent_archive **out);
void		 ent_archive_free(struct ent_archive *);

/* What a restore of a backup checks (ent_restore_check()). */
struct ent_restore {
	char	*state;			/* the instance's */
	char	*slug;
	char	*status;		/* the backup's; NULL: no such backup */
	char	*sha256, *size_bytes, *openclaw_version;	/* or NULL */
	int64_t	 queued;		/* restores queued or running */
	char	*kind;			/* agent or snapshot */
};
/*
 * Fill *c for backup bid of instance inst (release with
 * ent_restore_free(), also after a failure).  Returns OCH_OK,
 * OCH_ENOTFOUND (no such instance) or db_exec()'s error.
 */
enum och_err	 ent_restore_check(struct db *, const char *inst,
		    const char *bid, struct ent_restore *c);
void		 ent_restore_free(struct ent_restore *);
/*
 * Queue the agent's backup_restore command of backup bid (checked: c)
 * for who: its id into cmd (24 bytes).  Returns OCH_OK or the error.
 */
enum och_err	 ent_restore_queue(struct db *, const char *inst,
		    const char *bid, const struct ent_restore *c,
		    const char *who, char *cmd);
/*
 * Make snapshot bid the image of inst's next rebuild: OCH_OK, or
 * OCH_ECONFLICT when inst is not active, an action is pending or bid is
 * no available snapshot of it, or the error.  _unmark takes it back
 * (when no action is pending).
 */
enum och_err	 ent_restore_snap_mark(struct db *, const char *inst,
		    const char *bid);
enum och_err	 ent_restore_snap_unmark(struct db *, const char *inst);
/* The snapshot slots of inst's plan: OCH_OK, OCH_ENOTFOUND or the error. */
enum och_err	 ent_restore_snap_slots(struct db *, const char *inst,
		    int64_t *slots);

/*
 * What an agent reports (ent_report.c), inside the caller's transaction.
 * The strings are the caller's; the JSON ones are texts, NULL for SQL
 * NULL.  Each returns OCH_OK or db_run()'s error.
 */
struct ent_report_in {
	const char	*id;		/* the instance */
	const char	*health;	/* an object */
	const char	*version;	/* OpenClaw's */
	const char	*applied_revision;	/* a bigint's text, or NULL */
	const char	*config_error;
	const char	*channels;	/* openclaw channels status --json */
	const char	*pairing;	/* the DM pairing requests, an array */
};
/* The report itself (one row per instance, replaced). */
enum och_err	 ent_report_put(struct db *, const struct ent_report_in *);
struct ent_report_extra {
	const char	*id;
	const char	*setup;		/* och-setup's setup.json */
	const char	*tls;
	const char	*skills;	/* installed and errors */
	const char	*devices;	/* NULL: none */
	const char	*models;	/* NULL: those reported before stay */
};
/* The rest of the report (its row exists: ent_report_put()). */
enum och_err	 ent_report_extra(struct db *,
		    const struct ent_report_extra *);
/* The history's first real certificate and first ready gateway, once. */
enum och_err	 ent_report_milestones(struct db *, const char *id);
/* A day of AI usage (schema: ai_usage). */
struct ent_usage {
	const char	*id;		/* the instance */
	const char	*day;		/* YYYY-MM-DD */
	const char	*input;		/* tokens, a bigint's text */
	const char	*output;
	const char	*cost;		/* USD, a numeric's text */
	const char	*provider;	/* NULL: the day's `all`/`all` row */
	const char	*model;
};
/*
 * The day's all/all row replaced (provider NULL), or the day's provider
 * and model row added to (after ent_usage_clear() of the day).
 */
enum och_err	 ent_usage_put(struct db *, const struct ent_usage *);
/* Remove the day's rows (a report that splits it by model follows). */
enum och_err	 ent_usage_clear(struct db *, const char *id,
		    const char *day);
/* The agent token of instance id was used (its last_seen_at). */
enum och_err	 ent_agent_seen(struct db *, const char *id);
/* What the VPS said of its setup (setup: a JSON object's text). */
enum och_err	 ent_agent_setup_state(struct db *, const char *id,
		    const char *setup);

/* A live session as every request's check reads it (lib/auth.c). */
struct ent_session_live {
	int	 admin;			/* its user's role is admin */
	char	 csrf_hash[65];		/* SHA-256 hex of its CSRF token */
	int	 seen_stale;		/* last seen over a minute ago */
	char	 viewer[24];		/* a read-only view: the viewing
					 * admin's user id; "" otherwise */
};
/*
 * The statement that finds session sid of user uid live (an admin's, or
 * a view's admin session, used in the last idle seconds: a number's
 * text) into *it for db_batch(), its parameters in p[0..2] (the strings
 * the caller's, alive until the batch ran).
 */
void		 ent_session_live_item(struct db_batch_item *it,
		    const char **p, const char *sid, const char *uid,
		    const char *idle);
/* The answer of that item: 1 with *out filled when live, else 0. */
int		 ent_session_live_read(const PGresult *,
		    struct ent_session_live *out);
/* Session sid (and a view's admin session) used now; OCH_OK or error. */
enum och_err	 ent_session_seen(struct db *, const char *sid);
/*
 * The instance whose live agent token has SHA-256 hash: *id (caller
 * frees).  Returns OCH_OK, OCH_ENOTFOUND or db_exec()'s error.
 */
enum och_err	 ent_agent_token_of(struct db *, const char *hash, char **id);

#endif
