/*
 * whmcs.h: the WHMCS external API client (POST includes/api.php,
 * form-encoded, responsetype=json).
 *
 * WHMCS answers {"result":"success", ...} or {"result":"error",
 * "message":"..."}, usually with status 200, so result is what counts:
 *   result error: OCH_EAUTH for "Authentication Failed", "Invalid IP"
 *     and "Invalid Permissions" messages, OCH_ENOTFOUND for "... Not
 *     Found" / "not found", OCH_EINVAL otherwise; code "whmcs_error"
 *     (or "auth" / "not_found"); not retryable;
 *   5xx, 408, 429, transport errors, timeouts and garbage answers
 *     ("bad_response", e.g. PHP warnings instead of JSON): retryable;
 *   other 4xx without a result: not retryable.
 * The identifier and secret travel in the body, which is never logged
 * and is wiped after use.  Calls marked idempotent (UpdateClientProduct,
 * GetClientsProducts) are sent again inside the call on retryable
 * errors; others only when the connection failed.
 */
#ifndef OCH_WHMCS_H
#define OCH_WHMCS_H

#include <stdint.h>

#include "hcl.h"

struct cfg;
struct cJSON;
struct wh;

struct wh_param {
	const char	*key;
	const char	*value;
};

/* UpdateClientProduct; NULL fields are not sent. */
struct wh_update {
	int64_t		 serviceid;
	const char	*status;	/* Pending Active Suspended Terminated ... */
	const char	*dedicatedip;
	const char	*assignedips;
	const char	*domain;
	const char	*notes;
	const char	*suspendreason;
};

struct wh_product {
	int64_t	 id;		/* the service id */
	int64_t	 clientid;
	int64_t	 pid;
	char	 status[24];
	char	 domain[256];
	char	 dedicatedip[64];
	char	 name[128];
};

/* From WHMCS_API_URL/_IDENTIFIER/_SECRET; NULL when any is unset. */
struct wh	*wh_from_cfg(struct hcl *, const struct cfg *);
void		 wh_free(struct wh *);
void		 wh_set_policy(struct wh *, int max_retries, unsigned base_ms,
		    unsigned cap_ms);

/*
 * Call action with n params.  On OCH_OK, *out (if out is not NULL) is
 * the parsed answer (result == "success"); free it with cJSON_Delete.
 */
enum och_err	 wh_call(struct wh *, const char *action,
		    const struct wh_param *params, size_t n, int idempotent,
		    struct cJSON **out, struct prov_err *);
/* UpdateClientProduct. */
enum och_err	 wh_update_client_product(struct wh *,
		    const struct wh_update *, struct prov_err *);
/* GetClientsProducts for one service; OCH_ENOTFOUND when there is none. */
enum och_err	 wh_get_clients_products(struct wh *, int64_t serviceid,
		    struct wh_product *, struct prov_err *);

/*
 * Pure parts, exposed for the tests.  wh_form appends "key=value"
 * (both percent-encoded, '&' first unless b is empty) to b.
 * wh_parse reads an answer: OCH_OK with *out (may be NULL) for
 * result == "success", else fills e.  wh_parse_product reads one
 * product (ids as numbers or strings): 0, or -1 without a valid id.
 */
void		 wh_form(struct buf *, const char *key, const char *value);
enum och_err	 wh_parse(long status, const char *body, size_t len,
		    struct cJSON **out, struct prov_err *e);
int		 wh_parse_product(const struct cJSON *, struct wh_product *);

#endif
