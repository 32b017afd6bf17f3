/*
 * och-poller: the control plane's background work, started by cron every
 * minute, one flock per mode (deploy/och-poller.cron):
 *
 *   och-poller provision  reconcile instances toward their desired state
 *                         (lib/recon.h) and send the outboxes
 *                         (lib/outbox.h); wakes on NOTIFY och_provision,
 *                         so an order is acted on within a second; keeps
 *                         the fleet's SSH key and Cloud Firewall in shape
 *                         (lib/fleetnet.h) and the warm pool filled
 *                         (lib/pool.h); runs for POLLER_RUN_SECONDS
 *                         (default 55)
 *   och-poller maintain   one pass: expiry of nonces and one-time tokens,
 *                         metrics partitions, stale heartbeats, emails
 *                         sent or failed over 30 days ago, audit
 *                         records past AUDIT_RETENTION_DAYS and events of
 *                         terminated instances past
 *                         INSTANCE_EVENTS_RETENTION_DAYS, the backups'
 *                         schedule and retention (lib/backup.h,
 *                         lib/snapshot.h), the
 *                         alerts (lib/alert.h), then the outboxes until
 *                         nothing is due
 *   och-poller metrics    scrape cycles of every active instance's
 *                         node_exporter (poller/scrape.h), each followed
 *                         by the alerts, every METRICS_INTERVAL_SECONDS
 *                         (default 60) for POLLER_RUN_SECONDS, the TLS
 *                         connections kept between cycles; with the
 *                         defaults one cycle (deploy/ runs it for an
 *                         hour, so connections live that long)
 *
 * Every mode writes poller_heartbeats (mode, host, pid, beat_at).  Any
 * number of pollers may run on any number of hosts: work is claimed with
 * SKIP LOCKED and leases.  SIGTERM or SIGINT ends the run after the
 * current step.  Exit status: 0 after a run, 1 when the configuration is
 * bad or (maintain) the database could not be reached, 2 for usage.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "backup.h"
#include "cfg.h"
#include "db.h"
#include "fleetnet.h"
#include "hcl.h"
#include "hetzner.h"
#include "inst.h"
#include "log.h"
#include "outbox.h"
#include "pool.h"
#include "pstats.h"
#include "recon.h"
#include "scrape.h"
#include "snapshot.h"

#define OUTBOX_BATCH	20	/* rows between two looks at instances */
#define STEP_BATCH	20	/* steps between two outbox sweeps */

/* with Hetzner's budget as this run last saw it ($4-$7 NULL: not yet) */
static const struct db_stmt stmt_beat = { "poll_beat",
	"INSERT INTO poller_heartbeats (mode, host, pid, beat_at, hetzner_limit,"
	" hetzner_remaining, hetzner_reset_at, hetzner_seen_at)"
	" VALUES ($1, $2, $3::int, now(), $4::bigint, $5::bigint,"
	" to_timestamp($6::bigint), to_timestamp($7::bigint))"
	" ON CONFLICT (mode, host) DO UPDATE SET pid = EXCLUDED.pid,"
	" beat_at = now(), hetzner_limit = coalesce(EXCLUDED.hetzner_limit,"
	"  poller_heartbeats.hetzner_limit),"
	" hetzner_remaining = coalesce(EXCLUDED.hetzner_remaining,"
	"  poller_heartbeats.hetzner_remaining),"
	" hetzner_reset_at = coalesce(EXCLUDED.hetzner_reset_at,"
	"  poller_heartbeats.hetzner_reset_at),"
	" hetzner_seen_at = coalesce(EXCLUDED.hetzner_seen_at,"
	"  poller_heartbeats.hetzner_seen_at)" };
static const struct db_stmt stmt_nonces = { "poll_exp_nonces",
	"DELETE FROM api_nonces WHERE expires_at < now()" };
static const struct db_stmt stmt_boot_tokens = { "poll_exp_boot",
	"DELETE FROM bootstrap_tokens"
	" WHERE expires_at < now() - interval '1 day'" };
static const struct db_stmt stmt_magic = { "poll_exp_magic",
	"DELETE FROM magic_links WHERE expires_at < now() - interval '1 day'" };
static const struct db_stmt stmt_sso = { "poll_exp_sso",
	"DELETE FROM sso_tokens WHERE expires_at < now() - interval '1 day'" };
