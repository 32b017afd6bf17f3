/*
 * resend.h: the Resend email client (POST /emails), as Resend's API
 * document (third_party/openapi/resend-openapi.yaml) describes it.
 *
 * Errors are classified by the body's "name", then by status:
 *   rate_limit_exceeded: OCH_ERATE, retryable, retry_after_ms from
 *     Retry-After (or ratelimit-reset);
 *   concurrent_idempotent_requests: OCH_ECONFLICT, retryable (the first
 *     request with this key is still in flight);
 *   application_error, internal_server_error, 5xx, transport errors,
 *     timeouts, garbage or incomplete answers: retryable;
 *   invalid_idempotent_request (same key, other payload: an email with
 *     this key was already accepted): OCH_ECONFLICT, not retryable;
 *   daily_quota_exceeded, monthly_quota_exceeded: OCH_ERATE, not
 *     retryable; validation_error, missing_required_field, invalid_*:
 *     OCH_EINVAL / OCH_EUNPROCESSABLE; missing_api_key,
 *     restricted_api_key, invalid_api_key: OCH_EAUTH; security_error:
 *     OCH_EFORBIDDEN; all not retryable.
 * With an Idempotency-Key the request is sent again inside the call on
 * retryable errors (Resend answers a replay with the original result);
 * without one, only when the connection failed or on 429.
 */
#ifndef OCH_RESEND_H
#define OCH_RESEND_H

#include <time.h>

#include "hcl.h"

struct cfg;
struct rs;

#define RS_API_URL	"https://api.resend.com"
#define RS_KEY_MAX	256	/* Idempotency-Key length */

struct rs_email {
	const char		*from;		/* "Name <a@b>" */
	const char *const	*to;		/* NULL-terminated, 1..50 */
	const char		*subject;
	const char		*html;		/* html and/or text */
	const char		*text;
	const char		*reply_to;	/* may be NULL */
	const char *const	*tags;		/* name, value, ..., NULL (may be NULL) */
	const char *const	*headers;	/* name, value, ..., NULL (may be NULL) */
	const char		*idempotency_key; /* 1..256 chars, or NULL */
};

/* From RESEND_API_URL and RESEND_API_KEY; NULL when the key is unset. */
struct rs	*rs_from_cfg(struct hcl *, const struct cfg *);
void		 rs_free(struct rs *);
void		 rs_set_policy(struct rs *, int max_retries, unsigned base_ms,
		    unsigned cap_ms);

/*
 * Send one email.  On OCH_OK, id (idsz bytes) gets Resend's email id.
 * Failures as in the header comment; OCH_EINVAL without a request for
 * a missing from/to/subject/body or a bad key length.
 */
enum och_err	 rs_send(struct rs *, const struct rs_email *, char *id,
		    size_t idsz, struct prov_err *);

/*
 * The latest Resend rate-limit headers seen by this process (fields
 * -1 when never seen) and when (0: never).
 */
void		 rs_rl_get(struct hcl_ratelimit *, time_t *seen_at);

/* Pure part, exposed for the tests. */
void		 rs_classify(long status, const char *body, size_t len,
		    struct prov_err *e);

#endif
