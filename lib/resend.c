/*
 * resend.c: the Resend email client (see resend.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cfg.h"
#include "log.h"
#include "resend.h"

struct rs {
	struct hcl	*http;
	char		*base;
	char		*auth;
	struct hcl_policy policy;
};

struct rs_retry {
	int	 idempotent;
};

static const struct rs_code {
	const char	*name;
	enum och_err	 err;
	int		 retryable;
} rs_codes[] = {
	{ "rate_limit_exceeded", OCH_ERATE, 1 },
	{ "concurrent_idempotent_requests", OCH_ECONFLICT, 1 },
	{ "application_error", OCH_EUPSTREAM, 1 },
	{ "internal_server_error", OCH_EUPSTREAM, 1 },
	{ "invalid_idempotent_request", OCH_ECONFLICT, 0 },
	{ "daily_quota_exceeded", OCH_ERATE, 0 },
	{ "monthly_quota_exceeded", OCH_ERATE, 0 },
	{ "invalid_idempotency_key", OCH_EINVAL, 0 },
	{ "missing_api_key", OCH_EAUTH, 0 },
	{ "restricted_api_key", OCH_EAUTH, 0 },
	{ "invalid_api_key", OCH_EAUTH, 0 },
	{ "not_found", OCH_ENOTFOUND, 0 },
	{ "method_not_allowed", OCH_EUPSTREAM, 0 },
	{ "invalid_attachment", OCH_EUNPROCESSABLE, 0 },
	{ "invalid_from_address", OCH_EUNPROCESSABLE, 0 },
	{ "invalid_access", OCH_EUNPROCESSABLE, 0 },
	{ "invalid_parameter", OCH_EUNPROCESSABLE, 0 },
	{ "invalid_region", OCH_EUNPROCESSABLE, 0 },
	{ "missing_required_field", OCH_EUNPROCESSABLE, 0 },
	{ "security_error", OCH_EFORBIDDEN, 0 },
	/* validation_error depends on the status: see rs_classify */
};

static int	rs_should_retry(const struct hcl_resp *, void *);

static struct hcl_rlstate rs_rl = { { -1, -1, -1, -1 }, 0 };

/*
 * A client on base_url (NULL: RS_API_URL) with an API key; strings are
 * copied, the hcl is borrowed.  Never NULL.  Free with rs_free().
 */
static struct rs *
rs_new(struct hcl *http, const char *base, const char *key)
{
	struct rs	*rs;
	size_t		 n;

	rs = xcalloc(1, sizeof(*rs));
	rs->http = http;
	rs->base = xstrdup(base && *base ? base : RS_API_URL);
	n = strlen(rs->base);
	while (n > 0 && rs->base[n - 1] == '/')
		rs->base[--n] = '\0';
	rs->auth = xasprintf("Authorization: Bearer %s", key ? key : "");
	rs->policy.max_retries = 2;
	rs->policy.base_ms = 500;
	rs->policy.cap_ms = 2000;
	rs->policy.should_retry = rs_should_retry;
	return rs;
}

struct rs *
rs_from_cfg(struct hcl *http, const struct cfg *cfg)
{
	const char	*key;

	if ((key = cfg_get(cfg, CFG_RESEND_API_KEY)) == NULL)
		return NULL;
	return rs_new(http, cfg_str(cfg, CFG_RESEND_API_URL, RS_API_URL), key);
}

void
rs_free(struct rs *rs)
{
	if (rs == NULL)
		return;
	free(rs->base);
	xfree_secret(rs->auth);
	free(rs);
}

void
rs_set_policy(struct rs *rs, int max_retries, unsigned base_ms,
    unsigned cap_ms)
{
	hcl_policy_set(&rs->policy, max_retries, base_ms, cap_ms);
}

void
rs_rl_get(struct hcl_ratelimit *rl, time_t *seen_at)
{
	hcl_rl_get(&rs_rl, rl, seen_at);
}

