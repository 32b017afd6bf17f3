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

#include "cry.h"
#include "inst.h"
#include "js.h"
#include "log.h"
#include "settings.h"
#include "valid.h"

/* a command nobody finished within this is over (the agent is gone) */
#define COMMAND_EXPIRE	"6 minutes"

static const struct db_stmt stmt_secret_get = { "gw_secret_get",
	"SELECT i.slug, s.value_enc FROM instances i"
	" LEFT JOIN instance_secrets s ON s.instance_id = i.id"
	"  AND s.name = 'gateway_token' WHERE i.id = $1::uuid" };
static const struct db_stmt stmt_secret_put = { "gw_secret_put",
	"UPDATE instance_secrets SET value_enc = $2::bytea, created_at = now()"
	" WHERE instance_id = $1::uuid AND name = 'gateway_token'" };
static const struct db_stmt stmt_bump = { "gw_bump",
	"WITH u AS (UPDATE instances SET config_revision = config_revision + 1,"
	" updated_at = now() WHERE id = $1::uuid RETURNING id)"
	" SELECT pg_notify('och_agent', id::text) FROM u" };
static const struct db_stmt stmt_wa_channel = { "gw_wa_channel",
	"SELECT enabled FROM channels WHERE instance_id = $1::uuid"
	" AND kind = 'whatsapp'" };
static const struct db_stmt stmt_wa_open = { "gw_wa_open",
	"SELECT id FROM instance_commands WHERE instance_id = $1::uuid"
	" AND kind = 'whatsapp_login' AND status IN ('queued', 'running')"
	" AND created_at > now() - interval '" COMMAND_EXPIRE "'"
	" ORDER BY id DESC LIMIT 1" };
static const struct db_stmt stmt_expire = { "gw_expire",
	"UPDATE instance_commands SET status = 'expired', finished_at = now()"
	" WHERE id = $2::bigint AND instance_id = $1::uuid"
	" AND status IN ('queued', 'running')"
	" AND created_at < now() - interval '" COMMAND_EXPIRE "'" };
static const struct db_stmt stmt_command = { "gw_command",
	"SELECT id, kind, status, result::text,"
	" to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	" to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	" FROM instance_commands WHERE id = $2::bigint AND instance_id = $1::uuid" };

static char *
ad_of(const char *id)
{
	return xasprintf("instance_secrets:%s:gateway_token", id);
}

