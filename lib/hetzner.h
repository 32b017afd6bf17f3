/*
 * hetzner.h: the Hetzner Cloud API client (servers, server actions,
 * actions, snapshot images, label lookups), as Hetzner's API document
 * (third_party/openapi/hcloud-openapi.json) describes it.
 *
 * Every call fills a struct prov_err (hcl.h).  Errors are classified by
 * the upstream's error.code, falling back on the HTTP status when the
 * body has none:
 *   retryable: rate_limit_exceeded (limit_reached), conflict, locked,
 *     resource_locked, timeout, server_error, service_error, bad_gateway,
 *     unknown_error, unavailable, maintenance, robot_unavailable,
 *     resource_unavailable, placement_error, any 5xx/408/429 without a
 *     code, transport errors and timeouts, garbage or incomplete answers
 *     ("bad_response");
 *   not retryable: invalid_input, json_error, invalid_server_type,
 *     uniqueness_error (OCH_ECONFLICT: look the server up by label),
 *     not_found (OCH_ENOTFOUND: the caller decides), forbidden,
 *     token_readonly, unauthorized, resource_limit_exceeded, protected,
 *     server_not_stopped (OCH_ECONFLICT: shut down first),
 *     unsupported_error, deprecated_api_endpoint, method_not_allowed,
 *     primary_ip_* and other 4xx.
 * Within one call a request is sent again (backoff 250 ms .. 2 s, two
 * more tries by default) only when that cannot do anything twice: when
 * the connection failed, on rate_limit_exceeded and conflict (nothing
 * was done), and for GET and DELETE on any retryable error.  Anything
 * else returns to the caller, which retries later.
 *
 * The RateLimit-* headers of every answer are kept process-wide
 * (hz_rl_get, hz_pace_ms) so the poller paces itself.  Ids are int64.
 * Correlation ids are logged with failures; the token never is.
 */
#ifndef OCH_HETZNER_H
#define OCH_HETZNER_H

#include <stdint.h>
#include <time.h>

#include "hcl.h"

struct cfg;
struct cJSON;
struct hz;

#define HZ_API_URL	"https://api.hetzner.cloud/v1"
#define HZ_LABEL	"och-instance"	/* label naming our instance id */
#define HZ_USER_DATA_MAX 32768

enum hz_action_status {
	HZ_ACTION_RUNNING,
	HZ_ACTION_SUCCESS,
	HZ_ACTION_ERROR,
	HZ_ACTION_STATUS__MAX
};

struct hz_action {
	int64_t			 id;
	enum hz_action_status	 status;
	int			 progress;	/* 0..100 */
	char			 command[48];
	char			 error_code[64];	/* when HZ_ACTION_ERROR */
	char			 error_message[256];
};

struct hz_server {
	int64_t	 id;
	char	 name[64];
	char	 status[16];	/* initializing starting running stopping
				   off deleting migrating rebuilding unknown */
	char	 ipv4[16];	/* "" when none */
	char	 ipv6[64];	/* the network, "2001:db8::/64"; "" when none */
	char	 server_type[32];
	char	 location[32];
	char	 instance[64];	/* value of the och-instance label or "" */
	int	 locked;
};

struct hz_image {
	int64_t	 id;
	char	 type[16];	/* snapshot, backup, system, app */
	char	 status[16];	/* available, creating, unavailable */
	char	 description[128];
	int64_t	 created_from;	/* server id or 0 */
	char	 instance[64];	/* och-instance label or "" */
};

struct hz_create {
	const char	*name;		/* unique per project (hostname) */
	const char	*server_type;	/* "cx23" */
	const char	*image;		/* name or id as a string */
	const char	*location;	/* "fsn1" (NULL: Hetzner picks) */
	const char	*user_data;	/* <= 32 KiB, or NULL */
	const char	*instance;	/* value of the och-instance label */
	int		 start_after_create;
	int64_t		 ssh_key_id;	/* the operator's key (0: none) */
	int64_t		 firewall_id;	/* the fleet firewall (0: none) */
};

/* Server actions without arguments. */
enum hz_act {
	HZ_POWERON,
	HZ_POWEROFF,
	HZ_SHUTDOWN,
	HZ_REBOOT,
	HZ_RESET,
	HZ_ACT__MAX
};

/*
 * A client from HETZNER_API_URL and HETZNER_API_TOKEN; NULL when the
 * token is not set.
 */
struct hz	*hz_from_cfg(struct hcl *, const struct cfg *);
void		 hz_free(struct hz *);
/*
 * One API call: method on base + path, body (may be NULL) as JSON, under
 * the client's retry policy (idempotent: safe to send again).  On a 2xx
 * answer *out (if out is not NULL) gets the parsed body, which must be an
 * object (else bad_response); free it with cJSON_Delete.  Returns e->err.
 */
