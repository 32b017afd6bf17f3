/*
 * inst.c: instance transitions, history, outbox rows and JSON (inst.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inst.h"
#include "log.h"
#include "valid.h"

static const struct db_stmt stmt_event = { "inst_event",
	"INSERT INTO instance_events (instance_id, kind, from_state, to_state,"
	" message, actor) VALUES ($1, $2, $3, $4, left($5, 2000), $6)" };
static const struct db_stmt stmt_notify = { "inst_notify",
	"SELECT pg_notify('" INST_CHANNEL "', $1)" };
static const struct db_stmt stmt_activate = { "inst_activate",
	"UPDATE instances i SET state = 'active', active_at = now(),"
	" updated_at = now(), attempts = 0, last_error = NULL,"
	" restore_image = NULL,"
	" next_attempt_at = now(), locked_until = NULL, failed_state = NULL"
	" FROM users u WHERE u.id = i.user_id AND i.id = $1"
	" RETURNING i.slug, host(i.ipv4), u.email, i.whmcs_service_id, i.plan" };
static const struct db_stmt stmt_email = { "inst_email",
	"INSERT INTO email_outbox (instance_id, template, to_email, vars,"
	" dedupe_key) VALUES ($1, $2, $3, coalesce($4, '{}')::jsonb, $5)"
	" ON CONFLICT (dedupe_key) DO NOTHING" };
static const struct db_stmt stmt_setup_failed = { "inst_setup_failed",
	"UPDATE instances i SET state = 'failed', failed_state = 'active',"
	" pending_action = 'rebuild', last_error = left($2, 1000),"
	" attempts = 0, next_attempt_at = now(), locked_until = NULL,"
	" locked_by = NULL, step_since = NULL, updated_at = now()"
	" FROM users u WHERE u.id = i.user_id AND i.id = $1"
	"  AND i.state IN ('booting', 'rebuilding')"
	" RETURNING i.slug, u.email, i.plan" };
static const struct db_stmt stmt_whmcs = { "inst_whmcs",
	"INSERT INTO webhook_outbox (instance_id, target, command, payload)"
	" VALUES ($1, 'whmcs', $2, $3::jsonb)" };

char *
inst_hostname(const char *slug, const struct cfg *c)
{
	return xasprintf("%s.%s", slug,
	    cfg_str(c, CFG_CLOUDFLARE_DOMAIN, "och.test"));
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

/* Queue a WHMCS API command with a JSON object payload. */
static enum och_err
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

enum och_err
inst_email_admins(struct db *db, const struct cfg *c, const char *id,
    const char *host, const char *customer, const char *plan,
    const char *step, const char *why)
{
	const char	*to = cfg_get(c, CFG_ADMIN_EMAIL);
	cJSON		*v;
	char		*s;
	enum och_err	 err;

	if (to == NULL) {
		log_warn("ADMIN_EMAIL is not set: nobody is told that "
		    "instance %s failed", id);
		return OCH_OK;
	}
	v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "instance_id", id);
	cJSON_AddStringToObject(v, "hostname", host ? host : "");
	cJSON_AddStringToObject(v, "step", step);
	cJSON_AddStringToObject(v, "error", why);
	cJSON_AddStringToObject(v, "customer", customer ? customer : "");
	cJSON_AddStringToObject(v, "plan", plan ? plan : "");
	s = cJSON_PrintUnformatted(v);
	err = inst_email(db, id, "provisioning_failed", to, s, NULL);
	cJSON_free(s);
	cJSON_Delete(v);
	return err;
}

enum och_err
inst_setup_failed(struct db *db, const struct cfg *c, const char *id,
    const char *from, const char *why, const char *actor)
{
	PGresult	*res;
	const char	*p[2] = { id, why };
	char		*host;
	enum och_err	 err;

	if ((res = db_exec(db, &stmt_setup_failed, 2, p, &err)) == NULL)
		return err;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return OCH_ENOTFOUND;
	}
	host = inst_hostname(db_val(res, 0, 0), c);
	err = inst_event(db, id, "state.failed", from, "failed", why, actor);
	if (err == OCH_OK)
		err = inst_email_admins(db, c, id, host, db_val(res, 0, 1),
		    db_val(res, 0, 2), "setup", why);
	if (err == OCH_OK)
		err = inst_notify(db, id);
	free(host);
	PQclear(res);
	return err;
}

/* ---- intents (inst_act) --------------------------------------------- */

static const struct db_stmt stmt_act_plan = { "inst_act_plan",
	"SELECT name FROM plans WHERE name = $1 AND active" };
static const struct db_stmt stmt_act_lock = { "inst_act_lock",
	"SELECT state, desired_state, plan, pending_plan, pending_action"
	" FROM instances WHERE id = $1::uuid FOR UPDATE" };
static const struct db_stmt stmt_act_intent = { "inst_act_intent",
	"UPDATE instances SET desired_state = coalesce($2, desired_state),"
	" pending_plan = CASE WHEN $3::text = '' THEN NULL"
	"  ELSE coalesce($3, pending_plan) END,"
	" pending_action = coalesce($4, pending_action),"
	" plan = coalesce($5, plan),"
	" next_attempt_at = now(), attempts = 0, updated_at = now()"
	" WHERE id = $1::uuid" };

