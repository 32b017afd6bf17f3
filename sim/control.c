/*
 * control.c: /_sim routes (see control.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "och.h"
#include "log.h"
#include "sim_agent.h"
#include "callback.h"
#include "sim_cloudflare.h"
#include "control.h"
#include "exporter.h"
#include "fault.h"
#include "firewall.h"
#include "sim_hetzner.h"
#include "loop.h"
#include "sim_resend.h"
#include "util.h"
#include "vm.h"
#include "sim_whmcs.h"

static void
err(struct http_req *r, int status, const char *msg)
{
	cJSON	*o;

	o = su_jobj();
	su_jstr(o, "error", msg);
	http_json(r, status, o);
}

/* JSON body; NULL after answering 400. */
static cJSON *
body(struct http_req *r)
{
	cJSON	*j;

	if ((j = cJSON_ParseWithLength(r->body.data, r->body.len)) == NULL)
		err(r, 400, "the body is not valid JSON");
	return j;
}

void
sctl_reset_all(void)
{
	shz_reset();
	scf_reset();
	srs_reset();
	swh_reset();
	flt_clear();
	http_stats_reset();
	su_seed_faults(su_cfg.seed);
	su_seed_ids(su_cfg.seed);
}

static void
health(struct http_req *r)
{
	struct vm	*v;
	cJSON		*o;
	long		 booted = 0, exporters = 0, ready = 0;

	for (v = vm_first(); v != NULL; v = v->next) {
		booted += v->booted_at > 0;
		exporters += v->exporter != NULL;
		ready += v->cb_state != NULL && strcmp(v->cb_state, "ok") == 0;
	}
	o = su_jobj();
	su_jbool(o, "ok", 1);
	su_jnum(o, "servers", vm_count());
	su_jnum(o, "booted", booted);
	su_jnum(o, "exporters", exporters);
	su_jnum(o, "ready_ok", ready);
	su_jnum(o, "watched_fds", loop_nfds());
	su_jnum(o, "exporter_connections", exp_nconns());
	su_jnum(o, "hung_requests", http_nhung());
	su_jnum(o, "callbacks_in_flight", cb_active());
	su_jnum(o, "agents", ag_count());
	su_jnum(o, "seed", (double)su_cfg.seed);
	http_json(r, 200, o);
}

static void
stats(struct http_req *r)
{
	http_json(r, 200, http_stats_json());
}

static void
stats_reset(struct http_req *r)
{
	http_stats_reset();
	http_json(r, 200, su_jobj());
}

static void
emails(struct http_req *r)
{
	cJSON	*o;

	o = su_jobj();
	cJSON_AddItemToObject(o, "emails", srs_emails_json());
	http_json(r, 200, o);
}

static void
whmcs(struct http_req *r)
{
	http_json(r, 200, swh_json());
}

static void
whmcs_seed(struct http_req *r)
{
	const char	*e;
	cJSON		*j;

	if ((j = body(r)) == NULL)
		return;
	if (swh_seed(j, &e) == -1)
		err(r, 400, e);
	else
		http_json(r, 200, swh_json());
	cJSON_Delete(j);
}

/*
 * A server as /_sim shows it: the inside (vm_json) plus the SSH keys it
 * was created with (its authorized_keys) and the firewalls that reach it.
 */
static cJSON *
server_json(const struct vm *v)
{
	cJSON	*o;

	o = vm_json(v);
	cJSON_AddItemToObject(o, "ssh_keys", v->keys ?
	    cJSON_Duplicate(v->keys, 1) : su_jarr());
	cJSON_AddItemToObject(o, "firewalls", fw_server_json(v));
	return o;
}

static void
servers(struct http_req *r)
{
	struct vm	*v;
	cJSON		*o, *arr;

	arr = su_jarr();
	for (v = vm_first(); v != NULL; v = v->next)
		cJSON_AddItemToArray(arr, server_json(v));
	o = su_jobj();
	cJSON_AddItemToObject(o, "servers", arr);
	http_json(r, 200, o);
}

static void
server_one(struct http_req *r)
{
	struct vm	*v;
	int64_t		 id;

	if (su_parse_id(http_param(r, 0), &id) == -1 ||
	    (v = vm_find(id)) == NULL) {
		err(r, 404, "no such server");
		return;
	}
	http_json(r, 200, server_json(v));
}

