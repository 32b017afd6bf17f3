/*
 * ent_plan.c: the plans entity (ent.h): its statements, and its rows as
 * struct ent_plan.  The column list is one table, PLAN_COLS: the SELECT
 * list and the positions plan_read() uses derive from it.
 */
#include <stdlib.h>
#include <string.h>

#include "ent_plan.h"

/* X(field, SQL expression) in SELECT order */
#define PLAN_COLS(X) \
	X(name, "p.name") X(display_name, "p.display_name") \
	X(server_type, "p.server_type") X(vcpus, "p.vcpus") \
	X(memory_mb, "p.memory_mb") X(disk_gb, "p.disk_gb") \
	X(max_channels, "p.max_channels") X(max_skills, "p.max_skills") \
	X(backup_slots, "p.backup_slots") X(price_cents, "p.price_cents") \
	X(snapshot_slots, "p.snapshot_slots") \
	X(ai_providers, "(SELECT coalesce(json_agg(pp.provider ORDER BY" \
	    " pp.provider), '[]')::text FROM plan_providers pp" \
	    " WHERE pp.plan = p.name)")

/* the positions, PC_<field> */
#define PLAN_ENUM(f, sql) PC_##f,
enum { PLAN_COLS(PLAN_ENUM) PC__N };
/* the SELECT list (a trailing "p.name" closes the commas) */
#define PLAN_SQL(f, sql) sql ","
#define PLAN_SELECT PLAN_COLS(PLAN_SQL) " p.name"

static const struct db_stmt stmt_active = { "ent_plan_active",
	"SELECT " PLAN_SELECT " FROM plans p WHERE p.active"
	" ORDER BY p.sort, p.name" };
static const struct db_stmt stmt_of_instance = { "ent_plan_of_instance",
	"SELECT " PLAN_SELECT " FROM instances i"
	" JOIN plans p ON p.name = i.plan WHERE i.id = $1::uuid" };

/* Fill *p from row i of res (PLAN_COLS order). */
static void
plan_read(const PGresult *res, int i, struct ent_plan *p)
{
	p->name = db_dup_empty(res, i, PC_name);
	p->display_name = db_dup_empty(res, i, PC_display_name);
	p->server_type = db_dup_empty(res, i, PC_server_type);
	p->vcpus = db_int(res, i, PC_vcpus);
	p->memory_mb = db_int(res, i, PC_memory_mb);
	p->disk_gb = db_int(res, i, PC_disk_gb);
	p->max_channels = db_int(res, i, PC_max_channels);
	p->max_skills = db_int(res, i, PC_max_skills);
	p->backup_slots = db_int(res, i, PC_backup_slots);
	p->price_cents = db_int(res, i, PC_price_cents);
	p->snapshot_slots = db_int(res, i, PC_snapshot_slots);
	p->ai_providers = db_dup_empty(res, i, PC_ai_providers);
}

enum och_err
ent_plan_active(struct db *db, struct ent_plan **out, size_t *n)
{
	PGresult	*res;
	enum och_err	 err;
	int		 i;

	*out = NULL;
	*n = 0;
	if ((res = db_exec(db, &stmt_active, 0, NULL, &err)) == NULL)
		return err;
	if (PQntuples(res) > 0) {
		*out = xcalloc((size_t)PQntuples(res), sizeof(**out));
		for (i = 0; i < PQntuples(res); i++)
			plan_read(res, i, &(*out)[i]);
		*n = (size_t)PQntuples(res);
	}
	PQclear(res);
	return OCH_OK;
}

enum och_err
ent_plan_of_instance(struct db *db, const char *id, struct ent_plan **out)
{
	PGresult	*res;
	const char	*p[1] = { id };
	enum och_err	 err;

	*out = NULL;
	if ((res = db_exec(db, &stmt_of_instance, 1, p, &err)) == NULL)
		return err;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return OCH_ENOTFOUND;
	}
	*out = xcalloc(1, sizeof(**out));
	plan_read(res, 0, *out);
	PQclear(res);
	return OCH_OK;
}

/* The providers the plan allows (schema 310) as a new JSON array of
 * their ids (caller deletes); never NULL. */
static cJSON *
plan_providers(const struct ent_plan *p)
{
	cJSON	*a = cJSON_Parse(p->ai_providers);

	if (!cJSON_IsArray(a)) {
		cJSON_Delete(a);
		a = cJSON_CreateArray();
	}
	return a;
}

cJSON *
ent_plan_json(const struct ent_plan *p)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "name", p->name);
	cJSON_AddStringToObject(o, "display_name", p->display_name);
	cJSON_AddStringToObject(o, "server_type", p->server_type);
	cJSON_AddNumberToObject(o, "vcpus", (double)p->vcpus);
	cJSON_AddNumberToObject(o, "memory_mb", (double)p->memory_mb);
	cJSON_AddNumberToObject(o, "disk_gb", (double)p->disk_gb);
	cJSON_AddNumberToObject(o, "max_channels", (double)p->max_channels);
	cJSON_AddNumberToObject(o, "max_skills", (double)p->max_skills);
	cJSON_AddNumberToObject(o, "backup_slots", (double)p->backup_slots);
	cJSON_AddNumberToObject(o, "price_cents", (double)p->price_cents);
	cJSON_AddItemToObject(o, "ai_providers", plan_providers(p));
	return o;
}

void
ent_plan_free(struct ent_plan *p, size_t n)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].display_name);
		free(p[i].server_type);
		free(p[i].ai_providers);
	}
	free(p);
}
