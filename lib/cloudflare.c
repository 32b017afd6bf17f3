/*
 * cloudflare.c: the Cloudflare DNS records client (see cloudflare.h).
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cfg.h"
#include "cloudflare.h"
#include "log.h"
#include "hcl_prov.h"

#define CF_PAGES_MAX	50
#define CF_PER_PAGE	100

struct cf {
	struct prov_api	 api;
	char		*zone;		/* percent-encoded */
};

static const struct prov_code cf_codes[] = {
	{ "81057", OCH_ECONFLICT, 0 },	/* record already exists */
	{ "81058", OCH_ECONFLICT, 0 },	/* identical record exists */
	{ "81053", OCH_ECONFLICT, 0 },	/* A/AAAA/CNAME at that host */
	{ "81054", OCH_ECONFLICT, 0 },
	{ "81044", OCH_ENOTFOUND, 0 },	/* record does not exist */
	{ "10000", OCH_EAUTH, 0 },	/* authentication error */
	{ "9109", OCH_EAUTH, 0 },	/* invalid access token */
	{ "6003", OCH_EAUTH, 0 },	/* invalid request headers */
	{ "6111", OCH_EAUTH, 0 },	/* bad Authorization format */
	{ "7000", OCH_EINVAL, 0 },	/* no route for that URI */
	{ "7003", OCH_EINVAL, 0 },	/* bad zone identifier */
	{ "971", OCH_ERATE, 1 },	/* throttled */
};

static const struct prov_status cf_statuses[] = {
	{ 400, OCH_EINVAL, 0 },
	{ 401, OCH_EAUTH, 0 },
	{ 403, OCH_EFORBIDDEN, 0 },
	{ 429, OCH_ERATE, 1 },
	{ 408, OCH_EUPSTREAM, 1 },
	{ 409, OCH_EUPSTREAM, 1 },
};

/* Throttled: refused, nothing was done. */
static int
cf_refused(const struct prov_err *e)
{
	return e->err == OCH_ERATE;
}

static struct hcl_rlstate cf_rl = { { -1, -1, -1, -1 }, 0 };

static const struct prov_kind cf_kind = {
	"cloudflare", cf_codes, OCH_NELEM(cf_codes), cf_statuses,
	OCH_NELEM(cf_statuses), cf_classify, cf_refused, &cf_rl, 0
};

/*
 * A client on base_url (NULL: CF_API_URL) for one zone; strings are
 * copied, the hcl is borrowed.  Never NULL.  Free with cf_free().
 */
static struct cf *
cf_new(struct hcl *http, const char *base, const char *token,
    const char *zone)
{
	struct cf	*cf;
	struct buf	 z = { 0 };

	cf = xcalloc(1, sizeof(*cf));
	prov_api_init(&cf->api, &cf_kind, http, base, CF_API_URL, token, 250);
	buf_add(&z, "", 0);
	hcl_escape(&z, zone ? zone : "");
	cf->zone = buf_detach(&z);
	return cf;
}

struct cf *
cf_from_cfg(struct hcl *http, const struct cfg *cfg)
{
	const char	*tok, *zone;

	if ((tok = cfg_get(cfg, CFG_CLOUDFLARE_API_TOKEN)) == NULL ||
	    (zone = cfg_get(cfg, CFG_CLOUDFLARE_ZONE_ID)) == NULL)
		return NULL;
	return cf_new(http, cfg_str(cfg, CFG_CLOUDFLARE_API_URL, CF_API_URL),
	    tok, zone);
}

void
cf_free(struct cf *cf)
{
	if (cf == NULL)
		return;
	prov_api_clear(&cf->api);
	free(cf->zone);
	free(cf);
}

void
cf_set_policy(struct cf *cf, int max_retries, unsigned base_ms,
    unsigned cap_ms)
{
	hcl_policy_set(&cf->api.policy, max_retries, base_ms, cap_ms);
}

void
cf_rl_get(struct hcl_ratelimit *rl, time_t *seen_at)
{
	hcl_rl_get(&cf_rl, rl, seen_at);
}

int
cf_is_duplicate(const struct prov_err *e)
{
	return hcl_perr_is(e, "81057") || hcl_perr_is(e, "81058") ||
	    hcl_perr_is(e, "81053") || hcl_perr_is(e, "81054");
}

