/*
 * vm.c: simulated servers (see vm.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "och.h"
#include "log.h"
#include "sim_agent.h"
#include "callback.h"
#include "exporter.h"
#include "exptls.h"
#include "sim_userdata.h"
#include "util.h"
#include "vm.h"

#define VM_IP_FIRST	0x7f400000u	/* 127.64.0.0 */
#define VM_IP_LAST	0x7f7fffffu	/* 127.127.255.255 */
#define VM_CB_ATTEMPTS	6

static const char *const status_names[VM__MAX] = {
	"initializing",		/* VM_INITIALIZING */
	"starting",		/* VM_STARTING */
	"running",		/* VM_RUNNING */
	"stopping",		/* VM_STOPPING */
	"off",			/* VM_OFF */
	"deleting",		/* VM_DELETING */
	"rebuilding",		/* VM_REBUILDING */
	"migrating",		/* VM_MIGRATING */
	"unknown",		/* VM_UNKNOWN */
};

static struct vm	*vms;
static size_t		 nvms;
static int64_t		 next_id = 100000001;
static int64_t		 next_ip_id = 50000001;
static uint32_t		 next_ip;
static uint32_t		 seq;

const char *
vm_status_name(enum vm_status s)
{
	return (unsigned)s < VM__MAX ? status_names[s] : "unknown";
}

int
vm_image_prebuilt(int64_t image_id)
{
	const struct cat_image	*ci;
	size_t			 k;

	for (k = 0; (ci = cat_image_at(k)) != NULL; k++)
		if (ci->id == image_id)
			return 0;
	return 1;
}

double
vm_create_delay(int64_t image_id)
{
	return vm_image_prebuilt(image_id) && su_cfg.create_snap_delay >= 0 ?
	    su_cfg.create_snap_delay : su_cfg.create_delay;
}

struct vm *
vm_first(void)
{
	return vms;
}

size_t
vm_count(void)
{
	return nvms;
}

struct vm *
vm_find(int64_t id)
{
	struct vm	*v;

	for (v = vms; v != NULL; v = v->next)
		if (v->id == id)
			return v;
	return NULL;
}

