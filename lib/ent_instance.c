/*
 * ent_instance.c: the instances entity (ent.h): the statements that read
 * instances as the API shows them (INST_COLS, lib/inst.h), their recent
 * history, an order's records, the sign-in token, and the billing
 * system's views; its rows as struct ent_instance and struct ent_event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "ent_instance.h"
#include "ent_session.h"
#include "valid.h"

static const struct db_stmt stmt_get = { "ent_instance_get",
	"SELECT " INST_COLUMNS INST_FROM " WHERE i.id = $1::uuid" };
static const struct db_stmt stmt_of_service = { "ent_instance_of_service",
	"SELECT " INST_COLUMNS INST_FROM " WHERE i.whmcs_service_id = $1::bigint" };
static const struct db_stmt stmt_list = { "ent_instance_list",
	"SELECT " INST_COLUMNS INST_FROM
	" ORDER BY i.created_at, i.id LIMIT $1::integer OFFSET $2::integer" };
enum { EC_KIND, EC_FROM, EC_TO, EC_MESSAGE, EC_AT, EC__N };
/* the 20 latest events of instance `id` (an SQL expression), newest first */
#define EVENTS_RECENT(id) \
	"SELECT kind, from_state, to_state, message," \
	" to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')," \
	" id FROM instance_events WHERE instance_id = " id \
	" ORDER BY id DESC LIMIT 20"
static const struct db_stmt stmt_events = { "ent_event_recent",
	EVENTS_RECENT("$1::uuid") };
/*
 * GET …/instances/{id} for a session in one statement: the session check
 * (ent_session.h ENT_SESSION_LIVE_*: $1..$3), instance $4 if the
 * session's user may see it (auth_may_see()'s rule, AUTH_SEE_RECORD, as
 * AUTH_MAY_SEE_SQL), its events, and the route's audit record (routes.def
 * AUDIT_READ: action $5, object kind $6, remote address $7, request id
 * $8; status 200 when the instance is there, 404 when not, as the handler
 * answers from the same row).  Columns: the check's, INST_COLUMNS (NULL
 * when not visible), an event's (NULL when none), one row per event; no
 * row (and no record) for a dead session.  Its commit does not wait for
 * the WAL flush (synchronous_commit off for this statement's transaction
 * only): a read waits for no disk, and a crash can lose at most the last
 * fraction of a second of read records (wal_writer_delay), never an
 * order's write.
 */
#define RD_INST	ENT_SESSION_LIVE_NCOLS
#define RD_EV	(RD_INST + INST_NCOLS)
static const struct db_stmt stmt_read = { "ent_instance_read",
	"WITH l (user_id, role, csrf_hash, stale, viewer) AS (SELECT"
	ENT_SESSION_LIVE_COLS ENT_SESSION_LIVE_FROM ENT_SESSION_LIVE_WHERE "),"
	" r AS (SELECT " INST_COLUMNS INST_FROM " WHERE i.id = $4::text::uuid"
	"  AND " AUTH_MAY_SEE_SQL("i", "$2::bigint") "),"
	" a AS (" AUDIT_INSERT_SQL " SELECT "
	AUDIT_SESSION_ACTOR_SQL("l.role", "l.user_id", "l.viewer")
	", $5, $6, $4::text, $7, $8,"
	"  CASE WHEN EXISTS (SELECT 1 FROM r) THEN 200 ELSE 404 END, "
	AUDIT_SESSION_DETAIL_SQL("l.user_id", "l.viewer") " FROM l"
	"  WHERE set_config('synchronous_commit', 'off', true) = 'off')"
	" SELECT l.*, r.*, e.* FROM l LEFT JOIN r ON true"
	" LEFT JOIN LATERAL (" EVENTS_RECENT("r.id") ") e ON true"
	" ORDER BY e.id DESC" };
static const struct db_stmt stmt_user_of_client = { "ent_order_user",
	"INSERT INTO users (email, whmcs_client_id) VALUES ($1, $2::bigint)"
	" ON CONFLICT (whmcs_client_id) WHERE whmcs_client_id IS NOT NULL"
	" DO UPDATE SET updated_at = users.updated_at RETURNING id" };
