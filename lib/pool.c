/*
 * pool.c: claiming a warm pool server for an order, and the admin view
 * and settings of the pool (pool.h).  The upkeep is in poolrun.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hetzner.h"
#include "log.h"
#include "pool.h"

/*
 * The instance's own claim if it has one (a step that died after
 * claiming), else the oldest ready server that polled lately, claimed
 * in the same statement with its history event.
 */
static const struct db_stmt stmt_take = { "pool_take",
	"WITH mine AS (SELECT id FROM pool_servers"
	"  WHERE instance_id = $1::uuid AND state = 'claimed'),"
	" c AS (SELECT id FROM pool_servers WHERE state = 'ready'"
	"  AND plan = $2 AND location = $3 AND server_type = $4"
	"  AND image = $5 AND hetzner_server_id IS NOT NULL"
	"  AND last_seen_at > now() - make_interval(secs => $6::int)"
	"  AND NOT EXISTS (SELECT 1 FROM mine)"
	"  ORDER BY ready_at, id LIMIT 1 FOR UPDATE SKIP LOCKED),"
	" u AS (UPDATE pool_servers p SET state = 'claimed',"
	"  instance_id = $1::uuid, claimed_at = now() FROM c"
	"  WHERE p.id = c.id AND p.state = 'ready'"
	"  RETURNING p.id, p.hetzner_server_id, host(p.ipv4) AS ip4, p.ipv6),"
	" ev AS (INSERT INTO instance_events (instance_id, kind, message,"
	"  actor) SELECT $1::uuid, 'pool.claimed', 'pool server ' || u.id ||"
	"  ' (server ' || u.hetzner_server_id || ') claimed', 'poller'"
	"  FROM u)"
	" SELECT id, hetzner_server_id, host(ipv4), ipv6 FROM pool_servers"
	"  WHERE id IN (SELECT id FROM mine)"
	" UNION ALL SELECT id, hetzner_server_id, ip4, ipv6 FROM u" };
static const struct db_stmt stmt_vanished = { "pool_vanished",
	"UPDATE pool_servers SET state = 'gone', gone_at = now(),"
	" last_error = 'gone at the provider when claimed'"
	" WHERE id = $1::bigint AND state = 'claimed'" };

static const struct db_stmt stmt_settings = { "pool_settings",
	"SELECT max_servers, max_monthly_cents, max_age_hours"
	" FROM pool_settings" };
static const struct db_stmt stmt_targets = { "pool_targets",
	"SELECT t.plan, t.region, t.target, t.monthly_cents,"
	" count(p.id) FILTER (WHERE p.state = 'warming'),"
	" count(p.id) FILTER (WHERE p.state = 'ready'),"
	" count(p.id) FILTER (WHERE p.state IN ('bad', 'recycling')),"
	" count(p.id) FILTER (WHERE p.state = 'claimed'"
	"  AND p.claimed_at > now() - interval '1 day'),"
	" pl.image"
	" FROM pool_targets t JOIN plans pl ON pl.name = t.plan"
	" LEFT JOIN pool_servers p ON p.plan = t.plan AND p.region = t.region"
	" GROUP BY t.plan, t.region, pl.image ORDER BY t.plan, t.region" };
/* what lives at the provider and counts against the caps */
#define POOL_LIVE "state IN ('warming', 'ready', 'bad', 'recycling')"
static const struct db_stmt stmt_totals = { "pool_totals",
	"SELECT count(*) FILTER (WHERE " POOL_LIVE "),"
	" coalesce(sum(monthly_cents) FILTER (WHERE " POOL_LIVE "), 0),"
	" count(*) FILTER (WHERE state = 'claimed'"
	"  AND claimed_at > now() - interval '1 day')"
	" FROM pool_servers" };
static const struct db_stmt stmt_set = { "pool_set",
	"UPDATE pool_settings SET"
	" max_servers = coalesce($1::int, max_servers),"
	" max_monthly_cents = coalesce($2::int, max_monthly_cents),"
	" max_age_hours = coalesce($3::int, max_age_hours), updated_at = now()" };
static const struct db_stmt stmt_target_put = { "pool_target_put",
	"INSERT INTO pool_targets (plan, region, target, monthly_cents)"
	" VALUES ($1, $2, $3::int, coalesce($4::int, 0))"
	" ON CONFLICT (plan, region) DO UPDATE SET target = EXCLUDED.target,"
	" monthly_cents = coalesce($4::int, pool_targets.monthly_cents),"
	" updated_at = now()" };

