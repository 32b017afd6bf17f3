/*
 * ent_whmcs.h: what the billing module asks by client (lib/ent_whmcs.c).
 * The ownership rule and the shared views are lib/ent.h's.
 */
#ifndef OCH_ENT_WHMCS_H
#define OCH_ENT_WHMCS_H

#include "ent.h"

/*
 * WHMCS says client cid's (decimal text) address is now email: the
 * user's login address follows it and, when it changed, their sessions
 * and live magic links end (ent_whmcs.c).  *changed is 1 when the
 * address changed.  Returns OCH_OK, OCH_ENOTFOUND (no such client's
 * user) or db_exec()'s error.
 */
enum och_err	 ent_whmcs_email(struct db *, const char *cid,
		    const char *email, int *changed);

#endif