struct vm *
vm_find_name(const char *name)
{
	struct vm	*v;

	for (v = vms; v != NULL; v = v->next)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

/* 1 when nobody (another simulator) holds ip:exporter_port. */
static int
ip_free(uint32_t ip)
{
	struct sockaddr_in	 sin;
	int			 fd, ok;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(su_cfg.exporter_port);
	sin.sin_addr.s_addr = htonl(ip);
	ok = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return ok;
}

/* The next unused simulated address, or 0. */
static uint32_t
alloc_ip(void)
{
	uint32_t	 ip;
	int		 tries;

	if (next_ip == 0)
		next_ip = su_cfg.ip_base;
	for (tries = 0; tries < 4096; tries++) {
		ip = next_ip++;
		if (next_ip > VM_IP_LAST)
			next_ip = VM_IP_FIRST;
		if ((ip & 0xff) == 0 || (ip & 0xff) == 1 ||
		    (ip & 0xff) == 255 || ip < VM_IP_FIRST || ip > VM_IP_LAST)
			continue;
		if (ip_free(ip))
			return ip;
	}
	return 0;
}

struct vm *
vm_new(const char *name, const struct cat_type *t, const struct cat_loc *l,
    int64_t image_id, const char *user_data)
{
	struct vm	*v;
	struct in_addr	 a;
	uint32_t	 ip;

	if ((ip = alloc_ip()) == 0)
		return NULL;
	v = xcalloc(1, sizeof(*v));
	v->id = next_id++;
	v->name = xstrdup(name);
	v->status = VM_INITIALIZING;
	v->created = su_wall();
	v->type = t;
	v->loc = l;
	v->image_id = image_id;
	v->disk = t->disk;
	v->disk_used_pct = v->mem_used_pct = -1;
	v->labels = su_jobj();
	v->user_data = user_data ? xstrdup(user_data) : NULL;
	v->has_ipv4 = v->has_ipv6 = 1;
	v->ip4 = ip;
	a.s_addr = htonl(ip);
	inet_ntop(AF_INET, &a, v->ip4s, sizeof(v->ip4s));
	seq++;
	snprintf(v->ip6net, sizeof(v->ip6net), "2001:db8:%x:%x::/64",
	    0x1000 + (seq >> 16), seq & 0xffff);
	snprintf(v->ip6, sizeof(v->ip6), "2001:db8:%x:%x::1",
	    0x1000 + (seq >> 16), seq & 0xffff);
	v->ip4_id = next_ip_id++;
	v->ip6_id = next_ip_id++;
	v->fresh = 1;
	v->boot_state = "pending";
	v->cb_state = "pending";
	v->next = vms;
	vms = v;
	nvms++;
	return v;
}

/* Stop what the OS runs: exporter, agent, callback, pending boot. */
static void
os_down(struct vm *v)
{
	loop_timer_cancel(&v->boot_timer);
	loop_timer_cancel(&v->acpi_timer);
	if (v->setup_timer.idx != 0) {
		/* powered off before the first-boot work was done */
		loop_timer_cancel(&v->setup_timer);
		v->cb_state = "interrupted";
	}
	loop_timer_cancel(&v->pool_timer);
	exp_stop(v->exporter);
	v->exporter = NULL;
	if (v->cb != NULL) {
		cb_cancel(v->cb);
		v->cb = NULL;
		v->cb_state = "interrupted";
	}
	if (v->agent_pid > 0)
		ag_stop(v->agent_pid);
	v->booted_at = 0;
}

static void	ready_call(struct vm *);
static void	agent_start(struct vm *);
static void	pool_poll(void *);

/* The first-boot work (och-setup) is done: the agent starts, or calls. */
static void
setup_done(void *arg)
{
	if (su_cfg.agent != NULL)
		agent_start(arg);
	else
		ready_call(arg);
}

/* Seconds of first-boot work before the ready call (latency profile). */
static double
setup_seconds(const struct vm *v)
{
	return vm_image_prebuilt(v->image_id) ? su_cfg.setup_prebuilt :
	    su_cfg.setup_bare;
}

/*
 * Warm pool mode: the ready call answered {"pool":true,...}.  Waiting:
 * poll poll_url with the pool token; discarded: nothing more.
 */
static void
pool_answer(struct vm *v, const cJSON *j)
{
	const cJSON	*st, *tok, *url, *ps;

	st = cJSON_GetObjectItemCaseSensitive(j, "state");
	tok = cJSON_GetObjectItemCaseSensitive(j, "pool_token");
	url = cJSON_GetObjectItemCaseSensitive(j, "poll_url");
	ps = cJSON_GetObjectItemCaseSensitive(j, "poll_seconds");
	if (!cJSON_IsString(st) || strcmp(st->valuestring, "waiting") != 0 ||
	    !cJSON_IsString(tok) || !cJSON_IsString(url)) {
		v->cb_state = "pool_discarded";
		return;
	}
	xfree_secret(v->pool_token);
	v->pool_token = xstrdup(tok->valuestring);
	free(v->pool_url);
	v->pool_url = xstrdup(url->valuestring);
	v->pool_poll = cJSON_IsNumber(ps) && ps->valuedouble > 0 &&
	    ps->valuedouble < 600 ? ps->valuedouble : 1;
	v->cb_state = "pool_waiting";
	loop_timer_at(&v->pool_timer, su_mono() + v->pool_poll, pool_poll, v);
}

static void
pool_report(void *arg, const struct cb_result *r)
{
	struct vm	*v = arg;
	cJSON		*j;
	const cJSON	*st, *tok;

	v->cb_status = r->status;
	if (!r->final)
		return;
	v->cb = NULL;
	v->pool_polls++;
	if (!r->ok) {
		if (r->status >= 400 && r->status < 500 && r->status != 429) {
			v->cb_state = "pool_refused";
			return;
		}
		loop_timer_at(&v->pool_timer, su_mono() + v->pool_poll,
		    pool_poll, v);
		return;
	}
	j = cJSON_ParseWithLength(r->body, r->len);
	st = cJSON_GetObjectItemCaseSensitive(j, "state");
	tok = cJSON_GetObjectItemCaseSensitive(j, "bootstrap_token");
	if (cJSON_IsString(st) && strcmp(st->valuestring, "claimed") == 0 &&
	    cJSON_IsString(tok) && v->ud != NULL) {
		/* the agent applies the customer's config, then ready */
		xfree_secret(v->ud->token);
		v->ud->token = xstrdup(tok->valuestring);
		explicit_bzero(tok->valuestring, strlen(tok->valuestring));
		v->cb_state = "pool_claimed";
		log_info("server %lld: claimed from the pool",
		    (long long)v->id);
		loop_timer_at(&v->setup_timer, su_mono() + su_cfg.claim_delay,
		    setup_done, v);
	} else
		loop_timer_at(&v->pool_timer, su_mono() + v->pool_poll,
		    pool_poll, v);
	cJSON_Delete(j);
}

static void
pool_poll(void *arg)
{
	struct vm	*v = arg;

	if (v->pool_url == NULL || v->pool_token == NULL || v->cb != NULL)
		return;
	v->cb = cb_post_json_auth(v->pool_url, "{}", v->pool_token, v->ip4s,
	    3, pool_report, v);
	if (v->cb == NULL)
		v->cb_state = "pool_refused";
}

/*
 * What the agent does with the answer of ready that the simulator can
 * see from outside: node_exporter gets basic auth for user "och" with
 * secrets.node_exporter_password.
 */
static void
ready_answer(struct vm *v, const struct cb_result *r)
{
	cJSON	*j, *s, *pw;

	if ((j = cJSON_ParseWithLength(r->body, r->len)) == NULL)
		return;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "pool"))) {
		pool_answer(v, j);
		cJSON_Delete(j);
		return;
	}
	s = cJSON_GetObjectItemCaseSensitive(j, "secrets");
	pw = cJSON_GetObjectItemCaseSensitive(s, "node_exporter_password");
	if (cJSON_IsString(pw) && strlen(pw->valuestring) >= 8 &&
	    strlen(pw->valuestring) <= 512) {
		SHA256((unsigned char *)pw->valuestring,
		    strlen(pw->valuestring), v->ne_pw);
		v->ne_pw_set = 1;
		explicit_bzero(pw->valuestring, strlen(pw->valuestring));
	}
	cJSON_Delete(j);
}

