/*
 * cfenv.c: the Cloudflare v4 envelope shared by the Cloudflare routes
 * (see cfenv.h).
 */
#include <stdint.h>

#include "och.h"
#include "cfenv.h"
#include "util.h"

/* --- envelope ----------------------------------------------------- */

cJSON *
scf_msg(int code, const char *text)
{
	cJSON	*o;

	o = su_jobj();
	su_jnum(o, "code", code);
	su_jstr(o, "message", text);
	return o;
}

/* Success envelope; note (may be NULL) is one message. */
void
scf_ok_note(struct http_req *r, cJSON *result, cJSON *info, cJSON *note)
{
	cJSON	*root;

	root = su_jobj();
	cJSON_AddItemToObject(root, "result", result);
	su_jbool(root, "success", 1);
	cJSON_AddItemToObject(root, "errors", su_jarr());
	cJSON_AddItemToObject(root, "messages", su_jarr());
	if (note != NULL)
		cJSON_AddItemToArray(cJSON_GetObjectItem(root, "messages"),
		    note);
	if (info != NULL)
		cJSON_AddItemToObject(root, "result_info", info);
	http_json(r, 200, root);
}

/* Fail with one error (and optionally a second one after it). */
void
scf_fail2(struct http_req *r, int status, int code, const char *text,
    int code2, const char *text2)
{
	cJSON	*root, *errs;

	root = su_jobj();
	su_jnull(root, "result");
	su_jbool(root, "success", 0);
	errs = su_jarr();
	cJSON_AddItemToArray(errs, scf_msg(code, text));
	if (code2 != 0)
		cJSON_AddItemToArray(errs, scf_msg(code2, text2));
	cJSON_AddItemToObject(root, "errors", errs);
	cJSON_AddItemToObject(root, "messages", su_jarr());
	http_json(r, status, root);
}

void
scf_fail(struct http_req *r, int status, int code, const char *text)
{
	scf_fail2(r, status, code, text, 0, NULL);
}

cJSON *
scf_info(long page, long per_page, long count, long total)
{
	cJSON	*o;

	o = su_jobj();
	su_jnum(o, "page", page);
	su_jnum(o, "per_page", per_page);
	su_jnum(o, "count", count);
	su_jnum(o, "total_count", total);
	su_jnum(o, "total_pages", total == 0 ? 0 :
	    (total + per_page - 1) / per_page);
	return o;
}

int
scf_paging(struct http_req *r, int64_t *page, int64_t *per, int64_t def,
    int64_t lo, int64_t hi)
{
	const char	*p = http_query(r, "page"), *pp = http_query(r,
			    "per_page");

	*page = 1;
	*per = def;
	if ((p != NULL && (su_parse_id(p, page) == -1 || *page < 1 ||
	    *page > 1000000000)) || (pp != NULL && (su_parse_id(pp, per) ==
	    -1 || *per < 1 || (hi == 0 && *per > 5000000)))) {
		scf_fail(r, 400, 1004, "Validation Error: invalid page or "
		    "per_page");
		return -1;
	}
	*per = *per < lo ? lo : hi && *per > hi ? hi : *per;
	return 0;
}
