/*
 * hcl.h: the HTTP client every upstream call goes through (libcurl).
 *
 * It owns one curl easy handle per process (reused, so connections and
 * DNS answers are kept between calls), the timeouts (connect 5 s, total
 * 20 s by default), a cap on the response body (1 MiB by default; a
 * bigger answer is an error, memory never grows past the cap), the
 * capture of the response headers that matter (rate limits, Retry-After,
 * correlation ids), the retry policy helpers (classification callback,
 * jittered exponential backoff) and the provider error record shared by
 * the Hetzner, Cloudflare, Resend and WHMCS clients (struct prov_err).
 *
 * Nothing here logs a header value other than the correlation id, nor
 * any request or response body.
 */
#ifndef OCH_HCL_H
#define OCH_HCL_H

#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "och.h"

struct cJSON;
struct hcl;

#define HCL_CONNECT_TIMEOUT_MS	5000
#define HCL_TIMEOUT_MS		20000
#define HCL_MAX_BODY		(1024 * 1024)

/* How a request ended. */
enum hcl_result {
	HCL_HTTP = 0,		/* an HTTP answer came back (any status) */
	HCL_ECONNECT,		/* no connection: the request was not sent */
	HCL_ETIMEOUT,		/* connect or total timeout */
	HCL_ETOOBIG,		/* the response body was over the cap */
	HCL_ETRANSPORT,		/* reset, empty reply, TLS, protocol, ... */
	HCL_RESULT__MAX
};

/*
 * Rate-limit state read from the response headers; -1 where absent.
 * Understood: RateLimit-Limit/-Remaining/-Reset (Hetzner: Reset is a
 * UNIX time; Resend: lowercase, Reset is a delay in seconds; a value
 * below 10^9 is taken as a delay), Cloudflare's structured
 * `Ratelimit: "default";r=N;t=S` and `Ratelimit-Policy: ...;q=N;w=S`
 * (also Resend's `ratelimit-policy: N;w=S`), Retry-After (seconds or an
 * HTTP date) and Retry-After-Ms.
 */
struct hcl_ratelimit {
	long long	 limit;		/* requests per window */
	long long	 remaining;	/* requests left */
	long long	 reset_at;	/* UNIX seconds when the budget resets */
	long long	 retry_after_ms; /* wait this long before trying again */
};

/* The latest rate-limit headers of one upstream, kept process-wide. */
struct hcl_rlstate {
	struct hcl_ratelimit	 rl;
	time_t			 seen_at;	/* 0: never */
};

/*
 * Told after every hcl_do() on a handle: the request's URL, the answer's
 * HTTP status (0 when none came back) and the time it took.  For counters
 * (the poller's och_upstream_* metrics); it must not log the URL's query.
 */
typedef void (*hcl_observer)(void *arg, const char *url, long status,
    long elapsed_ms);
/* Set (or with NULL clear) the handle's observer. */
void		 hcl_set_observer(struct hcl *, hcl_observer, void *arg);

struct hcl_req {
	const char		*method;	/* "GET", "POST", ... (NULL: GET) */
	const char		*url;
	const char *const	*headers;	/* "Name: value", NULL-terminated */
	const char		*body;		/* NULL: no body */
	size_t			 bodylen;
	long			 timeout_ms;	/* 0: the client's default */
};

/*
 * A response.  Zero-initialise before the first hcl_do(); it may be
 * reused for further calls (each call resets it) and is released with
 * hcl_resp_free().  body.data is never NULL after hcl_do().
 */
struct hcl_resp {
	enum hcl_result		 result;
	long			 status;	/* HTTP status; 0 without answer */
	int			 sent;		/* the request may have reached the server */
	struct buf		 body;
	struct hcl_ratelimit	 rl;
	char			 corr_id[128];	/* X-Correlation-Id, cf-ray, x-request-id */
	char			 content_type[96];
	char			 reason[192];	/* why, when result != HCL_HTTP */
	long			 elapsed_ms;
};

