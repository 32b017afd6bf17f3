/*
 * sim_whmcs.h: the WHMCS external API, POST /whmcs/includes/api.php:
 * form-encoded, identifier/secret (or username/password), responsetype
 * json (else XML), {"result":"success"|"error"}.  It keeps service rows
 * and every call it was told (secrets masked) for GET /_sim/whmcs.
 */
#ifndef SIM_WHMCS_H
#define SIM_WHMCS_H

#include <cjson/cJSON.h>

#include "http.h"

extern const struct http_svc swh_svc;

/* {"calls":[...], "services":[...]} (caller deletes). */
cJSON	*swh_json(void);
/*
 * Add or replace service rows from JSON (an object or an array of objects
 * with a numeric "serviceid").  Returns 0, or -1 with a static *err.
 */
int	 swh_seed(const cJSON *, const char **err);
void	 swh_reset(void);

#endif
