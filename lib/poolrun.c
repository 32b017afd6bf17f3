/*
 * poolrun.c: the warm pool's upkeep (pool.h): discard, recycle, delete,
 * refill.  One poller at a time (a session advisory lock, released when
 * its connection ends, so a killed poller holds nothing).  Every server
 * is labelled och-pool=<row id> before the row records it, so a create
 * whose answer was lost is found again by label, never made twice.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cry.h"
#include "fleetnet.h"
#include "hetzner.h"
#include "log.h"
#include "pool.h"
#include "userdata.h"

#define POOL_BATCH	20	/* deletions and creations per pass */

struct pool {
	struct db		*db;
	const struct cfg	*cfg;
	struct hz		*hz;
	int			 capped_said;
};

static const struct db_stmt stmt_lock = { "pool_lock",
	"SELECT pg_try_advisory_lock(hashtext('och_pool'))" };
static const struct db_stmt stmt_unlock = { "pool_unlock",
	"SELECT pg_advisory_unlock(hashtext('och_pool'))" };
/* health: never reported in, or stopped polling */
static const struct db_stmt stmt_discard = { "pool_discard",
	"UPDATE pool_servers SET state = 'bad', last_error = CASE"
	" WHEN state = 'warming' THEN 'did not report in within '"
	"  || $1 || ' s' ELSE 'stopped polling' END"
	" WHERE (state = 'warming'"
	"  AND created_at < now() - make_interval(secs => $1::int))"
	" OR (state = 'ready'"
	"  AND last_seen_at < now() - make_interval(secs => $2::int))"
	" RETURNING id" };
static const struct db_stmt stmt_recycle = { "pool_recycle",
	"UPDATE pool_servers p SET state = 'recycling', last_error = CASE"
	" WHEN p.image <> pl.image THEN 'the plan has a new image'"
	" WHEN NOT pl.active THEN 'the plan is not sold'"
	" WHEN p.created_at < now() - make_interval(hours => s.max_age_hours)"
	"  THEN 'older than ' || s.max_age_hours || ' h'"
	" ELSE 'not wanted in this pool any more' END"
	" FROM plans pl, pool_settings s"
	" WHERE pl.name = p.plan AND p.state = 'ready' AND (p.image <> pl.image"
	"  OR NOT pl.active"
	"  OR p.created_at < now() - make_interval(hours => s.max_age_hours)"
	"  OR NOT EXISTS (SELECT 1 FROM pool_targets t WHERE t.plan = p.plan"
	"  AND t.region = p.region AND t.target > 0))"
	" RETURNING p.id, p.last_error" };
/* claimed, but its order ended before it took the server over */
static const struct db_stmt stmt_orphans = { "pool_orphans",
	"UPDATE pool_servers p SET state = 'recycling',"
	" last_error = 'its order ended before taking it over'"
	" FROM instances i WHERE i.id = p.instance_id AND p.state = 'claimed'"
	" AND i.state IN ('failed', 'terminated') AND NOT i.cleanup"
	" AND i.hetzner_server_id IS DISTINCT FROM p.hetzner_server_id"
	" RETURNING p.id" };
static const struct db_stmt stmt_doomed = { "pool_doomed",
	"SELECT id, hetzner_server_id FROM pool_servers"
	" WHERE state IN ('bad', 'recycling') ORDER BY id LIMIT $1::int" };
static const struct db_stmt stmt_gone = { "pool_gone",
	"UPDATE pool_servers SET state = 'gone', gone_at = now(),"
	" boot_token_hash = NULL, agent_token_hash = NULL"
	" WHERE id = $1::bigint AND state IN ('bad', 'recycling')" };
/* warming rows whose server is not recorded (a create that failed) */
static const struct db_stmt stmt_unborn = { "pool_unborn",
	"SELECT p.id, p.server_type, p.image, p.location, p.plan,"
	" pl.memory_mb, pl.openclaw_version FROM pool_servers p"
	" JOIN plans pl ON pl.name = p.plan"
	" WHERE p.state = 'warming' AND p.hetzner_server_id IS NULL"
	" ORDER BY p.id LIMIT $1::int" };
/*
 * ready rows whose server is not recorded: the create's answer was lost,
 * the server booted and reported in all the same (found by its label;
 * without its id it could be neither claimed nor deleted by id)
 */
static const struct db_stmt stmt_unrecorded = { "pool_unrecorded",
	"SELECT id FROM pool_servers WHERE state = 'ready'"
	" AND hetzner_server_id IS NULL ORDER BY id LIMIT $1::int" };
