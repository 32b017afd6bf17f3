/*
 * http.c: libmicrohttpd in external-epoll mode, routing, stats and fault
 * application (see http.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "och.h"
#include "log.h"
#include "http.h"
#include "loop.h"
#include "util.h"

#define HTTP_MAX_SVCS	8

static const struct http_svc	*svcs[HTTP_MAX_SVCS];
static size_t			 nsvcs;
static struct MHD_Daemon	*daemon_;
static int			 daemon_fd = -1;
static cJSON			*stats;
static struct http_req		*hung;
static size_t			 nhung;

void
http_register(const struct http_svc *s)
{
	if (nsvcs < HTTP_MAX_SVCS)
		svcs[nsvcs++] = s;
}

static void
stats_count(const char *svc, const char *key)
{
	cJSON	*s, *n;

	if (stats == NULL)
		stats = su_jobj();
	if ((s = cJSON_GetObjectItemCaseSensitive(stats, svc)) == NULL) {
		s = su_jobj();
		cJSON_AddItemToObject(stats, svc, s);
	}
	if ((n = cJSON_GetObjectItemCaseSensitive(s, key)) == NULL)
		su_jnum(s, key, 1);
	else
		cJSON_SetNumberValue(n, n->valuedouble + 1);
}

cJSON *
http_stats_json(void)
{
	return stats ? cJSON_Duplicate(stats, 1) : su_jobj();
}

void
http_stats_reset(void)
{
	cJSON_Delete(stats);
	stats = NULL;
}

size_t
http_nhung(void)
{
	return nhung;
}

const char *
http_header_in(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
http_bearer(struct http_req *r)
{
	const char	*h;

	h = http_header_in(r, "Authorization");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0')
		return NULL;
	return h + 7;
}

const char *
http_query(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

struct collect {
	const char	*name;
	const char	**out;
	size_t		 max, n;
};

static enum MHD_Result
collect_cb(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct collect	*c = cls;

	if (c->name == NULL) {
		if (c->n < c->max)
			c->out[c->n++] = key;
	} else if (strcmp(key, c->name) == 0 && c->n < c->max)
		c->out[c->n++] = value ? value : "";
	return MHD_YES;
}

size_t
http_query_all(struct http_req *r, const char *name, const char **out,
    size_t max)
{
	struct collect	 c = { name, out, max, 0 };

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_cb,
	    &c);
	return c.n;
}

size_t
http_query_keys(struct http_req *r, const char **out, size_t max)
{
	struct collect	 c = { NULL, out, max, 0 };

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_cb,
	    &c);
	return c.n;
}

const char *
http_param(struct http_req *r, int n)
{
	return n >= 0 && n < r->nparams ? r->params[n] : "";
}

void
http_add_header(struct http_req *r, const char *name, const char *value)
{
	r->hdrs = xrealloc(r->hdrs, (r->nhdrs + 1) * sizeof(*r->hdrs));
	r->hdrs[r->nhdrs].name = xstrdup(name);
	r->hdrs[r->nhdrs].value = xstrdup(value);
	r->nhdrs++;
}

void
http_set_header(struct http_req *r, const char *name, const char *value)
{
	size_t	 i;

	for (i = 0; i < r->nhdrs; i++)
		if (strcasecmp(r->hdrs[i].name, name) == 0) {
			free(r->hdrs[i].value);
			r->hdrs[i].value = xstrdup(value);
			return;
		}
	http_add_header(r, name, value);
}

void
http_json(struct http_req *r, int status, cJSON *j)
{
	char	*s;

	s = su_jprint(j);
	cJSON_Delete(j);
	buf_reset(&r->out);
	buf_puts(&r->out, s);
	free(s);
	r->status = status;
	http_set_header(r, "Content-Type", "application/json");
}

void
http_text(struct http_req *r, int status, const char *ctype,
    const char *text)
{
	buf_reset(&r->out);
	buf_puts(&r->out, text);
	r->status = status;
	http_set_header(r, "Content-Type", ctype);
}

void
http_reset_body(struct http_req *r)
{
	buf_reset(&r->out);
	r->status = 0;
}

/*
 * Match a path against a pattern segment by segment; {x} captures one
 * non-empty segment.  Returns 1 on a match (captures stored), else 0.
 */
