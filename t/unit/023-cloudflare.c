/*
 * 023-cloudflare: the pure parts of lib/cloudflare.c: envelope error
 * classification (the table in lib/cloudflare.h), duplicates, hostile answers and
 * record parsing.
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "cloudflare.h"
#include "tap.h"

static void
classify(long status, const char *body, struct prov_err *e)
{
	hcl_perr_init(e, "cloudflare");
	cf_classify(status, body, body ? strlen(body) : 0, e);
}

static void
test_codes(void)
{
	static const struct {
		long		 code;
		long		 status;
		enum och_err	 err;
		int		 retryable;
		int		 dup;
	} t[] = {
		{ 81057, 400, OCH_ECONFLICT, 0, 1 },
		{ 81058, 400, OCH_ECONFLICT, 0, 1 },
		{ 81053, 400, OCH_ECONFLICT, 0, 1 },
		{ 81054, 400, OCH_ECONFLICT, 0, 1 },
		{ 81044, 404, OCH_ENOTFOUND, 0, 0 },
		{ 10000, 403, OCH_EAUTH, 0, 0 },
		{ 9109, 403, OCH_EAUTH, 0, 0 },
		{ 6003, 400, OCH_EAUTH, 0, 0 },
		{ 7003, 400, OCH_EINVAL, 0, 0 },
		{ 7000, 404, OCH_EINVAL, 0, 0 },
		{ 9021, 400, OCH_EINVAL, 0, 0 },
		{ 971, 429, OCH_ERATE, 1, 0 },
		{ 1000, 500, OCH_EUPSTREAM, 1, 0 },
		{ 1000, 502, OCH_EUPSTREAM, 1, 0 },
		{ 1234, 409, OCH_EUPSTREAM, 1, 0 },
		{ 1234, 403, OCH_EFORBIDDEN, 0, 0 },
		{ 10000, 500, OCH_EUPSTREAM, 1, 0 },	/* a 5xx wins */
		{ 81044, 503, OCH_EUPSTREAM, 1, 0 },
	};
	struct prov_err	 e;
	char		 body[256], name[96], code[16];
	size_t		 i;

	for (i = 0; i < OCH_NELEM(t); i++) {
		snprintf(body, sizeof(body), "{\"success\":false,\"errors\":"
		    "[{\"code\":%ld,\"message\":\"m%ld\"}],\"messages\":[],"
		    "\"result\":null}", t[i].code, t[i].code);
		classify(t[i].status, body, &e);
		snprintf(name, sizeof(name), "%ld/%ld: err", t[i].code,
		    t[i].status);
		is_int(e.err, t[i].err, name);
		snprintf(name, sizeof(name), "%ld/%ld: retryable", t[i].code,
		    t[i].status);
		is_int(e.retryable, t[i].retryable, name);
		snprintf(name, sizeof(name), "%ld: duplicate", t[i].code);
		is_int(cf_is_duplicate(&e), t[i].dup, name);
		snprintf(code, sizeof(code), "%ld", t[i].code);
		is_str(e.code, code, "code kept as text");
	}
	classify(400, "{\"success\":false,\"errors\":[{\"code\":81057,"
	    "\"message\":\"Record already exists.\"}],\"result\":null}", &e);
	is_str(e.message, "Record already exists.", "message kept");
}

static void
test_hostile(void)
{
	static const struct {
		const char	*body;
		long		 status;
		enum och_err	 err;
		int		 retryable;
		const char	*code;
		const char	*name;
	} t[] = {
		{ "<html>oops</html>", 502, OCH_EUPSTREAM, 1, "http_502", "html 502" },
		{ "", 429, OCH_ERATE, 1, "http_429", "empty 429" },
		{ "{}", 400, OCH_EINVAL, 0, "http_400", "empty object 400" },
		{ "{\"success\":false,\"errors\":\"x\"}", 403, OCH_EFORBIDDEN, 0,
		    "http_403", "errors a string" },
		{ "{\"success\":false,\"errors\":[{\"code\":\"81057\"}]}", 400,
		    OCH_EINVAL, 0, "http_400", "code as a string is not trusted" },
		{ "{\"success\":false,\"errors\":[{\"code\":1e99}]}", 500,
		    OCH_EUPSTREAM, 1, "http_500", "absurd code" },
		{ "not json", 200, OCH_EUPSTREAM, 1, "bad_response", "garbage 200" },
		{ "{\"success\":false,\"errors\":[]}", 200, OCH_EUPSTREAM, 1,
		    "bad_response", "success false in a 200" },
		{ NULL, 404, OCH_EUPSTREAM, 0, "http_404", "bare 404 is not 'gone'" },
	};
	struct prov_err	 e;
	size_t		 i;

	for (i = 0; i < OCH_NELEM(t); i++) {
		classify(t[i].status, t[i].body, &e);
		is_int(e.err, t[i].err, t[i].name);
		is_int(e.retryable, t[i].retryable, t[i].name);
		is_str(e.code, t[i].code, t[i].name);
	}
}

static void
test_record(void)
{
	struct cf_record	 r;
	cJSON			*o;

	o = cJSON_Parse("{\"id\":\"372e67954025e0ba6aaa6d586b9e0b59\","
	    "\"type\":\"A\",\"name\":\"abc.och.test\",\"content\":\"127.0.0.9\","
	    "\"proxiable\":true,\"proxied\":false,\"ttl\":1,\"settings\":{},"
	    "\"meta\":{},\"comment\":null,\"tags\":[]}");
	is_int(cf_parse_record(o, &r), 0, "record parses");
	is_str(r.id, "372e67954025e0ba6aaa6d586b9e0b59", "id");
	is_str(r.type, "A", "type");
	is_str(r.name, "abc.och.test", "name");
	is_str(r.content, "127.0.0.9", "content");
	is_int(r.ttl, 1, "ttl");
	is_int(r.proxied, 0, "not proxied");
	cJSON_Delete(o);

	o = cJSON_Parse("{\"id\":42,\"type\":\"A\",\"name\":\"a\",\"content\":\"b\"}");
	is_int(cf_parse_record(o, &r), -1, "numeric id refused");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"id\":\"\",\"type\":\"A\",\"name\":\"a\",\"content\":\"b\"}");
	is_int(cf_parse_record(o, &r), -1, "empty id refused");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"type\":\"A\",\"name\":\"a\","
	    "\"content\":\"b\"}");
	is_int(cf_parse_record(o, &r), -1, "overlong id refused");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"id\":\"abc\",\"name\":\"a\",\"content\":\"b\"}");
	is_int(cf_parse_record(o, &r), -1, "no type refused");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"id\":\"abc\",\"type\":\"A\",\"name\":\"a\"}");
	is_int(cf_parse_record(o, &r), -1, "no content refused");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"id\":\"abc\",\"type\":\"A\",\"name\":\"a\","
	    "\"content\":\"b\",\"ttl\":-5,\"proxied\":\"yes\"}");
	is_int(cf_parse_record(o, &r), 0, "odd ttl/proxied tolerated");
	is_int(r.ttl, 0, "negative ttl ignored");
	is_int(r.proxied, 0, "proxied must be true to count");
	cJSON_Delete(o);
	is_int(cf_parse_record(NULL, &r), -1, "NULL");
}

int
main(void)
{
	test_codes();
	test_hostile();
	test_record();
	return done_testing();
}