/* delivered or given-up emails are kept a month (admin views), no longer */
static const struct db_stmt stmt_outbox_old = { "poll_exp_outbox",
	"DELETE FROM email_outbox WHERE status IN ('sent', 'failed')"
	" AND created_at < now() - interval '30 days'" };
/* a login email still unsent when its link expired: give up, drop it */
static const struct db_stmt stmt_outbox_dead_links = { "poll_exp_links",
	"UPDATE email_outbox SET status = 'failed', vars = '{}',"
	" last_error = 'the login link expired before it could be sent'"
	" WHERE status = 'pending' AND template = 'magic_link'"
	" AND created_at < now() - interval '15 minutes'" };
static const struct db_stmt stmt_beats_old = { "poll_exp_beats",
	"DELETE FROM poller_heartbeats"
	" WHERE beat_at < now() - interval '7 days'" };
/* the history's retention (schema/390_audit_retention.sql,
 * 395_events_retention.sql): a batch each call, its own short
 * transaction; at most PRUNE_BATCHES a run (100,000 rows) of each table,
 * the next minute's run goes on where this one stopped */
#define PRUNE_BATCH	5000
#define PRUNE_BATCHES	20
static const struct db_stmt stmt_audit_prune = { "poll_audit_prune",
	"SELECT audit_log_prune($1::int, $2::int)" };
static const struct db_stmt stmt_events_prune = { "poll_events_prune",
	"SELECT instance_events_prune($1::int, $2::int)" };
static const struct prune {
	const struct db_stmt	*stmt;
	enum cfg_key		 key;
	long long		 dflt;
	const char		*what;
} prunes[] = {
	{ &stmt_audit_prune, CFG_AUDIT_RETENTION_DAYS, 365, "audit records" },
	{ &stmt_events_prune, CFG_EVENTS_RETENTION_DAYS, 400,
	    "events of terminated instances" },
};
static const struct db_stmt stmt_partitions = { "poll_partitions",
	"SELECT metrics_ensure_partition((now() AT TIME ZONE 'UTC')::date + d)"
	" FROM generate_series(0, 2) AS d" };

static volatile sig_atomic_t	 stop;

struct poller {
	struct cfg	 cfg;
	struct db	*db;
	struct hcl	*hcl;
	const char	*mode;
	char		 host[128];
	char		 pid[16];
	time_t		 deadline;
	time_t		 beat_at;
	time_t		 db_warned;
	PGconn		*listen_conn;	/* the LISTENing connection */
	int		 listen_pid;	/* and its backend */
	struct hz	*fleet_hz;	/* NULL without a Hetzner token */
	time_t		 fleet_at;	/* next fleet_reconcile */
	struct pool	*pool;		/* the warm pool's upkeep */
	time_t		 pool_at;	/* next pool_tick */
};

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
nap_ms(long ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	(void)nanosleep(&ts, NULL);
}

/* "%lld" of v into b, or NULL when v is unknown (negative). */
static const char *
num_or_null(char *b, size_t n, long long v)
{
	if (v < 0)
		return NULL;
	snprintf(b, n, "%lld", v);
	return b;
}

/*
 * Heartbeat at most once a second, with Hetzner's budget as last seen.
 * Returns 0, or -1 on database error.
 */
static int
beat(struct poller *p)
{
	struct hcl_ratelimit	 rl;
	const char		*v[7];
	char			 lim[24], rem[24], rst[24], seen[24];
	time_t			 now = time(NULL), seen_at;

	if (now == p->beat_at)
		return 0;
	hz_rl_get(&rl, &seen_at);
	v[0] = p->mode;
	v[1] = p->host;
	v[2] = p->pid;
	v[3] = v[4] = v[5] = v[6] = NULL;
	if (seen_at != 0) {
		v[3] = num_or_null(lim, sizeof(lim), rl.limit);
		v[4] = num_or_null(rem, sizeof(rem), rl.remaining);
		v[5] = num_or_null(rst, sizeof(rst), rl.reset_at);
		v[6] = num_or_null(seen, sizeof(seen), (long long)seen_at);
	}
	if (db_run(p->db, &stmt_beat, 7, v, NULL) != OCH_OK)
		return -1;
	p->beat_at = now;
	pstats_beat();
	return 0;
}

