/*
 * callback.c: libcurl multi driven by the epoll loop (see callback.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <curl/curl.h>

#include "och.h"
#include "log.h"
#include "callback.h"
#include "loop.h"
#include "util.h"

struct cb_job {
	CURL			*easy;
	int			 in_multi;
	char			*url;
	char			*body;
	struct curl_slist	*hdrs;
	int			 attempts, max;
	struct loop_timer	 retry;
	cb_fn			 fn;
	void			*arg;
	char			 errbuf[CURL_ERROR_SIZE];
	struct buf		 resp;
	struct cb_job		*next, *prev;
};

#define CB_MAX_BODY	65536

static CURLM		*multi;
static struct loop_timer curl_timer;
static struct cb_job	*jobs;
static int		 njobs;

static void	attempt(void *);

static void
wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_free(b);
}

static size_t
collect(char *p, size_t sz, size_t n, void *arg)
{
	struct cb_job	*j = arg;

	if (j->resp.len + sz * n <= CB_MAX_BODY)
		buf_add(&j->resp, p, sz * n);
	return sz * n;
}

static void
job_free(struct cb_job *j)
{
	if (j->in_multi)
		curl_multi_remove_handle(multi, j->easy);
	loop_timer_cancel(&j->retry);
	curl_easy_cleanup(j->easy);
	curl_slist_free_all(j->hdrs);
	wipe(&j->resp);
	free(j->url);
	if (j->body != NULL) {
		explicit_bzero(j->body, strlen(j->body));
		free(j->body);
	}
	if (j->prev)
		j->prev->next = j->next;
	else
		jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	njobs--;
	free(j);
}

/* Collect finished transfers and report them. */
static void
check_done(void)
{
	struct cb_result	 res;
	struct cb_job		*j;
	CURLMsg			*m;
	CURLcode		 rc;
	double			 delay;
	int			 left;

	while ((m = curl_multi_info_read(multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &j);
		rc = m->data.result;
		curl_multi_remove_handle(multi, j->easy);
		j->in_multi = 0;
		memset(&res, 0, sizeof(res));
		res.attempts = j->attempts;
		if (rc == CURLE_OK)
			curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE,
			    &res.status);
		else
			res.error = j->errbuf[0] ? j->errbuf :
			    curl_easy_strerror(rc);
		res.ok = res.status >= 200 && res.status < 300;
		buf_puts(&j->resp, "");
		res.body = j->resp.data;
		res.len = j->resp.len;
		res.final = res.ok || j->attempts >= j->max ||
		    (rc == CURLE_OK && res.status != 429 && res.status < 500);
		if (res.final) {
			j->fn(j->arg, &res);
			job_free(j);
			continue;
		}
		delay = 0.5 * (1 << (j->attempts - 1));
		if (delay > 8)
			delay = 8;
		loop_timer_at(&j->retry, su_mono() + delay, attempt, j);
		j->fn(j->arg, &res);
		wipe(&j->resp);
	}
}

