/*
 * req.h: one HTTP request as the serve loop hands it to a handler, and the
 * ways a handler answers it (resp_*).  Everything hanging off struct req
 * lives for one request only and is released by the loop after the answer;
 * handlers own only what they allocate themselves.
 */
#ifndef OCH_REQ_H
#define OCH_REQ_H

#include <cjson/cJSON.h>
#include <fcgiapp.h>

#include "cfg.h"
#include "db.h"
#include "och.h"

#define REQ_MAXPARAMS 4

struct cry_keyring;

enum auth_kind {
	AUTH_NONE,		/* public */
	AUTH_HMAC,		/* WHMCS module: X-OCH-* signature (lib/hmac.h) */
	AUTH_SESSION,		/* customer or admin cookie session */
	AUTH_HMAC_OR_SESSION,	/* either of the two */
	AUTH_ADMIN,		/* admin session */
	AUTH_BOOTSTRAP,		/* one-time bootstrap token in the body */
	AUTH_AGENT,		/* Bearer agent token */
	AUTH_SESSION_VIEW,	/* AUTH_SESSION, and an admin's read-only view
				   may use it with unsafe methods too (ending
				   the view, signing out); see lib/auth.h */
	AUTH__MAX
};

struct req;

/* The parameters of a session read (app->session_read), in all. */
#define REQ_MAXREADPARAMS 8

/* Process-lifetime state shared by every request of one binary. */
struct app {
	const char	*prog;
	struct cfg	 cfg;
	struct db	*db;
	struct cry_keyring *keys;	/* NULL unless OCH_MASTER_KEY is set */
	size_t		 body_max;	/* default cap on request bodies */
	void		*data;		/* the binary's own state */
	struct stats	*stats;		/* request counters, or NULL (stats.h) */
	/*
	 * May be NULL.  For a GET (or HEAD) with a session cookie, r's route
	 * may read everything it answers in the session check's one statement
	 * (lib/auth.h auth_read()): *it holds the check (ent_session_live_item(),
	 * its parameters $1..$3 in p[0..2]); the hook may replace it->stmt by
	 * a statement that selects the check's columns first and reads more,
	 * setting its further parameters in p[3..] (REQ_MAXREADPARAMS slots
	 * in all, strings living as long as r) and it->n.  Returns 1 when it
	 * did, 0 when r's route has no such read (the handler reads itself).
	 */
	int		(*session_read)(struct req *r, struct db_batch_item *it,
			    const char **p);
	/* run once after the accept loop ends (may be NULL) */
	void		(*fini)(struct app *);
};

/* Who the request was authenticated as (filled by auth_check()). */
struct req_auth {
	enum auth_kind	 kind;		/* AUTH_NONE when anonymous */
	char		*client_id;	/* AUTH_HMAC: api_clients.id */
	int64_t		 user_id;	/* sessions: users.id */
	int		 is_admin;	/* sessions: role = admin */
	char		*session_id;	/* sessions: sessions.id */
	int64_t		 viewer_id;	/* sessions: the admin whose read-only
					   view this is (users.id), else 0 */
	char		*instance_id;	/* agent/bootstrap: instances.id */
	/* sessions: app->session_read's result, until auth_read() */
	PGresult	*read;
	/* that read ran and found the session live (routes.def AUDIT_READ:
	   its statement wrote the route's audit record) */
	int		 read_done;
};

struct req {
	struct app	*app;
	FCGX_Request	*fr;
	const char	*method;	/* REQUEST_METHOD */
	const char	*target;	/* REQUEST_URI as sent, with query */
	const char	*query;		/* raw query string ("" if none) */
	char		*path;		/* decoded path, no query */
	const char	*remote;	/* REMOTE_ADDR */
	const char	*params[REQ_MAXPARAMS];	/* {id} segments, decoded */
	int		 nparams;
	char		*body;		/* raw body, NUL-terminated, or NULL */
	size_t		 bodylen;
	cJSON		*json;		/* parsed body object, or NULL */
	struct req_auth	 auth;
	/* response state */
	int		 responded;
	int		 status;
	struct buf	 headers;	/* extra response header lines */
	char		*segbuf;	/* storage for params[] */
	int		 detached;	/* handed off by srv_detach() */
	size_t		 slot;		/* its route's stats slot */
	uint64_t	 t0_us;		/* when it was accepted (stats_now_us) */
};

/* A request header by CGI name without prefix, e.g. "X_OCH_KEY"; or NULL. */
const char	*req_header(const struct req *, const char *cginame);
/* A CGI variable, e.g. "CONTENT_TYPE"; or NULL. */
const char	*req_env(const struct req *, const char *name);
/*
 * A decoded query parameter (the first one of that name), or NULL if
 * absent.  Returns a string the caller frees.  *bad is set to 1 if the
 * query string holds bad percent-encoding (bad may be NULL).
 */
char		*req_query(const struct req *, const char *name, int *bad);
/* The i-th {…} path parameter, or NULL. */
const char	*req_param(const struct req *, int i);

/*
 * Decode percent-encoding of n bytes of s into a new string (caller frees).
 * '+' stays '+' unless plus_is_space.  Returns NULL on bad encoding or an
 * encoded NUL.
 */
char		*req_unescape(const char *s, size_t n, int plus_is_space);

/*
 * Parse a request body (len bytes) as exactly one JSON object with
 * nothing but blanks after it.  Returns NULL with *out set to the tree
 * (free with cJSON_Delete), or the message for a 400 (a static string)
 * with *out NULL.  fuzz/json-body.c feeds it hostile bodies.
 */
const char	*req_json_body(const char *body, size_t len, cJSON **out);

/*
 * Answers.  Exactly one answer per request; a second is ignored and
 * logged.  The security headers are added here and nowhere else.
 */
/* Add a response header line (name and value must not contain CR/LF). */
void		 resp_header(struct req *, const char *name, const char *value);
/* Add Retry-After: seconds (nothing when seconds <= 0: no time helps). */
void		 resp_retry_after(struct req *, long seconds);
/* Send body as JSON with the status; takes ownership of body (may be NULL). */
void		 resp_json(struct req *, int status, cJSON *body);
/* Send the error shape {"error":{"code","message"}} for e. */
void		 resp_error(struct req *, enum och_err e, const char *message);
void		 resp_errorf(struct req *, enum och_err e, const char *fmt, ...)
		    OCH_PRINTF(3, 4);
/*
 * 429 rate_limited for a per-instance limit of work on demand (a backup,
 * a snapshot): with retry > 0 (seconds until the cap frees a place),
 * Retry-After and the message fmt; else busy (one is being made: no
 * Retry-After, only its end helps).
 */
void		 resp_limited(struct req *, long retry, const char *busy,
		    const char *fmt, ...) OCH_PRINTF(4, 5);
/* Send an answer with no body (e.g. 204, 304). */
void		 resp_empty(struct req *, int status);
/* Send raw bytes with a content type. */
void		 resp_raw(struct req *, int status, const char *ctype,
		    const char *data, size_t len);

#endif
