/*
 * hetzner_int.h: shared by hetzner.c and hetzner_answer.c only.
 */
#ifndef OCH_HETZNER_INT_H
#define OCH_HETZNER_INT_H

#include "hcl.h"
#include "hcl_prov.h"

/*
 * Hetzner as a provider of hcl_prov.h: its error codes and statuses, the
 * in-call retry rule's "refused" (rate_limit_exceeded, conflict), and
 * its rate-limit state (hz_pace_ms() reads it).
 */
extern const struct prov_kind	 hz_kind;
extern struct hcl_rlstate	 hz_rl;

#endif
