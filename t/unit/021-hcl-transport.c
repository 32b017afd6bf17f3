/*
 * 021-hcl-transport: hcl_do() and hcl_do_retry() against a tiny HTTP
 * server forked by the test on 127.0.0.1: status and headers captured,
 * request method/body/headers sent, the body cap (with and without a
 * Content-Length), a hanging server (timeout), a dropped connection, a
 * refused connection, retries and Retry-After.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hcl.h"
#include "tap.h"

static int	lsock;
static int	port;

/* Read a request (headers and Content-Length body) into buf. */
static size_t
read_req(int fd, char *buf, size_t sz)
{
	size_t		 n = 0, need = 0;
	ssize_t		 r;
	char		*end, *cl;

	while (n < sz - 1) {
		if ((r = read(fd, buf + n, sz - 1 - n)) <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		if (need == 0) {
			cl = strcasestr(buf, "\r\nContent-Length:");
			need = (size_t)(end + 4 - buf) +
			    (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (n >= need)
			break;
	}
	buf[n] = '\0';
	return n;
}

static void
say(int fd, const char *s)
{
	size_t	 n = strlen(s);
	ssize_t	 w;

	while (n > 0 && (w = write(fd, s, n)) > 0) {
		s += w;
		n -= (size_t)w;
	}
}

static void
serve(void)
{
	static char	 req[65536], out[70000];
	int		 fd, hung[64], nhung = 0, fails = 0, n429 = 0;
	size_t		 i;
	char		*big, *body;

	big = malloc(2 * 1024 * 1024 + 1);
	memset(big, 'x', 2 * 1024 * 1024);
	big[2 * 1024 * 1024] = '\0';
	for (;;) {
		if ((fd = accept(lsock, NULL, NULL)) == -1)
			continue;
		read_req(fd, req, sizeof(req));
		body = strstr(req, "\r\n\r\n");
		body = body ? body + 4 : req + strlen(req);
		if (strncmp(req, "GET /ok ", 8) == 0) {
			say(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			    "RateLimit-Limit: 3600\r\nRateLimit-Remaining: 12\r\n"
			    "RateLimit-Reset: 1900000000\r\n"
			    "X-Correlation-Id: corr-1\r\nContent-Length: 11\r\n"
			    "Connection: close\r\n\r\n{\"ok\":true}");
		} else if (strncmp(req, "GET /bigcl ", 11) == 0) {
			say(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2097152\r\n"
			    "Connection: close\r\n\r\n");
			say(fd, big);
		} else if (strncmp(req, "GET /bigclose ", 14) == 0) {
			say(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
			say(fd, big);
		} else if (strncmp(req, "GET /hang ", 10) == 0) {
			if (nhung < 64)
				hung[nhung++] = fd;
			continue;	/* never answer, never close */
		} else if (strncmp(req, "GET /drop ", 10) == 0) {
			/* close without a byte: empty reply */
		} else if (strncmp(req, "GET /flaky ", 11) == 0) {
			if (fails++ < 2)
				say(fd, "HTTP/1.1 503 Unavailable\r\n"
				    "Content-Length: 0\r\nConnection: close\r\n\r\n");
			else
				say(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
				    "Connection: close\r\n\r\nok");
		} else if (strncmp(req, "GET /count ", 11) == 0) {
			snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\n"
			    "Content-Length: %d\r\nConnection: close\r\n\r\n%d",
			    n429 > 9 ? 2 : 1, n429);
			say(fd, out);
			fails = n429 = 0;
		} else if (strncmp(req, "GET /slow429 ", 13) == 0) {
			n429++;
			say(fd, "HTTP/1.1 429 Too Many\r\nRetry-After: 30\r\n"
			    "Content-Length: 0\r\nConnection: close\r\n\r\n");
		} else {
			/* echo the request line, headers and body */
			snprintf(out, sizeof(out), "HTTP/1.1 201 Created\r\n"
			    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			    strlen(req), req);
			say(fd, out);
		}
		close(fd);
	}
	for (i = 0; i < (size_t)nhung; i++)
		close(hung[i]);
}

static pid_t
start_server(void)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);
	pid_t			 pid;
	int			 one = 1;

	lsock = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lsock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lsock, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(lsock, 16) == -1 ||
	    getsockname(lsock, (struct sockaddr *)&sa, &len) == -1) {
		perror("server socket");
		exit(1);
	}
	port = ntohs(sa.sin_port);
	if ((pid = fork()) == 0) {
		serve();
		_exit(0);
	}
	close(lsock);
	return pid;
}

/* A port with nobody listening (bound then closed). */
static int
dead_port(void)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);
	int			 s, p;

	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(s, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(s, (struct sockaddr *)&sa, &len);
	p = ntohs(sa.sin_port);
	close(s);
	return p;
}

