/*
 * srv.h: the shared FastCGI accept loop.  A binary declares its routes and
 * calls srv_main(); the loop does, in this order, for every request:
 * method and route (404/405), body size from CONTENT_LENGTH before reading
 * a byte (400/413), content type (415), JSON parsing (400), authentication
 * (401/403), then the handler, then the route's audit record when
 * routes.def names one (sent without waiting for PostgreSQL's answer:
 * lib/db.h db_send()).  Every answer carries the security headers
 * and the error shape of docs/api.md, Errors; nothing of one request
 * survives into the next.
 */
#ifndef OCH_SRV_H
#define OCH_SRV_H

#include "req.h"
#include "routes.def"

typedef void (*route_fn)(struct req *);

struct route {
	const char	*method;	/* "GET", "POST", ... */
	const char	*pattern;	/* "/api/v1/instances/{id}/suspend" */
	enum auth_kind	 auth;
	route_fn	 fn;
	size_t		 body_max;	/* 0: the app default; | SRV_RAW_BODY */
	struct {
		const char *action;	/* NULL: the handler audits, if at all */
		const char *object_kind; /* NULL: no object */
		int	    by_read;	/* AUDIT_READ: the session read's
					   statement writes it when it ran */
	}		 audit;		/* routes.def's AUDIT(), written by srv.c */
};

/*
 * One row of routes.def as a struct route: a binary's table is
 * static const struct route routes[] = { OCH_ROUTES_<binary>(SRV_ROUTE) };
 * the optional AUDIT() column becomes .audit (absent: zero).
 */
#define SRV_ROUTE(m_, pat_, auth_, cap_, fn_, ngx_, summary_, ...) \
	{ .method = #m_, .pattern = pat_, .auth = auth_, .fn = fn_, \
	    .body_max = cap_, __VA_ARGS__ },

/* SRV_RAW_BODY: routes.def */

/* Hook run once after config and database are set up (may be NULL). */
typedef int (*srv_init_fn)(struct app *);

/*
 * Parse argv (-s SOCKET to listen on a Unix socket, else the FastCGI
 * socket on fd 0 as spawn-fcgi passes it; -n N to run N worker processes
 * on that socket under a supervisor), load the configuration with the
 * required keys (DATABASE_URL is always required), open the database and
 * serve until SIGTERM/SIGINT.  Returns the process exit status.
 */
int	srv_main(int argc, char **argv, const char *prog,
	    const struct route *routes, size_t nroutes,
	    const enum cfg_key *required, srv_init_fn init);

/*
 * Take a request out of the loop so that it can be answered later, from
 * another thread (a long poll that must not hold the process): returns a
 * heap copy that owns everything the request owned; the loop goes on
 * accepting.  Answer it with resp_* and then release it with
 * srv_finish(), exactly once, from one thread at a time.
 */
struct req	*srv_detach(struct req *);
/* Complete a detached request (500 if it was never answered) and free it. */
void		 srv_finish(struct req *);

/*
 * Match a decoded path against a pattern; on success store up to
 * REQ_MAXPARAMS {…} segments in params (pointing into segbuf, a copy of
 * path the caller frees) and return 1; else 0.  Exposed for tests.
 */
int	srv_match(const char *pattern, const char *path, const char **params,
	    int *nparams, char **segbuf);

#endif
