/*
 * json-body: a request body as the serve loop takes it (req_json_body:
 * one JSON object, blanks after it), then what handlers do with it: the
 * strict getters (js_str, js_int64) on every member and the validators
 * on every string.  Agent reports, settings and orders all come this way.
 */
#include <cjson/cJSON.h>

#include "fuzz.h"
#include "js.h"
#include "req.h"
#include "valid.h"

static void
walk(const cJSON *o, int depth)
{
	const cJSON	*it;
	const char	*s;
	int64_t		 v;

	if (depth > 8)
		return;
	cJSON_ArrayForEach(it, o) {
		if (cJSON_IsObject(o) && it->string != NULL) {
			if (js_str(o, it->string, 64, &s) == JS_OK)
				FZ_ASSERT(s != NULL && strlen(s) <= 64);
			if (js_int64(o, it->string, -1000, 1000, &v) == JS_OK)
				FZ_ASSERT(v >= -1000 && v <= 1000);
		}
		if (cJSON_IsString(it) && it->valuestring != NULL) {
			s = it->valuestring;
			(void)valid_uuid(s);
			(void)valid_email(s);
			(void)valid_slug(s);
			(void)valid_name(s);
			(void)valid_url(s);
			(void)valid_hostname(s);
			(void)valid_hex(s, 16, 128);
			if (valid_int64(s, 0, INT64_MAX, &v))
				FZ_ASSERT(v >= 0);
		}
		if (cJSON_IsObject(it) || cJSON_IsArray(it))
			walk(it, depth + 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	cJSON		*j;
	const char	*why;

	/* the loop hands the body over with a NUL after it */
	char		*body = fz_str(d, n);

	why = req_json_body(body, n, &j);
	FZ_ASSERT((why == NULL) == (j != NULL));
	if (j != NULL) {
		FZ_ASSERT(cJSON_IsObject(j));
		walk(j, 0);
		cJSON_Delete(j);
	}
	free(body);
	return 0;
}
