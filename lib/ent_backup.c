/*
 * ent_backup.c: the stored backups entity (ent.h): an instance's backups
 * as its owner's dashboard lists them, as struct ent_backup.
 */
#include <stdlib.h>

#include "ent_backup.h"

enum { BC_ID, BC_KIND, BC_STATUS, BC_NAME, BC_SIZE, BC_CREATED_AT };
static const struct db_stmt stmt_list = { "ent_backup_list",
	"SELECT id, kind, status, name, size_bytes,"
	" to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	" FROM backups WHERE instance_id = $1::uuid AND status <> 'deleted'"
	" ORDER BY id DESC LIMIT 50" };

/* Row i of res into the struct ent_backup at v. */
static void
backup_read(const PGresult *res, int i, void *v)
{
	struct ent_backup	*b = v;

	b->id = db_int(res, i, BC_ID);
	b->kind = db_dup_empty(res, i, BC_KIND);
	b->status = db_dup_empty(res, i, BC_STATUS);
	b->name = db_dup(res, i, BC_NAME);
	b->size_bytes = db_val(res, i, BC_SIZE) != NULL ?
	    db_int(res, i, BC_SIZE) : -1;
	b->created_at = db_dup_empty(res, i, BC_CREATED_AT);
}

enum och_err
ent_backup_list(struct db *db, const char *id, struct ent_backup **out,
    size_t *n)
{
	const char	*p[1] = { id };
	enum och_err	 err;

	*out = db_rows(db, &stmt_list, 1, p, sizeof(**out), backup_read, n,
	    &err);
	return err;
}

cJSON *
ent_backup_json(const struct ent_backup *b)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)b->id);
	cJSON_AddStringToObject(o, "kind", b->kind);
	cJSON_AddStringToObject(o, "status", b->status);
	if (b->name != NULL)
		cJSON_AddStringToObject(o, "name", b->name);
	if (b->size_bytes >= 0)
		cJSON_AddNumberToObject(o, "size_bytes", (double)b->size_bytes);
	cJSON_AddStringToObject(o, "created_at", b->created_at);
	return o;
}

void
ent_backup_free(struct ent_backup *b, size_t n)
{
	size_t	i;

	if (b == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(b[i].kind);
		free(b[i].status);
		free(b[i].name);
		free(b[i].created_at);
	}
	free(b);
}
