/*
 * hcl.c: the libcurl client, header capture, retry helpers and the
 * provider error record (see hcl.h).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "hcl.h"
#include "log.h"

#define HCL_ID_MAX	9007199254740991LL	/* 2^53 - 1 */

struct hcl {
	CURL		*curl;
	long		 connect_ms;
	long		 total_ms;
	size_t		 max_body;
	char		 errbuf[CURL_ERROR_SIZE];
	hcl_observer	 obs;		/* told of every call, or NULL */
	void		*obs_arg;
};

void
hcl_set_observer(struct hcl *h, hcl_observer fn, void *arg)
{
	h->obs = fn;
	h->obs_arg = arg;
}

/* Per-request state handed to the callbacks. */
struct hcl_io {
	struct hcl_resp	*resp;
	size_t		 max;
	int		 toobig;
	time_t		 now;
};

static const char *const results[HCL_RESULT__MAX] = {
	"http",		/* HCL_HTTP */
	"connect",	/* HCL_ECONNECT */
	"timeout",	/* HCL_ETIMEOUT */
	"too_big",	/* HCL_ETOOBIG */
	"transport",	/* HCL_ETRANSPORT */
};

struct hcl *
hcl_new(void)
{
	struct hcl	*h;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	if ((h->curl = curl_easy_init()) == NULL) {
		free(h);
		curl_global_cleanup();
		return NULL;
	}
	h->connect_ms = HCL_CONNECT_TIMEOUT_MS;
	h->total_ms = HCL_TIMEOUT_MS;
	h->max_body = HCL_MAX_BODY;
	return h;
}

void
hcl_free(struct hcl *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	free(h);
	curl_global_cleanup();
}

void
hcl_set_timeouts(struct hcl *h, long connect_ms, long total_ms)
{
	if (connect_ms > 0)
		h->connect_ms = connect_ms;
	if (total_ms > 0)
		h->total_ms = total_ms;
}

void
hcl_set_max_body(struct hcl *h, size_t n)
{
	if (n > 0)
		h->max_body = n;
}

void
hcl_resp_free(struct hcl_resp *r)
{
	if (r == NULL)
		return;
	buf_free(&r->body);
}

static void
resp_headers_clear(struct hcl_resp *r)
{
	r->rl.limit = r->rl.remaining = r->rl.reset_at = -1;
	r->rl.retry_after_ms = -1;
	r->corr_id[0] = '\0';
	r->content_type[0] = '\0';
}

static void
resp_reset(struct hcl_resp *r)
{
	buf_reset(&r->body);
	buf_add(&r->body, "", 0);
	r->result = HCL_HTTP;
	r->status = 0;
	r->sent = 0;
	r->reason[0] = '\0';
	r->elapsed_ms = 0;
	resp_headers_clear(r);
}

/*
 * A non-negative decimal of at most 15 digits, surrounding blanks
 * allowed; -1 for anything else.
 */
static long long
parse_count(const char *s, size_t n)
{
	long long	 v = 0;
	size_t		 i = 0, digits = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (; i < n && isdigit((unsigned char)s[i]); i++) {
		if (++digits > 15)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (digits == 0)
		return -1;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i == n ? v : -1;
}

/* A reset value: a UNIX time, or a delay when below 10^9. */
static long long
reset_at(long long v, time_t now)
{
	if (v < 0)
		return -1;
	return v >= 1000000000LL ? v : (long long)now + v;
}

/*
 * The delay until an HTTP date, in ms: 0 for a date gone by, and at most
 * the delay a 15-digit count of seconds gives (a date in the year
 * 474092026 must not overflow the product).
 */
static long long
date_delay_ms(time_t t, time_t now)
{
	long long	 d;

	if (t <= now)
		return 0;
	d = (long long)t - (long long)now;
	if (d > 999999999999999LL)
		d = 999999999999999LL;
	return d * 1000;
}

/*
 * Walk the parameters of a structured header item
 * (`"default";r=50;t=30` or `100;w=1`): the first bare member is
 * returned in *first (-1 if none), parameters through the callback.
 */
static void
sf_params(const char *v, size_t n, long long *first,
    long long *p1, char k1, long long *p2, char k2)
{
	size_t	 i = 0, j;

	*first = -1;
	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ';'))
			i++;
		for (j = i; j < n && v[j] != ';' && v[j] != ','; j++)
			continue;
		if (j - i >= 2 && v[i + 1] == '=' && v[i] == k1)
			*p1 = parse_count(v + i + 2, j - i - 2);
		else if (j - i >= 2 && v[i + 1] == '=' && v[i] == k2)
			*p2 = parse_count(v + i + 2, j - i - 2);
		else if (j > i && *first < 0)
			*first = parse_count(v + i, j - i);
		if (j < n && v[j] == ',')	/* only the first list member */
			break;
		i = j + 1;
	}
}