void
gw_token_reveal(struct req *r)
{
	PGresult	*res;
	const char	*p[1] = { req_param(r, 0) };
	char		*st, *ad, *tok, *host, *url;
	size_t		 len;
	enum och_err	 err;
	cJSON		*o;

	if ((st = st_visible(r)) == NULL)
		return;
	free(st);
	if ((res = db_exec(r->app->db, &stmt_secret_get, 1, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	if (PQntuples(res) != 1 || db_val(res, 0, 1) == NULL) {
		PQclear(res);
		resp_error(r, OCH_ECONFLICT, "the server has not started yet: "
		    "its gateway token exists once it reports ready");
		return;
	}
	ad = ad_of(p[0]);
	tok = cry_open_bytea(r->app->keys, ad, db_val(res, 0, 1), &len);
	free(ad);
	if (tok == NULL) {
		log_error("gateway token of %s does not open", p[0]);
		PQclear(res);
		resp_error(r, OCH_ESYSTEM, NULL);
		return;
	}
	host = inst_hostname(db_val(res, 0, 0), &r->app->cfg);
	PQclear(res);
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
	struct db	*db = r->app->db;
	PGresult	*res;
	const char	*p[2] = { req_param(r, 0), NULL };
	char		*st, *ad, *tok = NULL, *sealed = NULL;
	enum och_err	 err = OCH_OK;
	int		 have;

	if ((st = st_visible(r)) == NULL)
		return;
	free(st);
	if (db_begin(db) < 0) {
		resp_error(r, OCH_EDB, NULL);
		return;
	}
	if ((res = db_exec(db, &stmt_secret_get, 1, p, &err)) == NULL)
		goto out;
	have = PQntuples(res) == 1 && db_val(res, 0, 1) != NULL;
	PQclear(res);
	if (!have) {
		err = OCH_ECONFLICT;
		goto out;
	}
	ad = ad_of(p[0]);
	if ((tok = cry_token(24)) == NULL || (sealed = cry_seal_bytea(
	    r->app->keys, ad, tok, strlen(tok))) == NULL)
		err = OCH_ESYSTEM;
	free(ad);
	p[1] = sealed;
	if (err == OCH_OK)
		err = db_run(db, &stmt_secret_put, 2, p, NULL);
	/* the agent fetches the new config (it carries the token) at once */
	if (err == OCH_OK)
		err = db_run(db, &stmt_bump, 1, p, NULL);
	if (err == OCH_OK && db_commit(db) < 0)
		err = OCH_EDB;
out:
	db_rollback(db);
	xfree_secret(tok);
	free(sealed);
	if (err == OCH_ECONFLICT)
		resp_error(r, err, "the server has not started yet: its "
		    "gateway token exists once it reports ready");
	else if (err != OCH_OK)
		resp_error(r, err, NULL);
	else {
		cJSON	*o = cJSON_CreateObject();

		/* a JSON answer: the WHMCS module expects one */
		cJSON_AddBoolToObject(o, "rotated", 1);
		resp_json(r, 200, o);
	}
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
	PGresult	*res;
	const char	*p[1] = { req_param(r, 0) };
	enum och_err	 err;
	cJSON		*o;
	int		 on;

	if (!active_only(r))
		return;
	if ((res = db_exec(r->app->db, &stmt_wa_channel, 1, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	on = PQntuples(res) == 1 && strcmp(db_val(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!on) {
		resp_error(r, OCH_ECONFLICT, "add the WhatsApp channel first "
		    "(PUT /channels/whatsapp)");
		return;
	}
	/* one login at a time: a second click follows the first */
	if ((res = db_exec(r->app->db, &stmt_wa_open, 1, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	if (PQntuples(res) == 1) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "command_id", db_val(res, 0, 0));
		PQclear(res);
		resp_json(r, 200, o);
		return;
	}
	PQclear(res);
	settings_queue(r, "whatsapp_login", "{\"account\":\"default\"}");
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
 * A command row (stmt_command) as the dashboard sees it: for a WhatsApp
 * login its outcome and the QR code while it can be scanned (never in
 * an admin's read-only view: scanning it links a phone, a write).
 * Returns a new object (caller owns it).
 */
static cJSON *
command_json(const struct req *r, const PGresult *res)
{
	const char	*status, *kind, *error = NULL;
	cJSON		*o, *result = NULL;
	const cJSON	*out = NULL, *qr = NULL, *e;

	kind = db_val(res, 0, 1);
	status = db_val(res, 0, 2);
	if (db_val(res, 0, 3) != NULL)
		result = cJSON_Parse(db_val(res, 0, 3));
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
	cJSON_AddStringToObject(o, "id", db_val(res, 0, 0));
	cJSON_AddStringToObject(o, "kind", kind);
	cJSON_AddStringToObject(o, "status", status);
	if (strcmp(kind, "whatsapp_login") == 0) {
		cJSON_AddStringToObject(o, "outcome", wa_outcome(status, out,
		    error, qr != NULL));
		if (qr != NULL && strcmp(status, "running") == 0 &&
		    r->auth.viewer_id == 0)
			cJSON_AddStringToObject(o, "qr", qr->valuestring);
		else
			cJSON_AddNullToObject(o, "qr");
	} else if (out != NULL && strcmp(kind, "device_approve") == 0)
		cJSON_AddItemToObject(o, "output", cJSON_Duplicate(out, 1));
	if (error != NULL)
		cJSON_AddStringToObject(o, "error", error);
	else if (strcmp(status, "expired") == 0)
		cJSON_AddStringToObject(o, "error", "the server did not finish "
		    "it in time");
	else
		cJSON_AddNullToObject(o, "error");
	cJSON_AddStringToObject(o, "created_at", db_val(res, 0, 4));
	if (db_val(res, 0, 5) != NULL)
		cJSON_AddStringToObject(o, "finished_at", db_val(res, 0, 5));
	else
		cJSON_AddNullToObject(o, "finished_at");
	cJSON_Delete(result);
	return o;
}

void
gw_command(struct req *r)
{
	PGresult	*res;
	const char	*p[2] = { req_param(r, 0), req_param(r, 1) };
	cJSON		*o;
	char		*st;
	enum och_err	 err;
	int64_t		 cid;

	if ((st = st_visible(r)) == NULL)
		return;
	free(st);
	if (!valid_int64(p[1], 1, INT64_MAX, &cid)) {
		resp_error(r, OCH_ENOTFOUND, "no such command");
		return;
	}
	(void)db_run(r->app->db, &stmt_expire, 2, p, NULL);
	if ((res = db_exec(r->app->db, &stmt_command, 2, p, &err)) == NULL) {
		resp_error(r, err, NULL);
		return;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, OCH_ENOTFOUND, "no such command");
		return;
	}
	o = command_json(r, res);
	PQclear(res);
	resp_json(r, 200, o);
}
