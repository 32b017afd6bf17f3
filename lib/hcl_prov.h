/*
 * hcl_prov.h: what the JSON API clients (hetzner.c, cloudflare.c,
 * resend.c) share, each keeping only its provider's: the connection (base URL,
 * bearer token, in-call retry policy), the one call that sends a request
 * and notes what every answer carries (status, correlation id, rate-limit
 * headers), the in-call retry rule, and the error mapping from the
 * provider's table of codes and table of statuses.  A provider is a
 * struct prov_kind: its tables and the two rules that are its own (how
 * its error answer reads, what says "nothing was done").  The WHMCS
 * client (a form POST with the secret in its body, another error shape)
 * is not one.
 */
#ifndef OCH_HCL_PROV_H
#define OCH_HCL_PROV_H

#include <stddef.h>

#include "hcl.h"

/* An error code the provider names, and what it means. */
struct prov_code {
	const char	*code;
	enum och_err	 err;
	int		 retryable;
};

/* An HTTP status, for an answer whose code the codes do not name. */
struct prov_status {
	long		 status;
	enum och_err	 err;
	int		 retryable;
};

struct prov_kind {
	const char		*name;		/* prov_err's upstream */
	const struct prov_code	*codes;
	size_t			 ncodes;
	const struct prov_status *statuses;
	size_t			 nstatuses;
	/* an error answer into e (e->status too): the provider's classify */
	void			(*classify)(long status, const char *body,
				    size_t len, struct prov_err *e);
	/* 1 when e says the request was refused (nothing done), so that
	 * even a request that is not idempotent is sent again */
	int			(*refused)(const struct prov_err *e);
	struct hcl_rlstate	*rl;	/* the last rate-limit headers seen */
	/* a spent budget: 0, it all returns at the reset time; else one
	 * request's worth every refill_ms (retry_after_ms when 429) */
	long long		 refill_ms;
};

/* A client's connection to its provider. */
struct prov_api {
	const struct prov_kind	*kind;
	struct hcl		*http;		/* borrowed */
	char			*base;		/* no trailing '/' */
	char			*auth;		/* "Authorization: Bearer …" */
	struct hcl_policy	 policy;
};

/*
 * Fill api for kind on base (NULL or "": dflt) with token (copied, the
 * hcl borrowed): 2 retries within a call, the first backoff base_ms,
 * at most 2 s.  Cannot fail.  Empty it with prov_api_clear().
 */
void	 prov_api_init(struct prov_api *, const struct prov_kind *kind,
	    struct hcl *http, const char *base, const char *dflt,
	    const char *token, unsigned base_ms);
/* Free what prov_api_init() allocated (the token wiped); NULL is fine. */
void	 prov_api_clear(struct prov_api *);

/*
 * Send rq, again within the call by the api's policy and prov_kind's
 * rule (idempotent: whether a request that may have been done may be
 * sent again).  Returns 0 when an HTTP answer came, with e->status,
 * e->corr_id and the kind's rate-limit state set from it (r the answer:
 * caller frees with hcl_resp_free()); -1 when none came, with e the
 * transport error, logged under what.
 */
int	 prov_send(const struct prov_api *, const struct hcl_req *rq,
	    int idempotent, struct hcl_resp *r, struct prov_err *e,
	    const char *what);
/*
 * method on url with body (NULL: none) as JSON, the api's token and
 * "Accept: application/json", sent as prov_send() does (r zeroed first,
 * then as there).  Returns 0 or -1 as prov_send(); -1 also when the body
 * cannot be encoded (e says so, not logged).
 */
int	 prov_send_json(const struct prov_api *, const char *method,
	    const char *url, const struct cJSON *body, int idempotent,
	    struct hcl_resp *r, struct prov_err *e, const char *what);
/*
 * r an error answer of the api's provider: e classified, its
 * retry_after_ms from the answer's Retry-After or rate-limit headers.
 */
void	 prov_fail(const struct prov_api *, const struct hcl_resp *r,
	    struct prov_err *e);
/*
 * What an error answer with code (the provider's, "" when none) and
 * status means: *err and *retryable by kind's codes; returns 1 when one
 * names code, else 0 with *err, *retryable untouched.
 */
int	 prov_code_find(const struct prov_kind *, const char *code,
	    enum och_err *err, int *retryable);
/*
 * By status: kind's statuses, else OCH_EUPSTREAM, retryable for a 5xx
 * and for a 2xx (an answer that did not read).
 */
void	 prov_status_find(const struct prov_kind *, long status,
	    enum och_err *err, int *retryable);
/*
 * Set e (e->status = status) to err and retryable with code ("" when
 * none: "bad_response" for a 2xx, else "http_<status>") and msg (""
 * when none).
 */
void	 prov_err_set(struct prov_err *e, long status, const char *code,
	    enum och_err err, int retryable, const char *msg);
/*
 * The usual mapping: code by kind's codes, else status by its statuses;
 * e set as prov_err_set() does.
 */
void	 prov_map(const struct prov_kind *, long status, const char *code,
	    const char *msg, struct prov_err *e);

#endif
