/*
 * http.h: the simulator's HTTP front door on libmicrohttpd, driven by the
 * event loop.  It owns requests (struct http_req), routing to the services
 * (struct http_svc with a route table each), request counting for
 * /_sim/stats, fault application (drop, hang, "but created") and the
 * response helpers every service uses.
 */
#ifndef SIM_HTTP_H
#define SIM_HTTP_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "och.h"
#include "fault.h"
#include "loop.h"

#define HTTP_MAX_BODY	(1024 * 1024)
#define HTTP_MAX_PARAMS	4

struct http_req;

struct http_route {
	const char	*method;
	const char	*pattern;	/* "/servers/{id}": {x} = a segment */
	void		(*fn)(struct http_req *);
};

struct http_svc {
	const char		*name;		/* "hetzner", key in stats */
	const char		*prefix;	/* "/hetzner/v1" */
	const struct http_route	*routes;
	size_t			 nroutes;
	int			 faultable;	/* /_sim is not */
	/* Every request, first: common headers, rate limits.  1 = go on. */
	int	(*front)(struct http_req *);
	/* Credentials: 1 = good, 0 = it answered the error itself. */
	int	(*auth)(struct http_req *);
	/* Answer the error a fault kind stands for. */
	void	(*fault)(struct http_req *, enum flt_kind);
	/* Answer 404 (no such route), 405 (wrong method) or 413 (body). */
	void	(*nomatch)(struct http_req *, int status);
};

struct http_hdr {
	char	*name;
	char	*value;
};

enum http_after {
	HTTP_RESPOND = 0,
	HTTP_DROP,
	HTTP_HANG,
};

struct http_req {
	void			*conn;		/* struct MHD_Connection */
	char			*method;
	char			*path;		/* decoded path, no query */
	const char		*sub;		/* path below the prefix */
	struct buf		 body;
	int			 too_large;
	int			 dispatched;
	const struct http_svc	*svc;
	const struct http_route	*route;
	char			*params[HTTP_MAX_PARAMS];
	int			 nparams;
	struct flt_pick		 fault;		/* this request's fault */
	int			 status;
	struct buf		 out;
	struct http_hdr		*hdrs;
	size_t			 nhdrs;
	enum http_after		 after;
	double			 hang;
	struct loop_timer	 hang_timer;
	int			 resumed;
	struct http_req		*hnext, *hprev;	/* hung requests */
};

/* Register a service (the pointer is kept). */
void		 http_register(const struct http_svc *);
/*
 * Listen on host:port and hook into the loop.  Returns 0, or -1 after
 * logging why.
 */
int		 http_start(const char *host, int port);
/* Resume hung requests and stop the daemon (idempotent). */
void		 http_stop(void);

/* Request accessors (valid while the request is being handled). */
const char	*http_header_in(struct http_req *, const char *);
/* The token of "Authorization: Bearer <token>" (the scheme in any case),
 * or NULL when there is none or it is empty. */
const char	*http_bearer(struct http_req *);
const char	*http_query(struct http_req *, const char *);
/* All values of a repeated query key, up to max; returns the count. */
size_t		 http_query_all(struct http_req *, const char *,
		    const char **, size_t max);
/* Every query key (for unknown-filter checks); returns the count. */
size_t		 http_query_keys(struct http_req *, const char **, size_t);
/* Path parameter n (from {x} in the pattern), or "". */
const char	*http_param(struct http_req *, int);

/* Responses. */
void		 http_add_header(struct http_req *, const char *,
		    const char *);
void		 http_set_header(struct http_req *, const char *,
		    const char *);
/* Answer JSON and delete the tree. */
void		 http_json(struct http_req *, int status, cJSON *);
void		 http_text(struct http_req *, int status, const char *ctype,
		    const char *);
/* Forget the body and status (not the headers) of the answer so far. */
void		 http_reset_body(struct http_req *);

/* Counts per service and route, as {"hetzner":{"POST /servers":3}}. */
cJSON		*http_stats_json(void);
void		 http_stats_reset(void);
/* Number of requests hung by a fault right now. */
size_t		 http_nhung(void);

#endif
