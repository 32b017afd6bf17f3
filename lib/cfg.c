/*
 * cfg.c: loading and validating the configuration (see cfg.h).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "fleetnet.h"

enum kind { K_TEXT, K_URL, K_SECRET, K_HEX32, K_INT, K_HOST, K_EMAIL, K_PATH,
    K_PUBURL, K_CIDRS, K_SSHKEY };

static const struct {
	const char	*name;
	enum kind	 kind;
	long long	 min, max;	/* for K_INT */
} keys[CFG__MAX] = {
	{ "DATABASE_URL", K_TEXT, 0, 0 },		/* CFG_DATABASE_URL */
	{ "DATABASE_OWNER_URL", K_TEXT, 0, 0 },	/* CFG_DATABASE_OWNER_URL */
	{ "HETZNER_API_TOKEN", K_SECRET, 0, 0 },	/* CFG_HETZNER_API_TOKEN */
	{ "HETZNER_API_URL", K_URL, 0, 0 },		/* CFG_HETZNER_API_URL */
	{ "CLOUDFLARE_API_TOKEN", K_SECRET, 0, 0 },	/* CFG_CLOUDFLARE_API_TOKEN */
	{ "CLOUDFLARE_ZONE_ID", K_TEXT, 0, 0 },	/* CFG_CLOUDFLARE_ZONE_ID */
	{ "CLOUDFLARE_DOMAIN", K_HOST, 0, 0 },		/* CFG_CLOUDFLARE_DOMAIN */
	{ "CLOUDFLARE_API_URL", K_URL, 0, 0 },		/* CFG_CLOUDFLARE_API_URL */
	{ "RESEND_API_KEY", K_SECRET, 0, 0 },		/* CFG_RESEND_API_KEY */
	{ "RESEND_API_URL", K_URL, 0, 0 },		/* CFG_RESEND_API_URL */
	{ "EMAIL_FROM", K_TEXT, 0, 0 },		/* CFG_EMAIL_FROM */
	{ "ADMIN_EMAIL", K_EMAIL, 0, 0 },		/* CFG_ADMIN_EMAIL */
	{ "WHMCS_API_URL", K_URL, 0, 0 },		/* CFG_WHMCS_API_URL */
	{ "WHMCS_API_IDENTIFIER", K_TEXT, 0, 0 },	/* CFG_WHMCS_API_IDENTIFIER */
	{ "WHMCS_API_SECRET", K_SECRET, 0, 0 },	/* CFG_WHMCS_API_SECRET */
	{ "JWT_SECRET", K_SECRET, 32, 0 },		/* CFG_JWT_SECRET */
	{ "OCH_MASTER_KEY", K_HEX32, 0, 0 },		/* CFG_OCH_MASTER_KEY */
	{ "OCH_MASTER_KEY_VERSION", K_INT, 1, 255 },	/* CFG_OCH_MASTER_KEY_VERSION */
	{ "OCH_MASTER_KEY_PREV", K_HEX32, 0, 0 },	/* CFG_OCH_MASTER_KEY_PREV */
	{ "API_URL", K_PUBURL, 0, 0 },		/* CFG_API_URL */
	{ "DASHBOARD_URL", K_PUBURL, 0, 0 },	/* CFG_DASHBOARD_URL */
	{ "OCH_SCHEMA_DIR", K_PATH, 0, 0 },		/* CFG_OCH_SCHEMA_DIR */
	{ "OCH_TEMPLATE_DIR", K_PATH, 0, 0 },		/* CFG_OCH_TEMPLATE_DIR */
	{ "OCH_BODY_MAX", K_INT, 1024, 16777216 },	/* CFG_OCH_BODY_MAX */
	{ "OCH_HMAC_WINDOW", K_INT, 10, 3600 },	/* CFG_OCH_HMAC_WINDOW */
	{ "OPENCLAW_VERSION", K_TEXT, 0, 0 },		/* CFG_OPENCLAW_VERSION */
	{ "CONTROL_PLANE_IPS", K_CIDRS, 0, 0 },	/* CFG_CONTROL_PLANE_IPS */
	{ "POLLER_RUN_SECONDS", K_INT, 1, 3600 },	/* CFG_POLLER_RUN_SECONDS */
	{ "POLLER_MAX_ATTEMPTS", K_INT, 1, 1000 },	/* CFG_POLLER_MAX_ATTEMPTS */
	{ "POLLER_LEASE_SECONDS", K_INT, 5, 3600 },	/* CFG_POLLER_LEASE_SECONDS */
	{ "BOOT_TIMEOUT", K_INT, 1, 86400 },		/* CFG_BOOT_TIMEOUT */
	{ "POLLER_BACKOFF_MS", K_INT, 10, 600000 },	/* CFG_POLLER_BACKOFF_MS */
	{ "POLLER_BACKOFF_MAX_MS", K_INT, 10, 86400000 }, /* CFG_POLLER_BACKOFF_MAX_MS */
	{ "POLLER_HTTP_TIMEOUT", K_INT, 1, 300 },	/* CFG_POLLER_HTTP_TIMEOUT */
	{ "METRICS_CONCURRENCY", K_INT, 1, 10000 },	/* CFG_METRICS_CONCURRENCY */
	{ "METRICS_TIMEOUT_MS", K_INT, 100, 60000 },	/* CFG_METRICS_TIMEOUT_MS */
	{ "METRICS_EXPORTER_PORT", K_INT, 1, 65535 },	/* CFG_METRICS_EXPORTER_PORT */
	{ "METRICS_RETENTION_DAYS", K_INT, 1, 3650 },	/* CFG_METRICS_RETENTION_DAYS */
	{ "METRICS_INTERVAL_SECONDS", K_INT, 1, 3600 },	/* CFG_METRICS_INTERVAL_SECONDS */
	{ "ALERT_DOWN_SCRAPES", K_INT, 1, 60 },	/* CFG_ALERT_DOWN_SCRAPES */
	{ "ALERT_UP_SCRAPES", K_INT, 1, 60 },	/* CFG_ALERT_UP_SCRAPES */
	{ "ALERT_DISK_PCT", K_INT, 1, 100 },	/* CFG_ALERT_DISK_PCT */
	{ "ALERT_DISK_CLEAR_PCT", K_INT, 1, 100 },	/* CFG_ALERT_DISK_CLEAR_PCT */
	{ "ALERT_MEMORY_PCT", K_INT, 1, 100 },	/* CFG_ALERT_MEMORY_PCT */
	{ "ALERT_MEMORY_CLEAR_PCT", K_INT, 1, 100 },	/* CFG_ALERT_MEMORY_CLEAR_PCT */
	{ "ALERT_MEMORY_SECONDS", K_INT, 0, 86400 },	/* CFG_ALERT_MEMORY_SECONDS */
	{ "ALERT_GATEWAY_SECONDS", K_INT, 0, 86400 },	/* CFG_ALERT_GATEWAY_SECONDS */
	{ "ALERT_WHMCS_STUCK_SECONDS", K_INT, 60, 604800 },	/* CFG_ALERT_WHMCS_STUCK_SECONDS */
	{ "ALERT_HEARTBEAT_SECONDS", K_INT, 30, 86400 },	/* CFG_ALERT_HEARTBEAT_SECONDS */
	{ "ALERT_OUTBOX_BACKLOG", K_INT, 1, 10000000 },	/* CFG_ALERT_OUTBOX_BACKLOG */
	{ "ALERT_OUTBOX_AGE_SECONDS", K_INT, 10, 604800 },	/* CFG_ALERT_OUTBOX_AGE_SECONDS */
	{ "ALERT_WEBHOOK_URL", K_URL, 0, 0 },	/* CFG_ALERT_WEBHOOK_URL */
	{ "ALERT_WEBHOOK_SECRET", K_SECRET, 16, 0 },	/* CFG_ALERT_WEBHOOK_SECRET */
	{ "ALERT_TLS_SECONDS", K_INT, 60, 604800 },	/* CFG_ALERT_TLS_SECONDS */
	{ "ALERT_CHANNEL_SECONDS", K_INT, 0, 86400 },	/* CFG_ALERT_CHANNEL_SECONDS */
	{ "ALERT_HETZNER_BUDGET_PCT", K_INT, 0, 100 },	/* CFG_ALERT_HETZNER_BUDGET_PCT */
	{ "ALERT_HETZNER_BUDGET_CLEAR_PCT", K_INT, 0, 100 },	/* CFG_ALERT_HETZNER_BUDGET_CLEAR_PCT */
	{ "OCH_STATS_DIR", K_PATH, 0, 0 },		/* CFG_OCH_STATS_DIR */
	{ "OPERATOR_SSH_KEY", K_SSHKEY, 0, 0 },	/* CFG_OPERATOR_SSH_KEY */
	{ "OPERATOR_SSH_RANGES", K_CIDRS, 0, 0 },	/* CFG_OPERATOR_SSH_RANGES */
	{ "FLEET_RECONCILE_SECONDS", K_INT, 1, 86400 },	/* CFG_FLEET_RECONCILE_SECONDS */
	{ "S3_ENDPOINT", K_URL, 0, 0 },	/* CFG_S3_ENDPOINT */
	{ "S3_REGION", K_TEXT, 0, 0 },	/* CFG_S3_REGION */
	{ "S3_BUCKET", K_TEXT, 0, 0 },	/* CFG_S3_BUCKET */
	{ "S3_PREFIX", K_TEXT, 0, 0 },	/* CFG_S3_PREFIX */
	{ "S3_ACCESS_KEY", K_TEXT, 0, 0 },	/* CFG_S3_ACCESS_KEY */
	{ "S3_SECRET_KEY", K_SECRET, 0, 0 },	/* CFG_S3_SECRET_KEY */
	{ "S3_STALL_SECONDS", K_INT, 1, 3600 },	/* CFG_S3_STALL_SECONDS */
	{ "BACKUP_MAX_MB", K_INT, 1, 1048576 },	/* CFG_BACKUP_MAX_MB */
	{ "BACKUP_TIMEOUT_SECONDS", K_INT, 60, 86400 },	/* CFG_BACKUP_TIMEOUT_SECONDS */
	{ "BACKUP_GRACE_DAYS", K_INT, 0, 3650 },	/* CFG_BACKUP_GRACE_DAYS */
	{ "POOL_STALE_SECONDS", K_INT, 5, 86400 },	/* CFG_POOL_STALE_SECONDS */
	{ "PARK_MAX", K_INT, 1, 100000 },	/* CFG_PARK_MAX */
	{ "HETZNER_CREATE_MS", K_INT, 10, 600000 },	/* CFG_HETZNER_CREATE_MS */
	{ "AUDIT_RETENTION_DAYS", K_INT, 30, 36500 },	/* CFG_AUDIT_RETENTION_DAYS */
	{ "INSTANCE_EVENTS_RETENTION_DAYS", K_INT, 30, 36500 },	/* CFG_EVENTS_RETENTION_DAYS */
	{ "SNAPSHOT_MANUAL_PER_DAY", K_INT, 1, 1000 },	/* CFG_SNAPSHOT_MANUAL_PER_DAY */
};

