/*
 * whmcs.c: the WHMCS external API client (see whmcs.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "cfg.h"
#include "log.h"
#include "whmcs.h"

struct wh {
	struct hcl	*http;
	char		*url;
	char		*identifier;
	char		*secret;
	struct hcl_policy policy;
};

struct wh_retry {
	int	 idempotent;
};

static int	wh_should_retry(const struct hcl_resp *, void *);

/*
 * A client for url (the full .../includes/api.php) with an API
 * credential pair; strings are copied, the hcl is borrowed.  Never
 * NULL.  Free with wh_free().
 */
static struct wh *
wh_new(struct hcl *http, const char *url, const char *identifier,
    const char *secret)
{
	struct wh	*wh;

	wh = xcalloc(1, sizeof(*wh));
	wh->http = http;
	wh->url = xstrdup(url ? url : "");
	wh->identifier = xstrdup(identifier ? identifier : "");
	wh->secret = xstrdup(secret ? secret : "");
	wh->policy.max_retries = 2;
	wh->policy.base_ms = 500;
	wh->policy.cap_ms = 2000;
	wh->policy.should_retry = wh_should_retry;
	return wh;
}

struct wh *
wh_from_cfg(struct hcl *http, const struct cfg *cfg)
{
	const char	*url, *id, *secret;

	if ((url = cfg_get(cfg, CFG_WHMCS_API_URL)) == NULL ||
	    (id = cfg_get(cfg, CFG_WHMCS_API_IDENTIFIER)) == NULL ||
	    (secret = cfg_get(cfg, CFG_WHMCS_API_SECRET)) == NULL)
		return NULL;
	return wh_new(http, url, id, secret);
}

void
wh_free(struct wh *wh)
{
	if (wh == NULL)
		return;
	free(wh->url);
	xfree_secret(wh->identifier);
	xfree_secret(wh->secret);
	free(wh);
}

void
wh_set_policy(struct wh *wh, int max_retries, unsigned base_ms,
    unsigned cap_ms)
{
	hcl_policy_set(&wh->policy, max_retries, base_ms, cap_ms);
}

void
wh_form(struct buf *b, const char *key, const char *value)
{
	if (b->len > 0)
		buf_putc(b, '&');
	hcl_escape(b, key);
	buf_putc(b, '=');
	hcl_escape(b, value ? value : "");
}

