/*
 * 024-resend: lib/resend.c error classification by "name"
 * (the table in lib/resend.h), including the idempotency conflicts, quotas and
 * hostile answers.
 */
#include <string.h>

#include "resend.h"
#include "tap.h"

static void
classify(long status, const char *body, struct prov_err *e)
{
	hcl_perr_init(e, "resend");
	rs_classify(status, body, body ? strlen(body) : 0, e);
}

int
main(void)
{
	static const struct {
		const char	*name;
		long		 status;
		enum och_err	 err;
		int		 retryable;
	} t[] = {
		{ "rate_limit_exceeded", 429, OCH_ERATE, 1 },
		{ "daily_quota_exceeded", 429, OCH_ERATE, 0 },
		{ "monthly_quota_exceeded", 429, OCH_ERATE, 0 },
		{ "concurrent_idempotent_requests", 409, OCH_ECONFLICT, 1 },
		{ "invalid_idempotent_request", 409, OCH_ECONFLICT, 0 },
		{ "invalid_idempotency_key", 400, OCH_EINVAL, 0 },
		{ "application_error", 500, OCH_EUPSTREAM, 1 },
		{ "internal_server_error", 500, OCH_EUPSTREAM, 1 },
		{ "missing_required_field", 422, OCH_EUNPROCESSABLE, 0 },
		{ "invalid_from_address", 422, OCH_EUNPROCESSABLE, 0 },
		{ "invalid_parameter", 422, OCH_EUNPROCESSABLE, 0 },
		{ "missing_api_key", 401, OCH_EAUTH, 0 },
		{ "restricted_api_key", 401, OCH_EAUTH, 0 },
		{ "invalid_api_key", 403, OCH_EAUTH, 0 },
		{ "security_error", 451, OCH_EFORBIDDEN, 0 },
		{ "not_found", 404, OCH_ENOTFOUND, 0 },
		/* validation_error: by status */
		{ "validation_error", 400, OCH_EINVAL, 0 },
		{ "validation_error", 401, OCH_EAUTH, 0 },
		{ "validation_error", 403, OCH_EFORBIDDEN, 0 },
		{ "something_new", 503, OCH_EUPSTREAM, 1 },
	};
	static const struct {
		const char	*body;
		long		 status;
		int		 retryable;
		const char	*code;
		const char	*name;
	} h[] = {
		{ "<html>bad gateway</html>", 502, 1, "http_502", "html 502" },
		{ "", 429, 1, "http_429", "empty 429" },
		{ "{\"name\":42}", 422, 0, "http_422", "name a number" },
		{ "{\"id\":\"x\"}", 400, 0, "http_400", "no name" },
		{ "][", 200, 1, "bad_response", "garbage 200" },
		{ NULL, 504, 1, "http_504", "no body 504" },
	};
	struct prov_err	 e;
	char		 body[256], name[96];
	size_t		 i;

	for (i = 0; i < OCH_NELEM(t); i++) {
		snprintf(body, sizeof(body), "{\"statusCode\":%ld,\"message\":"
		    "\"m\",\"name\":\"%s\"}", t[i].status, t[i].name);
		classify(t[i].status, body, &e);
		snprintf(name, sizeof(name), "%s/%ld: err", t[i].name,
		    t[i].status);
		is_int(e.err, t[i].err, name);
		snprintf(name, sizeof(name), "%s/%ld: retryable", t[i].name,
		    t[i].status);
		is_int(e.retryable, t[i].retryable, name);
		is_str(e.code, t[i].name, "name kept as code");
	}
	for (i = 0; i < OCH_NELEM(h); i++) {
		classify(h[i].status, h[i].body, &e);
		ok(e.err != OCH_OK, h[i].name);
		is_int(e.retryable, h[i].retryable, h[i].name);
		is_str(e.code, h[i].code, h[i].name);
	}
	classify(429, "{\"statusCode\":429,\"message\":\"Too many requests.\","
	    "\"name\":\"rate_limit_exceeded\"}", &e);
	is_str(e.message, "Too many requests.", "message kept");
	return done_testing();
}
