/*
 * recon.c: the provisioning reconciler's steps (recon.h).
 *
 * One claimed instance is loaded into a struct ri (recon_queue.c);
 * recon_decide() (recon_decide.c) names its next move and step() runs
 * it.  Each step ends in one of three ways: the row moved on (a
 * transition, which releases the lease unless the step continues), the
 * row was rescheduled (defer, retry, failed), or a database error
 * (OCH_EDB: nothing is counted and the lease, which is ours, is taken
 * again on the next claim).  The SQL is recon_store.c's and the provider
 * calls are recon_effects.c's; this file only joins them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleetnet.h"
#include "inst.h"
#include "log.h"
#include "pool.h"
#include "recon_int.h"

static void
copy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src != NULL ? src : "");
}

static int
is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static long long
poll_ms(const struct recon *r, double age)
{
	return recon_poll_ms(r->base_ms, age);
}

static enum och_err	 do_terminating(struct recon *, struct ri *);

/* creating with cleanup: a broken server of an earlier try goes first. */
static enum och_err
create_cleanup(struct recon *r, struct ri *in, int *done)
{
	struct prov_err	 e;
	size_t		 left;
	enum och_err	 err;

	*done = 0;
	if (recon_delete_servers(r, in, &left, &e) != OCH_OK)
		return recon_upstream_failed(r, in, &e, "delete server", 1);
	if (left > 0)
		return recon_defer(r, in, poll_ms(r, 0));
	if (recon_delete_records(r, in, &e) != OCH_OK)
		return recon_upstream_failed(r, in, &e, "delete DNS", 1);
	if ((err = recon_cleaned(r, in)) != OCH_OK)
		return err;
	in->cleanup = 0;
	in->server_id = 0;
	in->dns4[0] = in->dns6[0] = in->ipv4[0] = in->ipv6[0] = '\0';
	in->action_id = 0;
	in->ready = 0;
	*done = 1;
	return OCH_OK;
}

/*
 * Create the server (user-data with a new bootstrap token, the fleet's
 * SSH key and firewall); a uniqueness error is looked up by label.
 * Returns OCH_OK with srv and act; OCH_EDB with *what NULL when the
 * database failed; or another error, described by e and *what.
 */
static enum och_err
create_server(struct recon *r, const struct ri *in, struct hz_server *srv,
    struct hz_action *act, struct prov_err *e, const char **what)
{
	struct hz_server	 s[RI_MAX_SERVERS];
	struct hz_create	 hc;
	char			*ud;
	size_t			 n;
	enum och_err		 rc, err;

	*what = NULL;
	if ((ud = recon_user_data(r, in, &err)) == NULL) {
		if (err == OCH_EDB)
			return err;
		*what = "user-data";
		recon_our_err(e, 0, "user_data",
		    "the user-data does not render");
		return e->err;
	}
	memset(&hc, 0, sizeof(hc));
	/* never without the operator's key and the firewall */
	if ((rc = fleet_ids(r->db, r->cfg, r->hz, &hc.ssh_key_id,
	    &hc.firewall_id, e)) != OCH_OK) {
		xfree_secret(ud);
		*what = rc == OCH_EDB ? NULL : "fleet network";
		return rc;
	}
	*what = "create server";
	hc.name = in->slug;
	hc.server_type = in->server_type;
	hc.image = in->image;
	hc.location = in->location;
	hc.user_data = ud;
	hc.instance = in->id;
	hc.start_after_create = 1;
	recon_before_hz(r, in);
	rc = hz_server_create(r->hz, &hc, srv, act, e);
	xfree_secret(ud);
	if (rc == OCH_OK || !hcl_perr_is(e, "uniqueness_error"))
		return rc;
	/* created by a request we saw fail? */
	if (recon_find_servers(r, in, s, &n, NULL, e) == OCH_OK && n > 0) {
		*srv = s[0];
		return OCH_OK;
	}
	recon_our_err(e, 0, "uniqueness_error",
	    "a server of this name exists without our label");
	return e->err;
}

