/*
 * util.h: what every och-cloudsim module shares: the run-time settings
 * (su_cfg), clocks, RFC 3339 times, the two seeded random streams (one for
 * faults, one for identifiers, so fault decisions stay reproducible no matter
 * how many ids were drawn), and small cJSON and string helpers.
 */
#ifndef SIM_UTIL_H
#define SIM_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "och.h"

/* Run-time settings: command line first, some changed by /_sim/latency. */
struct su_cfg {
	char		*listen_host;
	int		 listen_port;
	uint64_t	 seed;
	double		 boot_delay;	/* running -> OS booted (cloud-init) */
	double		 action_delay;	/* duration of a server action */
	double		 create_delay;	/* create_server action */
	double		 create_snap_delay; /* the same from a snapshot */
	double		 setup_bare;	/* booted -> ready call, bare image */
	double		 setup_prebuilt; /* the same from a snapshot */
	double		 claim_delay;	/* pool claim -> ready call */
	const char	*profile;	/* latency profile name (static) */
	char		*hetzner_token;
	char		*hetzner_ro_token;	/* read-only token, or NULL */
	char		*cloudflare_token;
	char		*cloudflare_zone;
	char		*domain;
	char		*resend_key;
	double		 resend_rate;	/* requests per second per key */
	char		*whmcs_id;
	char		*whmcs_secret;
	int		 whmcs_strict;	/* unknown service ids are errors */
	double		 rate_limit;	/* Hetzner requests per hour */
	double		 scf_limit;	/* Cloudflare requests per window */
	double		 scf_window;	/* seconds */
	int		 server_limit;	/* Hetzner project server quota */
	char		*state_dir;	/* NULL: none (agent mode makes one) */
	int		 state_dir_tmp;	/* we made it: remove it at exit */
	char		*agent;		/* --agent PATH or NULL */
	char		*ca_file;	/* CA bundle for callbacks, or NULL */
	int		 exporter_port;	/* 9100 */
	uint32_t	 ip_base;	/* first simulated IPv4 (host order) */
	double		 hang_seconds;	/* default length of a "hang" fault */
};

extern struct su_cfg su_cfg;

/* Seconds on the monotonic clock. */
double		 su_mono(void);
/* Seconds since the epoch (wall clock, with fractions). */
double		 su_wall(void);
/* RFC 3339 UTC with second precision ("2026-01-30T23:55:00Z"); out >= 32. */
void		 su_rfc3339(char *out, double wall);
/* Same with microseconds ("...T23:55:00.123456Z"), Cloudflare style. */
void		 su_rfc3339us(char *out, double wall);
/*
 * Parse an RFC 3339 time (Z or +hh:mm offset, optional fraction) into
 * seconds since the epoch.  Returns 0 on success, -1 on bad input.
 */
int		 su_parse_rfc3339(const char *, double *);

/* The fault stream: reseeded by --seed and /_sim/faults {"seed":N}. */
void		 su_seed_faults(uint64_t);
double		 su_fault_rand(void);		/* [0,1) */
/* The identifier stream (record ids, uuids, passwords). */
void		 su_seed_ids(uint64_t);
uint64_t	 su_id_rand(void);
/* Lowercase hex of n random bytes into out (2n+1 bytes). */
void		 su_rand_hex(char *out, size_t n);
/* A version 4 UUID string into out (37 bytes). */
void		 su_uuid(char *out);

/* Constant-time string equality; NULL never equals anything. */
int		 su_streq_ct(const char *, const char *);
/* Parse a non-negative decimal int64 (whole string); 0 ok, -1 bad. */
int		 su_parse_id(const char *, int64_t *);
/* Parse a double (whole string, finite, 0..1e12); 0 ok, -1 bad. */
int		 su_parse_secs(const char *, double *);

/* cJSON helpers: never return NULL (allocation failure exits). */
cJSON		*su_jobj(void);
cJSON		*su_jarr(void);
void		 su_jnum(cJSON *, const char *, double);
void		 su_jstr(cJSON *, const char *, const char *);
void		 su_jstr_or_null(cJSON *, const char *, const char *);
void		 su_jbool(cJSON *, const char *, int);
void		 su_jnull(cJSON *, const char *);
void		 su_jtime(cJSON *, const char *, double wall);
/* Serialise without whitespace; the caller frees with free(). */
char		*su_jprint(const cJSON *);

/* Remove a file tree (not following symlinks); errors are ignored. */
void		 su_rm_rf(const char *);

/* Decode application/x-www-form-urlencoded escapes in place. */
void		 su_urldecode(char *);
/* Percent-encode for a query string (unreserved kept); free(). */
char		*su_urlencode(const char *);

#endif
