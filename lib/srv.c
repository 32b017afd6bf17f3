/*
 * srv.c: the FastCGI accept loop and routing shared by every binary
 * (see srv.h for the order of checks).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "audit.h"
#include "auth.h"
#include "cry.h"
#include "log.h"
#include "srv.h"
#include "stats.h"

#define SRV_DEFAULT_BODY_MAX	(64 * 1024)
/*
 * Connections the kernel queues on the socket while every worker is busy.
 * A full queue makes nginx's connect() fail at once (EAGAIN: a 502), so a
 * burst must fit: bench/soak saw 12 % 502s from agent.fcgi at 128.  The
 * kernel caps it at net.core.somaxconn (4096 on current kernels).
 */
#define SRV_DEFAULT_BACKLOG	1024

static volatile sig_atomic_t	 stopping;
static int			 listen_fd = 0;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
	/* wake accept(): it fails and the loop ends */
	shutdown(listen_fd, SHUT_RDWR);
}

#define SRV_MAXSEGS 16

/*
 * Split s at '/' into at most SRV_MAXSEGS (start, length) pairs; s must
 * start with '/'.  Returns the count, or -1 if s is not absolute or has
 * too many segments.
 */
static int
split(const char *s, const char **seg, size_t *len)
{
	int	 n = 0;

	if (*s != '/')
		return -1;
	while (*s == '/') {
		if (n == SRV_MAXSEGS)
			return -1;
		s++;
		seg[n] = s;
		len[n] = strcspn(s, "/");
		s += len[n];
		n++;
	}
	return n;
}

int
srv_match(const char *pattern, const char *path, const char **params,
    int *nparams, char **segbuf)
{
	const char	*ps[SRV_MAXSEGS], *ss[SRV_MAXSEGS];
	size_t		 pl[SRV_MAXSEGS], sl[SRV_MAXSEGS], off = 0;
	char		*dec, *buf;
	int		 np, ns, i, n = 0;
	size_t		 plen[REQ_MAXPARAMS];
	int		 pidx[REQ_MAXPARAMS];

	*nparams = 0;
	*segbuf = NULL;
	if ((np = split(pattern, ps, pl)) < 0 ||
	    (ns = split(path, ss, sl)) < 0 || np != ns)
		return 0;
	for (i = 0; i < np; i++) {
		if (pl[i] >= 2 && ps[i][0] == '{' && ps[i][pl[i] - 1] == '}') {
			if (sl[i] == 0 || n == REQ_MAXPARAMS)
				return 0;
			pidx[n] = i;
			plen[n++] = sl[i];
		} else if (pl[i] != sl[i] || strncmp(ps[i], ss[i], pl[i]) != 0)
			return 0;
	}
	/* decode parameters into one buffer the caller frees */
	buf = xmalloc(strlen(path) + REQ_MAXPARAMS + 1);
	for (i = 0; i < n; i++) {
		if ((dec = req_unescape(ss[pidx[i]], plen[i], 0)) == NULL ||
		    *dec == '\0' || strchr(dec, '/') != NULL) {
			free(dec);
			free(buf);
			return -1;
		}
		strcpy(buf + off, dec);
		params[i] = buf + off;
		off += strlen(dec) + 1;
		free(dec);
	}
	*nparams = n;
	*segbuf = buf;
	return 1;
}

struct srv {
	struct app		*app;
	const struct route	*routes;
	size_t			 nroutes;
};

static void
req_release(struct req *r)
{
	cJSON_Delete(r->json);
	if (r->body != NULL) {
		/* bodies may carry secrets (bootstrap tokens, keys) */
		memset(r->body, 0, r->bodylen);
		free(r->body);
	}
	free(r->path);
	free(r->segbuf);
	buf_free(&r->headers);
	auth_clear(&r->auth);
	memset(r, 0, sizeof(*r));
}

struct req *
srv_detach(struct req *r)
{
	struct req	*d;

	d = xmalloc(sizeof(*d));
	*d = *r;
	/* the copy owns it all now; the loop releases nothing of it */
	memset(r, 0, sizeof(*r));
	r->detached = 1;
	d->detached = 1;
	return d;
}

void
srv_finish(struct req *d)
{
	FCGX_Request	*fr = d->fr;

	log_set_reqid(req_env(d, "REQUEST_ID"));
	if (!d->responded)
		resp_error(d, OCH_ESYSTEM, NULL);
	stats_observe(d->app->stats, d->slot, d->status,
	    stats_now_us() - d->t0_us);
	FCGX_Finish_r(fr);
	req_release(d);
	free(d);
	FCGX_Free(fr, 1);
	free(fr);
	log_set_reqid(NULL);
}

