/*
 * 025-whmcs: lib/whmcs.c form encoding, result parsing (result, not
 * status, decides) and product parsing with hostile inputs.
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "tap.h"
#include "whmcs.h"

static enum och_err
parse(long status, const char *body, cJSON **out, struct prov_err *e)
{
	hcl_perr_init(e, "whmcs");
	return wh_parse(status, body, body ? strlen(body) : 0, out, e);
}

static void
test_form(void)
{
	struct buf	 b = { 0 };

	wh_form(&b, "identifier", "id&x=1");
	wh_form(&b, "action", "UpdateClientProduct");
	wh_form(&b, "domain", "a b.och.test");
	wh_form(&b, "notes", "100% \"ok\"\n+é");
	wh_form(&b, "empty", NULL);
	is_str(b.data, "identifier=id%26x%3D1&action=UpdateClientProduct"
	    "&domain=a%20b.och.test&notes=100%25%20%22ok%22%0A%2B%C3%A9&empty=",
	    "form fields encoded, & between them");
	buf_free(&b);
}

static void
test_parse(void)
{
	static const struct {
		long		 status;
		const char	*body;
		enum och_err	 err;
		int		 retryable;
		const char	*code;
		const char	*name;
	} t[] = {
		{ 200, "{\"result\":\"success\",\"serviceid\":\"7\"}", OCH_OK, 0, "",
		    "success" },
		{ 200, "{\"result\":\"error\",\"message\":\"Authentication Failed\"}",
		    OCH_EAUTH, 0, "auth", "auth failure" },
		{ 200, "{\"result\":\"error\",\"message\":\"Invalid IP 10.0.0.1\"}",
		    OCH_EAUTH, 0, "auth", "ip not allowed" },
		{ 403, "{\"result\":\"error\",\"message\":\"Invalid Permissions\"}",
		    OCH_EAUTH, 0, "auth", "permissions" },
		{ 200, "{\"result\":\"error\",\"message\":\"Service ID Not Found\"}",
		    OCH_ENOTFOUND, 0, "not_found", "unknown service" },
		{ 200, "{\"result\":\"error\",\"message\":\"Invalid status\"}",
		    OCH_EINVAL, 0, "whmcs_error", "other error" },
		{ 200, "{\"result\":\"error\"}", OCH_EINVAL, 0, "whmcs_error",
		    "error without message" },
		{ 500, "{\"result\":\"error\",\"message\":\"db down\"}",
		    OCH_EUPSTREAM, 1, "http_error", "500 with a result" },
		{ 200, "Warning: mysql_connect() failed", OCH_EUPSTREAM, 1,
		    "bad_response", "PHP warning instead of JSON" },
		{ 200, "{\"result\":42}", OCH_EUPSTREAM, 1, "bad_response",
		    "result not a string" },
		{ 200, "[\"success\"]", OCH_EUPSTREAM, 1, "bad_response",
		    "array" },
		{ 200, "", OCH_EUPSTREAM, 1, "bad_response", "empty 200" },
		{ 502, "<html>", OCH_EUPSTREAM, 1, "http_error", "html 502" },
		{ 429, "", OCH_ERATE, 1, "http_error", "429" },
		{ 403, "Forbidden", OCH_EAUTH, 0, "auth", "plain 403" },
		{ 404, "Not Found", OCH_EUPSTREAM, 0, "http_error", "plain 404" },
		{ 302, "{\"result\":\"success\"}", OCH_EINVAL, 0, "whmcs_error",
		    "success needs a 2xx" },
	};
	struct prov_err	 e;
	cJSON		*out;
	size_t		 i;

	for (i = 0; i < OCH_NELEM(t); i++) {
		is_int(parse(t[i].status, t[i].body, &out, &e), t[i].err,
		    t[i].name);
		is_int(e.retryable, t[i].retryable, t[i].name);
		is_str(e.code, t[i].code, t[i].name);
		ok((out != NULL) == (t[i].err == OCH_OK), "out set on success only");
		cJSON_Delete(out);
	}
	is_int(parse(200, "{\"result\":\"success\"}", NULL, &e), OCH_OK,
	    "out may be NULL");
}

static void
test_product(void)
{
	struct wh_product	 p;
	cJSON			*o;

	o = cJSON_Parse("{\"id\":\"17\",\"clientid\":3,\"pid\":\"2\","
	    "\"status\":\"Active\",\"domain\":\"abc.och.test\","
	    "\"dedicatedip\":\"127.0.0.9\",\"name\":\"Starter\"}");
	is_int(wh_parse_product(o, &p), 0, "product parses");
	is_int(p.id, 17, "id as string");
	is_int(p.clientid, 3, "clientid as number");
	is_int(p.pid, 2, "pid");
	is_str(p.status, "Active", "status");
	is_str(p.domain, "abc.och.test", "domain");
	is_str(p.dedicatedip, "127.0.0.9", "dedicated ip");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"id\":\"17x\",\"status\":\"Active\"}");
	is_int(wh_parse_product(o, &p), -1, "junk id refused");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"id\":1e40}");
	is_int(wh_parse_product(o, &p), -1, "huge id refused");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"id\":5,\"status\":[],\"domain\":null}");
	is_int(wh_parse_product(o, &p), 0, "odd fields tolerated");
	is_str(p.status, "", "status left empty");
	cJSON_Delete(o);
}

int
main(void)
{
	test_form();
	test_parse();
	test_product();
	return done_testing();
}