static void
cb_report(void *arg, const struct cb_result *r)
{
	struct vm	*v = arg;

	v->cb_attempts = r->attempts;
	v->cb_status = r->status;
	free(v->cb_error);
	v->cb_error = r->error ? xstrdup(r->error) : NULL;
	if (r->ok) {
		v->cb_state = "ok";
		ready_answer(v, r);
	}
	else
		v->cb_state = r->final ? "failed" : "retrying";
	if (r->final) {
		v->cb = NULL;
		log_info("server %lld: ready callback %s (HTTP %ld, %d "
		    "attempt%s)%s%s", (long long)v->id, v->cb_state, r->status,
		    r->attempts, r->attempts == 1 ? "" : "s",
		    r->error ? ": " : "", r->error ? r->error : "");
	}
}

/* The ready call: POST <OCH_API_URL>/api/v1/agent/ready. */
static void
ready_call(struct vm *v)
{
	cJSON	*body, *setup;
	char	*s;
	size_t	 n;

	if (v->ud->env_error != NULL) {
		v->cb_state = "none";
		free(v->cb_error);
		v->cb_error = xstrdup(v->ud->env_error);
		return;
	}
	free(v->cb_url);
	n = strlen(v->ud->api_url);
	while (n > 0 && v->ud->api_url[n - 1] == '/')
		n--;
	v->cb_url = xasprintf("%.*s/api/v1/agent/ready", (int)n,
	    v->ud->api_url);
	body = su_jobj();
	su_jstr(body, "bootstrap_token", v->ud->token);
	su_jstr(body, "agent_version", "1");
	if (v->tls != NULL)
		su_jstr(body, "exporter_pin", xt_key_pin(v->tls));
	setup = su_jobj();
	su_jbool(setup, "ok", 1);
	su_jstr(setup, "step", "finished");
	su_jbool(setup, "prebuilt", vm_image_prebuilt(v->image_id));
	su_jnum(setup, "at", floor(su_wall()));
	cJSON_AddItemToObject(body, "setup", setup);
	s = su_jprint(body);
	cJSON_Delete(body);
	v->cb = cb_post_json(v->cb_url, s, v->ip4s, VM_CB_ATTEMPTS,
	    cb_report, v);
	explicit_bzero(s, strlen(s));
	free(s);
	if (v->cb == NULL) {
		v->cb_state = "failed";
		free(v->cb_error);
		v->cb_error = xstrdup("the URL was refused");
	} else
		v->cb_state = "sending";
}

