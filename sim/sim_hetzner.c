/*
 * sim_hetzner.c: the Hetzner Cloud API (see sim_hetzner.h).  Servers are vms
 * (vm.c); actions and images have their own modules.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "och.h"
#include "log.h"
#include "action.h"
#include "catalog.h"
#include "firewall.h"
#include "sim_hetzner.h"
#include "image.h"
#include "labels.h"
#include "sshkey.h"
#include "util.h"
#include "vm.h"

#define HZ_PER_PAGE		25
#define HZ_PER_PAGE_MAX		50
#define HZ_Q_MAX		16

static double	 bucket = -1;		/* tokens; -1: full at first use */
static double	 bucket_t;		/* monotonic time of last refill */

/* --- common ------------------------------------------------------- */

void
shz_error(struct http_req *r, int status, const char *code,
    const char *message, cJSON *details)
{
	cJSON	*root, *e;

	root = su_jobj();
	e = su_jobj();
	su_jstr(e, "code", code);
	su_jstr(e, "message", message);
	cJSON_AddItemToObject(e, "details", details ? details : su_jobj());
	cJSON_AddItemToObject(root, "error", e);
	http_json(r, status, root);
}

void
shz_invalid(struct http_req *r, const char *field, const char *msg)
{
	cJSON	*d, *fields, *f, *m;
	char	*text;

	d = su_jobj();
	fields = su_jarr();
	f = su_jobj();
	su_jstr(f, "name", field);
	m = su_jarr();
	cJSON_AddItemToArray(m, cJSON_CreateString(msg));
	cJSON_AddItemToObject(f, "messages", m);
	cJSON_AddItemToArray(fields, f);
	cJSON_AddItemToObject(d, "fields", fields);
	text = xasprintf("invalid input in field '%s'", field);
	shz_error(r, 400, "invalid_input", text, d);
	free(text);
}

void
shz_uniqueness(struct http_req *r, const char *field, const char *msg)
{
	cJSON	*d = su_jobj(), *fs = su_jarr(), *f = su_jobj();

	su_jstr(f, "name", field);
	cJSON_AddItemToArray(fs, f);
	cJSON_AddItemToObject(d, "fields", fs);
	shz_error(r, 409, "uniqueness_error", msg, d);
}

void
shz_not_found(struct http_req *r, const char *what)
{
	char	*msg;

	msg = xasprintf("%s not found", what);
	shz_error(r, 404, "not_found", msg, NULL);
	free(msg);
}

cJSON *
shz_body(struct http_req *r)
{
	cJSON	*j;
	size_t	 i;

	for (i = 0; i < r->body.len; i++)
		if (!isspace((unsigned char)r->body.data[i]))
			break;
	if (i == r->body.len)
		return su_jobj();
	j = cJSON_ParseWithLength(r->body.data, r->body.len);
	if (j == NULL) {
		shz_error(r, 400, "json_error", "invalid JSON in request body",
		    NULL);
		return NULL;
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		shz_error(r, 400, "json_error", "request body must be a JSON "
		    "object", NULL);
		return NULL;
	}
	return j;
}

int
shz_id(struct http_req *r, int n, int64_t *id)
{
	if (su_parse_id(http_param(r, n), id) == -1 || *id == 0) {
		shz_invalid(r, "id", "must be a positive integer");
		return -1;
	}
	return 0;
}

/* Parse a positive long; -1 on bad input. */
static int
parse_pos(const char *s, long *out)
{
	int64_t	 v;

	if (su_parse_id(s, &v) == -1 || v < 1 || v > 1000000000)
		return -1;
	*out = (long)v;
	return 0;
}

int
shz_paging(struct http_req *r, struct shz_page *pg)
{
	const char	*p, *pp;

	memset(pg, 0, sizeof(*pg));
	pg->page = 1;
	pg->per_page = HZ_PER_PAGE;
	if ((p = http_query(r, "page")) != NULL &&
	    parse_pos(p, &pg->page) == -1) {
		shz_invalid(r, "page", "must be a positive integer");
		return -1;
	}
	if ((pp = http_query(r, "per_page")) != NULL &&
	    parse_pos(pp, &pg->per_page) == -1) {
		shz_invalid(r, "per_page", "must be a positive integer");
		return -1;
	}
	if (pg->per_page > HZ_PER_PAGE_MAX)
		pg->per_page = HZ_PER_PAGE_MAX;
	return 0;
}

void
shz_page_range(struct shz_page *pg, long total)
{
	pg->total = total;
	pg->first = (pg->page - 1) * pg->per_page;
	if (pg->first > total)
		pg->first = total;
	pg->end = pg->first + pg->per_page;
	if (pg->end > total)
		pg->end = total;
}

