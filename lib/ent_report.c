/*
 * ent_report.c: what an instance's agent reports (ent.h): the report
 * itself (schema: agent_reports), the milestones it reaches (the first
 * real certificate, the first ready gateway: instance_events) and its AI
 * usage per day (ai_usage).  Each call runs inside the caller's
 * transaction when one is open (agent_api.c's report).
 */
#include "ent_report.h"

static const struct db_stmt stmt_put = { "ent_report_put",
	"INSERT INTO agent_reports (instance_id, reported_at, health, version,"
	" config_revision, config_error, channels, pairing)"
	" VALUES ($1::uuid, now(), $2::jsonb, $3, $4::bigint, $5, $6::jsonb, $7::jsonb)"
	" ON CONFLICT (instance_id) DO UPDATE SET reported_at = now(),"
	" health = EXCLUDED.health, version = EXCLUDED.version,"
	" config_revision = EXCLUDED.config_revision,"
	" config_error = EXCLUDED.config_error, channels = EXCLUDED.channels,"
	" pairing = EXCLUDED.pairing" };
static const struct db_stmt stmt_extra = { "ent_report_extra",
	"UPDATE agent_reports SET setup = $2::jsonb, tls = $3::jsonb,"
	" skills = $4::jsonb, devices = coalesce($5::jsonb, '[]'),"
	" models = coalesce($6::jsonb, models)"
	" WHERE instance_id = $1::uuid" };
/* the first report with a real certificate, a ready gateway: history */
static const struct db_stmt stmt_milestones = { "ent_report_milestones",
	"INSERT INTO instance_events (instance_id, kind, message, actor)"
	" SELECT a.instance_id, m.kind, m.msg, 'agent' FROM agent_reports a,"
	" LATERAL (VALUES ('tls.issued', 'certificate from Let''s Encrypt',"
	"  a.tls->>'mode' = 'letsencrypt'), ('gateway.ready',"
	"  'the gateway answers /readyz', a.health->>'ready' = 'true'))"
	"  m(kind, msg, ok)"
	" WHERE a.instance_id = $1::uuid AND m.ok AND NOT EXISTS (SELECT 1"
	"  FROM instance_events e WHERE e.instance_id = a.instance_id"
	"  AND e.kind = m.kind)" };
static const struct db_stmt stmt_usage_all = { "ent_usage_all",
	"INSERT INTO ai_usage (instance_id, day, provider, model, input_tokens,"
	" output_tokens, cost_usd, updated_at)"
	" VALUES ($1::uuid, $2::date, 'all', 'all', $3::bigint, $4::bigint,"
	"  $5::numeric, now())"
	" ON CONFLICT (instance_id, day, provider, model) DO UPDATE SET"
	" input_tokens = EXCLUDED.input_tokens,"
	" output_tokens = EXCLUDED.output_tokens,"
	" cost_usd = EXCLUDED.cost_usd, updated_at = now()" };
static const struct db_stmt stmt_usage_clear = { "ent_usage_clear",
	"DELETE FROM ai_usage WHERE instance_id = $1::uuid AND day = $2::date" };
static const struct db_stmt stmt_usage_model = { "ent_usage_model",
	"INSERT INTO ai_usage (instance_id, day, provider, model, input_tokens,"
	" output_tokens, cost_usd, updated_at)"
	" VALUES ($1::uuid, $2::date, $6, $7, $3::bigint, $4::bigint,"
	"  $5::numeric, now())"
	" ON CONFLICT (instance_id, day, provider, model) DO UPDATE SET"
	" input_tokens = ai_usage.input_tokens + EXCLUDED.input_tokens,"
	" output_tokens = ai_usage.output_tokens + EXCLUDED.output_tokens,"
	" cost_usd = ai_usage.cost_usd + EXCLUDED.cost_usd, updated_at = now()" };

enum och_err
ent_report_put(struct db *db, const struct ent_report_in *in)
{
	const char	*p[7] = { in->id, in->health, in->version,
	    in->applied_revision, in->config_error, in->channels, in->pairing };

	return db_run(db, &stmt_put, 7, p, NULL);
}

enum och_err
ent_report_extra(struct db *db, const struct ent_report_extra *in)
{
	const char	*p[6] = { in->id, in->setup, in->tls, in->skills,
	    in->devices, in->models };

	return db_run(db, &stmt_extra, 6, p, NULL);
}

enum och_err
ent_report_milestones(struct db *db, const char *id)
{
	const char	*p[1] = { id };

	return db_run(db, &stmt_milestones, 1, p, NULL);
}

enum och_err
ent_usage_clear(struct db *db, const char *id, const char *day)
{
	const char	*p[2] = { id, day };

	return db_run(db, &stmt_usage_clear, 2, p, NULL);
}

enum och_err
ent_usage_put(struct db *db, const struct ent_usage *u)
{
	const char	*p[7] = { u->id, u->day, u->input, u->output, u->cost,
	    u->provider, u->model };

	if (u->provider == NULL)
		return db_run(db, &stmt_usage_all, 5, p, NULL);
	return db_run(db, &stmt_usage_model, 7, p, NULL);
}