static int
match(struct http_req *r, const char *pat, const char *path)
{
	const char	*pe, *se;
	int		 n = 0, i;

	for (i = 0; i < r->nparams; i++)
		free(r->params[i]);
	r->nparams = 0;
	for (;;) {
		if (*pat == '\0' || *path == '\0')
			break;
		if (*pat != '/' || *path != '/')
			return 0;
		pat++;
		path++;
		pe = strchr(pat, '/');
		pe = pe ? pe : pat + strlen(pat);
		se = strchr(path, '/');
		se = se ? se : path + strlen(path);
		if (*pat == '{') {
			if (se == path || n == HTTP_MAX_PARAMS)
				return 0;
			r->params[n++] = xstrndup(path, se - path);
			r->nparams = n;
		} else if (pe - pat != se - path ||
		    strncmp(pat, path, pe - pat) != 0)
			return 0;
		pat = pe;
		path = se;
	}
	/* tolerate one trailing slash on the request */
	if (*pat == '\0' && (*path == '\0' || strcmp(path, "/") == 0))
		return 1;
	return 0;
}

/* Find the service and route; sets r->svc, r->route, *status 404/405. */
static void
route(struct http_req *r, int *status)
{
	const struct http_svc	*s;
	size_t			 i, len;
	int			 any = 0;

	*status = 404;
	for (i = 0; i < nsvcs; i++) {
		len = strlen(svcs[i]->prefix);
		if (strncmp(r->path, svcs[i]->prefix, len) == 0 &&
		    (r->path[len] == '\0' || r->path[len] == '/')) {
			r->svc = svcs[i];
			r->sub = r->path + len;
			break;
		}
	}
	if ((s = r->svc) == NULL)
		return;
	for (i = 0; i < s->nroutes; i++) {
		if (!match(r, s->routes[i].pattern, *r->sub ? r->sub : "/"))
			continue;
		any = 1;
		if (strcmp(s->routes[i].method, r->method) == 0 ||
		    (strcmp(r->method, "HEAD") == 0 &&
		    strcmp(s->routes[i].method, "GET") == 0)) {
			r->route = &s->routes[i];
			*status = 200;
			/* re-run to keep this route's captures */
			match(r, s->routes[i].pattern, *r->sub ? r->sub : "/");
			return;
		}
	}
	if (any)
		*status = 405;
}

static void
apply_fault_answer(struct http_req *r, enum flt_kind k)
{
	switch (k) {
	case FLT_DROP:
	case FLT_DROP_BUT_CREATED:
		r->after = HTTP_DROP;
		break;
	case FLT_HANG:
	case FLT_HANG_BUT_CREATED:
		/* what it answers once the hang is over */
		r->svc->fault(r, FLT_504);
		r->after = HTTP_HANG;
		r->hang = r->fault.hang;
		break;
	case FLT_ERROR_BUT_CREATED:
		r->svc->fault(r, r->fault.status == 502 ? FLT_502 :
		    r->fault.status == 503 ? FLT_503 :
		    r->fault.status == 504 ? FLT_504 : FLT_500);
		break;
	default:
		r->svc->fault(r, k);
		break;
	}
}

/* Route, count, apply faults and run the handler. */
static void
dispatch(struct http_req *r)
{
	char		*key;
	int		 status;
	enum flt_kind	 k;

	route(r, &status);
	if (r->svc == NULL) {
		stats_count("unknown", r->method);
		http_text(r, 404, "text/plain; charset=utf-8",
		    "404 page not found\n");
		return;
	}
	key = xasprintf("%s %s", r->route && strcmp(r->method, "HEAD") ?
	    r->route->method : r->method, r->route ? r->route->pattern :
	    "(unmatched)");
	if (r->svc->faultable)
		stats_count(r->svc->name, key);
	if (!r->svc->front(r))
		goto out;
	if (r->route == NULL) {
		r->svc->nomatch(r, status);
		goto out;
	}
	if (r->too_large) {
		r->svc->nomatch(r, 413);
		goto out;
	}
	if (r->svc->faultable)
		r->fault = flt_pick(r->svc->name, key);
	k = r->fault.kind;
	if (k != FLT_NONE && !flt_after_work(k)) {
		log_info("fault %s on %s %s", flt_name(k), r->svc->name, key);
		apply_fault_answer(r, k);
		goto out;
	}
	if (!r->svc->auth(r))
		goto out;
	r->route->fn(r);
	if (k != FLT_NONE && k != FLT_ACTION_ERROR && r->status >= 200 &&
	    r->status < 300) {
		log_info("fault %s on %s %s", flt_name(k), r->svc->name, key);
		http_reset_body(r);
		apply_fault_answer(r, k);
	}
out:
	free(key);
}

static void
hang_over(void *arg)
{
	struct http_req	*r = arg;

	if (r->hprev)
		r->hprev->hnext = r->hnext;
	else
		hung = r->hnext;
	if (r->hnext)
		r->hnext->hprev = r->hprev;
	r->hnext = r->hprev = NULL;
	nhung--;
	r->resumed = 1;
	MHD_resume_connection(r->conn);
	/* the resumed connection has no new event to announce it */
	MHD_run(daemon_);
}