enum och_err	 hz_request(struct hz *, const char *method, const char *path,
		    const struct cJSON *body, int idempotent,
		    struct cJSON **out, struct prov_err *);
/* Replace the in-call retry policy (max_retries 0 turns it off). */
void		 hz_set_policy(struct hz *, int max_retries, unsigned base_ms,
		    unsigned cap_ms);

/*
 * POST /servers with the och-instance label.  On OCH_OK, srv and act
 * (the create_server action) are filled.  Failures as in the header
 * comment; after a retryable failure the server may exist anyway: look
 * it up with hz_server_find_instance before creating again.
 */
enum och_err	 hz_server_create(struct hz *, const struct hz_create *,
		    struct hz_server *srv, struct hz_action *act,
		    struct prov_err *);
/* GET /servers/{id}; OCH_ENOTFOUND when it is gone. */
enum och_err	 hz_server_get(struct hz *, int64_t id, struct hz_server *,
		    struct prov_err *);
/*
 * GET /servers filtered by label_selector and/or name (either may be
 * NULL), following pagination.  Up to max servers are stored in out;
 * *n is the number that matched (it may exceed max).
 */
enum och_err	 hz_server_list(struct hz *, const char *label_selector,
		    const char *name, struct hz_server *out, size_t max,
		    size_t *n, struct prov_err *);
/* The servers labelled och-instance=<instance>, as hz_server_list. */
enum och_err	 hz_server_find_instance(struct hz *, const char *instance,
		    struct hz_server *out, size_t max, size_t *n,
		    struct prov_err *);
/*
 * DELETE /servers/{id}; act (may be NULL) gets the delete_server
 * action.  OCH_ENOTFOUND when it was already gone.
 */
enum och_err	 hz_server_delete(struct hz *, int64_t id, struct hz_action *,
		    struct prov_err *);
/* POST /servers/{id}/actions/{poweron,...}; act gets the action. */
enum och_err	 hz_server_act(struct hz *, int64_t id, enum hz_act,
		    struct hz_action *, struct prov_err *);
/* rebuild with image (and user_data, may be NULL). */
enum och_err	 hz_server_rebuild(struct hz *, int64_t id, const char *image,
		    const char *user_data, struct hz_action *,
		    struct prov_err *);
/* change_type; the server must be off (else server_not_stopped). */
enum och_err	 hz_server_change_type(struct hz *, int64_t id,
		    const char *server_type, int upgrade_disk,
		    struct hz_action *, struct prov_err *);
/*
 * create_image (a snapshot) labelled och-instance=<instance>;
 * *image_id gets the new image's id.
 */
enum och_err	 hz_server_create_image(struct hz *, int64_t id,
		    const char *description, const char *instance,
		    int64_t *image_id, struct hz_action *, struct prov_err *);
/* GET /actions/{id}. */
enum och_err	 hz_action_get(struct hz *, int64_t id, struct hz_action *,
		    struct prov_err *);
/*
 * GET /actions?id=..&id=.. (one request for up to 25 ids): out[i] gets
 * the action of ids[i]; an id missing from the answer is bad_response.
 */
enum och_err	 hz_actions_get(struct hz *, const int64_t *ids, size_t n,
		    struct hz_action *out, struct prov_err *);
/*
 * GET /images?type=snapshot&label_selector=..., as hz_server_list
 * (label_selector may be NULL: all snapshots).
 */
enum och_err	 hz_image_list(struct hz *, const char *label_selector,
		    struct hz_image *out, size_t max, size_t *n,
		    struct prov_err *);
/* DELETE /images/{id}; OCH_ENOTFOUND when already gone. */
enum och_err	 hz_image_delete(struct hz *, int64_t id, struct prov_err *);

/*
 * The latest rate-limit headers seen by this process (fields -1 when
 * never seen) and when they were seen (0: never).
 */
void		 hz_rl_get(struct hcl_ratelimit *, time_t *seen_at);
/*
 * How long to wait before the next request so that at least floor
 * requests stay in the budget, from the last headers seen and the
 * refill rate (limit per hour); 0 when there is room or nothing is
 * known.  Never more than until RateLimit-Reset.
 */
long long	 hz_pace_ms(time_t now, long long floor);
/* Record headers (used by the client; exposed for the tests). */
void		 hz_rl_note(const struct hcl_ratelimit *, time_t now);

/*
 * Pure parts, exposed for the tests.  hz_classify fills e from an
 * error answer (status and body); hz_parse_* read one object,
 * returning 0, or -1 when a required field is missing or malformed.
 */
void		 hz_classify(long status, const char *body, size_t len,
		    struct prov_err *e);
int		 hz_parse_server(const struct cJSON *, struct hz_server *);
int		 hz_parse_action(const struct cJSON *, struct hz_action *);
int		 hz_parse_image(const struct cJSON *, struct hz_image *);
const char	*hz_action_status_name(enum hz_action_status);

#endif