/* Agent mode: start the agent in the server's folder. */
static void
agent_start(struct vm *v)
{
	char	*env[16], *log;
	int	 i = 0;

	if (v->agent_pid > 0)
		return;
	env[i++] = xasprintf("OCH_AGENT_DIR=%s", v->dir);
	env[i++] = xasprintf("OCH_AGENT_ROOT=%s/root", v->dir);
	env[i++] = xasprintf("OCH_API_URL=%s", v->ud->api_url ?
	    v->ud->api_url : "");
	env[i++] = xasprintf("OCH_BOOTSTRAP_TOKEN=%s", v->ud->token ?
	    v->ud->token : "");
	env[i++] = xasprintf("OCH_SERVER_ID=%lld", (long long)v->id);
	env[i++] = xasprintf("OCH_SERVER_NAME=%s", v->name);
	env[i++] = xasprintf("OCH_SERVER_IPV4=%s", v->ip4s);
	env[i++] = xasprintf("OCH_SERVER_IPV6=%s", v->ip6);
	env[i++] = xasprintf("OCH_FIRST_BOOT=%d", v->boots == 1);
	env[i++] = xasprintf("OCH_BOOTSTRAP_ENV=%s/root%s", v->dir,
	    UD_BOOTSTRAP_PATH);
	env[i++] = xasprintf("OCH_NODE_EXPORTER_WEB_CONFIG=%s/root%s", v->dir,
	    UD_WEBYML_PATH);
	env[i] = NULL;
	log = xasprintf("%s/agent.log", v->dir);
	v->agent_pid = ag_spawn(su_cfg.agent, v->dir, env, log);
	if (v->agent_pid > 0) {
		v->agent_starts++;
		v->cb_state = "agent";
	} else
		v->agent_pid = 0;
	free(log);
	while (i-- > 0)
		xfree_secret(env[i]);
}

/* Agent mode: a fresh folder with the files cloud-init wrote. */
static int
agent_dir(struct vm *v)
{
	char	*root, *why = NULL;

	if (v->dir == NULL)
		v->dir = xasprintf("%s/servers/%lld", su_cfg.state_dir,
		    (long long)v->id);
	su_rm_rf(v->dir);
	root = xasprintf("%s/root", v->dir);
	if ((mkdir(v->dir, 0700) == -1 && errno != EEXIST) ||
	    (mkdir(root, 0755) == -1 && errno != EEXIST)) {
		free(v->boot_reason);
		v->boot_reason = xasprintf("mkdir '%s': %s", root,
		    strerror(errno));
		free(root);
		return -1;
	}
	if (sud_materialize(v->ud, root, &why) == -1) {
		free(v->boot_reason);
		v->boot_reason = why;
		free(root);
		return -1;
	}
	free(root);
	return 0;
}

/* The OS finished booting (boot timer). */
static void
booted(void *arg)
{
	struct vm	*v = arg;
	char		*why = NULL;

	v->booted_at = su_wall();
	v->boots++;
	if (v->fresh) {
		/* cloud-init's per-instance run on a new disk */
		v->fresh = 0;
		sud_free(v->ud);
		v->ud = sud_parse(v->user_data, v->user_data ?
		    strlen(v->user_data) : 0, &why);
		free(v->boot_reason);
		v->boot_reason = why;
		if (v->ud == NULL) {
			v->boot_state = "refused";
			v->cb_state = "none";
			log_info("server %lld: user-data refused: %s",
			    (long long)v->id, why);
			return;
		}
		if ((su_cfg.agent != NULL && agent_dir(v) == -1) ||
		    vm_tls_key(v) == -1) {
			v->boot_state = "failed";
			log_warn("server %lld: %s", (long long)v->id,
			    v->boot_reason);
			return;
		}
	}
	if (v->ud == NULL)
		return;		/* nothing was installed */
	v->boot_state = "booted";
	free(v->exp_error);
	v->exp_error = NULL;
	if ((v->exporter = exp_start(v, &why)) == NULL) {
		v->exp_error = why;
		log_warn("server %lld: exporter: %s", (long long)v->id, why);
	}
	if (v->boots == 1 && vm_image_boot(v))
		return;
	if (su_cfg.agent != NULL && v->boots == 1)
		loop_timer_at(&v->setup_timer, su_mono() + setup_seconds(v),
		    setup_done, v);	/* och-setup runs first */
	else if (su_cfg.agent != NULL)
		agent_start(v);
	else if (v->pool_token != NULL && strcmp(v->cb_state,
	    "pool_waiting") == 0)
		loop_timer_at(&v->pool_timer, su_mono() + v->pool_poll,
		    pool_poll, v);	/* still in the pool after a reboot */
	else if (v->boots == 1 || strcmp(v->cb_state, "interrupted") == 0)
		/* per instance, after the first-boot work (installs) */
		loop_timer_at(&v->setup_timer, su_mono() + setup_seconds(v),
		    setup_done, v);
}