static int
never(const struct hcl_resp *r, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

int
main(void)
{
	struct hcl		*h;
	struct hcl_req		 rq;
	struct hcl_resp		 r;
	struct hcl_policy	 pol;
	const char		*hdrs[] = { "Authorization: Bearer s3cret",
				    "X-Test: yes", NULL };
	char			 url[128];
	pid_t			 pid;
	int			 calls = 0;

	signal(SIGPIPE, SIG_IGN);
	pid = start_server();
	h = hcl_new();
	ok(h != NULL, "client created");
	memset(&r, 0, sizeof(r));
	memset(&rq, 0, sizeof(rq));
	rq.url = url;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", port);
	is_int(hcl_do(h, &rq, &r), OCH_OK, "GET /ok");
	is_int(r.result, HCL_HTTP, "an HTTP answer");
	is_int(r.status, 200, "status 200");
	is_str(r.body.data, "{\"ok\":true}", "body captured");
	is_int(r.rl.remaining, 12, "RateLimit-Remaining captured");
	is_int(r.rl.reset_at, 1900000000, "RateLimit-Reset captured");
	is_str(r.corr_id, "corr-1", "correlation id captured");
	is_str(r.content_type, "application/json", "content type captured");
	ok(r.sent, "sent");

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/echo", port);
	rq.method = "POST";
	rq.headers = hdrs;
	rq.body = "{\"a\":1}";
	rq.bodylen = 7;
	is_int(hcl_do(h, &rq, &r), OCH_OK, "POST /echo");
	is_int(r.status, 201, "status 201");
	ok(strncmp(r.body.data, "POST /echo HTTP/1.1\r\n", 21) == 0,
	    "method and path sent");
	ok(strstr(r.body.data, "\r\nX-Test: yes\r\n") != NULL, "header sent");
	ok(strstr(r.body.data, "\r\n\r\n{\"a\":1}") != NULL, "body sent");
	ok(strcasestr(r.body.data, "Expect:") == NULL, "no Expect header");
	ok(strstr(r.body.data, "User-Agent: openclawhost/") != NULL,
	    "user agent");

	rq.method = "PATCH";
	is_int(hcl_do(h, &rq, &r), OCH_OK, "PATCH /echo");
	ok(strncmp(r.body.data, "PATCH /echo ", 12) == 0, "PATCH sent");
	ok(strstr(r.body.data, "\r\n\r\n{\"a\":1}") != NULL, "PATCH body sent");
	rq.method = "DELETE";
	rq.body = NULL;
	rq.bodylen = 0;
	is_int(hcl_do(h, &rq, &r), OCH_OK, "DELETE /echo");
	ok(strncmp(r.body.data, "DELETE /echo ", 13) == 0, "DELETE sent");
	rq.method = "POST";
	is_int(hcl_do(h, &rq, &r), OCH_OK, "POST without a body");
	ok(strstr(r.body.data, "Content-Length: 0\r\n") != NULL,
	    "empty POST has Content-Length 0");
	rq.method = NULL;
	rq.headers = NULL;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/bigcl", port);
	is_int(hcl_do(h, &rq, &r), OCH_EUPSTREAM, "2 MiB with Content-Length");
	is_int(r.result, HCL_ETOOBIG, "too big (announced)");
	is_int(r.body.len, 0, "no partial body kept");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/bigclose", port);
	is_int(hcl_do(h, &rq, &r), OCH_EUPSTREAM, "2 MiB until close");
	is_int(r.result, HCL_ETOOBIG, "too big (streamed)");
	hcl_set_max_body(h, 4 * 1024 * 1024);
	is_int(hcl_do(h, &rq, &r), OCH_OK, "a larger cap takes it");
	is_int(r.body.len, 2 * 1024 * 1024, "whole body");
	hcl_set_max_body(h, HCL_MAX_BODY);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hang", port);
	rq.timeout_ms = 300;
	is_int(hcl_do(h, &rq, &r), OCH_EUPSTREAM, "hanging server");
	is_int(r.result, HCL_ETIMEOUT, "timeout");
	ok(r.sent, "the request was sent before the timeout");
	ok(hcl_retryable(&r), "a timeout is retryable");
	rq.timeout_ms = 0;
	hcl_set_timeouts(h, 0, 250);
	is_int(hcl_do(h, &rq, &r), OCH_EUPSTREAM, "default timeout set");
	is_int(r.result, HCL_ETIMEOUT, "timeout from the client default");
	hcl_set_timeouts(h, 0, HCL_TIMEOUT_MS);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/drop", port);
	is_int(hcl_do(h, &rq, &r), OCH_EUPSTREAM, "dropped connection");
	is_int(r.result, HCL_ETRANSPORT, "transport error");
	ok(r.reason[0] != '\0', "with a reason");

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", dead_port());
	is_int(hcl_do(h, &rq, &r), OCH_EUPSTREAM, "refused connection");
	is_int(r.result, HCL_ECONNECT, "connect error");
	ok(!r.sent, "not sent");

	snprintf(url, sizeof(url), "ftp://127.0.0.1:%d/x", port);
	is_int(hcl_do(h, &rq, &r), OCH_EUPSTREAM, "other protocols refused");
	rq.url = NULL;
	is_int(hcl_do(h, &rq, &r), OCH_EINVAL, "no url");
	rq.url = url;

	/* retries */
	memset(&pol, 0, sizeof(pol));
	pol.max_retries = 3;
	pol.base_ms = 1;
	pol.cap_ms = 5;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/flaky", port);
	is_int(hcl_do_retry(h, &rq, &r, &pol), OCH_OK, "flaky with retries");
	is_int(r.status, 200, "third attempt succeeds");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/slow429", port);
	is_int(hcl_do_retry(h, &rq, &r, &pol), OCH_OK, "429 answer");
	is_int(r.status, 429, "429 returned");
	is_int(r.rl.retry_after_ms, 30000, "Retry-After captured");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/count", port);
	is_int(hcl_do(h, &rq, &r), OCH_OK, "count");
	is_str(r.body.data, "1", "Retry-After over the cap: no retry");
	pol.should_retry = never;
	pol.arg = &calls;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/flaky", port);
	is_int(hcl_do_retry(h, &rq, &r, &pol), OCH_OK, "flaky, callback says no");
	is_int(r.status, 503, "one attempt only");
	is_int(calls, 1, "callback asked once");

	hcl_resp_free(&r);
	hcl_free(h);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return done_testing();
}
