/*
 * callback.h: outgoing HTTP from simulated servers (the ready call), on
 * libcurl's multi interface inside the event loop: no threads.  A job
 * POSTs a JSON body, retrying transport errors, 429 and 5xx with
 * exponential backoff, and reports after every attempt with the answer's
 * body (at most 64 KiB; wiped right after the report: it carries
 * secrets).
 */
#ifndef SIM_CALLBACK_H
#define SIM_CALLBACK_H

struct cb_job;

struct cb_result {
	int		 final;		/* no more attempts will follow */
	int		 ok;		/* 2xx */
	int		 attempts;
	long		 status;	/* HTTP status, 0 on transport error */
	const char	*error;		/* transport error text or NULL */
	const char	*body;		/* the answer (NUL-terminated) */
	size_t		 len;
};

typedef void	(*cb_fn)(void *arg, const struct cb_result *);

/* Set up libcurl; 0 or -1. */
int		 cb_init(void);
/* Cancel every job and release libcurl. */
void		 cb_shutdown(void);
/*
 * Start POSTing body (copied) to url from the local address source (NULL:
 * any) with at most max attempts.  fn is
 * called after each attempt; after the final report the job is freed, so
 * fn must forget it then (and never call cb_cancel).  Returns the job
 * (stop it early with cb_cancel, which reports nothing), or NULL if curl
 * refused the URL.
 */
struct cb_job	*cb_post_json(const char *url, const char *body,
		    const char *source, int max,
		    cb_fn, void *arg);
/* The same with "Authorization: Bearer <bearer>" (a warm pool's poll). */
struct cb_job	*cb_post_json_auth(const char *url, const char *body,
		    const char *bearer, const char *source, int max,
		    cb_fn, void *arg);
void		 cb_cancel(struct cb_job *);
/* Jobs in flight (for the leak checks in /_sim/health). */
int		 cb_active(void);

#endif
