/*
 * hcl_prov.c: what the JSON API clients share (see hcl_prov.h): the
 * connection, the call, the in-call retry rule and the error mapping by
 * table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "hcl_prov.h"

/* The policy's arg within one call. */
struct prov_retry {
	const struct prov_kind	*kind;
	int			 idempotent;
};

/*
 * Within a call: what cannot have reached the provider, what it refused,
 * and, for an idempotent request, whatever its classification calls
 * retryable.  Returns 1 to send again, else 0.
 */
static int
prov_should_retry(const struct hcl_resp *r, void *arg)
{
	const struct prov_retry	*how = arg;
	struct prov_err		 e;

	if (r->result == HCL_ECONNECT)
		return 1;
	if (r->result != HCL_HTTP)
		return how->idempotent && hcl_retryable(r);
	if (r->status < 400)
		return 0;
	hcl_perr_init(&e, how->kind->name);
	how->kind->classify(r->status, r->body.data, r->body.len, &e);
	if (how->kind->refused(&e))
		return 1;
	return how->idempotent && e.retryable;
}

void
prov_api_init(struct prov_api *api, const struct prov_kind *kind,
    struct hcl *http, const char *base, const char *dflt, const char *token,
    unsigned base_ms)
{
	size_t	 n;

	memset(api, 0, sizeof(*api));
	api->kind = kind;
	api->http = http;
	api->base = xstrdup(base && *base ? base : dflt);
	n = strlen(api->base);
	while (n > 0 && api->base[n - 1] == '/')
		api->base[--n] = '\0';
	api->auth = xasprintf("Authorization: Bearer %s", token ? token : "");
	api->policy.max_retries = 2;
	api->policy.base_ms = base_ms;
	api->policy.cap_ms = 2000;
	api->policy.should_retry = prov_should_retry;
}

void
prov_api_clear(struct prov_api *api)
{
	if (api == NULL)
		return;
	free(api->base);
	xfree_secret(api->auth);
	api->base = api->auth = NULL;
}

int
prov_send(const struct prov_api *api, const struct hcl_req *rq,
    int idempotent, struct hcl_resp *r, struct prov_err *e, const char *what)
{
	struct prov_retry	 how;
	struct hcl_policy	 pol;

	how.kind = api->kind;
	how.idempotent = idempotent;
	pol = api->policy;
	pol.arg = &how;
	if (hcl_do_retry(api->http, rq, r, &pol) != OCH_OK) {
		hcl_perr_transport(e, r);
		hcl_perr_log(e, what);
		return -1;
	}
	hcl_rl_note(api->kind->rl, &r->rl, time(NULL));
	snprintf(e->corr_id, sizeof(e->corr_id), "%s", r->corr_id);
	e->status = r->status;
	return 0;
}

int
prov_send_json(const struct prov_api *api, const char *method,
    const char *url, const cJSON *body, int idempotent, struct hcl_resp *r,
    struct prov_err *e, const char *what)
{
	struct hcl_req	 rq;
	const char	*hdrs[4];
	char		*json = NULL;
	int		 rc = -1;

	memset(r, 0, sizeof(*r));
	if (hcl_json_req(&rq, hdrs, method, url, api->auth, body, &json,
	    e) == 0)
		rc = prov_send(api, &rq, idempotent, r, e, what);
	cJSON_free(json);
	return rc;
}

void
prov_fail(const struct prov_api *api, const struct hcl_resp *r,
    struct prov_err *e)
{
	const struct prov_kind	*k = api->kind;

	k->classify(r->status, r->body.data, r->body.len, e);
	if (r->rl.retry_after_ms > 0)
		e->retry_after_ms = r->rl.retry_after_ms;
	else if (e->err == OCH_ERATE && r->rl.reset_at > 0) {
		if (k->refill_ms == 0)
			e->retry_after_ms = (r->rl.reset_at - time(NULL)) *
			    1000;
		else if (r->rl.remaining == 0)
			e->retry_after_ms = k->refill_ms;
	}
}

int
prov_code_find(const struct prov_kind *k, const char *code,
    enum och_err *err, int *retryable)
{
	size_t	 i;

	if (code == NULL || code[0] == '\0')
		return 0;
	for (i = 0; i < k->ncodes; i++)
		if (strcmp(k->codes[i].code, code) == 0) {
			*err = k->codes[i].err;
			*retryable = k->codes[i].retryable;
			return 1;
		}
	return 0;
}

void
prov_status_find(const struct prov_kind *k, long status, enum och_err *err,
    int *retryable)
{
	size_t	 i;

	for (i = 0; i < k->nstatuses; i++)
		if (k->statuses[i].status == status) {
			*err = k->statuses[i].err;
			*retryable = k->statuses[i].retryable;
			return;
		}
	*err = OCH_EUPSTREAM;
	*retryable = status >= 500 || (status >= 200 && status <= 299);
}

void
prov_err_set(struct prov_err *e, long status, const char *code,
    enum och_err err, int retryable, const char *msg)
{
	char	 name[64];

	if (code != NULL && code[0] != '\0')
		snprintf(name, sizeof(name), "%s", code);
	else if (status >= 200 && status <= 299)
		snprintf(name, sizeof(name), "bad_response");
	else
		snprintf(name, sizeof(name), "http_%ld", status);
	e->status = status;
	hcl_perr_set(e, err, retryable, name, "%s",
	    msg != NULL && msg[0] != '\0' ? msg : "no error message");
}

void
prov_map(const struct prov_kind *k, long status, const char *code,
    const char *msg, struct prov_err *e)
{
	enum och_err	 err;
	int		 retryable;

	if (!prov_code_find(k, code, &err, &retryable))
		prov_status_find(k, status, &err, &retryable);
	prov_err_set(e, status, code, err, retryable, msg);
}