/* POST /_sim/servers/{id}/impostor: another key answers on its address. */
static void
server_impostor(struct http_req *r)
{
	struct vm	*v;
	int64_t		 id;
	char		*why = NULL;

	if (su_parse_id(http_param(r, 0), &id) == -1 ||
	    (v = vm_find(id)) == NULL) {
		err(r, 404, "no such server");
		return;
	}
	if (vm_impostor(v, &why) == -1) {
		err(r, 409, why);
		free(why);
		return;
	}
	http_json(r, 200, server_json(v));
}

/*
 * POST /_sim/servers/{id}/usage {"disk_used_pct": P, "mem_used_pct": P,
 * "load1": L, "disk_size_bytes": S, "disk_avail_bytes": A}: what the
 * server's exporter shows in use from now on (0..100; null: the natural
 * curve again; a key left out: unchanged); load1 and the bytes of / any
 * finite number (a hostile VPS's exporter), null: the natural value.
 */
static void
server_usage(struct http_req *r)
{
	static const char *const keys[] = { "disk_used_pct", "mem_used_pct" };
	static const char *const raw[] = { "load1", "disk_size_bytes",
	    "disk_avail_bytes" };
	struct vm	*v;
	cJSON		*j, *x;
	double		*dst[2], *rawval[3];
	int		*rawset[3];
	int64_t		 id;
	size_t		 i;

	if (su_parse_id(http_param(r, 0), &id) == -1 ||
	    (v = vm_find(id)) == NULL) {
		err(r, 404, "no such server");
		return;
	}
	if ((j = body(r)) == NULL)
		return;
	dst[0] = &v->disk_used_pct;
	dst[1] = &v->mem_used_pct;
	rawval[0] = &v->load1;
	rawset[0] = &v->load1_set;
	rawval[1] = &v->disk_size;
	rawset[1] = &v->disk_size_set;
	rawval[2] = &v->disk_avail;
	rawset[2] = &v->disk_avail_set;
	for (i = 0; i < OCH_NELEM(keys); i++) {
		x = cJSON_GetObjectItemCaseSensitive(j, keys[i]);
		if (!cJSON_IsObject(j) || (x != NULL && !cJSON_IsNull(x) &&
		    (!cJSON_IsNumber(x) || x->valuedouble < 0 ||
		    x->valuedouble > 100))) {
			err(r, 400, "disk_used_pct, mem_used_pct: a percentage"
			    " in [0,100] or null");
			goto out;
		}
	}
	for (i = 0; i < OCH_NELEM(raw); i++) {
		x = cJSON_GetObjectItemCaseSensitive(j, raw[i]);
		if (x != NULL && !cJSON_IsNull(x) && (!cJSON_IsNumber(x) ||
		    !isfinite(x->valuedouble))) {
			err(r, 400, "load1, disk_size_bytes, disk_avail_bytes: "
			    "a finite number or null");
			goto out;
		}
	}
	for (i = 0; i < OCH_NELEM(keys); i++)
		if ((x = cJSON_GetObjectItemCaseSensitive(j, keys[i])) != NULL)
			*dst[i] = cJSON_IsNull(x) ? -1 : x->valuedouble;
	for (i = 0; i < OCH_NELEM(raw); i++)
		if ((x = cJSON_GetObjectItemCaseSensitive(j, raw[i])) != NULL) {
			*rawset[i] = !cJSON_IsNull(x);
			*rawval[i] = *rawset[i] ? x->valuedouble : 0;
		}
	http_json(r, 200, server_json(v));
out:
	cJSON_Delete(j);
}

static void
dns(struct http_req *r)
{
	cJSON	*o;

	o = su_jobj();
	cJSON_AddItemToObject(o, "records", scf_records_json());
	http_json(r, 200, o);
}

static void
reset(struct http_req *r)
{
	sctl_reset_all();
	log_info("simulator reset");
	http_json(r, 200, su_jobj());
}

static void
faults_get(struct http_req *r)
{
	http_json(r, 200, flt_json());
}

static void
faults_post(struct http_req *r)
{
	const char	*e;
	cJSON		*j;

	if ((j = body(r)) == NULL)
		return;
	if (flt_configure(j, &e) == -1)
		err(r, 400, e);
	else
		http_json(r, 200, flt_json());
	cJSON_Delete(j);
}

static void
faults_delete(struct http_req *r)
{
	flt_clear();
	http_json(r, 200, flt_json());
}

