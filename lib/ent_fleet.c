/*
 * ent_fleet.c: the operators' reads over the whole fleet (ent.h): the
 * instance list (a fixed set of prepared orders, no SQL built from
 * input), the audit log, and the fleet's statistics.
 *
 * The instance list's default order (newest first) walks the
 * instances_created index, so the first pages stay fast at 100,000 rows,
 * and `after` (keyset: the page after that instance) keeps the deep ones
 * fast too (bench/admin).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ent_fleet.h"

#define TS(col) ENT_TS(col)

/*
 * The search: $1 state, $2 free text (id, service id, address exactly;
 * slug or hostname, owner's email as a substring: read only then), $3
 * the DNS domain, $4 plan, $5 region, $6 OpenClaw version.
 */
#define SEARCH \
	" WHERE ($1::text IS NULL OR i.state = $1)" \
	" AND ($4::text IS NULL OR i.plan = $4)" \
	" AND ($5::text IS NULL OR i.region = $5)" \
	" AND ($6::text IS NULL OR i.openclaw_version = $6)" \
	" AND ($2::text IS NULL" \
	"  OR i.id::text = lower($2) OR i.whmcs_service_id::text = $2" \
	"  OR host(i.ipv4) = $2" \
	"  OR position(lower($2) in i.slug || '.' || $3) > 0" \
	"  OR position(lower($2) in (SELECT e.email FROM users e" \
	"   WHERE e.id = i.user_id)) > 0)"
/*
 * One order: by offset ($8), and by keyset after the instance $8 (the
 * rows that follow the cursor row in that order: `after`), which costs
 * the same on page 2,000 as on page 1 where an index serves the order
 * (created, the default; slug): the cursor's values are scalar subqueries
 * (evaluated once), so the row comparison is the index scan's start.
 * Every order is total (id breaks ties).
 */
#define LIST(name, order, follows) { "ent_fleet_list_" name, \
	"SELECT " INST_COLUMNS ", i.failed_state, " \
	TS("i.next_attempt_at") INST_FROM SEARCH \
	" ORDER BY " order " LIMIT $7::integer OFFSET $8::integer" }, \
	{ "ent_fleet_list_" name "_k", \
	"SELECT " INST_COLUMNS ", i.failed_state, " \
	TS("i.next_attempt_at") INST_FROM SEARCH " AND " follows \
	" ORDER BY " order " LIMIT $7::integer" }
/* the cursor row's column */
#define C(col) "(SELECT c." col " FROM instances c WHERE c.id = $8::uuid)"
/* (col, created_at, id) after the cursor's in the order col, created DESC */
#define THEN_NEWER(col, cmp) "(i." col " " cmp " " C(col) " OR (i." col \
	" = " C(col) " AND (i.created_at, i.id) < (" C("created_at") \
	", $8::uuid)))"

static const struct {
	const char	*key;
	struct db_stmt	 asc, asc_k, desc, desc_k;
} sorts[] = {
	{ "created", LIST("created_a", "i.created_at, i.id",
	    "(i.created_at, i.id) > (" C("created_at") ", $8::uuid)"),
	    LIST("created_d", "i.created_at DESC, i.id DESC",
	    "(i.created_at, i.id) < (" C("created_at") ", $8::uuid)") },
	{ "updated", LIST("updated_a", "i.updated_at, i.id",
	    "(i.updated_at, i.id) > (" C("updated_at") ", $8::uuid)"),
	    LIST("updated_d", "i.updated_at DESC, i.id DESC",
	    "(i.updated_at, i.id) < (" C("updated_at") ", $8::uuid)") },
	{ "slug", LIST("slug_a", "i.slug", "i.slug > " C("slug")),
	    LIST("slug_d", "i.slug DESC", "i.slug < " C("slug")) },
	{ "state", LIST("state_a", "i.state, i.created_at DESC, i.id DESC",
	    THEN_NEWER("state", ">")),
	    LIST("state_d", "i.state DESC, i.created_at DESC, i.id DESC",
	    THEN_NEWER("state", "<")) },
	{ "plan", LIST("plan_a", "i.plan, i.created_at DESC, i.id DESC",
	    THEN_NEWER("plan", ">")),
	    LIST("plan_d", "i.plan DESC, i.created_at DESC, i.id DESC",
	    THEN_NEWER("plan", "<")) },
	{ "region", LIST("region_a", "i.region, i.created_at DESC, i.id DESC",
	    THEN_NEWER("region", ">")),
	    LIST("region_d", "i.region DESC, i.created_at DESC, i.id DESC",
	    THEN_NEWER("region", "<")) },
};
#undef LIST
#undef C
#undef THEN_NEWER

