/*
 * settings_gateway.c: reaching the customer's OpenClaw (settings.h).
 *
 *   POST /api/v1/instances/{id}/gateway-token          reveal (audited):
 *        {token, control_ui_url}: the URL carries the token in its fragment
 *        (#token=…), which the Control UI reads and the browser never sends
 *        to a server
 *   POST /api/v1/instances/{id}/gateway-token/rotate   a new token; the
 *        agent receives it with the next config and restarts the gateway
 *        (session, or WHMCS over HMAC: the module's ChangePassword)
 *   POST /api/v1/instances/{id}/devices/approve        {request_id}: approve
 *        a Control UI browser waiting for pairing (`openclaw devices approve`)
 *   POST /api/v1/instances/{id}/whatsapp/login         start the QR login
 *   GET  /api/v1/instances/{id}/commands/{cid}         a command's progress:
 *        for whatsapp_login the current QR code while it runs, then linked,
 *        failed or timed_out
 *
 * The gateway token is sealed in instance_secrets (AD
 * "instance_secrets:<id>:gateway_token"); it leaves only in the reveal
 * answer (no-store) and the agent's config.  A QR code is a short-lived
 * login secret: only the owner (or an admin) sees it, and it is never
 * logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ent_channel.h"
#include "ent_command.h"
#include "ent_secret.h"
#include "inst.h"
#include "js.h"
#include "log.h"
#include "settings.h"
#include "valid.h"

/* The answer when the instance has no gateway token yet. */
#define NO_TOKEN_YET	"the server has not started yet: its gateway " \
	"token exists once it reports ready"

void
gw_token_reveal(struct req *r)
{
	char		*st, *slug, *tok, *host, *url;
	enum och_err	 err;
	cJSON		*o;

	if ((st = st_visible(r)) == NULL)
		return;
	free(st);
	if ((err = ent_gateway_token(r->app->db, r->app->keys,
	    req_param(r, 0), &slug, &tok)) != OCH_OK) {
		resp_error(r, err, err == OCH_ECONFLICT ? NO_TOKEN_YET : NULL);
		return;
	}
	host = inst_hostname(slug, &r->app->cfg);
	free(slug);
	/* hex: nothing to escape in the fragment */
	url = xasprintf("https://%s/#token=%s", host, tok);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "token", tok);
	cJSON_AddStringToObject(o, "control_ui_url", url);
	xfree_secret(tok);
	xfree_secret(url);
	free(host);
	resp_json(r, 200, o);
}

void
gw_token_rotate(struct req *r)
{
	char		*st;
	enum och_err	 err;
	cJSON		*o;

	if ((st = st_visible(r)) == NULL)
		return;
	free(st);
	if ((err = ent_gateway_rotate(r->app->db, r->app->keys,
	    req_param(r, 0))) != OCH_OK) {
		resp_error(r, err, err == OCH_ECONFLICT ? NO_TOKEN_YET : NULL);
		return;
	}
	/* a JSON answer: the WHMCS module expects one */
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "rotated", 1);
	resp_json(r, 200, o);
}

/*
 * Is the instance in the path visible and active?  1, or 0 after the
 * answer (404, 409 or the database error).
 */
static int
active_only(struct req *r)
{
	char	*st;
	int	 ok;

	if ((st = st_visible(r)) == NULL)
		return 0;
	if (!(ok = strcmp(st, "active") == 0))
		resp_error(r, OCH_ECONFLICT, "the instance is not active");
	free(st);
	return ok;
}

void
gw_devices_approve(struct req *r)
{
	const char	*rid;
	char		*args;
	cJSON		*a;
	size_t		 n;

	if (!active_only(r))
		return;
	if (r->json == NULL || js_str(r->json, "request_id", 128, &rid) !=
	    JS_OK || (n = strlen(rid)) == 0 || strspn(rid,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
	    != n) {
		resp_error(r, OCH_EINVAL, "request_id: the pending device's id");
		return;
	}
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "request_id", rid);
	args = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	settings_queue(r, "device_approve", args);
	cJSON_free(args);
}