/* The database is away: say so now and then, and wait a little. */
static void
db_trouble(struct poller *p)
{
	time_t	 now = time(NULL);

	if (now - p->db_warned >= 5) {
		log_warn("database unavailable; retrying");
		p->db_warned = now;
	}
	p->listen_conn = NULL;
	nap_ms(500);
}

/* LISTEN on the current connection (again after a reconnect). */
static int
listen_on(struct poller *p)
{
	PGconn		*c = db_conn(p->db);
	PGresult	*res;
	int		 ok;

	if (c == NULL)
		return -1;
	if (c == p->listen_conn && PQbackendPID(c) == p->listen_pid)
		return 0;
	res = PQexec(c, "LISTEN " INST_CHANNEL);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok) {
		log_warn("LISTEN failed: %s", PQerrorMessage(c));
		return -1;
	}
	p->listen_conn = c;
	p->listen_pid = PQbackendPID(c);
	return 0;
}

/*
 * Take the notifications that arrived; each names an instance, which is
 * made due at once.  Returns how many, or -1 on database error.
 */
static int
drain(struct poller *p, struct recon *r)
{
	PGconn		*c = db_conn(p->db);
	PGnotify	*n;
	int		 got = 0, bad = 0;

	if (c == NULL || c != p->listen_conn)
		return 0;
	(void)PQconsumeInput(c);
	while ((n = PQnotifies(c)) != NULL) {
		if (!bad && recon_wake(r, n->extra) < 0)
			bad = 1;
		PQfreemem(n);
		got++;
	}
	return bad ? -1 : got;
}

/* Sleep until a notification arrives or ms pass. */
static void
wait_notify(struct poller *p, long ms)
{
	PGconn		*c = db_conn(p->db);
	struct pollfd	 pfd;

	if (ms <= 0)
		return;
	if (c == NULL || PQsocket(c) < 0 || c != p->listen_conn) {
		nap_ms(ms);
		return;
	}
	pfd.fd = PQsocket(c);
	pfd.events = POLLIN;
	pfd.revents = 0;
	(void)poll(&pfd, 1, (int)ms);
}

/*
 * The fleet network (lib/fleetnet.h), every FLEET_RECONCILE_SECONDS: a
 * failure is logged there and tried again next time.
 */
static void
fleet_tick(struct poller *p)
{
	struct prov_err	 e;

	if (p->fleet_hz == NULL || time(NULL) < p->fleet_at)
		return;
	fleet_reconcile(p->db, &p->cfg, p->fleet_hz, 0, &e);
	p->fleet_at = time(NULL) + cfg_int(&p->cfg,
	    CFG_FLEET_RECONCILE_SECONDS, 300);
}

/* The warm pool (lib/pool.h), every POOL_TICK_SECONDS. */
static int
pool_step(struct poller *p)
{
	if (p->pool == NULL || time(NULL) < p->pool_at)
		return 0;
	p->pool_at = time(NULL) + POOL_TICK_SECONDS;
	return pool_tick(p->pool) < 0 ? -1 : 0;
}