const char *
cfg_name(enum cfg_key k)
{
	return (unsigned)k < CFG__MAX ? keys[k].name : "?";
}

static int
lookup(const char *name)
{
	int	 i;

	for (i = 0; i < CFG__MAX; i++)
		if (strcmp(keys[i].name, name) == 0)
			return i;
	return -1;
}

int
cfg_url_loopback(const char *url)
{
	const char	*h, *e;
	size_t		 n;
	int		 dots = 0;

	if (strncmp(url, "http://", 7) == 0)
		h = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		h = url + 8;
	else
		return 0;
	if (strncmp(h, "[::1]", 5) == 0)
		return h[5] == '\0' || h[5] == ':' || h[5] == '/';
	for (e = h; *e != '\0' && *e != ':' && *e != '/' && *e != '?' &&
	    *e != '#' && *e != '@'; e++)
		;
	if (*e == '@')		/* user info: not a plain host */
		return 0;
	n = (size_t)(e - h);
	if (n == 9 && strncmp(h, "localhost", 9) == 0)
		return 1;
	if (n < 4 || n > 15 || strncmp(h, "127.", 4) != 0)
		return 0;
	for (; h < e; h++)
		if (*h == '.')
			dots++;
		else if (!isdigit((unsigned char)*h))
			return 0;
	return dots == 3;
}

