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

/*
 * Declarative input: a request body's fields as a table, checked by one
 * parser.  A handler lists its fields once (name, type, bounds, whether
 * a new record needs it, an extra validator, the words of its 400) and
 * gets every value checked and in SQL text form, in the table's order,
 * or the 400's message naming the field.
 */
enum js_type {
	JS_T_STR,	/* printable string of min..max bytes */
	JS_T_INT,	/* integer in [min, max] (a number, or decimal digits) */
	JS_T_BOOL,	/* true or false */
	JS_T_ENUM,	/* one of choices */
	JS_T_OBJECT,	/* a JSON object (its own table checks it) */
};
#define JS_REQUIRED	0x1	/* js_missing() names it when absent */
#define JS_EMPTY	0x2	/* JS_T_STR: "" is a value too (it clears) */

struct js_field {
	const char	*name;
	enum js_type	 type;
	unsigned	 flags;		/* JS_REQUIRED | JS_EMPTY */
	int64_t		 min, max;	/* INT: the range; STR: the length */
	int		(*valid)(const char *);	/* STR: a further check */
	const char *const *choices;	/* ENUM: NULL-terminated */
	const char	*hint;		/* the 400 after "name: "; NULL: derived */
};

/* One field's value as js_fields() found it. */
struct js_val {
	int		 set;		/* present and not null */
	const char	*s;		/* SQL text: the string (in the tree),
					   the integer, "true"/"false" */
	int64_t		 i;		/* JS_T_INT */
	int		 b;		/* JS_T_BOOL */
	const cJSON	*j;		/* the value in the tree */
	char		 num[24];	/* storage for s of an integer */
};

/*
 * Check obj (a parsed body, or NULL) against the n fields and fill
 * out[0..n-1]: a member that is no field is refused ("x: unknown
 * field"), and so is a present, non-null value of the wrong type, out of
 * bounds or refused by the validator ("name: hint"); absent and null
 * fields are not set.  Returns 0, or -1 with the message for a 400 in
 * msg (always NUL-terminated; a field name is cut at 64 bytes).  The
 * strings in out point into obj: they live as long as it does.
 */
int		js_fields(const cJSON *obj, const struct js_field *f, size_t n,
		    struct js_val *out, char *msg, size_t msglen);
/* The 400's words for f, "name: hint", into msg (NUL-terminated). */
void		js_hint(const struct js_field *f, char *msg, size_t msglen);
/* The name of the first JS_REQUIRED field that is not set, or NULL. */
const char	*js_missing(const struct js_field *f, size_t n,
		    const struct js_val *v);

#endif
