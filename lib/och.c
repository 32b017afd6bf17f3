/*
 * och.c: the error table, allocation wrappers and struct buf (see och.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "och.h"

static const struct {
	int		 status;
	const char	*code;
	const char	*message;
} errs[OCH_ERR__MAX] = {
	{ 200, "ok", "ok" },						/* OCH_OK */
	{ 400, "invalid_input", "the request is not valid" },		/* OCH_EINVAL */
	{ 401, "unauthorized", "authentication required" },		/* OCH_EAUTH */
	{ 403, "forbidden", "not allowed" },				/* OCH_EFORBIDDEN */
	{ 404, "not_found", "not found" },				/* OCH_ENOTFOUND */
	{ 405, "method_not_allowed", "method not allowed" },		/* OCH_EMETHOD */
	{ 409, "conflict", "conflict with the current state" },	/* OCH_ECONFLICT */
	{ 413, "payload_too_large", "request body too large" },	/* OCH_ETOOLARGE */
	{ 415, "unsupported_media_type", "content type must be application/json" }, /* OCH_EMEDIA */
	{ 422, "unprocessable", "the request cannot be processed" },	/* OCH_EUNPROCESSABLE */
	{ 429, "rate_limited", "too many requests" },			/* OCH_ERATE */
	{ 500, "internal_error", "internal error" },			/* OCH_ESYSTEM */
	{ 502, "upstream_error", "an upstream service failed" },	/* OCH_EUPSTREAM */
	{ 503, "unavailable", "service temporarily unavailable" },	/* OCH_EUNAVAIL */
	{ 503, "unavailable", "database unavailable" },		/* OCH_EDB */
};

int
err_status(enum och_err e)
{
	return (unsigned)e < OCH_ERR__MAX ? errs[e].status : 500;
}

const char *
err_code(enum och_err e)
{
	return (unsigned)e < OCH_ERR__MAX ? errs[e].code : "internal_error";
}

const char *
err_message(enum och_err e)
{
	return (unsigned)e < OCH_ERR__MAX ? errs[e].message : "internal error";
}

static void
oom(size_t sz)
{
	fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", sz);
	exit(1);
}

void *
xmalloc(size_t sz)
{
	void	*p;

	if ((p = malloc(sz ? sz : 1)) == NULL)
		oom(sz);
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void	*p;

	if ((p = calloc(n ? n : 1, sz ? sz : 1)) == NULL)
		oom(n * sz);
	return p;
}

void *
xrealloc(void *p, size_t sz)
{
	if ((p = realloc(p, sz ? sz : 1)) == NULL)
		oom(sz);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		oom(0);
	va_end(ap);
	return p;
}

void
xfree_secret(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

static void
buf_grow(struct buf *b, size_t need)
{
	size_t	 cap;

	if (b->len + need + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + need + 1)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
buf_detach(struct buf *b)
{
	char	*p;

	p = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
