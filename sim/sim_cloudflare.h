/*
 * sim_cloudflare.h: the Cloudflare API v4 under /cloudflare/client/v4: one
 * zone (--cloudflare-zone for --domain) with DNS records (create, list
 * with filters and pagination, get, overwrite, patch, delete), the
 * {success, errors, messages, result, result_info} envelope, duplicate
 * errors 81057/81058/81053, Bearer auth and the 1200 per 5 minutes limit
 * with its lockout and Ratelimit headers.
 */
#ifndef SIM_CLOUDFLARE_H
#define SIM_CLOUDFLARE_H

#include <cjson/cJSON.h>

#include "http.h"

extern const struct http_svc scf_svc;

/* Every record (for GET /_sim/dns); caller deletes. */
cJSON	*scf_records_json(void);
/* Forget all records and the rate-limit window. */
void	 scf_reset(void);
/* Set the limit (requests per window) and window; <= 0 keeps a value. */
void	 scf_ratelimit_set(double limit, double window);
cJSON	*scf_ratelimit_json(void);

#endif