/* URL of the same list at another page, for the Link header. */
static char *
page_url(struct http_req *r, long page)
{
	const char	*keys[64], *all[HZ_Q_MAX];
	const char	*host;
	struct buf	 b = { 0 };
	char		*k, *v;
	size_t		 n, i, j, m;

	host = http_header_in(r, "Host");
	buf_printf(&b, "http://%s%s?", host ? host : "127.0.0.1", r->path);
	n = http_query_keys(r, keys, 64);
	for (i = 0; i < n; i++) {
		if (strcmp(keys[i], "page") == 0)
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(keys[j], keys[i]) == 0)
				break;
		if (j < i)
			continue;	/* repeated key: done with the first */
		m = http_query_all(r, keys[i], all, HZ_Q_MAX);
		for (j = 0; j < m; j++) {
			k = su_urlencode(keys[i]);
			v = su_urlencode(all[j]);
			buf_printf(&b, "%s=%s&", k, v);
			free(k);
			free(v);
		}
	}
	buf_printf(&b, "page=%ld", page);
	return buf_detach(&b);
}

void
shz_meta(struct http_req *r, cJSON *root, const struct shz_page *pg)
{
	cJSON		*meta, *p;
	struct buf	 link = { 0 };
	char		*u;
	long		 last;

	last = pg->total == 0 ? 1 : (pg->total + pg->per_page - 1) /
	    pg->per_page;
	meta = su_jobj();
	p = su_jobj();
	su_jnum(p, "page", pg->page);
	su_jnum(p, "per_page", pg->per_page);
	if (pg->page > 1)
		su_jnum(p, "previous_page", pg->page - 1 > last ? last :
		    pg->page - 1);
	else
		su_jnull(p, "previous_page");
	if (pg->page < last)
		su_jnum(p, "next_page", pg->page + 1);
	else
		su_jnull(p, "next_page");
	su_jnum(p, "last_page", last);
	su_jnum(p, "total_entries", pg->total);
	cJSON_AddItemToObject(meta, "pagination", p);
	cJSON_AddItemToObject(root, "meta", meta);
	if (pg->page > 1) {
		u = page_url(r, pg->page - 1 > last ? last : pg->page - 1);
		buf_printf(&link, "<%s>; rel=\"prev\"", u);
		free(u);
	}
	if (pg->page < last) {
		u = page_url(r, pg->page + 1);
		buf_printf(&link, "%s<%s>; rel=\"next\"", link.len ? ", " : "",
		    u);
		free(u);
	}
	u = page_url(r, last);
	buf_printf(&link, "%s<%s>; rel=\"last\"", link.len ? ", " : "", u);
	free(u);
	http_set_header(r, "Link", link.data);
	buf_free(&link);
}

int
shz_sort(struct http_req *r, const char *const *fields, int *keys, int *desc,
    int max)
{
	const char	*v[HZ_Q_MAX];
	size_t		 n, i, len;
	const char	*colon;
	int		 k, out = 0;

	n = http_query_all(r, "sort", v, HZ_Q_MAX);
	for (i = 0; i < n && out < max; i++) {
		colon = strchr(v[i], ':');
		len = colon ? (size_t)(colon - v[i]) : strlen(v[i]);
		for (k = 0; fields[k] != NULL; k++)
			if (strlen(fields[k]) == len &&
			    strncmp(fields[k], v[i], len) == 0)
				break;
		if (fields[k] == NULL || (colon && strcmp(colon, ":asc") &&
		    strcmp(colon, ":desc"))) {
			shz_invalid(r, "sort", "invalid sort parameter");
			return -1;
		}
		keys[out] = k;
		desc[out] = colon && strcmp(colon, ":desc") == 0;
		out++;
	}
	return out;
}

/* --- service front ------------------------------------------------ */

void
shz_ratelimit_set(double limit, double remaining)
{
	if (limit > 0)
		su_cfg.rate_limit = limit;
	bucket = remaining < 0 ? su_cfg.rate_limit :
	    fmin(remaining, su_cfg.rate_limit);
	bucket_t = su_mono();
}

static void
refill(void)
{
	double	 now;

	now = su_mono();
	if (bucket < 0)
		bucket = su_cfg.rate_limit;
	else
		bucket = fmin(su_cfg.rate_limit, bucket + (now - bucket_t) *
		    su_cfg.rate_limit / 3600.0);
	bucket_t = now;
}

cJSON *
shz_ratelimit_json(void)
{
	cJSON	*o;

	refill();
	o = su_jobj();
	su_jnum(o, "limit", su_cfg.rate_limit);
	su_jnum(o, "remaining", floor(bucket));
	return o;
}

static void
rl_headers(struct http_req *r)
{
	char	 v[32];
	double	 reset;

	snprintf(v, sizeof(v), "%.0f", su_cfg.rate_limit);
	http_set_header(r, "RateLimit-Limit", v);
	snprintf(v, sizeof(v), "%.0f", floor(bucket));
	http_set_header(r, "RateLimit-Remaining", v);
	reset = floor(su_wall()) + ceil((su_cfg.rate_limit - bucket) *
	    3600.0 / su_cfg.rate_limit);
	snprintf(v, sizeof(v), "%.0f", reset);
	http_set_header(r, "RateLimit-Reset", v);
}

static int
front(struct http_req *r)
{
	char	 cid[33];

	su_rand_hex(cid, 16);
	http_set_header(r, "X-Correlation-Id", cid);
	refill();
	if (bucket < 1) {
		rl_headers(r);
		shz_error(r, 429, "rate_limit_exceeded", "limit of requests "
		    "per hour reached", NULL);
		return 0;
	}
	bucket -= 1;
	rl_headers(r);
	return 1;
}

