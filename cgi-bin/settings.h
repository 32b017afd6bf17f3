/*
 * settings.h: the first-hour routes of settings.fcgi beyond settings.c:
 * the honest status of an instance, its AI model, a retry after a failed
 * setup (settings_status.c), and reaching OpenClaw: the gateway token,
 * the Control UI devices, WhatsApp's QR login and the commands' progress
 * (settings_gateway.c).  Every route checks that the caller may see the
 * instance (auth_may_see(): owner, admin, or WHMCS over HMAC) and answers
 * 404 otherwise.
 */
#ifndef OCH_SETTINGS_H
#define OCH_SETTINGS_H

#include "srv.h"

void	st_status(struct req *);
/* settings_progress.c: GET /api/v1/instances/{id}/progress */
void	st_progress(struct req *);
void	st_model_put(struct req *);
void	st_retry(struct req *);
void	gw_token_reveal(struct req *);
void	gw_token_rotate(struct req *);
void	gw_devices_approve(struct req *);
void	gw_whatsapp_login(struct req *);
void	gw_command(struct req *);

/*
 * The instance in the path if the caller may see its server
 * (auth_may_see, AUTH_SEE_LIVE: not terminated): returns its state
 * (caller frees), else NULL after answering (404, or the database error).
 */
char	*st_visible(struct req *);

/*
 * settings.c: queue command `kind` with JSON object args for the agent of
 * the instance in the path; answers 202 {command_id} (or the database
 * error) itself (the route's AUDIT in routes.def records it).
 */
void	settings_queue(struct req *, const char *kind, const char *args);

/*
 * settings_providers.c: the AI providers the plan of instance id allows,
 * [{provider, display_name}] (caller deletes), or NULL with *err.
 */
cJSON	*sp_providers_json(struct req *, const char *id, enum och_err *err);
/*
 * Are the n names (provider ids, or "provider/model") all of providers
 * the plan of instance id allows?  0 if so; -1 answered: 422 naming the
 * first that is not and the ones allowed, or the database error.
 */
int	 sp_check(struct req *, const char *id, const char *const *names,
	    size_t n);

#endif
