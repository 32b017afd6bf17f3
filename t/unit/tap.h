/*
 * tap.h: a tiny TAP producer for the C unit tests in t/unit/.
 *   plan(n); ok(cond, "name"); is_int(a, b, "name"); is_str(a, b, "name");
 *   return done_testing();
 * A test binary prints TAP on stdout and exits non-zero if any test failed
 * or the plan was not met.
 */
#ifndef OCH_TAP_H
#define OCH_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_run, tap_failed, tap_planned = -1;

static inline void
plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

static inline int
ok_at(int cond, const char *file, int line, const char *name)
{
	tap_run++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_run, name);
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s line %d\n", file, line);
	}
	fflush(stdout);
	return cond;
}
#define ok(c, name) ok_at(!!(c), __FILE__, __LINE__, (name))

#define is_int(a, b, name) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (!ok(_a == _b, name))					\
		printf("#   got %lld, expected %lld\n", _a, _b);	\
} while (0)

#define is_str(a, b, name) do {						\
	const char *_a = (a), *_b = (b);				\
	if (!ok(_a != NULL && _b != NULL && strcmp(_a, _b) == 0, name))	\
		printf("#   got '%s', expected '%s'\n",		\
		    _a ? _a : "(null)", _b ? _b : "(null)");		\
} while (0)

static inline void
diag(const char *msg)
{
	printf("# %s\n", msg);
}

static inline int
done_testing(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_run);
	else if (tap_planned != tap_run) {
		printf("# planned %d tests but ran %d\n", tap_planned, tap_run);
		return 1;
	}
	return tap_failed ? 1 : 0;
}

#endif
