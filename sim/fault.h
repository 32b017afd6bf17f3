/*
 * fault.h: injected faults.  Rules are set through POST /_sim/faults; each
 * names a service and a route pattern (fnmatch(3) against the route key,
 * e.g. "POST /servers" or "POST /servers/{id}/actions/poweron", with
 * shell wildcards) and holds a script
 * of the next answers, a probability with a set of kinds, or both (the
 * script is used first).  Random choices come from the fault stream, so a
 * fixed --seed repeats them.
 */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

#include <cjson/cJSON.h>

enum flt_kind {
	FLT_NONE = 0,		/* "ok": answer normally */
	FLT_429,		/* "429" */
	FLT_500,		/* "500" */
	FLT_502,		/* "502" */
	FLT_503,		/* "503" */
	FLT_504,		/* "504" */
	FLT_LOCKED,		/* "locked" (Hetzner 423) */
	FLT_CONFLICT,		/* "conflict" (Hetzner 409) */
	FLT_UNAVAILABLE,	/* "resource_unavailable" (Hetzner 412) */
	FLT_HANG,		/* "hang": no answer for hang_seconds */
	FLT_DROP,		/* "drop": close the connection */
	FLT_ERROR_BUT_CREATED,	/* "error_but_created": do it, answer 5xx */
	FLT_DROP_BUT_CREATED,	/* "drop_but_created": do it, then drop */
	FLT_HANG_BUT_CREATED,	/* "hang_but_created": do it, then hang */
	FLT_ACTION_ERROR,	/* "action_error": Hetzner action fails */
	FLT__MAX
};

/* What a request gets. */
struct flt_pick {
	enum flt_kind	 kind;
	double		 hang;		/* seconds, for the hang kinds */
	int		 status;	/* for error_but_created (500) */
};

/* Stable name of a kind ("429", "hang", ...). */
const char	*flt_name(enum flt_kind);
/* 1 when the kind does the work before failing (the *_but_created). */
int		 flt_after_work(enum flt_kind);
/*
 * Decide the fault for one request of `service` on route key `route`.
 * Returns the pick (kind FLT_NONE when there is none).  Counts what was
 * injected for GET /_sim/faults.
 */
struct flt_pick	 flt_pick(const char *service, const char *route);
/*
 * Add rules from a JSON document (one rule object, an array of them, or
 * {"rules":[...], "replace":bool, "seed":N}).  Returns 0, or -1 with a
 * message in *err (static string) on bad input; nothing is changed then.
 */
int		 flt_configure(const cJSON *, const char **err);
/* The rules and counters as JSON (caller deletes). */
cJSON		*flt_json(void);
/* Remove every rule and counter. */
void		 flt_clear(void);

#endif