/*
 * Latency profiles (sim/README.md cites where the hetzner numbers come
 * from): create, create from a snapshot (-1: as create), boot, action,
 * first-boot work on a bare image and on a pre-built one, and the work
 * after a warm pool claim, in seconds.
 */
static const struct profile {
	const char	*name;
	double		 create, snap, boot, action, bare, prebuilt, claim;
} profiles[] = {
	{ "default", 2, -1, 5, 1, 0, 0, 0 },
	{ "hetzner", 10, 25, 12, 3, 210, 13, 3 },
};

int
sctl_latency_profile(const char *name)
{
	size_t	 i;

	for (i = 0; i < OCH_NELEM(profiles); i++) {
		if (strcmp(profiles[i].name, name) != 0)
			continue;
		su_cfg.profile = profiles[i].name;
		su_cfg.create_delay = profiles[i].create;
		su_cfg.create_snap_delay = profiles[i].snap;
		su_cfg.boot_delay = profiles[i].boot;
		su_cfg.action_delay = profiles[i].action;
		su_cfg.setup_bare = profiles[i].bare;
		su_cfg.setup_prebuilt = profiles[i].prebuilt;
		su_cfg.claim_delay = profiles[i].claim;
		return 0;
	}
	return -1;
}

static cJSON *
latency_json(void)
{
	cJSON	*o;

	o = su_jobj();
	su_jstr(o, "profile", su_cfg.profile ? su_cfg.profile : "custom");
	su_jnum(o, "create", su_cfg.create_delay);
	su_jnum(o, "create_snapshot", su_cfg.create_snap_delay < 0 ?
	    su_cfg.create_delay : su_cfg.create_snap_delay);
	su_jnum(o, "boot", su_cfg.boot_delay);
	su_jnum(o, "action", su_cfg.action_delay);
	su_jnum(o, "setup_bare", su_cfg.setup_bare);
	su_jnum(o, "setup_prebuilt", su_cfg.setup_prebuilt);
	su_jnum(o, "claim", su_cfg.claim_delay);
	su_jnum(o, "hang", su_cfg.hang_seconds);
	return o;
}

static void
latency_get(struct http_req *r)
{
	http_json(r, 200, latency_json());
}

static void
latency_post(struct http_req *r)
{
	static const char *const keys[] = { "create", "boot", "action",
	    "hang", "create_snapshot", "setup_bare", "setup_prebuilt",
	    "claim" };
	double		*dst[] = { &su_cfg.create_delay, &su_cfg.boot_delay,
	    &su_cfg.action_delay, &su_cfg.hang_seconds,
	    &su_cfg.create_snap_delay, &su_cfg.setup_bare,
	    &su_cfg.setup_prebuilt, &su_cfg.claim_delay };
	const char	*was;
	cJSON		*j, *v, *pf;
	size_t		 i;

	if ((j = body(r)) == NULL)
		return;
	if (!cJSON_IsObject(j)) {
		err(r, 400, "expected an object");
		goto out;
	}
	pf = cJSON_GetObjectItemCaseSensitive(j, "profile");
	if (pf != NULL) {
		was = su_cfg.profile;
		if (!cJSON_IsString(pf) || sctl_latency_profile(
		    pf->valuestring) == -1) {
			su_cfg.profile = was;
			err(r, 400, "profile is default or hetzner");
			goto out;
		}
	}
	for (i = 0; i < OCH_NELEM(keys); i++) {
		v = cJSON_GetObjectItemCaseSensitive(j, keys[i]);
		if (v != NULL && (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
		    v->valuedouble > 3600)) {
			err(r, 400, "latencies are seconds in [0,3600]");
			goto out;
		}
	}
	for (i = 0; i < OCH_NELEM(keys); i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(j, keys[i])) !=
		    NULL) {
			*dst[i] = v->valuedouble;
			if (i != 3)	/* hang is a fault's, not the profile's */
				su_cfg.profile = NULL;
		}
	http_json(r, 200, latency_json());
out:
	cJSON_Delete(j);
}

static cJSON *
rl_json(void)
{
	cJSON	*o;

	o = su_jobj();
	cJSON_AddItemToObject(o, "hetzner", shz_ratelimit_json());
	cJSON_AddItemToObject(o, "cloudflare", scf_ratelimit_json());
	cJSON_AddItemToObject(o, "resend", srs_ratelimit_json());
	return o;
}

static void
rl_get(struct http_req *r)
{
	http_json(r, 200, rl_json());
}