/* no join: the owner's email is read only when there is a search */
static const struct db_stmt stmt_count = { "ent_fleet_count",
	"SELECT count(*) FROM instances i" SEARCH };
#undef SEARCH

static const struct db_stmt stmt_audit = { "ent_fleet_audit",
	"SELECT id, " TS("at") ", actor_kind, actor_id, action,"
	" object_kind, object_id, remote_addr, request_id, status,"
	" detail::text FROM audit_log WHERE ($1::text IS NULL OR object_id = $1)"
	" AND ($2::text IS NULL OR actor_id = $2"
	"  OR actor_kind || ':' || coalesce(actor_id, '') = $2)"
	" AND ($3::text IS NULL OR action = $3 OR (right($3, 1) = '.'"
	"  AND left(action, length($3)) = $3))"
	" AND ($4::bigint IS NULL OR id < $4::bigint)"
	" AND ($6::timestamptz IS NULL OR at >= $6::timestamptz)"
	" AND ($7::timestamptz IS NULL OR at < $7::timestamptz)"
	" ORDER BY id DESC LIMIT $5::integer" };

/* (dimension, key, count) rows: states over all instances, the rest over
 * those not terminated */
static const struct db_stmt stmt_counts = { "ent_fleet_counts",
	"SELECT 'state', state, count(*) FROM instances GROUP BY state"
	" UNION ALL SELECT 'region', region, count(*) FROM instances"
	"  WHERE state <> 'terminated' GROUP BY region"
	" UNION ALL SELECT 'plan', plan, count(*) FROM instances"
	"  WHERE state <> 'terminated' GROUP BY plan"
	" UNION ALL SELECT 'version', coalesce(openclaw_version, ''), count(*)"
	"  FROM instances WHERE state <> 'terminated'"
	"  GROUP BY coalesce(openclaw_version, '')"
	" ORDER BY 1, 3 DESC, 2" };
/* in a moving state and untouched for 15 minutes */
static const struct db_stmt stmt_stuck = { "ent_fleet_stuck",
	"SELECT count(*) FROM instances WHERE state NOT IN ('active',"
	" 'suspended', 'terminated', 'failed')"
	" AND updated_at < now() - interval '15 minutes'" };
static const struct db_stmt stmt_daily = { "ent_fleet_daily",
	"SELECT to_char(d.day, 'YYYY-MM-DD'),"
	" (SELECT count(*) FROM instances i WHERE i.created_at >= d.day"
	"  AND i.created_at < d.day + 1),"
	" (SELECT count(*) FROM instance_events e WHERE e.to_state = 'failed'"
	"  AND e.at >= d.day AND e.at < d.day + 1),"
	" (SELECT count(*) FROM instance_events e"
	"  WHERE e.to_state = 'terminated' AND e.at >= d.day"
	"  AND e.at < d.day + 1)"
	" FROM (SELECT (current_date - g)::date AS day"
	"  FROM generate_series(29, 0, -1) g) d ORDER BY d.day" };

/*
 * Hetzner's request budget: the newest any poller saw (one project, one
 * budget: schema/160_hetzner_budget.sql).  Column 4: seconds until reset.
 */
static const struct db_stmt stmt_budget = { "ent_fleet_budget",
	"SELECT hetzner_limit, hetzner_remaining, " TS("hetzner_reset_at")
	", " TS("hetzner_seen_at") ", greatest(0, ceil(extract(epoch FROM"
	" hetzner_reset_at - now())))::bigint, mode || '@' || host"
	" FROM poller_heartbeats WHERE hetzner_seen_at IS NOT NULL"
	" ORDER BY hetzner_seen_at DESC LIMIT 1" };

/* the list's columns after INST_COLUMNS */
static const struct ent_col list_cols[] = { { "failed_state", 's' },
	{ "next_attempt_at", 's' } };
