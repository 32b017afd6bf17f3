/*
 * ent_view.c: read-only views of the entity layer (ent.h): a statement
 * and the names and types of its columns in one struct ent_view, its
 * rows rendered as JSON members by those, so no caller counts column
 * positions.
 */
#include <stdlib.h>

#include "ent.h"
#include "log.h"

void
ent_cols_add(cJSON *o, const PGresult *res, int row, int first,
    const struct ent_col *cols, size_t n)
{
	const char	*v;
	cJSON		*j;
	size_t		 k;

	for (k = 0; k < n; k++) {
		v = db_val(res, row, first + (int)k);
		if (v == NULL) {
			cJSON_AddNullToObject(o, cols[k].name);
			continue;
		}
		switch (cols[k].type) {
		case 'i':
			cJSON_AddNumberToObject(o, cols[k].name,
			    (double)strtoll(v, NULL, 10));
			break;
		case 'f':
			cJSON_AddNumberToObject(o, cols[k].name,
			    strtod(v, NULL));
			break;
		case 'b':
			cJSON_AddBoolToObject(o, cols[k].name, v[0] == 't');
			break;
		case 'j':
			if ((j = cJSON_Parse(v)) == NULL)
				j = cJSON_CreateNull();
			cJSON_AddItemToObject(o, cols[k].name, j);
			break;
		default:
			cJSON_AddStringToObject(o, cols[k].name, v);
			break;
		}
	}
}

cJSON *
ent_rows_json(const PGresult *res, int first, const struct ent_col *cols,
    size_t n)
{
	cJSON	*arr, *o;
	int	 i;

	arr = cJSON_CreateArray();
	for (i = 0; i < PQntuples(res); i++) {
		o = cJSON_CreateObject();
		ent_cols_add(o, res, i, first, cols, n);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* Run view v: its result, or NULL with *err (a shape that is not v's too). */
static PGresult *
view_exec(struct db *db, const struct ent_view *v, int n,
    const char *const *p, enum och_err *err)
{
	PGresult	*res;

	if ((res = db_exec(db, &v->stmt, n, p, err)) == NULL)
		return NULL;
	if (PQnfields(res) != (int)v->ncols) {
		log_error("ent: %s answers %d columns, its view names %zu",
		    v->stmt.name, PQnfields(res), v->ncols);
		PQclear(res);
		*err = OCH_EDB;
		return NULL;
	}
	return res;
}

enum och_err
ent_view_rows(struct db *db, const struct ent_view *v, int n,
    const char *const *p, cJSON **out)
{
	PGresult	*res;
	enum och_err	 err;

	*out = NULL;
	if ((res = view_exec(db, v, n, p, &err)) == NULL)
		return err;
	*out = ent_rows_json(res, 0, v->cols, v->ncols);
	PQclear(res);
	return OCH_OK;
}

enum och_err
ent_view_one(struct db *db, const struct ent_view *v, int n,
    const char *const *p, cJSON **out)
{
	PGresult	*res;
	enum och_err	 err;

	*out = NULL;
	if ((res = view_exec(db, v, n, p, &err)) == NULL)
		return err;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return OCH_ENOTFOUND;
	}
	*out = cJSON_CreateObject();
	ent_cols_add(*out, res, 0, 0, v->cols, v->ncols);
	PQclear(res);
	return OCH_OK;
}
