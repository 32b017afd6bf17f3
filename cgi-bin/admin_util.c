/*
 * admin_util.c: helpers the admin.fcgi handlers share (admin.h): the
 * audited error answer, query parameters and the catalogue upsert.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "audit.h"
#include "log.h"
#include "valid.h"

/* Answer an error and audit it. */
void
adm_fail(struct req *r, const char *action, const char *kind, const char *id,
    enum och_err e, const char *msg)
{
	resp_error(r, e, msg);
	db_rollback(r->app->db);
	audit_req(r, action, kind, id, err_status(e), NULL);
}

/*
 * Query parameter `name` as an integer in [min, max] into *out (def if
 * absent).  Returns 0, or -1 when it is malformed or out of range.
 */
int
adm_q_int(const struct req *r, const char *name, int64_t min, int64_t max,
    int64_t def, int64_t *out)
{
	char	*v;
	int	 bad = 0, rc = 0;

	*out = def;
	if ((v = req_query(r, name, &bad)) == NULL)
		return bad ? -1 : 0;
	if (bad || !valid_int64(v, min, max, out))
		rc = -1;
	free(v);
	return rc;
}

/*
 * Query parameter `name` as free text of 1..maxlen printable ASCII bytes
 * into *out (NULL when absent or empty; caller frees).  Returns 0 or -1.
 */
int
adm_q_text(const struct req *r, const char *name, size_t maxlen, char **out)
{
	char	*v;
	size_t	 i, n;
	int	 bad = 0;

	*out = NULL;
	if ((v = req_query(r, name, &bad)) == NULL)
		return bad ? -1 : 0;
	n = strlen(v);
	if (bad || n > maxlen)
		goto bad;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			goto bad;
	if (n == 0)
		free(v);
	else
		*out = v;
	return 0;
bad:
	free(v);
	return -1;
}

static void	upsert_answer(struct req *, const struct adm_upsert *,
		    const char **, int);

void
adm_upsert(struct req *r, const struct adm_upsert *u)
{
	struct db	*db = r->app->db;
	struct js_val	 v[ADM_UPSERT_MAX];
	const char	*name = req_param(r, 0), *p[ADM_UPSERT_MAX + 1], *s;
	char		 msg[160];
	enum och_err	 err;
	size_t		 k;
	int		 exists;

	if (name == NULL || !u->valid_name(name)) {
		adm_fail(r, u->action, u->kind, NULL, OCH_EINVAL, u->name_hint);
		return;
	}
	if (u->nfields > ADM_UPSERT_MAX || js_fields(r->json, u->fields,
	    u->nfields, v, msg, sizeof(msg)) < 0) {
		adm_fail(r, u->action, u->kind, name, OCH_EINVAL, msg);
		return;
	}
	p[0] = name;
	for (k = 0; k < u->nfields; k++)
		p[k + 1] = v[k].set ? v[k].s : NULL;
	if (db_begin(db) < 0) {
		adm_fail(r, u->action, u->kind, name, OCH_EDB, NULL);
		return;
	}
	if ((err = ent_catalog_lock(db, u->cat, name, &exists)) != OCH_OK) {
		adm_fail(r, u->action, u->kind, name, err, NULL);
		return;
	}
	if (!exists && (s = js_missing(u->fields, u->nfields, v)) != NULL) {
		snprintf(msg, sizeof(msg), "%s: required for a new %s", s,
		    u->kind);
		adm_fail(r, u->action, u->kind, name, OCH_EINVAL, msg);
		return;
	}
	err = ent_catalog_write(db, u->cat, exists, (int)u->nfields + 1, p);
	if (err != OCH_OK) {
		snprintf(msg, sizeof(msg), "the %s breaks a constraint", u->kind);
		adm_fail(r, u->action, u->kind, name, err == OCH_EINVAL ?
		    u->check_err : err, err == OCH_EINVAL ? msg :
		    err == OCH_ECONFLICT ? u->conflict : NULL);
		return;
	}
	if (db_commit(db) < 0) {
		adm_fail(r, u->action, u->kind, name, OCH_EDB, NULL);
		return;
	}
	log_info("admin %s %s %s", u->kind, name, exists ? "changed" :
	    "created");
	upsert_answer(r, u, p, exists ? 200 : 201);
}

/* After an upsert: the row as u->cat->one reads it, and the audit record. */
static void
upsert_answer(struct req *r, const struct adm_upsert *u, const char **p,
    int status)
{
	cJSON		*o;
	enum och_err	 err;

	if ((err = ent_view_one(r->app->db, &u->cat->one, 1, p, &o)) !=
	    OCH_OK) {
		adm_fail(r, u->action, u->kind, p[0], err == OCH_ENOTFOUND ?
		    OCH_ESYSTEM : err, NULL);
		return;
	}
	resp_json(r, status, o);
	audit_req(r, u->action, u->kind, p[0], status, status == 200 ?
	    "{\"created\":false}" : "{\"created\":true}");
}