static const struct ent_col audit_cols[] = { { "id", 'i' }, { "at", 's' },
	{ "actor_kind", 's' }, { "actor_id", 's' }, { "action", 's' },
	{ "object_kind", 's' }, { "object_id", 's' },
	{ "remote_addr", 's' }, { "request_id", 's' }, { "status", 'i' },
	{ "detail", 'j' } };
static const struct ent_col budget_cols[] = { { "limit", 'i' },
	{ "remaining", 'i' }, { "reset_at", 's' }, { "seen_at", 's' },
	{ "reset_in_seconds", 'i' }, { "poller", 's' } };

int
ent_fleet_sort_known(const char *key)
{
	size_t	k;

	for (k = 0; k < OCH_NELEM(sorts); k++)
		if (strcmp(key, sorts[k].key) == 0)
			return 1;
	return 0;
}

/* The statement of q's order. */
static const struct db_stmt *
list_stmt(const struct ent_fleet_q *q)
{
	size_t	 k = 0;
	int	 asc = q->dir != NULL && strcmp(q->dir, "asc") == 0;

	if (q->sort != NULL)
		for (k = 0; k < OCH_NELEM(sorts) - 1; k++)
			if (strcmp(q->sort, sorts[k].key) == 0)
				break;
	if (q->after != NULL)
		return asc ? &sorts[k].asc_k : &sorts[k].desc_k;
	return asc ? &sorts[k].asc : &sorts[k].desc;
}

/* The answer: the page of res (limit + 1 rows at most), cnt's total. */
static cJSON *
list_json(const struct cfg *c, const PGresult *res, const PGresult *cnt,
    const struct ent_fleet_q *q)
{
	cJSON		*root, *arr, *o;
	int		 i, n;

	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "instances");
	n = PQntuples(res) > q->limit ? (int)q->limit : PQntuples(res);
	for (i = 0; i < n; i++) {
		o = inst_json(res, i, c);
		ent_cols_add(o, res, i, INST_NCOLS, list_cols,
		    OCH_NELEM(list_cols));
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddNumberToObject(root, "total", (double)db_int(cnt, 0, 0));
	cJSON_AddNumberToObject(root, "limit", (double)q->limit);
	cJSON_AddNumberToObject(root, "offset", (double)q->offset);
	/* the cursor of the next page: this one's last row, if one follows */
	if (PQntuples(res) > q->limit)
		cJSON_AddStringToObject(root, "next_after",
		    db_val(res, n - 1, INST_COL_ID));
	else
		cJSON_AddNullToObject(root, "next_after");
	return root;
}

enum och_err
ent_fleet_list(struct db *db, const struct cfg *c,
    const struct ent_fleet_q *q, cJSON **out)
{
	PGresult	*res = NULL, *cnt = NULL;
	const char	*p[8];
	char		 lb[24], ob[24];
	enum och_err	 err = OCH_OK;

	*out = NULL;
	/* one more than asked: whether a next page exists */
	snprintf(lb, sizeof(lb), "%lld", (long long)q->limit + 1);
	snprintf(ob, sizeof(ob), "%lld", (long long)q->offset);
	p[0] = q->state;
	p[1] = q->q;
	p[2] = cfg_str(c, CFG_CLOUDFLARE_DOMAIN, "och.test");
	p[3] = q->plan;
	p[4] = q->region;
	p[5] = q->version;
	p[6] = lb;
	/* with after, offset only numbers the page (echoed for the client) */
	p[7] = q->after != NULL ? q->after : ob;
	if ((res = db_exec(db, list_stmt(q), 8, p, &err)) != NULL &&
	    (cnt = db_exec(db, &stmt_count, 6, p, &err)) != NULL)
		*out = list_json(c, res, cnt, q);
	PQclear(res);
	PQclear(cnt);
	return err;
}