void
vm_power_on(struct vm *v)
{
	v->status = VM_RUNNING;
	if (v->boot_timer.idx == 0 && v->booted_at == 0)
		loop_timer_at(&v->boot_timer, su_mono() + su_cfg.boot_delay,
		    booted, v);
}

void
vm_power_off(struct vm *v, enum vm_status st)
{
	os_down(v);
	v->status = st;
}

static void
acpi_off(void *arg)
{
	struct vm	*v = arg;

	if (v->status == VM_RUNNING)
		vm_power_off(v, VM_OFF);
}

void
vm_acpi_shutdown(struct vm *v)
{
	if (v->status == VM_RUNNING && v->booted_at > 0)
		loop_timer_at(&v->acpi_timer, su_mono() + su_cfg.action_delay,
		    acpi_off, v);
}

void
vm_reboot(struct vm *v)
{
	if (v->status != VM_RUNNING)
		return;
	os_down(v);
	loop_timer_at(&v->boot_timer, su_mono() + su_cfg.boot_delay, booted,
	    v);
}

void
vm_reinstall(struct vm *v, int64_t image_id, const char *user_data)
{
	os_down(v);
	v->image_id = image_id;
	if (user_data != NULL) {
		free(v->user_data);
		v->user_data = xstrdup(user_data);
	}
	sud_free(v->ud);
	v->ud = NULL;
	v->fresh = 1;
	v->boots = 0;
	v->boot_state = "pending";
	v->cb_state = "pending";
	v->cb_attempts = 0;
	v->cb_status = 0;
	free(v->cb_error);
	v->cb_error = NULL;
	v->ne_pw_set = 0;
	explicit_bzero(v->ne_pw, sizeof(v->ne_pw));
	xfree_secret(v->pool_token);
	v->pool_token = NULL;
	xt_key_free(v->tls);	/* a new disk: och-setup makes another */
	v->tls = NULL;
}


static void
vm_free(struct vm *v)
{
	os_down(v);
	if (v->dir != NULL)
		su_rm_rf(v->dir);
	free(v->dir);
	free(v->name);
	cJSON_Delete(v->labels);
	if (v->user_data != NULL) {
		explicit_bzero(v->user_data, strlen(v->user_data));
		free(v->user_data);
	}
	sud_free(v->ud);
	free(v->boot_reason);
	free(v->cb_error);
	free(v->cb_url);
	free(v->exp_error);
	xt_key_free(v->tls);
	cJSON_Delete(v->keys);
	xfree_secret(v->pool_token);
	free(v->pool_url);
	free(v);
}

void
vm_delete(struct vm *v)
{
	struct vm	**pp;

	for (pp = &vms; *pp != NULL; pp = &(*pp)->next)
		if (*pp == v) {
			*pp = v->next;
			nvms--;
			break;
		}
	vm_free(v);
}

void
vm_delete_all(void)
{
	struct vm	*v;

	while ((v = vms) != NULL) {
		vms = v->next;
		vm_free(v);
	}
	nvms = 0;
}

void
vm_agent_exited(pid_t pid, int status)
{
	struct vm	*v;

	for (v = vms; v != NULL; v = v->next)
		if (v->agent_pid == pid) {
			v->agent_pid = 0;
			v->agent_last_exit = status;
			log_info("server %lld: agent exited with %d",
			    (long long)v->id, status);
		}
}

double
vm_disk_avail(const struct vm *v, double up)
{
	if (v->disk_used_pct >= 0)
		return 1 - v->disk_used_pct / 100;
	return 0.82 - 0.1 * up / (up + 86400.0);
}

double
vm_mem_avail(const struct vm *v, double up, double phase)
{
	if (v->mem_used_pct >= 0)
		return 1 - v->mem_used_pct / 100;
	return 0.6 + 0.15 * sin(up / 300 + phase);
}