/* Case-insensitive substring. */
static int
has(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

enum och_err
wh_parse(long status, const char *body, size_t len, cJSON **out,
    struct prov_err *e)
{
	cJSON		*root = NULL;
	char		 result[32], raw[256], msg[256] = "";
	int		 retryable;

	e->status = status;
	if (out != NULL)
		*out = NULL;
	if (body != NULL && len > 0)
		root = hcl_json_parse(body, len);
	if (!cJSON_IsObject(root) ||
	    hcl_json_str(root, "result", result, sizeof(result)) == -1) {
		cJSON_Delete(root);
		retryable = status == 408 || status == 429 || status >= 500 ||
		    (status >= 200 && status <= 299);
		if (status >= 200 && status <= 299)
			hcl_perr_set(e, OCH_EUPSTREAM, 1, "bad_response",
			    "answer is not a WHMCS JSON result");
		else if (status == 401 || status == 403)
			hcl_perr_set(e, OCH_EAUTH, 0, "auth",
			    "http status %ld", status);
		else
			hcl_perr_set(e, status == 429 ? OCH_ERATE :
			    OCH_EUPSTREAM, retryable, "http_error",
			    "http status %ld", status);
		return e->err;
	}
	if (strcmp(result, "success") == 0 && status >= 200 && status <= 299) {
		if (out != NULL)
			*out = root;
		else
			cJSON_Delete(root);
		e->err = OCH_OK;
		return OCH_OK;
	}
	if (hcl_json_str(root, "message", raw, sizeof(raw)) == 0)
		hcl_sanitize(msg, sizeof(msg), raw);
	cJSON_Delete(root);
	if (status >= 500 || status == 429 || status == 408)
		hcl_perr_set(e, status == 429 ? OCH_ERATE : OCH_EUPSTREAM, 1,
		    "http_error", "%s", msg[0] ? msg : "server error");
	else if (has(msg, "authentication") || has(msg, "invalid ip") ||
	    has(msg, "permission") || status == 401 || status == 403)
		hcl_perr_set(e, OCH_EAUTH, 0, "auth", "%s", msg);
	else if (has(msg, "not found"))
		hcl_perr_set(e, OCH_ENOTFOUND, 0, "not_found", "%s", msg);
	else
		hcl_perr_set(e, OCH_EINVAL, 0, "whmcs_error", "%s",
		    msg[0] ? msg : "result is not success");
	return e->err;
}

static int
wh_should_retry(const struct hcl_resp *r, void *arg)
{
	const struct wh_retry	*how = arg;
	struct prov_err		 e;

	if (r->result == HCL_ECONNECT)
		return 1;
	if (!how->idempotent)
		return 0;
	if (r->result != HCL_HTTP)
		return hcl_retryable(r);
	hcl_perr_init(&e, "whmcs");
	return wh_parse(r->status, r->body.data, r->body.len, NULL, &e) !=
	    OCH_OK && e.retryable;
}

enum och_err
wh_call(struct wh *wh, const char *action, const struct wh_param *p,
    size_t n, int idempotent, cJSON **out, struct prov_err *e)
{
	struct buf		 form = { 0 };
	struct hcl_req		 rq;
	struct hcl_resp		 r;
	struct wh_retry		 how;
	struct hcl_policy	 pol;
	const char		*hdrs[3];
	char			 what[96];
	size_t			 i;

	hcl_perr_init(e, "whmcs");
	if (out != NULL)
		*out = NULL;
	memset(&r, 0, sizeof(r));
	snprintf(what, sizeof(what), "whmcs %s", action);
	wh_form(&form, "identifier", wh->identifier);
	wh_form(&form, "secret", wh->secret);
	wh_form(&form, "action", action);
	wh_form(&form, "responsetype", "json");
	for (i = 0; i < n; i++)
		if (p[i].key != NULL && p[i].value != NULL)
			wh_form(&form, p[i].key, p[i].value);
	hdrs[0] = "Content-Type: application/x-www-form-urlencoded";
	hdrs[1] = "Accept: application/json";
	hdrs[2] = NULL;
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = wh->url;
	rq.headers = hdrs;
	rq.body = form.data;
	rq.bodylen = form.len;
	how.idempotent = idempotent;
	pol = wh->policy;
	pol.arg = &how;

	if (hcl_do_retry(wh->http, &rq, &r, &pol) != OCH_OK) {
		hcl_perr_transport(e, &r);
		hcl_perr_log(e, what);
		goto out;
	}
	snprintf(e->corr_id, sizeof(e->corr_id), "%s", r.corr_id);
	if (wh_parse(r.status, r.body.data, r.body.len, out, e) != OCH_OK) {
		if (r.rl.retry_after_ms > 0)
			e->retry_after_ms = r.rl.retry_after_ms;
		hcl_perr_log(e, what);
	}
out:
	/* the body holds the secret */
	if (form.data != NULL)
		OPENSSL_cleanse(form.data, form.cap);
	buf_free(&form);
	hcl_resp_free(&r);
	return e->err;
}

enum och_err
wh_update_client_product(struct wh *wh, const struct wh_update *u,
    struct prov_err *e)
{
	struct wh_param	 p[7];
	char		 sid[24];
	size_t		 n = 0;
	enum och_err	 rc;

	if (u->serviceid <= 0) {
		hcl_perr_init(e, "whmcs");
		hcl_perr_set(e, OCH_EINVAL, 0, "invalid_input",
		    "no service id");
		return e->err;
	}
	snprintf(sid, sizeof(sid), "%" PRId64, u->serviceid);
	p[n++] = (struct wh_param){ "serviceid", sid };
	p[n++] = (struct wh_param){ "status", u->status };
	p[n++] = (struct wh_param){ "dedicatedip", u->dedicatedip };
	p[n++] = (struct wh_param){ "assignedips", u->assignedips };
	p[n++] = (struct wh_param){ "domain", u->domain };
	p[n++] = (struct wh_param){ "notes", u->notes };
	p[n++] = (struct wh_param){ "suspendreason", u->suspendreason };
	if ((rc = wh_call(wh, "UpdateClientProduct", p, n, 1, NULL, e)) ==
	    OCH_OK)
		log_info("whmcs UpdateClientProduct service=%s status=%s",
		    sid, u->status ? u->status : "-");
	return rc;
}

int
wh_parse_product(const cJSON *o, struct wh_product *p)
{
	char	 raw[512];

	memset(p, 0, sizeof(*p));
	if (hcl_json_id(o, "id", &p->id, 1) == -1)
		return -1;
	(void)hcl_json_id(o, "clientid", &p->clientid, 1);
	(void)hcl_json_id(o, "pid", &p->pid, 1);
	if (hcl_json_str(o, "status", raw, sizeof(raw)) == 0)
		hcl_sanitize(p->status, sizeof(p->status), raw);
	if (hcl_json_str(o, "domain", raw, sizeof(raw)) == 0)
		hcl_sanitize(p->domain, sizeof(p->domain), raw);
	if (hcl_json_str(o, "dedicatedip", raw, sizeof(raw)) == 0)
		hcl_sanitize(p->dedicatedip, sizeof(p->dedicatedip), raw);
	if (hcl_json_str(o, "name", raw, sizeof(raw)) == 0)
		hcl_sanitize(p->name, sizeof(p->name), raw);
	return 0;
}

enum och_err
wh_get_clients_products(struct wh *wh, int64_t serviceid,
    struct wh_product *prod, struct prov_err *e)
{
	struct wh_param	 p[1];
	cJSON		*root = NULL;
	const cJSON	*list, *it;
	char		 sid[24];
	enum och_err	 rc;

	memset(prod, 0, sizeof(*prod));
	snprintf(sid, sizeof(sid), "%" PRId64, serviceid);
	p[0] = (struct wh_param){ "serviceid", sid };
	if ((rc = wh_call(wh, "GetClientsProducts", p, 1, 1, &root, e)) !=
	    OCH_OK)
		return rc;
	/* {"products":{"product":[...]}}; PHP sends "" when empty */
	list = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(root, "products"), "product");
	if (!cJSON_IsArray(list))
		list = NULL;
	cJSON_ArrayForEach(it, list) {
		if (wh_parse_product(it, prod) == 0 && prod->id == serviceid)
			goto out;
	}
	memset(prod, 0, sizeof(*prod));
	hcl_perr_set(e, OCH_ENOTFOUND, 0, "not_found",
	    "service %s not in the answer", sid);
	rc = e->err;
out:
	cJSON_Delete(root);
	return rc;
}
