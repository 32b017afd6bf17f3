/*
 * ent.h: the typed data layer: each entity has one lib/ent_<name>.c that
 * owns its SQL statements and hands back structs (or, for a read-only
 * view that only becomes JSON, the JSON its struct ent_view declares),
 * so no handler reads a PGresult or a column position; lib/ent_<name>.h
 * declares it and includes this header, which holds what they share: the
 * ownership rule below, the read-only views and the field tables (struct
 * ent_fields: a struct's rows, JSON and freeing from one table; both in
 * ent_view.c).  An instance's columns are INST_COLS in lib/inst.h; its
 * transitions stay there too.
 *
 * The one ownership rule, for every ent_* function:
 *  - what an ent_* function returns through an out parameter (a struct,
 *    an array of them, the strings inside) belongs to the caller, who
 *    releases it with that entity's ent_<name>_free() — also after a
 *    failure, when it is safe to call and frees nothing; a struct the
 *    caller provides (struct ent_agent_boot b) is filled and emptied the
 *    same way; a lone string comes back to free() (a clear secret: to
 *    xfree_secret(), which wipes it first); JSON (cJSON *) is deleted
 *    with cJSON_Delete();
 *  - nothing returned points into a PGresult or into the arguments;
 *  - what the caller passes in stays the caller's; a PGresult a caller
 *    hands over (a session read's result: ent_user_me()) is taken.
 * Failures come back as enum och_err (OCH_OK, OCH_ENOTFOUND, or
 * db_exec()'s errors), never as a NULL the caller must interpret.
 */
#ifndef OCH_ENT_H
#define OCH_ENT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cfg.h"
#include "db.h"
#include "inst.h"
#include "och.h"

/* An SQL expression's time as RFC 3339 text in UTC (to the second). */
#define ENT_TS(col) INST_TS(col)

/*
 * Read-only views (ent_view.c).  A view is a statement and, in its
 * SELECT order, the name and type of each column: its rows become JSON
 * objects member by member.  A result with another number of columns
 * than the view names is refused (logged, OCH_EDB), so the two cannot
 * drift apart unnoticed.
 */
struct ent_col {
	const char	*name;
	char		 type;	/* s string, i integer, f number, b boolean,
				   j JSON text; SQL NULL is null */
};
struct ent_view {
	struct db_stmt		 stmt;
	const struct ent_col	*cols;
	size_t			 ncols;
};
#define ENT_VIEW(name, sql, cols) { { name, sql }, cols, OCH_NELEM(cols) }

/*
 * Run view v with n parameters: *out a new array of its rows as objects
 * (caller deletes).  Returns OCH_OK, or db_exec()'s error with *out NULL.
 */
enum och_err	 ent_view_rows(struct db *, const struct ent_view *v, int n,
		    const char *const *p, cJSON **out);
/*
 * Run view v: *out its one row as a new object (caller deletes).
 * Returns OCH_OK, OCH_ENOTFOUND (not exactly one row; *out NULL) or
 * db_exec()'s error.
 */
enum och_err	 ent_view_one(struct db *, const struct ent_view *v, int n,
		    const char *const *p, cJSON **out);
/*
 * For the entity files only: columns first.. of row `row` of res added
 * to o as cols says; every row so as a new array (caller deletes).
 */
void		 ent_cols_add(cJSON *o, const PGresult *res, int row,
		    int first, const struct ent_col *cols, size_t n);
cJSON		*ent_rows_json(const PGresult *res, int first,
		    const struct ent_col *cols, size_t n);

/*
 * An entity's struct declared once (ent_view.c): each field is its
 * row's column at the same position and, when named, a member of its
 * JSON, so reading the rows, the JSON and the freeing come from one
 * table.  A result with another number of columns than the fields is
 * refused (logged, OCH_EDB), as a view's is.
 */
enum ent_ftype {
	ENT_F_STR,	/* char *, NULL for SQL NULL (then not in the JSON) */
	ENT_F_TEXT,	/* char *, "" for SQL NULL */
	ENT_F_JSON,	/* char *, JSON text (NULL for SQL NULL: not in the
			   JSON); its value in the JSON */
	ENT_F_INT,	/* int64_t, 0 for SQL NULL */
	ENT_F_OPTINT,	/* int64_t, -1 for SQL NULL (then not in the JSON) */
	ENT_F_NUM,	/* double, 0 for SQL NULL */
	ENT_F_BOOL	/* int, 1 for true */
};
struct ent_field {
	const char	*name;	/* the JSON member; NULL: none */
	size_t		 off;	/* offsetof() in the struct */
	enum ent_ftype	 type;
};
struct ent_fields {
	const struct ent_field	*f;
	size_t			 n;
	size_t			 size;	/* sizeof the struct */
};
#define ENT_FIELD(name, st, member, type) \
	{ name, offsetof(struct st, member), type }
#define ENT_FIELDS(st, fields) { fields, OCH_NELEM(fields), sizeof(struct st) }

/*
 * Run st with n parameters p: its rows as a new array of *nout structs
 * of fs (caller frees with ent_fields_free(); NULL when no row).
 * Returns OCH_OK, or db_exec()'s error (OCH_EDB for a result of another
 * shape) with NULL and *nout 0.
 */
enum och_err	 ent_fields_rows(struct db *, const struct db_stmt *st,
		    int n, const char *const *p, const struct ent_fields *fs,
		    void *out, size_t *nout);
/*
 * Run st for exactly one row into the struct at v (zeroed first; empty
 * it with ent_fields_clear()).  Returns OCH_OK, OCH_ENOTFOUND (not one
 * row; v zeroed) or as ent_fields_rows().
 */
enum och_err	 ent_fields_one(struct db *, const struct db_stmt *st,
		    int n, const char *const *p, const struct ent_fields *fs,
		    void *v);
/* As ent_fields_one() into a new struct *out (NULL unless OCH_OK; caller
 * frees with ent_fields_free(*out, 1, fs)). */
enum och_err	 ent_fields_new(struct db *, const struct db_stmt *st,
		    int n, const char *const *p, const struct ent_fields *fs,
		    void *out);
/* Free the strings of the struct at v by fs and zero it (safe to repeat). */
void		 ent_fields_clear(void *v, const struct ent_fields *fs);
/* The JSON of the struct at v by fs (caller deletes), NULL out of memory. */
cJSON		*ent_fields_json(const void *v, const struct ent_fields *fs);
/* Free the strings of n structs of fs at a, and a (NULL is fine). */
void		 ent_fields_free(void *a, size_t n, const struct ent_fields *fs);

/* a keyring that seals secrets (lib/cry.h) */
struct cry_keyring;

#endif
