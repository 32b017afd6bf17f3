/*
 * ent_report.h: what an agent's report stores (lib/ent_report.c).  The
 * ownership rule and the shared views are lib/ent.h's.
 */
#ifndef OCH_ENT_REPORT_H
#define OCH_ENT_REPORT_H

#include "ent.h"

/*
 * What an agent reports (ent_report.c), inside the caller's transaction.
 * The strings are the caller's; the JSON ones are texts, NULL for SQL
 * NULL.  Each returns OCH_OK or db_run()'s error.
 */
struct ent_report_in {
	const char	*id;		/* the instance */
	const char	*health;	/* an object */
	const char	*version;	/* OpenClaw's */
	const char	*applied_revision;	/* a bigint's text, or NULL */
	const char	*config_error;
	const char	*channels;	/* openclaw channels status --json */
	const char	*pairing;	/* the DM pairing requests, an array */
};
/* The report itself (one row per instance, replaced). */
enum och_err	 ent_report_put(struct db *, const struct ent_report_in *);
struct ent_report_extra {
	const char	*id;
	const char	*setup;		/* och-setup's setup.json */
	const char	*tls;
	const char	*skills;	/* installed and errors */
	const char	*devices;	/* NULL: none */
	const char	*models;	/* NULL: those reported before stay */
};
/* The rest of the report (its row exists: ent_report_put()). */
enum och_err	 ent_report_extra(struct db *,
		    const struct ent_report_extra *);
/* The history's first real certificate and first ready gateway, once. */
enum och_err	 ent_report_milestones(struct db *, const char *id);
/* A day of AI usage (schema: ai_usage). */
struct ent_usage {
	const char	*id;		/* the instance */
	const char	*day;		/* YYYY-MM-DD */
	const char	*input;		/* tokens, a bigint's text */
	const char	*output;
	const char	*cost;		/* USD, a numeric's text */
	const char	*provider;	/* NULL: the day's `all`/`all` row */
	const char	*model;
};
/*
 * The day's all/all row replaced (provider NULL), or the day's provider
 * and model row added to (after ent_usage_clear() of the day).
 */
enum och_err	 ent_usage_put(struct db *, const struct ent_usage *);
/* Remove the day's rows (a report that splits it by model follows). */
enum och_err	 ent_usage_clear(struct db *, const char *id,
		    const char *day);

#endif
