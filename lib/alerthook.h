/*
 * alerthook.h: the operators' alert webhook (ALERT_WEBHOOK_URL), one
 * POST per webhook_outbox row of target 'alert' (queued by lib/alert.c).
 *
 * The body is Slack-compatible (an incoming webhook shows "text") and
 * carries the alert itself for other receivers:
 *   {"text": "[critical] Instance down on <subject>: <detail>",
 *    "alert": {id, event: opened|resolved, condition, title, subject,
 *              severity, detail, instance_id, opened_at, resolved_at}}
 * When ALERT_WEBHOOK_SECRET is set the request is signed as Slack signs
 * its own requests, under our header names:
 *   X-OCH-Timestamp: <unix seconds>
 *   X-OCH-Signature: v1=hex(HMAC-SHA256(secret, "v1:" ts ":" body))
 * A receiver recomputes it over the raw body and refuses a timestamp
 * more than 5 minutes away.
 */
#ifndef OCH_ALERTHOOK_H
#define OCH_ALERTHOOK_H

#include <time.h>

#include "cfg.h"
#include "hcl.h"

/*
 * POST the row's payload.  Returns OCH_OK when the receiver answered
 * 2xx; otherwise the error with e filled (retryable for transport
 * failures, 408, 429 and 5xx; OCH_EINVAL, not retryable, for a payload
 * that is not a JSON object or no ALERT_WEBHOOK_URL).
 */
enum och_err	 alert_hook_send(struct hcl *, const struct cfg *,
		    const char *payload, struct prov_err *e);

#endif