static int
json_ctype(const char *ct)
{
	size_t	 n = strlen("application/json");

	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* Read exactly len bytes of body; returns 0 or -1 on a short body. */
static int
read_body(struct req *r, size_t len)
{
	size_t	 got = 0;
	int	 n;

	r->body = xmalloc(len + 1);
	while (got < len) {
		n = FCGX_GetStr(r->body + got, (int)(len - got), r->fr->in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	r->body[got] = '\0';
	r->bodylen = got;
	return got == len ? 0 : -1;
}

/* Route one request through the front line; see srv.h. */
static void
serve(struct srv *s, struct req *r)
{
	const struct route	*rt = NULL;
	const char		*cl, *ct, *q, *jerr;
	struct buf		 allow = { 0 };
	char			*end, *seg = NULL;
	const char		*params[REQ_MAXPARAMS];
	long long		 len = 0;
	size_t			 i, cap;
	int			 m, nparams = 0, pathmatch = 0;
	enum och_err		 err;

	r->slot = s->nroutes;	/* unrouted until a route matches */
	r->method = req_env(r, "REQUEST_METHOD");
	r->target = req_env(r, "REQUEST_URI");
	r->remote = req_env(r, "REMOTE_ADDR");
	if (r->method == NULL)
		r->method = "GET";
	if (r->target == NULL)
		r->target = req_env(r, "SCRIPT_NAME");
	if (r->target == NULL || r->target[0] != '/') {
		resp_error(r, OCH_EINVAL, "bad request target");
		return;
	}
	q = strchr(r->target, '?');
	r->path = q ? xstrndup(r->target, (size_t)(q - r->target)) :
	    xstrdup(r->target);
	r->query = q ? q + 1 : "";

	/* 1. method and route */
	for (i = 0; i < s->nroutes; i++) {
		m = srv_match(s->routes[i].pattern, r->path, params, &nparams,
		    &seg);
		if (m < 0) {
			resp_error(r, OCH_EINVAL, "bad percent-encoding in path");
			goto out;
		}
		if (m == 0)
			continue;
		pathmatch = 1;
		if (strcmp(s->routes[i].method, r->method) == 0 ||
		    (strcmp(r->method, "HEAD") == 0 &&
		    strcmp(s->routes[i].method, "GET") == 0)) {
			rt = &s->routes[i];
			r->slot = i;
			break;
		}
		buf_printf(&allow, "%s%s", allow.len ? ", " : "",
		    s->routes[i].method);
		free(seg);
		seg = NULL;
	}
	if (rt == NULL) {
		if (pathmatch) {
			resp_header(r, "Allow", allow.data);
			resp_error(r, OCH_EMETHOD, NULL);
		} else
			resp_error(r, OCH_ENOTFOUND, "no such route");
		goto out;
	}
	r->segbuf = seg;
	seg = NULL;
	memcpy(r->params, params, sizeof(params));
	r->nparams = nparams;

	/* 2. body size, before reading a byte */
	cap = rt->body_max & ~SRV_RAW_BODY;
	if (cap == 0)
		cap = s->app->body_max;
	if ((cl = req_env(r, "CONTENT_LENGTH")) != NULL && *cl != '\0') {
		errno = 0;
		len = strtoll(cl, &end, 10);
		if (errno || *end != '\0' || len < 0 || end == cl) {
			resp_error(r, OCH_EINVAL, "bad Content-Length");
			goto out;
		}
		if ((unsigned long long)len > cap) {
			resp_error(r, OCH_ETOOLARGE, NULL);
			goto out;
		}
	}

	/* 3. content type (a raw body is the handler's to read) */
	if (len > 0 && !(rt->body_max & SRV_RAW_BODY)) {
		ct = req_env(r, "CONTENT_TYPE");
		if (!json_ctype(ct)) {
			resp_error(r, OCH_EMEDIA, NULL);
			goto out;
		}
		if (read_body(r, (size_t)len) < 0) {
			resp_error(r, OCH_EINVAL, "request body shorter than "
			    "Content-Length");
			goto out;
		}
	}

	/* 4. authentication (on the raw body: signatures cover it) */
	if ((err = auth_check(r, rt->auth)) != OCH_OK) {
		/* an admin's read-only view (lib/auth.h) is told so */
		resp_error(r, err, err == OCH_EFORBIDDEN && r->auth.viewer_id ?
		    "read-only view of a customer's dashboard: end the view "
		    "to act as yourself" : NULL);
		/* a signed-in user refused an admin route is worth a record */
		if (rt->auth == AUTH_ADMIN && err == OCH_EFORBIDDEN &&
		    r->auth.user_id != 0)
			(void)audit_req(r, "admin.denied", "route", rt->pattern,
			    r->status, NULL);
		else if (err == OCH_EFORBIDDEN && r->auth.viewer_id != 0)
			(void)audit_req(r, "view.denied", "route", rt->pattern,
			    r->status, NULL);
		goto out;
	}

	/* 5. JSON body */
	if (r->bodylen > 0) {
		if ((jerr = req_json_body(r->body, r->bodylen, &r->json))
		    != NULL) {
			resp_error(r, OCH_EINVAL, jerr);
			goto out;
		}
	}

	/* 6. dispatch */
	rt->fn(r);
	if (r->detached)
		goto out;	/* answered later by its new owner */
	if (!r->responded) {
		log_error("handler for %s %s gave no answer", rt->method,
		    rt->pattern);
		resp_error(r, OCH_ESYSTEM, NULL);
	}
	/* 7. the manifest's audit record (routes.def: AUDIT), sent without
	 * waiting: the server writes it while the answer goes out, and the
	 * worker reads its outcome when it next uses the database; an
	 * AUDIT_READ record the session read's statement wrote already */
	if (rt->audit.action != NULL &&
	    !(rt->audit.by_read && r->auth.read_done))
		(void)audit_req_send(r, rt->audit.action, rt->audit.object_kind,
		    rt->audit.object_kind != NULL ? req_param(r, 0) : NULL,
		    r->status, NULL);
out:
	free(seg);
	buf_free(&allow);
}

/*
 * The binary's request counters: one slot per route ("METHOD pattern")
 * and a last one for requests no route took.  NULL without
 * OCH_STATS_DIR or when the file cannot be made (then nothing is
 * counted; the binary still serves).
 */
static struct stats *
open_stats(struct app *app, const char *prog, const struct route *routes,
    size_t nroutes)
{
	struct stats	*st;
	char		**names;
	size_t		 i;

	names = xcalloc(nroutes + 1, sizeof(*names));
	for (i = 0; i < nroutes; i++)
		names[i] = xasprintf("%s %s", routes[i].method,
		    routes[i].pattern);
	names[nroutes] = xstrdup("ANY (unrouted)");
	st = stats_open(cfg_get(&app->cfg, CFG_OCH_STATS_DIR), prog,
	    STATS_HTTP, (const char *const *)names, nroutes + 1, 0);
	for (i = 0; i <= nroutes; i++)
		free(names[i]);
	free(names);
	return st;
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-s socket-path] [-b backlog] [-n workers]\n",
	    prog);
}

/*
 * Fork n workers that share the listening socket.  Returns 0 in a worker
 * (which goes on to serve), or 1 in the supervisor after a stop signal
 * once every worker has exited.  A worker that dies is replaced.
 */
static int
prefork(int n)
{
	pid_t	*kids, pid;
	int	 i, status, live = 0;

	kids = xcalloc((size_t)n, sizeof(*kids));
	for (;;) {
		for (i = 0; i < n && !stopping; i++) {
			if (kids[i] != 0)
				continue;
			if ((pid = fork()) == 0) {
				free(kids);
				return 0;
			}
			if (pid < 0) {
				log_error("fork failed");
				sleep(1);
				continue;
			}
			kids[i] = pid;
			live++;
		}
		if (live == 0)
			break;
		if ((pid = wait(&status)) < 0) {
			if (stopping)
				for (i = 0; i < n; i++)
					if (kids[i] != 0)
						kill(kids[i], SIGTERM);
			continue;
		}
		for (i = 0; i < n; i++)
			if (kids[i] == pid) {
				kids[i] = 0;
				live--;
				if (!stopping)
					log_warn("worker pid=%ld exited "
					    "(status %d), replacing it",
					    (long)pid, status);
			}
		if (stopping)
			for (i = 0; i < n; i++)
				if (kids[i] != 0)
					kill(kids[i], SIGTERM);
	}
	free(kids);
	return 1;
}

int
srv_main(int argc, char **argv, const char *prog, const struct route *routes,
    size_t nroutes, const enum cfg_key *required, srv_init_fn init)
{
	static const enum cfg_key dbonly[] = { CFG_DATABASE_URL, CFG__MAX };
	struct app		 app;
	struct srv		 s;
	struct req		 r;
	struct sigaction	 sa;
	FCGX_Request		*fr = NULL;
	const char		*sock = NULL, *reqid;
	char			 genid[33];
	int			 c, backlog = SRV_DEFAULT_BACKLOG, rc = 1,
				 workers = 1, trace;
	unsigned long		 count = 0;

	log_init(prog);
	while ((c = getopt(argc, argv, "s:b:n:")) != -1)
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'b':
			backlog = atoi(optarg);
			if (backlog < 1 || backlog > 65535) {
				usage(prog);
				return 2;
			}
			break;
		case 'n':
			workers = atoi(optarg);
			if (workers < 1 || workers > 256) {
				usage(prog);
				return 2;
			}
			break;
		default:
			usage(prog);
			return 2;
		}
	memset(&app, 0, sizeof(app));
	app.prog = prog;
	if (cfg_load(&app.cfg, dbonly) < 0 ||
	    (required != NULL && cfg_require(&app.cfg, required) < 0)) {
		cfg_free(&app.cfg);
		return 1;
	}
	app.body_max = (size_t)cfg_int(&app.cfg, CFG_OCH_BODY_MAX,
	    SRV_DEFAULT_BODY_MAX);
	if (cfg_get(&app.cfg, CFG_OCH_MASTER_KEY) != NULL &&
	    (app.keys = cry_keyring_new(&app.cfg)) == NULL)
		goto out;
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		goto out;
	}
	if (sock != NULL) {
		unlink(sock);
		if ((listen_fd = FCGX_OpenSocket(sock, backlog)) < 0) {
			log_error("unable to listen on '%s'", sock);
			goto out;
		}
		/* reachable by our group only: nginx's workers run with it
		 * (docs/operator.md), not every www-data process */
		chmod(sock, 0660);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* before the fork: every worker counts into the same mapping */
	app.stats = open_stats(&app, prog, routes, nroutes);
	if (workers > 1) {
		if (prefork(workers) == 1) {
			rc = 0;
			goto out;
		}
		sock = NULL;	/* the supervisor owns the socket file */
	}
	app.db = db_open(cfg_get(&app.cfg, CFG_DATABASE_URL));
	/* a database that is down at start is not fatal: requests get 503 */
	(void)db_ensure(app.db);
	if (init != NULL && init(&app) < 0)
		goto out;
	fr = xcalloc(1, sizeof(*fr));
	if (FCGX_InitRequest(fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_error("FCGX_InitRequest failed");
		goto out;
	}
	s.app = &app;
	s.routes = routes;
	s.nroutes = nroutes;
	/* OCH_DB_TRACE=1: one line per request with its round trips */
	trace = (reqid = getenv("OCH_DB_TRACE")) != NULL &&
	    strcmp(reqid, "1") == 0;
	log_info("ready pid=%ld socket=%s", (long)getpid(),
	    sock ? sock : "fd0");
	while (!stopping && FCGX_Accept_r(fr) >= 0) {
		memset(&r, 0, sizeof(r));
		r.app = &app;
		r.fr = fr;
		r.t0_us = stats_now_us();
		if ((reqid = req_env(&r, "REQUEST_ID")) == NULL ||
		    *reqid == '\0') {
			snprintf(genid, sizeof(genid), "%lx-%lu",
			    (unsigned long)getpid(), ++count);
			reqid = genid;
		}
		log_set_reqid(reqid);
		db_trips_reset(app.db);
		serve(&s, &r);
		/* a transaction must never outlive its request */
		db_rollback(app.db);
		if (trace)
			log_info("db_trace method=%s route=%s status=%d "
			    "round_trips=%u sent=%u", r.method ? r.method : "-",
			    r.slot < nroutes ? routes[r.slot].pattern : "-",
			    r.status, db_trips(app.db), db_sends(app.db));
		if (r.detached) {
			/* its owner answers it: accept on a fresh request */
			fr = xcalloc(1, sizeof(*fr));
			FCGX_InitRequest(fr, listen_fd,
			    FCGI_FAIL_ACCEPT_ON_INTR);
		} else {
			stats_observe(app.stats, r.slot, r.status,
			    stats_now_us() - r.t0_us);
			FCGX_Finish_r(fr);
			req_release(&r);
		}
		log_set_reqid(NULL);
	}
	log_info("stopping");
	if (app.fini != NULL)
		app.fini(&app);
	rc = 0;
out:
	if (fr != NULL) {
		FCGX_Free(fr, 1);
		free(fr);
	}
	db_close(app.db);
	cry_keyring_free(app.keys);
	stats_close(app.stats);
	cfg_free(&app.cfg);
	if (sock != NULL)
		unlink(sock);
	return rc;
}
