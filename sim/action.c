/*
 * action.c: time-driven Hetzner actions and their routes (see action.h).
 */
#include <stdlib.h>
#include <string.h>

#include "och.h"
#include "action.h"
#include "sim_hetzner.h"
#include "util.h"
#include "vm.h"

#define ACT_IDS_MAX	100

static struct act	*acts;
static int64_t		 next_id = 2000000001LL;

static const char *const status_names[ACT__MAX] = {
	"running",	/* ACT_RUNNING */
	"success",	/* ACT_SUCCESS */
	"error",	/* ACT_ERROR */
};

static void
finish(void *arg)
{
	struct act	*a = arg;

	a->status = a->fail ? ACT_ERROR : ACT_SUCCESS;
	a->finished = su_wall();
	if (a->done != NULL)
		a->done(a, a->server_id, a->other);
}

struct act *
act_start(const char *command, double dur, int64_t server_id, act_fn done,
    int64_t other)
{
	struct act	*a;

	a = xcalloc(1, sizeof(*a));
	a->id = next_id++;
	a->command = xstrdup(command);
	a->status = ACT_RUNNING;
	a->started = su_wall();
	a->t0 = su_mono();
	a->dur = dur;
	a->done = done;
	a->server_id = server_id;
	a->other = other;
	if (server_id != 0)
		act_add_resource(a, server_id, "server");
	a->next = acts;
	acts = a;
	/* even a zero-length action finishes after this answer is built */
	loop_timer_at(&a->timer, a->t0 + dur, finish, a);
	return a;
}

void
act_add_resource(struct act *a, int64_t id, const char *type)
{
	if (a->nres < 2) {
		a->res[a->nres].id = id;
		a->res[a->nres].type = type;
		a->nres++;
	}
}

void
act_set_fail(struct act *a)
{
	a->fail = 1;
}

int
act_server_busy(int64_t server_id)
{
	struct act	*a;

	for (a = acts; a != NULL; a = a->next)
		if (a->status == ACT_RUNNING && a->server_id == server_id)
			return 1;
	return 0;
}

void
act_server_gone(int64_t server_id)
{
	struct act	*a;

	for (a = acts; a != NULL; a = a->next)
		if (a->status == ACT_RUNNING && a->server_id == server_id) {
			loop_timer_cancel(&a->timer);
			a->status = a->fail ? ACT_ERROR : ACT_SUCCESS;
			a->finished = su_wall();
		}
}

struct act *
act_find(int64_t id)
{
	struct act	*a;

	for (a = acts; a != NULL; a = a->next)
		if (a->id == id)
			return a;
	return NULL;
}

void
act_clear(void)
{
	struct act	*a;

	while ((a = acts) != NULL) {
		acts = a->next;
		loop_timer_cancel(&a->timer);
		free(a->command);
		free(a);
	}
}

cJSON *
act_json(const struct act *a)
{
	cJSON	*o, *r, *e;
	double	 p;
	int	 i;

	o = su_jobj();
	su_jnum(o, "id", a->id);
	su_jstr(o, "command", a->command);
	su_jstr(o, "status", status_names[a->status]);
	if (a->status == ACT_RUNNING) {
		p = a->dur > 0 ? 100 * (su_mono() - a->t0) / a->dur : 0;
		su_jnum(o, "progress", p < 0 ? 0 : p > 99 ? 99 : (int)p);
	} else
		su_jnum(o, "progress", 100);
	su_jtime(o, "started", a->started);
	if (a->finished > 0)
		su_jtime(o, "finished", a->finished);
	else
		su_jnull(o, "finished");
	r = su_jarr();
	for (i = 0; i < a->nres; i++) {
		e = su_jobj();
		su_jnum(e, "id", a->res[i].id);
		su_jstr(e, "type", a->res[i].type);
		cJSON_AddItemToArray(r, e);
	}
	cJSON_AddItemToObject(o, "resources", r);
	if (a->status == ACT_ERROR) {
		e = su_jobj();
		su_jstr(e, "code", "action_failed");
		su_jstr(e, "message", "Action failed");
		cJSON_AddItemToObject(o, "error", e);
	} else
		su_jnull(o, "error");
	return o;
}

static void
answer_one(struct http_req *r, const struct act *a)
{
	cJSON	*root;

	root = su_jobj();
	cJSON_AddItemToObject(root, "action", act_json(a));
	http_json(r, 200, root);
}

void
act_get(struct http_req *r)
{
	struct act	*a;
	int64_t		 id;

	if (shz_id(r, 0, &id) == -1)
		return;
	if ((a = act_find(id)) == NULL) {
		shz_not_found(r, "action");
		return;
	}
	answer_one(r, a);
}

