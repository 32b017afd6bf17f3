/*
 * ent_alert.h: alerts and the users' alert choices (lib/ent_alert.c).  The
 * ownership rule and the shared views are lib/ent.h's.
 */
#ifndef OCH_ENT_ALERT_H
#define OCH_ENT_ALERT_H

#include "ent.h"

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

#endif