void
gw_whatsapp_login(struct req *r)
{
	struct ent_channel	*c = NULL;
	const char		*id = req_param(r, 0);
	char			*cid = NULL;
	enum och_err		 err;
	cJSON			*o;
	size_t			 i, n = 0;
	int			 on = 0;

	if (!active_only(r))
		return;
	if ((err = ent_channel_list(r->app->db, id, &c, &n)) == OCH_OK) {
		for (i = 0; i < n; i++)
			if (strcmp(c[i].kind, "whatsapp") == 0)
				on = c[i].enabled;
		ent_channel_free(c, n);
	}
	if (err == OCH_OK && !on) {
		resp_error(r, OCH_ECONFLICT, "add the WhatsApp channel first "
		    "(PUT /channels/whatsapp)");
		return;
	}
	/* one login at a time: a second click follows the first */
	if (err != OCH_OK || (err = ent_command_open(r->app->db, id,
	    "whatsapp_login", &cid)) != OCH_OK)
		resp_error(r, err, NULL);
	else if (cid != NULL) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "command_id", cid);
		resp_json(r, 200, o);
	} else
		settings_queue(r, "whatsapp_login", "{\"account\":\"default\"}");
	free(cid);
}

/* whatsapp_login's outcome for the page. */
static const char *
wa_outcome(const char *status, const cJSON *out, const char *error,
    int has_qr)
{
	const cJSON	*v;

	if (strcmp(status, "queued") == 0)
		return "waiting_for_server";
	if (strcmp(status, "running") == 0)
		return has_qr ? "scan_qr" : "starting";
	if (strcmp(status, "done") == 0)
		return "linked";
	if (strcmp(status, "expired") == 0)
		return "timed_out";
	v = cJSON_GetObjectItemCaseSensitive(out, "reason");
	if ((cJSON_IsString(v) && strcmp(v->valuestring, "timeout") == 0) ||
	    (error != NULL && strstr(error, "in time") != NULL))
		return "timed_out";
	return "failed";
}

/*
 * A command as the dashboard sees it: for a WhatsApp login its outcome
 * and the QR code while it can be scanned (never in an admin's read-only
 * view: scanning it links a phone, a write).  Returns a new object
 * (caller owns it).
 */
static cJSON *
command_json(const struct req *r, const struct ent_command *c)
{
	const char	*error = NULL;
	cJSON		*o, *result = NULL;
	const cJSON	*out = NULL, *qr = NULL, *e;

	if (c->result_json != NULL)
		result = cJSON_Parse(c->result_json);
	if (result != NULL) {
		out = cJSON_GetObjectItemCaseSensitive(result, "output");
		e = cJSON_GetObjectItemCaseSensitive(result, "error");
		if (cJSON_IsString(e))
			error = e->valuestring;
		qr = cJSON_GetObjectItemCaseSensitive(out, "qr");
		if (!cJSON_IsString(qr) || strncmp(qr->valuestring,
		    "data:image/", 11) != 0)
			qr = NULL;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", c->id);
	cJSON_AddStringToObject(o, "kind", c->kind);
	cJSON_AddStringToObject(o, "status", c->status);
	if (strcmp(c->kind, "whatsapp_login") == 0) {
		cJSON_AddStringToObject(o, "outcome", wa_outcome(c->status, out,
		    error, qr != NULL));
		if (qr != NULL && strcmp(c->status, "running") == 0 &&
		    r->auth.viewer_id == 0)
			cJSON_AddStringToObject(o, "qr", qr->valuestring);
		else
			cJSON_AddNullToObject(o, "qr");
	} else if (out != NULL && strcmp(c->kind, "device_approve") == 0)
		cJSON_AddItemToObject(o, "output", cJSON_Duplicate(out, 1));
	if (error != NULL)
		cJSON_AddStringToObject(o, "error", error);
	else if (strcmp(c->status, "expired") == 0)
		cJSON_AddStringToObject(o, "error", "the server did not finish "
		    "it in time");
	else
		cJSON_AddNullToObject(o, "error");
	cJSON_AddStringToObject(o, "created_at", c->created_at);
	if (c->finished_at != NULL)
		cJSON_AddStringToObject(o, "finished_at", c->finished_at);
	else
		cJSON_AddNullToObject(o, "finished_at");
	cJSON_Delete(result);
	return o;
}

void
gw_command(struct req *r)
{
	struct ent_command	*c;
	cJSON			*o;
	char			*st;
	enum och_err		 err;
	int64_t			 cid;

	if ((st = st_visible(r)) == NULL)
		return;
	free(st);
	if (!valid_int64(req_param(r, 1), 1, INT64_MAX, &cid)) {
		resp_error(r, OCH_ENOTFOUND, "no such command");
		return;
	}
	if ((err = ent_command_get(r->app->db, req_param(r, 0),
	    req_param(r, 1), &c)) != OCH_OK) {
		resp_error(r, err, err == OCH_ENOTFOUND ? "no such command" :
		    NULL);
		return;
	}
	o = command_json(r, c);
	ent_command_free(c, 1);
	resp_json(r, 200, o);
}