/* creating without a server: find it by label, else create it; store. */
static enum och_err
create_find_or_make(struct recon *r, struct ri *in, int *done)
{
	struct hz_server	 s[RI_MAX_SERVERS], srv;
	struct hz_action	 act;
	struct prov_err		 e;
	const char		*what;
	char			 v6[64];
	size_t			 n;
	enum och_err		 rc, err;
	int			 created = 0;

	*done = 0;
	act.id = 0;
	/* the label first: an earlier error may have created it */
	if (recon_find_servers(r, in, s, &n, NULL, &e) != OCH_OK)
		return recon_upstream_failed(r, in, &e, "look up server", 1);
	if (n > 1)
		log_error("instance %s has %zu servers; using %" PRId64,
		    in->id, n, s[0].id);
	if (n > 0)
		srv = s[0];
	else if ((rc = pool_take(r->db, r->hz, (int)cfg_int(r->cfg,
	    CFG_POOL_STALE_SECONDS, POOL_STALE_SECONDS), in->id, in->slug,
	    in->plan, in->location, in->server_type, in->image, &srv, &e)) !=
	    OCH_ENOTFOUND) {
		/* a warm server (lib/pool.h); else the cold create */
		if (rc != OCH_OK)
			return rc == OCH_EDB ? rc : recon_upstream_failed(r, in,
			    &e, "take pool server", 1);
		created = 2;
	} else {
		rc = create_server(r, in, &srv, &act, &e, &what);
		if (rc != OCH_OK && what == NULL)
			return rc;
		if (rc != OCH_OK)
			return recon_upstream_failed(r, in, &e, what, 1);
		created = 1;
	}
	if (srv.ipv4[0] == '\0') {
		recon_our_err(&e, 1, "no_ipv4", "the server has no IPv4 yet");
		return recon_upstream_failed(r, in, &e, "server", 1);
	}
	if (srv.ipv6[0] == '\0' || recon_ipv6_host(srv.ipv6, v6, sizeof(v6)) < 0)
		v6[0] = '\0';
	if ((err = recon_store_server(r, in, &srv, v6, act.id, created)) !=
	    OCH_OK) {
		/*
		 * a unique violation is not a lost lease: another instance
		 * row names this server id.  Retrying would only repeat it
		 * (and spend Hetzner's budget), so fail.
		 */
		if (err == OCH_EDB || (err == OCH_ECONFLICT &&
		    strcmp(db_last_sqlstate(r->db), "23505") != 0))
			return err;
		recon_our_err(&e, 0, "server_taken",
		    "the server is recorded for another instance");
		return recon_upstream_failed(r, in, &e, "server", 1);
	}
	in->server_id = srv.id;
	copy(in->ipv4, sizeof(in->ipv4), srv.ipv4);
	copy(in->ipv6, sizeof(in->ipv6), v6);
	in->action_id = act.id;
	copy(in->action, sizeof(in->action), act.id > 0 ? "create_server" :
	    "");
	in->attempts = 0;
	*done = 1;
	return OCH_OK;
}

/* The A or AAAA record <slug>.<domain> (a duplicate is looked up). */
static enum och_err
create_record(struct recon *r, struct ri *in, const char *type,
    const char *host, int *done)
{
	struct cf_record	 rec;
	struct prov_err		 e;
	const char		*addr;
	char			 what[32];
	enum och_err		 err;
	int			 a = is(type, "A");

	*done = 0;
	addr = a ? in->ipv4 : in->ipv6;
	if (cf_record_ensure(r->cf, type, host, addr, RECON_DNS_TTL, &rec,
	    &e) != OCH_OK) {
		snprintf(what, sizeof(what), "DNS %s record", type);
		return recon_upstream_failed(r, in, &e, what, 1);
	}
	if ((err = recon_store_dns(r, in, type, host, addr, rec.id)) !=
	    OCH_OK)
		return err;
	if (a)
		copy(in->dns4, sizeof(in->dns4), rec.id);
	else
		copy(in->dns6, sizeof(in->dns6), rec.id);
	in->attempts = 0;
	*done = 1;
	return OCH_OK;
}