static void
copy_value(char *dst, size_t dstsz, const char *v, size_t n)
{
	size_t	 i, o = 0;

	for (i = 0; i < n && o + 1 < dstsz; i++)
		if (v[i] > ' ' && v[i] < 127)
			dst[o++] = v[i];
	dst[o] = '\0';
}

void
hcl_header(struct hcl_resp *r, const char *line, size_t len, time_t now)
{
	const char	*colon, *v;
	size_t		 nlen, vlen;
	long long	 x, a, b;
	char		 date[64];
	time_t		 t;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		resp_headers_clear(r);
		return;
	}
	if ((colon = memchr(line, ':', len)) == NULL)
		return;
	nlen = (size_t)(colon - line);
	v = colon + 1;
	vlen = len - nlen - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;

#define IS(name) (nlen == sizeof(name) - 1 && \
	strncasecmp(line, name, sizeof(name) - 1) == 0)
	if (IS("ratelimit-limit")) {
		if ((x = parse_count(v, vlen)) >= 0)
			r->rl.limit = x;
	} else if (IS("ratelimit-remaining")) {
		if ((x = parse_count(v, vlen)) >= 0)
			r->rl.remaining = x;
	} else if (IS("ratelimit-reset")) {
		if ((x = parse_count(v, vlen)) >= 0)
			r->rl.reset_at = reset_at(x, now);
	} else if (IS("ratelimit")) {
		a = b = -1;
		sf_params(v, vlen, &x, &a, 'r', &b, 't');
		if (a >= 0)
			r->rl.remaining = a;
		if (b >= 0)
			r->rl.reset_at = (long long)now + b;
	} else if (IS("ratelimit-policy")) {
		a = b = -1;
		sf_params(v, vlen, &x, &a, 'q', &b, 'w');
		if (a < 0)
			a = x;
		if (a >= 0 && r->rl.limit < 0)
			r->rl.limit = a;
	} else if (IS("retry-after-ms")) {
		if ((x = parse_count(v, vlen)) >= 0)
			r->rl.retry_after_ms = x;
	} else if (IS("retry-after")) {
		if ((x = parse_count(v, vlen)) >= 0) {
			if (r->rl.retry_after_ms < 0)
				r->rl.retry_after_ms = x * 1000;
		} else if (vlen > 0 && vlen < sizeof(date)) {
			memcpy(date, v, vlen);
			date[vlen] = '\0';
			if ((t = curl_getdate(date, NULL)) != -1 &&
			    r->rl.retry_after_ms < 0)
				r->rl.retry_after_ms = date_delay_ms(t, now);
		}
	} else if (IS("x-correlation-id") || IS("cf-ray") ||
	    IS("x-request-id")) {
		if (r->corr_id[0] == '\0' || IS("x-correlation-id"))
			copy_value(r->corr_id, sizeof(r->corr_id), v, vlen);
	} else if (IS("content-type")) {
		copy_value(r->content_type, sizeof(r->content_type), v, vlen);
	}
