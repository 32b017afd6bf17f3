/*
 * sim_cloudflare.c: Cloudflare DNS records (see sim_cloudflare.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "och.h"
#include "log.h"
#include "cfenv.h"
#include "sim_cloudflare.h"
#include "util.h"

#define CF_PER_PAGE	100

struct rec {
	char		 id[33];
	char		*name;
	char		*type;
	char		*content;
	int		 ttl;
	int		 proxied;
	int		 priority;	/* MX; -1 when not set */
	char		*comment;
	cJSON		*tags;
	double		 created, modified;
	struct rec	*next;
};

static struct rec	*recs;
static size_t		 nrecs;
static double		 win_start, locked_until;
static long		 win_count;

static const char *const types[] = {
	"A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SRV", "TXT"
};

/* --- front -------------------------------------------------------- */

void
scf_ratelimit_set(double limit, double window)
{
	if (limit > 0)
		su_cfg.scf_limit = limit;
	if (window > 0)
		su_cfg.scf_window = window;
	win_start = su_mono();
	win_count = 0;
	locked_until = 0;
}

cJSON *
scf_ratelimit_json(void)
{
	cJSON	*o;

	o = su_jobj();
	su_jnum(o, "limit", su_cfg.scf_limit);
	su_jnum(o, "window", su_cfg.scf_window);
	su_jnum(o, "used", win_count);
	su_jbool(o, "locked", locked_until > su_mono());
	return o;
}

static int
front(struct http_req *r)
{
	char	 v[96], ray[17];
	double	 now, reset;
	long	 left;

	su_rand_hex(ray, 8);
	snprintf(v, sizeof(v), "%s-FRA", ray);
	http_set_header(r, "CF-RAY", v);
	now = su_mono();
	if (win_start == 0 || now - win_start >= su_cfg.scf_window) {
		win_start = now;
		win_count = 0;
	}
	if (locked_until <= now && win_count >= (long)su_cfg.scf_limit)
		locked_until = now + su_cfg.scf_window;
	reset = locked_until > now ? locked_until - now :
	    win_start + su_cfg.scf_window - now;
	left = locked_until > now ? 0 : (long)su_cfg.scf_limit - win_count - 1;
	snprintf(v, sizeof(v), "\"default\";r=%ld;t=%.0f", left < 0 ? 0 : left,
	    ceil(reset));
	http_set_header(r, "Ratelimit", v);
	snprintf(v, sizeof(v), "\"burst\";q=%.0f;w=%.0f", su_cfg.scf_limit,
	    su_cfg.scf_window);
	http_set_header(r, "Ratelimit-Policy", v);
	if (locked_until > now) {
		snprintf(v, sizeof(v), "%.0f", ceil(locked_until - now));
		http_set_header(r, "Retry-After", v);
		scf_fail(r, 429, 971, "Please wait and consider throttling your "
		    "request speed");
		return 0;
	}
	win_count++;
	return 1;
}

static int
auth(struct http_req *r)
{
	const char	*tok;

	if ((tok = http_bearer(r)) == NULL) {
		cJSON	*root, *errs, *e, *chain;

		/* 6003 with the reason chained, as Cloudflare does */
		root = su_jobj();
		su_jnull(root, "result");
		su_jbool(root, "success", 0);
		errs = su_jarr();
		e = scf_msg(6003, "Invalid request headers");
		chain = su_jarr();
		cJSON_AddItemToArray(chain, scf_msg(6111, "Invalid format for "
		    "Authorization header"));
		cJSON_AddItemToObject(e, "error_chain", chain);
		cJSON_AddItemToArray(errs, e);
		cJSON_AddItemToObject(root, "errors", errs);
		cJSON_AddItemToObject(root, "messages", su_jarr());
		http_json(r, 400, root);
		return 0;
	}
	if (!su_streq_ct(tok, su_cfg.cloudflare_token)) {
		scf_fail(r, 403, 10000, "Authentication error");
		return 0;
	}
	return 1;
}

