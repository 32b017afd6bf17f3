/*
 * sim_hetzner.h: the Hetzner Cloud API under /hetzner/v1: the service
 * (Bearer token, RateLimit-* token bucket, X-Correlation-Id, error bodies),
 * servers, server actions and metrics.  Also the helpers its sibling
 * modules (action.c, image.c) share: errors, pagination, body parsing.
 */
#ifndef SIM_HETZNER_H
#define SIM_HETZNER_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "http.h"

struct vm;

#define HZ_USER_DATA_MAX	32768	/* bytes of user_data */

struct shz_page {
	long	 page;
	long	 per_page;
	long	 total;
	long	 first;		/* index of the first item on the page */
	long	 end;		/* one past the last */
};

extern const struct http_svc shz_svc;

/* {"error":{"code","message","details"}}; details is taken (NULL: {}). */
void	 shz_error(struct http_req *, int status, const char *code,
	    const char *message, cJSON *details);
/* 400 invalid_input naming one field. */
void	 shz_invalid(struct http_req *, const char *field, const char *msg);
/* 409 uniqueness_error naming one field. */
void	 shz_uniqueness(struct http_req *, const char *field, const char *msg);
/* 404 not_found. */
void	 shz_not_found(struct http_req *, const char *what);
/*
 * Parse the JSON body into an object ("" counts as {}).  Returns it
 * (caller deletes), or NULL after answering json_error/invalid_input.
 */
cJSON	*shz_body(struct http_req *);
/* Path parameter n as an id; -1 after answering (400/404). */
int	 shz_id(struct http_req *, int n, int64_t *);
/* Read page/per_page; 0, or -1 after answering invalid_input. */
int	 shz_paging(struct http_req *, struct shz_page *);
/* Fix the page window for total items. */
void	 shz_page_range(struct shz_page *, long total);
/* Add "meta" to root and the Link header. */
void	 shz_meta(struct http_req *, cJSON *root, const struct shz_page *);
/*
 * Parse the repeatable sort parameter against the allowed fields.  Fills
 * keys/desc (up to max) and returns the count, or -1 after answering.
 */
int	 shz_sort(struct http_req *, const char *const *fields,
	    int *keys, int *desc, int max);
/*
 * Type-check one body field: kind 's' string, 'b' bool, 'o' object, 'a'
 * array, 'i' integer, 'n' an id or a name (integer or string).  Returns
 * the item (NULL when absent and optional), or answers 400 and sets *bad
 * (a set *bad makes it do nothing).
 */
cJSON	*shz_field(struct http_req *, cJSON *body, const char *name, int kind,
	    int required, int *bad);
/* An 'n' field as text: the string, or the integer printed into buf. */
const char *shz_idname(const cJSON *, char *buf, size_t len);
/* Add root_password: null when the server has SSH keys, else a new one. */
void	 shz_root_password(cJSON *root, int ssh_keys);
/* The server named by the {id} parameter; NULL after answering 400/404. */
struct vm *shz_server_param(struct http_req *);
/* POST /servers/{id}/actions/<name> (srvaction.c). */
void	 shz_server_action(struct http_req *);
/* One resource of a listed collection (shz_list). */
struct shz_item {
	int64_t		 id;
	const char	*name;
	double		 created;
	const cJSON	*labels;
	const void	*obj;		/* what json() shows */
};
/*
 * Answer GET on a collection: filter items (reordered in place) by name
 * and label_selector, sort, page; key is the array's name.  Answers 400
 * on a bad parameter.
 */
void	 shz_list(struct http_req *, const char *key, struct shz_item *,
	    size_t n, cJSON *(*json)(const void *));
/* The server as the API shows it. */
cJSON	*shz_server_json(const struct vm *);
/* Reset the rate-limit bucket to full with a new limit (0: keep). */
void	 shz_ratelimit_set(double limit, double remaining);
cJSON	*shz_ratelimit_json(void);
/* Forget servers, actions and images (POST /_sim/reset). */
void	 shz_reset(void);

#endif
