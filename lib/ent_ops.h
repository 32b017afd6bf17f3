/*
 * ent_ops.h: the operators' views and the control plane's health and
 * gauges (lib/ent_ops.c).  The ownership rule and the shared views are
 * lib/ent.h's.
 */
#ifndef OCH_ENT_OPS_H
#define OCH_ENT_OPS_H

#include "ent.h"

/*
 * The operators' views (ent_ops.c), each *out new JSON (caller deletes)
 * or NULL after a failure: instance id with everything an operator looks
 * at (its history, agent report, pending commands, outboxes; OCH_ENOTFOUND
 * when there is none); the provisioning queue (queue, failed, outbox,
 * pollers); the services whose WHMCS status drifts from ours (an array,
 * each with its reasons).  Return OCH_OK or db_exec()'s error.
 */
enum och_err	 ent_ops_instance(struct db *, const struct cfg *,
		    const char *id, cJSON **out);
enum och_err	 ent_ops_queue(struct db *, cJSON **out);
enum och_err	 ent_ops_drift(struct db *, cJSON **out);
/* The control plane's own health (health.fcgi), filled by ent_ops_health. */
struct ent_health {
	int	 has_schema;		/* else no migration recorded */
	int64_t	 schema;		/* the latest migration */
	int	 has_poller_age;	/* else no poller ever beat */
	int64_t	 poller_age_s;		/* since the latest heartbeat */
};
/* Fill *h (zeroed first).  Returns OCH_OK or db_exec()'s error. */
enum och_err	 ent_ops_health(struct db *, struct ent_health *h);

/* A gauge of the fleet's state for the Prometheus exposition. */
struct ent_gauge {
	char	*name;		/* och_instances, … */
	char	*label;		/* its one label's name, or NULL */
	char	*label_value;	/* NULL when label is */
	char	*value;		/* a number's text */
};
/*
 * The fleet's gauges by name: *out an array of *n (caller frees with
 * ent_gauge_free(*out, *n)).  Returns OCH_OK, or db_exec()'s error with
 * *out NULL and *n 0.
 */
enum och_err	 ent_ops_gauges(struct db *, struct ent_gauge **out,
		    size_t *n);
void		 ent_gauge_free(struct ent_gauge *, size_t n);

#endif