enum och_err
pool_take(struct db *db, struct hz *hz, int stale_s, const char *id,
    const char *name,
    const char *plan, const char *location, const char *server_type,
    const char *image, struct hz_server *srv, struct prov_err *e)
{
	PGresult	*res;
	cJSON		*body, *labels, *root = NULL;
	const char	*p[6];
	char		 stale[16], *path;
	enum och_err	 err;

	hcl_perr_init(e, "hetzner");
	snprintf(stale, sizeof(stale), "%d", stale_s);
	p[0] = id;
	p[1] = plan;
	p[2] = location;
	p[3] = server_type;
	p[4] = image;
	p[5] = stale;
	if ((res = db_exec(db, &stmt_take, 6, p, &err)) == NULL)
		return err == OCH_ECONFLICT ? OCH_EDB : err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return OCH_ENOTFOUND;
	}
	memset(srv, 0, sizeof(*srv));
	srv->id = db_int(res, 0, 1);
	snprintf(srv->ipv4, sizeof(srv->ipv4), "%s",
	    db_val(res, 0, 2) ? db_val(res, 0, 2) : "");
	snprintf(srv->ipv6, sizeof(srv->ipv6), "%s",
	    db_val(res, 0, 3) ? db_val(res, 0, 3) : "");
	log_info("instance %s: pool server %s (server %" PRId64 ") claimed",
	    id, db_val(res, 0, 0), srv->id);

	/* rename and label: from now on the instance owns it */
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "name", name);
	labels = cJSON_AddObjectToObject(body, "labels");
	cJSON_AddStringToObject(labels, HZ_LABEL, id);
	cJSON_AddStringToObject(labels, POOL_LABEL, db_val(res, 0, 0));
	path = xasprintf("/servers/%" PRId64, srv->id);
	err = hz_request(hz, "PUT", path, body, 1, &root, e);
	free(path);
	cJSON_Delete(body);
	if (err == OCH_ENOTFOUND) {
		/* deleted behind our back: let the next try take another */
		p[0] = db_val(res, 0, 0);
		(void)db_run(db, &stmt_vanished, 1, p, NULL);
		hcl_perr_set(e, OCH_EUPSTREAM, 1, "pool_server_gone",
		    "the claimed pool server no longer exists");
		err = e->err;
	} else if (err == OCH_OK && hz_parse_server(
	    cJSON_GetObjectItemCaseSensitive(root, "server"), srv) == -1)
		err = hcl_perr_bad_response(e, "hetzner update server",
		    "server");
	cJSON_Delete(root);
	PQclear(res);
	return err;
}

static void
num(cJSON *o, const char *k, const PGresult *res, int row, int col)
{
	cJSON_AddNumberToObject(o, k, (double)db_int(res, row, col));
}

cJSON *
pool_json(struct db *db)
{
	PGresult	*s = NULL, *t = NULL, *tot = NULL;
	cJSON		*o = NULL, *a, *x;
	long long	 live, spend, maxs, maxc;
	int		 i;

	if ((s = db_exec(db, &stmt_settings, 0, NULL, NULL)) == NULL ||
	    PQntuples(s) != 1 ||
	    (t = db_exec(db, &stmt_targets, 0, NULL, NULL)) == NULL ||
	    (tot = db_exec(db, &stmt_totals, 0, NULL, NULL)) == NULL)
		goto out;
	o = cJSON_CreateObject();
	num(o, "max_servers", s, 0, 0);
	num(o, "max_monthly_cents", s, 0, 1);
	num(o, "max_age_hours", s, 0, 2);
	num(o, "servers", tot, 0, 0);
	num(o, "monthly_cents", tot, 0, 1);
	num(o, "claimed_last_day", tot, 0, 2);
	maxs = db_int(s, 0, 0);
	maxc = db_int(s, 0, 1);
	live = db_int(tot, 0, 0);
	spend = db_int(tot, 0, 1);
	a = cJSON_AddArrayToObject(o, "targets");
	for (i = 0; i < PQntuples(t); i++) {
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "plan", db_val(t, i, 0));
		cJSON_AddStringToObject(x, "region", db_val(t, i, 1));
		num(x, "target", t, i, 2);
		num(x, "monthly_cents", t, i, 3);
		num(x, "warming", t, i, 4);
		num(x, "ready", t, i, 5);
		num(x, "discarding", t, i, 6);
		num(x, "claimed_last_day", t, i, 7);
		/* what its new servers boot: the plan's current image */
		if (db_val(t, i, 8) != NULL)
			cJSON_AddStringToObject(x, "image", db_val(t, i, 8));
		else
			cJSON_AddNullToObject(x, "image");
		/* short of its target and the caps stop the next one */
		cJSON_AddBoolToObject(x, "capped", db_int(t, i, 4) +
		    db_int(t, i, 5) < db_int(t, i, 2) && (live >= maxs ||
		    spend + db_int(t, i, 3) > maxc));
		cJSON_AddItemToArray(a, x);
	}
