/*
 * pool.h: the warm pool (schema/130_pool.sql).  Booted servers from a
 * plan's current image wait, per (plan, region), with the agent in pool
 * mode: no customer, no secrets, no DNS.  An order claims one instead of
 * creating a server; the claimed server's agent then trades for the
 * instance's bootstrap token (cgi-bin/agent_pool.c) and goes on as a
 * freshly booted VPS would.
 *
 * Claiming (pool_take, from the reconciler's creating step) is one
 * UPDATE ... RETURNING over a row chosen FOR UPDATE SKIP LOCKED: any
 * number of pollers on any number of hosts hand one server to one order,
 * never two.  It is idempotent per instance: a step that died after the
 * claim gets the same server again, so a SIGKILL neither loses it nor
 * hands it out twice.  The server is then renamed and labelled
 * och-instance=<id> (one PUT), after which the instance owns it as if it
 * had created it (terminate finds it by label).
 *
 * Upkeep (pool_tick, from och-poller provision; one poller at a time
 * under an advisory lock): servers that did not report in within
 * BOOT_TIMEOUT, stopped polling (POOL_STALE_SECONDS) or whose setup
 * failed are discarded; ready servers of an image that is no longer the
 * plan's, older than max_age_hours, or of a (plan, region) whose target
 * went to 0, are recycled (deleted); a claimed server its order never
 * took over (the instance failed or ended first) is deleted; the pool is
 * refilled toward each target while the servers live stay within
 * max_servers and their monthly cost within max_monthly_cents.
 */
#ifndef OCH_POOL_H
#define OCH_POOL_H

#include <stdint.h>

#include "cfg.h"
#include "db.h"
#include "hcl.h"

struct hz;
struct hz_server;
struct cJSON;

#define POOL_LABEL		"och-pool"	/* label naming the pool row */
#define POOL_STALE_SECONDS	60	/* default POOL_STALE_SECONDS */
#define POOL_POLL_SECONDS	1	/* the agent's poll interval */
#define POOL_TICK_SECONDS	5	/* between two upkeep passes */

struct pool;

/* Upkeep on db with the Hetzner client hz (both borrowed). */
struct pool	*pool_new(struct db *, const struct cfg *, struct hz *);
void		 pool_free(struct pool *);
/*
 * One upkeep pass (see above), unless another poller is doing one.
 * Returns the number of servers created, deleted or stored, or -1 on a
 * database error (upstream errors are logged and retried next pass).
 */
int		 pool_tick(struct pool *);

/*
 * Give instance id a ready pool server of its plan, location, server
 * type and image that polled in the last stale_s seconds, and make it
 * the instance's: rename it to name and label it och-instance=<id>.
 * On OCH_OK srv has the server's id and addresses (ipv6 as the network).  OCH_ENOTFOUND: the pool has none
 * (go cold).  OCH_EDB: database error.  An upstream error in e: the
 * claim stays the instance's, so the next try takes the same server.
 */
enum och_err	 pool_take(struct db *, struct hz *, int stale_s,
		    const char *id, const char *name, const char *plan, const char *location,
		    const char *server_type, const char *image,
		    struct hz_server *srv, struct prov_err *e);

/*
 * The admin view: settings, targets with their counts, and totals
 * (servers, monthly spend, capped).  NULL on database error.
 */
struct cJSON	*pool_json(struct db *);
/*
 * Apply an admin change: {"max_servers","max_monthly_cents",
 * "max_age_hours","targets":[{"plan","region","target","monthly_cents"}]}
 * (any subset).  Returns OCH_OK, OCH_EINVAL with a reason in why (static
 * text) for bad input (nothing changed), or a database error.
 */
enum och_err	 pool_configure(struct db *, const struct cJSON *,
		    const char **why);

#endif