cJSON *
vm_json(const struct vm *v)
{
	cJSON	*o, *s, *u;
	size_t	 i;

	o = su_jobj();
	su_jnum(o, "id", v->id);
	su_jstr(o, "name", v->name);
	su_jstr(o, "status", vm_status_name(v->status));
	su_jstr(o, "ipv4", v->ip4s);
	su_jstr(o, "ipv6", v->ip6);
	su_jstr(o, "ipv6_net", v->ip6net);
	su_jstr(o, "server_type", v->type->name);
	su_jstr(o, "location", v->loc->name);
	su_jnum(o, "image", v->image_id);
	cJSON_AddItemToObject(o, "labels", cJSON_Duplicate(v->labels, 1));
	su_jtime(o, "created", v->created);
	su_jnum(o, "user_data_bytes", v->user_data ? strlen(v->user_data) :
	    0);

	s = su_jobj();
	su_jstr(s, "state", v->boot_state);
	su_jstr_or_null(s, "reason", v->boot_reason);
	su_jnum(s, "boots", v->boots);
	if (v->booted_at > 0) {
		/* the control API measures latencies: microseconds */
		char	 ts[40];

		su_rfc3339us(ts, v->booted_at);
		su_jstr(s, "booted_at", ts);
	} else
		su_jnull(s, "booted_at");
	cJSON_AddItemToObject(o, "boot", s);

	s = su_jobj();
	su_jstr(s, "state", v->cb_state ? v->cb_state : "pending");
	su_jstr_or_null(s, "url", v->cb_url);
	su_jnum(s, "attempts", v->cb_attempts);
	su_jnum(s, "status", v->cb_status);
	su_jstr_or_null(s, "error", v->cb_error);
	su_jnum(s, "pool_polls", v->pool_polls);
	su_jbool(s, "prebuilt", vm_image_prebuilt(v->image_id));
	cJSON_AddItemToObject(o, "callback", s);

	s = su_jobj();
	su_jbool(s, "listening", v->exporter != NULL);
	if (v->exporter != NULL) {
		char	 addr[40];

		snprintf(addr, sizeof(addr), "%s:%d", v->ip4s,
		    su_cfg.exporter_port);
		su_jstr(s, "address", addr);
	} else
		su_jnull(s, "address");
	su_jbool(s, "auth", v->ne_pw_set || (v->ud != NULL && v->ud->auth));
	su_jbool(s, "password_from_ready", v->ne_pw_set);
	u = su_jarr();
	for (i = 0; v->ud != NULL && i < v->ud->nusers; i++)
		cJSON_AddItemToArray(u, cJSON_CreateString(
		    v->ud->users[i].name));
	cJSON_AddItemToObject(s, "users", u);
	su_jstr_or_null(s, "error", v->exp_error);
	su_jnum(s, "scrapes", v->scrapes);
	su_jbool(s, "tls", v->tls != NULL);
	su_jstr_or_null(s, "pin", v->tls != NULL ? xt_key_pin(v->tls) : NULL);
	su_jnum(s, "connections", v->exp_conns);
	su_jnum(s, "requests", v->exp_requests);
	su_jnum(s, "requests_with_credentials", v->exp_auth);
	cJSON_AddItemToObject(o, "exporter", s);

	s = su_jobj();
	if (v->disk_used_pct >= 0)
		cJSON_AddNumberToObject(s, "disk_used_pct", v->disk_used_pct);
	else
		su_jnull(s, "disk_used_pct");
	if (v->mem_used_pct >= 0)
		cJSON_AddNumberToObject(s, "mem_used_pct", v->mem_used_pct);
	else
		su_jnull(s, "mem_used_pct");
	cJSON_AddItemToObject(o, "usage", s);

	s = su_jobj();
	su_jnum(s, "pid", v->agent_pid);
	su_jbool(s, "running", v->agent_pid > 0);
	su_jnum(s, "starts", v->agent_starts);
	su_jnum(s, "last_exit", v->agent_last_exit);
	su_jstr_or_null(s, "dir", v->dir);
	cJSON_AddItemToObject(o, "agent", s);

	s = su_jarr();
	for (i = 0; v->ud != NULL && i < v->ud->nfiles; i++)
		cJSON_AddItemToArray(s, cJSON_CreateString(
		    v->ud->files[i].path));
	cJSON_AddItemToObject(o, "files", s);
	return o;
}
