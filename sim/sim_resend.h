/*
 * sim_resend.h: the Resend API under /resend: POST /emails and /emails/batch
 * with Idempotency-Key semantics (same key + same body = same answer,
 * another body = 409, kept 24 h), GET /emails/{id}, the flat error body
 * {"statusCode","message","name"} and 2 requests/s per API key with
 * ratelimit-* headers.  Sent emails are kept for GET /_sim/emails.
 */
#ifndef SIM_RESEND_H
#define SIM_RESEND_H

#include <cjson/cJSON.h>

#include "http.h"

extern const struct http_svc srs_svc;

/* Every email sent, with bodies (caller deletes). */
cJSON	*srs_emails_json(void);
void	 srs_reset(void);
/* Requests per second per key (<= 0 keeps it). */
void	 srs_ratelimit_set(double rate);
cJSON	*srs_ratelimit_json(void);

#endif