static void
fault(struct http_req *r, enum flt_kind k)
{
	switch (k) {
	case FLT_429:
		http_set_header(r, "Retry-After", "1");
		scf_fail(r, 429, 971, "Please wait and consider throttling your "
		    "request speed");
		break;
	case FLT_502:
		scf_fail(r, 502, 10000, "Bad gateway");
		break;
	case FLT_503:
		scf_fail(r, 503, 10000, "Service unavailable");
		break;
	case FLT_504:
		scf_fail(r, 504, 10000, "Gateway timeout");
		break;
	default:
		scf_fail(r, 500, 10000, "Internal server error");
		break;
	}
}

static void
nomatch(struct http_req *r, int status)
{
	if (status == 413)
		scf_fail(r, 413, 9207, "Request body is too large");
	else if (status == 405)
		scf_fail(r, 405, 10000, "Method not allowed for this "
		    "authentication scheme");
	else
		scf_fail2(r, 404, 7003, "Could not route to the requested "
		    "resource, perhaps your object identifier is invalid?",
		    7000, "No route for that URI");
}

/* --- zone --------------------------------------------------------- */

static int
hex32(const char *s)
{
	size_t	 i;

	for (i = 0; i < 32; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[32] == '\0';
}

/* 1 when the {zone} parameter is ours, else answered. */
static int
zone_ok(struct http_req *r)
{
	const char	*z = http_param(r, 0);
	char		*t;

	if (strcmp(z, su_cfg.cloudflare_zone) == 0)
		return 1;
	if (!hex32(z)) {
		t = xasprintf("Could not route to %s, perhaps your object "
		    "identifier is invalid?", r->path);
		scf_fail2(r, 400, 7003, t, 7000, "No route for that URI");
		free(t);
	} else
		scf_fail(r, 403, 9109, "Unauthorized to access requested "
		    "resource");
	return 0;
}

static cJSON *
zone_json(void)
{
	cJSON	*o, *ns;

	o = su_jobj();
	su_jstr(o, "id", su_cfg.cloudflare_zone);
	su_jstr(o, "name", su_cfg.domain);
	su_jstr(o, "status", "active");
	su_jbool(o, "paused", 0);
	su_jstr(o, "type", "full");
	ns = su_jarr();
	cJSON_AddItemToArray(ns, cJSON_CreateString("ada.ns.cloudflare.com"));
	cJSON_AddItemToArray(ns, cJSON_CreateString("bob.ns.cloudflare.com"));
	cJSON_AddItemToObject(o, "name_servers", ns);
	su_jstr(o, "created_on", "2026-01-01T00:00:00.000000Z");
	su_jstr(o, "modified_on", "2026-01-01T00:00:00.000000Z");
	return o;
}

/* The one zone, on page 1 only (the SDK pages until an empty one). */
static void
zones_list(struct http_req *r)
{
	const char	*name;
	cJSON		*arr;
	int64_t		 page, per;
	int		 n;

	if (scf_paging(r, &page, &per, 20, 5, 50) == -1)
		return;
	name = http_query(r, "name");
	n = name == NULL || strcasecmp(name, su_cfg.domain) == 0;
	arr = su_jarr();
	if (n && page == 1)
		cJSON_AddItemToArray(arr, zone_json());
	scf_ok(r, arr, scf_info((long)page, (long)per, cJSON_GetArraySize(arr),
	    n));
}

static void
zone_get(struct http_req *r)
{
	if (zone_ok(r))
		scf_ok(r, zone_json(), NULL);
}

static void
verify(struct http_req *r)
{
	cJSON	*o;

	o = su_jobj();
	su_jstr(o, "id", "ed17574386854bf78a67040be0a770b0");
	su_jstr(o, "status", "active");
	scf_ok_note(r, o, NULL, scf_msg(10000, "This API Token is valid and "
	    "active"));
}

/* --- records ------------------------------------------------------ */

static struct rec *
find(const char *id)
{
	struct rec	*x;

	for (x = recs; x != NULL; x = x->next)
		if (strcmp(x->id, id) == 0)
			return x;
	return NULL;
}

static int
proxiable(const char *type)
{
	return strcmp(type, "A") == 0 || strcmp(type, "AAAA") == 0 ||
	    strcmp(type, "CNAME") == 0;
}

static cJSON *
rec_json(const struct rec *x)
{
	cJSON	*o, *m;
	char	 ts[40];

	o = su_jobj();
	su_jstr(o, "id", x->id);
	su_jstr(o, "zone_id", su_cfg.cloudflare_zone);
	su_jstr(o, "zone_name", su_cfg.domain);
	su_jstr(o, "name", x->name);
	su_jstr(o, "type", x->type);
	su_jstr(o, "content", x->content);
	su_jbool(o, "proxiable", proxiable(x->type));
	su_jbool(o, "proxied", x->proxied);
	su_jnum(o, "ttl", x->ttl);
	if (x->priority >= 0)
		su_jnum(o, "priority", x->priority);
	cJSON_AddItemToObject(o, "settings", su_jobj());
	m = su_jobj();
	su_jbool(m, "auto_added", 0);
	su_jbool(m, "managed_by_apps", 0);
	su_jbool(m, "managed_by_argo_tunnel", 0);
	cJSON_AddItemToObject(o, "meta", m);
	su_jstr_or_null(o, "comment", x->comment);
	cJSON_AddItemToObject(o, "tags", x->tags ? cJSON_Duplicate(x->tags,
	    1) : su_jarr());
	su_rfc3339us(ts, x->created);
	su_jstr(o, "created_on", ts);
	su_rfc3339us(ts, x->modified);
	su_jstr(o, "modified_on", ts);
	return o;
}

cJSON *
scf_records_json(void)
{
	struct rec	*x;
	cJSON		*arr;

	arr = su_jarr();
	for (x = recs; x != NULL; x = x->next)
		cJSON_AddItemToArray(arr, rec_json(x));
	return arr;
}

static void
rec_free(struct rec *x)
{
	free(x->name);
	free(x->type);
	free(x->content);
	free(x->comment);
	cJSON_Delete(x->tags);
	free(x);
}

void
scf_reset(void)
{
	struct rec	*x;

	while ((x = recs) != NULL) {
		recs = x->next;
		rec_free(x);
	}
	nrecs = 0;
	scf_ratelimit_set(0, 0);
}

/*
 * Canonical FQDN of a record name in our zone: lower case, no trailing
 * dot, "@" = apex, relative names get the zone appended.  NULL when the
 * name is not a valid DNS name.
 */
static char *
fqdn(const char *in)
{
	char	*s, *out;
	size_t	 n, i, lab = 0, dl;

	if (strcmp(in, "@") == 0)
		return xstrdup(su_cfg.domain);
	s = xstrdup(in);
	n = strlen(s);
	if (n > 0 && s[n - 1] == '.')
		s[--n] = '\0';
	if (n == 0 || n > 253) {
		free(s);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		s[i] = (char)tolower((unsigned char)s[i]);
		if (s[i] == '.') {
			if (lab == 0) {
				free(s);
				return NULL;
			}
			lab = 0;
		} else if (isalnum((unsigned char)s[i]) || s[i] == '-' ||
		    s[i] == '_' || (s[i] == '*' && i == 0)) {
			if (++lab > 63) {
				free(s);
				return NULL;
			}
		} else {
			free(s);
			return NULL;
		}
	}
	dl = strlen(su_cfg.domain);
	if (strcmp(s, su_cfg.domain) == 0 || (n > dl && s[n - dl - 1] == '.'
	    && strcmp(s + n - dl, su_cfg.domain) == 0))
		return s;
	out = xasprintf("%s.%s", s, su_cfg.domain);
	free(s);
	if (strlen(out) > 253) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * Apply a request body to a record (all fields for create/PUT, present
 * ones for PATCH).  Returns 0, or -1 after answering.
 */
static int
apply(struct http_req *r, cJSON *b, struct rec *x, int full)
{
	cJSON		*type, *name, *content, *ttl, *proxied, *comment;
	cJSON		*tags, *prio, *e;
	char		*n, *t;
	unsigned char	 addr[16];
	size_t		 i;

	type = cJSON_GetObjectItemCaseSensitive(b, "type");
	name = cJSON_GetObjectItemCaseSensitive(b, "name");
	content = cJSON_GetObjectItemCaseSensitive(b, "content");
	ttl = cJSON_GetObjectItemCaseSensitive(b, "ttl");
	proxied = cJSON_GetObjectItemCaseSensitive(b, "proxied");
	comment = cJSON_GetObjectItemCaseSensitive(b, "comment");
	tags = cJSON_GetObjectItemCaseSensitive(b, "tags");
	prio = cJSON_GetObjectItemCaseSensitive(b, "priority");
	if (full && type == NULL) {
		scf_fail(r, 400, 9009, "DNS record type is required");
		return -1;
	}
	if (type != NULL) {
		for (i = 0; i < OCH_NELEM(types); i++)
			if (cJSON_IsString(type) &&
			    strcmp(type->valuestring, types[i]) == 0)
				break;
		if (i == OCH_NELEM(types)) {
			scf_fail(r, 400, 9009, "Unknown or invalid DNS record "
			    "type");
			return -1;
		}
		free(x->type);
		x->type = xstrdup(types[i]);
	}
	if (full && name == NULL) {
		scf_fail(r, 400, 9007, "DNS record name is required");
		return -1;
	}
	if (name != NULL) {
		if (!cJSON_IsString(name) ||
		    (n = fqdn(name->valuestring)) == NULL) {
			scf_fail(r, 400, 9007, "DNS name is invalid");
			return -1;
		}
		free(x->name);
		x->name = n;
	}
	if (full && content == NULL) {
		scf_fail(r, 400, 9005, "DNS record content is required");
		return -1;
	}
	if (content != NULL) {
		if (!cJSON_IsString(content) ||
		    strlen(content->valuestring) > 4096) {
			scf_fail(r, 400, 9005, "Content is invalid");
			return -1;
		}
		free(x->content);
		x->content = xstrdup(content->valuestring);
	}
	if (ttl != NULL) {
		if (!cJSON_IsNumber(ttl) || ttl->valuedouble !=
		    floor(ttl->valuedouble) || !(ttl->valuedouble == 1 ||
		    (ttl->valuedouble >= 60 && ttl->valuedouble <= 86400))) {
			scf_fail(r, 400, 9021, "Invalid TTL. Must be between 60 "
			    "and 86400 seconds, or 1 for Automatic.");
			return -1;
		}
		x->ttl = (int)ttl->valuedouble;
	} else if (full)
		x->ttl = 1;
	if (proxied != NULL) {
		if (!cJSON_IsBool(proxied)) {
			scf_fail(r, 400, 9003, "Invalid 'proxied' value, must "
			    "be a boolean");
			return -1;
		}
		x->proxied = cJSON_IsTrue(proxied);
	} else if (full)
		x->proxied = 0;
	if (comment != NULL) {
		if (!cJSON_IsString(comment) && !cJSON_IsNull(comment)) {
			scf_fail(r, 400, 9101, "comment must be a string");
			return -1;
		}
		if (cJSON_IsString(comment) &&
		    strlen(comment->valuestring) > 100) {
			scf_fail(r, 400, 9102, "DNS record comment is too long "
			    "(100 characters at most)");
			return -1;
		}
		free(x->comment);
		x->comment = cJSON_IsString(comment) ?
		    xstrdup(comment->valuestring) : NULL;
	} else if (full) {
		free(x->comment);
		x->comment = NULL;
	}
	if (tags != NULL) {
		if (!cJSON_IsArray(tags)) {
			scf_fail(r, 400, 9103, "tags must be an array");
			return -1;
		}
		cJSON_ArrayForEach(e, tags)
			if (!cJSON_IsString(e) || strchr(e->valuestring,
			    ':') == NULL) {
				scf_fail(r, 400, 9103, "tags must be name:value "
				    "strings");
				return -1;
			}
		cJSON_Delete(x->tags);
		x->tags = cJSON_Duplicate(tags, 1);
	}
	if (prio != NULL) {
		if (!cJSON_IsNumber(prio) || prio->valuedouble < 0 ||
		    prio->valuedouble > 65535) {
			scf_fail(r, 400, 9004, "priority must be 0..65535");
			return -1;
		}
		x->priority = (int)prio->valuedouble;
	}
	t = x->type;
	if (strcmp(t, "A") == 0 && inet_pton(AF_INET, x->content, addr) != 1) {
		scf_fail(r, 400, 9005, "Content for A record must be a valid "
		    "IPv4 address.");
		return -1;
	}
	if (strcmp(t, "AAAA") == 0 && inet_pton(AF_INET6, x->content, addr) !=
	    1) {
		scf_fail(r, 400, 9006, "Content for AAAA record must be a valid "
		    "IPv6 address.");
		return -1;
	}
	if (x->proxied && !proxiable(t)) {
		scf_fail(r, 400, 9004, "This record type cannot be proxied.");
		return -1;
	}
	if (strcmp(t, "MX") == 0 && x->priority < 0)
		x->priority = 10;
	if (strcmp(t, "MX") != 0)
		x->priority = -1;
	return 0;
}

/*
 * Duplicate rules against every record except self.  Returns 0, or -1
 * after answering 400 81053/81057/81058.
 */
static int
unique(struct http_req *r, const struct rec *x, const struct rec *self)
{
	struct rec	*o;

	for (o = recs; o != NULL; o = o->next) {
		if (o == self || strcmp(o->name, x->name) != 0)
			continue;
		if ((strcmp(x->type, "CNAME") == 0) !=
		    (strcmp(o->type, "CNAME") == 0) && (proxiable(x->type) &&
		    proxiable(o->type))) {
			scf_fail(r, 400, 81053, "An A, AAAA, or CNAME record "
			    "with that host already exists.");
			return -1;
		}
		if (strcmp(o->type, x->type) != 0 ||
		    strcmp(o->content, x->content) != 0)
			continue;
		if (o->ttl == x->ttl && o->proxied == x->proxied) {
			scf_fail(r, 400, 81058, "An identical record already "
			    "exists.");
			return -1;
		}
		scf_fail(r, 400, 81057, "Record already exists.");
		return -1;
	}
	return 0;
}

/* Parse the JSON body; NULL after answering. */
static cJSON *
body(struct http_req *r)
{
	cJSON	*j;

	j = cJSON_ParseWithLength(r->body.data, r->body.len);
	if (j == NULL || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		scf_fail(r, 400, 9207, "Request body is invalid.");
		return NULL;
	}
	return j;
}

static void
rec_create(struct http_req *r)
{
	struct rec	*x;
	cJSON		*b;

	if (!zone_ok(r) || (b = body(r)) == NULL)
		return;
	x = xcalloc(1, sizeof(*x));
	x->priority = -1;
	x->type = xstrdup("");
	x->name = xstrdup("");
	x->content = xstrdup("");
	if (apply(r, b, x, 1) == -1 || unique(r, x, NULL) == -1) {
		rec_free(x);
		cJSON_Delete(b);
		return;
	}
	cJSON_Delete(b);
	su_rand_hex(x->id, 16);
	x->created = x->modified = su_wall();
	x->next = recs;
	recs = x;
	nrecs++;
	log_info("dns record %s %s %s created", x->type, x->name, x->content);
	scf_ok(r, rec_json(x), NULL);
}

static struct rec *
rec_param(struct http_req *r)
{
	struct rec	*x;

	if (!zone_ok(r))
		return NULL;
	if ((x = find(http_param(r, 1))) == NULL)
		scf_fail(r, 404, 81044, "Record does not exist.");
	return x;
}

static void
rec_get(struct http_req *r)
{
	struct rec	*x;

	if ((x = rec_param(r)) != NULL)
		scf_ok(r, rec_json(x), NULL);
}

/* PUT (full) and PATCH (partial) work on a copy, then swap it in. */
static void
rec_change(struct http_req *r, int full)
{
	struct rec	*x, tmp;
	cJSON		*b;

	if ((x = rec_param(r)) == NULL || (b = body(r)) == NULL)
		return;
	tmp = *x;
	tmp.name = xstrdup(x->name);
	tmp.type = xstrdup(x->type);
	tmp.content = xstrdup(x->content);
	tmp.comment = x->comment ? xstrdup(x->comment) : NULL;
	tmp.tags = x->tags ? cJSON_Duplicate(x->tags, 1) : NULL;
	if (apply(r, b, &tmp, full) == -1 || unique(r, &tmp, x) == -1) {
		free(tmp.name);
		free(tmp.type);
		free(tmp.content);
		free(tmp.comment);
		cJSON_Delete(tmp.tags);
		cJSON_Delete(b);
		return;
	}
	cJSON_Delete(b);
	free(x->name);
	free(x->type);
	free(x->content);
	free(x->comment);
	cJSON_Delete(x->tags);
	tmp.next = x->next;
	tmp.modified = su_wall();
	*x = tmp;
	scf_ok(r, rec_json(x), NULL);
}

static void
rec_put(struct http_req *r)
{
	rec_change(r, 1);
}

static void
rec_patch(struct http_req *r)
{
	rec_change(r, 0);
}

static void
rec_delete(struct http_req *r)
{
	struct rec	*x, **pp;
	cJSON		*o;

	if ((x = rec_param(r)) == NULL)
		return;
	o = su_jobj();
	su_jstr(o, "id", x->id);
	for (pp = &recs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	nrecs--;
	log_info("dns record %s %s deleted", x->type, x->name);
	rec_free(x);
	scf_ok(r, o, NULL);
}

/* One filter result: count it as set, and as hit when it passed. */
static void
tally(int *set, int *hit, int pass)
{
	(*set)++;
	*hit += pass != 0;
}

/* The string filters of key (plain = exact, and the dotted ones). */
static void
strfilter(struct http_req *r, const char *key, const char *v, int *set,
    int *hit)
{
	const char	*q;
	char		 k[48];
	size_t		 lv, lq;

	if ((q = http_query(r, key)) != NULL)
		tally(set, hit, strcasecmp(q, v) == 0);
	snprintf(k, sizeof(k), "%s.exact", key);
	if ((q = http_query(r, k)) != NULL)
		tally(set, hit, strcasecmp(q, v) == 0);
	snprintf(k, sizeof(k), "%s.contains", key);
	if ((q = http_query(r, k)) != NULL)
		tally(set, hit, strcasestr(v, q) != NULL);
	snprintf(k, sizeof(k), "%s.startswith", key);
	if ((q = http_query(r, k)) != NULL)
		tally(set, hit, strncasecmp(v, q, strlen(q)) == 0);
	snprintf(k, sizeof(k), "%s.endswith", key);
	if ((q = http_query(r, k)) != NULL) {
		lv = strlen(v);
		lq = strlen(q);
		tally(set, hit, lv >= lq && strcasecmp(v + lv - lq, q) == 0);
	}
}

static const char	*order_key;
static int		 order_desc;

static int
rec_cmp(const void *a, const void *b)
{
	const struct rec *x = *(const struct rec *const *)a;
	const struct rec *y = *(const struct rec *const *)b;
	int		 c;

	if (strcmp(order_key, "type") == 0)
		c = strcmp(x->type, y->type);
	else if (strcmp(order_key, "content") == 0)
		c = strcmp(x->content, y->content);
	else if (strcmp(order_key, "ttl") == 0)
		c = x->ttl - y->ttl;
	else if (strcmp(order_key, "proxied") == 0)
		c = x->proxied - y->proxied;
	else
		c = strcmp(x->name, y->name);
	if (c == 0)
		c = strcmp(x->id, y->id);
	return order_desc ? -c : c;
}

static void
rec_list(struct http_req *r)
{
	const char	*type, *prox, *match, *order, *dir;
	struct rec	**sel, *x;
	cJSON		*arr;
	int64_t		 page, per;
	size_t		 n = 0, i;
	int		 any, set, hits;

	if (!zone_ok(r))
		return;
	type = http_query(r, "type");
	prox = http_query(r, "proxied");
	match = http_query(r, "match");
	order = http_query(r, "order");
	dir = http_query(r, "direction");
	if (scf_paging(r, &page, &per, CF_PER_PAGE, 1, 0) == -1)
		return;
	if ((match && strcmp(match, "all") && strcmp(match, "any")) ||
	    (order && strcmp(order, "type") && strcmp(order, "name") &&
	    strcmp(order, "content") && strcmp(order, "ttl") &&
	    strcmp(order, "proxied")) ||
	    (dir && strcmp(dir, "asc") && strcmp(dir, "desc")) ||
	    (prox && strcmp(prox, "true") && strcmp(prox, "false"))) {
		scf_fail(r, 400, 1004, "DNS Validation Error: invalid filter");
		return;
	}
	any = match != NULL && strcmp(match, "any") == 0;
	sel = xcalloc(nrecs + 1, sizeof(*sel));
	for (x = recs; x != NULL; x = x->next) {
		set = hits = 0;
		if (type != NULL)
			tally(&set, &hits, strcasecmp(type, x->type) == 0);
		if (prox != NULL)
			tally(&set, &hits, (strcmp(prox, "true") == 0) ==
			    x->proxied);
		strfilter(r, "name", x->name, &set, &hits);
		strfilter(r, "content", x->content, &set, &hits);
		if (set == 0 || (any ? hits > 0 : hits == set))
			sel[n++] = x;
	}
	order_key = order ? order : "name";
	order_desc = dir != NULL && strcmp(dir, "desc") == 0;
	if (n > 1)
		qsort(sel, n, sizeof(*sel), rec_cmp);
	arr = su_jarr();
	for (i = (size_t)((page - 1) * per); i < n &&
	    i < (size_t)(page * per); i++)
		cJSON_AddItemToArray(arr, rec_json(sel[i]));
	free(sel);
	scf_ok(r, arr, scf_info((long)page, (long)per, cJSON_GetArraySize(arr),
	    (long)n));
}

static const struct http_route routes[] = {
	{ "GET", "/user/tokens/verify", verify },
	{ "GET", "/zones", zones_list },
	{ "GET", "/zones/{zone_id}", zone_get },
	{ "GET", "/zones/{zone_id}/dns_records", rec_list },
	{ "POST", "/zones/{zone_id}/dns_records", rec_create },
	{ "GET", "/zones/{zone_id}/dns_records/{id}", rec_get },
	{ "PUT", "/zones/{zone_id}/dns_records/{id}", rec_put },
	{ "PATCH", "/zones/{zone_id}/dns_records/{id}", rec_patch },
	{ "DELETE", "/zones/{zone_id}/dns_records/{id}", rec_delete },
};

const struct http_svc scf_svc = {
	"cloudflare", "/cloudflare/client/v4", routes, OCH_NELEM(routes), 1,
	front, auth, fault, nomatch,
};
