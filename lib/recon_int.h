/*
 * recon_int.h: the reconciler's parts, shared by its five files only
 * (nothing outside lib/recon*.c includes this):
 *   recon_decide.c  pure decisions: an instance's state and what was
 *                   observed -> the next move (no database, no network;
 *                   unit-tested in t/unit/031-recon-decide.c);
 *   recon_queue.c   which instance runs next: pickup, claim, load, the
 *                   next due time, wake-ups, rescue, retry (SQL);
 *   recon_store.c   the statements a step runs and the functions that
 *                   run them (transitions, history, the lease, the
 *                   emails queued with them);
 *   recon_effects.c the calls to Hetzner and Cloudflare (pacing, label
 *                   lookups, deletes, actions);
 *   recon.c         the steps that join them, and recon_new/run_one.
 */
#ifndef OCH_RECON_INT_H
#define OCH_RECON_INT_H

#include <stdint.h>
#include <time.h>

#include "cloudflare.h"
#include "hetzner.h"
#include "recon.h"

#define RI_MAX_SERVERS	8
#define RI_MAX_RECORDS	16
#define RI_MAX_IMAGES	32
#define RECON_DNS_TTL	60
/*
 * How long Hetzner takes to create a server, ms (HETZNER_CREATE_MS): its
 * create action is checked once after that, not polled while it runs (a
 * server from a snapshot takes about 25 s, from a system image about 10).
 */
#define RECON_CREATE_MS	25000

/* What a step knows about a claimed instance (recon_load()). */
struct ri {
	char		 id[40];
	char		 slug[64];
	char		 state[16];
	char		 desired[16];
	char		 plan[40];
	char		 pending_plan[40];
	char		 pending_action[16];
	char		 server_type[32];	/* of the current plan */
	char		 image[64];
	char		 location[16];
	char		 new_server_type[32];	/* pending plan's */
	int64_t		 server_id;
	char		 ipv4[48];
	char		 ipv6[64];
	char		 dns4[64];
	char		 dns6[64];
	int		 attempts;
	int		 ready;
	double		 age;		/* s since step_since, or -1 */
	int64_t		 action_id;
	char		 action[32];
	char		 return_state[16];
	int		 cleanup;
	char		 email[256];
	char		 failed_state[16];
	char		 version[64];
	long		 memory_mb;
};

struct recon {
	struct db		*db;
	const struct cfg	*cfg;
	struct hz		*hz;
	struct cf		*cf;
	char			 owner[192];
	char			 host[128];
	int			 max_attempts;
	int			 lease_s;	/* POLLER_LEASE_SECONDS */
	long			 boot_timeout;
	unsigned		 base_ms, cap_ms;
	unsigned		 create_ms;	/* HETZNER_CREATE_MS */
	time_t			 deadline;
	time_t			 claimed_at;
	time_t			 paced_log;
};

/* ---- recon_decide.c: pure ------------------------------------------- */

/* What a claimed instance does next (recon_decide()). */
enum recon_move {
	RM_RELEASE,		/* nothing to do: release the lease */
	RM_TERMINATE,		/* -> terminating, then delete everything */
	RM_CLEANUP,		/* failed with cleanup: delete the leftovers */
	RM_PICKUP,		/* pending -> creating, then create */
	RM_CREATE,		/* creating: server, DNS, booting */
	RM_BOOT,		/* booting: the action and the boot timeout */
	RM_REBUILD,		/* rebuilding: issue or watch the rebuild */
	RM_POWER,		/* suspending/resuming/rebooting: the action */
	RM_RESIZE,		/* resizing: the next resize action */
	RM_TERMINATING,		/* terminating: delete everything */
	RM_SUSPEND,		/* active -> suspending (poweroff) */
	RM_RESUME,		/* suspended -> resuming (poweron) */
	RM_START_RESIZE,	/* active|suspended -> resizing */
	RM_REBOOT,		/* active -> rebooting (reboot) */
	RM_START_REBUILD,	/* active -> rebuilding */
	RM_DROP_ACTION,		/* an action that cannot run now: dropped */
	RM__MAX
};

/* The next move of a claimed instance (only state fields are read). */
enum recon_move	 recon_decide(const struct ri *);
/* "release", "terminate", ... (tests and logs); "?" when out of range. */
const char	*recon_move_name(enum recon_move);

/*
 * Where a failed instance resumes (ochctl instances retry): the state;
 * *cleanup set when a failed create must be deleted first; *again the
 * pending action to repeat (or NULL).
 */