static const struct db_stmt stmt_plan = { "ent_order_plan",
	"SELECT name FROM plans WHERE name = $1 AND active" };
static const struct db_stmt stmt_region = { "ent_order_region",
	"SELECT coalesce(alias_of, name) FROM regions WHERE name = $1 AND active" };
static const struct db_stmt stmt_create = { "ent_order_insert",
	"INSERT INTO instances (slug, user_id, plan, region, whmcs_service_id,"
	" whmcs_client_id, openclaw_version)"
	" VALUES ($1, $2::bigint, $3, $4, $5::bigint, $6::bigint,"
	"  coalesce($7, (SELECT openclaw_version FROM plans WHERE name = $3), $8))"
	" ON CONFLICT (whmcs_service_id) DO NOTHING RETURNING id" };
/* never for an admin (principals never merge): a WHMCS client's user */
static const struct db_stmt stmt_sso = { "ent_sso_add",
	"WITH o AS (SELECT i.id, i.user_id, i.whmcs_client_id FROM instances i"
	"  JOIN users u ON u.id = i.user_id WHERE i.id = $1::uuid"
	"  AND u.role = 'customer' AND u.whmcs_client_id IS NOT NULL),"
	" t AS (INSERT INTO sso_tokens (token_hash, user_id, instance_id,"
	"  expires_at) SELECT $2, o.user_id, o.id, now() + interval '60 seconds'"
	"  FROM o WHERE $3::bigint IS NULL OR o.whmcs_client_id = $3::bigint"
	"  RETURNING 1)"
	" SELECT CASE WHEN EXISTS (SELECT 1 FROM t) THEN 'added'"
	"  WHEN EXISTS (SELECT 1 FROM o) THEN 'other' END" };

static const struct ent_col usage_cols[] = { { "disk_limit_mb", 'i' },
	{ "disk_used_mb", 'i' }, { "bandwidth_used_mb", 'i' } };
const struct ent_view ent_v_instance_usage = ENT_VIEW("ent_instance_usage",
	"SELECT p.disk_gb * 1024,"
	" (SELECT (max(value) FILTER (WHERE series = 'disk_total')"
	"   - min(value) FILTER (WHERE series = 'disk_free')) / 1048576"
	"  FROM metrics m WHERE m.instance_id = i.id"
	"  AND m.at > now() - interval '1 hour'),"
	" (SELECT (max(value) - min(value)) / 1048576 FROM metrics m"
	"  WHERE m.instance_id = i.id AND series IN ('net_tx_bytes')"
	"  AND m.at > date_trunc('month', now()))"
	" FROM instances i JOIN plans p ON p.name = i.plan WHERE i.id = $1::uuid",
	usage_cols);
static const struct ent_col region_cols[] = { { "name", 's' },
	{ "location", 's' }, { "display_name", 's' } };
const struct ent_view ent_v_regions = ENT_VIEW("ent_regions",
	"SELECT name, location, display_name FROM regions"
	" WHERE active AND alias_of IS NULL ORDER BY name", region_cols);

/* Row i of res (INST_COLUMNS from column c0 on) into *in. */
static void
instance_row(const PGresult *res, int i, int c0, struct ent_instance *in)
{
#define INST_COL_READ_(e, f, sql, j) in->f = db_dup(res, i, c0 + INST_COL_##e);
	INST_COLS(INST_COL_READ_)
#undef INST_COL_READ_
}

/* Every row of res into a new array of instances (*out, *n). */
static void
instance_read(const PGresult *res, struct ent_instance **out, size_t *n)
{
	int	 i;

	*out = NULL;
	*n = 0;
	if (PQntuples(res) == 0)
		return;
	*out = xcalloc((size_t)PQntuples(res), sizeof(**out));
	for (i = 0; i < PQntuples(res); i++)
		instance_row(res, i, 0, &(*out)[i]);
	*n = (size_t)PQntuples(res);
}

/* One instance by a statement of one parameter, as ent_instance_get(). */
static enum och_err
instance_one(struct db *db, const struct db_stmt *st, const char *v,
    struct ent_instance **out)
{
	PGresult	*res;
	const char	*p[1] = { v };
	enum och_err	 err;
	size_t		 n;

