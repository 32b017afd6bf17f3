/*
 * ent_view.c: read-only views of the entity layer (ent.h): a statement
 * and the names and types of its columns in one struct ent_view, its
 * rows rendered as JSON members by those, so no caller counts column
 * positions; and an entity's struct declared once as its fields (struct
 * ent_fields): its rows read, its JSON and its freeing by that table.
 */
#include <stdlib.h>
#include <string.h>

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

/*
 * Run st: its result, or NULL with *err (a result without ncols columns
 * too: OCH_EDB, logged).
 */
static PGresult *
shape_exec(struct db *db, const struct db_stmt *st, int n,
    const char *const *p, size_t ncols, enum och_err *err)
{
	PGresult	*res;

	if ((res = db_exec(db, st, n, p, err)) == NULL)
		return NULL;
	if (PQnfields(res) != (int)ncols) {
		log_error("ent: %s answers %d columns, its reader names %zu",
		    st->name, PQnfields(res), ncols);
		PQclear(res);
		*err = OCH_EDB;
		return NULL;
	}
	return res;
}

/* Run view v: its result, or NULL with *err (a shape that is not v's too). */
static PGresult *
view_exec(struct db *db, const struct ent_view *v, int n,
    const char *const *p, enum och_err *err)
{
	return shape_exec(db, &v->stmt, n, p, v->ncols, err);
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

/* Row `row` of res into the struct at v by fs. */
static void
fields_read(const PGresult *res, int row, char *v, const struct ent_fields *fs)
{
	const struct ent_field	*f;
	size_t			 k;
	int			 c;

	for (k = 0; k < fs->n; k++) {
		f = &fs->f[k];
		c = (int)k;
		switch (f->type) {
		case ENT_F_STR:
		case ENT_F_JSON:
			*(char **)(v + f->off) = db_dup(res, row, c);
			break;
		case ENT_F_TEXT:
			*(char **)(v + f->off) = db_dup_empty(res, row, c);
			break;
		case ENT_F_INT:
			*(int64_t *)(v + f->off) = db_int(res, row, c);
			break;
		case ENT_F_OPTINT:
			*(int64_t *)(v + f->off) = db_val(res, row, c) ?
			    db_int(res, row, c) : -1;
			break;
		case ENT_F_NUM:
			*(double *)(v + f->off) = db_val(res, row, c) ?
			    strtod(db_val(res, row, c), NULL) : 0;
			break;
		case ENT_F_BOOL:
			*(int *)(v + f->off) = db_bool(res, row, c);
			break;
		}
	}
}

enum och_err
ent_fields_rows(struct db *db, const struct db_stmt *st, int n,
    const char *const *p, const struct ent_fields *fs, void *out,
    size_t *nout)
{
	PGresult	*res;
	char		*a = NULL;
	enum och_err	 err;
	int		 i;

	*(void **)out = NULL;
	*nout = 0;
	if ((res = shape_exec(db, st, n, p, fs->n, &err)) == NULL)
		return err;
	if (PQntuples(res) > 0) {
		a = xcalloc((size_t)PQntuples(res), fs->size);
		for (i = 0; i < PQntuples(res); i++)
			fields_read(res, i, a + (size_t)i * fs->size, fs);
		*nout = (size_t)PQntuples(res);
	}
	PQclear(res);
	*(void **)out = a;
	return OCH_OK;
}

enum och_err
ent_fields_one(struct db *db, const struct db_stmt *st, int n,
    const char *const *p, const struct ent_fields *fs, void *v)
{
	PGresult	*res;
	enum och_err	 err;

	memset(v, 0, fs->size);
	if ((res = shape_exec(db, st, n, p, fs->n, &err)) == NULL)
		return err;
	if (PQntuples(res) == 1)
		fields_read(res, 0, v, fs);
	else
		err = OCH_ENOTFOUND;
	PQclear(res);
	return err;
}

enum och_err
ent_fields_new(struct db *db, const struct db_stmt *st, int n,
    const char *const *p, const struct ent_fields *fs, void *out)
{
	void		*v;
	enum och_err	 err;

	v = xcalloc(1, fs->size);
	if ((err = ent_fields_one(db, st, n, p, fs, v)) != OCH_OK) {
		free(v);
		v = NULL;
	}
	*(void **)out = v;
	return err;
}

cJSON *
ent_fields_json(const void *v, const struct ent_fields *fs)
{
	const struct ent_field	*f;
	const char		*base = v, *str;
	cJSON			*o;
	int64_t			 i;
	size_t			 k;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	for (k = 0; k < fs->n; k++) {
		f = &fs->f[k];
		if (f->name == NULL)
			continue;
		switch (f->type) {
		case ENT_F_STR:
		case ENT_F_TEXT:
			if ((str = *(char *const *)(base + f->off)) != NULL)
				cJSON_AddStringToObject(o, f->name, str);
			break;
		case ENT_F_JSON:
			if ((str = *(char *const *)(base + f->off)) != NULL)
				cJSON_AddItemToObject(o, f->name,
				    cJSON_Parse(str));
			break;
		case ENT_F_INT:
		case ENT_F_OPTINT:
			i = *(const int64_t *)(base + f->off);
			if (f->type == ENT_F_INT || i >= 0)
				cJSON_AddNumberToObject(o, f->name, (double)i);
			break;
		case ENT_F_NUM:
			cJSON_AddNumberToObject(o, f->name,
			    *(const double *)(base + f->off));
			break;
		case ENT_F_BOOL:
			cJSON_AddBoolToObject(o, f->name,
			    *(const int *)(base + f->off));
			break;
		}
	}
	return o;
}

void
ent_fields_clear(void *v, const struct ent_fields *fs)
{
	size_t	 k;

	for (k = 0; k < fs->n; k++)
		if (fs->f[k].type == ENT_F_STR ||
		    fs->f[k].type == ENT_F_TEXT ||
		    fs->f[k].type == ENT_F_JSON)
			free(*(char **)((char *)v + fs->f[k].off));
	memset(v, 0, fs->size);
}

void
ent_fields_free(void *a, size_t n, const struct ent_fields *fs)
{
	size_t	 i;

	if (a == NULL)
		return;
	for (i = 0; i < n; i++)
		ent_fields_clear((char *)a + i * fs->size, fs);
	free(a);
}
