/*
 * s3.c: the S3 client of the backups (see s3.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "log.h"
#include "s3.h"

struct s3 {
	char	*base;		/* <endpoint>/<bucket>/ */
	char	*sigv4;		/* aws:amz:<region>:s3 */
	char	*userpwd;	/* access:secret */
	char	*prefix;
	long	 stall;
};

struct xfer {
	s3_read_fn	*rd;
	s3_write_fn	*wr;
	void		*arg;
	int		 aborted;	/* the callback asked to stop */
	int		 status_ok;	/* a 2xx answer: the body is the object */
	struct buf	 err;		/* the body of an error answer (capped) */
	CURL		*e;
};

struct s3 *
s3_from_cfg(const struct cfg *c)
{
	const char	*ep = cfg_get(c, CFG_S3_ENDPOINT);
	const char	*b = cfg_get(c, CFG_S3_BUCKET);
	const char	*ak = cfg_get(c, CFG_S3_ACCESS_KEY);
	const char	*sk = cfg_get(c, CFG_S3_SECRET_KEY);
	struct s3	*s;
	size_t		 n;

	if (ep == NULL || b == NULL || ak == NULL || sk == NULL)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	n = strlen(ep);
	s->base = xasprintf("%.*s/%s/", (int)(n > 0 && ep[n - 1] == '/' ?
	    n - 1 : n), ep, b);
	s->sigv4 = xasprintf("aws:amz:%s:s3", cfg_str(c, CFG_S3_REGION,
	    "us-east-1"));
	s->userpwd = xasprintf("%s:%s", ak, sk);
	s->prefix = xstrdup(cfg_str(c, CFG_S3_PREFIX, "backups"));
	s->stall = (long)cfg_int(c, CFG_S3_STALL_SECONDS, 30);
	return s;
}

void
s3_free(struct s3 *s)
{
	if (s == NULL)
		return;
	free(s->base);
	free(s->sigv4);
	xfree_secret(s->userpwd);
	free(s->prefix);
	free(s);
}

const char *
s3_prefix(const struct s3 *s)
{
	return s->prefix;
}

static size_t
on_read(char *buf, size_t sz, size_t n, void *arg)
{
	struct xfer	*x = arg;
	long		 got;

	if ((got = x->rd(x->arg, buf, sz * n)) < 0) {
		x->aborted = 1;
		return CURL_READFUNC_ABORT;
	}
	return (size_t)got;
}

static size_t
on_write(char *p, size_t sz, size_t n, void *arg)
{
	struct xfer	*x = arg;
	long		 code = 0;

	if (!x->status_ok) {
		curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &code);
		x->status_ok = code >= 200 && code <= 299;
	}
	if (!x->status_ok || x->wr == NULL) {
		if (x->err.len < 2048)
			buf_add(&x->err, p, sz * n);
		return sz * n;
	}
	if (x->wr(x->arg, p, sz * n) < 0) {
		x->aborted = 1;
		return 0;
	}
	return sz * n;
}

/* The <Code> of an S3 error body, into dst ("" if none). */
static void
s3err_code(const struct buf *b, char *dst, size_t dstsz)
{
	const char	*p, *q;
	char		 tmp[2049];

	dst[0] = '\0';
	if (b->len == 0)
		return;
	memcpy(tmp, b->data, b->len < 2048 ? b->len : 2048);
	tmp[b->len < 2048 ? b->len : 2048] = '\0';
	if ((p = strstr(tmp, "<Code>")) == NULL ||
	    (q = strstr(p, "</Code>")) == NULL)
		return;
	p += 6;
	snprintf(dst, dstsz, "%.*s", (int)(q - p > 60 ? 60 : q - p), p);
}

/* One request.  Returns as s3_put(). */
static enum och_err
run(struct s3 *s, const char *method, const char *key, uint64_t size,
    struct xfer *x, char *why, size_t whysz)
{
	struct curl_slist *h = NULL;
	CURLcode	 rc;
	CURL		*e;
	char		*url, code[64];
	long		 status = 0;
	enum och_err	 err = OCH_OK;
	char		 dummy[160];

	if (why == NULL) {
		why = dummy;
		whysz = sizeof(dummy);
	}
	why[0] = '\0';
	if (strstr(key, "..") != NULL || key[0] == '/') {
		snprintf(why, whysz, "bad object key");
		return OCH_EINVAL;
	}
	if ((e = curl_easy_init()) == NULL) {
		snprintf(why, whysz, "libcurl does not initialise");
		return OCH_EUPSTREAM;
	}
	x->e = e;
	url = xasprintf("%s%s", s->base, key);
	h = curl_slist_append(h, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
	/* no "Expect:" removal: libcurl 7.88 signs the empty header it then
	   leaves out, and the store refuses the signature */
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, s->stall);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "och-backup");
	curl_easy_setopt(e, CURLOPT_AWS_SIGV4, s->sigv4);
	curl_easy_setopt(e, CURLOPT_USERPWD, s->userpwd);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	if (strcmp(method, "PUT") == 0) {
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)size);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(e, CURLOPT_READDATA, x);
	} else if (strcmp(method, "DELETE") == 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE");
	rc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (x->aborted) {
		snprintf(why, whysz, "transfer stopped by our side");
		err = OCH_EUPSTREAM;
	} else if (rc != CURLE_OK) {
		snprintf(why, whysz, "object storage: %s",
		    curl_easy_strerror(rc));
		err = OCH_EUPSTREAM;
	} else if (status < 200 || status > 299) {
		s3err_code(&x->err, code, sizeof(code));
		snprintf(why, whysz, "object storage answered HTTP %ld%s%s",
		    status, code[0] != '\0' ? " " : "", code);
		err = status == 404 ? OCH_ENOTFOUND : status == 403 ||
		    status == 401 ? OCH_EAUTH : OCH_EUPSTREAM;
	}
	if (err != OCH_OK && err != OCH_ENOTFOUND)
		log_warn("s3 %s %s: %s", method, key, why);
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	buf_free(&x->err);
	free(url);
	return err;
}

enum och_err
s3_put(struct s3 *s, const char *key, uint64_t size, s3_read_fn *rd,
    void *arg, char *why, size_t whysz)
{
	struct xfer	 x;

	memset(&x, 0, sizeof(x));
	x.rd = rd;
	x.arg = arg;
	return run(s, "PUT", key, size, &x, why, whysz);
}

enum och_err
s3_get(struct s3 *s, const char *key, s3_write_fn *wr, void *arg, char *why,
    size_t whysz)
{
	struct xfer	 x;

	memset(&x, 0, sizeof(x));
	x.wr = wr;
	x.arg = arg;
	return run(s, "GET", key, 0, &x, why, whysz);
}

enum och_err
s3_delete(struct s3 *s, const char *key, char *why, size_t whysz)
{
	struct xfer	 x;
	enum och_err	 err;

	memset(&x, 0, sizeof(x));
	err = run(s, "DELETE", key, 0, &x, why, whysz);
	return err == OCH_ENOTFOUND ? OCH_OK : err;
}
