/*
 * 022-hetzner: the pure parts of lib/hetzner.c: error classification by
 * error.code (the table in lib/hetzner.h), hostile answers, object parsing and
 * the rate-limit pacing.
 */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hetzner.h"
#include "tap.h"

static void
classify(long status, const char *body, struct prov_err *e)
{
	hcl_perr_init(e, "hetzner");
	hz_classify(status, body, body ? strlen(body) : 0, e);
}

static void
test_codes(void)
{
	static const struct {
		const char	*code;
		long		 status;
		enum och_err	 err;
		int		 retryable;
	} t[] = {
		{ "rate_limit_exceeded", 429, OCH_ERATE, 1 },
		{ "limit_reached", 429, OCH_ERATE, 1 },
		{ "conflict", 409, OCH_ECONFLICT, 1 },
		{ "locked", 423, OCH_ECONFLICT, 1 },
		{ "timeout", 504, OCH_EUPSTREAM, 1 },
		{ "server_error", 500, OCH_EUPSTREAM, 1 },
		{ "bad_gateway", 502, OCH_EUPSTREAM, 1 },
		{ "service_error", 503, OCH_EUPSTREAM, 1 },
		{ "unavailable", 503, OCH_EUNAVAIL, 1 },
		{ "maintenance", 503, OCH_EUNAVAIL, 1 },
		{ "resource_unavailable", 412, OCH_EUNAVAIL, 1 },
		{ "placement_error", 412, OCH_EUNAVAIL, 1 },
		{ "invalid_input", 400, OCH_EINVAL, 0 },
		{ "json_error", 400, OCH_EINVAL, 0 },
		{ "invalid_server_type", 400, OCH_EINVAL, 0 },
		{ "uniqueness_error", 409, OCH_ECONFLICT, 0 },
		{ "not_found", 404, OCH_ENOTFOUND, 0 },
		{ "forbidden", 403, OCH_EFORBIDDEN, 0 },
		{ "token_readonly", 403, OCH_EFORBIDDEN, 0 },
		{ "unauthorized", 401, OCH_EAUTH, 0 },
		{ "resource_limit_exceeded", 403, OCH_EFORBIDDEN, 0 },
		{ "protected", 423, OCH_EFORBIDDEN, 0 },
		{ "server_not_stopped", 400, OCH_ECONFLICT, 0 },
		{ "unsupported_error", 422, OCH_EUNPROCESSABLE, 0 },
		{ "deprecated_api_endpoint", 410, OCH_EUPSTREAM, 0 },
		{ "method_not_allowed", 405, OCH_EUPSTREAM, 0 },
		/* unknown codes fall back on the status */
		{ "brand_new_code", 503, OCH_EUPSTREAM, 1 },
		{ "brand_new_code", 400, OCH_EINVAL, 0 },
		{ "primary_ip_assigned", 409, OCH_ECONFLICT, 0 },
	};
	struct prov_err	 e;
	char		 body[512], name[128];
	size_t		 i;

	for (i = 0; i < OCH_NELEM(t); i++) {
		snprintf(body, sizeof(body), "{\"error\":{\"code\":\"%s\","
		    "\"message\":\"msg %zu\",\"details\":{}}}", t[i].code, i);
		classify(t[i].status, body, &e);
		snprintf(name, sizeof(name), "%s/%ld: err", t[i].code,
		    t[i].status);
		is_int(e.err, t[i].err, name);
		snprintf(name, sizeof(name), "%s/%ld: retryable", t[i].code,
		    t[i].status);
		is_int(e.retryable, t[i].retryable, name);
		snprintf(name, sizeof(name), "%s: code kept", t[i].code);
		is_str(e.code, t[i].code, name);
	}
	classify(423, "{\"error\":{\"code\":\"locked\",\"message\":"
	    "\"server 42 is locked\"}}", &e);
	is_str(e.message, "server 42 is locked", "message kept");
	is_int(e.status, 423, "status kept");

	/* the code decides, not the status */
	classify(409, "{\"error\":{\"code\":\"uniqueness_error\"}}", &e);
	ok(!e.retryable && hcl_perr_is(&e, "uniqueness_error"),
	    "409 uniqueness_error is not retryable");
	classify(409, "{\"error\":{\"code\":\"conflict\"}}", &e);
	ok(e.retryable, "409 conflict is retryable");
}