void
rs_classify(long status, const char *body, size_t len, struct prov_err *e)
{
	cJSON		*root = NULL;
	char		 name[64] = "", msg[256] = "", raw[256];
	size_t		 i;
	enum och_err	 err;
	int		 retryable = 0;

	e->status = status;
	if (body != NULL && len > 0 &&
	    (root = hcl_json_parse(body, len)) != NULL) {
		if (hcl_json_str(root, "name", raw, sizeof(raw)) == 0)
			hcl_sanitize(name, sizeof(name), raw);
		if (hcl_json_str(root, "message", raw, sizeof(raw)) == 0)
			hcl_sanitize(msg, sizeof(msg), raw);
		cJSON_Delete(root);
	}
	for (i = 0; i < OCH_NELEM(rs_codes); i++)
		if (name[0] != '\0' && strcmp(rs_codes[i].name, name) == 0)
			break;
	if (i < OCH_NELEM(rs_codes)) {
		err = rs_codes[i].err;
		retryable = rs_codes[i].retryable;
	} else {
		switch (status) {
		case 400:
			err = OCH_EINVAL;
			break;
		case 401:
			err = OCH_EAUTH;
			break;
		case 403:
			err = OCH_EFORBIDDEN;
			break;
		case 404:
			err = OCH_ENOTFOUND;
			break;
		case 409:
			err = OCH_ECONFLICT;
			break;
		case 422:
			err = OCH_EUNPROCESSABLE;
			break;
		case 408:
			err = OCH_EUPSTREAM;
			retryable = 1;
			break;
		case 429:
			err = OCH_ERATE;
			retryable = 1;
			break;
		default:
			err = OCH_EUPSTREAM;
			retryable = status >= 500 ||
			    (status >= 200 && status <= 299);
			break;
		}
	}
	if (name[0] == '\0' && status >= 200 && status <= 299)
		snprintf(name, sizeof(name), "bad_response");
	else if (name[0] == '\0')
		snprintf(name, sizeof(name), "http_%ld", status);
	hcl_perr_set(e, err, retryable, name, "%s",
	    msg[0] ? msg : "no error message");
}

static int
rs_should_retry(const struct hcl_resp *r, void *arg)
{
	const struct rs_retry	*how = arg;
	struct prov_err		 e;

	if (r->result == HCL_ECONNECT)
		return 1;
	if (r->result != HCL_HTTP)
		return how->idempotent && hcl_retryable(r);
	if (r->status >= 200 && r->status <= 299)
		return 0;
	hcl_perr_init(&e, "resend");
	rs_classify(r->status, r->body.data, r->body.len, &e);
	if (hcl_perr_is(&e, "rate_limit_exceeded"))
		return 1;
	return how->idempotent && e.retryable;
}

/* name, value pairs as [{"name":..,"value":..}] or {name: value}. */
static void
add_pairs(cJSON *body, const char *key, const char *const *kv, int as_array)
{
	cJSON	*c, *o;
	size_t	 i;

	if (kv == NULL || kv[0] == NULL)
		return;
	c = as_array ? cJSON_AddArrayToObject(body, key) :
	    cJSON_AddObjectToObject(body, key);
	for (i = 0; kv[i] != NULL && kv[i + 1] != NULL; i += 2) {
		if (as_array) {
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", kv[i]);
			cJSON_AddStringToObject(o, "value", kv[i + 1]);
			cJSON_AddItemToArray(c, o);
		} else
			cJSON_AddStringToObject(c, kv[i], kv[i + 1]);
	}
}

static int
valid_key(const char *k)
{
	size_t	 i;

	for (i = 0; k[i] != '\0'; i++)
		if (k[i] <= ' ' || k[i] >= 127 || i >= RS_KEY_MAX)
			return 0;
	return i > 0;
}

enum och_err
rs_send(struct rs *rs, const struct rs_email *m, char *id, size_t idsz,
    struct prov_err *e)
{
	struct hcl_req		 rq;
	struct hcl_resp		 r;
	struct rs_retry		 how;
	struct hcl_policy	 pol;
	const char		*hdrs[5];
	cJSON			*body, *to, *root = NULL;
	char			*url, *json = NULL, *keyhdr = NULL, raw[128];
	size_t			 i, h = 0;

