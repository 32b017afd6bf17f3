/*
 * park.h: long polls parked off the accept loop (beside srv_detach).
 *
 * A FastCGI worker must not sit in a poll for many seconds: with one
 * process per waiting client, a few hundred clients would need a few
 * hundred processes.  So a request that has nothing to answer yet is
 * parked (srv_detach) and the worker goes on accepting; one waker thread
 * per worker LISTENs on a NOTIFY channel with its own connection and
 * answers a parked request when a notification names its key, when its
 * time is up, or at the periodic recheck (notifications can be lost
 * while the connection is down).  Each parked request costs one
 * descriptor and about 5 KiB (libfcgi's request streams and CGI variables:
 * 4.8 KiB measured with 300 parked, bench/README.md), so a worker parks at
 * most PARK_MAX (default 512: 2.4 MiB of a worker's 8 MiB budget); once the parked count has
 * fallen to half its high-water mark the waker returns the freed pages to
 * the system (malloc_trim), so a burst leaves no lasting growth.  Used by
 * agent.fcgi's GET /api/v1/agent/commands (key: the instance id).
 */
#ifndef OCH_PARK_H
#define OCH_PARK_H

#include "srv.h"

struct srv_park_ops {
	const char	*channel;	/* NOTIFY channel, [a-z_]+; the
					   payload is the key it wakes */
	/*
	 * Look at key's state (arg: the caller's, e.g. the revision the
	 * client has seen) with db: 1 when *out is worth answering now, 0
	 * when there is nothing yet (*out is then the answer at the
	 * deadline), -1 on a database error (*err; *out NULL).
	 */
	int		(*check)(struct db *db, const char *key, int64_t arg,
			    cJSON **out, enum och_err *err);
	int		 per_key;	/* parked requests per key; a further
					   one answers the oldest at once */
	int		 recheck;	/* s between looks at every request */
};

/*
 * Start the waker thread for this process (a srv_main init hook calls
 * it) and raise the descriptor limit as far as allowed; sets app->fini
 * to stop it.  Returns 0, or -1 with a log line (no thread, no pipe).
 */
int	srv_park_start(struct app *, const struct srv_park_ops *);
/*
 * Answer r with the check's answer for key now when it has one, when
 * wait_s is 0, when the waker is not running or the process holds as
 * many parked requests as it has descriptors or PARK_MAX for; else park
 * r for up to
 * wait_s seconds.  A database error is answered as such.  r is answered
 * or parked on return; never fails.
 */
void	srv_park(struct req *r, const char *key, int64_t arg, int wait_s);

#endif
