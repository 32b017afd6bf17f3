/*
 * hetzner.c: the Hetzner Cloud API client (see hetzner.h): the calls.
 * Reading Hetzner's answers (error classification, what says "refused"
 * to the in-call retry rule, the objects) is hetzner_answer.c's; the
 * connection, the call and that rule are hcl_prov.c's.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cfg.h"
#include "fleetnet.h"
#include "hetzner.h"
#include "hetzner_int.h"
#include "log.h"

#define HZ_PAGES_MAX	100	/* a list never takes more requests */
#define HZ_PER_PAGE	50

struct hz {
	struct prov_api	 api;
};

static const char *const act_names[HZ_ACT__MAX] = {
	"poweron",	/* HZ_POWERON */
	"poweroff",	/* HZ_POWEROFF */
	"shutdown",	/* HZ_SHUTDOWN */
	"reboot",	/* HZ_REBOOT */
	"reset",	/* HZ_RESET */
};

/*
 * A client on base_url (NULL: HZ_API_URL) with a project token; both
 * are copied, the hcl is borrowed.  Never NULL.  Free with hz_free.
 */
static struct hz *
hz_new(struct hcl *http, const char *base, const char *token)
{
	struct hz	*hz;

	hz = xcalloc(1, sizeof(*hz));
	prov_api_init(&hz->api, &hz_kind, http, base, HZ_API_URL, token, 250);
	return hz;
}

struct hz *
hz_from_cfg(struct hcl *http, const struct cfg *cfg)
{
	const char	*tok;

	if ((tok = cfg_get(cfg, CFG_HETZNER_API_TOKEN)) == NULL)
		return NULL;
	return hz_new(http, cfg_str(cfg, CFG_HETZNER_API_URL, HZ_API_URL),
	    tok);
}

void
hz_free(struct hz *hz)
{
	if (hz == NULL)
		return;
	prov_api_clear(&hz->api);
	free(hz);
}

void
hz_set_policy(struct hz *hz, int max_retries, unsigned base_ms,
    unsigned cap_ms)
{
	hcl_policy_set(&hz->api.policy, max_retries, base_ms, cap_ms);
}

/* ---- rate limit ------------------------------------------------------ */

void
hz_rl_note(const struct hcl_ratelimit *rl, time_t now)
{
	hcl_rl_note(&hz_rl, rl, now);
}

void
hz_rl_get(struct hcl_ratelimit *rl, time_t *seen_at)
{
	hcl_rl_get(&hz_rl, rl, seen_at);
}

long long
hz_pace_ms(time_t now, long long floor)
{
	long long	 limit, have, need, ms, until;
	double		 per_s;

	if (hz_rl.seen_at == 0 || hz_rl.rl.remaining < 0)
		return 0;
	limit = hz_rl.rl.limit > 0 ? hz_rl.rl.limit : 3600;
	per_s = (double)limit / 3600.0;
	/* the budget refills while we wait: count what came back since */
	have = hz_rl.rl.remaining;
	if (now > hz_rl.seen_at)
		have += (long long)((double)(now - hz_rl.seen_at) * per_s);
	if (have > floor)
		return 0;
	need = floor - have + 1;
	ms = (long long)((double)need * 1000.0 / per_s);
	if (hz_rl.rl.reset_at > 0) {
		until = (hz_rl.rl.reset_at - (long long)now) * 1000;
		if (until < 0)
			return 0;
		if (ms > until)
			ms = until;
	}
	return ms;
}

/* ---- the call -------------------------------------------------------- */

