/*
 * lifecycle.c: the instance states in C (lifecycle.h), derived from the
 * INST_STATES list.
 */
#include <stddef.h>
#include <string.h>

#include "lifecycle.h"
#include "och.h"

static const struct {
	const char	*name;
	enum inst_kind	 kind;
} states[INST_STATE__MAX] = {
#define INST_STATE_ROW(e, n, k) [INST_##e] = { n, INST_K_##k },
	INST_STATES(INST_STATE_ROW)
#undef INST_STATE_ROW
};

static const char *const kinds[] = {
	[INST_K_MOVING] = "moving",
	[INST_K_STABLE] = "stable",
	[INST_K_FINAL] = "final",
	[INST_K_FAILED] = "failed",
};

const char *
inst_state_name(enum inst_state s)
{
	return (unsigned)s < INST_STATE__MAX ? states[s].name : "?";
}

enum inst_state
inst_state_parse(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return INST_STATE_UNKNOWN;
	for (i = 0; i < INST_STATE__MAX; i++)
		if (strcmp(states[i].name, name) == 0)
			return (enum inst_state)i;
	return INST_STATE_UNKNOWN;
}

enum inst_kind
inst_state_kind(enum inst_state s)
{
	return (unsigned)s < INST_STATE__MAX ? states[s].kind : INST_K_FINAL;
}

const char *
inst_kind_name(enum inst_kind k)
{
	return (unsigned)k < OCH_NELEM(kinds) ? kinds[k] : "?";
}