static void
test_hostile(void)
{
	static const struct {
		const char	*body;
		long		 status;
		int		 retryable;
		const char	*code;
		const char	*name;
	} t[] = {
		{ "<html>502 Bad Gateway</html>", 502, 1, "http_502", "html 502" },
		{ "<html>504</html>", 504, 1, "http_504", "html 504" },
		{ "", 503, 1, "http_503", "empty 503" },
		{ NULL, 500, 1, "http_500", "no body 500" },
		{ "", 429, 1, "http_429", "empty 429" },
		{ "garbage{{{", 400, 0, "http_400", "garbage 400" },
		{ "{\"error\":\"locked\"}", 423, 0, "http_423", "error is a string" },
		{ "{\"error\":{\"code\":42}}", 500, 1, "http_500", "code is a number" },
		{ "{\"error\":{\"code\":null}}", 404, 0, "http_404", "code null" },
		{ "[1,2,3]", 500, 1, "http_500", "array body" },
		{ "{\"error\":{\"code\":\"lo\\u0000cked\"}}", 400, 0, "lo", "NUL in code" },
	};
	struct prov_err	 e;
	size_t		 i;

	for (i = 0; i < OCH_NELEM(t); i++) {
		classify(t[i].status, t[i].body, &e);
		ok(e.err != OCH_OK, t[i].name);
		is_int(e.retryable, t[i].retryable, t[i].name);
		is_str(e.code, t[i].code, t[i].name);
	}
	classify(400, "{\"error\":{\"code\":\"invalid_input\",\"message\":"
	    "\"bad\\n\\u001b[31mred\"}}", &e);
	is_str(e.message, "bad??[31mred", "control characters neutralised");
}

static cJSON *
parse(const char *s)
{
	cJSON	*o;

	o = cJSON_Parse(s);
	if (o == NULL)
		diag("test JSON does not parse");
	return o;
}

static void
test_server(void)
{
	static const char *const good =
	    "{\"id\":4711,\"name\":\"abc-1\",\"status\":\"running\","
	    "\"created\":\"2016-01-30T23:55:00Z\","
	    "\"public_net\":{\"ipv4\":{\"id\":1,\"ip\":\"127.0.0.5\","
	    "\"blocked\":false,\"dns_ptr\":\"x\"},\"ipv6\":{\"ip\":"
	    "\"2001:db8:1::/64\",\"blocked\":false,\"dns_ptr\":[]},"
	    "\"floating_ips\":[],\"firewalls\":[]},"
	    "\"server_type\":{\"name\":\"cx23\"},\"location\":{\"name\":\"fsn1\"},"
	    "\"labels\":{\"och-instance\":\"i-123\",\"x\":\"y\"},\"locked\":false}";
	static const struct {
		const char	*json;
		const char	*name;
	} bad[] = {
		{ "{\"name\":\"a\",\"status\":\"running\"}", "no id" },
		{ "{\"id\":\"7\",\"name\":\"a\",\"status\":\"running\"}", "string id" },
		{ "{\"id\":1e300,\"name\":\"a\",\"status\":\"running\"}", "huge id" },
		{ "{\"id\":-1,\"name\":\"a\",\"status\":\"running\"}", "negative id" },
		{ "{\"id\":7,\"status\":\"running\"}", "no name" },
		{ "{\"id\":7,\"name\":\"a\"}", "no status" },
		{ "{\"id\":7,\"name\":\"a\",\"status\":5}", "status a number" },
		{ "{\"id\":7,\"name\":\"a\",\"status\":\"running\",\"public_net\":[]}",
		    "public_net an array" },
		{ "{\"id\":7,\"name\":\"a\",\"status\":\"running\",\"public_net\":"
		    "{\"ipv4\":{\"ip\":\"999.1.1.1\"}}}", "bad ipv4" },
		{ "{\"id\":7,\"name\":\"a\",\"status\":\"running\",\"public_net\":"
		    "{\"ipv4\":{\"ip\":\"1.2.3.4\\n\"}}}", "ipv4 with junk" },
		{ "{\"id\":7,\"name\":\"a\",\"status\":\"running\",\"public_net\":"
		    "{\"ipv6\":{\"ip\":\"2001:db8::/999\"}}}", "bad ipv6 net" },
		{ "{\"id\":7,\"name\":\"a\",\"status\":\"running\",\"public_net\":"
		    "{\"ipv4\":\"1.2.3.4\"}}", "ipv4 a string" },
		{ "\"server\"", "not an object" },
	};
	struct hz_server	 s;
	cJSON			*o;
	size_t			 i;

	o = parse(good);
	is_int(hz_parse_server(o, &s), 0, "good server parses");
	is_int(s.id, 4711, "id");
	is_str(s.name, "abc-1", "name");
	is_str(s.status, "running", "status");
	is_str(s.ipv4, "127.0.0.5", "ipv4");
	is_str(s.ipv6, "2001:db8:1::/64", "ipv6 network");
	is_str(s.server_type, "cx23", "server type");
	is_str(s.location, "fsn1", "location");
	is_str(s.instance, "i-123", "och-instance label");
	cJSON_Delete(o);

	o = parse("{\"id\":9007199254740991,\"name\":\"b\",\"status\":"
	    "\"initializing\",\"public_net\":{\"ipv4\":null,\"ipv6\":null}}");
	is_int(hz_parse_server(o, &s), 0, "no addresses yet is fine");
	is_int(s.id, 9007199254740991LL, "int64 id 2^53-1");
	is_str(s.ipv4, "", "no ipv4");
	is_str(s.instance, "", "no label");
	cJSON_Delete(o);

	for (i = 0; i < OCH_NELEM(bad); i++) {
		o = parse(bad[i].json);
		is_int(hz_parse_server(o, &s), -1, bad[i].name);
		cJSON_Delete(o);
	}
	is_int(hz_parse_server(NULL, &s), -1, "NULL");
}

