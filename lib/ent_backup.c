/*
 * ent_backup.c: the stored backups entity (ent.h): an instance's backups
 * as its owner's dashboard lists them, as struct ent_backup.
 */
#include <stdlib.h>

#include "ent_backup.h"

/* stmt_list's columns in order, and the JSON */
static const struct ent_field backup_fields[] = {
	ENT_FIELD("id", ent_backup, id, ENT_F_INT),
	ENT_FIELD("kind", ent_backup, kind, ENT_F_TEXT),
	ENT_FIELD("status", ent_backup, status, ENT_F_TEXT),
	ENT_FIELD("name", ent_backup, name, ENT_F_STR),
	ENT_FIELD("size_bytes", ent_backup, size_bytes, ENT_F_OPTINT),
	ENT_FIELD("created_at", ent_backup, created_at, ENT_F_TEXT),
};
static const struct ent_fields backup_shape =
    ENT_FIELDS(ent_backup, backup_fields);
static const struct db_stmt stmt_list = { "ent_backup_list",
	"SELECT id, kind, status, name, size_bytes,"
	ENT_TS("created_at")
	" FROM backups WHERE instance_id = $1::uuid AND status <> 'deleted'"
	" ORDER BY id DESC LIMIT 50" };

enum och_err
ent_backup_list(struct db *db, const char *id, struct ent_backup **out,
    size_t *n)
{
	const char	*p[1] = { id };

	return ent_fields_rows(db, &stmt_list, 1, p, &backup_shape, out, n);
}

cJSON *
ent_backup_json(const struct ent_backup *b)
{
	return ent_fields_json(b, &backup_shape);
}

void
ent_backup_free(struct ent_backup *b, size_t n)
{
	ent_fields_free(b, n, &backup_shape);
}
