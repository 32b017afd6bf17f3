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
#include "hcl_prov.h"
#include "resend.h"

struct rs {
	struct prov_api	 api;
};

static const struct prov_code rs_codes[] = {
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
	/* validation_error depends on the status: rs_statuses */
};

static const struct prov_status rs_statuses[] = {
	{ 400, OCH_EINVAL, 0 },
	{ 401, OCH_EAUTH, 0 },
	{ 403, OCH_EFORBIDDEN, 0 },
	{ 404, OCH_ENOTFOUND, 0 },
	{ 409, OCH_ECONFLICT, 0 },
	{ 422, OCH_EUNPROCESSABLE, 0 },
	{ 408, OCH_EUPSTREAM, 1 },
	{ 429, OCH_ERATE, 1 },
};

/* Refused, nothing sent: the per-second limit (not a quota). */
static int
rs_refused(const struct prov_err *e)
{
	return hcl_perr_is(e, "rate_limit_exceeded");
}

static struct hcl_rlstate rs_rl = { { -1, -1, -1, -1 }, 0 };

static const struct prov_kind rs_kind = {
	"resend", rs_codes, OCH_NELEM(rs_codes), rs_statuses,
	OCH_NELEM(rs_statuses), rs_classify, rs_refused, &rs_rl, 0
};

/*
 * A client on base_url (NULL: RS_API_URL) with an API key; strings are
 * copied, the hcl is borrowed.  Never NULL.  Free with rs_free().
 */
static struct rs *
rs_new(struct hcl *http, const char *base, const char *key)
{
	struct rs	*rs;

	rs = xcalloc(1, sizeof(*rs));
	prov_api_init(&rs->api, &rs_kind, http, base, RS_API_URL, key, 500);
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
	prov_api_clear(&rs->api);
	free(rs);
}

void
rs_set_policy(struct rs *rs, int max_retries, unsigned base_ms,
    unsigned cap_ms)
{
	hcl_policy_set(&rs->api.policy, max_retries, base_ms, cap_ms);
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

	if (body != NULL && len > 0 &&
	    (root = hcl_json_parse(body, len)) != NULL) {
		if (hcl_json_str(root, "name", raw, sizeof(raw)) == 0)
			hcl_sanitize(name, sizeof(name), raw);
		if (hcl_json_str(root, "message", raw, sizeof(raw)) == 0)
			hcl_sanitize(msg, sizeof(msg), raw);
		cJSON_Delete(root);
	}
	prov_map(&rs_kind, status, name, msg, e);
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
	url = xasprintf("%s/emails", rs->api.base);
	hdrs[h++] = rs->api.auth;
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
	if (prov_send(&rs->api, &rq, m->idempotency_key != NULL, &r, e,
	    "resend send") == -1)
		goto out;
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
	prov_fail(&rs->api, &r, e);
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
