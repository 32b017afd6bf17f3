/*
 * webhooks.fcgi: events WHMCS pushes to the control plane (HMAC, as the
 * module's other calls).  Each event is applied idempotently: the same
 * event twice leaves the same state.
 *
 *   POST /api/v1/webhooks/whmcs
 *     {"event":"client.email_changed","whmcs_client_id":N,"email":E,"old_email":E}
 *       → the customer's login address follows WHMCS; when it changed,
 *         the user's sessions and live magic links end (they belonged to
 *         whoever held the old address).
 */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "ent_whmcs.h"
#include "js.h"
#include "log.h"
#include "srv.h"
#include "valid.h"

static void
email_changed(struct req *r)
{
	const char	*email;
	char		 cid[24] = "";
	int64_t		 client;
	enum och_err	 err;
	int		 changed;

	if (js_int64(r->json, "whmcs_client_id", 1, INT64_MAX, &client) !=
	    JS_OK) {
		resp_error(r, OCH_EINVAL, "whmcs_client_id: a positive integer");
		goto out;
	}
	snprintf(cid, sizeof(cid), "%lld", (long long)client);
	if (js_str(r->json, "email", 254, &email) != JS_OK ||
	    !valid_email(email)) {
		resp_error(r, OCH_EUNPROCESSABLE, "email: not a valid email "
		    "address");
		goto out;
	}
	err = ent_whmcs_email(r->app->db, cid, email, &changed);
	if (err != OCH_OK && err != OCH_ENOTFOUND) {
		resp_error(r, err, NULL);
		goto out;
	}
	if (err == OCH_ENOTFOUND)
		log_info("email change for unknown WHMCS client %s ignored",
		    cid);
	else if (changed)
		log_info("WHMCS client %s: new email, sessions revoked", cid);
	resp_json(r, 200, cJSON_CreateObject());
out:
	audit_req(r, "webhook.client_email_changed", "whmcs_client",
	    *cid ? cid : NULL, r->status, NULL);
}

static void
h_whmcs(struct req *r)
{
	const char	*event;

	if (r->json == NULL || js_str(r->json, "event", 64, &event) != JS_OK) {
		resp_error(r, OCH_EINVAL, "event: required");
		return;
	}
	if (strcmp(event, "client.email_changed") == 0)
		email_changed(r);
	else {
		resp_error(r, OCH_EUNPROCESSABLE, "event: not one this API "
		    "handles");
		audit_req(r, "webhook.unknown", NULL, NULL, r->status, NULL);
	}
}

/* the routes: lib/routes.def */
static const struct route routes[] = { OCH_ROUTES_webhooks(SRV_ROUTE) };

int
main(int argc, char **argv)
{
	static const enum cfg_key required[] = { CFG_DATABASE_URL,
	    CFG_OCH_MASTER_KEY, CFG__MAX };

	return srv_main(argc, argv, "webhooks", routes, OCH_NELEM(routes),
	    required, NULL);
}