#undef IS
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct hcl_io	*io = arg;

	hcl_header(io->resp, p, size * n, io->now);
	return size * n;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct hcl_io	*io = arg;
	size_t		 len = size * n;

	if (len > io->max || io->resp->body.len > io->max - len) {
		io->toobig = 1;
		return 0;	/* aborts the transfer: CURLE_WRITE_ERROR */
	}
	buf_add(&io->resp->body, p, len);
	return len;
}

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)((t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

/* The path of a URL without its query, for logs. */
static void
url_for_log(char *dst, size_t dstsz, const char *url)
{
	size_t	 n;

	n = strcspn(url, "?#");
	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, url, n);
	dst[n] = '\0';
}

enum och_err
hcl_do(struct hcl *h, const struct hcl_req *rq, struct hcl_resp *r)
{
	struct curl_slist	*hdrs = NULL, *tmp;
	struct hcl_io		 io;
	struct timespec		 t0;
	const char		*method;
	CURLcode		 cc;
	long			 reqsize = 0, timeout;
	size_t			 i;
	char			 where[256];
	enum och_err		 rc = OCH_OK;

	resp_reset(r);
	if (rq->url == NULL || *rq->url == '\0') {
		r->result = HCL_ETRANSPORT;
		snprintf(r->reason, sizeof(r->reason), "no url");
		return OCH_EINVAL;
	}
	method = rq->method ? rq->method : "GET";
	timeout = rq->timeout_ms > 0 ? rq->timeout_ms : h->total_ms;
	memset(&io, 0, sizeof(io));
	io.resp = r;
	io.max = h->max_body;
	io.now = time(NULL);
	h->errbuf[0] = '\0';

	/* keeps open connections and the DNS cache, drops the options */
	curl_easy_reset(h->curl);
	for (i = 0; rq->headers != NULL && rq->headers[i] != NULL; i++) {
		if ((tmp = curl_slist_append(hdrs, rq->headers[i])) == NULL)
			goto oom;
		hdrs = tmp;
	}
	/* no 100-continue round trip for small JSON bodies */
	if ((tmp = curl_slist_append(hdrs, "Expect:")) == NULL)
		goto oom;
	hdrs = tmp;

	curl_easy_setopt(h->curl, CURLOPT_URL, rq->url);
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS,
	    h->connect_ms < timeout ? h->connect_ms : timeout);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT,
	    "openclawhost/" OCH_VERSION);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(h->curl, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)h->max_body);
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, &io);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &io);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(h->curl, CURLOPT_NOBODY, 1L);
	else if (rq->body != NULL || strcmp(method, "GET") != 0) {
		if (rq->body != NULL || strcmp(method, "POST") == 0) {
			curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)(rq->body ? rq->bodylen : 0));
			curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS,
			    rq->body ? rq->body : "");
		}
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, method);
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	cc = curl_easy_perform(h->curl);
	r->elapsed_ms = elapsed_ms(&t0);
	curl_easy_getinfo(h->curl, CURLINFO_REQUEST_SIZE, &reqsize);
	r->sent = reqsize > 0;
	if (cc == CURLE_OK) {
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &r->status);
		r->result = HCL_HTTP;
		r->sent = 1;
	} else {
		rc = OCH_EUPSTREAM;
		r->status = 0;
		switch (cc) {
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_RESOLVE_PROXY:
		case CURLE_COULDNT_CONNECT:
			r->result = HCL_ECONNECT;
			r->sent = 0;
			break;
		case CURLE_OPERATION_TIMEDOUT:
			r->result = HCL_ETIMEOUT;
			break;
		case CURLE_FILESIZE_EXCEEDED:
			r->result = HCL_ETOOBIG;
			break;
		case CURLE_WRITE_ERROR:
			r->result = io.toobig ? HCL_ETOOBIG : HCL_ETRANSPORT;
			break;
		default:
			r->result = HCL_ETRANSPORT;
			break;
		}
		if (r->result == HCL_ETOOBIG)
			snprintf(r->reason, sizeof(r->reason),
			    "response body over %zu bytes", h->max_body);
		else if (r->result == HCL_ETIMEOUT)
			snprintf(r->reason, sizeof(r->reason),
			    "timeout after %ld ms", r->elapsed_ms);
		else
			hcl_sanitize(r->reason, sizeof(r->reason),
			    h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc));
		/* a partial body is not an answer */
		buf_reset(&r->body);
	}
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	url_for_log(where, sizeof(where), rq->url);
	if (h->obs != NULL)
		h->obs(h->obs_arg, rq->url, r->result == HCL_HTTP ? r->status :
		    0, r->elapsed_ms);
	if (rc == OCH_OK)
		log_debug("http %s %s status=%ld ms=%ld corr=%s", method, where,
		    r->status, r->elapsed_ms, r->corr_id[0] ? r->corr_id : "-");
	else
		log_debug("http %s %s failed=%s ms=%ld reason=\"%s\"", method,
		    where, results[r->result], r->elapsed_ms, r->reason);
	return rc;
