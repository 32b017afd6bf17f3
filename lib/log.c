/*
 * log.c: one-line stderr logging with a request id (see log.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"

static const char	*prog = "och";
static enum log_level	 minlevel = LOG_INFO;
static int		 json;		/* OCH_LOG_FORMAT=json */
/* per thread: a worker may answer a detached request on another one */
static __thread char	 reqid[64] = "-";

static const char *const levels[LOG__MAX] = {
	"DEBUG",	/* LOG_DEBUG */
	"INFO",		/* LOG_INFO */
	"WARN",		/* LOG_WARN */
	"ERROR",	/* LOG_ERROR */
};

void
log_init(const char *name)
{
	const char	*v;
	int		 i;

	prog = name;
	json = (v = getenv("OCH_LOG_FORMAT")) != NULL &&
	    strcasecmp(v, "json") == 0;
	if ((v = getenv("OCH_LOG_LEVEL")) == NULL)
		return;
	for (i = 0; i < LOG__MAX; i++)
		if (strcasecmp(v, levels[i]) == 0)
			minlevel = i;
}

void
log_set_reqid(const char *id)
{
	size_t	 i;

	if (id == NULL || *id == '\0') {
		strcpy(reqid, "-");
		return;
	}
	/* keep it printable and short: it may come from a header */
	for (i = 0; id[i] != '\0' && i < sizeof(reqid) - 1; i++)
		reqid[i] = (id[i] > ' ' && id[i] < 127) ? id[i] : '_';
	reqid[i] = '\0';
}

const char *
log_reqid(void)
{
	return reqid;
}

/* Append s to dst (of size n, at *at) as a JSON string body. */
static void
json_str(char *dst, size_t n, size_t *at, const char *s)
{
	for (; *s != '\0' && *at + 3 < n; s++) {
		if (*s == '"' || *s == '\\')
			dst[(*at)++] = '\\';
		dst[(*at)++] = *s;
	}
	dst[*at] = '\0';
}

/*
 * One event as one JSON object per line (for log shippers):
 * {"ts","level","prog","req","msg"}.  Control characters are already
 * folded to spaces; quotes and backslashes are escaped.
 */
static void
log_json(const char *ts, enum log_level l, const char *msg)
{
	char	 m[4400], p[160], r[160];
	size_t	 ma = 0, pa = 0, ra = 0;

	json_str(m, sizeof(m), &ma, msg);
	json_str(p, sizeof(p), &pa, prog);
	json_str(r, sizeof(r), &ra, reqid);
	fprintf(stderr, "{\"ts\":\"%s\",\"level\":\"%s\",\"prog\":\"%s\","
	    "\"req\":\"%s\",\"msg\":\"%s\"}\n", ts, levels[l], p, r, m);
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	char		 ts[32], line[2048];
	struct tm	 tm;
	time_t		 now;
	va_list		 ap;
	size_t		 i;

	if (l < minlevel || l >= LOG__MAX)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* one event, one line: fold control characters */
	for (i = 0; line[i] != '\0'; i++)
		if ((unsigned char)line[i] < ' ')
			line[i] = ' ';
	if (json)
		log_json(ts, l, line);
	else
		fprintf(stderr, "%s %-5s %s req=%s %s\n", ts, levels[l], prog,
		    reqid, line);
}