/* Returns NULL when the value suits its kind, else the reason. */
static const char *
check(int k, const char *v)
{
	const char	*p;
	char		*end;
	long long	 n;
	size_t		 len = strlen(v);

	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 127)
			return "contains a control character";
	switch (keys[k].kind) {
	case K_TEXT:
	case K_PATH:
		if (len == 0)
			return "is empty";
		return NULL;
	case K_SECRET:
		if (len == 0)
			return "is empty";
		if (keys[k].min && (long long)len < keys[k].min)
			return "is too short";
		return NULL;
	case K_PUBURL:
		/* browsers and VPSes reach these: TLS, except on loopback */
		if (strncmp(v, "https://", 8) && !cfg_url_loopback(v))
			return "must start with https:// (http:// only for a "
			    "loopback host)";
		/* FALLTHROUGH */
	case K_URL:
		if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
			return "must start with http:// or https://";
		if (strchr(v, ' ') != NULL || len > 2000)
			return "is not a valid URL";
		return NULL;
	case K_HEX32:
		if (len != 64)
			return "must be 64 hex digits (32 bytes)";
		for (p = v; *p != '\0'; p++)
			if (!isxdigit((unsigned char)*p))
				return "must be 64 hex digits (32 bytes)";
		return NULL;
	case K_INT:
		errno = 0;
		n = strtoll(v, &end, 10);
		if (errno || end == v || *end != '\0')
			return "must be an integer";
		if (n < keys[k].min || n > keys[k].max)
			return "is out of range";
		return NULL;
	case K_HOST:
		if (len == 0 || len > 253)
			return "is not a valid host name";
		for (p = v; *p != '\0'; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
				return "is not a valid host name";
		return NULL;
	case K_EMAIL:
		if ((p = strchr(v, '@')) == NULL || p == v || p[1] == '\0')
			return "is not an email address";
		return NULL;
	case K_CIDRS:
		n = fleet_cidrs(v, NULL, 0);
		if (n < 0 || n > FLEET_CIDRS_MAX)
			return "must be IPv4/IPv6 addresses or CIDR blocks "
			    "(host bits empty, at most 100), separated by "
			    "commas or blanks";
		return NULL;
	case K_SSHKEY:
		if (!fleet_sshkey_ok(v))
			return "is not an OpenSSH public key line "
			    "(\"ssh-ed25519 AAAA... comment\")";
		return NULL;
	}
	return NULL;
}

