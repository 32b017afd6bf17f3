/*
 * req.c: reading a request (headers, query, path parameters) and writing
 * its one answer (resp_*), with the security headers set here only.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "req.h"

const char *
req_env(const struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->fr->envp);
}

const char *
req_header(const struct req *r, const char *cginame)
{
	char	 name[128];

	if (snprintf(name, sizeof(name), "HTTP_%s", cginame) >=
	    (int)sizeof(name))
		return NULL;
	return FCGX_GetParam(name, r->fr->envp);
}

const char *
req_param(const struct req *r, int i)
{
	return (i >= 0 && i < r->nparams) ? r->params[i] : NULL;
}

char *
req_unescape(const char *s, size_t n, int plus_is_space)
{
	char	*out, *o;
	size_t	 i;
	int	 hi, lo;

	out = o = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n)
				goto bad;
			hi = OPENSSL_hexchar2int((unsigned char)s[i + 1]);
			lo = OPENSSL_hexchar2int((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto bad;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus_is_space)
			*o++ = ' ';
		else if (s[i] == '\0')
			goto bad;
		else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

char *
req_query(const struct req *r, const char *name, int *bad)
{
	const char	*p, *amp, *eq;
	size_t		 nlen = strlen(name), klen;
	char		*key, *val;

	if (bad != NULL)
		*bad = 0;
	for (p = r->query; p != NULL && *p != '\0'; p = *amp ? amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		eq = memchr(p, '=', (size_t)(amp - p));
		klen = (size_t)((eq ? eq : amp) - p);
		if ((key = req_unescape(p, klen, 1)) == NULL) {
			if (bad != NULL)
				*bad = 1;
			return NULL;
		}
		if (strlen(key) != nlen || strcmp(key, name) != 0) {
			free(key);
			continue;
		}
		free(key);
		if (eq == NULL)
			return xstrdup("");
		val = req_unescape(eq + 1, (size_t)(amp - eq - 1), 1);
		if (val == NULL && bad != NULL)
			*bad = 1;
		return val;
	}
	return NULL;
}

const char *
req_json_body(const char *body, size_t len, cJSON **out)
{
	const char	*end = NULL;

	*out = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	/* nothing but white space may follow the value */
	while (*out != NULL && end < body + len &&
	    strchr(" \t\r\n", *end) != NULL && *end != '\0')
		end++;
	if (*out == NULL || end != body + len) {
		cJSON_Delete(*out);
		*out = NULL;
		return "malformed JSON body";
	}
	if (!cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		return "body must be a JSON object";
	}
	return NULL;
}

void
resp_header(struct req *r, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n") != NULL || strpbrk(value, "\r\n") != NULL) {
		log_error("refusing header with CR/LF: %s", name);
		return;
	}
	buf_printf(&r->headers, "%s: %s\r\n", name, value);
}

void
resp_retry_after(struct req *r, long seconds)
{
	char	 v[24];

	if (seconds <= 0)
		return;
	snprintf(v, sizeof(v), "%ld", seconds);
	resp_header(r, "Retry-After", v);
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

/* The one place that writes status and headers. */
static int
resp_begin(struct req *r, int status, const char *ctype)
{
	if (r->responded) {
		log_error("second answer to one request ignored");
		return -1;
	}
	r->responded = 1;
	r->status = status;
	FCGX_FPrintF(r->fr->out, "Status: %d %s\r\n", status, reason(status));
	if (ctype != NULL)
		FCGX_FPrintF(r->fr->out, "Content-Type: %s\r\n", ctype);
	FCGX_FPrintF(r->fr->out,
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
	    "X-Request-Id: %s\r\n", log_reqid());
	if (r->headers.len)
		FCGX_PutStr(r->headers.data, (int)r->headers.len, r->fr->out);
	FCGX_PutS("\r\n", r->fr->out);
	return 0;
}

void
resp_raw(struct req *r, int status, const char *ctype, const char *data,
    size_t len)
{
	if (resp_begin(r, status, ctype) < 0)
		return;
	if (len > 0 && strcmp(r->method, "HEAD") != 0)
		FCGX_PutStr(data, (int)len, r->fr->out);
}

void
resp_empty(struct req *r, int status)
{
	resp_begin(r, status, NULL);
}

void
resp_json(struct req *r, int status, cJSON *body)
{
	char	*s;

	if (body == NULL)
		body = cJSON_CreateObject();
	s = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (s == NULL) {
		static const char oomjs[] = "{\"error\":{\"code\":"
		    "\"internal_error\",\"message\":\"internal error\"}}";

		resp_raw(r, 500, "application/json", oomjs, sizeof(oomjs) - 1);
		return;
	}
	resp_raw(r, status, "application/json", s, strlen(s));
	cJSON_free(s);
}

void
resp_error(struct req *r, enum och_err e, const char *message)
{
	cJSON	*root, *err;

	root = cJSON_CreateObject();
	err = cJSON_AddObjectToObject(root, "error");
	cJSON_AddStringToObject(err, "code", err_code(e));
	cJSON_AddStringToObject(err, "message",
	    message != NULL ? message : err_message(e));
	resp_json(r, err_status(e), root);
}

void
resp_errorf(struct req *r, enum och_err e, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	resp_error(r, e, msg);
}

void
resp_limited(struct req *r, long retry, const char *busy, const char *fmt,
    ...)
{
	va_list	 ap;
	char	 msg[512];

	if (retry <= 0) {
		resp_error(r, OCH_ERATE, busy);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	resp_retry_after(r, retry);
	resp_error(r, OCH_ERATE, msg);
}
