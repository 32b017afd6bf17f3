/*
 * outbox.h: delivery of the transactional outboxes: rows of
 * email_outbox are rendered from templates/email/<template>.{subject,
 * html,txt}.tmpl under OCH_TEMPLATE_DIR (HTML-escaped in the HTML part)
 * and sent with Resend, Idempotency-Key "email-<row id>"; rows of
 * webhook_outbox are WHMCS API commands (UpdateClientProduct, ...).
 *
 * Rows are claimed one at a time with FOR UPDATE SKIP LOCKED and a short
 * lease, so several pollers share the work.  A row is marked sent once,
 * after the upstream accepted it; a crash between the two makes the row
 * due again after the lease, and the replay is harmless (Resend answers
 * a known key with the first result; UpdateClientProduct sets values).
 * Retryable failures back off with jitter (POLLER_BACKOFF_MS ..
 * POLLER_BACKOFF_MAX_MS); a rate limit pauses the provider without
 * counting an attempt; after OBX_MAX_ATTEMPTS, or at once for an error
 * that cannot pass by waiting, the row is marked failed (logged).
 */
#ifndef OCH_OUTBOX_H
#define OCH_OUTBOX_H

#include <time.h>

#include "cfg.h"
#include "db.h"
#include "hcl.h"

#define OBX_MAX_ATTEMPTS	30
#define OBX_LEASE_SECONDS	30

struct obx;

/* An email rendered from its templates (strings owned by the struct). */
struct obx_mail {
	char	*subject;
	char	*html;		/* NULL: the template has no HTML part */
	char	*text;		/* NULL: the template has no text part */
};

/*
 * An outbox sender on db with the configured Resend and WHMCS clients
 * (either may be unconfigured: its rows then wait).  cfg and hcl are
 * borrowed.  Never NULL.
 */
struct obx	*obx_new(struct db *, const struct cfg *, struct hcl *);
void		 obx_free(struct obx *);
/*
 * Name the lease holder ("host:pid", copied; default "-") so that
 * obx_rescue() on the same host can tell a dead holder.
 */
void		 obx_set_owner(struct obx *, const char *owner);
/*
 * Release the leases of outbox rows held by a process of this host
 * (host is the part before ':' of the owner) that is gone.  Returns the
 * number of owners released, or -1 on database error.
 */
int		 obx_rescue(struct obx *);

/*
 * Handle due rows, emails first, until none is due, max rows were handled
 * or deadline (UNIX time, 0: none) passed.  Returns the number of rows
 * handled (sent, rescheduled or failed), or -1 when the database failed.
 */
int		 obx_sweep(struct obx *, int max, time_t deadline);

/*
 * Sealed variables: a value that must not rest in clear in the outbox (a
 * login link) goes in the row's vars under "sealed" as {"name": hex},
 * hex being the cry_seal() of the value (lowercase hex, no "\x") under
 * the master key with the associated data obx_seal_ad(to, name) built, so
 * it opens only for that recipient and name.  The sender opens them
 * before rendering; a row whose sealed value does not open fails.
 * Returns "email_outbox:<name>:<to>" (caller frees).
 */
char		*obx_seal_ad(const char *to, const char *name);

/*
 * Render the email template tmpl ([a-z_]+) with vars (a JSON object text;
 * NULL is {}) for recipient to.  Besides vars, the templates may name
 * email (the recipient) and dashboard_url.  Returns 0, or -1 (logged)
 * when a part is missing or does not render.  Free with obx_mail_free.
 */
int		 obx_render(const struct cfg *, const char *tmpl,
		    const char *vars, const char *to, struct obx_mail *);
void		 obx_mail_free(struct obx_mail *);

#endif