void
act_server_get(struct http_req *r)
{
	struct act	*a;
	int64_t		 sid, id;

	if (shz_id(r, 0, &sid) == -1 || shz_id(r, 1, &id) == -1)
		return;
	if (vm_find(sid) == NULL) {
		shz_not_found(r, "server");
		return;
	}
	if ((a = act_find(id)) == NULL || a->server_id != sid) {
		shz_not_found(r, "action");
		return;
	}
	answer_one(r, a);
}

static const char *const sort_fields[] = {
	"id", "command", "status", "started", "finished", NULL
};

static int	 skeys[8], sdesc[8], nsort;

static int
cmp(const void *x, const void *y)
{
	const struct act *a = *(const struct act *const *)x;
	const struct act *b = *(const struct act *const *)y;
	int		 i, c = 0;
	double		 d;

	for (i = 0; i < nsort && c == 0; i++) {
		switch (skeys[i]) {
		case 0:
			c = a->id < b->id ? -1 : a->id > b->id;
			break;
		case 1:
			c = strcmp(a->command, b->command);
			break;
		case 2:
			c = strcmp(status_names[a->status],
			    status_names[b->status]);
			break;
		case 3:
			d = a->started - b->started;
			c = d < 0 ? -1 : d > 0;
			break;
		default:
			d = a->finished - b->finished;
			c = d < 0 ? -1 : d > 0;
			break;
		}
		if (sdesc[i])
			c = -c;
	}
	if (c == 0)
		c = a->id < b->id ? -1 : a->id > b->id;
	return c;
}

/* List actions of a server (sid != 0) or with the given ids. */
static void
list(struct http_req *r, int64_t sid, int need_ids)
{
	const char	*ids[ACT_IDS_MAX], *st[4];
	struct act	**sel = NULL, *a;
	struct shz_page	 pg;
	cJSON		*root, *arr;
	int64_t		 want[ACT_IDS_MAX];
	size_t		 nids, nst, n = 0, cap = 0, i;
	long		 k;

	nids = http_query_all(r, "id", ids, ACT_IDS_MAX);
	nst = http_query_all(r, "status", st, 4);
	if (need_ids && nids == 0) {
		cJSON	*d = su_jobj();

		su_jstr(d, "announcement", "https://docs.hetzner.cloud/"
		    "changelog#2025-01-30-listing-arbitrary-actions-in-the-"
		    "actions-list-endpoint-is-removed");
		shz_error(r, 410, "deprecated_api_endpoint", "Listing "
		    "arbitrary actions is not supported anymore, filter by "
		    "id", d);
		return;
	}
	for (i = 0; i < nids; i++)
		if (su_parse_id(ids[i], &want[i]) == -1) {
			shz_invalid(r, "id", "must be an integer");
			return;
		}
	for (i = 0; i < nst; i++)
		if (strcmp(st[i], "running") && strcmp(st[i], "success") &&
		    strcmp(st[i], "error")) {
			shz_invalid(r, "status", "invalid status");
			return;
		}
	if ((nsort = shz_sort(r, sort_fields, skeys, sdesc, 8)) == -1 ||
	    shz_paging(r, &pg) == -1)
		return;
	for (a = acts; a != NULL; a = a->next) {
		if (sid != 0 && a->server_id != sid)
			continue;
		for (i = 0; i < nids; i++)
			if (want[i] == a->id)
				break;
		if (nids > 0 && i == nids)
			continue;
		for (i = 0; i < nst; i++)
			if (strcmp(st[i], status_names[a->status]) == 0)
				break;
		if (nst > 0 && i == nst)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			sel = xrealloc(sel, cap * sizeof(*sel));
		}
		sel[n++] = a;
	}
	if (n > 1)
		qsort(sel, n, sizeof(*sel), cmp);
	shz_page_range(&pg, (long)n);
	root = su_jobj();
	arr = su_jarr();
	for (k = pg.first; k < pg.end; k++)
		cJSON_AddItemToArray(arr, act_json(sel[k]));
	cJSON_AddItemToObject(root, "actions", arr);
	shz_meta(r, root, &pg);
	free(sel);
	http_json(r, 200, root);
}

void
act_list(struct http_req *r)
{
	list(r, 0, 1);
}

void
act_server_list(struct http_req *r)
{
	int64_t	 sid;

	if (shz_id(r, 0, &sid) == -1)
		return;
	if (vm_find(sid) == NULL) {
		shz_not_found(r, "server");
		return;
	}
	list(r, sid, 0);
}
