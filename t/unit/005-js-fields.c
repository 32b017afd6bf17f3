/*
 * 005-js-fields: the declarative request input (js_fields, js_missing)
 * with good and hostile bodies: wrong types, out of range, overlong,
 * control characters, unknown and duplicate members, nulls, non-objects,
 * huge numbers, and the 400's words naming the field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "js.h"
#include "och.h"
#include "tap.h"
#include "valid.h"

static const char *const kinds[] = { "restart", "doctor_fix", NULL };
static const struct js_field F[] = {
	{ "name", JS_T_STR, JS_REQUIRED, 1, 8, NULL, NULL, NULL },
	{ "server_type", JS_T_STR, 0, 1, 32, valid_name, NULL,
	    "a Hetzner server type like cx23" },
	{ "note", JS_T_STR, JS_EMPTY, 1, 10, NULL, NULL, "up to 10" },
	{ "vcpus", JS_T_INT, JS_REQUIRED, 1, 256, NULL, NULL, NULL },
	{ "active", JS_T_BOOL, 0, 0, 0, NULL, NULL, NULL },
	{ "type", JS_T_ENUM, 0, 0, 0, NULL, kinds, NULL },
};
#define NF OCH_NELEM(F)

static struct js_val	v[NF];
static char		msg[160];

/* Parse text against F: 0 or -1 (msg, v filled). */
static int
parse(const char *text)
{
	cJSON	*j = cJSON_Parse(text);
	int	 rc;

	rc = js_fields(j, F, NF, v, msg, sizeof(msg));
	/* strings point into the tree: copy what the checks below read */
	if (rc == 0 && v[0].set) {
		static char name[16];

		snprintf(name, sizeof(name), "%s", v[0].s);
		v[0].s = name;
	}
	if (rc == 0 && v[2].set) {
		static char note[16];

		snprintf(note, sizeof(note), "%s", v[2].s);
		v[2].s = note;
	}
	cJSON_Delete(j);
	return rc;
}

static void
refused(const char *text, const char *want, const char *what)
{
	size_t	k;
	int	none = 1;

	ok(parse(text) == -1, what);
	is_str(msg, want, "  the 400 names the field");
	for (k = 0; k < NF; k++)
		none &= !v[k].set;
	ok(none, "  and nothing is set");
}

