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
#include "js.h"
#include "log.h"
#include "srv.h"
#include "valid.h"

/* Rows: the user, when it exists; column 0 whether the address changed. */
static const struct db_stmt stmt_email = { "wh_email",
	"WITH old AS (SELECT id, email FROM users"
	"  WHERE whmcs_client_id = $1::bigint FOR UPDATE),"
	" u AS (UPDATE users SET email = lower($2), updated_at = now()"
	"  FROM old WHERE users.id = old.id RETURNING users.id,"
	"  old.email <> lower($2) AS changed),"
	" s AS (UPDATE sessions SET revoked_at = now() FROM u"
	"  WHERE sessions.user_id = u.id AND u.changed"
	"  AND sessions.revoked_at IS NULL),"
	" m AS (UPDATE magic_links SET expires_at = now() FROM u"
	"  WHERE magic_links.user_id = u.id AND u.changed"
	"  AND magic_links.used_at IS NULL AND magic_links.expires_at > now())"
	" SELECT changed FROM u" };

static void
email_changed(struct req *r)
{
	const char	*email, *p[2];
	char		 cid[24] = "";
	PGresult	*res;
	int64_t		 client;
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
	if ((res = db_exec(r->app->db, &stmt_email, 2, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		goto out;
	}
	if (PQntuples(res) == 0)
		log_info("email change for unknown WHMCS client %s ignored",
		    cid);
	else if (strcmp(db_val(res, 0, 0), "t") == 0)
		log_info("WHMCS client %s: new email, sessions revoked", cid);
	PQclear(res);
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