static const struct db_stmt stmt_need = { "pool_need",
	"SELECT t.plan, t.region, coalesce(a.location, r.location),"
	" coalesce(pt.server_type, pl.server_type), pl.image, t.monthly_cents,"
	" t.target - (SELECT count(*) FROM pool_servers p WHERE p.plan = t.plan"
	"  AND p.region = t.region AND p.state IN ('warming', 'ready'))"
	" FROM pool_targets t JOIN plans pl ON pl.name = t.plan AND pl.active"
	" JOIN regions r ON r.name = t.region AND r.active"
	" LEFT JOIN regions a ON a.name = r.alias_of"
	" LEFT JOIN plan_server_types pt ON pt.plan = t.plan"
	"  AND pt.location = coalesce(a.location, r.location)"
	" WHERE t.target > 0 ORDER BY t.plan, t.region" };
#define LIVE "state IN ('warming', 'ready', 'bad', 'recycling')"
/* a new row, only inside the caps */
static const struct db_stmt stmt_add = { "pool_add",
	"INSERT INTO pool_servers (plan, region, location, server_type, image,"
	" monthly_cents) SELECT $1, $2, $3, $4, $5, $6::int"
	" FROM pool_settings s WHERE (SELECT count(*) FROM pool_servers"
	"  WHERE " LIVE ") < s.max_servers"
	" AND (SELECT coalesce(sum(monthly_cents), 0) FROM pool_servers"
	"  WHERE " LIVE ") + $6::int <= s.max_monthly_cents"
	" RETURNING id" };
static const struct db_stmt stmt_token = { "pool_token",
	"UPDATE pool_servers SET boot_token_hash = $2"
	" WHERE id = $1::bigint AND state = 'warming'" };
static const struct db_stmt stmt_store = { "pool_store",
	"UPDATE pool_servers SET hetzner_server_id = $2::bigint,"
	" ipv4 = $3::inet, ipv6 = nullif($4, ''), last_error = NULL"
	" WHERE id = $1::bigint AND state IN ('warming', 'ready')"
	" AND hetzner_server_id IS NULL" };
static const struct db_stmt stmt_error = { "pool_error",
	"UPDATE pool_servers SET last_error = left($2, 500)"
	" WHERE id = $1::bigint" };
static const struct db_stmt stmt_plan = { "pool_plan",
	"SELECT memory_mb, openclaw_version FROM plans WHERE name = $1" };

struct pool *
pool_new(struct db *db, const struct cfg *c, struct hz *hz)
{
	struct pool	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		abort();
	p->db = db;
	p->cfg = c;
	p->hz = hz;
	return p;
}

void
pool_free(struct pool *p)
{
	free(p);
}

static void
note_error(struct pool *p, const char *id, const struct prov_err *e,
    const char *what)
{
	const char	*v[2];
	char		 msg[400], s[300];

	hcl_perr_log(e, what);
	snprintf(msg, sizeof(msg), "%s: %s", what, hcl_perr_str(e, s,
	    sizeof(s)));
	v[0] = id;
	v[1] = msg;
	(void)db_run(p->db, &stmt_error, 2, v, NULL);
}

/* The servers labelled och-pool=<id> (up to max). */
static enum och_err
by_label(struct pool *p, const char *id, struct hz_server *out, size_t max,
    size_t *n, struct prov_err *e)
{
	char	 sel[64];

	snprintf(sel, sizeof(sel), POOL_LABEL "=%s", id);
	return hz_server_list(p->hz, sel, NULL, out, max, n, e);
}

/* Delete a bad or recycled server; the row goes to gone. 1, 0, -1 (db). */
static int
delete_one(struct pool *p, const char *id, int64_t sid)
{
	struct hz_server	 s[4];
	struct prov_err		 e;
	const char		*v[1] = { id };
	size_t			 n = 0, i;
	enum och_err		 rc;

	if (sid > 0) {
		rc = hz_server_delete(p->hz, sid, NULL, &e);
		if (rc != OCH_OK && rc != OCH_ENOTFOUND) {
			note_error(p, id, &e, "delete pool server");
			return 0;
		}
	} else {
		/* never recorded: whatever a lost answer created */
		if (by_label(p, id, s, OCH_NELEM(s), &n, &e) != OCH_OK) {
			note_error(p, id, &e, "look up pool server");
			return 0;
		}
		for (i = 0; i < n && i < OCH_NELEM(s); i++)
			if ((rc = hz_server_delete(p->hz, s[i].id, NULL, &e)) !=
			    OCH_OK && rc != OCH_ENOTFOUND) {
				note_error(p, id, &e, "delete pool server");
				return 0;
			}
	}
	if (db_run(p->db, &stmt_gone, 1, v, NULL) != OCH_OK)
		return -1;
	log_info("pool server %s (server %" PRId64 ") deleted", id, sid);
	return 1;
}