oom:
	curl_slist_free_all(hdrs);
	fprintf(stderr, "fatal: out of memory building request headers\n");
	exit(1);
}

int
hcl_retryable(const struct hcl_resp *r)
{
	switch (r->result) {
	case HCL_ECONNECT:
	case HCL_ETIMEOUT:
	case HCL_ETRANSPORT:
		return 1;
	case HCL_ETOOBIG:
		return 0;
	case HCL_HTTP:
	default:
		break;
	}
	switch (r->status) {
	case 408:
	case 429:
	case 500:
	case 502:
	case 503:
	case 504:
		return 1;
	default:
		return 0;
	}
}

unsigned
hcl_backoff_ms(unsigned attempt, unsigned base_ms, unsigned cap_ms)
{
	unsigned long long	 d;
	unsigned		 half;

	if (cap_ms == 0)
		return 0;
	d = base_ms ? base_ms : 1;
	if (attempt > 40)
		attempt = 40;
	d <<= attempt;
	if (d > cap_ms)
		d = cap_ms;
	half = (unsigned)(d / 2);
	return half + arc4random_uniform((unsigned)(d - half) + 1);
}

static void
sleep_ms(long long ms)
{
	struct timespec	 ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

enum och_err
hcl_do_retry(struct hcl *h, const struct hcl_req *rq, struct hcl_resp *r,
    const struct hcl_policy *p)
{
	enum och_err	 rc;
	long long	 wait;
	int		 attempt, again;

	for (attempt = 0;; attempt++) {
		rc = hcl_do(h, rq, r);
		if (rc == OCH_EINVAL || p == NULL || attempt >= p->max_retries)
			return rc;
		again = p->should_retry ? p->should_retry(r, p->arg) :
		    hcl_retryable(r);
		if (!again)
			return rc;
		wait = hcl_backoff_ms((unsigned)attempt, p->base_ms, p->cap_ms);
		if (r->rl.retry_after_ms >= 0) {
			if (r->rl.retry_after_ms > (long long)p->cap_ms)
				return rc;
			if (r->rl.retry_after_ms > wait)
				wait = r->rl.retry_after_ms;
		}
		log_debug("http retry %d in %lld ms (%s %ld)", attempt + 1,
		    wait, results[r->result], r->status);
		sleep_ms(wait);
	}
}

void
hcl_escape(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;
	char			 enc[3];

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) && c < 128) {
			buf_putc(b, (char)c);
		} else if (c == '-' || c == '.' || c == '_' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			enc[0] = '%';
			enc[1] = hex[c >> 4];
			enc[2] = hex[c & 15];
			buf_add(b, enc, 3);
		}
	}
}

int
hcl_json_str(const struct cJSON *obj, const char *key, char *dst,
    size_t dstsz)
{
	const cJSON	*it;
	size_t		 n;

	if (dstsz > 0)
		dst[0] = '\0';
	if (!cJSON_IsObject(obj))
		return -1;
	it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsString(it) || it->valuestring == NULL)
		return -1;
	if (dstsz == 0)
		return 0;
	n = strlen(it->valuestring);
	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, it->valuestring, n);
	dst[n] = '\0';
	return 0;
}