static int
auth(struct http_req *r)
{
	const char	*tok;

	tok = http_bearer(r);
	if (tok != NULL && su_streq_ct(tok, su_cfg.hetzner_token))
		return 1;
	if (tok != NULL && su_cfg.hetzner_ro_token != NULL &&
	    su_streq_ct(tok, su_cfg.hetzner_ro_token)) {
		if (strcmp(r->method, "GET") == 0 ||
		    strcmp(r->method, "HEAD") == 0)
			return 1;
		shz_error(r, 403, "token_readonly", "The token you are using "
		    "is read-only.", NULL);
		return 0;
	}
	shz_error(r, 401, "unauthorized", "unable to authenticate", NULL);
	return 0;
}

static void
fault(struct http_req *r, enum flt_kind k)
{
	switch (k) {
	case FLT_429:
		http_set_header(r, "RateLimit-Remaining", "0");
		shz_error(r, 429, "rate_limit_exceeded", "limit of requests "
		    "per hour reached", NULL);
		break;
	case FLT_502:
		shz_error(r, 502, "bad_gateway", "bad gateway", NULL);
		break;
	case FLT_503:
		shz_error(r, 503, "unavailable", "service temporarily "
		    "unavailable", NULL);
		break;
	case FLT_504:
		shz_error(r, 504, "timeout", "request timed out", NULL);
		break;
	case FLT_LOCKED:
		shz_error(r, 423, "locked", "resource is locked by another "
		    "action", NULL);
		break;
	case FLT_CONFLICT:
		shz_error(r, 409, "conflict", "resource has changed during "
		    "the request, please retry", NULL);
		break;
	case FLT_UNAVAILABLE:
		shz_error(r, 412, "resource_unavailable", "error during "
		    "placement", NULL);
		break;
	default:
		shz_error(r, 500, "server_error", "internal server error",
		    NULL);
		break;
	}
}

static void
nomatch(struct http_req *r, int status)
{
	if (status == 405)
		shz_error(r, 405, "method_not_allowed", "method not allowed",
		    NULL);
	else if (status == 413)
		shz_error(r, 413, "invalid_input", "request body too large",
		    NULL);
	else
		shz_not_found(r, "resource");
}

/* --- servers ------------------------------------------------------ */

cJSON *
shz_server_json(const struct vm *v)
{
	cJSON	*o, *pn, *ip, *p, *img;
	char	 ptr[128];
	double	 age;

	o = su_jobj();
	su_jnum(o, "id", v->id);
	su_jstr(o, "name", v->name);
	su_jstr(o, "status", vm_status_name(v->status));
	su_jtime(o, "created", v->created);
	pn = su_jobj();
	if (v->has_ipv4) {
		ip = su_jobj();
		su_jnum(ip, "id", v->ip4_id);
		su_jstr(ip, "ip", v->ip4s);
		su_jbool(ip, "blocked", 0);
		snprintf(ptr, sizeof(ptr), "static.%u.%u.%u.%u.clients."
		    "your-server.de", v->ip4 & 0xff, (v->ip4 >> 8) & 0xff,
		    (v->ip4 >> 16) & 0xff, v->ip4 >> 24);
		su_jstr(ip, "dns_ptr", ptr);
		cJSON_AddItemToObject(pn, "ipv4", ip);
	} else
		su_jnull(pn, "ipv4");
	if (v->has_ipv6) {
		ip = su_jobj();
		su_jnum(ip, "id", v->ip6_id);
		su_jstr(ip, "ip", v->ip6net);
		su_jbool(ip, "blocked", 0);
		cJSON_AddItemToObject(ip, "dns_ptr", su_jarr());
		cJSON_AddItemToObject(pn, "ipv6", ip);
	} else
		su_jnull(pn, "ipv6");
	cJSON_AddItemToObject(pn, "floating_ips", su_jarr());
	cJSON_AddItemToObject(pn, "firewalls", fw_server_json(v));
	cJSON_AddItemToObject(o, "public_net", pn);
	cJSON_AddItemToObject(o, "private_net", su_jarr());
	cJSON_AddItemToObject(o, "server_type", cat_type_json(v->type));
	cJSON_AddItemToObject(o, "location", cat_loc_json(v->loc));
	if ((img = img_json_id(v->image_id)) != NULL)
		cJSON_AddItemToObject(o, "image", img);
	else
		su_jnull(o, "image");
	su_jnull(o, "iso");
	su_jbool(o, "rescue_enabled", 0);
	su_jbool(o, "locked", act_server_busy(v->id));
	if (v->backups)
		su_jstr(o, "backup_window", "22-02");
	else
		su_jnull(o, "backup_window");
	age = su_wall() - v->created;
	su_jnum(o, "outgoing_traffic", floor(age * 6500));
	su_jnum(o, "ingoing_traffic", floor(age * 18000));
	su_jnum(o, "included_traffic", v->loc->traffic_tb * 1099511627776.0);
	p = su_jobj();
	su_jbool(p, "delete", v->protect_delete);
	su_jbool(p, "rebuild", v->protect_rebuild);
	cJSON_AddItemToObject(o, "protection", p);
	cJSON_AddItemToObject(o, "labels", cJSON_Duplicate(v->labels, 1));
	cJSON_AddItemToObject(o, "volumes", su_jarr());
	cJSON_AddItemToObject(o, "load_balancers", su_jarr());
	su_jnum(o, "primary_disk_size", v->disk);
	su_jnull(o, "placement_group");
	return o;
}