/* booting, unless the VPS called ready already (API saw creating). */
static enum och_err
create_done(struct recon *r, struct ri *in)
{
	struct tr	 t;
	char		 cur[16];
	enum och_err	 err;
	double		 age;
	int		 own, ready;

	if ((err = recon_tx_begin(r, &own)) != OCH_OK)
		return err;
	if ((err = recon_lock_row(r, in, cur, sizeof(cur), &ready, &age)) !=
	    OCH_OK)
		return recon_tx_end(r, own, err);
	if (!is(cur, "creating"))
		return recon_tx_end(r, own, OCH_ECONFLICT);
	if (ready) {
		err = recon_tx_end(r, own, recon_activate(r, in));
		if (err == OCH_OK)
			log_info("instance %s: creating -> active (the VPS was "
			    "ready first)", in->id);
		return err;
	}
	memset(&t, 0, sizeof(t));
	t.state = "booting";
	t.since = 1;
	t.release = 1;
	/*
	 * the create action once, when Hetzner should be done with it
	 * (polling it while it runs spent 7-12 requests an order), else
	 * the boot timeout; the VPS's ready call usually comes first
	 */
	t.delay_ms = r->boot_timeout * 1000;
	if (in->action_id > 0 && (long long)r->create_ms < t.delay_ms)
		t.delay_ms = r->create_ms;
	t.action_id = in->action_id;
	t.action = in->action_id > 0 ? "create_server" : NULL;
	t.message = "waiting for the VPS to call ready";
	return recon_tx_end(r, own, recon_transition(r, in, &t));
}

/* Create (or find) the server, then the DNS records, then booting. */
static enum och_err
do_creating(struct recon *r, struct ri *in)
{
	char		*host;
	enum och_err	 err = OCH_OK;
	int		 done = 1;

	if (in->cleanup)
		err = create_cleanup(r, in, &done);
	if (err == OCH_OK && done && in->server_id == 0)
		err = create_find_or_make(r, in, &done);
	if (err != OCH_OK || !done)
		return err;
	host = inst_hostname(in->slug, r->cfg);
	if (in->dns4[0] == '\0')
		err = create_record(r, in, "A", host, &done);
	if (err == OCH_OK && done && in->ipv6[0] != '\0' &&
	    in->dns6[0] == '\0')
		err = create_record(r, in, "AAAA", host, &done);
	free(host);
	if (err != OCH_OK || !done)
		return err;
	return create_done(r, in);
}

/*
 * booting/rebuilding: the create or rebuild action, checked until it
 * is done; one that failed is issued again (or the server recreated).
 */
static enum och_err
boot_action(struct recon *r, struct ri *in, long long left)
{
	struct hz_action	 a;
	struct prov_err		 e;
	struct tr		 t;
	char			 why[400];
	long long		 wait;
	enum och_err		 err, rc;

	wait = poll_ms(r, in->age) < left ? poll_ms(r, in->age) : left;
	recon_before_hz(r, in);
	if ((rc = hz_action_get(r->hz, in->action_id, &a, &e)) != OCH_OK) {
		if (rc != OCH_ENOTFOUND) {
			hcl_perr_log(&e, "check action");
			return recon_defer(r, in, wait);
		}
		a.status = HZ_ACTION_SUCCESS;
	}
	if (a.status == HZ_ACTION_RUNNING)
		return recon_defer(r, in, wait);
	if (a.status == HZ_ACTION_SUCCESS) {
		if ((err = recon_action_done(r, in)) != OCH_OK)
			return err;
		return recon_defer(r, in, left);
	}
	snprintf(why, sizeof(why), "%s (action %" PRId64 ") failed: %s %s",
	    in->action, in->action_id, a.error_code, a.error_message);
	switch (recon_action_failed(in, r->max_attempts)) {
	case RR_FAIL:
		return recon_fail(r, in, why);
	case RR_REISSUE:
		if ((err = recon_action_clear(r, in)) != OCH_OK)
			return err;
		hcl_perr_init(&e, "hetzner");
		hcl_perr_set(&e, OCH_EUPSTREAM, 1, "action_failed", "%s", why);
		return recon_upstream_failed(r, in, &e, "rebuild", 1);
	default:
		/* a server whose create failed: delete it, create another */
		memset(&t, 0, sizeof(t));
		t.state = "creating";
		t.since = 1;
		t.release = 1;
		t.clear_ready = 1;
		t.cleanup = 1;
		t.count = 1;
		t.message = why;
		return recon_transition(r, in, &t);
	}
}

/*
 * booting and rebuilding: the ready call (API) activates the instance;
 * here only the create/rebuild action and the boot timeout are checked.
 */
