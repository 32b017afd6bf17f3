/*
 * hetzner_int.h: shared by hetzner.c and hetzner_answer.c only.
 */
#ifndef OCH_HETZNER_INT_H
#define OCH_HETZNER_INT_H

#include "hcl.h"

/* Which requests may be repeated inside one call (the policy's arg). */
struct hz_retry {
	int	 idempotent;
};

/*
 * The in-call retry rule (hcl_policy.should_retry, arg a struct
 * hz_retry): only what cannot have done anything, or what is idempotent
 * anyway (see hetzner.h).  Returns 1 to retry, else 0.
 */
int	 hz_should_retry(const struct hcl_resp *, void *);

#endif