/*
 * The outcome of a provider call, shared by hz_, cf_, rs_ and wh_.
 * err is OCH_OK on success; otherwise the mapped error:
 *   OCH_EUPSTREAM	transport error, timeout, 5xx, garbage answer
 *   OCH_ERATE		rate limited or quota exceeded
 *   OCH_ENOTFOUND	the object does not exist
 *   OCH_ECONFLICT	duplicate / locked / conflicting state (see code)
 *   OCH_EINVAL		the upstream refused our input
 *   OCH_EAUTH, OCH_EFORBIDDEN	credentials or permissions
 *   OCH_EUNAVAIL	the upstream is in maintenance / unavailable
 * retryable says whether the same call may succeed later; code is the
 * upstream's own error code ("locked", "uniqueness_error", "81057",
 * "rate_limit_exceeded") or one of ours: "transport", "timeout",
 * "too_big", "bad_response" (unparseable or incomplete answer), "http_N".
 * message is the upstream's message, made printable and truncated; it
 * never contains a token.  retry_after_ms is a hint (0: none).
 */
struct prov_err {
	enum och_err	 err;
	int		 retryable;
	long		 status;
	long long	 retry_after_ms;
	const char	*upstream;	/* "hetzner", "cloudflare", ... */
	char		 code[64];
	char		 message[256];
	char		 corr_id[128];
};

/*
 * A classification callback for hcl_do_retry(): return 1 when the
 * request should be sent again after a backoff.
 */
typedef int hcl_retry_fn(const struct hcl_resp *, void *arg);

struct hcl_policy {
	int		 max_retries;	/* attempts after the first; 0 = none */
	unsigned	 base_ms;	/* first backoff ceiling */
	unsigned	 cap_ms;	/* largest single wait; a longer
					   Retry-After ends the retries */
	hcl_retry_fn	*should_retry;	/* NULL: hcl_retryable() */
	void		*arg;
};

/*
 * A client with one curl handle.  Returns NULL only if libcurl cannot
 * be initialised.  Free with hcl_free() (NULL is fine).
 */
struct hcl	*hcl_new(void);
void		 hcl_free(struct hcl *);
/* Defaults for later requests; a value <= 0 keeps the current one. */
void		 hcl_set_timeouts(struct hcl *, long connect_ms, long total_ms);
void		 hcl_set_max_body(struct hcl *, size_t);

/*
 * Send one request.  Returns OCH_OK when an HTTP answer (any status)
 * came back, with resp->status, body, headers filled; OCH_EUPSTREAM on
 * connection failure, timeout, an oversize body or any other transport
 * error, with resp->result and resp->reason saying which; OCH_EINVAL
 * when the request itself is malformed (no URL).
 */
enum och_err	 hcl_do(struct hcl *, const struct hcl_req *, struct hcl_resp *);

/*
 * hcl_do() with up to policy->max_retries further attempts while
 * should_retry says so, sleeping hcl_backoff_ms() or the answer's
 * Retry-After between attempts (if that is above cap_ms the retries
 * stop and the caller gets the answer).  Returns as hcl_do() for the
 * last attempt.
 */
enum och_err	 hcl_do_retry(struct hcl *, const struct hcl_req *,
		    struct hcl_resp *, const struct hcl_policy *);

void		 hcl_resp_free(struct hcl_resp *);

/*
 * Default classification: 1 for connection failures, timeouts,
 * transport errors and statuses 408, 429, 500, 502, 503, 504; 0 for
 * anything else, including an oversize answer.
 */
int		 hcl_retryable(const struct hcl_resp *);

/*
 * Full-jitter exponential backoff: a random delay in
 * [min(cap, base * 2^attempt) / 2, min(cap, base * 2^attempt)]
 * (attempt counts from 0).  Never above cap_ms; 0 when cap_ms is 0.
 */
unsigned	 hcl_backoff_ms(unsigned attempt, unsigned base_ms,
		    unsigned cap_ms);

/*
 * Take one response header line ("Name: value", with or without CRLF)
 * into resp: rate limits, Retry-After, correlation id, content type.
 * A status line ("HTTP/...") clears what was captured (a 100 Continue
 * or a redirect precedes the final header block).  now is the time
 * used for delays.  Values that do not parse are ignored.
 */
void		 hcl_header(struct hcl_resp *, const char *line, size_t len,
		    time_t now);