/* ---- classification -------------------------------------------------- */

/*
 * The first error of an envelope: *code (0 when none), message.
 * Returns 1 when the body is an envelope with success == true.
 */
static int
envelope(const char *body, size_t len, long *code, char *msg, size_t msgsz)
{
	cJSON		*root;
	const cJSON	*errs, *first, *c;
	char		 raw[256];
	int		 ok;

	*code = 0;
	if (msg)
		msg[0] = '\0';
	if (body == NULL || len == 0 ||
	    (root = hcl_json_parse(body, len)) == NULL)
		return 0;
	ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "success"));
	errs = cJSON_GetObjectItemCaseSensitive(root, "errors");
	first = cJSON_IsArray(errs) ? cJSON_GetArrayItem(errs, 0) : NULL;
	c = cJSON_GetObjectItemCaseSensitive(first, "code");
	if (cJSON_IsNumber(c) && c->valuedouble >= 1 &&
	    c->valuedouble < 1e9)
		*code = (long)c->valuedouble;
	if (msg && hcl_json_str(first, "message", raw, sizeof(raw)) == 0)
		hcl_sanitize(msg, msgsz, raw);
	cJSON_Delete(root);
	return ok;
}

void
cf_classify(long status, const char *body, size_t len, struct prov_err *e)
{
	char		 code[64] = "", msg[256];
	long		 c;
	enum och_err	 err;
	int		 retryable;

	(void)envelope(body, len, &c, msg, sizeof(msg));
	if (c != 0)
		snprintf(code, sizeof(code), "%ld", c);
	if (status >= 500) {
		/* a server error whatever the code says (10000 comes too) */
		err = OCH_EUPSTREAM;
		retryable = 1;
	} else if (prov_code_find(&cf_kind, code, &err, &retryable))
		;
	else if (c >= 9000 && c < 10000 &&
	    !(status >= 200 && status <= 299)) {
		err = OCH_EINVAL;	/* a field's error */
		retryable = 0;
	} else
		prov_status_find(&cf_kind, status, &err, &retryable);
	prov_err_set(e, status, code, err, retryable, msg);
}

/* ---- parsing --------------------------------------------------------- */

int
cf_parse_record(const cJSON *o, struct cf_record *rec)
{
	const cJSON	*it;
	char		 raw[512];

	memset(rec, 0, sizeof(*rec));
	if (hcl_json_str(o, "id", raw, sizeof(raw)) == -1 || raw[0] == '\0' ||
	    strlen(raw) >= sizeof(rec->id))
		return -1;
	hcl_sanitize(rec->id, sizeof(rec->id), raw);
	if (hcl_json_str(o, "type", raw, sizeof(raw)) == -1 || raw[0] == '\0')
		return -1;
	hcl_sanitize(rec->type, sizeof(rec->type), raw);
	if (hcl_json_str(o, "name", raw, sizeof(raw)) == -1)
		return -1;
	hcl_sanitize(rec->name, sizeof(rec->name), raw);
	if (hcl_json_str(o, "content", raw, sizeof(raw)) == -1)
		return -1;
	hcl_sanitize(rec->content, sizeof(rec->content), raw);
	it = cJSON_GetObjectItemCaseSensitive(o, "ttl");
	if (cJSON_IsNumber(it) && it->valuedouble >= 0 &&
	    it->valuedouble <= 1e7)
		rec->ttl = (long)it->valuedouble;
	rec->proxied = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o,
	    "proxied"));
	return 0;
}

/* A record id safe to put in a path. */
static int
valid_id(const char *id)
{
	size_t	 i;

	if (id == NULL || *id == '\0')
		return 0;
	for (i = 0; id[i] != '\0'; i++)
		if (i >= 63 || !(isalnum((unsigned char)id[i]) ||
		    id[i] == '-' || id[i] == '_'))
			return 0;
	return 1;
}

/* The same record content: addresses compared as addresses. */
static int
same_content(const char *type, const char *a, const char *b)
{
	unsigned char	 x[16], y[16];
	int		 af;

	af = strcmp(type, "AAAA") == 0 ? AF_INET6 :
	    strcmp(type, "A") == 0 ? AF_INET : 0;
	if (af != 0 && inet_pton(af, a, x) == 1 && inet_pton(af, b, y) == 1)
		return memcmp(x, y, af == AF_INET ? 4 : 16) == 0;
	return strcasecmp(a, b) == 0;
}

