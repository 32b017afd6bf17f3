/*
 * alert.h: the alerts (schema/110_alerts.sql).  A condition is a read
 * query that names, for every subject it watches (an instance, or for
 * the operators' conditions a poller mode or an outbox), whether the
 * condition fires there, is clear there, or is in between (hysteresis:
 * the clear threshold is below the open one, e.g. disk above 90 % opens
 * and below 85 % resolves; "down" opens after ALERT_DOWN_SCRAPES failed
 * scrapes in a row and resolves after ALERT_UP_SCRAPES good ones).
 *
 * One evaluation per condition, in one transaction: a firing subject
 * gets a pending alert; once it has fired for the condition's hold time
 * (e.g. memory above 95 % for ALERT_MEMORY_SECONDS) the alert opens; a
 * pending alert that stops firing is dropped unseen; an open alert
 * whose subject is clear, or no longer watched (an instance terminated),
 * resolves.  Opening and resolving queue their emails (to the customer
 * unless they muted the condition, and/or to ADMIN_EMAIL) and, when
 * ALERT_WEBHOOK_URL is set, the operators' webhook, in the same
 * transaction, each under a dedupe key: never lost, never doubled.
 * Pollers on several hosts may evaluate at once: an advisory lock per
 * condition lets one of them do it.
 */
#ifndef OCH_ALERT_H
#define OCH_ALERT_H

#include "cfg.h"
#include "db.h"

/* A condition as the API shows it. */
struct alert_cond_info {
	const char	*name;		/* "instance_down" */
	const char	*title;		/* "Instance down" */
	const char	*audience;	/* customer | admin | both */
	const char	*severity;	/* warning | critical */
};

/* The number of conditions, and the i-th (0 <= i < alert_ncond()). */
size_t		 alert_ncond(void);
const struct alert_cond_info *alert_cond(size_t i);
/* The condition called name, or NULL. */
const struct alert_cond_info *alert_cond_find(const char *name);

/* What one evaluation did (summed over the conditions). */
struct alert_stats {
	long	opened;
	long	resolved;
	long	skipped;	/* conditions another poller held */
};

/*
 * Evaluate every condition once.  Returns 0, or -1 when the database
 * failed (logged; the conditions done before stay done, the failing
 * one is rolled back whole).  st may be NULL.
 */
int		 alert_evaluate(struct db *, const struct cfg *,
		    struct alert_stats *st);

#endif
