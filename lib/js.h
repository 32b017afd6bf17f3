/*
 * js.h: reading fields of a parsed JSON request body with strict types.
 * Each getter returns one of JS_OK, JS_MISSING (absent or null) or
 * JS_BAD (wrong type, out of range, too long, or containing a NUL or a
 * control character).
 */
#ifndef OCH_JS_H
#define OCH_JS_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "och.h"

enum js_res { JS_OK, JS_MISSING, JS_BAD };

/*
 * An integer field: a JSON number with no fraction, or a string of
 * decimal digits, within [min, max].
 */
enum js_res	js_int64(const cJSON *obj, const char *key, int64_t min,
		    int64_t max, int64_t *out);
/* A string field of 1..maxlen bytes without control characters. */
enum js_res	js_str(const cJSON *obj, const char *key, size_t maxlen,
		    const char **out);

#endif