static const char *const act_names[INST_ACT__MAX] = {
	"instance.suspend",	/* INST_SUSPEND */
	"instance.unsuspend",	/* INST_UNSUSPEND */
	"instance.terminate",	/* INST_TERMINATE */
	"instance.change_plan",	/* INST_CHANGE_PLAN */
	"instance.reboot",	/* INST_REBOOT */
	"instance.rebuild",	/* INST_REBUILD */
};

const char *
inst_act_name(enum inst_act a)
{
	return (unsigned)a < INST_ACT__MAX ? act_names[a] : "instance.action";
}

/* Is the plan known and on sale?  OCH_OK, OCH_EUNPROCESSABLE, or error. */
static enum och_err
act_plan_ok(struct db *db, const char *plan)
{
	PGresult	*pl;
	const char	*p[1] = { plan };
	enum och_err	 err;
	int		 n;

	if (!valid_name(plan))
		return OCH_EUNPROCESSABLE;
	if ((pl = db_exec(db, &stmt_act_plan, 1, p, &err)) == NULL)
		return err;
	n = PQntuples(pl);
	PQclear(pl);
	return n == 1 ? OCH_OK : OCH_EUNPROCESSABLE;
}

enum och_err
inst_act(struct db *db, const char *id, enum inst_act a, const char *plan,
    const char *actor, int *changed, char *why, size_t whysz)
{
	PGresult	*res = NULL;
	const char	*state, *desired, *cur_plan, *pend_plan, *pend_act;
	const char	*p[5] = { NULL, NULL, NULL, NULL, NULL };
	enum och_err	 err;
	int		 gone;

	*changed = 1;
	if (whysz > 0)
		why[0] = '\0';
	if ((unsigned)a >= INST_ACT__MAX)
		return OCH_EINVAL;
	if (a == INST_CHANGE_PLAN && (err = act_plan_ok(db, plan)) != OCH_OK)
		return err;
	if (db_begin(db) < 0)
		return OCH_EDB;
	p[0] = id;
	if ((res = db_exec(db, &stmt_act_lock, 1, p, &err)) == NULL)
		goto fail;
	if (PQntuples(res) == 0) {
		err = OCH_ENOTFOUND;
		goto fail;
	}
	state = db_val(res, 0, 0);
	desired = db_val(res, 0, 1);
	cur_plan = db_val(res, 0, 2);
	pend_plan = db_val(res, 0, 3);
	pend_act = db_val(res, 0, 4);
	gone = strcmp(desired, "terminated") == 0 ||
	    strcmp(state, "terminating") == 0 ||
	    strcmp(state, "terminated") == 0;
	switch (a) {
	case INST_TERMINATE:
		*changed = !gone;
		p[1] = "terminated";
		break;
	case INST_SUSPEND:
	case INST_UNSUSPEND:
		if (gone) {
			snprintf(why, whysz, "instance is terminated");
			goto conflict;
		}
		p[1] = a == INST_SUSPEND ? "suspended" : "active";
		*changed = strcmp(desired, p[1]) != 0;
		break;
	case INST_CHANGE_PLAN:
		if (gone) {
			snprintf(why, whysz, "instance is terminated");
			goto conflict;
		}
		if (strcmp(state, "pending") == 0) {
			/* no server yet: the create step uses the new plan */
			*changed = strcmp(cur_plan, plan) != 0;
			p[4] = plan;
		} else if (strcmp(cur_plan, plan) == 0) {
			/* back to the current plan: drop a pending change */
			*changed = pend_plan != NULL;
			p[2] = "";
		} else {
			*changed = pend_plan == NULL ||
			    strcmp(pend_plan, plan) != 0;
			p[2] = plan;
		}
		break;
	case INST_REBOOT:
	case INST_REBUILD:
		if (strcmp(state, "active") != 0 || gone) {
			snprintf(why, whysz, "instance is %s, not active",
			    gone ? "terminated" : state);
			goto conflict;
		}
		p[3] = a == INST_REBOOT ? "reboot" : "rebuild";
		*changed = pend_act == NULL;
		if (!*changed && strcmp(pend_act, p[3]) != 0) {
			snprintf(why, whysz, "a %s is already pending",
			    pend_act);
			goto conflict;
		}
		break;
	case INST_ACT__MAX:
		break;
	}
	if (*changed) {
		if ((err = db_run(db, &stmt_act_intent, 5, p, NULL)) != OCH_OK ||
		    (err = inst_event(db, id, act_names[a], state, NULL,
		    plan, actor)) != OCH_OK ||
		    (err = inst_notify(db, id)) != OCH_OK)
			goto fail;
	}
	PQclear(res);
	if (db_commit(db) < 0)
		return OCH_EDB;
	return OCH_OK;
conflict:
	err = OCH_ECONFLICT;
fail:
	PQclear(res);
	db_rollback(db);
	return err;
}
