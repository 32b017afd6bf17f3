/*
 * image.c: system images, snapshots and backups (see image.h).
 */
#include <stdlib.h>
#include <string.h>

#include "och.h"
#include "catalog.h"
#include "sim_hetzner.h"
#include "image.h"
#include "labels.h"
#include "util.h"
#include "vm.h"

#define IMG_Q_MAX	8

struct img {
	int64_t		 id;
	char		*type;		/* snapshot | backup */
	int		 available;
	char		*description;
	double		 size;		/* image_size GB */
	int		 disk;
	double		 created;
	int64_t		 from_id;
	char		*from_name;
	int64_t		 bound_to;	/* backups */
	const char	*flavor, *version, *arch;
	cJSON		*labels;
	struct img	*next;
};

static struct img	*imgs;
static int64_t		 next_id = 300000001;

static struct img *
find(int64_t id)
{
	struct img	*i;

	for (i = imgs; i != NULL; i = i->next)
		if (i->id == id)
			return i;
	return NULL;
}

static void
img_free(struct img *i)
{
	free(i->type);
	free(i->description);
	free(i->from_name);
	cJSON_Delete(i->labels);
	free(i);
}

void
img_clear(void)
{
	struct img	*i;

	while ((i = imgs) != NULL) {
		imgs = i->next;
		img_free(i);
	}
}

int
img_resolve(const char *s, const char *arch, int64_t *id)
{
	const struct cat_image	*ci;
	struct img		*i;
	int64_t			 n;

	if ((ci = cat_image_find(s, arch)) != NULL) {
		/* by id, a system image of the other architecture is found */
		if (strcmp(ci->arch, arch) != 0)
			return -2;
		*id = ci->id;
		return 0;
	}
	if (su_parse_id(s, &n) == 0) {
		if ((i = find(n)) == NULL)
			return -1;
		if (strcmp(i->arch, arch) != 0)
			return -2;
		if (!i->available)
			return -3;
		*id = n;
		return 0;
	}
	/* a name that exists only for the other architecture */
	if (cat_image_find(s, NULL) != NULL)
		return -2;
	return -1;
}

static cJSON *
json(const struct img *i)
{
	cJSON	*o, *p;

	o = su_jobj();
	su_jnum(o, "id", i->id);
	su_jstr(o, "type", i->type);
	su_jstr(o, "status", i->available ? "available" : "creating");
	su_jnull(o, "name");
	su_jstr(o, "description", i->description);
	if (i->available)
		su_jnum(o, "image_size", i->size);
	else
		su_jnull(o, "image_size");
	su_jnum(o, "disk_size", i->disk);
	su_jtime(o, "created", i->created);
	p = su_jobj();
	su_jnum(p, "id", i->from_id);
	su_jstr(p, "name", i->from_name);
	cJSON_AddItemToObject(o, "created_from", p);
	if (i->bound_to != 0)
		su_jnum(o, "bound_to", i->bound_to);
	else
		su_jnull(o, "bound_to");
	su_jstr(o, "os_flavor", i->flavor);
	su_jstr(o, "os_version", i->version);
	su_jbool(o, "rapid_deploy", 0);
	p = su_jobj();
	su_jbool(p, "delete", 0);
	cJSON_AddItemToObject(o, "protection", p);
	su_jnull(o, "deprecated");
	su_jnull(o, "deleted");
	cJSON_AddItemToObject(o, "labels", cJSON_Duplicate(i->labels, 1));
	su_jstr(o, "architecture", i->arch);
	return o;
}

cJSON *
img_json_id(int64_t id)
{
	const struct cat_image	*ci;
	struct img		*i;
	size_t			 k;

	for (k = 0; (ci = cat_image_at(k)) != NULL; k++)
		if (ci->id == id)
			return cat_image_json(ci);
	if ((i = find(id)) != NULL)
		return json(i);
	return NULL;
}

int64_t
img_create(const struct vm *v, const char *type, const char *description,
    const cJSON *labels)
{
	const struct cat_image	*ci = NULL;
	struct img		*i, *src;
	size_t			 k;
	char			 ts[32];

	i = xcalloc(1, sizeof(*i));
	i->id = next_id++;
	i->type = xstrdup(type);
	i->created = su_wall();
	if (description != NULL)
		i->description = xstrdup(description);
	else {
		su_rfc3339(ts, i->created);
		i->description = xasprintf("%s-%s", v->name, ts);
	}
	i->disk = v->disk;
	i->size = 2.3 + (double)(v->id % 7) / 10;
	i->from_id = v->id;
	i->from_name = xstrdup(v->name);
	i->bound_to = strcmp(type, "backup") == 0 ? v->id : 0;
	i->labels = labels ? cJSON_Duplicate(labels, 1) : su_jobj();
	i->flavor = "unknown";
	i->version = NULL;
	i->arch = v->type->arch;
	for (k = 0; (ci = cat_image_at(k)) != NULL; k++)
		if (ci->id == v->image_id)
			break;
	if (ci != NULL) {
		i->flavor = ci->os_flavor;
		i->version = ci->os_version;
	} else if ((src = find(v->image_id)) != NULL) {
		i->flavor = src->flavor;
		i->version = src->version;
	}
	i->next = imgs;
	imgs = i;
	return i->id;
}

