/*
 * cloudflare.h: the Cloudflare DNS records client (one zone), API v4
 * (/zones/{zone}/dns_records).
 *
 * Answers are the v4 envelope {success, errors[{code,message}], result};
 * a 5xx is a retryable upstream error whatever its code; other errors
 * are classified by errors[0].code, then by status:
 *   81057, 81058, 81053, 81054 (record already exists): OCH_ECONFLICT,
 *     not retryable; cf_is_duplicate() says so; cf_record_ensure()
 *     turns it into a lookup;
 *   81044 (record does not exist): OCH_ENOTFOUND (a delete treats it as
 *     done); 10000, 9109, 6003, 6111: OCH_EAUTH / OCH_EFORBIDDEN;
 *     7000, 7003 (bad zone) and 9000-series field errors: OCH_EINVAL;
 *     all not retryable;
 *   971 / 429, 408, 409, 5xx, transport errors, timeouts and garbage or
 *     incomplete answers ("bad_response"): retryable (429 with the
 *     Retry-After delay in retry_after_ms).
 * Within a call, GET, PATCH and DELETE are sent again after a short
 * backoff on retryable errors; a POST only when the connection failed
 * or on 429 (nothing was done).  Correlation: the cf-ray header.
 */
#ifndef OCH_CLOUDFLARE_H
#define OCH_CLOUDFLARE_H

#include <time.h>

#include "hcl.h"

struct cfg;
struct cJSON;
struct cf;

#define CF_API_URL	"https://api.cloudflare.com/client/v4"
#define CF_TTL_AUTO	1

struct cf_record {
	char	 id[64];
	char	 type[8];	/* A, AAAA, CNAME, TXT, ... */
	char	 name[256];	/* the FQDN */
	char	 content[256];
	long	 ttl;
	int	 proxied;
};

/* From CLOUDFLARE_API_URL/_TOKEN/_ZONE_ID; NULL when token or zone unset. */
struct cf	*cf_from_cfg(struct hcl *, const struct cfg *);
void		 cf_free(struct cf *);
void		 cf_set_policy(struct cf *, int max_retries, unsigned base_ms,
		    unsigned cap_ms);

/*
 * POST a record (proxied false).  out (may be NULL) gets the record.
 * A duplicate is OCH_ECONFLICT with cf_is_duplicate(e) true.
 */
enum och_err	 cf_record_create(struct cf *, const char *type,
		    const char *name, const char *content, long ttl,
		    struct cf_record *out, struct prov_err *);
/*
 * The records named name (exact) of type (NULL: any type), all pages;
 * up to max stored in out, *n the number that matched.
 */
enum och_err	 cf_record_list(struct cf *, const char *name,
		    const char *type, struct cf_record *out, size_t max,
		    size_t *n, struct prov_err *);
/* PATCH content and ttl of record id; out (may be NULL) gets it. */
enum och_err	 cf_record_patch(struct cf *, const char *id,
		    const char *content, long ttl, struct cf_record *out,
		    struct prov_err *);
/* DELETE record id; OCH_ENOTFOUND (81044) when already gone. */
enum och_err	 cf_record_delete(struct cf *, const char *id,
		    struct prov_err *);
/*
 * Find-or-create, one request on the clean path: create; if it already
 * exists, list name+type and take the record with this content, or
 * patch the first one to it.  out (not NULL) gets the record.  Cloudflare
 * lets several A/AAAA records share a name: records of this name with
 * another content are left alone (list and delete them to replace an
 * address).
 */
enum och_err	 cf_record_ensure(struct cf *, const char *type,
		    const char *name, const char *content, long ttl,
		    struct cf_record *out, struct prov_err *);

/* 1 if e is the "record already exists" family (81057/81058/81053/81054). */
int		 cf_is_duplicate(const struct prov_err *);

/*
 * The latest Cloudflare rate-limit headers seen by this process (fields
 * -1 when never seen) and when (0: never).
 */
void		 cf_rl_get(struct hcl_ratelimit *, time_t *seen_at);

/* Pure parts, exposed for the tests (see hetzner.h). */
void		 cf_classify(long status, const char *body, size_t len,
		    struct prov_err *e);
int		 cf_parse_record(const struct cJSON *, struct cf_record *);

#endif
