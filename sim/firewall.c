/*
 * firewall.c: Hetzner Cloud Firewalls (see firewall.h).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "och.h"
#include "action.h"
#include "firewall.h"
#include "sim_hetzner.h"
#include "labels.h"
#include "util.h"
#include "vm.h"

#define FW_RULES_MAX	50
#define FW_CIDRS_MAX	100

struct fw_target {
	int64_t		 server;	/* 0 for a label selector */
	char		*selector;	/* NULL for a server */
	int64_t		 pending;	/* id of its running action, or 0 */
};

struct fw {
	int64_t			 id;
	char			*name;
	cJSON			*labels;
	double			 created;
	cJSON			*rules;		/* as the API shows them */
	struct fw_target	*t;
	size_t			 nt;
	struct fw		*next;
};

static struct fw	*fws;
static size_t		 nfws;
static int64_t		 next_id = 38000;

static struct fw *
find(int64_t id)
{
	struct fw	*f;

	for (f = fws; f != NULL; f = f->next)
		if (f->id == id)
			return f;
	return NULL;
}

/* --- rules -------------------------------------------------------- */

/* Canonical "addr/len" of a CIDR block with empty host bits, or NULL. */
static char *
cidr(const char *s)
{
	unsigned char	 a[16];
	char		 host[64], out[INET6_ADDRSTRLEN];
	const char	*slash;
	int64_t		 len;
	int		 af, bits, i;

	if ((slash = strchr(s, '/')) == NULL || (size_t)(slash - s) >=
	    sizeof(host) || su_parse_id(slash + 1, &len) == -1)
		return NULL;
	memcpy(host, s, (size_t)(slash - s));
	host[slash - s] = '\0';
	af = strchr(host, ':') ? AF_INET6 : AF_INET;
	bits = af == AF_INET6 ? 128 : 32;
	if (len > bits || inet_pton(af, host, a) != 1)
		return NULL;
	for (i = (int)len; i < bits; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return NULL;
	inet_ntop(af, a, out, sizeof(out));
	return xasprintf("%s/%lld", out, (long long)len);
}

/* 1 when s is "N" or "N-M" with 1 <= N <= M <= 65535. */
static int
port_ok(const char *s)
{
	char		 lo[8];
	const char	*dash;
	int64_t		 a, b;

	if ((dash = strchr(s, '-')) == NULL)
		return su_parse_id(s, &a) == 0 && a >= 1 && a <= 65535;
	if ((size_t)(dash - s) >= sizeof(lo))
		return 0;
	memcpy(lo, s, (size_t)(dash - s));
	lo[dash - s] = '\0';
	return su_parse_id(lo, &a) == 0 && su_parse_id(dash + 1, &b) == 0 &&
	    a >= 1 && a <= b && b <= 65535;
}

/* The CIDR list named key of rule j, canonical; NULL after *err. */
static cJSON *
ips(const cJSON *j, const char *key, int want, const char **err)
{
	cJSON	*in, *e, *out;
	char	*c;

	in = cJSON_GetObjectItemCaseSensitive(j, key);
	out = su_jarr();
	if (in == NULL || cJSON_IsNull(in)) {
		if (want)
			*err = "source_ips (in) or destination_ips (out) are "
			    "required";
		return *err ? (cJSON_Delete(out), NULL) : out;
	}
	if (!cJSON_IsArray(in) || cJSON_GetArraySize(in) > FW_CIDRS_MAX ||
	    (!want && cJSON_GetArraySize(in) > 0)) {
		*err = !cJSON_IsArray(in) ? "IP lists must be arrays" : want ?
		    "at most 100 CIDR blocks" : "source_ips only for "
		    "direction in, destination_ips only for out";
		cJSON_Delete(out);
		return NULL;
	}
	if (want && cJSON_GetArraySize(in) == 0)
		*err = "at least one CIDR block is required";
	cJSON_ArrayForEach(e, in) {
		if (*err || !cJSON_IsString(e) ||
		    (c = cidr(e->valuestring)) == NULL) {
			if (!*err)
				*err = "invalid CIDR block (host bits must be "
				    "empty)";
			cJSON_Delete(out);
			return NULL;
		}
		cJSON_AddItemToArray(out, cJSON_CreateString(c));
		free(c);
	}
	return out;
}

/* Rules as the API shows them, or NULL after answering 400. */
static cJSON *
parse_rules(struct http_req *r, const cJSON *in)
{
	const cJSON	*j, *dir, *proto, *port, *desc;
	const char	*err = NULL;
	cJSON		*out, *o, *src, *dst;
	int		 tcpudp;

	if (!cJSON_IsArray(in) || cJSON_GetArraySize(in) > FW_RULES_MAX) {
		shz_invalid(r, "rules", cJSON_IsArray(in) ? "at most 50 rules" :
		    "is not an array");
		return NULL;
	}
	out = su_jarr();
	cJSON_ArrayForEach(j, in) {
		dir = cJSON_GetObjectItemCaseSensitive(j, "direction");
		proto = cJSON_GetObjectItemCaseSensitive(j, "protocol");
		port = cJSON_GetObjectItemCaseSensitive(j, "port");
		desc = cJSON_GetObjectItemCaseSensitive(j, "description");
		if (!cJSON_IsObject(j) || !cJSON_IsString(dir) ||
		    (strcmp(dir->valuestring, "in") &&
		    strcmp(dir->valuestring, "out")))
			err = "direction must be in or out";
		else if (!cJSON_IsString(proto) || (strcmp(proto->valuestring,
		    "tcp") && strcmp(proto->valuestring, "udp") &&
		    strcmp(proto->valuestring, "icmp") &&
		    strcmp(proto->valuestring, "esp") &&
		    strcmp(proto->valuestring, "gre")))
			err = "protocol must be tcp, udp, icmp, esp or gre";
		else if (desc && !cJSON_IsNull(desc) && (!cJSON_IsString(desc)
		    || strlen(desc->valuestring) > 255))
			err = "description is at most 255 characters";
		if (err)
			break;
		tcpudp = strcmp(proto->valuestring, "tcp") == 0 ||
		    strcmp(proto->valuestring, "udp") == 0;
		if (tcpudp && (!cJSON_IsString(port) ||
		    !port_ok(port->valuestring)))
			err = "port (1-65535 or a range) is required for tcp "
			    "and udp";
		else if (!tcpudp && port != NULL && !cJSON_IsNull(port))
			err = "port is only allowed for tcp and udp";
		if (err)
			break;
		src = ips(j, "source_ips", dir->valuestring[0] == 'i', &err);
		dst = src ? ips(j, "destination_ips",
		    dir->valuestring[0] == 'o', &err) : NULL;
		if (dst == NULL) {
			cJSON_Delete(src);
			break;
		}
		o = su_jobj();
		su_jstr_or_null(o, "description", cJSON_IsString(desc) ?
		    desc->valuestring : NULL);
		su_jstr(o, "direction", dir->valuestring);
		su_jstr(o, "protocol", proto->valuestring);
		su_jstr_or_null(o, "port", tcpudp ? port->valuestring : NULL);
		cJSON_AddItemToObject(o, "source_ips", src);
		cJSON_AddItemToObject(o, "destination_ips", dst);
		cJSON_AddItemToArray(out, o);
	}
	if (err) {
		cJSON_Delete(out);
		shz_invalid(r, "rules", err);
		return NULL;
	}
	return out;
}

/* --- targets ------------------------------------------------------ */

/*
 * Parse one apply_to/remove_from entry: the server id (*sel NULL) or the
 * label selector (*sel set).  -1 after answering.
 */
static int
target(struct http_req *r, const cJSON *j, const char *field, int64_t *sid,
    const char **sel)
{
	const cJSON	*ty, *o, *x;
	struct lbl_sel	*ls;
	const char	*err;

	*sid = 0;
	*sel = NULL;
	ty = cJSON_GetObjectItemCaseSensitive(j, "type");
	if (!cJSON_IsString(ty))
		goto bad;
	if (strcmp(ty->valuestring, "server") == 0) {
		o = cJSON_GetObjectItemCaseSensitive(j, "server");
		x = cJSON_GetObjectItemCaseSensitive(o, "id");
		if (!cJSON_IsNumber(x) || x->valuedouble < 1)
			goto bad;
		*sid = (int64_t)x->valuedouble;
		return 0;
	}
	if (strcmp(ty->valuestring, "label_selector") == 0) {
		o = cJSON_GetObjectItemCaseSensitive(j, "label_selector");
		x = cJSON_GetObjectItemCaseSensitive(o, "selector");
		if (!cJSON_IsString(x) ||
		    (ls = lbl_sel_parse(x->valuestring, &err)) == NULL)
			goto bad;
		lbl_sel_free(ls);
		*sel = x->valuestring;
		return 0;
	}
bad:
	shz_invalid(r, field, "each entry is {\"type\":\"server\",\"server\":"
	    "{\"id\":N}} or {\"type\":\"label_selector\",\"label_selector\":"
	    "{\"selector\":S}}");
	return -1;
}

static struct fw_target *
find_target(struct fw *f, int64_t sid, const char *sel)
{
	size_t	 i;

	for (i = 0; i < f->nt; i++)
		if (sel ? f->t[i].selector && strcmp(f->t[i].selector, sel)
		    == 0 : f->t[i].server == sid)
			return &f->t[i];
	return NULL;
}

/* How f reaches server v (direct first, then a selector), or NULL. */
static struct fw_target *
via(struct fw *f, const struct vm *v)
{
	struct lbl_sel	*ls;
	const char	*err;
	size_t		 i;
	int		 m;

	if (v == NULL)
		return NULL;
	for (i = 0; i < f->nt; i++)
		if (f->t[i].server == v->id)
			return &f->t[i];
	for (i = 0; i < f->nt; i++) {
		if (f->t[i].selector == NULL ||
		    (ls = lbl_sel_parse(f->t[i].selector, &err)) == NULL)
			continue;
		m = lbl_sel_match(ls, v->labels);
		lbl_sel_free(ls);
		if (m)
			return &f->t[i];
	}
	return NULL;
}

static void
drop_target(struct fw *f, struct fw_target *t)
{
	free(t->selector);
	*t = f->t[--f->nt];
}

/* An apply/remove action ended: other = the firewall. */
static void
target_done(struct act *a, int64_t unused, int64_t fid)
{
	struct fw		*f;
	struct fw_target	*t;

	if ((f = find(fid)) == NULL)
		return;
	for (t = f->t; t < f->t + f->nt; t++)
		if (t->pending == a->id)
			break;
	if (t == f->t + f->nt)
		return;		/* the server went away meanwhile */
	t->pending = 0;
	if ((strcmp(a->command, "apply_firewall") == 0) == (a->fail != 0))
		drop_target(f, t);
}

static struct act *
target_act(struct http_req *r, struct fw *f, const char *cmd,
    struct fw_target *t)
{
	struct act	*a;

	a = act_start(cmd, su_cfg.action_delay, 0, target_done, f->id);
	act_add_resource(a, f->id, "firewall");
	if (t->server != 0)
		act_add_resource(a, t->server, "server");
	if (r->fault.kind == FLT_ACTION_ERROR)
		act_set_fail(a);
	t->pending = a->id;
	return a;
}

/*
 * Apply or remove (remove != 0) the entries of list to f, adding one
 * action each to acts.  All are checked before anything changes; -1
 * after answering.
 */
static int
change_targets(struct http_req *r, struct fw *f, const cJSON *list,
    const char *field, int remove, int nf_status, cJSON *acts)
{
	const cJSON		*j, *k;
	struct fw_target	*t;
	const char		*sel, *sel2;
	int64_t			 sid, sid2;
	int			 n = 0;

	if (!cJSON_IsArray(list)) {
		shz_invalid(r, field, list ? "is not an array" : "is missing");
		return -1;
	}
	cJSON_ArrayForEach(j, list) {
		if (target(r, j, field, &sid, &sel) == -1)
			return -1;
		if (sid != 0 && vm_find(sid) == NULL) {
			shz_error(r, nf_status, "firewall_resource_not_found",
			    "the resource the firewall should be applied to or "
			    "removed from was not found", NULL);
			return -1;
		}
		t = find_target(f, sid, sel);
		if (!remove && t != NULL) {
			shz_error(r, 422, "firewall_already_applied", "firewall "
			    "is already applied to the resource", NULL);
			return -1;
		}
		if (remove && t == NULL && sid && via(f, vm_find(sid))) {
			shz_error(r, 422, "firewall_managed_by_label_selector",
			    "firewall is applied via a label selector and "
			    "cannot be removed manually", NULL);
			return -1;
		}
		if (remove && t == NULL) {
			shz_error(r, 422, "firewall_already_removed", "firewall "
			    "is not applied to the resource", NULL);
			return -1;
		}
		n = 0;
		cJSON_ArrayForEach(k, list) {
			if (target(r, k, field, &sid2, &sel2) == -1)
				return -1;
			n += sid2 == sid && (sel == NULL) == (sel2 == NULL) &&
			    (sel == NULL || strcmp(sel, sel2) == 0);
		}
		if (n > 1) {
			shz_error(r, 422, "server_already_added", "the resource "
			    "was given more than once", NULL);
			return -1;
		}
	}
	cJSON_ArrayForEach(j, list) {
		target(r, j, field, &sid, &sel);
		if ((t = find_target(f, sid, sel)) == NULL) {
			f->t = xrealloc(f->t, (f->nt + 1) * sizeof(*f->t));
			t = &f->t[f->nt++];
			t->server = sid;
			t->selector = sel ? xstrdup(sel) : NULL;
		}
		cJSON_AddItemToArray(acts, act_json(target_act(r, f, remove ?
		    "remove_firewall" : "apply_firewall", t)));
	}
	return 0;
}

/* --- objects ------------------------------------------------------ */

static void
server_ref(cJSON *arr, int64_t id)
{
	cJSON	*o, *s;

	o = su_jobj();
	su_jstr(o, "type", "server");
	s = su_jobj();
	su_jnum(s, "id", id);
	cJSON_AddItemToObject(o, "server", s);
	cJSON_AddItemToArray(arr, o);
}

static cJSON *
json(const void *p)
{
	const struct fw	*f = p;
	struct lbl_sel	*ls;
	struct vm	*v;
	cJSON		*o, *arr, *x, *sub;
	const char	*err;
	size_t		 i;

	o = su_jobj();
	su_jnum(o, "id", f->id);
	su_jstr(o, "name", f->name);
	cJSON_AddItemToObject(o, "labels", cJSON_Duplicate(f->labels, 1));
	su_jtime(o, "created", f->created);
	cJSON_AddItemToObject(o, "rules", cJSON_Duplicate(f->rules, 1));
	arr = su_jarr();
	for (i = 0; i < f->nt; i++) {
		if (f->t[i].selector == NULL) {
			server_ref(arr, f->t[i].server);
			continue;
		}
		x = su_jobj();
		su_jstr(x, "type", "label_selector");
		sub = su_jobj();
		su_jstr(sub, "selector", f->t[i].selector);
		cJSON_AddItemToObject(x, "label_selector", sub);
		sub = su_jarr();
		if ((ls = lbl_sel_parse(f->t[i].selector, &err)) != NULL)
			for (v = vm_first(); v != NULL; v = v->next)
				if (lbl_sel_match(ls, v->labels))
					server_ref(sub, v->id);
		lbl_sel_free(ls);
		cJSON_AddItemToObject(x, "applied_to_resources", sub);
		cJSON_AddItemToArray(arr, x);
	}
	cJSON_AddItemToObject(o, "applied_to", arr);
	return o;
}

cJSON *
fw_server_json(const struct vm *v)
{
	struct fw_target	*t;
	struct fw		*f;
	cJSON			*arr, *o;

	arr = su_jarr();
	for (f = fws; f != NULL; f = f->next) {
		if ((t = via(f, v)) == NULL)
			continue;
		o = su_jobj();
		su_jnum(o, "id", f->id);
		su_jstr(o, "status", t->pending ? "pending" : "applied");
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

int
fw_check_create(struct http_req *r, const cJSON *list)
{
	const cJSON	*j, *x;

	cJSON_ArrayForEach(j, list) {
		x = cJSON_GetObjectItemCaseSensitive(j, "firewall");
		if (!cJSON_IsNumber(x) || x->valuedouble < 1) {
			shz_invalid(r, "firewalls", "each entry is "
			    "{\"firewall\": <id>}");
			return -1;
		}
		if (find((int64_t)x->valuedouble) == NULL) {
			shz_invalid(r, "firewalls", "firewall not found");
			return -1;
		}
	}
	return 0;
}

void
fw_apply_create(const cJSON *list, int64_t sid)
{
	const cJSON		*j;
	struct fw_target	*t;
	struct fw		*f;

	cJSON_ArrayForEach(j, list) {
		f = find((int64_t)cJSON_GetObjectItemCaseSensitive(j,
		    "firewall")->valuedouble);
		if (f == NULL || find_target(f, sid, NULL) != NULL)
			continue;
		f->t = xrealloc(f->t, (f->nt + 1) * sizeof(*f->t));
		t = &f->t[f->nt++];
		t->server = sid;
		t->selector = NULL;
		t->pending = 0;
	}
}

void
fw_server_gone(const struct vm *v)
{
	struct fw	*f;
	size_t		 i;

	for (f = fws; f != NULL; f = f->next)
		for (i = f->nt; i-- > 0;)
			if (f->t[i].server == v->id)
				drop_target(f, &f->t[i]);
}

/* --- routes ------------------------------------------------------- */

static void
answer(struct http_req *r, int status, const struct fw *f, cJSON *acts)
{
	cJSON	*root;

	root = su_jobj();
	if (f != NULL)
		cJSON_AddItemToObject(root, "firewall", json(f));
	if (acts != NULL)
		cJSON_AddItemToObject(root, "actions", acts);
	http_json(r, status, root);
}

static struct fw *
fw_param(struct http_req *r)
{
	struct fw	*f;
	int64_t		 id;

	if (shz_id(r, 0, &id) == -1)
		return NULL;
	if ((f = find(id)) == NULL)
		shz_not_found(r, "firewall");
	return f;
}

static int
name_taken(struct http_req *r, const struct fw *self, const char *name)
{
	struct fw	*f;

	for (f = fws; f != NULL; f = f->next)
		if (f != self && strcmp(f->name, name) == 0)
			break;
	if (f == NULL)
		return 0;
	shz_uniqueness(r, "name", "firewall name is already used");
	return 1;
}

static void
fw_free(struct fw *f)
{
	while (f->nt > 0)
		drop_target(f, &f->t[0]);
	free(f->t);
	free(f->name);
	cJSON_Delete(f->labels);
	cJSON_Delete(f->rules);
	free(f);
}

void
fw_list(struct http_req *r)
{
	struct shz_item	*it;
	struct fw	*f;
	size_t		 n = 0;

	it = xcalloc(nfws + 1, sizeof(*it));
	for (f = fws; f != NULL; f = f->next)
		it[n++] = (struct shz_item){ f->id, f->name, f->created,
		    f->labels, f };
	shz_list(r, "firewalls", it, n, json);
	free(it);
}

void
fw_create(struct http_req *r)
{
	cJSON		*body, *name, *labels, *rules, *apply, *acts;
	cJSON		*rs = NULL;
	const char	*err;
	struct fw	*f;
	int		 bad = 0;

	if ((body = shz_body(r)) == NULL)
		return;
	name = shz_field(r, body, "name", 's', 1, &bad);
	labels = shz_field(r, body, "labels", 'o', 0, &bad);
	rules = shz_field(r, body, "rules", 'a', 0, &bad);
	apply = shz_field(r, body, "apply_to", 'a', 0, &bad);
	if (bad)
		goto out;
	if (name->valuestring[0] == '\0' || strlen(name->valuestring) > 128) {
		shz_invalid(r, "name", "must be 1 to 128 characters");
		goto out;
	}
	if (labels != NULL && !lbl_valid(labels, &err)) {
		shz_invalid(r, "labels", err);
		goto out;
	}
	if (name_taken(r, NULL, name->valuestring))
		goto out;
	if ((rs = rules ? parse_rules(r, rules) : su_jarr()) == NULL)
		goto out;
	f = xcalloc(1, sizeof(*f));
	f->id = next_id++;
	f->name = xstrdup(name->valuestring);
	f->labels = labels ? cJSON_Duplicate(labels, 1) : su_jobj();
	f->created = su_wall();
	f->rules = rs;
	acts = su_jarr();
	if (apply != NULL && change_targets(r, f, apply, "apply_to", 0, 422,
	    acts) == -1) {
		cJSON_Delete(acts);
		fw_free(f);
		goto out;
	}
	f->next = fws;
	fws = f;
	nfws++;
	answer(r, 201, f, acts);
out:
	cJSON_Delete(body);
}

void
fw_get(struct http_req *r)
{
	struct fw	*f;

	if ((f = fw_param(r)) != NULL)
		answer(r, 200, f, NULL);
}

void
fw_update(struct http_req *r)
{
	struct fw	*f;
	cJSON		*body, *name, *labels;
	const char	*err;
	int		 bad = 0;

	if ((f = fw_param(r)) == NULL || (body = shz_body(r)) == NULL)
		return;
	name = shz_field(r, body, "name", 's', 0, &bad);
	labels = shz_field(r, body, "labels", 'o', 0, &bad);
	if (bad || (labels != NULL && !lbl_valid(labels, &err) &&
	    (shz_invalid(r, "labels", err), 1)) ||
	    (name != NULL && name_taken(r, f, name->valuestring)))
		goto out;
	if (name != NULL) {
		free(f->name);
		f->name = xstrdup(name->valuestring);
	}
	if (labels != NULL) {
		cJSON_Delete(f->labels);
		f->labels = cJSON_Duplicate(labels, 1);
	}
	answer(r, 200, f, NULL);
out:
	cJSON_Delete(body);
}

void
fw_delete(struct http_req *r)
{
	struct fw	*f, **pp;

	if ((f = fw_param(r)) == NULL)
		return;
	if (f->nt > 0) {
		shz_error(r, 422, "resource_in_use", "firewall is still applied "
		    "to a resource", NULL);
		return;
	}
	for (pp = &fws; *pp != f; pp = &(*pp)->next)
		;
	*pp = f->next;
	nfws--;
	fw_free(f);
	http_reset_body(r);
	r->status = 204;
}

void
fw_action(struct http_req *r)
{
	const char	*name;
	struct fw	*f;
	struct act	*a;
	cJSON		*body, *list, *acts, *rs;

	name = strrchr(r->route->pattern, '/') + 1;
	if ((f = fw_param(r)) == NULL || (body = shz_body(r)) == NULL)
		return;
	acts = su_jarr();
	if (strcmp(name, "set_rules") == 0) {
		list = cJSON_GetObjectItemCaseSensitive(body, "rules");
		if (list == NULL) {
			shz_invalid(r, "rules", "is missing");
			goto fail;
		}
		if ((rs = parse_rules(r, list)) == NULL)
			goto fail;
		cJSON_Delete(f->rules);
		f->rules = rs;
		a = act_start("set_firewall_rules", su_cfg.action_delay, 0,
		    NULL, 0);
		act_add_resource(a, f->id, "firewall");
		if (r->fault.kind == FLT_ACTION_ERROR)
			act_set_fail(a);
		cJSON_AddItemToArray(acts, act_json(a));
	} else {
		int	 rm = strcmp(name, "remove_from_resources") == 0;

		list = cJSON_GetObjectItemCaseSensitive(body, rm ?
		    "remove_from" : "apply_to");
		if (change_targets(r, f, list, rm ? "remove_from" :
		    "apply_to", rm, 404, acts) == -1)
			goto fail;
	}
	answer(r, 201, NULL, acts);
	cJSON_Delete(body);
	return;
fail:
	cJSON_Delete(acts);
	cJSON_Delete(body);
}

void
fw_reset(void)
{
	struct fw	*f;

	while ((f = fws) != NULL) {
		fws = f->next;
		fw_free(f);
	}
	nfws = 0;
}