static void
fd_ready(void *arg, uint32_t ev)
{
	int	 running, flags = 0;

	if (ev & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (ev & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (ev & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(multi, (curl_socket_t)(intptr_t)arg, flags,
	    &running);
	check_done();
}

static int
sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *sockp)
{
	uint32_t	 ev = 0;

	if (what == CURL_POLL_REMOVE) {
		loop_del(s);
		curl_multi_assign(multi, s, NULL);
		return 0;
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= EPOLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= EPOLLOUT;
	if (sockp == NULL) {
		if (loop_add(s, ev, fd_ready, (void *)(intptr_t)s) == -1)
			log_warn("callback: cannot watch a socket");
		curl_multi_assign(multi, s, (void *)1);
	} else
		loop_mod(s, ev);
	return 0;
}

static void
timer_fire(void *arg)
{
	int	 running;

	curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done();
}

static int
timer_cb(CURLM *m, long ms, void *userp)
{
	if (ms < 0)
		loop_timer_cancel(&curl_timer);
	else
		loop_timer_at(&curl_timer, su_mono() + ms / 1000.0,
		    timer_fire, NULL);
	return 0;
}

int
cb_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	if ((multi = curl_multi_init()) == NULL)
		return -1;
	curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	return 0;
}

void
cb_shutdown(void)
{
	while (jobs != NULL)
		job_free(jobs);
	loop_timer_cancel(&curl_timer);
	if (multi != NULL)
		curl_multi_cleanup(multi);
	multi = NULL;
	curl_global_cleanup();
}

int
cb_active(void)
{
	return njobs;
}

static void
attempt(void *arg)
{
	struct cb_job	*j = arg;

	j->attempts++;
	j->errbuf[0] = '\0';
	wipe(&j->resp);
	if (curl_multi_add_handle(multi, j->easy) == CURLM_OK)
		j->in_multi = 1;
}

struct cb_job *
cb_post_json(const char *url, const char *body, const char *source, int max,
    cb_fn fn, void *arg)
{
	return cb_post_json_auth(url, body, NULL, source, max, fn, arg);
}

struct cb_job *
cb_post_json_auth(const char *url, const char *body, const char *bearer,
    const char *source, int max, cb_fn fn, void *arg)
{
	struct cb_job	*j;
	char		*h;

	j = xcalloc(1, sizeof(*j));
	if ((j->easy = curl_easy_init()) == NULL) {
		free(j);
		return NULL;
	}
	j->url = xstrdup(url);
	j->body = xstrdup(body);
	j->max = max < 1 ? 1 : max;
	j->fn = fn;
	j->arg = arg;
	j->hdrs = curl_slist_append(j->hdrs, "Content-Type: application/json");
	j->hdrs = curl_slist_append(j->hdrs, "Accept: application/json");
	if (bearer != NULL) {
		h = xasprintf("Authorization: Bearer %s", bearer);
		j->hdrs = curl_slist_append(j->hdrs, h);
		explicit_bzero(h, strlen(h));
		free(h);
	}
	if (curl_easy_setopt(j->easy, CURLOPT_URL, j->url) != CURLE_OK ||
	    curl_easy_setopt(j->easy, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK) {
		curl_slist_free_all(j->hdrs);
		curl_easy_cleanup(j->easy);
		free(j->url);
		free(j->body);
		free(j);
		return NULL;
	}
	curl_easy_setopt(j->easy, CURLOPT_POSTFIELDS, j->body);
	curl_easy_setopt(j->easy, CURLOPT_HTTPHEADER, j->hdrs);
	curl_easy_setopt(j->easy, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(j->easy, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(j->easy, CURLOPT_ERRORBUFFER, j->errbuf);
	curl_easy_setopt(j->easy, CURLOPT_PRIVATE, j);
	curl_easy_setopt(j->easy, CURLOPT_NOSIGNAL, 1L);
	/* the simulated VPS has no proxy, whatever the host environment says */
	curl_easy_setopt(j->easy, CURLOPT_PROXY, "");
	curl_easy_setopt(j->easy, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(j->easy, CURLOPT_TIMEOUT, 15L);
	curl_easy_setopt(j->easy, CURLOPT_USERAGENT, "curl/" LIBCURL_VERSION);
	if (su_cfg.ca_file != NULL)
		curl_easy_setopt(j->easy, CURLOPT_CAINFO, su_cfg.ca_file);
	/* call from the VPS's own address, as a real one would */
	if (source != NULL)
		curl_easy_setopt(j->easy, CURLOPT_INTERFACE, source);
	j->next = jobs;
	if (jobs)
		jobs->prev = j;
	jobs = j;
	njobs++;
	attempt(j);
	return j;
}

void
cb_cancel(struct cb_job *j)
{
	if (j != NULL)
		job_free(j);
}
