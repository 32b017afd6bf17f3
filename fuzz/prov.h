/*
 * prov.h: what the provider-answer harnesses share: the status they take
 * from the input's first two bytes, and the contract every classifier
 * keeps for struct prov_err (hcl.h): strings terminated inside their
 * arrays, the message printable ASCII (it reaches logs and last_error).
 */
#ifndef OCH_FUZZ_PROV_H
#define OCH_FUZZ_PROV_H

#include "fuzz.h"
#include "hcl.h"

/* A status 100..599 from two bytes of input. */
static inline long
fz_status(const uint8_t *d)
{
	return 100 + (long)((d[0] << 8 | d[1]) % 500);
}

static inline void
fz_perr_check(const struct prov_err *e)
{
	const char	*p;

	FZ_ASSERT(memchr(e->code, '\0', sizeof(e->code)) != NULL);
	FZ_ASSERT(memchr(e->message, '\0', sizeof(e->message)) != NULL);
	FZ_ASSERT(memchr(e->corr_id, '\0', sizeof(e->corr_id)) != NULL);
	for (p = e->message; *p; p++)
		FZ_ASSERT(*p >= 0x20 && *p < 0x7f);
	FZ_ASSERT(e->retry_after_ms >= 0);
}

#endif