const char	*recon_resume_at(const char *state, int *cleanup,
		    const char **again);

/*
 * suspending / resuming / rebooting: the power action, the stable state
 * after it, and the customer email template (or NULL).  Returns 0, or
 * -1 for any other state.
 */
int		 recon_power_plan(const char *state, enum hz_act *act,
		    const char **final, const char **mail);
/* "poweron", "poweroff", "shutdown", "reboot"; "?" otherwise. */
const char	*recon_act_name(enum hz_act);

/* The interval between checks of something slow, growing with its age. */
long long	 recon_poll_ms(unsigned base_ms, double age);

/* The server type a resize ends on (the pending plan's, if known). */
const char	*recon_resize_target(const struct ri *);

/* resizing: what to do next, given the server as Hetzner shows it. */
enum recon_rz {
	RZ_CHANGE_TYPE,		/* off with the old type: change it */
	RZ_HARD_OFF,		/* the shutdown timed out: poweroff */
	RZ_WAIT,		/* check again later */
	RZ_SHUTDOWN,		/* running with the old type: shutdown */
	RZ_POWERON,		/* new type, off, should run */
	RZ_POWEROFF,		/* new type, running, was suspended */
	RZ_DONE			/* new type, power as it should be */
};
enum recon_rz	 recon_resize_next(const struct ri *, const char *srv_type,
		    const char *srv_status);

/* booting/rebuilding, with the row locked: what the API left for us. */
enum recon_boot {
	RB_MOVED,		/* the ready call moved the state meanwhile */
	RB_ACTIVATE,		/* the VPS called ready: activate */
	RB_TIMEOUT,		/* no ready call within the boot timeout */
	RB_CHECK		/* still booting: check the action */
};
enum recon_boot	 recon_boot_check(const struct ri *, const char *cur,
		    int ready, double age, long boot_timeout);

/* booting/rebuilding whose create/rebuild action failed. */
enum recon_redo {
	RR_FAIL,		/* the attempts are spent */
	RR_REISSUE,		/* rebuilding: issue the rebuild again */
	RR_RECREATE		/* creating: delete the server, create again */
};
enum recon_redo	 recon_action_failed(const struct ri *, int max_attempts);

/* A uuid in text form (36 characters, hex and dashes). */
int		 recon_uuid_ok(const char *);

/* ---- recon_queue.c --------------------------------------------------- */

/*
 * Claim one due instance: its id in id (idsz).  Returns OCH_OK,
 * OCH_ENOTFOUND when none is due, or a database error.
 */
enum och_err	 recon_claim(struct recon *, char *id, size_t idsz);
/*
 * Fill in from the claimed row (id, our lease).  Returns OCH_OK,
 * OCH_ENOTFOUND when it is gone or no longer ours, or a database error.
 */
enum och_err	 recon_load(struct recon *, const char *id, struct ri *);

/* ---- recon_store.c: the statements and the records ------------------ */

/* SQL fragments of recon_store.c and recon_queue.c. */
#define MINE	" WHERE id = $1::uuid AND locked_by = $2"
#define RELEASE	" locked_until = NULL, locked_by = NULL"
#define IN_MS(n) " now() + " n "::bigint * interval '1 millisecond'"

/* A transition (see recon_transition()); unnamed fields keep their value. */
struct tr {
	const char	*state;
	int		 since;		/* step_since = now() */
	long long	 delay_ms;	/* due again after */
	int		 release;
	int		 apply_plan;
	int		 clear_action;	/* pending_action = NULL */
	int		 clear_ready;
	const char	*return_state;
	int64_t		 action_id;
	const char	*action;
	int		 cleanup;
	int		 count;		/* a failed attempt */
	const char	*kind;		/* NULL: "state.<state>" */
	const char	*message;
	const char	*email;		/* template to the customer */
	const char	*dedupe;
};

/*
 * Every function below returns OCH_OK; OCH_ECONFLICT when the row is no
 * longer ours (lease lost, or the API changed its state: logged); or a
 * database error (OCH_EDB).  Those with a transaction of their own join
 * the caller's when one is open.
 */
