/*
 * park.c: long polls parked off the accept loop (see park.h).
 */
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "park.h"

#define PARK_KEY_MAX	64
#define PARK_HITS	64	/* notifications taken per wake */
#define PARK_MAX	512	/* default PARK_MAX */
#define PARK_TRIM_MIN	16	/* high-water mark worth a malloc_trim */

struct park {
	struct req	*r;
	char		 key[PARK_KEY_MAX];
	int64_t		 arg;
	time_t		 deadline;
	unsigned long long seq;		/* the order it was parked in */
	struct park	*next;
};

static struct {
	pthread_mutex_t	 mu;
	struct park	*list;		/* newest first */
	size_t		 n, max;
	int		 pipe[2];
	pthread_t	 thread;
	int		 running;
	volatile int	 stop;
	char		*dburl;
	const struct srv_park_ops *ops;
	size_t		 high;		/* most parked since the last trim */
	unsigned long long seq;		/* the last parked's seq */
} waker = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, { -1, -1 }, 0, 0, 0,
	NULL, NULL, 0, 0 };

/* Answer a parked request with o (or the error) and let it go. */
static void
unpark(struct park *pk, cJSON *o, enum och_err err)
{
	log_set_reqid(req_env(pk->r, "REQUEST_ID"));
	if (o != NULL)
		resp_json(pk->r, 200, o);
	else
		resp_error(pk->r, err ? err : OCH_EDB, NULL);
	srv_finish(pk->r);
	free(pk);
}

/* How long to sleep: until the soonest deadline or the recheck. */
static int
sleep_ms(int listening)
{
	struct park	*pk;
	time_t		 now = time(NULL), soonest;
	int		 ms;

	pthread_mutex_lock(&waker.mu);
	soonest = now + waker.ops->recheck;
	for (pk = waker.list; pk != NULL; pk = pk->next)
		if (pk->deadline < soonest)
			soonest = pk->deadline;
	pthread_mutex_unlock(&waker.mu);
	ms = soonest > now ? (int)(soonest - now) * 1000 : 0;
	return !listening && ms > 1000 ? 1000 : ms;
}

/*
 * Wait for a notification, the pipe or a timeout; the keys notified go
 * to hit[] (*nhit).  Returns 1 when every parked request must be looked
 * at (too many notifications, the connection lost), else 0.  *listening
 * drops to 0 when the connection is lost.
 */