cJSON *
hcl_json_parse(const char *body, size_t len)
{
	cJSON		*root;
	const char	*end = NULL;

	if (body == NULL || len == 0)
		return NULL;
	root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (root == NULL)
		return NULL;
	while (end != NULL && end < body + len &&
	    (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
		end++;
	if (end == NULL || end != body + len) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

int
hcl_parse_id(const char *s, int64_t *dst)
{
	long long	 v = 0;
	size_t		 i;

	*dst = 0;
	if (s == NULL || *s == '\0' || *s == '0')
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (!isdigit((unsigned char)s[i]) || i >= 16)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > HCL_ID_MAX)
		return -1;
	*dst = v;
	return 0;
}

int
hcl_json_id(const struct cJSON *obj, const char *key, int64_t *dst,
    int strok)
{
	const cJSON	*it;
	double		 d;

	*dst = 0;
	if (!cJSON_IsObject(obj))
		return -1;
	it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (strok && cJSON_IsString(it))
		return hcl_parse_id(it->valuestring, dst);
	if (!cJSON_IsNumber(it))
		return -1;
	d = it->valuedouble;
	if (!isfinite(d) || d < 1 || d > (double)HCL_ID_MAX ||
	    (double)(long long)d != d)
		return -1;
	*dst = (int64_t)d;
	return 0;
}

void
hcl_sanitize(char *dst, size_t dstsz, const char *src)
{
	size_t	 o = 0;

	if (dstsz == 0)
		return;
	for (; src != NULL && *src != '\0' && o + 1 < dstsz; src++)
		dst[o++] = (*src >= ' ' && *src < 127) ? *src : '?';
	dst[o] = '\0';
}

void
hcl_rl_note(struct hcl_rlstate *st, const struct hcl_ratelimit *rl,
    time_t now)
{
	if (st->seen_at == 0)
		st->rl.limit = st->rl.remaining = st->rl.reset_at =
		    st->rl.retry_after_ms = -1;
	if (rl->remaining < 0 && rl->limit < 0 && rl->reset_at < 0 &&
	    rl->retry_after_ms < 0)
		return;
	if (rl->limit >= 0)
		st->rl.limit = rl->limit;
	if (rl->remaining >= 0)
		st->rl.remaining = rl->remaining;
	if (rl->reset_at >= 0)
		st->rl.reset_at = rl->reset_at;
	st->rl.retry_after_ms = rl->retry_after_ms;
	st->seen_at = now;
}

void
hcl_policy_set(struct hcl_policy *p, int max_retries, unsigned base_ms,
    unsigned cap_ms)
{
	p->max_retries = max_retries < 0 ? 0 : max_retries;
	p->base_ms = base_ms;
	p->cap_ms = cap_ms;
}

void
hcl_rl_get(const struct hcl_rlstate *st, struct hcl_ratelimit *rl,
    time_t *seen_at)
{
	*rl = st->rl;
	if (seen_at != NULL)
		*seen_at = st->seen_at;
}

int
hcl_json_req(struct hcl_req *rq, const char *hdrs[4], const char *method,
    const char *url, const char *auth, const cJSON *body, char **json,
    struct prov_err *e)
{
	hdrs[0] = auth;
	hdrs[1] = "Accept: application/json";
	hdrs[2] = body ? "Content-Type: application/json" : NULL;
	hdrs[3] = NULL;
	memset(rq, 0, sizeof(*rq));
	rq->method = method;
	rq->url = url;
	rq->headers = hdrs;
	*json = NULL;
	if (body == NULL)
		return 0;
	if ((*json = cJSON_PrintUnformatted(body)) == NULL) {
		hcl_perr_set(e, OCH_ESYSTEM, 0, "internal",
		    "cannot encode the request");
		return -1;
	}
	rq->body = *json;
	rq->bodylen = strlen(*json);
	return 0;
}