static enum och_err
do_booting(struct recon *r, struct ri *in)
{
	char		 cur[16], why[400];
	enum och_err	 err;
	double		 age;
	int		 own, ready;

	if ((err = recon_tx_begin(r, &own)) != OCH_OK)
		return err;
	if ((err = recon_lock_row(r, in, cur, sizeof(cur), &ready, &age)) !=
	    OCH_OK)
		return recon_tx_end(r, own, err);
	switch (recon_boot_check(in, cur, ready, age, r->boot_timeout)) {
	case RB_MOVED:
		/* the ready call moved it meanwhile */
		return recon_tx_end(r, own, recon_release(r, in->id));
	case RB_ACTIVATE:
		return recon_tx_end(r, own, recon_activate(r, in));
	case RB_TIMEOUT:
		snprintf(why, sizeof(why), "server did not boot within %ld s",
		    r->boot_timeout);
		return recon_tx_end(r, own, recon_fail(r, in, why));
	case RB_CHECK:
		break;
	}
	if ((err = recon_tx_end(r, own, OCH_OK)) != OCH_OK)
		return err;
	in->age = age;
	if (in->action_id == 0)
		return recon_defer(r, in, (long long)(((double)r->boot_timeout -
		    age) * 1000.0) + 50);
	return boot_action(r, in, (long long)(((double)r->boot_timeout - age) *
	    1000.0) + 50);
}

/* rebuilding: issue the rebuild with fresh user-data, then as booting. */
static enum och_err
do_rebuilding(struct recon *r, struct ri *in)
{
	struct hz_action	 a;
	struct prov_err		 e;
	char			*ud;
	enum och_err		 err, rc;

	if (is(in->action, "rebuild"))
		return do_booting(r, in);
	if (recon_need_server(r, in, &e) != OCH_OK)
		return recon_upstream_failed(r, in, &e, "rebuild", 1);
	if ((ud = recon_user_data(r, in, &err)) == NULL) {
		if (err == OCH_EDB)
			return err;
		recon_our_err(&e, 0, "user_data",
		    "the user-data does not render");
		return recon_upstream_failed(r, in, &e, "user-data", 1);
	}
	recon_before_hz(r, in);
	rc = hz_server_rebuild(r->hz, in->server_id, in->image, ud, &a, &e);
	xfree_secret(ud);
	if (rc != OCH_OK)
		return recon_upstream_failed(r, in, &e, "rebuild", 1);
	return recon_store_action(r, in, &a, "rebuild", NULL, 1, NULL, 0);
}

/* suspending, resuming, rebooting: the action, then the stable state. */
static enum och_err
do_power(struct recon *r, struct ri *in)
{
	struct tr	 t;
	enum hz_act	 act;
	const char	*final, *mail;
	int		 w;

	if (recon_power_plan(in->state, &act, &final, &mail) < 0)
		return recon_release(r, in->id);
	if (!is(in->action, recon_act_name(act)))
		/* not issued yet, or it failed: (again) */
		return recon_power(r, in, act, NULL, 0, NULL, 0);
	if ((w = recon_wait_action(r, in)) <= 0)
		return w < 0 ? OCH_EDB : OCH_OK;
	memset(&t, 0, sizeof(t));
	t.state = final;
	t.release = 1;
	t.message = recon_act_name(act);
	t.email = mail;
	return recon_transition(r, in, &t);
}

/* resizing (a plan change): see recon_resize_next(). */
static enum och_err
do_resizing(struct recon *r, struct ri *in)
{
	struct hz_server	 srv;
	struct hz_action	 a;
	struct prov_err		 e;
	struct tr		 t;
	const char		*target = recon_resize_target(in);
	char			 msg[128];
	int			 w;

	if ((w = recon_wait_action(r, in)) <= 0)
		return w < 0 ? OCH_EDB : OCH_OK;
	if (recon_need_server(r, in, &e) != OCH_OK)
		return recon_upstream_failed(r, in, &e, "change plan", 1);
	recon_before_hz(r, in);
	if (hz_server_get(r->hz, in->server_id, &srv, &e) != OCH_OK)
		return recon_upstream_failed(r, in, &e, "change plan", 1);
	switch (recon_resize_next(in, srv.server_type, srv.status)) {
	case RZ_CHANGE_TYPE:
		recon_before_hz(r, in);
		if (hz_server_change_type(r->hz, in->server_id, target, 0, &a,
		    &e) != OCH_OK)
			return recon_upstream_failed(r, in, &e, "change_type",
			    1);
		return recon_store_action(r, in, &a, "change_type", NULL, 0,
		    NULL, 0);
	case RZ_HARD_OFF:
		return recon_power(r, in, HZ_POWEROFF, NULL, 1, NULL, 0);
	case RZ_SHUTDOWN:
		return recon_power(r, in, HZ_SHUTDOWN, NULL, 1, NULL, 0);
	case RZ_POWERON:
		return recon_power(r, in, HZ_POWERON, NULL, 0, NULL, 0);
	case RZ_POWEROFF:
		return recon_power(r, in, HZ_POWEROFF, NULL, 0, NULL, 0);
	case RZ_WAIT:
		return recon_defer(r, in, poll_ms(r, in->age));
	case RZ_DONE:
		break;
	}
	snprintf(msg, sizeof(msg), "plan %s -> %s (%s)", in->plan,
	    in->pending_plan[0] ? in->pending_plan : in->plan, target);
	memset(&t, 0, sizeof(t));
	t.state = is(in->return_state, "suspended") ? "suspended" : "active";
	t.release = 1;
	t.apply_plan = 1;
	t.kind = "plan.changed";
	t.message = msg;
	return recon_transition(r, in, &t);
}

