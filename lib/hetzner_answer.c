/*
 * hetzner_answer.c: reading the Hetzner Cloud API's answers (hetzner.h):
 * an error answer classified into an och_err and whether waiting can fix
 * it (its tables and rules: hz_kind, hetzner_int.h), and the
 * server, action and image objects parsed into structs.  Pure: no
 * request is made here.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hetzner.h"
#include "hetzner_int.h"
#include "log.h"

static const struct prov_code hz_codes[] = {
	{ "rate_limit_exceeded", OCH_ERATE, 1 },
	{ "limit_reached", OCH_ERATE, 1 },
	{ "conflict", OCH_ECONFLICT, 1 },
	{ "locked", OCH_ECONFLICT, 1 },
	{ "resource_locked", OCH_ECONFLICT, 1 },
	{ "timeout", OCH_EUPSTREAM, 1 },
	{ "server_error", OCH_EUPSTREAM, 1 },
	{ "service_error", OCH_EUPSTREAM, 1 },
	{ "bad_gateway", OCH_EUPSTREAM, 1 },
	{ "unknown_error", OCH_EUPSTREAM, 1 },
	{ "unavailable", OCH_EUNAVAIL, 1 },
	{ "maintenance", OCH_EUNAVAIL, 1 },
	{ "robot_unavailable", OCH_EUNAVAIL, 1 },
	{ "resource_unavailable", OCH_EUNAVAIL, 1 },
	{ "placement_error", OCH_EUNAVAIL, 1 },
	{ "invalid_input", OCH_EINVAL, 0 },
	{ "json_error", OCH_EINVAL, 0 },
	{ "invalid_server_type", OCH_EINVAL, 0 },
	{ "uniqueness_error", OCH_ECONFLICT, 0 },
	{ "not_found", OCH_ENOTFOUND, 0 },
	{ "forbidden", OCH_EFORBIDDEN, 0 },
	{ "token_readonly", OCH_EFORBIDDEN, 0 },
	{ "unauthorized", OCH_EAUTH, 0 },
	{ "resource_limit_exceeded", OCH_EFORBIDDEN, 0 },
	{ "protected", OCH_EFORBIDDEN, 0 },
	{ "server_not_stopped", OCH_ECONFLICT, 0 },
	{ "unsupported_error", OCH_EUNPROCESSABLE, 0 },
	{ "deprecated_api_endpoint", OCH_EUPSTREAM, 0 },
	{ "method_not_allowed", OCH_EUPSTREAM, 0 },
};

/* By status alone, for answers without a usable error code. */
static const struct prov_status hz_statuses[] = {
	{ 400, OCH_EINVAL, 0 },
	{ 422, OCH_EINVAL, 0 },
	{ 401, OCH_EAUTH, 0 },
	{ 403, OCH_EFORBIDDEN, 0 },
	{ 404, OCH_ENOTFOUND, 0 },
	{ 409, OCH_ECONFLICT, 0 },
	{ 423, OCH_ECONFLICT, 0 },
	{ 408, OCH_EUPSTREAM, 1 },
	{ 429, OCH_ERATE, 1 },
};

/* Refused, nothing done: rate limited, or another action on it runs. */
static int
hz_refused(const struct prov_err *e)
{
	return hcl_perr_is(e, "rate_limit_exceeded") ||
	    hcl_perr_is(e, "conflict");
}

struct hcl_rlstate hz_rl = { { -1, -1, -1, -1 }, 0 };

/* the budget refills one request a second */
const struct prov_kind hz_kind = {
	"hetzner", hz_codes, OCH_NELEM(hz_codes), hz_statuses,
	OCH_NELEM(hz_statuses), hz_classify, hz_refused, &hz_rl, 1000
};

static const char *const act_status[HZ_ACTION_STATUS__MAX] = {
	"running",	/* HZ_ACTION_RUNNING */
	"success",	/* HZ_ACTION_SUCCESS */
	"error",	/* HZ_ACTION_ERROR */
};

const char *
hz_action_status_name(enum hz_action_status s)
{
	return (unsigned)s < HZ_ACTION_STATUS__MAX ? act_status[s] : "?";
}

/* ---- classification -------------------------------------------------- */

/* The error.code of a body, into code ("" when none). */
static void
error_code(const char *body, size_t len, char *code, size_t codesz,
    char *msg, size_t msgsz)
{
	cJSON		*root;
	const cJSON	*er;
	char		 raw[256];

	code[0] = '\0';
	if (msg)
		msg[0] = '\0';
	if (body == NULL || len == 0)
		return;
	if ((root = hcl_json_parse(body, len)) == NULL)
		return;
	er = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (hcl_json_str(er, "code", raw, sizeof(raw)) == 0)
		hcl_sanitize(code, codesz, raw);
	if (msg && hcl_json_str(er, "message", raw, sizeof(raw)) == 0)
		hcl_sanitize(msg, msgsz, raw);
	cJSON_Delete(root);
}

void
hz_classify(long status, const char *body, size_t len, struct prov_err *e)
{
	char	 code[64], msg[256];

	error_code(body, len, code, sizeof(code), msg, sizeof(msg));
	prov_map(&hz_kind, status, code, msg, e);
}

/* ---- parsing --------------------------------------------------------- */

static int
valid_ip(int af, const char *s)
{
	unsigned char	 tmp[16];

	return inet_pton(af, s, tmp) == 1;
}