/* One API call (hetzner.h). */
enum och_err
hz_request(struct hz *hz, const char *method, const char *path,
    const cJSON *body, int idempotent, cJSON **out, struct prov_err *e)
{
	struct hcl_resp		 r;
	char			*url, what[160];
	cJSON			*root;

	hcl_perr_init(e, "hetzner");
	if (out != NULL)
		*out = NULL;
	url = xasprintf("%s%s", hz->api.base, path);
	snprintf(what, sizeof(what), "hetzner %s %.*s", method,
	    (int)strcspn(path, "?"), path);
	if (prov_send_json(&hz->api, method, url, body, idempotent, &r, e,
	    what) == -1)
		goto out;
	if (r.status < 200 || r.status > 299) {
		prov_fail(&hz->api, &r, e);
		if (e->err == OCH_ENOTFOUND)	/* often the expected answer */
			log_info("%s: not found corr=%s", what,
			    e->corr_id[0] ? e->corr_id : "-");
		else
			hcl_perr_log(e, what);
		goto out;
	}
	if (out == NULL)
		goto out;
	root = hcl_json_parse(r.body.data, r.body.len);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		hcl_perr_set(e, OCH_EUPSTREAM, 1, "bad_response",
		    "answer is not a JSON object");
		hcl_perr_log(e, what);
		goto out;
	}
	*out = root;
out:
	hcl_resp_free(&r);
	free(url);
	return e->err;
}

/* Read {"action": {...}} of root into act (may be NULL). */
static enum och_err
take_action(const cJSON *root, struct hz_action *act, struct prov_err *e,
    const char *what)
{
	struct hz_action	 tmp;

	if (hz_parse_action(cJSON_GetObjectItemCaseSensitive(root, "action"),
	    act ? act : &tmp) == -1)
		return hcl_perr_bad_response(e, what, "action");
	return OCH_OK;
}

static char *
action_path(int64_t id, const char *name)
{
	return xasprintf("/servers/%" PRId64 "/actions/%s", id, name);
}

/* POST an action; body may be NULL. */
static enum och_err
post_action(struct hz *hz, int64_t id, const char *name, cJSON *body,
    struct hz_action *act, struct prov_err *e)
{
	cJSON		*root = NULL;
	char		*path;
	enum och_err	 rc;

	if (id <= 0) {
		hcl_perr_init(e, "hetzner");
		hcl_perr_set(e, OCH_EINVAL, 0, "invalid_input", "no server id");
		return e->err;
	}
	path = action_path(id, name);
	if ((rc = hz_request(hz, "POST", path, body, 0, &root, e)) == OCH_OK &&
	    (rc = take_action(root, act, e, "hetzner server action")) ==
	    OCH_OK && act != NULL)
		log_info("hetzner %s server=%" PRId64 " action=%" PRId64
		    " corr=%s", name, id, act->id,
		    e->corr_id[0] ? e->corr_id : "-");
	cJSON_Delete(root);
	free(path);
	return rc;
}

enum och_err
hz_server_create(struct hz *hz, const struct hz_create *c,
    struct hz_server *srv, struct hz_action *act, struct prov_err *e)
{
	cJSON		*body, *labels, *root = NULL;
	enum och_err	 rc;

	hcl_perr_init(e, "hetzner");
	if (c->name == NULL || c->server_type == NULL || c->image == NULL ||
	    c->instance == NULL) {
		hcl_perr_set(e, OCH_EINVAL, 0, "invalid_input",
		    "name, server_type, image and instance are required");
		return e->err;
	}
	if (c->user_data != NULL && strlen(c->user_data) > HZ_USER_DATA_MAX) {
		hcl_perr_set(e, OCH_EINVAL, 0, "invalid_input",
		    "user_data is over %d bytes", HZ_USER_DATA_MAX);
		return e->err;
	}
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "name", c->name);
	cJSON_AddStringToObject(body, "server_type", c->server_type);
	cJSON_AddStringToObject(body, "image", c->image);
	if (c->location != NULL)
		cJSON_AddStringToObject(body, "location", c->location);
	if (c->user_data != NULL)
		cJSON_AddStringToObject(body, "user_data", c->user_data);
	cJSON_AddBoolToObject(body, "start_after_create",
	    c->start_after_create);
	labels = cJSON_AddObjectToObject(body, "labels");
	cJSON_AddStringToObject(labels, HZ_LABEL, c->instance);
	fleet_create_fields(body, c->ssh_key_id, c->firewall_id);

	if ((rc = hz_request(hz, "POST", "/servers", body, 0, &root, e)) !=
	    OCH_OK)
		goto out;
	if (hz_parse_server(cJSON_GetObjectItemCaseSensitive(root, "server"),
	    srv) == -1) {
		rc = hcl_perr_bad_response(e, "hetzner create_server",
		    "server");
		goto out;
	}
	if ((rc = take_action(root, act, e, "hetzner create_server")) !=
	    OCH_OK)
		goto out;
	log_info("hetzner create_server id=%" PRId64 " instance=%s "
	    "action=%" PRId64 " corr=%s", srv->id, c->instance,
	    act ? act->id : 0, e->corr_id[0] ? e->corr_id : "-");
