/*
 * ent_alert.c: the alerts entity (ent.h): the alerts the poller opened
 * (lib/alert.c decides them) as their owners and the operators list
 * them, and a user's choice of alert emails; rows as struct ent_alert
 * and struct ent_alert_pref.
 */
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "ent_alert.h"

#define ALERT_COLS \
	"a.id, a.condition, a.severity, a.audience, a.subject," \
	" a.instance_id, i.slug, a.detail" \
	"," ENT_TS("a.opened_at") "," ENT_TS("a.resolved_at") \
	" FROM alerts a LEFT JOIN instances i ON i.id = a.instance_id"
#define ALERT_SHOWN " a.opened_at IS NOT NULL AND ($2 = 'all'" \
	" OR a.resolved_at IS NULL)"

static const struct db_stmt stmt_instance = { "ent_alert_instance",
	"SELECT " ALERT_COLS " WHERE a.instance_id = $1::uuid AND" ALERT_SHOWN
	" AND ($4::boolean OR a.audience IN ('customer', 'both'))"
	" ORDER BY a.id DESC LIMIT $3::int" };
static const struct db_stmt stmt_user = { "ent_alert_user",
	"SELECT " ALERT_COLS " WHERE i.user_id = $1::bigint AND" ALERT_SHOWN
	" AND a.audience IN ('customer', 'both')"
	" ORDER BY a.id DESC LIMIT $3::int" };
static const struct db_stmt stmt_admin = { "ent_alert_all",
	"SELECT " ALERT_COLS " WHERE ($1::text IS NULL OR a.condition = $1)"
	" AND" ALERT_SHOWN " ORDER BY a.id DESC LIMIT $3::int" };
static const struct db_stmt stmt_prefs = { "ent_alert_prefs",
	"SELECT condition, email FROM alert_preferences WHERE user_id = $1" };
static const struct db_stmt stmt_pref_set = { "ent_alert_pref_set",
	"INSERT INTO alert_preferences (user_id, condition, email)"
	" VALUES ($1, $2, $3::boolean) ON CONFLICT (user_id, condition)"
	" DO UPDATE SET email = EXCLUDED.email, updated_at = now()" };

/* ALERT_COLS in order (the JSON is ent_alert_json()'s) */
static const struct ent_field alert_fields[] = {
	ENT_FIELD(NULL, ent_alert, id, ENT_F_INT),
	ENT_FIELD(NULL, ent_alert, condition, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_alert, severity, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_alert, audience, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_alert, subject, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_alert, instance_id, ENT_F_STR),
	ENT_FIELD(NULL, ent_alert, slug, ENT_F_STR),
	ENT_FIELD(NULL, ent_alert, detail, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_alert, opened_at, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_alert, resolved_at, ENT_F_STR),
};
static const struct ent_fields alert_shape =
    ENT_FIELDS(ent_alert, alert_fields);
/* stmt_prefs's columns in order */
static const struct ent_field pref_fields[] = {
	ENT_FIELD(NULL, ent_alert_pref, condition, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_alert_pref, email, ENT_F_BOOL),
};
static const struct ent_fields pref_shape =
    ENT_FIELDS(ent_alert_pref, pref_fields);

enum och_err
ent_alert_list(struct db *db, enum ent_alert_scope scope, const char *key,
    const char *state, const char *limit, int every, struct ent_alert **out,
    size_t *n)
{
	static const struct db_stmt *const st[] = { &stmt_instance,
	    &stmt_user, &stmt_admin };
	const char	*p[4] = { key, state, limit, every ? "true" : "false" };

	return ent_fields_rows(db, st[scope],
	    scope == ENT_ALERT_INSTANCE ? 4 : 3, p, &alert_shape, out, n);
}

cJSON *
ent_alert_json(const struct ent_alert *a, const struct cfg *cfg)
{
	const struct alert_cond_info *c;
	cJSON		*o;
	char		*host;

	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)a->id);
	cJSON_AddStringToObject(o, "condition", a->condition);
	c = alert_cond_find(a->condition);
	cJSON_AddStringToObject(o, "title", c != NULL ? c->title :
	    a->condition);
	cJSON_AddStringToObject(o, "severity", a->severity);
	cJSON_AddStringToObject(o, "audience", a->audience);
	cJSON_AddStringToObject(o, "subject", a->subject);
	if (a->instance_id != NULL) {
		cJSON_AddStringToObject(o, "instance_id", a->instance_id);
		host = inst_hostname(a->slug != NULL ? a->slug : "", cfg);
		cJSON_AddStringToObject(o, "hostname", host);
		free(host);
	} else {
		cJSON_AddNullToObject(o, "instance_id");
		cJSON_AddNullToObject(o, "hostname");
	}
	cJSON_AddStringToObject(o, "detail", a->detail);
	cJSON_AddStringToObject(o, "opened_at", a->opened_at);
	if (a->resolved_at != NULL)
		cJSON_AddStringToObject(o, "resolved_at", a->resolved_at);
	else
		cJSON_AddNullToObject(o, "resolved_at");
	cJSON_AddStringToObject(o, "state", a->resolved_at != NULL ?
	    "resolved" : "open");
	return o;
}

void
ent_alert_free(struct ent_alert *a, size_t n)
{
	ent_fields_free(a, n, &alert_shape);
}

enum och_err
ent_alert_prefs(struct db *db, const char *uid, struct ent_alert_pref **out,
    size_t *n)
{
	const char	*p[1] = { uid };

	return ent_fields_rows(db, &stmt_prefs, 1, p, &pref_shape, out, n);
}

int
ent_alert_pref_email(const struct ent_alert_pref *pr, size_t n,
    const char *cond)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(pr[i].condition, cond) == 0)
			return pr[i].email;
	return 1;
}

void
ent_alert_pref_free(struct ent_alert_pref *pr, size_t n)
{
	ent_fields_free(pr, n, &pref_shape);
}

enum och_err
ent_alert_pref_set(struct db *db, const char *uid, const char *cond,
    int email)
{
	const char	*p[3] = { uid, cond, email ? "true" : "false" };

	return db_run(db, &stmt_pref_set, 3, p, NULL);
}
