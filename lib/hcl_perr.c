/*
 * hcl_perr.c: the provider error record (struct prov_err, hcl.h) that the
 * Hetzner, Cloudflare, Resend and WHMCS clients fill: how a call failed,
 * whether it may be retried, and a sanitized line for logs and
 * last_error.  Split from hcl.c, which keeps the transport.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hcl.h"
#include "log.h"

void
hcl_perr_init(struct prov_err *e, const char *upstream)
{
	memset(e, 0, sizeof(*e));
	e->err = OCH_OK;
	e->upstream = upstream;
}

void
hcl_perr_set(struct prov_err *e, enum och_err err, int retryable,
    const char *code, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[256];

	e->err = err;
	e->retryable = retryable;
	hcl_sanitize(e->code, sizeof(e->code), code);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hcl_sanitize(e->message, sizeof(e->message), msg);
}

void
hcl_perr_transport(struct prov_err *e, const struct hcl_resp *r)
{
	e->status = 0;
	snprintf(e->corr_id, sizeof(e->corr_id), "%s", r->corr_id);
	switch (r->result) {
	case HCL_ETIMEOUT:
		hcl_perr_set(e, OCH_EUPSTREAM, 1, "timeout", "%s", r->reason);
		break;
	case HCL_ETOOBIG:
		hcl_perr_set(e, OCH_EUPSTREAM, 0, "too_big", "%s", r->reason);
		break;
	case HCL_ECONNECT:
		hcl_perr_set(e, OCH_EUPSTREAM, 1, "connect", "%s", r->reason);
		break;
	case HCL_ETRANSPORT:
	case HCL_HTTP:
	default:
		hcl_perr_set(e, OCH_EUPSTREAM, 1, "transport", "%s",
		    r->reason[0] ? r->reason : "transport error");
		break;
	}
}

int
hcl_perr_is(const struct prov_err *e, const char *code)
{
	return e->err != OCH_OK && strcmp(e->code, code) == 0;
}

const char *
hcl_perr_str(const struct prov_err *e, char *dst, size_t dstsz)
{
	char	 st[24] = "";

	if (e->status > 0)
		snprintf(st, sizeof(st), " (%ld)", e->status);
	if (e->err == OCH_OK)
		snprintf(dst, dstsz, "%s ok", e->upstream ? e->upstream : "?");
	else
		snprintf(dst, dstsz, "%s %s%s: %s%s%s%s",
		    e->upstream ? e->upstream : "upstream",
		    e->code[0] ? e->code : err_code(e->err), st,
		    e->message[0] ? e->message : err_message(e->err),
		    e->corr_id[0] ? " [corr " : "", e->corr_id,
		    e->corr_id[0] ? "]" : "");
	return dst;
}

void
hcl_perr_log(const struct prov_err *e, const char *what)
{
	char	 line[600];

	log_warn("%s failed: %s retryable=%d", what,
	    hcl_perr_str(e, line, sizeof(line)), e->retryable);
}

enum och_err
hcl_perr_bad_response(struct prov_err *e, const char *what,
    const char *missing)
{
	hcl_perr_set(e, OCH_EUPSTREAM, 1, "bad_response",
	    "answer lacks a valid %s", missing);
	hcl_perr_log(e, what);
	return e->err;
}