static int
run_provision(struct poller *p)
{
	struct recon	*r;
	struct obx	*o;
	time_t		 rescued = 0;
	long		 ms;
	int		 n, worked, sent, steps = 0;

	if ((r = recon_new(p->db, &p->cfg, p->hcl, p->host)) == NULL)
		return 1;
	o = obx_new(p->db, &p->cfg, p->hcl);
	obx_set_owner(o, recon_owner(r));
	recon_set_deadline(r, p->deadline);
	p->fleet_hz = hz_from_cfg(p->hcl, &p->cfg);
	if (p->fleet_hz != NULL)
		p->pool = pool_new(p->db, &p->cfg, p->fleet_hz);
	log_info("provision: running until %lds from now as %s",
	    (long)(p->deadline - time(NULL)), recon_owner(r));
	while (!stop && time(NULL) < p->deadline) {
		if (db_ensure(p->db) < 0) {
			db_trouble(p);
			continue;
		}
		if (listen_on(p) < 0 || beat(p) < 0) {
			db_trouble(p);
			continue;
		}
		if (time(NULL) - rescued >= 10) {
			if (recon_rescue(r) < 0 || obx_rescue(o) < 0) {
				db_trouble(p);
				continue;
			}
			rescued = time(NULL);
		}
		fleet_tick(p);
		if (pool_step(p) < 0 || drain(p, r) < 0 ||
		    recon_pickup(r) < 0) {
			db_trouble(p);
			continue;
		}
		worked = 0;
		n = 0;
		while (!stop && time(NULL) < p->deadline &&
		    worked < STEP_BATCH) {
			if ((n = recon_run_one(r)) <= 0)
				break;
			worked++;
			/* a new order while busy: pick it up now */
			if (drain(p, r) > 0 && recon_pickup(r) < 0) {
				n = -1;
				break;
			}
		}
		steps += worked;
		if (n < 0) {
			db_trouble(p);
			continue;
		}
		if ((sent = obx_sweep(o, OUTBOX_BATCH, p->deadline)) < 0) {
			db_trouble(p);
			continue;
		}
		if (worked > 0 || sent > 0)
			continue;
		if ((ms = recon_next_due_ms(r, 1000)) < 0) {
			db_trouble(p);
			continue;
		}
		if (ms > (long)(p->deadline - time(NULL)) * 1000)
			ms = (long)(p->deadline - time(NULL)) * 1000;
		wait_notify(p, ms);
	}
	log_info("provision: done after %d steps%s", steps,
	    stop ? " (signal)" : "");
	obx_free(o);
	recon_free(r);
	pool_free(p->pool);
	if (p->fleet_hz != NULL)
		hz_free(p->fleet_hz);
	return 0;
}

/*
 * Delete what one entry of prunes[] names: the audit records older than
 * AUDIT_RETENTION_DAYS (default 365), the events of terminated instances
 * older than INSTANCE_EVENTS_RETENTION_DAYS (default 400), PRUNE_BATCH at
 * a time.  Returns 0, or -1 when the database failed (logged).
 */
static int
history_prune(struct poller *p, const struct prune *w)
{
	char		 days[24], batch[24], *v;
	const char	*params[2] = { days, batch };
	long		 n = PRUNE_BATCH, total = 0;
	int		 i;

	snprintf(days, sizeof(days), "%lld", cfg_int(&p->cfg, w->key,
	    w->dflt));
	snprintf(batch, sizeof(batch), "%d", PRUNE_BATCH);
	for (i = 0; i < PRUNE_BATCHES && n == PRUNE_BATCH && !stop; i++) {
		if (db_first(p->db, w->stmt, 2, params, &v) != OCH_OK) {
			log_error("maintain: retention of %s failed", w->what);
			return -1;
		}
		n = v != NULL ? strtol(v, NULL, 10) : 0;
		free(v);
		total += n;
	}
	log_info("maintain: %ld %s older than %s days deleted%s",
	    total, w->what, days, n == PRUNE_BATCH ? " (more next run)" : "");
	return 0;
}

static int
run_maintain(struct poller *p)
{
	static const struct db_stmt *const expiry[] = { &stmt_nonces,
	    &stmt_boot_tokens, &stmt_magic, &stmt_sso, &stmt_beats_old,
	    &stmt_outbox_old, &stmt_outbox_dead_links };
	struct obx	*o;
	struct hz	*hz;
	PGresult	*res;
	char		 owner[192];
	size_t		 i;
	long		 n, total = 0;
	int		 sent = 0, all = 0, rc;

	if (beat(p) < 0) {
		log_error("maintain: database unavailable");
		return 1;
	}
	for (i = 0; i < OCH_NELEM(expiry); i++) {
		if (db_run(p->db, expiry[i], 0, NULL, &n) != OCH_OK) {
			log_error("maintain: %s failed", expiry[i]->name);
			return 1;
		}
		total += n;
	}
	if ((res = db_exec(p->db, &stmt_partitions, 0, NULL, NULL)) == NULL) {
		log_error("maintain: metrics partitions failed");
		return 1;
	}
	PQclear(res);
	for (i = 0; i < OCH_NELEM(prunes); i++)
		if (history_prune(p, &prunes[i]) < 0)
			return 1;
	hz = hz_from_cfg(p->hcl, &p->cfg);
	rc = scrape_maintain(p->db, &p->cfg) < 0 ||
	    bak_maintain(p->db, &p->cfg, NULL) < 0 ||
	    snap_maintain(p->db, &p->cfg, hz, NULL) < 0 ||
	    alert_evaluate(p->db, &p->cfg, NULL) < 0;
	if (hz != NULL)
		hz_free(hz);
	if (rc)
		return 1;
	o = obx_new(p->db, &p->cfg, p->hcl);
	snprintf(owner, sizeof(owner), "%s:%s", p->host, p->pid);
	obx_set_owner(o, owner);
	if (obx_rescue(o) < 0) {
		obx_free(o);
		log_error("maintain: database unavailable");
		return 1;
	}
	while (!stop && time(NULL) < p->deadline &&
	    (sent = obx_sweep(o, 100, p->deadline)) > 0)
		all += sent;
	obx_free(o);
	log_info("maintain: %ld expired rows deleted, %d outbox rows handled",
	    total, all);
	return sent < 0 ? 1 : 0;
}

