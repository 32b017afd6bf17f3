/*
 * recon_effects.c: the reconciler's calls to Hetzner and Cloudflare
 * (recon_int.h): pacing to Hetzner's rate limit, the servers, records
 * and snapshots found by the instance's label or name and deleted, the
 * power actions issued and waited for.  Failures come back as a
 * prov_err; what to do about one is recon_upstream_failed()'s
 * (recon_store.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetnet.h"
#include "inst.h"
#include "log.h"
#include "recon_int.h"
#include "userdata.h"

static int
is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* Sleep ms milliseconds, at most until the deadline. */
static void
nap(const struct recon *r, long long ms)
{
	struct timespec	 ts;
	time_t		 now = time(NULL);

	if (r->deadline != 0 && now + ms / 1000 >= r->deadline)
		ms = r->deadline > now ? (long long)(r->deadline - now) * 1000 :
		    0;
	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Before every Hetzner request: keep the lease and pace to the project's
 * rate limit (the headers of the last answer, shared by all instances).
 */
void
recon_before_hz(struct recon *r, const struct ri *in)
{
	long long	 ms;
	time_t		 now = time(NULL);

	if (now - r->claimed_at > r->lease_s / 3 &&
	    recon_renew(r, in) == OCH_OK)
		r->claimed_at = now;
	while ((ms = hz_pace_ms(time(NULL), RECON_HZ_FLOOR)) > 0) {
		if (r->deadline != 0 && time(NULL) >= r->deadline)
			break;
		if (now - r->paced_log >= 10) {
			log_warn("hetzner rate limit low: pausing %lld ms", ms);
			r->paced_log = now;
		}
		nap(r, ms > 5000 ? 5000 : ms);
	}
}

void
recon_our_err(struct prov_err *e, int retryable, const char *code,
    const char *msg)
{
	hcl_perr_init(e, "poller");
	hcl_perr_set(e, retryable ? OCH_EUPSTREAM : OCH_EINVAL, retryable,
	    code, "%s", msg);
}

/*
 * The servers labelled for the instance that are not being deleted;
 * *n of them in out (lowest id first).  *deleting counts the others.
 */
enum och_err
recon_find_servers(struct recon *r, const struct ri *in, struct hz_server *out,
    size_t *n, size_t *deleting, struct prov_err *e)
{
	struct hz_server	 all[RI_MAX_SERVERS], t;
	size_t			 total, i, j;
	enum och_err		 rc;

	recon_before_hz(r, in);
	rc = hz_server_find_instance(r->hz, in->id, all, RI_MAX_SERVERS,
	    &total, e);
	*n = 0;
	if (deleting != NULL)
		*deleting = 0;
	if (rc != OCH_OK)
		return rc;
	if (total > RI_MAX_SERVERS)
		total = RI_MAX_SERVERS;
	for (i = 0; i < total; i++) {
		if (is(all[i].status, "deleting")) {
			if (deleting != NULL)
				(*deleting)++;
			continue;
		}
		out[(*n)++] = all[i];
	}
	for (i = 1; i < *n; i++)
		for (j = i; j > 0 && out[j].id < out[j - 1].id; j--) {
			t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return OCH_OK;
}

enum och_err
recon_delete_servers(struct recon *r, const struct ri *in, size_t *left,
    struct prov_err *e)
{
	struct hz_server	 s[RI_MAX_SERVERS];
	size_t			 n, deleting, i;
	enum och_err		 rc;

	*left = 0;
	if ((rc = recon_find_servers(r, in, s, &n, &deleting, e)) != OCH_OK)
		return rc;
	*left = deleting;
	for (i = 0; i < n; i++) {
		recon_before_hz(r, in);
		rc = hz_server_delete(r->hz, s[i].id, NULL, e);
		if (rc != OCH_OK && rc != OCH_ENOTFOUND)
			return rc;
		if (rc == OCH_OK)
			(*left)++;
		log_info("instance %s: server %" PRId64 " deleted", in->id,
		    s[i].id);
	}
	hcl_perr_init(e, "hetzner");
	return OCH_OK;
}

/* Delete every DNS record named <slug>.<domain>. */
enum och_err
recon_delete_records(struct recon *r, const struct ri *in,
    struct prov_err *e)
{
	struct cf_record	 rec[RI_MAX_RECORDS];
	size_t			 n, i;
	char			*host;
	enum och_err		 rc;

	host = inst_hostname(in->slug, r->cfg);
	rc = cf_record_list(r->cf, host, NULL, rec, RI_MAX_RECORDS, &n, e);
	free(host);
	if (rc != OCH_OK)
		return rc;
	if (n > RI_MAX_RECORDS)
		n = RI_MAX_RECORDS;
	for (i = 0; i < n; i++) {
		rc = cf_record_delete(r->cf, rec[i].id, e);
		if (rc != OCH_OK && rc != OCH_ENOTFOUND)
			return rc;
	}
	hcl_perr_init(e, "cloudflare");
	return OCH_OK;
}

/* Delete the snapshots labelled for the instance. */
enum och_err
recon_delete_images(struct recon *r, const struct ri *in, struct prov_err *e)
{
	struct hz_image	 img[RI_MAX_IMAGES];
	size_t		 n, i;
	char		*sel;
	enum och_err	 rc;

	sel = xasprintf("%s=%s", HZ_LABEL, in->id);
	recon_before_hz(r, in);
	rc = hz_image_list(r->hz, sel, img, RI_MAX_IMAGES, &n, e);
	free(sel);
	if (rc != OCH_OK)
		return rc;
	if (n > RI_MAX_IMAGES)
		n = RI_MAX_IMAGES;
	for (i = 0; i < n; i++) {
		recon_before_hz(r, in);
		rc = hz_image_delete(r->hz, img[i].id, e);
		if (rc != OCH_OK && rc != OCH_ENOTFOUND)
			return rc;
	}
	hcl_perr_init(e, "hetzner");
	return OCH_OK;
}

enum och_err
recon_need_server(struct recon *r, struct ri *in, struct prov_err *e)
{
	struct hz_server	 s[RI_MAX_SERVERS];
	size_t			 n;
	enum och_err		 rc;

	if (in->server_id > 0)
		return OCH_OK;
	if ((rc = recon_find_servers(r, in, s, &n, NULL, e)) != OCH_OK)
		return rc;
	if (n == 0) {
		recon_our_err(e, 0, "no_server", "the instance has no server");
		return e->err;
	}
	in->server_id = s[0].id;
	return OCH_OK;
}

/*
 * Wait for the Hetzner action the step issued.  Returns 1 when it
 * succeeded (the step goes on), 0 when the step is over for now (still
 * running: checked again later; failed: retried), -1 on database error.
 */
int
recon_wait_action(struct recon *r, struct ri *in)
{
	struct hz_action	 a;
	struct prov_err		 e;
	char			 msg[400];

	if (in->action_id == 0)
		return 1;
	recon_before_hz(r, in);
	if (hz_action_get(r->hz, in->action_id, &a, &e) != OCH_OK) {
		if (e.err != OCH_ENOTFOUND)
			return recon_upstream_failed(r, in, &e, "check action",
			    1) == OCH_EDB ? -1 : 0;
		/* forgotten by Hetzner: look at the server instead */
		a.status = HZ_ACTION_SUCCESS;
	}
	switch (a.status) {
	case HZ_ACTION_RUNNING:
		return recon_defer(r, in, recon_poll_ms(r->base_ms, in->age)) ==
		    OCH_EDB ? -1 : 0;
	case HZ_ACTION_ERROR:
		if (recon_action_clear(r, in) == OCH_EDB)
			return -1;
		snprintf(msg, sizeof(msg), "%s (action %" PRId64 ") failed: "
		    "%s %s", in->action, in->action_id, a.error_code,
		    a.error_message);
		in->action_id = 0;
		in->action[0] = '\0';
		hcl_perr_init(&e, "hetzner");
		hcl_perr_set(&e, OCH_EUPSTREAM, 1, "action_failed", "%s", msg);
		return recon_upstream_failed(r, in, &e, "action", 1) ==
		    OCH_EDB ? -1 : 0;
	default:
		if (recon_action_done(r, in) != OCH_OK)
			return -1;
		in->action_id = 0;
		in->attempts = 0;
		return 1;
	}
}

/*
 * Issue a power action and wait for it; state (may be NULL) is the
 * transient state it puts the instance in.
 */
enum och_err
recon_power(struct recon *r, struct ri *in, enum hz_act act,
    const char *state, int since, const char *ret, int clear_action)
{
	struct hz_action	 a;
	struct prov_err		 e;
	const char		*what = recon_act_name(act);

	if (recon_need_server(r, in, &e) != OCH_OK)
		return recon_upstream_failed(r, in, &e, what, 1);
	recon_before_hz(r, in);
	if (hz_server_act(r->hz, in->server_id, act, &a, &e) != OCH_OK)
		return recon_upstream_failed(r, in, &e, what, 1);
	return recon_store_action(r, in, &a, what, state, since, ret,
	    clear_action);
}

char *
recon_user_data(struct recon *r, const struct ri *in, enum och_err *err)
{
	struct ud_instance	 ui;

	ui.id = in->id;
	ui.slug = in->slug;
	ui.plan = in->plan;
	ui.openclaw_version = in->version[0] ? in->version : NULL;
	ui.memory_mb = in->memory_mb;
	ui.plugins = NULL;	/* the plan's */
	return ud_build(r->db, r->cfg, &ui, err);
}
