/*
 * js.c: strict JSON field getters (see js.h).
 */
#include <math.h>
#include <string.h>

#include "js.h"
#include "valid.h"

enum js_res
js_int64(const cJSON *obj, const char *key, int64_t min, int64_t max,
    int64_t *out)
{
	const cJSON	*v;
	double		 d;

	v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (v == NULL || cJSON_IsNull(v))
		return JS_MISSING;
	if (cJSON_IsString(v))
		return valid_int64(v->valuestring, min, max, out) ? JS_OK :
		    JS_BAD;
	if (!cJSON_IsNumber(v))
		return JS_BAD;
	d = v->valuedouble;
	/* doubles hold integers exactly up to 2^53 */
	if (!isfinite(d) || d != floor(d) || fabs(d) > 9007199254740992.0 ||
	    d < (double)min || d > (double)max)
		return JS_BAD;
	*out = (int64_t)d;
	return JS_OK;
}

enum js_res
js_str(const cJSON *obj, const char *key, size_t maxlen, const char **out)
{
	const cJSON	*v;
	const char	*p;

	v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (v == NULL || cJSON_IsNull(v))
		return JS_MISSING;
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return JS_BAD;
	if (strlen(v->valuestring) == 0 || strlen(v->valuestring) > maxlen)
		return JS_BAD;
	for (p = v->valuestring; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 127)
			return JS_BAD;
	*out = v->valuestring;
	return JS_OK;
}