/* ---- the call -------------------------------------------------------- */

/*
 * method on base/zones/<zone>/dns_records + rest.  On a 2xx answer with
 * success true, *out gets the parsed envelope (free with cJSON_Delete).
 * Returns e->err.
 */
static enum och_err
cf_call(struct cf *cf, const char *method, const char *rest,
    const cJSON *body, int idempotent, cJSON **out, struct prov_err *e)
{
	struct hcl_resp		 r;
	char			*url, what[96];
	cJSON			*root;

	hcl_perr_init(e, "cloudflare");
	*out = NULL;
	url = xasprintf("%s/zones/%s/dns_records%s", cf->api.base, cf->zone,
	    rest);
	snprintf(what, sizeof(what), "cloudflare %s dns_records", method);
	if (prov_send_json(&cf->api, method, url, body, idempotent, &r, e,
	    what) == -1)
		goto out;
	root = NULL;
	if (r.status >= 200 && r.status <= 299 &&
	    (root = hcl_json_parse(r.body.data, r.body.len)) != NULL &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "success"))) {
		*out = root;
		goto out;
	}
	cJSON_Delete(root);
	prov_fail(&cf->api, &r, e);
	if (e->err == OCH_ENOTFOUND || cf_is_duplicate(e))
		log_info("%s: %s (%s) corr=%s", what, e->code,
		    e->err == OCH_ENOTFOUND ? "not found" : "already exists",
		    e->corr_id[0] ? e->corr_id : "-");
	else
		hcl_perr_log(e, what);
out:
	hcl_resp_free(&r);
	free(url);
	return e->err;
}

static enum och_err
take_record(const cJSON *root, struct cf_record *out, struct prov_err *e,
    const char *what)
{
	struct cf_record	 tmp;

	if (cf_parse_record(cJSON_GetObjectItemCaseSensitive(root, "result"),
	    out ? out : &tmp) == -1)
		return hcl_perr_bad_response(e, what, "record");
	return OCH_OK;
}

static cJSON *
record_body(const char *type, const char *name, const char *content,
    long ttl)
{
	cJSON	*b;

	b = cJSON_CreateObject();
	if (type != NULL)
		cJSON_AddStringToObject(b, "type", type);
	if (name != NULL)
		cJSON_AddStringToObject(b, "name", name);
	cJSON_AddStringToObject(b, "content", content);
	cJSON_AddNumberToObject(b, "ttl", ttl > 0 ? ttl : CF_TTL_AUTO);
	cJSON_AddBoolToObject(b, "proxied", 0);
	return b;
}

static enum och_err
invalid(struct prov_err *e, const char *msg)
{
	hcl_perr_init(e, "cloudflare");
	hcl_perr_set(e, OCH_EINVAL, 0, "invalid_input", "%s", msg);
	return e->err;
}

enum och_err
cf_record_create(struct cf *cf, const char *type, const char *name,
    const char *content, long ttl, struct cf_record *out, struct prov_err *e)
{
	cJSON			*body, *root = NULL;
	struct cf_record	 tmp;
	enum och_err		 rc;

	if (type == NULL || name == NULL || content == NULL)
		return invalid(e, "type, name and content are required");
	body = record_body(type, name, content, ttl);
	if ((rc = cf_call(cf, "POST", "", body, 0, &root, e)) == OCH_OK &&
	    (rc = take_record(root, out ? out : &tmp, e,
	    "cloudflare create record")) == OCH_OK)
		log_info("cloudflare create %s %s id=%s corr=%s", type, name,
		    out ? out->id : tmp.id, e->corr_id[0] ? e->corr_id : "-");
	cJSON_Delete(body);
	cJSON_Delete(root);
	return rc;
}

enum och_err
cf_record_list(struct cf *cf, const char *name, const char *type,
    struct cf_record *out, size_t max, size_t *n, struct prov_err *e)
{
	struct buf		 q = { 0 };
	struct cf_record	 rec;
	cJSON			*root = NULL;
	const cJSON		*arr, *it, *pages;
	long			 page, total;
	enum och_err		 rc = OCH_OK;

