/*
 * valid.c: validators for untrusted strings (see valid.h).  No locale-
 * dependent <ctype.h> calls: every class is spelled out in ASCII.
 */
#include <string.h>

#include "valid.h"

static int
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(char c)
{
	return is_lower(c) || is_digit(c) || (c >= 'A' && c <= 'Z');
}

static int
is_lhex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* Length of s, but stop counting past max (returns max + 1 then). */
static size_t
boundlen(const char *s, size_t max)
{
	size_t	 n;

	for (n = 0; n <= max && s[n] != '\0'; n++)
		continue;
	return n;
}

int
valid_uuid(const char *s)
{
	size_t	 i;

	if (s == NULL || boundlen(s, 36) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_lhex(s[i]))
			return 0;
	}
	return 1;
}

/* Lowercase-alnum-and-hyphen names starting with a letter. */
static int
lname(const char *s, size_t min, size_t max, int alnum_end)
{
	size_t	 i, n;

	if (s == NULL || (n = boundlen(s, max)) < min || n > max)
		return 0;
	if (!is_lower(s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_lower(s[i]) && !is_digit(s[i]) && s[i] != '-')
			return 0;
	if (alnum_end && s[n - 1] == '-')
		return 0;
	return 1;
}

int
valid_slug(const char *s)
{
	return lname(s, 4, 42, 1);
}

int
valid_name(const char *s)
{
	return lname(s, 2, 32, 0);
}

/* Host name of exactly n chars at s (not NUL-terminated there). */
static int
hostname_n(const char *s, size_t n)
{
	size_t	 i, label = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!is_alnum(s[i]) && s[i] != '-')
			return 0;
		if (label == 0 && s[i] == '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && s[n - 1] != '-';
}

int
valid_hostname(const char *s)
{
	size_t	 n;

	if (s == NULL || (n = boundlen(s, 253)) > 253)
		return 0;
	return hostname_n(s, n);
}

int
valid_email(const char *s)
{
	static const char	 atext[] = "!#$%&'*+/=?^_`{|}~-";
	const char		*at, *tld;
	size_t			 i, n, local;

	if (s == NULL || (n = boundlen(s, 254)) < 3 || n > 254)
		return 0;
	if ((at = strchr(s, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return 0;
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || s[0] == '.' || s[local - 1] == '.')
		return 0;
	for (i = 0; i < local; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
			continue;
		}
		if (!is_alnum(s[i]) && strchr(atext, s[i]) == NULL)
			return 0;
	}
	/* domain: a host name with a dot and a last label not all digits */
	if (!hostname_n(at + 1, n - local - 1) ||
	    (tld = strrchr(at + 1, '.')) == NULL)
		return 0;
	for (tld++; *tld != '\0'; tld++)
		if (!is_digit(*tld))
			return 1;
	return 0;
}

static int
url_char(char c)
{
	return is_alnum(c) || (c != '\0' && strchr("-._~:/?#[]@!$&'()*+,;=",
	    c) != NULL);
}

int
valid_url(const char *s)
{
	const char	*p, *host, *end;
	size_t		 n;
	long		 port;

	if (s == NULL || (n = boundlen(s, 2000)) > 2000)
		return 0;
	if (strncmp(s, "https://", 8) == 0)
		p = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		p = s + 7;
	else
		return 0;
	/* the authority ends at the first '/', '?' or '#' */
	host = p;
	if (*p == '[') {
		/* IPv6 literal: hex digits, ':' and '.' inside brackets */
		for (p++; *p != ']'; p++)
			if (!is_lhex(*p) && !(*p >= 'A' && *p <= 'F') &&
			    *p != ':' && *p != '.')
				return 0;
		if (p - host < 3)
			return 0;
		end = ++p;
	} else {
		while (is_alnum(*p) || *p == '-' || *p == '.')
			p++;
		end = p;
		if (!hostname_n(host, (size_t)(end - host)))
			return 0;
	}
	if (*p == ':') {
		port = 0;
		for (p++; is_digit(*p); p++) {
			port = port * 10 + (*p - '0');
			if (port > 65535)
				return 0;
		}
		if (port < 1 || p[-1] == ':' || end[1] == '0')
			return 0;
	}
	if (*p != '\0' && *p != '/' && *p != '?' && *p != '#')
		return 0;
	/* path, query, fragment: RFC 3986 characters and %XX */
	for (; *p != '\0'; p++) {
		if (*p == '%') {
			if (!is_lhex(p[1]) && !(p[1] >= 'A' && p[1] <= 'F'))
				return 0;
			if (!is_lhex(p[2]) && !(p[2] >= 'A' && p[2] <= 'F'))
				return 0;
			p += 2;
			continue;
		}
		if (!url_char(*p))
			return 0;
	}
	return 1;
}

int
valid_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	const char	*p;
	uint64_t	 v = 0, lim;
	int		 neg = 0;
	int64_t		 r;

	if (s == NULL)
		return 0;
	p = s;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (!is_digit(*p))
		return 0;
	if (*p == '0' && (p[1] != '\0' || neg))
		return 0;	/* leading zero or "-0" */
	/* magnitude limit: 2^63 - 1, or 2^63 when negative */
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *p != '\0'; p++) {
		if (!is_digit(*p))
			return 0;
		if (v > (lim - (uint64_t)(*p - '0')) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (neg)
		r = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		r = (int64_t)v;
	if (r < min || r > max)
		return 0;
	if (out != NULL)
		*out = r;
	return 1;
}

int
valid_hex(const char *s, size_t minlen, size_t maxlen)
{
	size_t	 n;

	if (s == NULL || (n = boundlen(s, maxlen)) < minlen || n > maxlen ||
	    n % 2 != 0)
		return 0;
	while (n-- > 0)
		if (!is_lhex(s[n]))
			return 0;
	return 1;
}

/* An OpenClaw release: ^\d{4}\.\d{1,2}\.\d{1,3}([.-][A-Za-z0-9.]{1,20})?$ */
int
valid_release(const char *v)
{
	size_t	 n;
	int	 part;
	static const size_t lim[3][2] = { { 4, 4 }, { 1, 2 }, { 1, 3 } };

	for (part = 0; part < 3; part++) {
		n = strspn(v, "0123456789");
		if (n < lim[part][0] || n > lim[part][1])
			return 0;
		v += n;
		if (part < 2 && *v++ != '.')
			return 0;
	}
	if (*v == '\0')
		return 1;
	if (*v != '.' && *v != '-')
		return 0;
	v++;
	n = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789.");
	return n >= 1 && n <= 20 && v[n] == '\0';
}

int
valid_pin(const char *s)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+/";
	const char	*c;
	size_t		 i;

	if (s == NULL || strncmp(s, "sha256//", 8) != 0 ||
	    boundlen(s += 8, 45) != 44 || s[43] != '=')
		return 0;
	for (i = 0; i < 43; i++)
		if (s[i] == '\0' || (c = strchr(b64, s[i])) == NULL)
			return 0;
	/* 256 bits in 43 digits: the last one's low two bits are zero */
	return ((c - b64) & 3) == 0;
}
