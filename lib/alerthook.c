/*
 * alerthook.c: the operators' alert webhook (see alerthook.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerthook.h"
#include "cry.h"

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON	*j = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(j) ? j->valuestring : "";
}

/*
 * The body for an outbox payload (the alert object as JSON text), into a
 * new string (free with cJSON_free), or NULL when payload is not a JSON object.
 */
static char *
alert_hook_body(const char *payload)
{
	cJSON		*a, *root;
	const char	*ev, *detail;
	char		*text, *out;

	if ((a = cJSON_Parse(payload != NULL ? payload : "")) == NULL ||
	    !cJSON_IsObject(a)) {
		cJSON_Delete(a);
		return NULL;
	}
	ev = str(a, "event");
	detail = str(a, "detail");
	text = xasprintf("%s[%s] %s on %s%s%s",
	    strcmp(ev, "resolved") == 0 ? "Resolved: " : "",
	    str(a, "severity"), str(a, "title"), str(a, "subject"),
	    *detail != '\0' && strcmp(ev, "resolved") != 0 ? ": " : "",
	    strcmp(ev, "resolved") != 0 ? detail : "");
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "text", text);
	cJSON_AddItemToObject(root, "alert", a);
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	free(text);
	return out;
}

/* The X-OCH-Signature value for body at ts under secret ("v1=" + hex). */
static void
alert_hook_sign(const char *secret, time_t ts, const char *body, char out[68])
{
	unsigned char	 mac[32];
	char		*base;

	base = xasprintf("v1:%lld:%s", (long long)ts, body);
	cry_hmac_sha256(secret, strlen(secret), base, strlen(base), mac);
	memcpy(out, "v1=", 3);
	cry_hex(mac, sizeof(mac), out + 3);
	free(base);
}

enum och_err
alert_hook_send(struct hcl *h, const struct cfg *cfg, const char *payload,
    struct prov_err *e)
{
	struct hcl_req	 rq;
	struct hcl_resp	 rs;
	const char	*hdr[4], *secret;
	char		*body, tsh[48], sigh[96], sig[68];
	time_t		 now = time(NULL);
	int		 n = 0;

	hcl_perr_init(e, "alert-webhook");
	if (cfg_get(cfg, CFG_ALERT_WEBHOOK_URL) == NULL) {
		hcl_perr_set(e, OCH_EINVAL, 0, "not_configured",
		    "ALERT_WEBHOOK_URL is not set");
		return e->err;
	}
	if ((body = alert_hook_body(payload)) == NULL) {
		hcl_perr_set(e, OCH_EINVAL, 0, "invalid_input",
		    "payload is not a JSON object");
		return e->err;
	}
	hdr[n++] = "Content-Type: application/json";
	if ((secret = cfg_get(cfg, CFG_ALERT_WEBHOOK_SECRET)) != NULL) {
		alert_hook_sign(secret, now, body, sig);
		snprintf(tsh, sizeof(tsh), "X-OCH-Timestamp: %lld",
		    (long long)now);
		snprintf(sigh, sizeof(sigh), "X-OCH-Signature: %s", sig);
		hdr[n++] = tsh;
		hdr[n++] = sigh;
	}
	hdr[n] = NULL;
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = cfg_get(cfg, CFG_ALERT_WEBHOOK_URL);
	rq.headers = hdr;
	rq.body = body;
	rq.bodylen = strlen(body);
	memset(&rs, 0, sizeof(rs));
	if (hcl_do(h, &rq, &rs) != OCH_OK)
		hcl_perr_transport(e, &rs);
	else if (rs.status < 200 || rs.status > 299)
		hcl_perr_set(e, rs.status == 429 ? OCH_ERATE : OCH_EUPSTREAM,
		    hcl_retryable(&rs), "http_status", "receiver answered "
		    "HTTP %ld", rs.status);
	e->status = rs.status;
	if (rs.rl.retry_after_ms > 0)
		e->retry_after_ms = rs.rl.retry_after_ms;
	hcl_resp_free(&rs);
	cJSON_free(body);
	return e->err;
}
