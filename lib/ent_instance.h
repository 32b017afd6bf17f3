/*
 * ent_instance.h: instances, their events, orders and SSO tokens
 * (lib/ent_instance.c).  The ownership rule and the shared views are
 * lib/ent.h's.
 */
#ifndef OCH_ENT_INSTANCE_H
#define OCH_ENT_INSTANCE_H

#include "ent.h"

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
 * GET …/instances/{id} as the session check's one statement (req.h's
 * app->session_read): *it, the check of ent_session_live_item() with its
 * parameters in p[0..2], becomes the statement that also reads instance
 * id (a valid UUID) if the session's user may see it (the rule of
 * auth_may_see(), AUTH_SEE_RECORD, as AUTH_MAY_SEE_SQL), its recent
 * events, and writes the route's audit record (routes.def AUDIT_READ:
 * action and object kind, the request's remote address and id; status
 * 200, or 404 when the instance is not the session's to see) for a live
 * session.  p[3..7] get the strings, which the caller keeps alive.
 */
void		 ent_instance_read(struct db_batch_item *it, const char **p,
		    const char *id, const char *action, const char *kind,
		    const char *remote, const char *reqid);
/*
 * That statement's result as auth_read() hands it over (res, taken):
 * returns 0 when res is NULL (nothing read: the caller reads itself),
 * else 1 with *in the instance and *ev its *nev events (ent_instance_free
 * (*in, 1), ent_event_free(*ev, *nev)), or *in NULL when it is not there
 * (no such instance, or not the session's to see).
 */
int		 ent_instance_adopt(PGresult *res, struct ent_instance **in,
		    struct ent_event **ev, size_t *nev);
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
 * client's user (never an admin) and, with cid (NULL: any), the instance
 * is WHMCS client cid's: its hash (hex) stored, valid 60 s, in one
 * statement.  Returns OCH_OK, OCH_ENOTFOUND (no such instance or owner),
 * OCH_ECONFLICT (another client's: nothing stored) or the error.
 */
enum och_err	 ent_sso_add(struct db *, const char *id, const char *hash,
		    const char *cid);

/*
 * Views of instances for the billing system ($1 the instance id where
 * one is named): its disk and bandwidth use; the regions one may order.
 */
extern const struct ent_view ent_v_instance_usage, ent_v_regions;

#endif