static enum och_err
store(struct pool *p, const char *id, const struct hz_server *s)
{
	const char	*v[4];
	char		 sid[32], v6[64];

	snprintf(sid, sizeof(sid), "%" PRId64, s->id);
	v6[0] = '\0';
	if (s->ipv6[0] != '\0')
		snprintf(v6, sizeof(v6), "%s", s->ipv6);
	v[0] = id;
	v[1] = sid;
	v[2] = s->ipv4[0] ? s->ipv4 : NULL;
	v[3] = v6;
	return db_run(p->db, &stmt_store, 4, v, NULL);
}

/*
 * Create the server of warming row id (or find the one a lost answer
 * created when look is set).  1 created or found, 0 upstream failure
 * (noted on the row), -1 database error.
 */
static int
create_one(struct pool *p, const char *id, const char *server_type,
    const char *image, const char *location, const char *plan, int look)
{
	struct ud_instance	 ui;
	struct hz_server	 s[2], srv;
	struct prov_err		 e;
	PGresult		*res;
	cJSON			*body, *labels, *root = NULL;
	const char		*v[2];
	char			*tmpl = NULL, *tok = NULL, *ud = NULL, name[64];
	char			*plugins = NULL;
	char			 hash[65];
	int64_t			 ssh = 0, fw = 0;
	size_t			 n = 0;
	enum och_err		 err, rc;
	int			 ret = 0;

	if (look) {
		if (by_label(p, id, s, OCH_NELEM(s), &n, &e) != OCH_OK) {
			note_error(p, id, &e, "look up pool server");
			return 0;
		}
		if (n > 0)
			return store(p, id, &s[0]) == OCH_OK ? 1 : -1;
	}
	v[0] = plan;
	if ((res = db_exec(p->db, &stmt_plan, 1, v, &err)) == NULL)
		return -1;
	snprintf(name, sizeof(name), "pool-%s", id);
	memset(&ui, 0, sizeof(ui));
	ui.id = name;		/* no instance: informational on the VPS */
	ui.slug = name;
	ui.plan = plan;
	ui.memory_mb = PQntuples(res) == 1 ? (long)db_int(res, 0, 0) : 0;
	ui.openclaw_version = PQntuples(res) == 1 ? db_val(res, 0, 1) : NULL;
	if ((ui.plugins = plugins = ud_plugins(p->db, plan, &err)) == NULL) {
		ret = -1;
		goto out;
	}
	if ((tmpl = ud_template(p->cfg, &err)) == NULL ||
	    (tok = cry_token(UD_TOKEN_BYTES)) == NULL ||
	    (ud = ud_render(tmpl, p->cfg, &ui, tok, &err)) == NULL) {
		log_error("pool server %s: the user-data does not render", id);
		goto out;
	}
	/* the token's hash first: the VPS may call in before we return */
	cry_sha256_hex(tok, strlen(tok), hash);
	v[0] = id;
	v[1] = hash;
	if (db_run(p->db, &stmt_token, 2, v, NULL) != OCH_OK) {
		ret = -1;
		goto out;
	}
	if ((rc = fleet_ids(p->db, p->cfg, p->hz, &ssh, &fw, &e)) != OCH_OK) {
		if (rc == OCH_EDB)
			ret = -1;
		else
			note_error(p, id, &e, "fleet network");
		goto out;
	}
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "name", name);
	cJSON_AddStringToObject(body, "server_type", server_type);
	cJSON_AddStringToObject(body, "image", image);
	cJSON_AddStringToObject(body, "location", location);
	cJSON_AddStringToObject(body, "user_data", ud);
	cJSON_AddBoolToObject(body, "start_after_create", 1);
	labels = cJSON_AddObjectToObject(body, "labels");
	cJSON_AddStringToObject(labels, POOL_LABEL, id);
	fleet_create_fields(body, ssh, fw);
	rc = hz_request(p->hz, "POST", "/servers", body, 0, &root, &e);
	cJSON_Delete(body);
	if (rc == OCH_OK && hz_parse_server(cJSON_GetObjectItemCaseSensitive(
	    root, "server"), &srv) == -1)
		rc = hcl_perr_bad_response(&e, "hetzner create_server",
		    "server");
	cJSON_Delete(root);
	if (rc != OCH_OK) {
		/* a lost answer may have created it: the label says next pass */
		note_error(p, id, &e, "create pool server");
		goto out;
	}
	if (store(p, id, &srv) != OCH_OK) {
		ret = -1;
		goto out;
	}
	log_info("pool server %s: server %" PRId64 " %s created (%s %s %s)",
	    id, srv.id, srv.ipv4, plan, location, image);
	ret = 1;
out:
	PQclear(res);
	free(tmpl);
	free(plugins);
	xfree_secret(tok);
	xfree_secret(ud);
	return ret;
}

/*
 * Record the server of a ready row whose create answer was lost (its
 * label names the row).  1 recorded, 0 not found or upstream failure
 * (noted on the row), -1 database error.
 */