int
main(void)
{
	char	*big;
	size_t	 i;

	ok(parse("{\"name\":\"a\",\"server_type\":\"cx23\",\"note\":\"\","
	    "\"vcpus\":4,\"active\":false,\"type\":\"restart\"}") == 0,
	    "every type accepted");
	ok(v[0].set && strcmp(v[0].s, "a") == 0, "  a string");
	ok(v[2].set && strcmp(v[2].s, "") == 0, "  \"\" where JS_EMPTY");
	ok(v[3].set && v[3].i == 4 && strcmp(v[3].s, "4") == 0,
	    "  an integer, as SQL text too");
	ok(v[4].set && v[4].b == 0 && strcmp(v[4].s, "false") == 0,
	    "  a boolean as SQL text");
	ok(v[5].set && strcmp(v[5].s, "restart") == 0, "  an enum value");
	ok(parse("{\"vcpus\":\"256\"}") == 0 && v[3].i == 256,
	    "an integer as a string of digits, at its bound");
	is_str(js_missing(F, NF, v), "name", "js_missing names the first "
	    "required field absent");
	ok(parse("{\"name\":null,\"vcpus\":null}") == 0 && !v[0].set &&
	    !v[3].set, "null is absent");
	ok(parse("{}") == 0, "an empty object");
	is_str(js_missing(F, NF, v), "name", "  lacks name");
	ok(parse("{\"name\":\"x\",\"vcpus\":1}") == 0 &&
	    js_missing(F, NF, v) == NULL, "nothing missing");

	refused("{\"name\":1}", "name: 1 to 8 characters", "a number for a string");
	refused("{\"name\":\"\"}", "name: 1 to 8 characters", "\"\" without JS_EMPTY");
	refused("{\"name\":\"123456789\"}", "name: 1 to 8 characters", "one byte too long");
	refused("{\"name\":\"a\\u0001b\"}", "name: 1 to 8 characters", "a control character");
	refused("{\"name\":\"a\\u007fb\"}", "name: 1 to 8 characters", "DEL");
	refused("{\"name\":[\"a\"]}", "name: 1 to 8 characters", "an array");
	refused("{\"server_type\":\"CX23\"}",
	    "server_type: a Hetzner server type like cx23", "the validator refuses");
	refused("{\"note\":\"12345678901\"}", "note: up to 10", "the hint as given");
	refused("{\"vcpus\":0}", "vcpus: an integer from 1 to 256", "below the range");
	refused("{\"vcpus\":257}", "vcpus: an integer from 1 to 256", "above it");
	refused("{\"vcpus\":1.5}", "vcpus: an integer from 1 to 256", "a fraction");
	refused("{\"vcpus\":1e300}", "vcpus: an integer from 1 to 256", "a huge number");
	refused("{\"vcpus\":\"-1\"}", "vcpus: an integer from 1 to 256", "a negative string");
	refused("{\"vcpus\":\"0x10\"}", "vcpus: an integer from 1 to 256", "hex");
	refused("{\"vcpus\":true}", "vcpus: an integer from 1 to 256", "a boolean for an integer");
	refused("{\"active\":\"true\"}", "active: true or false", "a string for a boolean");
	refused("{\"active\":1}", "active: true or false", "a number for a boolean");
	refused("{\"type\":\"update\"}", "type: one of restart, doctor_fix", "not one of the enum");
	refused("{\"type\":\"Restart\"}", "type: one of restart, doctor_fix", "case matters");
	refused("{\"name\":\"a\",\"vcpu\":1}", "vcpu: unknown field", "an unknown member");
	refused("{\"name\":\"a\",\"name\":\"b\",\"x\":1}", "x: unknown field",
	    "an unknown member after a duplicate");
	refused("[1,2]", "a JSON body is required", "an array body");
	refused("\"name\"", "a JSON body is required", "a string body");
	ok(js_fields(NULL, F, NF, v, msg, sizeof(msg)) == -1 &&
	    strcmp(msg, "a JSON body is required") == 0, "no body");

	/* an unknown member with a huge name: the message is cut, not overrun */
	big = malloc(10016);
	memcpy(big, "{\"", 2);
	for (i = 0; i < 10000; i++)
		big[2 + i] = 'k';
	memcpy(big + 10002, "\":1}", 5);
	ok(parse(big) == -1 && strlen(msg) < sizeof(msg) &&
	    strncmp(msg, "kkkk", 4) == 0 && strstr(msg, ": unknown field")
	    != NULL, "a 10000-byte member name: the message is cut at 64");
	free(big);
	/* a tiny message buffer still ends in NUL */
	{
		char	 small[8];
		cJSON	*j = cJSON_Parse("{\"vcpus\":0}");

		ok(js_fields(j, F, NF, v, small, sizeof(small)) == -1 &&
		    strlen(small) == 7, "a short buffer: cut and terminated");
		cJSON_Delete(j);
	}
	/* an object member, checked by a table of its own */
	{
		static const struct js_field O[] = {
			{ "args", JS_T_OBJECT, 0, 0, 0, NULL, NULL, NULL },
		};
		static const struct js_field A[] = {
			{ "version", JS_T_STR, JS_REQUIRED, 1, 40, valid_release,
			    NULL, NULL },
		};
		struct js_val	 ov[1], av[1];
		cJSON		*j = cJSON_Parse("{\"args\":{\"version\":"
		    "\"2026.9.6\"}}");

		ok(js_fields(j, O, 1, ov, msg, sizeof(msg)) == 0 && ov[0].set &&
		    cJSON_IsObject(ov[0].j), "an object member");
		ok(js_fields(ov[0].j, A, 1, av, msg, sizeof(msg)) == 0 &&
		    strcmp(av[0].s, "2026.9.6") == 0, "  and its own table");
		cJSON_Delete(j);
		j = cJSON_Parse("{\"args\":[]}");
		ok(js_fields(j, O, 1, ov, msg, sizeof(msg)) == -1 &&
		    strcmp(msg, "args: must be an object") == 0,
		    "an array for an object");
		cJSON_Delete(j);
		js_hint(&F[5], msg, sizeof(msg));
		is_str(msg, "type: one of restart, doctor_fix", "js_hint");
	}
	return done_testing();
}