out:
	cJSON_Delete(body);
	cJSON_Delete(root);
	return rc;
}

enum och_err
hz_server_get(struct hz *hz, int64_t id, struct hz_server *srv,
    struct prov_err *e)
{
	cJSON		*root = NULL;
	char		*path;
	enum och_err	 rc;

	path = xasprintf("/servers/%" PRId64, id);
	if ((rc = hz_request(hz, "GET", path, NULL, 1, &root, e)) == OCH_OK &&
	    hz_parse_server(cJSON_GetObjectItemCaseSensitive(root, "server"),
	    srv) == -1)
		rc = hcl_perr_bad_response(e, "hetzner get server", "server");
	cJSON_Delete(root);
	free(path);
	return rc;
}

/* Does the page after page exist?  0 when this was the last one. */
static int64_t
next_page(const cJSON *root, int64_t page)
{
	const cJSON	*pg;
	int64_t		 next;

	pg = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(root, "meta"), "pagination");
	if (hcl_json_id(pg, "next_page", &next, 0) == -1 || next <= page)
		return 0;
	return next;
}

/*
 * Walk every page of GET base?query (query ends with '&' or is empty)
 * and hand each element of the array member key to take(), which stores
 * it at index *n when *n < max; returns e->err.
 */
static enum och_err
list_all(struct hz *hz, const char *base, const char *query, const char *key,
    int (*take)(const cJSON *, void *, size_t), void *out, size_t max,
    size_t *n, struct prov_err *e)
{
	cJSON		*root = NULL;
	const cJSON	*arr, *it;
	char		*path, what[64];
	int64_t		 page = 1;
	int		 pages;
	enum och_err	 rc = OCH_OK;

	*n = 0;
	snprintf(what, sizeof(what), "hetzner list %s", key);
	for (pages = 0; page > 0; pages++) {
		if (pages >= HZ_PAGES_MAX)
			return hcl_perr_bad_response(e, what,
			    "pagination (too many pages)");
		path = xasprintf("%s?%sper_page=%d&page=%" PRId64, base, query,
		    HZ_PER_PAGE, page);
		rc = hz_request(hz, "GET", path, NULL, 1, &root, e);
		free(path);
		if (rc != OCH_OK)
			return rc;
		arr = cJSON_GetObjectItemCaseSensitive(root, key);
		if (!cJSON_IsArray(arr)) {
			cJSON_Delete(root);
			return hcl_perr_bad_response(e, what, key);
		}
		cJSON_ArrayForEach(it, arr) {
			if (*n < max && take(it, out, *n) == -1) {
				cJSON_Delete(root);
				return hcl_perr_bad_response(e, what, key);
			}
			(*n)++;
		}
		page = next_page(root, page);
		cJSON_Delete(root);
		root = NULL;
	}
	return rc;
}

static int
take_server(const cJSON *it, void *out, size_t i)
{
	return hz_parse_server(it, (struct hz_server *)out + i);
}

static int
take_image(const cJSON *it, void *out, size_t i)
{
	return hz_parse_image(it, (struct hz_image *)out + i);
}

enum och_err
hz_server_list(struct hz *hz, const char *selector, const char *name,
    struct hz_server *out, size_t max, size_t *n, struct prov_err *e)
{
	struct buf	 q = { 0 };
	enum och_err	 rc;

	buf_add(&q, "", 0);
	if (selector != NULL) {
		buf_puts(&q, "label_selector=");
		hcl_escape(&q, selector);
		buf_putc(&q, '&');
	}
	if (name != NULL) {
		buf_puts(&q, "name=");
		hcl_escape(&q, name);
		buf_putc(&q, '&');
	}
	rc = list_all(hz, "/servers", q.data, "servers", take_server, out, max,
	    n, e);
	buf_free(&q);
	return rc;
}

