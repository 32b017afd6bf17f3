/*
 * ent_plan.c: the plans entity (ent.h): its statements, and its rows as
 * struct ent_plan.  The column list is one table, PLAN_COLS: the SELECT
 * list and the fields that read the rows and make the JSON derive from
 * it.
 */
#include <stdlib.h>
#include <string.h>

#include "ent_plan.h"

/*
 * X(field, type, JSON member or NULL, SQL expression) in SELECT order,
 * each SQL after the first starting with ", ": the SELECT list and the
 * fields (ent.h) derive from it.
 */
#define PLAN_COLS(X) \
	X(name, ENT_F_TEXT, "name", "p.name") \
	X(display_name, ENT_F_TEXT, "display_name", ", p.display_name") \
	X(server_type, ENT_F_TEXT, "server_type", ", p.server_type") \
	X(vcpus, ENT_F_INT, "vcpus", ", p.vcpus") \
	X(memory_mb, ENT_F_INT, "memory_mb", ", p.memory_mb") \
	X(disk_gb, ENT_F_INT, "disk_gb", ", p.disk_gb") \
	X(max_channels, ENT_F_INT, "max_channels", ", p.max_channels") \
	X(max_skills, ENT_F_INT, "max_skills", ", p.max_skills") \
	X(backup_slots, ENT_F_INT, "backup_slots", ", p.backup_slots") \
	X(price_cents, ENT_F_INT, "price_cents", ", p.price_cents") \
	X(snapshot_slots, ENT_F_INT, NULL, ", p.snapshot_slots") \
	X(ai_providers, ENT_F_JSON, "ai_providers", \
	    ", (SELECT coalesce(json_agg(pp.provider ORDER BY pp.provider),"\
	    " '[]')::text FROM plan_providers pp WHERE pp.plan = p.name)")

#define PLAN_SQL(f, type, json, sql) sql
#define PLAN_SELECT PLAN_COLS(PLAN_SQL)
#define PLAN_FIELD(f, type, json, sql) ENT_FIELD(json, ent_plan, f, type),
static const struct ent_field plan_fields[] = { PLAN_COLS(PLAN_FIELD) };
static const struct ent_fields plan_shape = ENT_FIELDS(ent_plan, plan_fields);

static const struct db_stmt stmt_active = { "ent_plan_active",
	"SELECT " PLAN_SELECT " FROM plans p WHERE p.active"
	" ORDER BY p.sort, p.name" };
static const struct db_stmt stmt_of_instance = { "ent_plan_of_instance",
	"SELECT " PLAN_SELECT " FROM instances i"
	" JOIN plans p ON p.name = i.plan WHERE i.id = $1::uuid" };

enum och_err
ent_plan_active(struct db *db, struct ent_plan **out, size_t *n)
{
	return ent_fields_rows(db, &stmt_active, 0, NULL, &plan_shape, out, n);
}

enum och_err
ent_plan_of_instance(struct db *db, const char *id, struct ent_plan **out)
{
	const char	*p[1] = { id };
	enum och_err	 err;
	size_t		 n;

	if ((err = ent_fields_rows(db, &stmt_of_instance, 1, p, &plan_shape,
	    out, &n)) == OCH_OK && n != 1) {
		ent_plan_free(*out, n);
		*out = NULL;
		err = OCH_ENOTFOUND;
	}
	return err;
}

cJSON *
ent_plan_json(const struct ent_plan *p)
{
	return ent_fields_json(p, &plan_shape);
}

void
ent_plan_free(struct ent_plan *p, size_t n)
{
	ent_fields_free(p, n, &plan_shape);
}
