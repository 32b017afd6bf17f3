/*
 * admin_fleet.c: the admin.fcgi reads over the whole fleet (docs/api.md).
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
 * The statements and the answers' shapes: lib/ent_fleet.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "audit.h"
#include "ent_fleet.h"
#include "inst.h"
#include "valid.h"

/*
 * The instance states, as schema/001_core.sql's CHECK has them (the
 * webapp's consistency test compares this list with the schema).
 */
static const char *const states[] = { "pending", "creating", "booting",
    "active", "suspending", "suspended", "resuming", "resizing",
    "rebooting", "rebuilding", "terminating", "terminated", "failed" };

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
 * Read r's query into lq (zeroed by the caller; list_free() after).
 * Returns NULL, or the message of a 400.
 */
static const char *
list_parse(const struct req *r, struct list_q *lq)
{
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
	if (lq->sort != NULL && !ent_fleet_sort_known(lq->sort))
		return "sort: created, updated, slug, state, plan or region";
	return NULL;
}

void
adm_h_list(struct req *r)
{
	static const char *const action = "admin.instance.list";
	struct list_q	 lq = { 0 };
	struct ent_fleet_q q;
	const char	*bad;
	cJSON		*o;
	enum och_err	 err;

	if ((bad = list_parse(r, &lq)) != NULL) {
		adm_fail(r, action, NULL, NULL, OCH_EINVAL, bad);
		goto out;
	}
	q = (struct ent_fleet_q){ lq.state, lq.q, lq.plan, lq.region, lq.ver,
	    lq.sort, lq.dir, lq.after, lq.limit, lq.offset };
	if ((err = ent_fleet_list(r->app->db, &r->app->cfg, &q, &o)) !=
	    OCH_OK) {
		adm_fail(r, action, NULL, NULL, err, NULL);
		goto out;
	}
	resp_json(r, 200, o);
	audit_req(r, action, NULL, NULL, 200, NULL);
out:
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
	struct ent_audit_q q;
	cJSON		*root;
	char		*obj = NULL, *who = NULL, *what = NULL, *since = NULL;
	char		*until = NULL;
	int64_t		 limit, before;
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
	q = (struct ent_audit_q){ obj, who, what, since, until, limit,
	    before };
	if ((err = ent_fleet_audit(r->app->db, &q, &root)) != OCH_OK) {
		/* the only value the database can refuse is a time */
		adm_fail(r, action, NULL, NULL, err, err == OCH_EINVAL ?
		    "since or until: not a time" : NULL);
		goto out;
	}
	resp_json(r, 200, root);
	audit_req(r, action, NULL, NULL, 200, NULL);
out:
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
	cJSON		*root;
	enum och_err	 err;

	if ((err = ent_fleet_stats(r->app->db, &root)) != OCH_OK) {
		adm_fail(r, "admin.stats", NULL, NULL, err, NULL);
		return;
	}
	resp_json(r, 200, root);
	audit_req(r, "admin.stats", NULL, NULL, 200, NULL);
}
