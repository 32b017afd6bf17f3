/*
 * admin_fleet.c: the admin.fcgi reads over the whole fleet (DESIGN §6).
 *
 *   GET /api/v1/admin/instances?q=&state=&plan=&region=&version=
 *                              &sort=&dir=&limit=&offset=&after=
 *   GET /api/v1/admin/audit?object_id=&actor=&action=&since=&until=
 *                          &limit=&before_id=
 *   GET /api/v1/admin/stats    counts by state, region, plan and version;
 *                              stuck instances; orders, failures and
 *                              terminations per day for 30 days;
 *                              Hetzner's request budget as a poller
 *                              last saw it
 *
 * The instance list's order is one of a fixed set of prepared statements
 * (no SQL is built from input); the default (newest first) walks the
 * instances_created index, so the first pages stay fast at 100,000 rows,
 * and `after` (keyset: the page after that instance) keeps the deep ones
 * fast too (bench/admin).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "audit.h"
#include "inst.h"
#include "valid.h"

/*
 * The instance states, as schema/001_core.sql's CHECK has them (the
 * webapp's consistency test compares this list with the schema).
 */
static const char *const states[] = { "pending", "creating", "booting",
    "active", "suspending", "suspended", "resuming", "resizing",
    "rebooting", "rebuilding", "terminating", "terminated", "failed" };

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
#define LIST(name, order, follows) { "adm_list_" name, \
	"SELECT " INST_COLUMNS ", i.failed_state, " \
	ADM_TS("i.next_attempt_at") INST_FROM SEARCH \
	" ORDER BY " order " LIMIT $7::integer OFFSET $8::integer" }, \
	{ "adm_list_" name "_k", \
	"SELECT " INST_COLUMNS ", i.failed_state, " \
	ADM_TS("i.next_attempt_at") INST_FROM SEARCH " AND " follows \
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
static const struct db_stmt stmt_count = { "adm_count",
	"SELECT count(*) FROM instances i" SEARCH };
#undef SEARCH

static const struct db_stmt stmt_audit = { "adm_audit",
	"SELECT id, " ADM_TS("at") ", actor_kind, actor_id, action,"
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
static const struct db_stmt stmt_counts = { "adm_stat_counts",
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
static const struct db_stmt stmt_stuck = { "adm_stat_stuck",
	"SELECT count(*) FROM instances WHERE state NOT IN ('active',"
	" 'suspended', 'terminated', 'failed')"
	" AND updated_at < now() - interval '15 minutes'" };
static const struct db_stmt stmt_daily = { "adm_stat_daily",
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
static const struct db_stmt stmt_budget = { "adm_stat_budget",
	"SELECT hetzner_limit, hetzner_remaining, " ADM_TS("hetzner_reset_at")
	", " ADM_TS("hetzner_seen_at") ", greatest(0, ceil(extract(epoch FROM"
	" hetzner_reset_at - now())))::bigint, mode || '@' || host"
	" FROM poller_heartbeats WHERE hetzner_seen_at IS NOT NULL"
	" ORDER BY hetzner_seen_at DESC LIMIT 1" };

/* ---- instances ------------------------------------------------------ */

/* state is NULL or one of states[]: 1, else 0. */
static int
known_state(const char *state)
{
	size_t	k;

	if (state == NULL)
		return 1;
	for (k = 0; k < OCH_NELEM(states); k++)
		if (strcmp(state, states[k]) == 0)
			return 1;
	return 0;
}

/* The instance list's query, read from the request. */
struct list_q {
	char		*state, *q, *plan, *region, *ver, *sort, *dir, *after;
	int64_t		 limit, offset;
	const struct db_stmt *st;
};

static void
list_free(struct list_q *lq)
{
	free(lq->state);
	free(lq->q);
	free(lq->plan);
	free(lq->region);
	free(lq->ver);
	free(lq->sort);
	free(lq->dir);
	free(lq->after);
}

/*
 * Read r's query into lq (zeroed by the caller; list_free() after) and
 * pick its statement.  Returns NULL, or the message of a 400.
 */
static const char *
list_parse(const struct req *r, struct list_q *lq)
{
	size_t	 k = 0;
	int	 asc;

	if (adm_q_text(r, "state", 16, &lq->state) < 0 ||
	    adm_q_text(r, "q", 254, &lq->q) < 0 ||
	    adm_q_text(r, "plan", 32, &lq->plan) < 0 ||
	    adm_q_text(r, "region", 32, &lq->region) < 0 ||
	    adm_q_text(r, "version", 32, &lq->ver) < 0 ||
	    adm_q_text(r, "sort", 16, &lq->sort) < 0 ||
	    adm_q_text(r, "dir", 4, &lq->dir) < 0 ||
	    adm_q_int(r, "limit", 1, 500, 50, &lq->limit) < 0 ||
	    adm_q_int(r, "offset", 0, INT32_MAX, 0, &lq->offset) < 0 ||
	    adm_q_text(r, "after", 36, &lq->after) < 0 ||
	    (lq->after != NULL && !valid_uuid(lq->after)))
		return "state, q, plan, region, version, sort, dir, limit "
		    "(1-500), offset or after (an instance id): invalid";
	if (!known_state(lq->state))
		return "state: not an instance state";
	if (lq->dir != NULL && strcmp(lq->dir, "asc") != 0 &&
	    strcmp(lq->dir, "desc") != 0)
		return "dir: asc or desc";
	if (lq->sort != NULL) {
		for (k = 0; k < OCH_NELEM(sorts); k++)
			if (strcmp(lq->sort, sorts[k].key) == 0)
				break;
		if (k == OCH_NELEM(sorts))
			return "sort: created, updated, slug, state, plan or "
			    "region";
	}
	asc = lq->dir != NULL && strcmp(lq->dir, "asc") == 0;
	if (lq->after != NULL)
		lq->st = asc ? &sorts[k].asc_k : &sorts[k].desc_k;
	else
		lq->st = asc ? &sorts[k].asc : &sorts[k].desc;
	return NULL;
}

/* The answer: the page of res (limit + 1 rows at most), cnt's total. */
static cJSON *
list_json(struct req *r, const PGresult *res, const PGresult *cnt,
    const struct list_q *lq)
{
	cJSON		*root, *arr, *o;
	const char	*v;
	int		 i, n;

	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "instances");
	n = PQntuples(res) > lq->limit ? (int)lq->limit : PQntuples(res);
	for (i = 0; i < n; i++) {
		o = inst_json(res, i, &r->app->cfg);
		v = db_val(res, i, INST_NCOLS);
		cJSON_AddItemToObject(o, "failed_state", v != NULL ?
		    cJSON_CreateString(v) : cJSON_CreateNull());
		cJSON_AddItemToObject(o, "next_attempt_at",
		    cJSON_CreateString(db_val(res, i, INST_NCOLS + 1)));
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddNumberToObject(root, "total", (double)db_int(cnt, 0, 0));
	cJSON_AddNumberToObject(root, "limit", (double)lq->limit);
	cJSON_AddNumberToObject(root, "offset", (double)lq->offset);
	/* the cursor of the next page: this one's last row, if one follows */
	if (PQntuples(res) > lq->limit)
		cJSON_AddStringToObject(root, "next_after",
		    db_val(res, n - 1, INST_COL_ID));
	else
		cJSON_AddNullToObject(root, "next_after");
	return root;
}

void
adm_h_list(struct req *r)
{
	static const char *const action = "admin.instance.list";
	struct list_q	 lq = { 0 };
	PGresult	*res = NULL, *cnt = NULL;
	const char	*p[8], *bad;
	char		 lb[24], ob[24];
	enum och_err	 err;

	if ((bad = list_parse(r, &lq)) != NULL) {
		adm_fail(r, action, NULL, NULL, OCH_EINVAL, bad);
		goto out;
	}
	/* one more than asked: whether a next page exists */
	snprintf(lb, sizeof(lb), "%lld", (long long)lq.limit + 1);
	snprintf(ob, sizeof(ob), "%lld", (long long)lq.offset);
	p[0] = lq.state;
	p[1] = lq.q;
	p[2] = cfg_str(&r->app->cfg, CFG_CLOUDFLARE_DOMAIN, "och.test");
	p[3] = lq.plan;
	p[4] = lq.region;
	p[5] = lq.ver;
	p[6] = lb;
	/* with after, offset only numbers the page (echoed for the client) */
	p[7] = lq.after != NULL ? lq.after : ob;
	if ((res = db_exec(r->app->db, lq.st, 8, p, &err)) == NULL ||
	    (cnt = db_exec(r->app->db, &stmt_count, 6, p, &err)) == NULL) {
		adm_fail(r, action, NULL, NULL, err, NULL);
		goto out;
	}
	resp_json(r, 200, list_json(r, res, cnt, &lq));
	audit_req(r, action, NULL, NULL, 200, NULL);
out:
	PQclear(res);
	PQclear(cnt);
	list_free(&lq);
}

/* ---- audit log ------------------------------------------------------ */

/*
 * Query parameter `name` as a time of the shape RFC 3339 gives
 * (2026-12-03T10:00:00.000Z): 10 to 32 bytes of digits and "-:.TZ+"; the
 * database checks the rest.  Into *out (NULL when absent; caller frees).
 * Returns 0, or -1 when it is not of that shape.
 */
static int
q_time(const struct req *r, const char *name, char **out)
{
	size_t	n;

	if (adm_q_text(r, name, 32, out) < 0)
		return -1;
	if (*out == NULL)
		return 0;
	n = strlen(*out);
	if (n >= 10 && strspn(*out, "0123456789-:.TZ+") == n)
		return 0;
	free(*out);
	*out = NULL;
	return -1;
}

/* GET /admin/audit: newest first, keyset pagination on before_id. */
void
adm_h_audit(struct req *r)
{
	static const char *const action = "admin.audit";
	static const struct ent_col cols[] = { { "id", 'i' }, { "at", 's' },
	    { "actor_kind", 's' }, { "actor_id", 's' }, { "action", 's' },
	    { "object_kind", 's' }, { "object_id", 's' },
	    { "remote_addr", 's' }, { "request_id", 's' }, { "status", 'i' },
	    { "detail", 'j' } };
	PGresult	*res = NULL;
	cJSON		*root, *arr;
	char		*obj = NULL, *who = NULL, *what = NULL, *since = NULL;
	char		*until = NULL, bb[24], lb[24];
	const char	*p[7];
	int64_t		 limit, before;
	int		 n;
	enum och_err	 err;

	if (adm_q_text(r, "object_id", 100, &obj) < 0 ||
	    adm_q_text(r, "actor", 100, &who) < 0 ||
	    adm_q_text(r, "action", 100, &what) < 0 ||
	    q_time(r, "since", &since) < 0 ||
	    q_time(r, "until", &until) < 0 ||
	    adm_q_int(r, "limit", 1, 500, 100, &limit) < 0 ||
	    adm_q_int(r, "before_id", 1, INT64_MAX, 0, &before) < 0) {
		adm_fail(r, action, NULL, NULL, OCH_EINVAL, "object_id, actor, "
		    "action, since, until (RFC 3339), limit (1-500) or "
		    "before_id: invalid");
		goto out;
	}
	snprintf(bb, sizeof(bb), "%lld", (long long)before);
	snprintf(lb, sizeof(lb), "%lld", (long long)limit + 1);
	p[0] = obj;
	p[1] = who;
	p[2] = what;
	p[3] = before > 0 ? bb : NULL;
	p[4] = lb;
	p[5] = since;
	p[6] = until;
	if ((res = db_exec(r->app->db, &stmt_audit, 7, p, &err)) == NULL) {
		/* the only value the database can refuse is a time */
		adm_fail(r, action, NULL, NULL, err, err == OCH_EINVAL ?
		    "since or until: not a time" : NULL);
		goto out;
	}
	root = cJSON_CreateObject();
	arr = ent_rows_json(res, 0, cols, OCH_NELEM(cols));
	n = PQntuples(res);
	if (n > limit) {
		/* one more than asked: there is a next page */
		cJSON_DeleteItemFromArray(arr, n - 1);
		cJSON_AddNumberToObject(root, "next_before_id",
		    (double)db_int(res, n - 2, 0));
	} else
		cJSON_AddNullToObject(root, "next_before_id");
	cJSON_AddItemToObject(root, "entries", arr);
	resp_json(r, 200, root);
	audit_req(r, action, NULL, NULL, 200, NULL);
out:
	PQclear(res);
	free(obj);
	free(who);
	free(what);
	free(since);
	free(until);
}

/* ---- statistics ----------------------------------------------------- */

void
adm_h_stats(struct req *r)
{
	static const char *const action = "admin.stats";
	static const char *const dims[] = { "state", "region", "plan",
	    "version" };
	static const struct ent_col budget[] = { { "limit", 'i' },
	    { "remaining", 'i' }, { "reset_at", 's' }, { "seen_at", 's' },
	    { "reset_in_seconds", 'i' }, { "poller", 's' } };
	PGresult	*c = NULL, *s = NULL, *d = NULL, *b = NULL;
	cJSON		*root, *by[4], *arr, *o;
	enum och_err	 err;
	int64_t		 total = 0;
	size_t		 k;
	int		 i;

	if ((c = db_exec(r->app->db, &stmt_counts, 0, NULL, &err)) == NULL ||
	    (s = db_exec(r->app->db, &stmt_stuck, 0, NULL, &err)) == NULL ||
	    (d = db_exec(r->app->db, &stmt_daily, 0, NULL, &err)) == NULL ||
	    (b = db_exec(r->app->db, &stmt_budget, 0, NULL, &err)) == NULL) {
		adm_fail(r, action, NULL, NULL, err, NULL);
		goto out;
	}
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "total", 0);
	for (k = 0; k < OCH_NELEM(dims); k++) {
		char	name[16];

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
	cJSON_AddNumberToObject(root, "stuck", (double)db_int(s, 0, 0));
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
	/* null until a poller has had an answer from Hetzner */
	if (PQntuples(b) == 1) {
		o = cJSON_AddObjectToObject(root, "hetzner_budget");
		ent_cols_add(o, b, 0, 0, budget, OCH_NELEM(budget));
	} else
		cJSON_AddNullToObject(root, "hetzner_budget");
	resp_json(r, 200, root);
	audit_req(r, action, NULL, NULL, 200, NULL);
out:
	PQclear(c);
	PQclear(s);
	PQclear(d);
	PQclear(b);
}