/*
 * Percent-encode s (RFC 3986: everything but ALPHA DIGIT - . _ ~) onto
 * b, as curl_easy_escape() does; usable for query values and
 * application/x-www-form-urlencoded fields.
 */
void		 hcl_escape(struct buf *, const char *s);

/*
 * JSON helpers for hostile answers (cJSON).  hcl_json_str copies the
 * string member key of obj into dst (truncated to dstsz - 1 bytes);
 * returns 0, or -1 if obj is not an object, the member is missing or
 * not a string (dst is then "").  hcl_json_id reads an integer id in
 * 1 .. 2^53-1 given as a JSON number (or, when strok, as a decimal
 * string); returns 0, or -1 if missing, of another type, fractional,
 * out of range (dst is then 0).
 */
int		 hcl_json_str(const struct cJSON *obj, const char *key,
		    char *dst, size_t dstsz);
int		 hcl_json_id(const struct cJSON *obj, const char *key,
		    int64_t *dst, int strok);
/*
 * Parse body (len bytes, no NUL needed) as exactly one JSON value with
 * nothing but blanks after it.  Returns the tree (free with
 * cJSON_Delete) or NULL for anything else (garbage, trailing junk,
 * nesting deeper than cJSON's limit, an empty body).
 */
struct cJSON	*hcl_json_parse(const char *body, size_t len);
/* Parse a decimal id in 1 .. 2^53-1; 0 or -1 (hostile input). */
int		 hcl_parse_id(const char *s, int64_t *dst);

/* Copy a message into dst, printable ASCII only, truncated. */
void		 hcl_sanitize(char *dst, size_t dstsz, const char *src);

/*
 * Helpers for struct prov_err: reset it (err OCH_OK) naming the
 * upstream; fill it for a transport failure of resp (retryable except an
 * oversize body); fill it with an error of ours.
 */
void		 hcl_perr_init(struct prov_err *, const char *upstream);
void		 hcl_perr_transport(struct prov_err *, const struct hcl_resp *);
void		 hcl_perr_set(struct prov_err *, enum och_err, int retryable,
		    const char *code, const char *fmt, ...) OCH_PRINTF(5, 6);
/*
 * Merge the rate-limit fields present in rl into st (absent ones keep
 * their last value; retry_after_ms is replaced); nothing happens when
 * rl holds none.
 */
void		 hcl_rl_note(struct hcl_rlstate *, const struct hcl_ratelimit *,
		    time_t now);

/*
 * Fill e for a 2xx answer that lacks what it must hold ("answer lacks a
 * valid <missing>", retryable: the next answer may be whole), log it
 * under `what`, and return e->err.
 */
enum och_err	 hcl_perr_bad_response(struct prov_err *, const char *what,
		    const char *missing);
/*
 * Fill rq for a JSON API call: method, url, the header array hdrs (four
 * slots: auth, Accept, Content-Type when there is a body, NULL) and body
 * (may be NULL) encoded into *json (free with cJSON_free; NULL when there
 * is no body).  Returns 0, or -1 with e set when the body cannot be
 * encoded.
 */
int		 hcl_json_req(struct hcl_req *rq, const char *hdrs[4],
		    const char *method, const char *url, const char *auth,
		    const cJSON *body, char **json, struct prov_err *e);
/* Set a client's retry policy (negative retries count as none). */
void		 hcl_policy_set(struct hcl_policy *, int max_retries,
		    unsigned base_ms, unsigned cap_ms);
/* Copy the last rate-limit state out (seen_at may be NULL). */
void		 hcl_rl_get(const struct hcl_rlstate *, struct hcl_ratelimit *,
		    time_t *seen_at);

/* 1 if e failed with this upstream code. */
int		 hcl_perr_is(const struct prov_err *, const char *code);
/*
 * One line for last_error and logs, e.g.
 * "hetzner locked (423): server is locked [corr 1a2b]", into dst.
 */
const char	*hcl_perr_str(const struct prov_err *, char *dst, size_t dstsz);
/* Log a failed call at WARN (code, status, corr id; no secrets). */
void		 hcl_perr_log(const struct prov_err *, const char *what);

#endif
