/*
 * control.h: the simulator's own control API under /_sim (no auth,
 * loopback only): stats, sent emails, WHMCS calls, servers, DNS, faults,
 * latency, rate limits, reset.  sim/README.md documents it.
 */
#ifndef SIM_CONTROL_H
#define SIM_CONTROL_H

#include "http.h"

extern const struct http_svc sctl_svc;

/*
 * Load a latency profile ("default", "hetzner") into su_cfg.  Returns 0,
 * or -1 when there is no such profile.
 */
int	 sctl_latency_profile(const char *);

/* Forget every simulated thing and reseed (POST /_sim/reset). */
void	 sctl_reset_all(void);

#endif