static int
set(struct cfg *c, int k, const char *v, const char *where)
{
	const char	*why;

	if ((why = check(k, v)) != NULL) {
		fprintf(stderr, "config: '%s' %s (%s)\n", keys[k].name, why,
		    where);
		return -1;
	}
	xfree_secret(c->val[k]);
	c->val[k] = xstrdup(v);
	return 0;
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

static int
load_file(struct cfg *c, const char *path, int must)
{
	FILE		*f;
	struct stat	 st;
	char		*line = NULL, *p, *eq, *name, *val;
	size_t		 cap = 0;
	int		 lineno = 0, k, rc = -1, secret = 0;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !must)
			return 0;
		fprintf(stderr, "config: unable to open '%s': %s\n", path,
		    strerror(errno));
		return -1;
	}
	c->path = xstrdup(path);
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		p = trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		if ((eq = strchr(p, '=')) == NULL) {
			fprintf(stderr, "config: '%s' line %d: expected "
			    "KEY=VALUE\n", path, lineno);
			goto out;
		}
		*eq = '\0';
		name = trim(p);
		val = trim(eq + 1);
		/* allow "quoted" values as shells write them */
		if (strlen(val) >= 2 && (val[0] == '"' || val[0] == '\'') &&
		    val[strlen(val) - 1] == val[0]) {
			val[strlen(val) - 1] = '\0';
			val++;
		}
		if ((k = lookup(name)) < 0) {
			fprintf(stderr, "config: '%s' line %d: unknown key "
			    "'%s'\n", path, lineno, name);
			goto out;
		}
		if (keys[k].kind == K_SECRET || keys[k].kind == K_HEX32)
			secret = 1;
		if (set(c, k, val, path) < 0)
			goto out;
	}
	if (secret && fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
		fprintf(stderr, "config: '%s' holds secrets and must be mode "
		    "0600\n", path);
		goto out;
	}
	rc = 0;
out:
	if (line != NULL) {
		memset(line, 0, cap);
		free(line);
	}
	fclose(f);
	return rc;
}

int
cfg_load(struct cfg *c, const enum cfg_key *required)
{
	const char	*path, *v;
	int		 i;

	memset(c, 0, sizeof(*c));
	path = getenv("OCH_CONFIG");
	if (load_file(c, path != NULL ? path :
	    OCH_SYSCONFDIR "/openclawhost/och.conf", path != NULL) < 0)
		goto fail;
	for (i = 0; i < CFG__MAX; i++)
		if ((v = getenv(keys[i].name)) != NULL &&
		    set(c, i, v, "environment") < 0)
			goto fail;
	if (cfg_require(c, required) < 0)
		goto fail;
	return 0;
fail:
	cfg_free(c);
	return -1;
}

int
cfg_require(const struct cfg *c, const enum cfg_key *required)
{
	for (; required != NULL && *required != CFG__MAX; required++)
		if (c->val[*required] == NULL) {
			fprintf(stderr, "config: '%s' missing\n",
			    keys[*required].name);
			return -1;
		}
	return 0;
}

void
cfg_free(struct cfg *c)
{
	int	 i;

	for (i = 0; i < CFG__MAX; i++) {
		xfree_secret(c->val[i]);
		c->val[i] = NULL;
	}
	free(c->path);
	c->path = NULL;
}

const char *
cfg_get(const struct cfg *c, enum cfg_key k)
{
	return (unsigned)k < CFG__MAX ? c->val[k] : NULL;
}

const char *
cfg_str(const struct cfg *c, enum cfg_key k, const char *dflt)
{
	const char	*v = cfg_get(c, k);

	return v != NULL ? v : dflt;
}

long long
cfg_int(const struct cfg *c, enum cfg_key k, long long dflt)
{
	const char	*v = cfg_get(c, k);

	return v != NULL ? strtoll(v, NULL, 10) : dflt;
}
