/*
 * firewall.h: Hetzner Cloud Firewalls (/firewalls): rules checked as
 * Hetzner checks them (direction, protocol, port only for tcp/udp, CIDR
 * blocks with empty host bits, IPv6 in canonical form, ≤ 50 rules, ≤ 100
 * blocks each), applied to servers directly or by label selector through
 * apply_firewall / remove_firewall actions (status pending until the
 * action ends), set_rules; a server's public_net.firewalls comes from
 * here.  A firewall still applied to something cannot be deleted.
 */
#ifndef SIM_FIREWALL_H
#define SIM_FIREWALL_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "http.h"

struct vm;

/* public_net.firewalls of the server: [{"id","status"}]. */
cJSON	*fw_server_json(const struct vm *);
/*
 * POST /servers "firewalls": [{"firewall": id}]: check them (0, or -1
 * after answering 400) ...
 */
int	 fw_check_create(struct http_req *, const cJSON *firewalls);
/* ... and apply them to the new server (pending until create ends). */
void	 fw_apply_create(const cJSON *firewalls, int64_t server_id);
/* The server is gone: drop its direct attachments. */
void	 fw_server_gone(const struct vm *);
/* Forget every firewall (POST /_sim/reset). */
void	 fw_reset(void);

/* Route handlers (sim_hetzner.c lists them in its table). */
void	 fw_list(struct http_req *);
void	 fw_create(struct http_req *);
void	 fw_get(struct http_req *);
void	 fw_update(struct http_req *);
void	 fw_delete(struct http_req *);
void	 fw_action(struct http_req *);	/* /firewalls/{id}/actions/<name> */

#endif