	*out = NULL;
	if ((res = db_exec(db, st, 1, p, &err)) == NULL)
		return err;
	instance_read(res, out, &n);
	PQclear(res);
	if (n == 1)
		return OCH_OK;
	ent_instance_free(*out, n);
	*out = NULL;
	return OCH_ENOTFOUND;
}

enum och_err
ent_instance_get(struct db *db, const char *id, struct ent_instance **out)
{
	*out = NULL;
	if (id == NULL || !valid_uuid(id))
		return OCH_ENOTFOUND;
	return instance_one(db, &stmt_get, id, out);
}

enum och_err
ent_instance_of_service(struct db *db, const char *sid,
    struct ent_instance **out)
{
	return instance_one(db, &stmt_of_service, sid, out);
}

enum och_err
ent_instance_list(struct db *db, const char *limit, const char *offset,
    struct ent_instance **out, size_t *n)
{
	PGresult	*res;
	const char	*p[2] = { limit, offset };
	enum och_err	 err;

	*out = NULL;
	*n = 0;
	if ((res = db_exec(db, &stmt_list, 2, p, &err)) == NULL)
		return err;
	instance_read(res, out, n);
	PQclear(res);
	return OCH_OK;
}

static void
add_S(cJSON *o, const char *k, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void
add_N(cJSON *o, const char *k, const char *v)
{
	if (v != NULL)
		cJSON_AddNumberToObject(o, k, (double)strtoll(v, NULL, 10));
	else
		cJSON_AddNullToObject(o, k);
}

cJSON *
ent_instance_json(const struct ent_instance *in, const struct cfg *c)
{
	cJSON	*o;
	char	*host, *url;

	o = cJSON_CreateObject();
	add_S(o, "id", in->id);
	add_S(o, "slug", in->slug);
	host = inst_hostname(in->slug, c);
	url = xasprintf("https://%s", host);
	add_S(o, "hostname", host);
	add_S(o, "url", url);
	free(host);
	free(url);
	/* the rest in the order of INST_COLS, rendered as it says */
#define INST_COL_JSON_(e, f, sql, j) \
	if (INST_COL_##e > INST_COL_SLUG) \
		add_##j(o, #f, in->f);
	INST_COLS(INST_COL_JSON_)
#undef INST_COL_JSON_
	return o;
}

cJSON *
inst_json(const PGresult *res, int row, const struct cfg *c)
{
	return inst_json_at(res, row, 0, c);
}

cJSON *
inst_json_at(const PGresult *res, int row, int col0, const struct cfg *c)
{
	struct ent_instance	 in;
	cJSON			*o;

	instance_row(res, row, col0, &in);
	o = ent_instance_json(&in, c);
#define INST_COL_FREE_(e, f, sql, j) free(in.f);
	INST_COLS(INST_COL_FREE_)
#undef INST_COL_FREE_
	return o;
}

void
ent_instance_free(struct ent_instance *in, size_t n)
{
	size_t	i;

	if (in == NULL)
		return;
	for (i = 0; i < n; i++) {
#define INST_COL_FREE_(e, f, sql, j) free(in[i].f);
		INST_COLS(INST_COL_FREE_)
#undef INST_COL_FREE_
	}
	free(in);
}

void
ent_instance_read(struct db_batch_item *it, const char **p, const char *id,
    const char *action, const char *kind, const char *remote,
    const char *reqid)
{
	/* p[0..2]: the session check's */
	p[3] = id;
	p[4] = action;
	p[5] = kind;
	p[6] = remote;
	p[7] = reqid;
	it->stmt = &stmt_read;
	it->n = 8;
	it->params = p;
}

/* The events of res (EVENTS_RECENT's columns from c0 on) into *out, *n. */
static void
event_read(const PGresult *res, int c0, struct ent_event **out, size_t *n)
{
	struct ent_event	*e;
	int			 i;

	*out = NULL;
	*n = 0;
	if (PQntuples(res) == 0)
		return;
	*out = xcalloc((size_t)PQntuples(res), sizeof(**out));
	for (i = 0; i < PQntuples(res); i++) {
		if (db_val(res, i, c0 + EC_KIND) == NULL)
			continue;	/* the row of an instance without */
		e = &(*out)[(*n)++];
		e->kind = db_dup_empty(res, i, c0 + EC_KIND);
		e->from = db_dup(res, i, c0 + EC_FROM);
		e->to = db_dup(res, i, c0 + EC_TO);
		e->message = db_dup(res, i, c0 + EC_MESSAGE);
		e->at = db_dup_empty(res, i, c0 + EC_AT);
	}
	if (*n == 0) {
		free(*out);
		*out = NULL;
	}
}

enum och_err
ent_event_recent(struct db *db, const char *id, struct ent_event **out,
    size_t *n)
{
	PGresult	*res;
	const char	*p[1] = { id };
	enum och_err	 err;

	*out = NULL;
	*n = 0;
	if ((res = db_exec(db, &stmt_events, 1, p, &err)) == NULL)
		return err;
	event_read(res, 0, out, n);
	PQclear(res);
	return OCH_OK;
}

int
ent_instance_adopt(PGresult *res, struct ent_instance **in,
    struct ent_event **ev, size_t *nev)
{
	*in = NULL;
	*ev = NULL;
	*nev = 0;
	if (res == NULL)
		return 0;
	if (PQntuples(res) >= 1 && PQnfields(res) == RD_EV + EC__N + 1 &&
	    db_val(res, 0, RD_INST + INST_COL_ID) != NULL) {
		*in = xcalloc(1, sizeof(**in));
		instance_row(res, 0, RD_INST, *in);
		event_read(res, RD_EV, ev, nev);
	}
	PQclear(res);
	return 1;
}

cJSON *
ent_event_json(const struct ent_event *e)
{
	cJSON	*o;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", e->kind);
	if (e->from != NULL)
		cJSON_AddStringToObject(o, "from", e->from);
	if (e->to != NULL)
		cJSON_AddStringToObject(o, "to", e->to);
	if (e->message != NULL)
		cJSON_AddStringToObject(o, "message", e->message);
	cJSON_AddStringToObject(o, "at", e->at);
	return o;
}

void
ent_event_free(struct ent_event *e, size_t n)
{
	size_t	i;

	if (e == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(e[i].kind);
		free(e[i].from);
		free(e[i].to);
		free(e[i].message);
		free(e[i].at);
	}
	free(e);
}

/* The first value of st's answer into out (outsz bytes; db_first()). */
static enum och_err
first_value(struct db *db, const struct db_stmt *st, int n,
    const char *const *p, char *out, size_t outsz)
{
	enum och_err	 err;
	char		*v;

	if (out != NULL && outsz > 0)
		out[0] = '\0';
	if ((err = db_first(db, st, n, p, &v)) != OCH_OK)
		return err;
	if (v == NULL)
		return OCH_ENOTFOUND;
	if (out != NULL)
		snprintf(out, outsz, "%s", v);
	free(v);
	return OCH_OK;
}

enum och_err
ent_order_user(struct db *db, const char *mail, const char *cid, char *uid)
{
	const char	*p[2] = { mail, cid };

	return first_value(db, &stmt_user_of_client, 2, p, uid, 24);
}

enum och_err
ent_order_plan(struct db *db, const char *plan)
{
	const char	*p[1] = { plan };

	return first_value(db, &stmt_plan, 1, p, NULL, 0);
}

enum och_err
ent_order_region(struct db *db, const char *region, char *canon)
{
	const char	*p[1] = { region };

	return first_value(db, &stmt_region, 1, p, canon, 32);
}

enum och_err
ent_order_insert(struct db *db, const char *slug, const char *uid,
    const char *plan, const char *region, const char *sid, const char *cid,
    const char *version, const char *def, char *id)
{
	const char	*p[8] = { slug, uid, plan, region, sid, cid, version,
			    def };
	enum och_err	 err;

	err = first_value(db, &stmt_create, 8, p, id, 40);
	return err == OCH_ENOTFOUND ? OCH_OK : err;
}

enum och_err
ent_sso_add(struct db *db, const char *id, const char *hash, const char *cid)
{
	const char	*p[3] = { id, hash, cid };
	char		 v[8];
	enum och_err	 err;

	if ((err = first_value(db, &stmt_sso, 3, p, v, sizeof(v))) != OCH_OK)
		return err;
	return strcmp(v, "added") == 0 ? OCH_OK : OCH_ECONFLICT;
}