out:
	PQclear(s);
	PQclear(t);
	PQclear(tot);
	return o;
}

/* An optional integer member in [lo, hi] as text in buf; NULL if absent. */
static const char *
opt_int(const cJSON *j, const char *k, long lo, long hi, char *buf,
    size_t sz, int *bad)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(j, k);

	if (v == NULL)
		return NULL;
	if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long)v->valuedouble
	    || v->valuedouble < lo || v->valuedouble > hi) {
		*bad = 1;
		return NULL;
	}
	snprintf(buf, sz, "%ld", (long)v->valuedouble);
	return buf;
}

enum och_err
pool_configure(struct db *db, const cJSON *j, const char **why)
{
	const cJSON	*ts, *t, *pl, *rg;
	const char	*p[4];
	char		 b[4][24];
	enum och_err	 err = OCH_OK;
	int		 bad = 0;

	*why = NULL;
	if (!cJSON_IsObject(j)) {
		*why = "expected an object";
		return OCH_EINVAL;
	}
	p[0] = opt_int(j, "max_servers", 0, 1000, b[0], sizeof(b[0]), &bad);
	p[1] = opt_int(j, "max_monthly_cents", 0, 100000000, b[1],
	    sizeof(b[1]), &bad);
	p[2] = opt_int(j, "max_age_hours", 1, 24 * 365, b[2], sizeof(b[2]),
	    &bad);
	ts = cJSON_GetObjectItemCaseSensitive(j, "targets");
	if (bad || (ts != NULL && (!cJSON_IsArray(ts) ||
	    cJSON_GetArraySize(ts) > 200))) {
		*why = "max_servers 0..1000, max_monthly_cents 0..100000000, "
		    "max_age_hours 1..8760, targets an array";
		return OCH_EINVAL;
	}
	cJSON_ArrayForEach(t, ts) {
		pl = cJSON_GetObjectItemCaseSensitive(t, "plan");
		rg = cJSON_GetObjectItemCaseSensitive(t, "region");
		if (!cJSON_IsString(pl) || !cJSON_IsString(rg) ||
		    strlen(pl->valuestring) > 32 ||
		    strlen(rg->valuestring) > 32 ||
		    opt_int(t, "target", 0, 100, b[3], sizeof(b[3]), &bad) ==
		    NULL || bad ||
		    (opt_int(t, "monthly_cents", 0, 1000000, b[3],
		    sizeof(b[3]), &bad), bad)) {
			*why = "a target is {\"plan\",\"region\",\"target\" "
			    "0..100[,\"monthly_cents\" 0..1000000]}";
			return OCH_EINVAL;
		}
	}
	if (db_begin(db) < 0)
		return OCH_EDB;
	if ((err = db_run(db, &stmt_set, 3, p, NULL)) != OCH_OK)
		goto fail;
	cJSON_ArrayForEach(t, ts) {
		p[0] = cJSON_GetObjectItemCaseSensitive(t, "plan")->valuestring;
		p[1] = cJSON_GetObjectItemCaseSensitive(t, "region")->
		    valuestring;
		p[2] = opt_int(t, "target", 0, 100, b[2], sizeof(b[2]), &bad);
		p[3] = opt_int(t, "monthly_cents", 0, 1000000, b[3],
		    sizeof(b[3]), &bad);
		if ((err = db_run(db, &stmt_target_put, 4, p, NULL)) !=
		    OCH_OK) {
			if (err == OCH_EINVAL)
				*why = "unknown plan or region";
			goto fail;
		}
	}
	if (db_commit(db) < 0)
		return OCH_EDB;
	return OCH_OK;
fail:
	db_rollback(db);
	return err;
}