static enum MHD_Result
respond(struct http_req *r)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;
	size_t			 i, len;

	len = r->out.len;
	resp = MHD_create_response_from_buffer(len, buf_detach(&r->out),
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		return MHD_NO;
	for (i = 0; i < r->nhdrs; i++)
		MHD_add_response_header(resp, r->hdrs[i].name,
		    r->hdrs[i].value);
	ret = MHD_queue_response(r->conn, r->status ? r->status : 500, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct http_req	*r = *con_cls;
	const char	*q;

	if (r == NULL) {
		r = xcalloc(1, sizeof(*r));
		r->conn = conn;
		r->method = xstrdup(method);
		q = strchr(url, '?');
		r->path = q ? xstrndup(url, q - url) : xstrdup(url);
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (r->body.len + *upload_size > HTTP_MAX_BODY)
			r->too_large = 1;
		else
			buf_add(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->resumed)
		return respond(r);
	if (r->dispatched)
		return MHD_YES;
	r->dispatched = 1;
	buf_puts(&r->body, "");
	dispatch(r);
	switch (r->after) {
	case HTTP_DROP:
		return MHD_NO;
	case HTTP_HANG:
		MHD_suspend_connection(conn);
		r->hnext = hung;
		if (hung)
			hung->hprev = r;
		hung = r;
		nhung++;
		loop_timer_at(&r->hang_timer, su_mono() + r->hang, hang_over,
		    r);
		return MHD_YES;
	default:
		return respond(r);
	}
}

static void
completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_req	*r = *con_cls;
	size_t		 i;
	int		 n;

	if (r == NULL)
		return;
	loop_timer_cancel(&r->hang_timer);
	if (r->hnext || r->hprev || hung == r) {
		if (r->hprev)
			r->hprev->hnext = r->hnext;
		else
			hung = r->hnext;
		if (r->hnext)
			r->hnext->hprev = r->hprev;
		nhung--;
	}
	for (n = 0; n < r->nparams; n++)
		free(r->params[n]);
	for (i = 0; i < r->nhdrs; i++) {
		free(r->hdrs[i].name);
		free(r->hdrs[i].value);
	}
	free(r->hdrs);
	buf_free(&r->body);
	buf_free(&r->out);
	free(r->method);
	free(r->path);
	free(r);
	*con_cls = NULL;
}

static void
daemon_ready(void *arg, uint32_t events)
{
	MHD_run(daemon_);
}

/* libmicrohttpd has work that no descriptor will announce: do it. */
static void
daemon_due(void)
{
	MHD_UNSIGNED_LONG_LONG	 ms;

	if (daemon_ != NULL && MHD_get_timeout(daemon_, &ms) == MHD_YES &&
	    ms == 0)
		MHD_run(daemon_);
}

static long
daemon_timeout(void)
{
	MHD_UNSIGNED_LONG_LONG	 ms;

	if (daemon_ == NULL || MHD_get_timeout(daemon_, &ms) != MHD_YES)
		return -1;
	return ms > 1000 ? 1000 : (long)ms;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char	 line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	log_warn("microhttpd: %s", line);
}

int
http_start(const char *host, int port)
{
	struct sockaddr_in		 sin;
	const union MHD_DaemonInfo	*di;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		log_error("bad listen address '%s'", host);
		return -1;
	}
	daemon_ = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
	    MHD_USE_ERROR_LOG, port, NULL, NULL, access_cb, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)16000,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)300,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
	    MHD_OPTION_END);
	if (daemon_ == NULL) {
		log_error("cannot listen on %s:%d", host, port);
		return -1;
	}
	di = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_EPOLL_FD);
	if (di == NULL || loop_add(di->epoll_fd, EPOLLIN, daemon_ready,
	    NULL) == -1) {
		log_error("cannot watch the HTTP daemon: %s", strerror(errno));
		MHD_stop_daemon(daemon_);
		daemon_ = NULL;
		return -1;
	}
	daemon_fd = di->epoll_fd;
	loop_set_hook(0, daemon_timeout, daemon_due);
	return 0;
}

void
http_stop(void)
{
	int	 i;

	if (daemon_ == NULL)
		return;
	while (hung != NULL) {
		loop_timer_cancel(&hung->hang_timer);
		hang_over(hung);
	}
	for (i = 0; i < 3; i++)
		MHD_run(daemon_);
	loop_set_hook(0, NULL, NULL);
	loop_del(daemon_fd);
	MHD_stop_daemon(daemon_);
	daemon_ = NULL;
	daemon_fd = -1;
	http_stats_reset();
}
