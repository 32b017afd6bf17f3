/*
 * util.c: settings, clocks, times, seeded random streams and small helpers
 * (see util.h).
 */
#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "util.h"

struct su_cfg	 su_cfg;

static uint64_t	 fault_state = 1;
static uint64_t	 id_state = 2;

double
su_mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double
su_wall(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void
su_rfc3339(char *out, double wall)
{
	struct tm	 tm;
	time_t		 t;

	t = (time_t)wall;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
su_rfc3339us(char *out, double wall)
{
	struct tm	 tm;
	time_t		 t;
	long		 us;

	t = (time_t)wall;
	us = (long)((wall - (double)t) * 1e6);
	if (us < 0)
		us = 0;
	if (us > 999999)
		us = 999999;
	gmtime_r(&t, &tm);
	strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + 19, 21, ".%06ldZ", us);
}

/* Read exactly n digits at *p; -1 if any is not a digit. */
static int
digits(const char **p, int n)
{
	int	 v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

int
su_parse_rfc3339(const char *s, double *out)
{
	struct tm	 tm;
	const char	*p = s;
	double		 frac = 0, scale = 0.1;
	int		 v[6], off = 0, sign, oh, om, i;
	time_t		 t;

	if (s == NULL)
		return -1;
	for (i = 0; i < 6; i++) {
		if ((v[i] = digits(&p, i == 0 ? 4 : 2)) < 0)
			return -1;
		if (i < 5 && *p++ != "--T::"[i] &&
		    !(i == 2 && (p[-1] == 't' || p[-1] == ' ')))
			return -1;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			frac += (*p++ - '0') * scale;
			scale /= 10;
		}
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if ((oh = digits(&p, 2)) < 0 || *p++ != ':' ||
		    (om = digits(&p, 2)) < 0 || oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	} else
		return -1;
	if (*p != '\0' || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 ||
	    v[3] > 23 || v[4] > 59 || v[5] > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*out = (double)t - off + frac;
	return 0;
}

/* splitmix64: small, fast, good enough for a simulator. */
static uint64_t
splitmix(uint64_t *s)
{
	uint64_t	 z;

	z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
su_seed_faults(uint64_t seed)
{
	fault_state = seed;
}

double
su_fault_rand(void)
{
	return (splitmix(&fault_state) >> 11) * 0x1.0p-53;
}

void
su_seed_ids(uint64_t seed)
{
	id_state = seed ^ 0x5eed1d5ULL;
}

uint64_t
su_id_rand(void)
{
	return splitmix(&id_state);
}

void
su_rand_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t	 r = 0;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (i % 8 == 0)
			r = su_id_rand();
		out[2 * i] = hex[(r >> 4) & 0xf];
		out[2 * i + 1] = hex[r & 0xf];
		r >>= 8;
	}
	out[2 * n] = '\0';
}

void
su_uuid(char *out)
{
	char	 h[33];

	su_rand_hex(h, 16);
	h[12] = '4';
	h[16] = "89ab"[h[16] % 4];
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12,
	    h + 16, h + 20);
}

int
su_streq_ct(const char *a, const char *b)
{
	size_t		 la, lb, i;
	unsigned char	 d;

	if (a == NULL || b == NULL)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	d = la != lb;
	for (i = 0; i < la; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i % (lb ? lb : 1)];
	return d == 0;
}

int
su_parse_id(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 9007199254740991LL)
		return -1;
	*out = v;
	return 0;
}

int
su_parse_secs(const char *s, double *out)
{
	char	*end;
	double	 v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < 0 || v > 1e12)
		return -1;
	*out = v;
	return 0;
}

cJSON *
su_jobj(void)
{
	return cJSON_CreateObject();
}

cJSON *
su_jarr(void)
{
	return cJSON_CreateArray();
}

void
su_jnum(cJSON *o, const char *k, double v)
{
	cJSON_AddItemToObject(o, k, cJSON_CreateNumber(v));
}

void
su_jstr(cJSON *o, const char *k, const char *v)
{
	cJSON_AddItemToObject(o, k, cJSON_CreateString(v ? v : ""));
}

void
su_jstr_or_null(cJSON *o, const char *k, const char *v)
{
	cJSON_AddItemToObject(o, k, v ? cJSON_CreateString(v) :
	    cJSON_CreateNull());
}

void
su_jbool(cJSON *o, const char *k, int v)
{
	cJSON_AddItemToObject(o, k, cJSON_CreateBool(v != 0));
}

void
su_jnull(cJSON *o, const char *k)
{
	cJSON_AddItemToObject(o, k, cJSON_CreateNull());
}

void
su_jtime(cJSON *o, const char *k, double wall)
{
	char	 ts[32];

	su_rfc3339(ts, wall);
	su_jstr(o, k, ts);
}

char *
su_jprint(const cJSON *j)
{
	char	*s;

	if ((s = cJSON_PrintUnformatted(j)) == NULL)
		return xstrdup("null");
	return s;
}

void
su_urldecode(char *s)
{
	char	*w = s;
	int	 hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*w++ = ' ';
		else if (*s == '%' &&
		    (hi = OPENSSL_hexchar2int((unsigned char)s[1])) >= 0 &&
		    (lo = OPENSSL_hexchar2int((unsigned char)s[2])) >= 0) {
			*w++ = (char)(hi * 16 + lo);
			s += 2;
		} else
			*w++ = *s;
	}
	*w = '\0';
}

char *
su_urlencode(const char *s)
{
	struct buf	 b = { 0 };

	buf_puts(&b, "");
	for (; *s != '\0'; s++) {
		if (isalnum((unsigned char)*s) || strchr("-._~", *s))
			buf_putc(&b, *s);
		else
			buf_printf(&b, "%%%02X", (unsigned char)*s);
	}
	return buf_detach(&b);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	remove(path);
	return 0;
}

void
su_rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