/* A number member in [lo,hi] or absent (-1); -2 when bad. */
static double
num(const cJSON *o, const char *k, double lo, double hi)
{
	const cJSON	*v;

	if ((v = cJSON_GetObjectItemCaseSensitive(o, k)) == NULL)
		return -1;
	if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi)
		return -2;
	return v->valuedouble;
}

static void
rl_post(struct http_req *r)
{
	cJSON	*j, *h, *c, *s;
	double	 hl, hr, cl, cw, sr;

	if ((j = body(r)) == NULL)
		return;
	h = cJSON_GetObjectItemCaseSensitive(j, "hetzner");
	c = cJSON_GetObjectItemCaseSensitive(j, "cloudflare");
	s = cJSON_GetObjectItemCaseSensitive(j, "resend");
	hl = num(h, "limit", 1, 1e9);
	hr = num(h, "remaining", 0, 1e9);
	cl = num(c, "limit", 1, 1e9);
	cw = num(c, "window", 1, 86400);
	sr = num(s, "rate", 0.01, 1e6);
	if (!cJSON_IsObject(j) || hl == -2 || hr == -2 || cl == -2 ||
	    cw == -2 || sr == -2) {
		err(r, 400, "bad rate limit settings");
		cJSON_Delete(j);
		return;
	}
	if (h != NULL)
		shz_ratelimit_set(hl, hr);
	if (c != NULL)
		scf_ratelimit_set(cl, cw);
	if (s != NULL)
		srs_ratelimit_set(sr);
	cJSON_Delete(j);
	http_json(r, 200, rl_json());
}

static void
config(struct http_req *r)
{
	cJSON	*o;
	char	 url[96];

	o = su_jobj();
	snprintf(url, sizeof(url), "http://%s:%d", su_cfg.listen_host,
	    su_cfg.listen_port);
	su_jstr(o, "base_url", url);
	su_jstr(o, "hetzner_token", su_cfg.hetzner_token);
	su_jstr(o, "cloudflare_token", su_cfg.cloudflare_token);
	su_jstr(o, "cloudflare_zone", su_cfg.cloudflare_zone);
	su_jstr(o, "domain", su_cfg.domain);
	su_jstr(o, "resend_key", su_cfg.resend_key);
	su_jstr(o, "whmcs_identifier", su_cfg.whmcs_id);
	su_jstr(o, "whmcs_secret", su_cfg.whmcs_secret);
	su_jnum(o, "exporter_port", su_cfg.exporter_port);
	su_jstr_or_null(o, "agent", su_cfg.agent);
	su_jstr_or_null(o, "state_dir", su_cfg.state_dir);
	cJSON_AddItemToObject(o, "latency", latency_json());
	cJSON_AddItemToObject(o, "ratelimit", rl_json());
	http_json(r, 200, o);
}

static int
front(struct http_req *r)
{
	return 1;
}

static int
auth(struct http_req *r)
{
	return 1;
}

static void
fault(struct http_req *r, enum flt_kind k)
{
	err(r, 500, "no faults here");
}

static void
nomatch(struct http_req *r, int status)
{
	err(r, status, status == 405 ? "method not allowed" :
	    status == 413 ? "body too large" : "not found");
}

static const struct http_route routes[] = {
	{ "GET", "/health", health },
	{ "GET", "/config", config },
	{ "GET", "/stats", stats },
	{ "DELETE", "/stats", stats_reset },
	{ "GET", "/emails", emails },
	{ "GET", "/whmcs", whmcs },
	{ "POST", "/whmcs/services", whmcs_seed },
	{ "GET", "/servers", servers },
	{ "GET", "/servers/{id}", server_one },
	{ "POST", "/servers/{id}/impostor", server_impostor },
	{ "POST", "/servers/{id}/usage", server_usage },
	{ "GET", "/dns", dns },
	{ "POST", "/reset", reset },
	{ "GET", "/faults", faults_get },
	{ "POST", "/faults", faults_post },
	{ "DELETE", "/faults", faults_delete },
	{ "GET", "/latency", latency_get },
	{ "POST", "/latency", latency_post },
	{ "GET", "/ratelimit", rl_get },
	{ "POST", "/ratelimit", rl_post },
};

const struct http_svc sctl_svc = {
	"_sim", "/_sim", routes, OCH_NELEM(routes), 0,
	front, auth, fault, nomatch,
};
