/*
 * view.h: "open as customer", an admin's read-only view of a customer's
 * dashboard (schema/161_view_sessions.sql).  The view is a session of the
 * customer's user that names the admin session it was opened from; the
 * browser holds it instead of the admin's until the view ends, and sees
 * exactly what the customer sees.  lib/auth.c refuses it every write
 * (403) but ending the view and signing out; it dies with the admin
 * session; lib/audit.c names the admin as the actor of what it does.
 */
#ifndef OCH_VIEW_H
#define OCH_VIEW_H

#include <cjson/cJSON.h>

#include "req.h"

/*
 * Open a view of the dashboard of instance id's owner for the admin
 * session of r, and hand it to r's browser (both session cookies).  On
 * success *out is {csrf_token, user: {id, email}, instance_id,
 * expires_at} (caller owns it) and *uid the viewed user's id (text, into
 * a buffer of uidsz bytes).  Returns OCH_OK, OCH_ENOTFOUND (no such
 * instance, or it has no owner), OCH_ECONFLICT (the owner is not a
 * customer), OCH_EAUTH (the admin session ended meanwhile), OCH_ESYSTEM
 * or a database error; nothing is set then.
 */
enum och_err	view_open(struct req *r, const char *id, cJSON **out,
		    char *uid, size_t uidsz);
/*
 * End the view r was made through and give r's browser its admin session
 * back (a new CSRF token).  On success *out is {csrf_token} (caller owns
 * it).  Returns OCH_OK, OCH_ECONFLICT when r's session is not a view,
 * OCH_EAUTH when the admin session ended meanwhile (both cookies are
 * cleared then), OCH_ESYSTEM or a database error.
 */
enum och_err	view_end(struct req *r, cJSON **out);

#endif