static void
test_action(void)
{
	struct hz_action	 a;
	cJSON			*o;

	o = parse("{\"id\":13000000001,\"command\":\"create_server\","
	    "\"status\":\"running\",\"progress\":40,\"started\":\"x\","
	    "\"finished\":null,\"resources\":[],\"error\":null}");
	is_int(hz_parse_action(o, &a), 0, "running action");
	is_int(a.id, 13000000001LL, "large action id");
	is_int(a.status, HZ_ACTION_RUNNING, "running");
	is_int(a.progress, 40, "progress");
	is_str(a.command, "create_server", "command");
	cJSON_Delete(o);

	o = parse("{\"id\":5,\"command\":\"start_server\",\"status\":\"error\","
	    "\"progress\":100,\"error\":{\"code\":\"action_failed\","
	    "\"message\":\"Action failed\"}}");
	is_int(hz_parse_action(o, &a), 0, "failed action");
	is_int(a.status, HZ_ACTION_ERROR, "error status");
	is_str(a.error_code, "action_failed", "error code");
	is_str(a.error_message, "Action failed", "error message");
	cJSON_Delete(o);

	o = parse("{\"id\":5,\"status\":\"error\",\"error\":null}");
	is_int(hz_parse_action(o, &a), 0, "error without details");
	is_str(a.error_code, "action_failed", "a default error code");
	cJSON_Delete(o);

	o = parse("{\"id\":5,\"status\":\"pending\"}");
	is_int(hz_parse_action(o, &a), -1, "unknown status refused");
	cJSON_Delete(o);
	o = parse("{\"status\":\"success\"}");
	is_int(hz_parse_action(o, &a), -1, "no id refused");
	cJSON_Delete(o);
	o = parse("{\"id\":5,\"status\":\"success\",\"progress\":1e99}");
	is_int(hz_parse_action(o, &a), 0, "absurd progress ignored");
	is_int(a.progress, 0, "progress left at 0");
	cJSON_Delete(o);
	is_str(hz_action_status_name(HZ_ACTION_SUCCESS), "success", "names");
}

static void
test_image(void)
{
	struct hz_image	 im;
	cJSON		*o;

	o = parse("{\"id\":77,\"type\":\"snapshot\",\"status\":\"creating\","
	    "\"description\":\"backup 1\",\"created_from\":{\"id\":4711,"
	    "\"name\":\"abc\"},\"labels\":{\"och-instance\":\"i-9\"}}");
	is_int(hz_parse_image(o, &im), 0, "image parses");
	is_int(im.id, 77, "image id");
	is_str(im.type, "snapshot", "type");
	is_int(im.created_from, 4711, "created_from");
	is_str(im.instance, "i-9", "label");
	cJSON_Delete(o);
	o = parse("{\"id\":77}");
	is_int(hz_parse_image(o, &im), -1, "image without type refused");
	cJSON_Delete(o);
}

static void
test_pace(void)
{
	struct hcl_ratelimit	 rl;
	time_t			 seen, now = 1800000000;

	is_int(hz_pace_ms(now, 10), 0, "nothing seen: no pacing");
	rl.limit = 3600;
	rl.remaining = 1000;
	rl.reset_at = now + 2600;
	rl.retry_after_ms = -1;
	hz_rl_note(&rl, now);
	hz_rl_get(&rl, &seen);
	is_int(rl.remaining, 1000, "remaining kept");
	is_int(seen, now, "seen at");
	is_int(hz_pace_ms(now, 10), 0, "plenty left: no wait");
	rl.remaining = 5;
	rl.reset_at = now + 3595;
	hz_rl_note(&rl, now);
	is_int(hz_pace_ms(now, 10), 6000, "5 left, floor 10: 6 s at 1/s");
	is_int(hz_pace_ms(now + 3, 10), 3000, "refill counted while waiting");
	is_int(hz_pace_ms(now + 6, 10), 0, "refilled");
	rl.limit = 7200;
	hz_rl_note(&rl, now);
	is_int(hz_pace_ms(now, 10), 3000, "refill rate from the limit");
	rl.limit = 3600;
	rl.remaining = 0;
	rl.reset_at = now + 2;
	hz_rl_note(&rl, now);
	is_int(hz_pace_ms(now, 10), 2000, "never past RateLimit-Reset");
	rl.limit = rl.remaining = rl.reset_at = -1;
	hz_rl_note(&rl, now + 100);
	hz_rl_get(&rl, &seen);
	is_int(seen, now, "an answer without headers changes nothing");
}

int
main(void)
{
	test_codes();
	test_hostile();
	test_server();
	test_action();
	test_image();
	test_pace();
	return done_testing();
}