static int
wait_hits(struct db *db, int *listening, char hit[][PARK_KEY_MAX],
    int *nhit)
{
	struct pollfd	 pfd[2];
	PGnotify	*nt;
	char		 junk[64];
	int		 all = 0;

	*nhit = 0;
	pfd[0].fd = waker.pipe[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = *listening && db_conn(db) ? PQsocket(db_conn(db)) : -1;
	pfd[1].events = POLLIN;
	pfd[0].revents = pfd[1].revents = 0;
	(void)poll(pfd, 2, sleep_ms(*listening));
	if (pfd[0].revents & POLLIN)
		while (read(waker.pipe[0], junk, sizeof(junk)) > 0)
			;
	if (*listening && (PQconsumeInput(db_conn(db)) == 0 ||
	    PQstatus(db_conn(db)) != CONNECTION_OK)) {
		*listening = 0;
		all = 1;
	}
	while (*listening && (nt = PQnotifies(db_conn(db))) != NULL) {
		if (*nhit < PARK_HITS)
			snprintf(hit[(*nhit)++], PARK_KEY_MAX, "%s", nt->extra);
		else
			all = 1;
		PQfreemem(nt);
	}
	return all;
}

/*
 * With waker.mu held: the parked requests due now (all of them, those
 * past their deadline, those of a key notified) taken off the list; the
 * others stay where they are, so that srv_park() still finds a key's
 * oldest while the due ones are looked at.  (Taking the whole list for
 * every wake hid a key's parked polls from srv_park() whenever a park
 * raced the wake its own pipe write caused: the cap let one more in and
 * the worker's count went wrong.)
 */
static struct park *
take_due(int all, char hit[][PARK_KEY_MAX], int nhit, time_t now)
{
	struct park	**pp = &waker.list, *pk, *due = NULL, **tail = &due;
	int		 i, d;

	while ((pk = *pp) != NULL) {
		d = all || pk->deadline <= now;
		for (i = 0; !d && i < nhit; i++)
			d = strcmp(hit[i], pk->key) == 0;
		if (!d) {
			pp = &pk->next;
			continue;
		}
		*pp = pk->next;
		pk->next = NULL;
		*tail = pk;
		tail = &pk->next;
	}
	return due;
}

/* With waker.mu held: pk back in the list at its place (newest first,
 * by the order of parking). */
static void
put_back(struct park *pk)
{
	struct park	**pp = &waker.list;

	while (*pp != NULL && (*pp)->seq > pk->seq)
		pp = &(*pp)->next;
	pk->next = *pp;
	*pp = pk;
}

/* Look at the parked requests that are due; answer those that are done. */
static void
wake(struct db *db, int all, char hit[][PARK_KEY_MAX], int nhit)
{
	struct park	*todo, *pk, *next;
	time_t		 now = time(NULL);
	cJSON		*o;
	enum och_err	 err;
	int		 i;

	pthread_mutex_lock(&waker.mu);
	todo = take_due(all, hit, nhit, now);
	pthread_mutex_unlock(&waker.mu);
	for (pk = todo; pk != NULL; pk = next) {
		next = pk->next;
		o = NULL;
		err = OCH_OK;
		if (waker.ops->check(db, pk->key, pk->arg, &o, &err) != 0 ||
		    pk->deadline <= now) {
			pthread_mutex_lock(&waker.mu);
			waker.n--;
			pthread_mutex_unlock(&waker.mu);
			unpark(pk, o, err);
			continue;
		}
		cJSON_Delete(o);
		pthread_mutex_lock(&waker.mu);
		put_back(pk);
		pthread_mutex_unlock(&waker.mu);
	}
	pthread_mutex_lock(&waker.mu);
	/* glibc keeps what answered requests held: after a burst, give the
	 * free pages back so the worker's memory returns to its baseline */
	if ((i = waker.high >= PARK_TRIM_MIN && waker.n <= waker.high / 2))
		waker.high = waker.n;
	pthread_mutex_unlock(&waker.mu);
	if (i)
		(void)malloc_trim(0);
}

static void *
waker_main(void *arg)
{
	struct db	*db = db_open(waker.dburl);
	struct park	*todo, *pk, *next;
	char		 hit[PARK_HITS][PARK_KEY_MAX];
	cJSON		*o;
	time_t		 now, recheck = 0;
	enum och_err	 err;
	int		 nhit, all, listening = 0;

	(void)arg;
	while (!waker.stop) {
		if (!listening && (listening = db_listen(db,
		    waker.ops->channel) == 0))
			recheck = 0;	/* notifications may have been lost */
		all = wait_hits(db, &listening, hit, &nhit);
		now = time(NULL);
		if (now >= recheck) {
			all = 1;
			recheck = now + waker.ops->recheck;
		}
		wake(db, all, hit, nhit);
	}
	/* stopping: every parked request gets its answer now */
	pthread_mutex_lock(&waker.mu);
	todo = waker.list;
	waker.list = NULL;
	waker.n = 0;
	pthread_mutex_unlock(&waker.mu);
	for (pk = todo; pk != NULL; pk = next) {
		next = pk->next;
		(void)waker.ops->check(db, pk->key, pk->arg, &o, &err);
		unpark(pk, o, err);
	}
	db_close(db);
	return NULL;
}

static void
park_fini(struct app *app)
{
	(void)app;
	if (!waker.running)
		return;
	waker.stop = 1;
	(void)write(waker.pipe[1], "x", 1);
	pthread_join(waker.thread, NULL);
	close(waker.pipe[0]);
	close(waker.pipe[1]);
	free(waker.dburl);
	waker.running = 0;
}

int
srv_park_start(struct app *app, const struct srv_park_ops *ops)
{
	struct rlimit	 rl;

	/* each parked request holds a descriptor: allow as many as permitted */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	waker.max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 256 ?
	    (size_t)rl.rlim_cur - 128 : 128;
	/* and as many as the worker's memory budget allows */
	if (waker.max > (size_t)cfg_int(&app->cfg, CFG_PARK_MAX, PARK_MAX))
		waker.max = (size_t)cfg_int(&app->cfg, CFG_PARK_MAX, PARK_MAX);
	if (pipe2(waker.pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		log_error("waker pipe: %s", strerror(errno));
		return -1;
	}
	waker.ops = ops;
	waker.dburl = xstrdup(cfg_get(&app->cfg, CFG_DATABASE_URL));
	if (pthread_create(&waker.thread, NULL, waker_main, NULL) != 0) {
		log_error("unable to start the long-poll thread");
		free(waker.dburl);
		return -1;
	}
	waker.running = 1;
	app->fini = park_fini;
	return 0;
}

/* With waker.mu held: key's oldest parked request, taken off the list,
 * when it has per_key parked already (the caller answers it); else
 * NULL.  The list is newest first: the last match is the oldest. */
static struct park *
evict(const char *key)
{
	struct park	**pp, **old = NULL, *pk;
	int		 n = 0;

	for (pp = &waker.list; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->key, key) == 0) {
			n++;
			old = pp;
		}
	if (n < waker.ops->per_key)
		return NULL;
	pk = *old;
	*old = pk->next;
	waker.n--;
	return pk;
}

void
srv_park(struct req *r, const char *key, int64_t arg, int wait_s)
{
	struct park	*pk, *old;
	cJSON		*o;
	enum och_err	 err = OCH_OK;
	int		 rc;

	if ((rc = waker.ops == NULL ? -1 : waker.ops->check(r->app->db, key,
	    arg, &o, &err)) < 0) {
		resp_error(r, err ? err : OCH_ESYSTEM, NULL);
		return;
	}
	pthread_mutex_lock(&waker.mu);
	/* full: a key at its per_key limit still replaces its oldest */
	if (rc == 1 || wait_s <= 0 || !waker.running ||
	    strlen(key) >= PARK_KEY_MAX ||
	    ((old = evict(key)) == NULL && waker.n >= waker.max)) {
		pthread_mutex_unlock(&waker.mu);
		resp_json(r, 200, o);
		return;
	}
	if (old != NULL) {	/* answered outside the lock */
		pthread_mutex_unlock(&waker.mu);
		unpark(old, cJSON_Duplicate(o, 1), OCH_OK);
		log_set_reqid(req_env(r, "REQUEST_ID"));
		pthread_mutex_lock(&waker.mu);
	}
	cJSON_Delete(o);
	pk = xcalloc(1, sizeof(*pk));
	snprintf(pk->key, sizeof(pk->key), "%s", key);
	pk->arg = arg;
	pk->deadline = time(NULL) + wait_s;
	pk->seq = ++waker.seq;
	pk->r = srv_detach(r);
	pk->next = waker.list;
	waker.list = pk;
	if (++waker.n > waker.high)
		waker.high = waker.n;
	pthread_mutex_unlock(&waker.mu);
	(void)write(waker.pipe[1], "x", 1);
}
