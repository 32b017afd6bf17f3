/*
 * admin_view.c: "open as customer" (lib/view.h).
 *
 *   POST /api/v1/admin/instances/{id}/view   201 {csrf_token, user,
 *                                            instance_id, expires_at}
 *
 * The browser's session becomes a read-only view of the dashboard of the
 * instance's owner; POST /api/v1/auth/view/end (auth.fcgi) gives the
 * admin session back.  Audited as admin.view.open with the viewed user.
 */
#include <stdio.h>
#include <stdlib.h>

#include "admin.h"
#include "audit.h"
#include "valid.h"
#include "view.h"

void
adm_h_view(struct req *r)
{
	static const char *const action = "admin.view.open";
	const char	*id = req_param(r, 0);
	char		 uid[24], *detail;
	cJSON		*o;
	enum och_err	 err;

	if (!valid_uuid(id)) {
		adm_fail(r, action, NULL, NULL, OCH_ENOTFOUND, "no such instance");
		return;
	}
	err = view_open(r, id, &o, uid, sizeof(uid));
	switch (err) {
	case OCH_OK:
		break;
	case OCH_ENOTFOUND:
		adm_fail(r, action, "instance", id, err,
		    "no such instance, or it has no owner");
		return;
	case OCH_ECONFLICT:
		adm_fail(r, action, "instance", id, err,
		    "the owner is not a customer");
		return;
	default:
		adm_fail(r, action, "instance", id, err, NULL);
		return;
	}
	resp_json(r, 201, o);
	detail = xasprintf("{\"user_id\":%s}", uid);
	audit_req(r, action, "instance", id, 201, detail);
	free(detail);
}