/* Look a server up by the {id} parameter; NULL after answering. */
struct vm *
shz_server_param(struct http_req *r)
{
	struct vm	*v;
	int64_t		 id;

	if (shz_id(r, 0, &id) == -1)
		return NULL;
	if ((v = vm_find(id)) == NULL)
		shz_not_found(r, "server");
	return v;
}

static cJSON *
server_item_json(const void *v)
{
	return shz_server_json(v);
}

static void
servers_list(struct http_req *r)
{
	const char	*st[HZ_Q_MAX];
	struct shz_item	*it;
	struct vm	*v;
	size_t		 nst, n = 0, i;
	int		 s;

	nst = http_query_all(r, "status", st, HZ_Q_MAX);
	for (i = 0; i < nst; i++) {
		for (s = 0; s < VM__MAX; s++)
			if (strcmp(st[i], vm_status_name(s)) == 0)
				break;
		if (s == VM__MAX) {
			shz_invalid(r, "status", "invalid status");
			return;
		}
	}
	it = xcalloc(vm_count() + 1, sizeof(*it));
	for (v = vm_first(); v != NULL; v = v->next) {
		for (i = 0; i < nst; i++)
			if (strcmp(st[i], vm_status_name(v->status)) == 0)
				break;
		if (nst == 0 || i < nst)
			it[n++] = (struct shz_item){ v->id, v->name,
			    v->created, v->labels, v };
	}
	shz_list(r, "servers", it, n, server_item_json);
	free(it);
}

/* 1 when s is an RFC 1123 hostname. */
static int
hostname_ok(const char *s)
{
	size_t	 n, lab = 0, i;

	n = strlen(s);
	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (lab == 0 || s[i - 1] == '-')
				return 0;
			lab = 0;
			continue;
		}
		if (!(isalnum((unsigned char)s[i]) || s[i] == '-'))
			return 0;
		if (lab == 0 && s[i] == '-')
			return 0;
		if (++lab > 63)
			return 0;
	}
	return lab > 0 && s[n - 1] != '-';
}

static const char *
type_name(const cJSON *j)
{
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsArray(j))
		return "an array";
	return "an object";
}

cJSON *
shz_field(struct http_req *r, cJSON *body, const char *name, int kind,
    int required, int *bad)
{
	cJSON	*j;
	char	*msg;
	int	 ok;

	if (*bad)
		return NULL;
	j = cJSON_GetObjectItemCaseSensitive(body, name);
	if (j == NULL) {
		if (required) {
			shz_invalid(r, name, "is missing");
			*bad = 1;
		}
		return NULL;
	}
	switch (kind) {
	case 's':
		ok = cJSON_IsString(j);
		break;
	case 'b':
		ok = cJSON_IsBool(j);
		break;
	case 'o':
		ok = cJSON_IsObject(j);
		break;
	case 'a':
		ok = cJSON_IsArray(j);
		break;
	case 'n':
		ok = cJSON_IsString(j) || (cJSON_IsNumber(j) &&
		    j->valuedouble >= 1 && j->valuedouble == floor(
		    j->valuedouble));
		break;
	default:
		ok = cJSON_IsNumber(j) && j->valuedouble ==
		    floor(j->valuedouble);
		break;
	}
	if (!ok) {
		msg = xasprintf("is %s, expected %s", type_name(j),
		    kind == 's' ? "a string" : kind == 'b' ? "a boolean" :
		    kind == 'o' ? "an object" : kind == 'a' ? "an array" :
		    kind == 'n' ? "an ID or a name" : "an integer");
		shz_invalid(r, name, msg);
		free(msg);
		*bad = 1;
		return NULL;
	}
	return j;
}

const char *
shz_idname(const cJSON *j, char *buf, size_t len)
{
	if (cJSON_IsString(j))
		return j->valuestring;
	snprintf(buf, len, "%.0f", j->valuedouble);
	return buf;
}

static void
create_done(struct act *a, int64_t sid, int64_t start)
{
	struct vm	*v;

	if ((v = vm_find(sid)) == NULL)
		return;
	if (a->fail || !start)
		v->status = VM_OFF;
	else
		vm_power_on(v);
}