static int
record_one(struct pool *p, const char *id)
{
	struct hz_server	 s[2];
	struct prov_err		 e;
	size_t			 n = 0;

	if (by_label(p, id, s, OCH_NELEM(s), &n, &e) != OCH_OK) {
		note_error(p, id, &e, "look up pool server");
		return 0;
	}
	if (n == 0)
		return 0;	/* it stops polling and is discarded */
	if (store(p, id, &s[0]) != OCH_OK)
		return -1;
	log_info("pool server %s: server %" PRId64 " recorded (its create "
	    "answer was lost)", id, s[0].id);
	return 1;
}

/* Mark unhealthy and unwanted servers, and claims nobody took over. */
static int
judge(struct pool *p)
{
	PGresult	*res;
	const char	*v[2];
	char		 boot[16], stale[16];
	int		 i, n = 0;

	snprintf(boot, sizeof(boot), "%lld", (long long)cfg_int(p->cfg,
	    CFG_BOOT_TIMEOUT, 600));
	snprintf(stale, sizeof(stale), "%lld", (long long)cfg_int(p->cfg,
	    CFG_POOL_STALE_SECONDS, POOL_STALE_SECONDS));
	v[0] = boot;
	v[1] = stale;
	if ((res = db_exec(p->db, &stmt_discard, 2, v, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		log_warn("pool server %s failed its health check: discarded",
		    db_val(res, i, 0));
	PQclear(res);
	if ((res = db_exec(p->db, &stmt_recycle, 0, NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		log_info("pool server %s recycled: %s", db_val(res, i, 0),
		    db_val(res, i, 1));
	n += PQntuples(res);
	PQclear(res);
	if ((res = db_exec(p->db, &stmt_orphans, 0, NULL, NULL)) == NULL)
		return -1;
	n += PQntuples(res);
	PQclear(res);
	return n;
}

static int
upkeep(struct pool *p)
{
	PGresult	*res;
	const char	*v[6];
	char		 lim[16], left[16];
	int		 i, k, need, r, done = 0, capped = 0;

	if (judge(p) < 0)
		return -1;
	snprintf(lim, sizeof(lim), "%d", POOL_BATCH);
	v[0] = lim;
	if ((res = db_exec(p->db, &stmt_doomed, 1, v, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		if ((r = delete_one(p, db_val(res, i, 0), db_int(res, i, 1))) <
		    0) {
			PQclear(res);
			return -1;
		}
		done += r;
	}
	PQclear(res);
	if ((res = db_exec(p->db, &stmt_unborn, 1, v, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		if ((r = create_one(p, db_val(res, i, 0), db_val(res, i, 1),
		    db_val(res, i, 2), db_val(res, i, 3), db_val(res, i, 4),
		    1)) < 0) {
			PQclear(res);
			return -1;
		}
		done += r;
	}
	PQclear(res);
	if ((res = db_exec(p->db, &stmt_unrecorded, 1, v, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		if (record_one(p, db_val(res, i, 0)) < 0) {
			PQclear(res);
			return -1;
		}
	PQclear(res);
	if ((res = db_exec(p->db, &stmt_need, 0, NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res) && done < POOL_BATCH; i++) {
		need = (int)db_int(res, i, 6);
		for (k = 0; k < need && done < POOL_BATCH; k++) {
			PGresult	*a;
			const char	*w[6];

			for (r = 0; r < 6; r++)
				w[r] = db_val(res, i, r);
			if ((a = db_exec(p->db, &stmt_add, 6, w, NULL)) ==
			    NULL) {
				PQclear(res);
				return -1;
			}
			if (PQntuples(a) != 1) {
				PQclear(a);
				capped = 1;
				break;
			}
			snprintf(left, sizeof(left), "%s", db_val(a, 0, 0));
			PQclear(a);
			if ((r = create_one(p, left, w[3], w[4], w[2], w[0],
			    0)) < 0) {
				PQclear(res);
				return -1;
			}
			done += r;
			if (r == 0)
				break;	/* the provider said no: next pass */
		}
	}
	PQclear(res);
	if (capped && !p->capped_said)
		log_warn("pool: the cost cap stops the refill (pool_settings)");
	p->capped_said = capped;
	return done;
}

int
pool_tick(struct pool *p)
{
	PGresult	*res;
	int		 got, n;

	if ((res = db_exec(p->db, &stmt_lock, 0, NULL, NULL)) == NULL)
		return -1;
	got = PQntuples(res) == 1 && strcmp(db_val(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!got)
		return 0;	/* another poller is at it */
	n = upkeep(p);
	if ((res = db_exec(p->db, &stmt_unlock, 0, NULL, NULL)) != NULL)
		PQclear(res);
	return n;
}