	*n = 0;
	if (name == NULL)
		return invalid(e, "a name is required");
	for (page = 1, total = 1; page <= total; page++) {
		if (page > CF_PAGES_MAX)
			return hcl_perr_bad_response(e, "cloudflare list",
			    "pagination");
		buf_reset(&q);
		buf_puts(&q, "?name.exact=");
		hcl_escape(&q, name);
		if (type != NULL) {
			buf_puts(&q, "&type=");
			hcl_escape(&q, type);
		}
		buf_printf(&q, "&per_page=%d&page=%ld", CF_PER_PAGE, page);
		rc = cf_call(cf, "GET", q.data, NULL, 1, &root, e);
		if (rc != OCH_OK)
			break;
		arr = cJSON_GetObjectItemCaseSensitive(root, "result");
		if (!cJSON_IsArray(arr)) {
			rc = hcl_perr_bad_response(e, "cloudflare list",
			    "result");
			break;
		}
		cJSON_ArrayForEach(it, arr) {
			if (cf_parse_record(it, &rec) == -1) {
				rc = hcl_perr_bad_response(e, "cloudflare list",
				    "record");
				goto out;
			}
			/* the filter is ours to check too */
			if (strcasecmp(rec.name, name) != 0 ||
			    (type != NULL && strcmp(rec.type, type) != 0))
				continue;
			if (*n < max)
				out[*n] = rec;
			(*n)++;
		}
		pages = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(root, "result_info"),
		    "total_pages");
		total = cJSON_IsNumber(pages) && pages->valuedouble >= 1 &&
		    pages->valuedouble <= CF_PAGES_MAX ?
		    (long)pages->valuedouble : page;
		if (cJSON_GetArraySize(arr) == 0)
			total = page;
		cJSON_Delete(root);
		root = NULL;
	}
out:
	cJSON_Delete(root);
	buf_free(&q);
	return rc;
}

enum och_err
cf_record_patch(struct cf *cf, const char *id, const char *content, long ttl,
    struct cf_record *out, struct prov_err *e)
{
	cJSON		*body, *root = NULL;
	char		*rest;
	enum och_err	 rc;

	if (!valid_id(id) || content == NULL)
		return invalid(e, "bad record id or no content");
	body = record_body(NULL, NULL, content, ttl);
	rest = xasprintf("/%s", id);
	if ((rc = cf_call(cf, "PATCH", rest, body, 1, &root, e)) == OCH_OK &&
	    (rc = take_record(root, out, e, "cloudflare patch record")) ==
	    OCH_OK)
		log_info("cloudflare patch id=%s corr=%s", id,
		    e->corr_id[0] ? e->corr_id : "-");
	cJSON_Delete(body);
	cJSON_Delete(root);
	free(rest);
	return rc;
}

enum och_err
cf_record_delete(struct cf *cf, const char *id, struct prov_err *e)
{
	cJSON		*root = NULL;
	char		*rest;
	enum och_err	 rc;

	if (!valid_id(id))
		return invalid(e, "bad record id");
	rest = xasprintf("/%s", id);
	if ((rc = cf_call(cf, "DELETE", rest, NULL, 1, &root, e)) == OCH_OK)
		log_info("cloudflare delete id=%s corr=%s", id,
		    e->corr_id[0] ? e->corr_id : "-");
	cJSON_Delete(root);
	free(rest);
	return rc;
}

enum och_err
cf_record_ensure(struct cf *cf, const char *type, const char *name,
    const char *content, long ttl, struct cf_record *out, struct prov_err *e)
{
	struct cf_record	 found[8];
	size_t			 n, i;
	enum och_err		 rc;

	rc = cf_record_create(cf, type, name, content, ttl, out, e);
	if (rc == OCH_OK || !cf_is_duplicate(e))
		return rc;
	if ((rc = cf_record_list(cf, name, type, found, OCH_NELEM(found), &n,
	    e)) != OCH_OK)
		return rc;
	if (n == 0) {
		/* it existed a moment ago; the next attempt will see */
		hcl_perr_set(e, OCH_ECONFLICT, 1, "conflict",
		    "record reported as existing but not listed");
		return e->err;
	}
	for (i = 0; i < n && i < OCH_NELEM(found); i++)
		if (same_content(type, found[i].content, content)) {
			*out = found[i];
			return OCH_OK;
		}
	return cf_record_patch(cf, found[0].id, content, ttl, out, e);
}
