/*
 * webhooks.fcgi: events WHMCS pushes to the control plane (HMAC, as the
 * module's other calls).  Each event is applied idempotently: the same
 * event twice leaves the same state.
 *
 *   POST /api/v1/webhooks/whmcs
 *     {"event":"client.email_changed","whmcs_client_id":N,"email":E,"old_email":E}
 *       → the customer's login address follows WHMCS.
 */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "js.h"
#include "log.h"
#include "srv.h"
#include "valid.h"

static const struct db_stmt stmt_email = { "wh_email",
	"UPDATE users SET email = lower($2), updated_at = now()"
	" WHERE whmcs_client_id = $1::bigint" };

static void
email_changed(struct req *r)
{
	const char	*email, *p[2];
	char		 cid[24] = "";
	int64_t		 client;
	long		 n = 0;
	enum och_err	 err;

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
	p[0] = cid;
	p[1] = email;
	err = db_run(r->app->db, &stmt_email, 2, p, &n);
	if (err == OCH_ECONFLICT) {
		resp_error(r, OCH_ECONFLICT, "email: already used by another "
		    "customer");
		goto out;
	}
	if (err != OCH_OK) {
		resp_error(r, err, NULL);
		goto out;
	}
	if (n == 0)
		log_info("email change for unknown WHMCS client %s ignored",
		    cid);
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

static const struct route routes[] = {
	{ "POST", "/api/v1/webhooks/whmcs", AUTH_HMAC, h_whmcs, 16384 },
};

int
main(int argc, char **argv)
{
	static const enum cfg_key required[] = { CFG_DATABASE_URL,
	    CFG_OCH_MASTER_KEY, CFG__MAX };

	return srv_main(argc, argv, "webhooks", routes, OCH_NELEM(routes),
	    required, NULL);
}
