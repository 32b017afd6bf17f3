/*
 * fuzz.h: what the libFuzzer harnesses in fuzz/ share.  Each harness
 * feeds one parser that meets outside input the bytes libFuzzer makes
 * up; ASan+UBSan (configure --enable-fuzzing) turn any memory or
 * undefined-behaviour error into a crash, and the harness itself aborts
 * when a parser breaks its own documented contract.  README.md says how
 * to build and run them.
 */
#ifndef OCH_FUZZ_H
#define OCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * A NUL-terminated heap copy of n bytes of d (embedded NULs kept, so
 * strlen() may be shorter than n).  Aborts when out of memory; the
 * caller frees.
 */
static inline char *
fz_str(const uint8_t *d, size_t n)
{
	char	*s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, d, n);
	s[n] = '\0';
	return s;
}

/* Stop with a message when a parser broke its contract (a finding). */
#define FZ_ASSERT(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: contract broken: %s\n",		\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

#endif
