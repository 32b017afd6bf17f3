/*
 * recon.h: the provisioning reconciler: it claims instances
 * whose state is not what is wanted, takes the next idempotent step
 * against Hetzner and Cloudflare, and records it.  Used by och-poller
 * provision; ochctl uses recon_retry().
 *
 * Claiming: one instance at a time with FOR UPDATE SKIP LOCKED and a
 * lease (locked_until, locked_by = "host:pid"), so any number of pollers
 * on any number of hosts never run the same step twice.  Every write of
 * a step checks that the lease is still ours.  A lease left by a poller
 * that died on this host is released at once (recon_rescue); one left
 * elsewhere expires after POLLER_LEASE_SECONDS (default
 * RECON_LEASE_SECONDS).
 *
 * Steps (every one safe to repeat after a crash at any point):
 *   pending -> creating: picked up in bulk at once (recon_pickup);
 *   creating: find the server labelled och-instance=<id>, else create it
 *     (user-data with a new bootstrap token); store it; create the DNS
 *     A/AAAA records <slug>.<domain> (a duplicate turns into a lookup);
 *     then booting, or active at once if the VPS already called ready;
 *   booting: the ready call activates it; the poller only checks the
 *     create action (an action that failed means: delete and create
 *     again) and the BOOT_TIMEOUT (then failed, server and records
 *     deleted, the admins told);
 *   suspend / unsuspend / reboot: poweroff / poweron / reboot, then the
 *     action is checked before the state is final (suspending,
 *     resuming, rebooting in between);
 *   change plan: resizing: shutdown, wait for off (GET with a growing
 *     interval, poweroff after RECON_SHUTDOWN_TIMEOUT), change_type
 *     without disk upgrade, poweron unless it was suspended;
 *   rebuild: rebuilding: a new bootstrap token and rebuild with fresh
 *     user-data; the ready call activates it again;
 *   terminate (from any state, failed included): delete the servers,
 *     DNS records and snapshots of the instance (gone = done), wipe its
 *     secrets, revoke its tokens, terminated; the row and its history
 *     stay.
 * Upstream errors: retryable ones back off with full jitter
 * (POLLER_BACKOFF_MS doubling up to POLLER_BACKOFF_MAX_MS, or the
 * upstream's Retry-After); after POLLER_MAX_ATTEMPTS in a row, or at once
 * for an error that waiting cannot fix, the instance goes to failed with
 * failed_state (where `ochctl instances retry` resumes) and last_error,
 * and the admins get an email; a failed create is cleaned up.  Database
 * errors abandon the step without counting it: it runs again when the
 * database is back.  Hetzner's RateLimit headers pace all requests.
 */
#ifndef OCH_RECON_H
#define OCH_RECON_H

#include <time.h>

#include "cfg.h"
#include "db.h"
#include "hcl.h"

#define RECON_LEASE_SECONDS	120
#define RECON_SHUTDOWN_TIMEOUT	60	/* s before a hard poweroff */
#define RECON_HZ_FLOOR		10	/* Hetzner requests in reserve */
#define RECON_ACTOR		"poller"

struct recon;

/*
 * A reconciler on db with the configured Hetzner and Cloudflare clients;
 * owner names the lease holder (host:pid).  cfg and hcl are borrowed.
 * Returns NULL (logged) when HETZNER_API_TOKEN or the Cloudflare token
 * and zone are not configured.
 */
struct recon	*recon_new(struct db *, const struct cfg *, struct hcl *,
		    const char *host);
void		 recon_free(struct recon *);
/* The lease owner string, "host:pid". */
const char	*recon_owner(const struct recon *);
/* Do not sleep (rate-limit pauses) beyond this UNIX time (0: no limit). */
void		 recon_set_deadline(struct recon *, time_t);

/*
 * Move every pending order nobody holds to creating (one statement, one
 * event each).  Returns how many, or -1 on database error.
 */
int		 recon_pickup(struct recon *);
/*
 * Claim one due instance and take its next step.  Returns 1 when a step
 * ran, 0 when nothing is due, -1 on database error.
 */
int		 recon_run_one(struct recon *);
/*
 * Milliseconds until the next instance is due (0 .. cap), or -1 on
 * database error.
 */
long		 recon_next_due_ms(struct recon *, long cap);
/*
 * Make an instance due now (a NOTIFY named it), if an intent can change
 * what it does next: a stable instance, or one to terminate (a step
 * that is waiting for something keeps its schedule).  id must be a uuid
 * (else nothing happens).  Returns 0, or -1 on database error.
 */
int		 recon_wake(struct recon *, const char *id);
/*
 * Release the leases of pollers on this host whose process is gone.
 * Returns how many owners were released, or -1 on database error.
 */
int		 recon_rescue(struct recon *);

/*
 * Resume a failed instance at its failed_state: attempts 0, due now,
 * history, NOTIFY.  Returns OCH_OK with the state it resumes at in
 * state (statesz bytes); OCH_ENOTFOUND when there is no such instance;
 * OCH_ECONFLICT when it is not failed, or the cleanup of its failed
 * create is still running; or a database error.
 */
enum och_err	 recon_retry(struct db *, const char *id, const char *actor,
		    char *state, size_t statesz);

/*
 * Pure helpers, exposed for the tests.  recon_backoff_ms: the delay
 * after the n-th failure (n >= 1) with full jitter, at least hint_ms.
 * recon_ipv6_host: the address ::1 of a network "2001:db8::/64" (an
 * address without a prefix is copied); 0, or -1 when it does not parse.
 */
long long	 recon_backoff_ms(int n, unsigned base_ms, unsigned cap_ms,
		    long long hint_ms);
int		 recon_ipv6_host(const char *net, char *out, size_t outsz);

#endif
