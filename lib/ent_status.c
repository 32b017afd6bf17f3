/*
 * ent_status.c: an instance's server as its dashboard sees it (ent.h):
 * the status (the instance's lifecycle and model with the agent's last
 * report, struct ent_status), the model it runs, the DM pairing requests
 * waiting, and an order's progress from the instance's history.
 */
#include <stdlib.h>

#include "ent_status.h"

/* stmt_status's columns in order */
static const struct ent_field status_fields[] = {
	ENT_FIELD(NULL, ent_status, state, ENT_F_TEXT),
	ENT_FIELD(NULL, ent_status, last_error, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, setup_state_json, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, model_primary, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, model_fallbacks_json, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, failed_state, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, pending_action, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, config_revision, ENT_F_INT),
	ENT_FIELD(NULL, ent_status, reported_at, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, report_age, ENT_F_INT),
	ENT_FIELD(NULL, ent_status, health_json, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, version, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, applied_revision, ENT_F_OPTINT),
	ENT_FIELD(NULL, ent_status, config_error, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, channels_json, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, setup_json, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, tls_json, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, skills_json, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, devices_json, ENT_F_STR),
	ENT_FIELD(NULL, ent_status, reported, ENT_F_BOOL),
	ENT_FIELD(NULL, ent_status, models_json, ENT_F_STR),
};
static const struct ent_fields status_shape =
    ENT_FIELDS(ent_status, status_fields);
static const struct db_stmt stmt_status = { "ent_status_of",
	"SELECT i.state, i.last_error, i.setup_state::text, i.model_primary,"
	" array_to_json(i.model_fallbacks)::text, i.failed_state,"
	" i.pending_action, i.config_revision," ENT_TS("a.reported_at") ","
	" extract(epoch FROM now() - a.reported_at)::bigint,"
	" a.health::text, a.version, a.config_revision, a.config_error,"
	" a.channels::text, a.setup::text, a.tls::text, a.skills::text,"
	" a.devices::text, a.reported_at IS NOT NULL, a.models::text"
	" FROM instances i LEFT JOIN agent_reports a ON a.instance_id = i.id"
	" WHERE i.id = $1::uuid" };
static const struct db_stmt stmt_unoffered = { "ent_model_unoffered",
	"SELECT m FROM json_array_elements_text($2::json) m"
	" WHERE EXISTS (SELECT 1 FROM agent_reports a"
	"  WHERE a.instance_id = $1::uuid AND a.models IS NOT NULL"
	"  AND NOT a.models ? m) LIMIT 1" };
static const struct db_stmt stmt_model = { "ent_model_put",
	"UPDATE instances SET model_primary = nullif($2, ''),"
	" model_fallbacks = ARRAY(SELECT json_array_elements_text($3::json))"
	" WHERE id = $1::uuid" };
static const struct db_stmt stmt_pairing = { "ent_pairing_requests",
	"SELECT coalesce(pairing::text, '[]')," ENT_TS("reported_at")
	" FROM agent_reports WHERE instance_id = $1::uuid" };
/* one row per step, in order; then the order itself */
enum { PC_STEP, PC_AT, PC_ELAPSED, PC_WARM, PC_ORDERED, PC_SINCE };
static const struct db_stmt stmt_progress = { "ent_progress_of",
	"WITH s(n, step, kinds) AS (VALUES"
	"  (1, 'server', ARRAY['pool.claimed', 'server.created',"
	"   'server.found', 'server.pooled']),"
	"  (2, 'dns', ARRAY['dns.record']),"
	"  (3, 'configured', ARRAY['agent.ready', 'state.active']),"
	"  (4, 'certificate', ARRAY['tls.issued']),"
	"  (5, 'gateway_ready', ARRAY['gateway.ready'])),"
	" i AS (SELECT created_at FROM instances WHERE id = $1::uuid)"
	" SELECT s.step, to_char(min(e.at) AT TIME ZONE 'UTC',"
	"  'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
	" extract(epoch FROM min(e.at) - (SELECT created_at FROM i))::float8,"
	" bool_or(e.kind = 'pool.claimed'),"
	" to_char((SELECT created_at FROM i) AT TIME ZONE 'UTC',"
	"  'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
	" extract(epoch FROM now() - (SELECT created_at FROM i))::float8"
	" FROM s LEFT JOIN instance_events e ON e.instance_id = $1::uuid"
	"  AND e.kind = ANY (s.kinds)"
	" GROUP BY s.n, s.step ORDER BY s.n" };

enum och_err
ent_status_of(struct db *db, const char *id, struct ent_status **out)
{
	const char	*p[1] = { id };

	return ent_fields_new(db, &stmt_status, 1, p, &status_shape, out);
}

void
ent_status_free(struct ent_status *s)
{
	ent_fields_free(s, 1, &status_shape);
}

enum och_err
ent_model_unoffered(struct db *db, const char *id, const char *models,
    char **first)
{
	const char	*p[2] = { id, models };

	return db_first(db, &stmt_unoffered, 2, p, first);
}

enum och_err
ent_model_put(struct db *db, const char *id, const char *primary,
    const char *fallbacks)
{
	const char	*p[3] = { id, primary != NULL ? primary : "",
	    fallbacks };

	return db_run(db, &stmt_model, 3, p, NULL);
}

enum och_err
ent_pairing_requests(struct db *db, const char *id, char **requests,
    char **reported_at)
{
	PGresult	*res;
	const char	*p[1] = { id };
	enum och_err	 err;

	*requests = *reported_at = NULL;
	if ((res = db_exec(db, &stmt_pairing, 1, p, &err)) == NULL)
		return err;
	*requests = db_dup(res, 0, 0);
	*reported_at = db_dup(res, 0, 1);
	PQclear(res);
	return OCH_OK;
}

enum och_err
ent_progress_of(struct db *db, const char *id, struct ent_progress **out)
{
	PGresult		*res;
	const char		*p[1] = { id };
	struct ent_progress	*g;
	struct ent_progress_step *s;
	enum och_err		 err;
	int			 i, n;

	*out = NULL;
	if ((res = db_exec(db, &stmt_progress, 1, p, &err)) == NULL)
		return err;
	*out = g = xcalloc(1, sizeof(*g));
	n = PQntuples(res);
	g->ordered_at = db_dup_empty(res, 0, PC_ORDERED);
	g->since_order_s = n > 0 ? strtod(db_val(res, 0, PC_SINCE) ?
	    db_val(res, 0, PC_SINCE) : "0", NULL) : 0;
	if (n > 0)
		g->steps = xcalloc((size_t)n, sizeof(*g->steps));
	for (i = 0; i < n; i++) {
		s = &g->steps[i];
		s->step = db_dup_empty(res, i, PC_STEP);
		s->at = db_dup(res, i, PC_AT);
		if (s->at != NULL && db_val(res, i, PC_ELAPSED) != NULL)
			s->elapsed_s = strtod(db_val(res, i, PC_ELAPSED), NULL);
		if (db_bool(res, i, PC_WARM))
			g->warm = 1;
	}
	g->n = (size_t)n;
	PQclear(res);
	return OCH_OK;
}

void
ent_progress_free(struct ent_progress *g)
{
	size_t	i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++) {
		free(g->steps[i].step);
		free(g->steps[i].at);
	}
	free(g->steps);
	free(g->ordered_at);
	free(g);
}
