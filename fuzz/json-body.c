/*
 * json-body: a request body as the serve loop takes it (req_json_body:
 * one JSON object, blanks after it), then what handlers do with it: the
 * strict getters (js_str, js_int64) on every member and the validators
 * on every string, and the declarative field table (js_fields) with
 * every field type.  Agent reports, settings, orders and the admin
 * upserts all come this way.
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

static const char *const kinds[] = { "a", "b", NULL };
static const struct js_field fields[] = {
	{ "s", JS_T_STR, JS_REQUIRED, 1, 16, valid_name, NULL, NULL },
	{ "e", JS_T_STR, JS_EMPTY, 1, 40, NULL, NULL, "up to 40" },
	{ "i", JS_T_INT, 0, -5, 5, NULL, NULL, NULL },
	{ "b", JS_T_BOOL, 0, 0, 0, NULL, NULL, NULL },
	{ "k", JS_T_ENUM, JS_REQUIRED, 0, 0, NULL, kinds, NULL },
};

/* js_fields: either a 400 message, or values within the table's bounds. */
static void
table(const cJSON *j)
{
	struct js_val	 v[OCH_NELEM(fields)];
	char		 msg[160];
	size_t		 k;

	if (js_fields(j, fields, OCH_NELEM(fields), v, msg, sizeof(msg)) < 0) {
		FZ_ASSERT(msg[0] != '\0' && strlen(msg) < sizeof(msg));
		for (k = 0; k < OCH_NELEM(fields); k++)
			FZ_ASSERT(!v[k].set);
		return;
	}
	for (k = 0; k < OCH_NELEM(fields); k++)
		FZ_ASSERT(!v[k].set || v[k].s != NULL);
	FZ_ASSERT(!v[0].set || (strlen(v[0].s) <= 16 && valid_name(v[0].s)));
	FZ_ASSERT(!v[1].set || strlen(v[1].s) <= 40);
	FZ_ASSERT(!v[2].set || (v[2].i >= -5 && v[2].i <= 5));
	FZ_ASSERT(!v[4].set || strcmp(v[4].s, "a") == 0 ||
	    strcmp(v[4].s, "b") == 0);
	(void)js_missing(fields, OCH_NELEM(fields), v);
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
		table(j);
		cJSON_Delete(j);
	}
	free(body);
	return 0;
}