/* failed with cleanup: delete what the failed create left behind. */
static enum och_err
do_cleanup(struct recon *r, struct ri *in)
{
	struct prov_err	 e;
	size_t		 left;
	enum och_err	 err;
	int		 own;

	if (recon_delete_servers(r, in, &left, &e) != OCH_OK)
		return recon_upstream_failed(r, in, &e,
		    "cleanup: delete server", 0);
	if (left > 0)
		return recon_defer(r, in, poll_ms(r, 0));
	if (recon_delete_records(r, in, &e) != OCH_OK)
		return recon_upstream_failed(r, in, &e, "cleanup: delete DNS",
		    0);
	if ((err = recon_tx_begin(r, &own)) != OCH_OK)
		return err;
	err = recon_cleaned(r, in);
	if (err == OCH_OK)
		err = recon_event(r, in, "cleanup.done", NULL,
		    "server and DNS records of the failed create deleted");
	if (err == OCH_OK)
		err = recon_release(r, in->id);
	if ((err = recon_tx_end(r, own, err)) == OCH_OK)
		log_info("instance %s: failed create cleaned up", in->id);
	return err;
}

/* terminating: servers, DNS records, snapshots, secrets, tokens. */
static enum och_err
do_terminating(struct recon *r, struct ri *in)
{
	struct prov_err	 e;
	size_t		 left;

	if (recon_delete_servers(r, in, &left, &e) != OCH_OK)
		return recon_upstream_failed(r, in, &e, "delete server", 1);
	if (left > 0)
		/* come back when Hetzner has finished deleting */
		return recon_defer(r, in, poll_ms(r, in->age));
	if (recon_delete_records(r, in, &e) != OCH_OK)
		return recon_upstream_failed(r, in, &e, "delete DNS", 1);
	if (recon_delete_images(r, in, &e) != OCH_OK)
		return recon_upstream_failed(r, in, &e, "delete snapshots", 1);
	return recon_terminated(r, in);
}

/* A transition that starts a step (since now), then the step itself. */
static enum och_err
start(struct recon *r, struct ri *in, struct tr *t,
    enum och_err (*then)(struct recon *, struct ri *))
{
	enum och_err	 err;

	t->since = 1;
	if ((err = recon_transition(r, in, t)) != OCH_OK)
		return err;
	if (t->return_state != NULL)
		copy(in->return_state, sizeof(in->return_state),
		    t->return_state);
	in->action[0] = '\0';
	in->action_id = 0;
	return then(r, in);
}