enum och_err
hz_server_find_instance(struct hz *hz, const char *instance,
    struct hz_server *out, size_t max, size_t *n, struct prov_err *e)
{
	char		*sel;
	enum och_err	 rc;

	sel = xasprintf("%s=%s", HZ_LABEL, instance);
	rc = hz_server_list(hz, sel, NULL, out, max, n, e);
	free(sel);
	return rc;
}

enum och_err
hz_server_delete(struct hz *hz, int64_t id, struct hz_action *act,
    struct prov_err *e)
{
	cJSON		*root = NULL;
	char		*path;
	enum och_err	 rc;

	path = xasprintf("/servers/%" PRId64, id);
	if ((rc = hz_request(hz, "DELETE", path, NULL, 1, &root, e)) ==
	    OCH_OK &&
	    (rc = take_action(root, act, e, "hetzner delete server")) ==
	    OCH_OK)
		log_info("hetzner delete_server id=%" PRId64 " corr=%s", id,
		    e->corr_id[0] ? e->corr_id : "-");
	cJSON_Delete(root);
	free(path);
	return rc;
}

enum och_err
hz_server_act(struct hz *hz, int64_t id, enum hz_act what,
    struct hz_action *act, struct prov_err *e)
{
	if ((unsigned)what >= HZ_ACT__MAX) {
		hcl_perr_init(e, "hetzner");
		hcl_perr_set(e, OCH_EINVAL, 0, "invalid_input", "no such action");
		return e->err;
	}
	return post_action(hz, id, act_names[what], NULL, act, e);
}

enum och_err
hz_server_rebuild(struct hz *hz, int64_t id, const char *image,
    const char *user_data, struct hz_action *act, struct prov_err *e)
{
	cJSON		*body;
	enum och_err	 rc;

	hcl_perr_init(e, "hetzner");
	if (image == NULL ||
	    (user_data != NULL && strlen(user_data) > HZ_USER_DATA_MAX)) {
		hcl_perr_set(e, OCH_EINVAL, 0, "invalid_input",
		    "rebuild needs an image and user_data <= %d bytes",
		    HZ_USER_DATA_MAX);
		return e->err;
	}
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "image", image);
	if (user_data != NULL)
		cJSON_AddStringToObject(body, "user_data", user_data);
	rc = post_action(hz, id, "rebuild", body, act, e);
	cJSON_Delete(body);
	return rc;
}

enum och_err
hz_server_change_type(struct hz *hz, int64_t id, const char *type,
    int upgrade_disk, struct hz_action *act, struct prov_err *e)
{
	cJSON		*body;
	enum och_err	 rc;

	hcl_perr_init(e, "hetzner");
	if (type == NULL) {
		hcl_perr_set(e, OCH_EINVAL, 0, "invalid_input",
		    "change_type needs a server type");
		return e->err;
	}
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "server_type", type);
	cJSON_AddBoolToObject(body, "upgrade_disk", upgrade_disk);
	rc = post_action(hz, id, "change_type", body, act, e);
	cJSON_Delete(body);
	return rc;
}

enum och_err
hz_server_create_image(struct hz *hz, int64_t id, const char *description,
    const char *instance, int64_t *image_id, struct hz_action *act,
    struct prov_err *e)
{
	cJSON		*body, *labels, *root = NULL;
	char		*path;
	struct hz_image	 im;
	enum och_err	 rc;

