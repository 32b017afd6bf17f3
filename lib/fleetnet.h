/*
 * fleetnet.h: the fleet's network hardening through Hetzner's own features
 * (docs/operator.md, "VPS network").  Every customer server is created with
 * the operator's SSH key (OPERATOR_SSH_KEY; Hetzner then sets no root
 * password) and attached to one Cloud Firewall for the whole fleet,
 * "och-fleet": 80 and 443 from anywhere, 9100 (node_exporter) from
 * CONTROL_PLANE_IPS only, 22 from OPERATOR_SSH_RANGES only (no rule, so
 * closed, when a list is empty).  UFW on the VPS stays as a second layer.
 *
 * The poller keeps it so (fleet_reconcile, at most every
 * FLEET_RECONCILE_SECONDS): the key exists in the project, the firewall
 * exists with exactly the wanted rules (a drifted rule is put back with
 * set_rules) and is applied to every live instance's server.  The ids are
 * kept in fleet_network (schema/090) so an order costs no extra request:
 * its create_server names them (fleet_ids).  Deleting a server detaches
 * it at Hetzner, so termination needs nothing here.
 */
#ifndef OCH_FLEETNET_H
#define OCH_FLEETNET_H

#include <stdint.h>

#include "och.h"

struct cfg;
struct cJSON;
struct db;
struct hz;
struct prov_err;

#define FLEET_FIREWALL	"och-fleet"	/* the firewall's name */
#define FLEET_SSH_KEY	"och-operator"	/* the key's name at Hetzner */

#define FLEET_CIDRS_MAX	100	/* blocks per rule (Hetzner's limit) */

/*
 * Parse a list of IPv4/IPv6 addresses or CIDR blocks (comma and/or
 * blank separated) into canonical blocks ("203.0.113.10/32",
 * "2001:db8::/32") in out[0..max-1] (out may be NULL to only check).
 * Returns the number of blocks (0 for an empty list), or -1 on a bad
 * entry, host bits set below the prefix, or more than max (fleetcfg.c).
 */
int		 fleet_cidrs(const char *list, char (*out)[64], int max);
/*
 * 1 when line is an OpenSSH public key line "<type> <base64> [comment]"
 * whose blob names the same type (ed25519, rsa, ecdsa, sk-*), else 0
 * (fleetcfg.c).
 */
int		 fleet_sshkey_ok(const char *line);
/*
 * Add "ssh_keys": [key] and "firewalls": [{"firewall": fw}] to a
 * create_server body (each only when its id is not 0).
 */
void		 fleet_create_fields(struct cJSON *body, int64_t ssh_key_id,
		    int64_t firewall_id);
/*
 * The ids to create a server with (0 when unknown or not configured):
 * read from fleet_network; when OPERATOR_SSH_KEY is set but no key id is
 * known yet, fleet_reconcile runs first, so no server goes out without
 * the key.  Returns OCH_OK, OCH_EDB, or the reconcile's upstream error.
 */
enum och_err	 fleet_ids(struct db *, const struct cfg *, struct hz *,
		    int64_t *ssh_key_id, int64_t *firewall_id,
		    struct prov_err *);
/*
 * Make the key and the firewall what the configuration says, apply the
 * firewall to live servers that lack it, and record the ids; skipped
 * (OCH_OK) when done less than FLEET_RECONCILE_SECONDS ago unless force.
 * Returns OCH_OK, OCH_EDB, or the upstream error in e (logged).
 */
enum och_err	 fleet_reconcile(struct db *, const struct cfg *, struct hz *,
		    int force, struct prov_err *);

#endif