/*
 * Up to targets connections kept between cycles: raise the soft limit on
 * open files to the hard one.
 */
static void
raise_nofile(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * Scrape cycles every METRICS_INTERVAL_SECONDS (default 60) until the
 * run's deadline, with the connections kept from one cycle to the next;
 * with the defaults (a 55 s run) that is one cycle.  Returns 0 when the
 * last cycle went through, 1 otherwise.
 */
static int
run_metrics(struct poller *p)
{
	struct scrape	*sc;
	struct rlimit	 rl;
	time_t		 start, next, end;
	long		 interval, conns = 1024;
	int		 rc = 1;

	interval = cfg_int(&p->cfg, CFG_METRICS_INTERVAL_SECONDS, 60);
	raise_nofile();
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		conns = (long)rl.rlim_cur - 64;	/* the rest: PostgreSQL, logs */
	if ((sc = scrape_new(conns)) == NULL)
		return 1;
	do {
		start = time(NULL);
		next = start + interval;
		end = next < p->deadline ? next : p->deadline;
		if (beat(p) < 0) {
			log_error("metrics: database unavailable");
			rc = 1;
		} else if (scrape_cycle(sc, p->db, &p->cfg, end, &stop,
		    NULL) < 0)
			rc = 1;
		else	/* fresh samples: the conditions that read them */
			rc = alert_evaluate(p->db, &p->cfg, NULL) < 0;
		while (!stop && time(NULL) < next && next < p->deadline)
			(void)poll(NULL, 0, 200);
	} while (!stop && next < p->deadline);
	scrape_free(sc);
	return rc;
}

static void
usage(void)
{
	fprintf(stderr, "usage: och-poller provision|metrics|maintain\n");
}

int
main(int argc, char **argv)
{
	static const enum cfg_key required[] = { CFG_DATABASE_URL, CFG__MAX };
	struct poller	 p;
	struct sigaction sa;
	char		*c;
	int		 rc;

	log_init("och-poller");
	if (argc != 2 || (strcmp(argv[1], "provision") != 0 &&
	    strcmp(argv[1], "metrics") != 0 &&
	    strcmp(argv[1], "maintain") != 0)) {
		usage();
		return 2;
	}
	memset(&p, 0, sizeof(p));
	p.mode = argv[1];
	if (cfg_load(&p.cfg, required) < 0)
		return 1;
	if (gethostname(p.host, sizeof(p.host) - 1) < 0 || p.host[0] == '\0')
		snprintf(p.host, sizeof(p.host), "localhost");
	/* the lease owner is host:pid: keep the host free of ':' */
	for (c = p.host; *c != '\0'; c++)
		if (*c == ':' || *c < ' ')
			*c = '_';
	snprintf(p.pid, sizeof(p.pid), "%ld", (long)getpid());
	p.deadline = time(NULL) + cfg_int(&p.cfg, CFG_POLLER_RUN_SECONDS, 55);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	p.db = db_open(cfg_get(&p.cfg, CFG_DATABASE_URL));
	if ((p.hcl = hcl_new()) == NULL) {
		log_error("libcurl does not initialise");
		db_close(p.db);
		cfg_free(&p.cfg);
		return 1;
	}
	pstats_open(&p.cfg, p.hcl, p.mode);
	if (strcmp(p.mode, "provision") == 0)
		rc = run_provision(&p);
	else if (strcmp(p.mode, "maintain") == 0)
		rc = run_maintain(&p);
	else
		rc = run_metrics(&p);
	pstats_close(p.hcl);
	hcl_free(p.hcl);
	db_close(p.db);
	cfg_free(&p.cfg);
	return rc;
}
