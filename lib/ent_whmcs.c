/*
 * ent_whmcs.c: what WHMCS tells us about its clients (ent.h): a client's
 * new address, applied idempotently.
 */
#include <string.h>

#include "ent_whmcs.h"

/* Rows: the user, when it exists; column 0 whether the address changed. */
static const struct db_stmt stmt_email = { "ent_whmcs_email",
	"WITH old AS (SELECT id, email FROM users"
	"  WHERE whmcs_client_id = $1::bigint FOR UPDATE),"
	" u AS (UPDATE users SET email = lower($2), updated_at = now()"
	"  FROM old WHERE users.id = old.id RETURNING users.id,"
	"  old.email <> lower($2) AS changed),"
	" s AS (UPDATE sessions SET revoked_at = now() FROM u"
	"  WHERE sessions.user_id = u.id AND u.changed"
	"  AND sessions.revoked_at IS NULL),"
	" m AS (UPDATE magic_links SET expires_at = now() FROM u"
	"  WHERE magic_links.user_id = u.id AND u.changed"
	"  AND magic_links.used_at IS NULL AND magic_links.expires_at > now())"
	" SELECT changed FROM u" };

enum och_err
ent_whmcs_email(struct db *db, const char *cid, const char *email,
    int *changed)
{
	PGresult	*res;
	const char	*p[2] = { cid, email };
	enum och_err	 err;

	*changed = 0;
	if ((res = db_exec(db, &stmt_email, 2, p, &err)) == NULL)
		return err;
	if (PQntuples(res) == 0)
		err = OCH_ENOTFOUND;
	else
		*changed = strcmp(db_val(res, 0, 0), "t") == 0;
	PQclear(res);
	return err;
}