	*image_id = 0;
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "type", "snapshot");
	if (description != NULL)
		cJSON_AddStringToObject(body, "description", description);
	if (instance != NULL) {
		labels = cJSON_AddObjectToObject(body, "labels");
		cJSON_AddStringToObject(labels, HZ_LABEL, instance);
	}
	path = action_path(id, "create_image");
	if ((rc = hz_request(hz, "POST", path, body, 0, &root, e)) != OCH_OK)
		goto out;
	if (hz_parse_image(cJSON_GetObjectItemCaseSensitive(root, "image"),
	    &im) == -1) {
		rc = hcl_perr_bad_response(e, "hetzner create_image", "image");
		goto out;
	}
	if ((rc = take_action(root, act, e, "hetzner create_image")) != OCH_OK)
		goto out;
	*image_id = im.id;
	log_info("hetzner create_image server=%" PRId64 " image=%" PRId64
	    " corr=%s", id, im.id, e->corr_id[0] ? e->corr_id : "-");
out:
	cJSON_Delete(body);
	cJSON_Delete(root);
	free(path);
	return rc;
}

enum och_err
hz_action_get(struct hz *hz, int64_t id, struct hz_action *act,
    struct prov_err *e)
{
	cJSON		*root = NULL;
	char		*path;
	enum och_err	 rc;

	path = xasprintf("/actions/%" PRId64, id);
	if ((rc = hz_request(hz, "GET", path, NULL, 1, &root, e)) == OCH_OK)
		rc = take_action(root, act, e, "hetzner get action");
	if (rc == OCH_OK && act->id != id)
		rc = hcl_perr_bad_response(e, "hetzner get action",
		    "action id");
	cJSON_Delete(root);
	free(path);
	return rc;
}

enum och_err
hz_actions_get(struct hz *hz, const int64_t *ids, size_t n,
    struct hz_action *out, struct prov_err *e)
{
	struct buf		 q = { 0 };
	struct hz_action	 a;
	cJSON			*root = NULL;
	const cJSON		*arr, *it;
	size_t			 i;
	enum och_err		 rc;

	hcl_perr_init(e, "hetzner");
	if (n == 0 || n > 25) {
		hcl_perr_set(e, OCH_EINVAL, 0, "invalid_input",
		    "between 1 and 25 action ids");
		return e->err;
	}
	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		buf_printf(&q, "%sid=%" PRId64, i ? "&" : "/actions?", ids[i]);
	}
	buf_printf(&q, "&per_page=%d", HZ_PER_PAGE);
	if ((rc = hz_request(hz, "GET", q.data, NULL, 1, &root, e)) != OCH_OK)
		goto out;
	arr = cJSON_GetObjectItemCaseSensitive(root, "actions");
	if (!cJSON_IsArray(arr)) {
		rc = hcl_perr_bad_response(e, "hetzner get actions", "actions");
		goto out;
	}
	cJSON_ArrayForEach(it, arr) {
		if (hz_parse_action(it, &a) == -1) {
			rc = hcl_perr_bad_response(e, "hetzner get actions",
			    "action");
			goto out;
		}
		for (i = 0; i < n; i++)
			if (ids[i] == a.id && out[i].id == 0) {
				out[i] = a;
			}
	}
	for (i = 0; i < n; i++)
		if (out[i].id == 0) {
			rc = hcl_perr_bad_response(e, "hetzner get actions",
			    "action for every id");
			break;
		}
out:
	cJSON_Delete(root);
	buf_free(&q);
	return rc;
}

enum och_err
hz_image_list(struct hz *hz, const char *selector, struct hz_image *out,
    size_t max, size_t *n, struct prov_err *e)
{
	struct buf	 q = { 0 };
	enum och_err	 rc;

	buf_puts(&q, "type=snapshot&");
	if (selector != NULL) {
		buf_puts(&q, "label_selector=");
		hcl_escape(&q, selector);
		buf_putc(&q, '&');
	}
	rc = list_all(hz, "/images", q.data, "images", take_image, out, max, n,
	    e);
	buf_free(&q);
	return rc;
}

enum och_err
hz_image_delete(struct hz *hz, int64_t id, struct prov_err *e)
{
	char		*path;
	enum och_err	 rc;

	path = xasprintf("/images/%" PRId64, id);
	if ((rc = hz_request(hz, "DELETE", path, NULL, 1, NULL, e)) == OCH_OK)
		log_info("hetzner delete_image id=%" PRId64 " corr=%s", id,
		    e->corr_id[0] ? e->corr_id : "-");
	free(path);
	return rc;
}