enum och_err
ent_fleet_audit(struct db *db, const struct ent_audit_q *q, cJSON **out)
{
	PGresult	*res;
	cJSON		*arr;
	const char	*p[7];
	char		 bb[24], lb[24];
	enum och_err	 err;
	int		 n;

	*out = NULL;
	snprintf(bb, sizeof(bb), "%lld", (long long)q->before_id);
	snprintf(lb, sizeof(lb), "%lld", (long long)q->limit + 1);
	p[0] = q->object_id;
	p[1] = q->actor;
	p[2] = q->action;
	p[3] = q->before_id > 0 ? bb : NULL;
	p[4] = lb;
	p[5] = q->since;
	p[6] = q->until;
	if ((res = db_exec(db, &stmt_audit, 7, p, &err)) == NULL)
		return err;
	*out = cJSON_CreateObject();
	arr = ent_rows_json(res, 0, audit_cols, OCH_NELEM(audit_cols));
	n = PQntuples(res);
	if (n > q->limit) {
		/* one more than asked: there is a next page */
		cJSON_DeleteItemFromArray(arr, n - 1);
		cJSON_AddNumberToObject(*out, "next_before_id",
		    (double)db_int(res, n - 2, 0));
	} else
		cJSON_AddNullToObject(*out, "next_before_id");
	cJSON_AddItemToObject(*out, "entries", arr);
	PQclear(res);
	return OCH_OK;
}

/* The counts (stmt_counts: dimension, key, count) into root's by_*. */
static void
stats_counts(cJSON *root, const PGresult *c)
{
	static const char *const dims[] = { "state", "region", "plan",
	    "version" };
	cJSON		*by[4];
	char		 name[16];
	int64_t		 total = 0;
	size_t		 k;
	int		 i;

	cJSON_AddNumberToObject(root, "total", 0);
	for (k = 0; k < OCH_NELEM(dims); k++) {
		snprintf(name, sizeof(name), "by_%s", dims[k]);
		by[k] = cJSON_AddObjectToObject(root, name);
	}
	for (i = 0; i < PQntuples(c); i++)
		for (k = 0; k < OCH_NELEM(dims); k++)
			if (strcmp(db_val(c, i, 0), dims[k]) == 0) {
				cJSON_AddNumberToObject(by[k], db_val(c, i, 1),
				    (double)db_int(c, i, 2));
				if (k == 0)
					total += db_int(c, i, 2);
			}
	cJSON_SetNumberValue(cJSON_GetObjectItem(root, "total"),
	    (double)total);
}

/* The days (stmt_daily) into root's "daily". */
static void
stats_daily(cJSON *root, const PGresult *d)
{
	cJSON	*arr, *o;
	int	 i;

	arr = cJSON_AddArrayToObject(root, "daily");
	for (i = 0; i < PQntuples(d); i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "day", db_val(d, i, 0));
		cJSON_AddNumberToObject(o, "orders", (double)db_int(d, i, 1));
		cJSON_AddNumberToObject(o, "failures", (double)db_int(d, i, 2));
		cJSON_AddNumberToObject(o, "terminations",
		    (double)db_int(d, i, 3));
		cJSON_AddItemToArray(arr, o);
	}
}

enum och_err
ent_fleet_stats(struct db *db, cJSON **out)
{
	PGresult	*c = NULL, *s = NULL, *d = NULL, *b = NULL;
	cJSON		*o;
	enum och_err	 err = OCH_OK;

	*out = NULL;
	if ((c = db_exec(db, &stmt_counts, 0, NULL, &err)) == NULL ||
	    (s = db_exec(db, &stmt_stuck, 0, NULL, &err)) == NULL ||
	    (d = db_exec(db, &stmt_daily, 0, NULL, &err)) == NULL ||
	    (b = db_exec(db, &stmt_budget, 0, NULL, &err)) == NULL)
		goto out;
	*out = cJSON_CreateObject();
	stats_counts(*out, c);
	cJSON_AddNumberToObject(*out, "stuck", (double)db_int(s, 0, 0));
	stats_daily(*out, d);
	/* null until a poller has had an answer from Hetzner */
	if (PQntuples(b) == 1) {
		o = cJSON_AddObjectToObject(*out, "hetzner_budget");
		ent_cols_add(o, b, 0, 0, budget_cols, OCH_NELEM(budget_cols));
	} else
		cJSON_AddNullToObject(*out, "hetzner_budget");
out:
	PQclear(c);
	PQclear(s);
	PQclear(d);
	PQclear(b);
	return err;
}
