/*
 * ent_status.h: the dashboard's status, models, pairing and setup progress
 * (lib/ent_status.c).  The ownership rule and the shared views are
 * lib/ent.h's.
 */
#ifndef OCH_ENT_STATUS_H
#define OCH_ENT_STATUS_H

#include "ent.h"

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

#endif