static enum och_err
step(struct recon *r, struct ri *in)
{
	struct tr		 t;
	char			 ret[16];

	memset(&t, 0, sizeof(t));
	switch (recon_decide(in)) {
	case RM_RELEASE:
		return recon_release(r, in->id);
	case RM_TERMINATE:
		t.state = "terminating";
		t.clear_action = 1;
		t.message = "termination requested";
		return start(r, in, &t, do_terminating);
	case RM_CLEANUP:
		return do_cleanup(r, in);
	case RM_PICKUP:
		t.state = "creating";
		t.message = "order picked up";
		return start(r, in, &t, do_creating);
	case RM_CREATE:
		return do_creating(r, in);
	case RM_BOOT:
		return do_booting(r, in);
	case RM_REBUILD:
		return do_rebuilding(r, in);
	case RM_POWER:
		return do_power(r, in);
	case RM_RESIZE:
		return do_resizing(r, in);
	case RM_TERMINATING:
		return do_terminating(r, in);
	case RM_SUSPEND:
		return recon_power(r, in, HZ_POWEROFF, "suspending", 1,
		    "active", 0);
	case RM_RESUME:
		return recon_power(r, in, HZ_POWERON, "resuming", 1,
		    "suspended", 0);
	case RM_START_RESIZE:
		copy(ret, sizeof(ret), in->state);
		t.state = "resizing";
		t.return_state = ret;
		t.message = in->pending_plan;
		return start(r, in, &t, do_resizing);
	case RM_REBOOT:
		return recon_power(r, in, HZ_REBOOT, "rebooting", 1, "active",
		    1);
	case RM_START_REBUILD:
		t.state = "rebuilding";
		t.clear_action = 1;
		t.clear_ready = 1;
		t.return_state = "active";
		t.message = "rebuild requested";
		return start(r, in, &t, do_rebuilding);
	case RM_DROP_ACTION:
		return recon_drop_action(r, in);
	default:
		return recon_release(r, in->id);
	}
}

/* ---- the public part ------------------------------------------------ */

struct recon *
recon_new(struct db *db, const struct cfg *c, struct hcl *h, const char *host)
{
	struct recon	*r;
	struct hz	*hz;
	struct cf	*cf;
	long long	 timeout;

	if ((hz = hz_from_cfg(h, c)) == NULL) {
		log_error("HETZNER_API_TOKEN is not set");
		return NULL;
	}
	if ((cf = cf_from_cfg(h, c)) == NULL) {
		log_error("CLOUDFLARE_API_TOKEN or CLOUDFLARE_ZONE_ID is not "
		    "set");
		hz_free(hz);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->db = db;
	r->cfg = c;
	r->hz = hz;
	r->cf = cf;
	copy(r->host, sizeof(r->host), host);
	snprintf(r->owner, sizeof(r->owner), "%s:%ld", host, (long)getpid());
	r->max_attempts = (int)cfg_int(c, CFG_POLLER_MAX_ATTEMPTS, 8);
	r->lease_s = (int)cfg_int(c, CFG_POLLER_LEASE_SECONDS,
	    RECON_LEASE_SECONDS);
	r->boot_timeout = (long)cfg_int(c, CFG_BOOT_TIMEOUT, 600);
	r->base_ms = (unsigned)cfg_int(c, CFG_POLLER_BACKOFF_MS, 1000);
	r->cap_ms = (unsigned)cfg_int(c, CFG_POLLER_BACKOFF_MAX_MS, 60000);
	r->create_ms = (unsigned)cfg_int(c, CFG_HETZNER_CREATE_MS,
	    RECON_CREATE_MS);
	if (r->cap_ms < r->base_ms)
		r->cap_ms = r->base_ms;
	if ((timeout = cfg_int(c, CFG_POLLER_HTTP_TIMEOUT, 0)) > 0)
		hcl_set_timeouts(h, timeout * 1000 < HCL_CONNECT_TIMEOUT_MS ?
		    timeout * 1000 : HCL_CONNECT_TIMEOUT_MS, timeout * 1000);
	return r;
}

void
recon_free(struct recon *r)
{
	if (r == NULL)
		return;
	hz_free(r->hz);
	cf_free(r->cf);
	free(r);
}

const char *
recon_owner(const struct recon *r)
{
	return r->owner;
}

void
recon_set_deadline(struct recon *r, time_t t)
{
	r->deadline = t;
}

int
recon_run_one(struct recon *r)
{
	struct ri	 in;
	char		 id[40];
	enum och_err	 err;

	if ((err = recon_claim(r, id, sizeof(id))) != OCH_OK)
		return err == OCH_ENOTFOUND ? 0 : -1;
	if ((err = recon_load(r, id, &in)) != OCH_OK)
		return err == OCH_ENOTFOUND ? 1 : -1;
	r->claimed_at = time(NULL);
	err = step(r, &in);
	if (db_in_tx(r->db))
		db_rollback(r->db);
	if (err == OCH_EDB)
		return -1;
	/* whatever happened, the lease is not kept past the step */
	return recon_unlock(r, id) == OCH_OK ? 1 : -1;
}
