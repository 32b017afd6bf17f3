/*
 * cfg.h: configuration.  One KEY=VALUE file (named by OCH_CONFIG, default
 * $sysconfdir/openclawhost/och.conf) plus the environment; the environment
 * wins.  Every known key has a kind that is validated at load; unknown keys
 * in the file are refused (a typo must not pass silently).  A file holding
 * any secret must be mode 0600 (or stricter).
 */
#ifndef OCH_CFG_H
#define OCH_CFG_H

#include "och.h"

enum cfg_key {
	CFG_DATABASE_URL,
	CFG_DATABASE_OWNER_URL,
	CFG_HETZNER_API_TOKEN,
	CFG_HETZNER_API_URL,
	CFG_CLOUDFLARE_API_TOKEN,
	CFG_CLOUDFLARE_ZONE_ID,
	CFG_CLOUDFLARE_DOMAIN,
	CFG_CLOUDFLARE_API_URL,
	CFG_RESEND_API_KEY,
	CFG_RESEND_API_URL,
	CFG_EMAIL_FROM,
	CFG_ADMIN_EMAIL,
	CFG_WHMCS_API_URL,
	CFG_WHMCS_API_IDENTIFIER,
	CFG_WHMCS_API_SECRET,
	CFG_JWT_SECRET,
	CFG_OCH_MASTER_KEY,
	CFG_OCH_MASTER_KEY_VERSION,
	CFG_OCH_MASTER_KEY_PREV,
	CFG_API_URL,
	CFG_DASHBOARD_URL,
	CFG_OCH_SCHEMA_DIR,
	CFG_OCH_TEMPLATE_DIR,
	CFG_OCH_BODY_MAX,
	CFG_OCH_HMAC_WINDOW,
	CFG_OPENCLAW_VERSION,
	CFG_CONTROL_PLANE_IPS,
	CFG_POLLER_RUN_SECONDS,
	CFG_POLLER_MAX_ATTEMPTS,
	CFG_POLLER_LEASE_SECONDS,
	CFG_BOOT_TIMEOUT,
	CFG_POLLER_BACKOFF_MS,
	CFG_POLLER_BACKOFF_MAX_MS,
	CFG_POLLER_HTTP_TIMEOUT,
	CFG_METRICS_CONCURRENCY,
	CFG_METRICS_TIMEOUT_MS,
	CFG_METRICS_EXPORTER_PORT,
	CFG_METRICS_RETENTION_DAYS,
	CFG_METRICS_INTERVAL_SECONDS,
	CFG_ALERT_DOWN_SCRAPES,
	CFG_ALERT_UP_SCRAPES,
	CFG_ALERT_DISK_PCT,
	CFG_ALERT_DISK_CLEAR_PCT,
	CFG_ALERT_MEMORY_PCT,
	CFG_ALERT_MEMORY_CLEAR_PCT,
	CFG_ALERT_MEMORY_SECONDS,
	CFG_ALERT_GATEWAY_SECONDS,
	CFG_ALERT_WHMCS_STUCK_SECONDS,
	CFG_ALERT_HEARTBEAT_SECONDS,
	CFG_ALERT_OUTBOX_BACKLOG,
	CFG_ALERT_OUTBOX_AGE_SECONDS,
	CFG_ALERT_WEBHOOK_URL,
	CFG_ALERT_WEBHOOK_SECRET,
	CFG_ALERT_TLS_SECONDS,
	CFG_ALERT_CHANNEL_SECONDS,
	CFG_ALERT_HETZNER_BUDGET_PCT,
	CFG_ALERT_HETZNER_BUDGET_CLEAR_PCT,
	CFG_OCH_STATS_DIR,
	CFG_OPERATOR_SSH_KEY,
	CFG_OPERATOR_SSH_RANGES,
	CFG_FLEET_RECONCILE_SECONDS,
	CFG_S3_ENDPOINT,
	CFG_S3_REGION,
	CFG_S3_BUCKET,
	CFG_S3_PREFIX,
	CFG_S3_ACCESS_KEY,
	CFG_S3_SECRET_KEY,
	CFG_S3_STALL_SECONDS,
	CFG_BACKUP_MAX_MB,
	CFG_BACKUP_TIMEOUT_SECONDS,
	CFG_BACKUP_GRACE_DAYS,
	CFG_POOL_STALE_SECONDS,
	CFG_PARK_MAX,
	CFG_HETZNER_CREATE_MS,
	CFG_AUDIT_RETENTION_DAYS,
	CFG_EVENTS_RETENTION_DAYS,
	CFG_SNAPSHOT_MANUAL_PER_DAY,
	CFG__MAX
};

struct cfg {
	char	*val[CFG__MAX];		/* NULL when unset */
	char	*path;			/* the file read, or NULL */
};

/*
 * Load the file (if it exists; a missing file is fine only when OCH_CONFIG
 * was not set explicitly) and the environment, validate every value set,
 * and check that each key in required[] (terminated by CFG__MAX) is set.
 * Returns 0, or -1 after writing one line "config: ..." naming the key to
 * stderr (nothing is then left to release).  The struct is zeroed first;
 * release it with cfg_free() after a success.
 */
int		 cfg_load(struct cfg *, const enum cfg_key *required);
/*
 * Check that every key in required[] (terminated by CFG__MAX) is set.
 * Returns 0, or -1 after writing "config: 'KEY' missing" to stderr.
 */
int		 cfg_require(const struct cfg *, const enum cfg_key *required);
void		 cfg_free(struct cfg *);
/* The value of a key or NULL if unset (borrowed from the struct). */
const char	*cfg_get(const struct cfg *, enum cfg_key);
/* The value of a key or the default if unset. */
const char	*cfg_str(const struct cfg *, enum cfg_key, const char *dflt);
/* An integer key (validated at load) or the default if unset. */
long long	 cfg_int(const struct cfg *, enum cfg_key, long long dflt);
/*
 * 1 if url is http:// or https:// to a loopback host (127.0.0.0/8,
 * localhost, [::1]), else 0.  API_URL and DASHBOARD_URL may be plain http
 * only then (tests and the local demo); everything else needs TLS.
 */
int		 cfg_url_loopback(const char *url);
/* The key's name, e.g. "DATABASE_URL". */
const char	*cfg_name(enum cfg_key);

#endif
