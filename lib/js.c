/*
 * js.c: strict JSON field getters (see js.h).
 */
#include <math.h>
#include <stdio.h>
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

/* A string value against its field: 1 if it passes. */
static int
str_ok(const struct js_field *f, const char *s)
{
	size_t	len = strlen(s), i;

	if (len == 0)
		return (f->flags & JS_EMPTY) != 0;
	if ((int64_t)len < f->min || (int64_t)len > f->max)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 127)
			return 0;
	return f->valid == NULL || f->valid(s);
}

void
js_hint(const struct js_field *f, char *msg, size_t msglen)
{
	size_t	 k, len;

	if (f->hint != NULL) {
		snprintf(msg, msglen, "%s: %s", f->name, f->hint);
		return;
	}
	switch (f->type) {
	case JS_T_INT:
		snprintf(msg, msglen, "%s: an integer from %lld to %lld",
		    f->name, (long long)f->min, (long long)f->max);
		break;
	case JS_T_BOOL:
		snprintf(msg, msglen, "%s: true or false", f->name);
		break;
	case JS_T_OBJECT:
		snprintf(msg, msglen, "%s: must be an object", f->name);
		break;
	case JS_T_ENUM:
		snprintf(msg, msglen, "%s: one of", f->name);
		for (k = 0; f->choices[k] != NULL; k++) {
			len = strlen(msg);
			snprintf(msg + len, msglen - len, "%s %s",
			    k ? "," : "", f->choices[k]);
		}
		break;
	default:
		snprintf(msg, msglen, "%s: %lld to %lld characters", f->name,
		    (long long)f->min, (long long)f->max);
	}
}

/* One present, non-null value: 0, or -1 when it is not what f says. */
static int
one(const cJSON *obj, const struct js_field *f, const cJSON *v,
    struct js_val *out)
{
	size_t	k;

	out->j = v;
	switch (f->type) {
	case JS_T_OBJECT:
		return cJSON_IsObject(v) ? 0 : -1;
	case JS_T_INT:
		if (js_int64(obj, f->name, f->min, f->max, &out->i) != JS_OK)
			return -1;
		snprintf(out->num, sizeof(out->num), "%lld",
		    (long long)out->i);
		out->s = out->num;
		return 0;
	case JS_T_BOOL:
		if (!cJSON_IsBool(v))
			return -1;
		out->b = cJSON_IsTrue(v);
		out->s = out->b ? "true" : "false";
		return 0;
	case JS_T_ENUM:
		if (!cJSON_IsString(v) || v->valuestring == NULL)
			return -1;
		for (k = 0; f->choices[k] != NULL; k++)
			if (strcmp(v->valuestring, f->choices[k]) == 0) {
				out->s = f->choices[k];
				return 0;
			}
		return -1;
	default:
		if (!cJSON_IsString(v) || v->valuestring == NULL ||
		    !str_ok(f, v->valuestring))
			return -1;
		out->s = v->valuestring;
		return 0;
	}
}

int
js_fields(const cJSON *obj, const struct js_field *f, size_t n,
    struct js_val *out, char *msg, size_t msglen)
{
	const cJSON	*it;
	size_t		 k;

	memset(out, 0, n * sizeof(*out));
	if (msglen > 0)
		msg[0] = '\0';
	if (!cJSON_IsObject(obj)) {
		snprintf(msg, msglen, "a JSON body is required");
		return -1;
	}
	cJSON_ArrayForEach(it, obj) {
		for (k = 0; k < n; k++)
			if (it->string != NULL &&
			    strcmp(it->string, f[k].name) == 0)
				break;
		if (k == n) {
			snprintf(msg, msglen, "%.64s: unknown field",
			    it->string != NULL ? it->string : "");
			return -1;
		}
	}
	for (k = 0; k < n; k++) {
		it = cJSON_GetObjectItemCaseSensitive(obj, f[k].name);
		if (it == NULL || cJSON_IsNull(it))
			continue;
		if (one(obj, &f[k], it, &out[k]) < 0) {
			js_hint(&f[k], msg, msglen);
			memset(out, 0, n * sizeof(*out));
			return -1;
		}
		out[k].set = 1;
	}
	return 0;
}

const char *
js_missing(const struct js_field *f, size_t n, const struct js_val *v)
{
	size_t	k;

	for (k = 0; k < n; k++)
		if ((f[k].flags & JS_REQUIRED) && !v[k].set)
			return f[k].name;
	return NULL;
}