	hcl_perr_init(e, "resend");
	if (idsz > 0)
		id[0] = '\0';
	memset(&r, 0, sizeof(r));
	if (m->from == NULL || m->to == NULL || m->to[0] == NULL ||
	    m->subject == NULL || (m->html == NULL && m->text == NULL)) {
		hcl_perr_set(e, OCH_EINVAL, 0, "invalid_input",
		    "from, to, subject and html or text are required");
		return e->err;
	}
	if (m->idempotency_key != NULL && !valid_key(m->idempotency_key)) {
		hcl_perr_set(e, OCH_EINVAL, 0, "invalid_input",
		    "idempotency key must be 1..%d printable characters",
		    RS_KEY_MAX);
		return e->err;
	}
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "from", m->from);
	to = cJSON_AddArrayToObject(body, "to");
	for (i = 0; m->to[i] != NULL && i < 50; i++)
		cJSON_AddItemToArray(to, cJSON_CreateString(m->to[i]));
	cJSON_AddStringToObject(body, "subject", m->subject);
	if (m->html != NULL)
		cJSON_AddStringToObject(body, "html", m->html);
	if (m->text != NULL)
		cJSON_AddStringToObject(body, "text", m->text);
	if (m->reply_to != NULL)
		cJSON_AddStringToObject(body, "reply_to", m->reply_to);
	add_pairs(body, "tags", m->tags, 1);
	add_pairs(body, "headers", m->headers, 0);
	url = xasprintf("%s/emails", rs->base);
	hdrs[h++] = rs->auth;
	hdrs[h++] = "Content-Type: application/json";
	hdrs[h++] = "Accept: application/json";
	if (m->idempotency_key != NULL) {
		keyhdr = xasprintf("Idempotency-Key: %s", m->idempotency_key);
		hdrs[h++] = keyhdr;
	}
	hdrs[h] = NULL;
	if ((json = cJSON_PrintUnformatted(body)) == NULL) {
		hcl_perr_set(e, OCH_ESYSTEM, 0, "internal",
		    "cannot encode the request");
		goto out;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = url;
	rq.headers = hdrs;
	rq.body = json;
	rq.bodylen = strlen(json);
	how.idempotent = m->idempotency_key != NULL;
	pol = rs->policy;
	pol.arg = &how;

	if (hcl_do_retry(rs->http, &rq, &r, &pol) != OCH_OK) {
		hcl_perr_transport(e, &r);
		hcl_perr_log(e, "resend send");
		goto out;
	}
	hcl_rl_note(&rs_rl, &r.rl, time(NULL));
	snprintf(e->corr_id, sizeof(e->corr_id), "%s", r.corr_id);
	e->status = r.status;
	if (r.status >= 200 && r.status <= 299 &&
	    (root = hcl_json_parse(r.body.data, r.body.len)) != NULL &&
	    hcl_json_str(root, "id", raw, sizeof(raw)) == 0 &&
	    raw[0] != '\0' && strlen(raw) < sizeof(raw) - 1 &&
	    strlen(raw) < idsz) {
		hcl_sanitize(id, idsz, raw);
		log_info("resend sent id=%s key=%s corr=%s", id,
		    m->idempotency_key ? m->idempotency_key : "-",
		    e->corr_id[0] ? e->corr_id : "-");
		goto out;
	}
	rs_classify(r.status, r.body.data, r.body.len, e);
	if (r.rl.retry_after_ms > 0)
		e->retry_after_ms = r.rl.retry_after_ms;
	else if (e->err == OCH_ERATE && r.rl.reset_at > 0)
		e->retry_after_ms = (r.rl.reset_at - time(NULL)) * 1000;
	hcl_perr_log(e, "resend send");
out:
	cJSON_Delete(root);
	cJSON_Delete(body);
	cJSON_free(json);
	free(keyhdr);
	hcl_resp_free(&r);
	free(url);
	return e->err;
}
