/*
 * 006-ent-fields: lib/ent.h's declared fields (struct ent_fields): the
 * JSON a struct makes by its table (a NULL string, a -1 optional integer
 * and an unnamed field left out; JSON text as its value) and the freeing
 * (every string freed, the struct zeroed; ASan reports a leak or a double
 * free).  Reading rows needs PostgreSQL: the entities' tests cover it.
 */
#include <stdlib.h>
#include <string.h>

#include "ent.h"
#include "tap.h"

struct thing {
	char	*name;		/* TEXT */
	char	*note;		/* STR: NULL leaves it out */
	char	*list_json;	/* JSON */
	int64_t	 id;		/* INT */
	int64_t	 size;		/* OPTINT: -1 leaves it out */
	double	 cost;		/* NUM */
	int	 on;		/* BOOL */
	char	*secret;	/* unnamed: never in the JSON */
};

static const struct ent_field thing_fields[] = {
	ENT_FIELD("name", thing, name, ENT_F_TEXT),
	ENT_FIELD("note", thing, note, ENT_F_STR),
	ENT_FIELD("list", thing, list_json, ENT_F_JSON),
	ENT_FIELD("id", thing, id, ENT_F_INT),
	ENT_FIELD("size", thing, size, ENT_F_OPTINT),
	ENT_FIELD("cost", thing, cost, ENT_F_NUM),
	ENT_FIELD("on", thing, on, ENT_F_BOOL),
	ENT_FIELD(NULL, thing, secret, ENT_F_STR),
};
static const struct ent_fields thing_shape = ENT_FIELDS(thing, thing_fields);

static char *
json_of(const struct thing *t)
{
	cJSON	*o;
	char	*s;

	if ((o = ent_fields_json(t, &thing_shape)) == NULL)
		return NULL;
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

int
main(void)
{
	struct thing	*a;
	char		*s;

	plan(9);
	is_int(thing_shape.n, 8, "the table has its eight fields");
	is_int(thing_shape.size, sizeof(struct thing), "and the struct's size");

	a = xcalloc(2, sizeof(*a));
	a[0].name = xstrdup("one");
	a[0].note = xstrdup("a note");
	a[0].list_json = xstrdup("[\"x\",2]");
	a[0].id = 7;
	a[0].size = 1024;
	a[0].cost = 1.5;
	a[0].on = 1;
	a[0].secret = xstrdup("hunter2");
	a[1].name = xstrdup("");
	a[1].size = -1;
	a[1].secret = xstrdup("other");

	s = json_of(&a[0]);
	is_str(s, "{\"name\":\"one\",\"note\":\"a note\",\"list\":[\"x\",2],"
	    "\"id\":7,\"size\":1024,\"cost\":1.5,\"on\":true}",
	    "every named field in table order, JSON text as its value");
	ok(s != NULL && strstr(s, "hunter2") == NULL,
	    "an unnamed field stays out of the JSON");
	free(s);
	s = json_of(&a[1]);
	is_str(s, "{\"name\":\"\",\"id\":0,\"cost\":0,\"on\":false}",
	    "NULL strings, NULL JSON and a -1 optional integer are left out");
	free(s);

	ent_fields_clear(&a[1], &thing_shape);
	ok(a[1].name == NULL && a[1].secret == NULL && a[1].size == 0,
	    "clear frees the strings and zeroes the struct");
	ent_fields_clear(&a[1], &thing_shape);
	ok(a[1].name == NULL, "clearing again is safe");
	ent_fields_free(a, 2, &thing_shape);
	ok(1, "free takes the array and every string in it");
	ent_fields_free(NULL, 3, &thing_shape);
	ok(1, "free of NULL does nothing");
	return done_testing();
}