enum och_err	 recon_tx_begin(struct recon *, int *mine);
enum och_err	 recon_tx_end(struct recon *, int mine, enum och_err);
/* Keep the lease (before every Hetzner request past a third of it). */
enum och_err	 recon_renew(struct recon *, const struct ri *);
enum och_err	 recon_release(struct recon *, const char *id);
/* The same, when the lease may be gone already (no ECONFLICT). */
enum och_err	 recon_unlock(struct recon *, const char *id);
/* Due again in ms, lease released. */
enum och_err	 recon_defer(struct recon *, const struct ri *, long long ms);
/* The history row of this instance (from its current state). */
enum och_err	 recon_event(struct recon *, const struct ri *,
		    const char *kind, const char *to, const char *msg);
/* Move the row (and in) on; history and email with it. */
enum och_err	 recon_transition(struct recon *, struct ri *,
		    const struct tr *);
/* failed (resumes at recon_resume_at()), history, the admins told. */
enum och_err	 recon_fail(struct recon *, struct ri *, const char *why);
/* The upstream failed: retry with backoff, or fail (may_fail). */
enum och_err	 recon_upstream_failed(struct recon *, struct ri *,
		    const struct prov_err *, const char *what, int may_fail);
/*
 * Lock the row (inside a transaction) and read what the API may have
 * changed: state, whether the VPS called ready, the step's age.
 */
enum och_err	 recon_lock_row(struct recon *, const struct ri *,
		    char *state, size_t statesz, int *ready, double *age);
/*
 * The server found (created 0), created (1) or taken from the warm pool
 * (2), with history (server.found/created/pooled).
 */
enum och_err	 recon_store_server(struct recon *, const struct ri *,
		    const struct hz_server *, const char *v6, int64_t action,
		    int created);
/* A DNS record id (A or AAAA) with history. */
enum och_err	 recon_store_dns(struct recon *, const struct ri *,
		    const char *type, const char *host, const char *addr,
		    const char *record);
/* An action was issued: record it and wait (state may be NULL). */
enum och_err	 recon_store_action(struct recon *, struct ri *,
		    const struct hz_action *, const char *name,
		    const char *state, int since, const char *ret,
		    int clear_action);
/* The action we waited for succeeded (done) or failed (clear). */
enum och_err	 recon_action_done(struct recon *, const struct ri *);
enum och_err	 recon_action_clear(struct recon *, const struct ri *);
/* The leftovers of a failed create are gone (no history). */
enum och_err	 recon_cleaned(struct recon *, const struct ri *);
/* Secrets wiped, tokens revoked, terminated, history, the email. */
enum och_err	 recon_terminated(struct recon *, const struct ri *);
/* The pending action cannot run now: dropped, with history. */
enum och_err	 recon_drop_action(struct recon *, const struct ri *);
/* The VPS called ready first: active (inst_activate), lease released. */
enum och_err	 recon_activate(struct recon *, const struct ri *);

/* ---- recon_effects.c: Hetzner and Cloudflare ------------------------ */

/*
 * Each returns OCH_OK or the provider's error with e filled in;
 * recon_wait_action() is documented where it is defined.
 */
/* Pace to Hetzner's rate limit and keep the lease (before a request). */
void		 recon_before_hz(struct recon *, const struct ri *);
/* A failure of ours (not an upstream answer) as a prov_err. */
void		 recon_our_err(struct prov_err *, int retryable,
		    const char *code, const char *msg);
/* The live servers labelled for the instance, lowest id first. */
enum och_err	 recon_find_servers(struct recon *, const struct ri *,
		    struct hz_server *out, size_t *n, size_t *deleting,
		    struct prov_err *);
/* Delete them all; *left: still present (being deleted). */
enum och_err	 recon_delete_servers(struct recon *, const struct ri *,
		    size_t *left, struct prov_err *);
enum och_err	 recon_delete_records(struct recon *, const struct ri *,
		    struct prov_err *);
enum och_err	 recon_delete_images(struct recon *, const struct ri *,
		    struct prov_err *);
/* in->server_id, looked up by label when unknown. */
enum och_err	 recon_need_server(struct recon *, struct ri *,
		    struct prov_err *);
/* 1: the action succeeded; 0: the step is over for now; -1: db error. */
int		 recon_wait_action(struct recon *, struct ri *);
/* Issue a power action and record it (upstream errors handled). */
enum och_err	 recon_power(struct recon *, struct ri *, enum hz_act,
		    const char *state, int since, const char *ret,
		    int clear_action);
/* Fresh user-data for the instance (caller frees with xfree_secret). */
char		*recon_user_data(struct recon *, const struct ri *,
		    enum och_err *);

#endif