void
img_ready(int64_t id, int ok)
{
	struct img	*i, **pp;

	if ((i = find(id)) == NULL)
		return;
	if (ok) {
		i->available = 1;
		return;
	}
	for (pp = &imgs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == i) {
			*pp = i->next;
			img_free(i);
			return;
		}
}

void
img_drop_backups(int64_t server_id)
{
	struct img	**pp, *i;

	for (pp = &imgs; (i = *pp) != NULL;) {
		if (i->bound_to == server_id &&
		    strcmp(i->type, "backup") == 0) {
			*pp = i->next;
			img_free(i);
		} else
			pp = &i->next;
	}
}

/* A row of the combined list: system image or stored image. */
struct row {
	const struct cat_image	*ci;
	struct img		*im;
	int64_t			 id;
	const char		*name;
	double			 created;
};

static const char *const sort_fields[] = {
	"id", "name", "created", NULL
};
static int	 skeys[4], sdesc[4], nsort;

static int
cmp(const void *x, const void *y)
{
	const struct row	*a = x, *b = y;
	int			 i, c = 0;

	for (i = 0; i < nsort && c == 0; i++) {
		if (skeys[i] == 0)
			c = a->id < b->id ? -1 : a->id > b->id;
		else if (skeys[i] == 1)
			c = strcmp(a->name ? a->name : "",
			    b->name ? b->name : "");
		else
			c = a->created < b->created ? -1 :
			    a->created > b->created;
		if (sdesc[i])
			c = -c;
	}
	return c ? c : (a->id < b->id ? -1 : a->id > b->id);
}

static int
in(const char *v, const char **set, size_t n)
{
	size_t	 i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (strcmp(set[i], v) == 0)
			return 1;
	return 0;
}

void
img_list(struct http_req *r)
{
	const char		*types[IMG_Q_MAX], *sts[IMG_Q_MAX];
	const char		*archs[IMG_Q_MAX], *q, *err;
	const struct cat_image	*ci;
	struct lbl_sel		*sel = NULL;
	struct row		*rows = NULL;
	struct shz_page		 pg;
	struct img		*im;
	cJSON			*root, *arr, *empty;
	size_t			 nt, ns, na, n = 0, cap = 0, k;
	int64_t			 bound = 0;
	long			 j;

	nt = http_query_all(r, "type", types, IMG_Q_MAX);
	ns = http_query_all(r, "status", sts, IMG_Q_MAX);
	na = http_query_all(r, "architecture", archs, IMG_Q_MAX);
	for (k = 0; k < nt; k++)
		if (!in(types[k], (const char *[]){ "system", "app",
		    "snapshot", "backup" }, 4)) {
			shz_invalid(r, "type", "invalid type");
			return;
		}
	for (k = 0; k < ns; k++)
		if (!in(sts[k], (const char *[]){ "available", "creating",
		    "unavailable" }, 3)) {
			shz_invalid(r, "status", "invalid status");
			return;
		}
	for (k = 0; k < na; k++)
		if (!in(archs[k], (const char *[]){ "x86", "arm" }, 2)) {
			shz_invalid(r, "architecture", "invalid architecture");
			return;
		}
	if ((q = http_query(r, "bound_to")) != NULL &&
	    su_parse_id(q, &bound) == -1) {
		shz_invalid(r, "bound_to", "must be an integer");
		return;
	}
	if ((q = http_query(r, "label_selector")) != NULL &&
	    (sel = lbl_sel_parse(q, &err)) == NULL) {
		shz_invalid(r, "label_selector", err);
		return;
	}
	if ((nsort = shz_sort(r, sort_fields, skeys, sdesc, 4)) == -1 ||
	    shz_paging(r, &pg) == -1) {
		lbl_sel_free(sel);
		return;
	}
	q = http_query(r, "name");
	empty = su_jobj();
	for (k = 0; (ci = cat_image_at(k)) != NULL; k++) {
		if (!in("system", types, nt) || !in("available", sts, ns) ||
		    !in(ci->arch, archs, na) || bound != 0 ||
		    (q != NULL && strcmp(q, ci->name) != 0) ||
		    (sel != NULL && !lbl_sel_match(sel, empty)))
			continue;
		if (n == cap)
			rows = xrealloc(rows, (cap = cap ? 2 * cap : 32) *
			    sizeof(*rows));
		rows[n].ci = ci;
		rows[n].im = NULL;
		rows[n].id = ci->id;
		rows[n].name = ci->name;
		su_parse_rfc3339(ci->created, &rows[n].created);
		n++;
	}
	cJSON_Delete(empty);
	for (im = imgs; im != NULL; im = im->next) {
		if (!in(im->type, types, nt) || !in(im->available ?
		    "available" : "creating", sts, ns) ||
		    !in(im->arch, archs, na) ||
		    (bound != 0 && im->bound_to != bound) || q != NULL ||
		    (sel != NULL && !lbl_sel_match(sel, im->labels)))
			continue;
		if (n == cap)
			rows = xrealloc(rows, (cap = cap ? 2 * cap : 32) *
			    sizeof(*rows));
		rows[n].ci = NULL;
		rows[n].im = im;
		rows[n].id = im->id;
		rows[n].name = NULL;
		rows[n].created = im->created;
		n++;
	}
	lbl_sel_free(sel);
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp);
	shz_page_range(&pg, (long)n);
	root = su_jobj();
	arr = su_jarr();
	for (j = pg.first; j < pg.end; j++)
		cJSON_AddItemToArray(arr, rows[j].ci ?
		    cat_image_json(rows[j].ci) : json(rows[j].im));
	cJSON_AddItemToObject(root, "images", arr);
	shz_meta(r, root, &pg);
	free(rows);
	http_json(r, 200, root);
}