/* "2001:db8::/64" (or a bare address) */
static int
valid_net6(const char *s)
{
	char		 a[64];
	const char	*slash;
	size_t		 n;
	int64_t		 bits;

	if ((slash = strchr(s, '/')) == NULL)
		return valid_ip(AF_INET6, s);
	n = (size_t)(slash - s);
	if (n == 0 || n >= sizeof(a))
		return 0;
	memcpy(a, s, n);
	a[n] = '\0';
	if (hcl_parse_id(slash + 1, &bits) == -1 || bits > 128)
		return 0;
	return valid_ip(AF_INET6, a);
}

static void
label_value(const cJSON *obj, char *dst, size_t dstsz)
{
	char	 raw[128];

	dst[0] = '\0';
	if (hcl_json_str(cJSON_GetObjectItemCaseSensitive(obj, "labels"),
	    HZ_LABEL, raw, sizeof(raw)) == 0)
		hcl_sanitize(dst, dstsz, raw);
}

int
hz_parse_server(const cJSON *o, struct hz_server *s)
{
	const cJSON	*pn, *v4, *v6, *it;
	char		 raw[128];

	memset(s, 0, sizeof(*s));
	if (hcl_json_id(o, "id", &s->id, 0) == -1)
		return -1;
	if (hcl_json_str(o, "name", raw, sizeof(raw)) == -1)
		return -1;
	hcl_sanitize(s->name, sizeof(s->name), raw);
	if (hcl_json_str(o, "status", raw, sizeof(raw)) == -1 ||
	    raw[0] == '\0')
		return -1;
	hcl_sanitize(s->status, sizeof(s->status), raw);
	pn = cJSON_GetObjectItemCaseSensitive(o, "public_net");
	if (pn != NULL && !cJSON_IsNull(pn)) {
		if (!cJSON_IsObject(pn))
			return -1;
		v4 = cJSON_GetObjectItemCaseSensitive(pn, "ipv4");
		if (cJSON_IsObject(v4)) {
			if (hcl_json_str(v4, "ip", raw, sizeof(raw)) == -1 ||
			    !valid_ip(AF_INET, raw))
				return -1;
			hcl_sanitize(s->ipv4, sizeof(s->ipv4), raw);
		} else if (v4 != NULL && !cJSON_IsNull(v4))
			return -1;
		v6 = cJSON_GetObjectItemCaseSensitive(pn, "ipv6");
		if (cJSON_IsObject(v6)) {
			if (hcl_json_str(v6, "ip", raw, sizeof(raw)) == -1 ||
			    !valid_net6(raw))
				return -1;
			hcl_sanitize(s->ipv6, sizeof(s->ipv6), raw);
		} else if (v6 != NULL && !cJSON_IsNull(v6))
			return -1;
	}
	if (hcl_json_str(cJSON_GetObjectItemCaseSensitive(o, "server_type"),
	    "name", raw, sizeof(raw)) == 0)
		hcl_sanitize(s->server_type, sizeof(s->server_type), raw);
	if (hcl_json_str(cJSON_GetObjectItemCaseSensitive(o, "location"),
	    "name", raw, sizeof(raw)) == 0)
		hcl_sanitize(s->location, sizeof(s->location), raw);
	label_value(o, s->instance, sizeof(s->instance));
	it = cJSON_GetObjectItemCaseSensitive(o, "locked");
	s->locked = cJSON_IsTrue(it);
	return 0;
}

int
hz_parse_action(const cJSON *o, struct hz_action *a)
{
	const cJSON	*it, *er;
	char		 raw[256];
	int		 i;

	memset(a, 0, sizeof(*a));
	if (hcl_json_id(o, "id", &a->id, 0) == -1)
		return -1;
	if (hcl_json_str(o, "status", raw, sizeof(raw)) == -1)
		return -1;
	for (i = 0; i < HZ_ACTION_STATUS__MAX; i++)
		if (strcmp(raw, act_status[i]) == 0)
			break;
	if (i == HZ_ACTION_STATUS__MAX)
		return -1;
	a->status = (enum hz_action_status)i;
	if (hcl_json_str(o, "command", raw, sizeof(raw)) == 0)
		hcl_sanitize(a->command, sizeof(a->command), raw);
	it = cJSON_GetObjectItemCaseSensitive(o, "progress");
	if (cJSON_IsNumber(it) && it->valuedouble >= 0 &&
	    it->valuedouble <= 100)
		a->progress = (int)it->valuedouble;
	if (a->status == HZ_ACTION_ERROR) {
		er = cJSON_GetObjectItemCaseSensitive(o, "error");
		if (hcl_json_str(er, "code", raw, sizeof(raw)) == 0)
			hcl_sanitize(a->error_code, sizeof(a->error_code), raw);
		else
			snprintf(a->error_code, sizeof(a->error_code),
			    "action_failed");
		if (hcl_json_str(er, "message", raw, sizeof(raw)) == 0)
			hcl_sanitize(a->error_message,
			    sizeof(a->error_message), raw);
	}
	return 0;
}

int
hz_parse_image(const cJSON *o, struct hz_image *im)
{
	char	 raw[256];

	memset(im, 0, sizeof(*im));
	if (hcl_json_id(o, "id", &im->id, 0) == -1)
		return -1;
	if (hcl_json_str(o, "type", raw, sizeof(raw)) == -1)
		return -1;
	hcl_sanitize(im->type, sizeof(im->type), raw);
	if (hcl_json_str(o, "status", raw, sizeof(raw)) == 0)
		hcl_sanitize(im->status, sizeof(im->status), raw);
	if (hcl_json_str(o, "description", raw, sizeof(raw)) == 0)
		hcl_sanitize(im->description, sizeof(im->description), raw);
	(void)hcl_json_id(cJSON_GetObjectItemCaseSensitive(o, "created_from"),
	    "id", &im->created_from, 0);
	label_value(o, im->instance, sizeof(im->instance));
	return 0;
}

