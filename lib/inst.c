/*
 * inst.c: instance transitions, history, outbox rows and JSON (inst.h).
 */
#include <stdlib.h>
#include <string.h>

#include "inst.h"
#include "log.h"

static const struct db_stmt stmt_event = { "inst_event",
	"INSERT INTO instance_events (instance_id, kind, from_state, to_state,"
	" message, actor) VALUES ($1, $2, $3, $4, left($5, 2000), $6)" };
static const struct db_stmt stmt_notify = { "inst_notify",
	"SELECT pg_notify('" INST_CHANNEL "', $1)" };
static const struct db_stmt stmt_activate = { "inst_activate",
	"UPDATE instances i SET state = 'active', active_at = now(),"
	" updated_at = now(), attempts = 0, last_error = NULL,"
	" next_attempt_at = now(), locked_until = NULL, failed_state = NULL"
	" FROM users u WHERE u.id = i.user_id AND i.id = $1"
	" RETURNING i.slug, host(i.ipv4), u.email, i.whmcs_service_id, i.plan" };
static const struct db_stmt stmt_email = { "inst_email",
	"INSERT INTO email_outbox (instance_id, template, to_email, vars,"
	" dedupe_key) VALUES ($1, $2, $3, coalesce($4, '{}')::jsonb, $5)"
	" ON CONFLICT (dedupe_key) DO NOTHING" };
static const struct db_stmt stmt_whmcs = { "inst_whmcs",
	"INSERT INTO webhook_outbox (instance_id, target, command, payload)"
	" VALUES ($1, 'whmcs', $2, $3::jsonb)" };

char *
inst_hostname(const char *slug, const struct cfg *c)
{
	return xasprintf("%s.%s", slug,
	    cfg_str(c, CFG_CLOUDFLARE_DOMAIN, "och.test"));
}

static void
add_str(cJSON *o, const char *k, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void
add_int(cJSON *o, const char *k, const char *v)
{
	if (v != NULL)
		cJSON_AddNumberToObject(o, k, (double)strtoll(v, NULL, 10));
	else
		cJSON_AddNullToObject(o, k);
}

cJSON *
inst_json(const PGresult *res, int row, const struct cfg *c)
{
	cJSON	*o;
	char	*host, *url;

	o = cJSON_CreateObject();
	add_str(o, "id", db_val(res, row, 0));
	add_str(o, "slug", db_val(res, row, 1));
	host = inst_hostname(db_val(res, row, 1), c);
	url = xasprintf("https://%s", host);
	add_str(o, "hostname", host);
	add_str(o, "url", url);
	free(host);
	free(url);
	add_str(o, "state", db_val(res, row, 2));
	add_str(o, "desired_state", db_val(res, row, 3));
	add_str(o, "plan", db_val(res, row, 4));
	add_str(o, "region", db_val(res, row, 5));
	add_str(o, "ipv4", db_val(res, row, 6));
	add_str(o, "ipv6", db_val(res, row, 7));
	add_str(o, "last_error", db_val(res, row, 8));
	add_int(o, "whmcs_service_id", db_val(res, row, 9));
	add_int(o, "whmcs_client_id", db_val(res, row, 10));
	add_int(o, "hetzner_server_id", db_val(res, row, 11));
	add_str(o, "pending_plan", db_val(res, row, 12));
	add_str(o, "pending_action", db_val(res, row, 13));
	add_int(o, "attempts", db_val(res, row, 14));
	add_str(o, "openclaw_version", db_val(res, row, 15));
	add_str(o, "created_at", db_val(res, row, 16));
	add_str(o, "updated_at", db_val(res, row, 17));
	add_str(o, "active_at", db_val(res, row, 18));
	add_str(o, "email", db_val(res, row, 19));
	return o;
}

enum och_err
inst_event(struct db *db, const char *id, const char *kind, const char *from,
    const char *to, const char *message, const char *actor)
{
	const char	*p[6] = { id, kind, from, to, message, actor };

	return db_run(db, &stmt_event, 6, p, NULL);
}

enum och_err
inst_notify(struct db *db, const char *id)
{
	const char	*p[1] = { id };

	return db_run(db, &stmt_notify, 1, p, NULL);
}

enum och_err
inst_email(struct db *db, const char *id, const char *tmpl, const char *to,
    const char *vars, const char *dedupe)
{
	const char	*p[5] = { id, tmpl, to, vars, dedupe };

	return db_run(db, &stmt_email, 5, p, NULL);
}

enum och_err
inst_whmcs(struct db *db, const char *id, const char *command,
    const char *payload)
{
	const char	*p[3] = { id, command, payload };

	return db_run(db, &stmt_whmcs, 3, p, NULL);
}

enum och_err
inst_activate(struct db *db, const struct cfg *c, const char *id,
    const char *from, const char *actor)
{
	PGresult	*res;
	cJSON		*vars, *wh;
	char		*host, *url, *vs = NULL, *ws = NULL, *dedupe;
	const char	*p[1] = { id };
	enum och_err	 err;

	if ((res = db_exec(db, &stmt_activate, 1, p, &err)) == NULL)
		return err;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return OCH_ENOTFOUND;
	}
	host = inst_hostname(db_val(res, 0, 0), c);
	url = xasprintf("https://%s", host);
	vars = cJSON_CreateObject();
	cJSON_AddStringToObject(vars, "hostname", host);
	cJSON_AddStringToObject(vars, "instance_url", url);
	cJSON_AddStringToObject(vars, "dashboard_url",
	    cfg_str(c, CFG_DASHBOARD_URL, ""));
	cJSON_AddStringToObject(vars, "plan", db_val(res, 0, 4));
	vs = cJSON_PrintUnformatted(vars);
	dedupe = xasprintf("welcome:%s", id);
	err = inst_event(db, id, "state.active", from, "active",
	    "the server reported ready", actor);
	if (err == OCH_OK)
		err = inst_email(db, id, "welcome", db_val(res, 0, 2), vs,
		    dedupe);
	if (err == OCH_OK && db_val(res, 0, 3) != NULL) {
		wh = cJSON_CreateObject();
		cJSON_AddNumberToObject(wh, "serviceid",
		    (double)db_int(res, 0, 3));
		cJSON_AddStringToObject(wh, "status", "Active");
		cJSON_AddStringToObject(wh, "domain", host);
		if (db_val(res, 0, 1) != NULL)
			cJSON_AddStringToObject(wh, "dedicatedip",
			    db_val(res, 0, 1));
		ws = cJSON_PrintUnformatted(wh);
		cJSON_Delete(wh);
		err = inst_whmcs(db, id, "UpdateClientProduct", ws);
	}
	cJSON_Delete(vars);
	cJSON_free(vs);
	cJSON_free(ws);
	free(dedupe);
	free(host);
	free(url);
	PQclear(res);
	return err;
}