void
img_get(struct http_req *r)
{
	cJSON	*o, *root;
	int64_t	 id;

	if (shz_id(r, 0, &id) == -1)
		return;
	if ((o = img_json_id(id)) == NULL) {
		shz_not_found(r, "image");
		return;
	}
	root = su_jobj();
	cJSON_AddItemToObject(root, "image", o);
	http_json(r, 200, root);
}

void
img_update(struct http_req *r)
{
	struct img	*i;
	cJSON		*body, *d, *l, *t, *root;
	const char	*err;
	int64_t		 id;

	if (shz_id(r, 0, &id) == -1)
		return;
	if ((i = find(id)) == NULL) {
		if ((root = img_json_id(id)) != NULL) {
			cJSON_Delete(root);
			shz_error(r, 403, "forbidden", "system images cannot "
			    "be changed", NULL);
		} else
			shz_not_found(r, "image");
		return;
	}
	if ((body = shz_body(r)) == NULL)
		return;
	d = cJSON_GetObjectItemCaseSensitive(body, "description");
	l = cJSON_GetObjectItemCaseSensitive(body, "labels");
	t = cJSON_GetObjectItemCaseSensitive(body, "type");
	if (d != NULL && !cJSON_IsString(d)) {
		shz_invalid(r, "description", "must be a string");
		goto out;
	}
	if (l != NULL && !lbl_valid(l, &err)) {
		shz_invalid(r, "labels", err);
		goto out;
	}
	if (t != NULL && !(cJSON_IsString(t) &&
	    strcmp(t->valuestring, "snapshot") == 0)) {
		shz_invalid(r, "type", "can only be converted to snapshot");
		goto out;
	}
	if (d != NULL) {
		free(i->description);
		i->description = xstrdup(d->valuestring);
	}
	if (l != NULL) {
		cJSON_Delete(i->labels);
		i->labels = cJSON_Duplicate(l, 1);
	}
	if (t != NULL) {
		free(i->type);
		i->type = xstrdup("snapshot");
		i->bound_to = 0;
	}
	root = su_jobj();
	cJSON_AddItemToObject(root, "image", json(i));
	http_json(r, 200, root);
out:
	cJSON_Delete(body);
}

void
img_delete(struct http_req *r)
{
	struct img	*i, **pp;
	cJSON		*o;
	int64_t		 id;

	if (shz_id(r, 0, &id) == -1)
		return;
	if ((i = find(id)) == NULL) {
		if ((o = img_json_id(id)) != NULL) {
			cJSON_Delete(o);
			shz_error(r, 403, "forbidden", "only snapshots and "
			    "backups can be deleted", NULL);
		} else
			shz_not_found(r, "image");
		return;
	}
	for (pp = &imgs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == i) {
			*pp = i->next;
			img_free(i);
			break;
		}
	http_reset_body(r);
	r->status = 204;
}