void
shz_root_password(cJSON *o, int ssh_keys)
{
	char	 pw[21];
	size_t	 i;
	static const char set[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQR"
	    "STUVWXYZ23456789";

	if (ssh_keys) {
		su_jnull(o, "root_password");
		return;
	}
	for (i = 0; i < 20; i++)
		pw[i] = set[su_id_rand() % (sizeof(set) - 1)];
	pw[20] = '\0';
	su_jstr(o, "root_password", pw);
}

static void
server_create(struct http_req *r)
{
	cJSON			*body, *name, *st, *image, *loc, *dc, *ud;
	cJSON			*labels, *keys, *start, *pn, *e, *root, *na;
	cJSON			*vols, *nets, *fws, *pg, *kl = NULL, *k;
	const struct cat_type	*t;
	const struct cat_loc	*l;
	const char		*err, *imgs;
	struct act		*ca, *sa;
	struct vm		*v;
	char			 num[32], *msg;
	int64_t			 image_id;
	int			 bad = 0, rc, ip4 = 1, ip6 = 1, doit;
	size_t			 i;

	if ((body = shz_body(r)) == NULL)
		return;
	name = shz_field(r, body, "name", 's', 1, &bad);
	st = shz_field(r, body, "server_type", 'n', 1, &bad);
	image = shz_field(r, body, "image", 'n', 1, &bad);
	loc = shz_field(r, body, "location", 'n', 0, &bad);
	dc = shz_field(r, body, "datacenter", 's', 0, &bad);
	ud = shz_field(r, body, "user_data", 's', 0, &bad);
	labels = shz_field(r, body, "labels", 'o', 0, &bad);
	keys = shz_field(r, body, "ssh_keys", 'a', 0, &bad);
	start = shz_field(r, body, "start_after_create", 'b', 0, &bad);
	shz_field(r, body, "automount", 'b', 0, &bad);
	vols = shz_field(r, body, "volumes", 'a', 0, &bad);
	nets = shz_field(r, body, "networks", 'a', 0, &bad);
	fws = shz_field(r, body, "firewalls", 'a', 0, &bad);
	pg = shz_field(r, body, "placement_group", 'i', 0, &bad);
	pn = shz_field(r, body, "public_net", 'o', 0, &bad);
	if (bad)
		goto out;
	if (!hostname_ok(name->valuestring)) {
		shz_invalid(r, "name", "must be a valid hostname (RFC 1123)");
		goto out;
	}
	if (dc != NULL) {
		shz_invalid(r, "datacenter", "is not supported anymore, use "
		    "location");
		goto out;
	}
	if (ud != NULL && strlen(ud->valuestring) > HZ_USER_DATA_MAX) {
		shz_invalid(r, "user_data", "is too long (maximum is 32KiB)");
		goto out;
	}
	if (labels != NULL && !lbl_valid(labels, &err)) {
		shz_invalid(r, "labels", err);
		goto out;
	}
	kl = su_jarr();
	cJSON_ArrayForEach(e, keys) {
		if ((k = (cJSON_IsString(e) || cJSON_IsNumber(e)) ? key_ref(
		    shz_idname(e, num, sizeof(num))) : NULL) == NULL) {
			shz_invalid(r, "ssh_keys", "must be IDs or names of "
			    "SSH keys of the project");
			goto out;
		}
		cJSON_AddItemToArray(kl, k);
	}
	if ((vols && cJSON_GetArraySize(vols) > 0) ||
	    (nets && cJSON_GetArraySize(nets) > 0) || pg != NULL) {
		shz_invalid(r, vols && cJSON_GetArraySize(vols) ? "volumes" :
		    nets && cJSON_GetArraySize(nets) ? "networks" :
		    "placement_group", "not found");
		goto out;
	}
	if (fws != NULL && fw_check_create(r, fws) == -1)
		goto out;
	if (pn != NULL) {
		cJSON	*a = cJSON_GetObjectItemCaseSensitive(pn,
		    "enable_ipv4");
		cJSON	*b = cJSON_GetObjectItemCaseSensitive(pn,
		    "enable_ipv6");
		cJSON	*c = cJSON_GetObjectItemCaseSensitive(pn, "ipv4");
		cJSON	*d = cJSON_GetObjectItemCaseSensitive(pn, "ipv6");

		if ((a && !cJSON_IsBool(a)) || (b && !cJSON_IsBool(b))) {
			shz_invalid(r, "public_net", "enable flags must be "
			    "booleans");
			goto out;
		}
		if ((c && !cJSON_IsNull(c)) || (d && !cJSON_IsNull(d))) {
			shz_invalid(r, "public_net", "primary IP not found");
			goto out;
		}
		ip4 = a == NULL || cJSON_IsTrue(a);
		ip6 = b == NULL || cJSON_IsTrue(b);
	}
	imgs = shz_idname(st, num, sizeof(num));
	if ((t = cat_type_find(imgs)) == NULL) {
		msg = xasprintf("server type '%.64s' not found", imgs);
		shz_error(r, 400, "invalid_input", msg, NULL);
		free(msg);
		goto out;
	}
	if (loc != NULL && (l = cat_loc_find(imgs = shz_idname(loc, num,
	    sizeof(num)))) == NULL) {
		msg = xasprintf("location '%.64s' not found", imgs);
		shz_error(r, 400, "invalid_input", msg, NULL);
		free(msg);
		goto out;
	}
	if (loc == NULL)
		for (i = 0; (l = cat_loc_at(i)) != NULL; i++)
			if (cat_type_in(t, l))
				break;
	if (l == NULL || !cat_type_in(t, l)) {
		shz_error(r, 400, "invalid_input", "unsupported location for "
		    "server type", NULL);
		goto out;
	}
	imgs = shz_idname(image, num, sizeof(num));
	if ((rc = img_resolve(imgs, t->arch, &image_id)) != 0) {
		msg = rc == -2 ? xasprintf("image '%.64s' does not support "
		    "the architecture of the server type", imgs) :
		    rc == -3 ? xasprintf("image '%.64s' is not available", imgs)
		    : xasprintf("image '%.64s' not found", imgs);
		shz_error(r, 400, "invalid_input", msg, NULL);
		free(msg);
		goto out;
	}
	if (vm_find_name(name->valuestring) != NULL) {
		shz_uniqueness(r, "name", "server name is already used");
		goto out;
	}
	if ((int)vm_count() >= su_cfg.server_limit) {
		cJSON	*d = su_jobj(), *ls = su_jarr(), *f = su_jobj();

		su_jstr(f, "name", "server_limit");
		cJSON_AddItemToArray(ls, f);
		cJSON_AddItemToObject(d, "limits", ls);
		shz_error(r, 403, "resource_limit_exceeded", "server limit "
		    "exceeded for this project", d);
		goto out;
	}
	if ((v = vm_new(name->valuestring, t, l, image_id, ud ?
	    ud->valuestring : NULL)) == NULL) {
		shz_error(r, 412, "resource_unavailable", "no free simulated "
		    "address", NULL);
		goto out;
	}
	if (labels != NULL) {
		cJSON_Delete(v->labels);
		v->labels = cJSON_Duplicate(labels, 1);
	}
	v->has_ipv4 = ip4;
	v->has_ipv6 = ip6;
	v->ssh_keys = cJSON_GetArraySize(kl) > 0;
	v->keys = kl;
	kl = NULL;
	fw_apply_create(fws, v->id);
	doit = start == NULL || cJSON_IsTrue(start);
	ca = act_start("create_server", vm_create_delay(v->image_id), v->id,
	    create_done, doit);
	if (r->fault.kind == FLT_ACTION_ERROR)
		act_set_fail(ca);
	root = su_jobj();
	cJSON_AddItemToObject(root, "server", shz_server_json(v));
	cJSON_AddItemToObject(root, "action", act_json(ca));
	na = su_jarr();
	if (doit) {
		sa = act_start("start_server", vm_create_delay(v->image_id), v->id,
		    NULL, 0);
		if (r->fault.kind == FLT_ACTION_ERROR)
			act_set_fail(sa);
		cJSON_AddItemToArray(na, act_json(sa));
	}
	cJSON_AddItemToObject(root, "next_actions", na);
	shz_root_password(root, v->ssh_keys);
	log_info("server %lld '%s' created (%s, %s, %s)", (long long)v->id,
	    v->name, t->name, l->name, v->ip4s);
	http_json(r, 201, root);
out:
	cJSON_Delete(kl);
	cJSON_Delete(body);
}

static void
server_get(struct http_req *r)
{
	struct vm	*v;
	cJSON		*root;

	if ((v = shz_server_param(r)) == NULL)
		return;
	root = su_jobj();
	cJSON_AddItemToObject(root, "server", shz_server_json(v));
	http_json(r, 200, root);
}

static void
server_update(struct http_req *r)
{
	struct vm	*v, *o;
	cJSON		*body, *name, *labels, *root;
	const char	*err;
	int		 bad = 0;

	if ((v = shz_server_param(r)) == NULL || (body = shz_body(r)) == NULL)
		return;
	name = shz_field(r, body, "name", 's', 0, &bad);
	labels = shz_field(r, body, "labels", 'o', 0, &bad);
	if (bad)
		goto out;
	if (name != NULL && !hostname_ok(name->valuestring)) {
		shz_invalid(r, "name", "must be a valid hostname (RFC 1123)");
		goto out;
	}
	if (name != NULL && (o = vm_find_name(name->valuestring)) != NULL &&
	    o != v) {
		shz_uniqueness(r, "name", "server name is already used");
		goto out;
	}
	if (labels != NULL && !lbl_valid(labels, &err)) {
		shz_invalid(r, "labels", err);
		goto out;
	}
	if (name != NULL) {
		free(v->name);
		v->name = xstrdup(name->valuestring);
	}
	if (labels != NULL) {
		cJSON_Delete(v->labels);
		v->labels = cJSON_Duplicate(labels, 1);
	}
	root = su_jobj();
	cJSON_AddItemToObject(root, "server", shz_server_json(v));
	http_json(r, 200, root);
out:
	cJSON_Delete(body);
}

/*
 * DELETE: Hetzner removes the server from the project at once (404, name
 * free, firewalls detached, its backups gone); the delete_server action
 * only records it.
 */
static void
server_delete(struct http_req *r)
{
	struct vm	*v;
	struct act	*a;
	cJSON		*root;

	if ((v = shz_server_param(r)) == NULL)
		return;
	if (v->protect_delete) {
		shz_error(r, 423, "protected", "server is protected", NULL);
		return;
	}
	act_server_gone(v->id);
	a = act_start("delete_server", su_cfg.action_delay, v->id, NULL, 0);
	log_info("server %lld deleted", (long long)v->id);
	img_drop_backups(v->id);
	fw_server_gone(v);
	vm_delete(v);
	root = su_jobj();
	cJSON_AddItemToObject(root, "action", act_json(a));
	http_json(r, 200, root);
}

/* --- metrics ------------------------------------------------------ */

static void
series(cJSON *ts, const char *name, double start, double end, long step,
    double base, double amp, double period, int64_t seed)
{
	cJSON	*o, *vals, *pt;
	char	 num[32];
	double	 t, v;

	o = su_jobj();
	vals = su_jarr();
	for (t = start; t <= end + 1e-6; t += step) {
		v = base + amp * sin(t / period + (double)(seed % 13));
		if (v < 0)
			v = 0;
		pt = su_jarr();
		cJSON_AddItemToArray(pt, cJSON_CreateNumber(t));
		snprintf(num, sizeof(num), "%.3f", v);
		cJSON_AddItemToArray(pt, cJSON_CreateString(num));
		cJSON_AddItemToArray(vals, pt);
	}
	cJSON_AddItemToObject(o, "values", vals);
	cJSON_AddItemToObject(ts, name, o);
}

static void
server_metrics(struct http_req *r)
{
	const char	*types[HZ_Q_MAX], *s, *e, *st;
	struct vm	*v;
	cJSON		*root, *m, *ts;
	double		 start, end;
	long		 step = 0;
	size_t		 n, i;
	int		 want[3] = { 0, 0, 0 };
	char		*copy, *tok, *save;

	if ((v = shz_server_param(r)) == NULL)
		return;
	n = http_query_all(r, "type", types, HZ_Q_MAX);
	if (n == 0) {
		shz_invalid(r, "type", "is missing");
		return;
	}
	for (i = 0; i < n; i++) {
		copy = xstrdup(types[i]);
		for (tok = strtok_r(copy, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			if (strcmp(tok, "cpu") == 0)
				want[0] = 1;
			else if (strcmp(tok, "disk") == 0)
				want[1] = 1;
			else if (strcmp(tok, "network") == 0)
				want[2] = 1;
			else {
				free(copy);
				shz_invalid(r, "type", "must be cpu, disk or "
				    "network");
				return;
			}
		}
		free(copy);
	}
	s = http_query(r, "start");
	e = http_query(r, "end");
	if (s == NULL || su_parse_rfc3339(s, &start) == -1) {
		shz_invalid(r, "start", s ? "must be an RFC 3339 time" :
		    "is missing");
		return;
	}
	if (e == NULL || su_parse_rfc3339(e, &end) == -1) {
		shz_invalid(r, "end", e ? "must be an RFC 3339 time" :
		    "is missing");
		return;
	}
	if (end < start) {
		shz_invalid(r, "end", "must not be before start");
		return;
	}
	if ((st = http_query(r, "step")) != NULL &&
	    parse_pos(st, &step) == -1) {
		shz_invalid(r, "step", "must be a positive integer");
		return;
	}
	start = floor(start);
	end = floor(end);
	if (step == 0)
		step = (long)ceil((end - start) / 200.0);
	if (step < 1)
		step = 1;
	if ((end - start) / step > 499)
		step = (long)ceil((end - start) / 499.0);
	root = su_jobj();
	m = su_jobj();
	su_jtime(m, "start", start);
	su_jtime(m, "end", end);
	su_jnum(m, "step", step);
	ts = su_jobj();
	if (want[0])
		series(ts, "cpu", start, end, step, 12, 8, 600, v->id);
	if (want[1]) {
		series(ts, "disk.0.iops.read", start, end, step, 3, 2, 300,
		    v->id);
		series(ts, "disk.0.iops.write", start, end, step, 25, 10, 200,
		    v->id);
		series(ts, "disk.0.bandwidth.read", start, end, step, 12288,
		    8000, 300, v->id);
		series(ts, "disk.0.bandwidth.write", start, end, step, 102400,
		    40000, 200, v->id);
	}
	if (want[2]) {
		series(ts, "network.0.pps.in", start, end, step, 26, 10, 240,
		    v->id);
		series(ts, "network.0.pps.out", start, end, step, 13, 5, 180,
		    v->id);
		series(ts, "network.0.bandwidth.in", start, end, step, 18000,
		    9000, 240, v->id);
		series(ts, "network.0.bandwidth.out", start, end, step, 6500,
		    3000, 180, v->id);
	}
	cJSON_AddItemToObject(m, "time_series", ts);
	cJSON_AddItemToObject(root, "metrics", m);
	http_json(r, 200, root);
}

/* --- catalogue routes --------------------------------------------- */

static void
types_list(struct http_req *r)
{
	const struct cat_type	*t;
	const char		*name;
	struct shz_page		 pg;
	cJSON			*root, *arr;
	const struct cat_type	*sel[64];
	long			 n = 0, k;
	size_t			 i;

	if (shz_paging(r, &pg) == -1)
		return;
	name = http_query(r, "name");
	for (i = 0; (t = cat_type_at(i)) != NULL && n < 64; i++)
		if (name == NULL || strcmp(name, t->name) == 0)
			sel[n++] = t;
	shz_page_range(&pg, n);
	root = su_jobj();
	arr = su_jarr();
	for (k = pg.first; k < pg.end; k++)
		cJSON_AddItemToArray(arr, cat_type_json(sel[k]));
	cJSON_AddItemToObject(root, "server_types", arr);
	shz_meta(r, root, &pg);
	http_json(r, 200, root);
}

static void
type_get(struct http_req *r)
{
	const struct cat_type	*t;
	cJSON			*root;
	int64_t			 id;

	if (shz_id(r, 0, &id) == -1)
		return;
	if ((t = cat_type_find(http_param(r, 0))) == NULL) {
		shz_not_found(r, "server type");
		return;
	}
	root = su_jobj();
	cJSON_AddItemToObject(root, "server_type", cat_type_json(t));
	http_json(r, 200, root);
}

static void
locs_list(struct http_req *r)
{
	const struct cat_loc	*l;
	const char		*name;
	struct shz_page		 pg;
	cJSON			*root, *arr;
	const struct cat_loc	*sel[64];
	long			 n = 0, k;
	size_t			 i;

	if (shz_paging(r, &pg) == -1)
		return;
	name = http_query(r, "name");
	for (i = 0; (l = cat_loc_at(i)) != NULL && n < 64; i++)
		if (name == NULL || strcmp(name, l->name) == 0)
			sel[n++] = l;
	shz_page_range(&pg, n);
	root = su_jobj();
	arr = su_jarr();
	for (k = pg.first; k < pg.end; k++)
		cJSON_AddItemToArray(arr, cat_loc_json(sel[k]));
	cJSON_AddItemToObject(root, "locations", arr);
	shz_meta(r, root, &pg);
	http_json(r, 200, root);
}

static void
loc_get(struct http_req *r)
{
	const struct cat_loc	*l;
	cJSON			*root;
	int64_t			 id;

	if (shz_id(r, 0, &id) == -1)
		return;
	if ((l = cat_loc_find(http_param(r, 0))) == NULL) {
		shz_not_found(r, "location");
		return;
	}
	root = su_jobj();
	cJSON_AddItemToObject(root, "location", cat_loc_json(l));
	http_json(r, 200, root);
}

static void
datacenters(struct http_req *r)
{
	cJSON	*d = su_jobj();

	su_jstr(d, "announcement", "https://docs.hetzner.cloud/changelog#"
	    "2025-12-16-phasing-out-datacenters");
	shz_error(r, 410, "deprecated_api_endpoint", "datacenters are not "
	    "available anymore, use locations", d);
}

void
shz_reset(void)
{
	act_clear();
	vm_delete_all();
	img_clear();
	key_reset();
	fw_reset();
	bucket = -1;
}

static const struct http_route routes[] = {
	{ "GET", "/servers", servers_list },
	{ "POST", "/servers", server_create },
	{ "GET", "/servers/{id}", server_get },
	{ "PUT", "/servers/{id}", server_update },
	{ "DELETE", "/servers/{id}", server_delete },
	{ "GET", "/servers/{id}/actions", act_server_list },
	{ "POST", "/servers/{id}/actions/poweron", shz_server_action },
	{ "POST", "/servers/{id}/actions/poweroff", shz_server_action },
	{ "POST", "/servers/{id}/actions/shutdown", shz_server_action },
	{ "POST", "/servers/{id}/actions/reboot", shz_server_action },
	{ "POST", "/servers/{id}/actions/reset", shz_server_action },
	{ "POST", "/servers/{id}/actions/rebuild", shz_server_action },
	{ "POST", "/servers/{id}/actions/change_type", shz_server_action },
	{ "POST", "/servers/{id}/actions/create_image", shz_server_action },
	{ "POST", "/servers/{id}/actions/enable_backup", shz_server_action },
	{ "POST", "/servers/{id}/actions/disable_backup", shz_server_action },
	{ "GET", "/servers/{id}/actions/{action_id}", act_server_get },
	{ "GET", "/servers/{id}/metrics", server_metrics },
	{ "GET", "/actions", act_list },
	{ "GET", "/actions/{id}", act_get },
	{ "GET", "/images", img_list },
	{ "GET", "/images/{id}", img_get },
	{ "PUT", "/images/{id}", img_update },
	{ "DELETE", "/images/{id}", img_delete },
	{ "GET", "/ssh_keys", key_list },
	{ "POST", "/ssh_keys", key_create },
	{ "GET", "/ssh_keys/{id}", key_get },
	{ "PUT", "/ssh_keys/{id}", key_update },
	{ "DELETE", "/ssh_keys/{id}", key_delete },
	{ "GET", "/firewalls", fw_list },
	{ "POST", "/firewalls", fw_create },
	{ "GET", "/firewalls/{id}", fw_get },
	{ "PUT", "/firewalls/{id}", fw_update },
	{ "DELETE", "/firewalls/{id}", fw_delete },
	{ "POST", "/firewalls/{id}/actions/apply_to_resources", fw_action },
	{ "POST", "/firewalls/{id}/actions/remove_from_resources", fw_action },
	{ "POST", "/firewalls/{id}/actions/set_rules", fw_action },
	{ "GET", "/server_types", types_list },
	{ "GET", "/server_types/{id}", type_get },
	{ "GET", "/locations", locs_list },
	{ "GET", "/locations/{id}", loc_get },
	{ "GET", "/datacenters", datacenters },
	{ "GET", "/datacenters/{id}", datacenters },
};

const struct http_svc shz_svc = {
	"hetzner", "/hetzner/v1", routes, OCH_NELEM(routes), 1,
	front, auth, fault, nomatch,
};
