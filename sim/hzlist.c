/*
 * hzlist.c: GET on a Hetzner collection of named, labelled resources
 * (SSH keys, firewalls): the name and label_selector filters, sort by
 * id/name/created, page and per_page with meta.pagination (sim_hetzner.h).
 */
#include <stdlib.h>
#include <string.h>

#include "och.h"
#include "sim_hetzner.h"
#include "labels.h"
#include "util.h"

static const char *const sorts[] = { "id", "name", "created", NULL };
static int	 lkeys[8], ldesc[8], nlsort;

static int
item_cmp(const void *x, const void *y)
{
	const struct shz_item	*a = x, *b = y;
	int			 i, c = 0;

	for (i = 0; i < nlsort && c == 0; i++) {
		if (lkeys[i] == 0)
			c = a->id < b->id ? -1 : a->id > b->id;
		else if (lkeys[i] == 1)
			c = strcmp(a->name, b->name);
		else
			c = a->created < b->created ? -1 :
			    a->created > b->created;
		if (ldesc[i])
			c = -c;
	}
	return c ? c : (a->id < b->id ? -1 : a->id > b->id);
}

void
shz_list(struct http_req *r, const char *key, struct shz_item *items,
    size_t n, cJSON *(*json)(const void *))
{
	const char	*q, *name, *err;
	struct lbl_sel	*sel = NULL;
	struct shz_page	 pg;
	cJSON		*root, *arr;
	size_t		 i, k = 0;
	long		 j;

	if ((q = http_query(r, "label_selector")) != NULL &&
	    (sel = lbl_sel_parse(q, &err)) == NULL) {
		shz_invalid(r, "label_selector", err);
		return;
	}
	if ((nlsort = shz_sort(r, sorts, lkeys, ldesc, 8)) == -1 ||
	    shz_paging(r, &pg) == -1) {
		lbl_sel_free(sel);
		return;
	}
	name = http_query(r, "name");
	for (i = 0; i < n; i++)
		if ((name == NULL || strcmp(name, items[i].name) == 0) &&
		    (sel == NULL || lbl_sel_match(sel, items[i].labels)))
			items[k++] = items[i];
	lbl_sel_free(sel);
	if (k > 1)
		qsort(items, k, sizeof(*items), item_cmp);
	shz_page_range(&pg, (long)k);
	root = su_jobj();
	arr = su_jarr();
	for (j = pg.first; j < pg.end; j++)
		cJSON_AddItemToArray(arr, json(items[j].obj));
	cJSON_AddItemToObject(root, key, arr);
	shz_meta(r, root, &pg);
	http_json(r, 200, root);
}
