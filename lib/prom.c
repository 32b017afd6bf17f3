/*
 * prom.c: the Prometheus text format parser (see prom.h).
 *
 * Grammar, per line (blanks are spaces and tabs):
 *   blank* ( "" | "#" comment | sample ) blank*
 *   comment = blank+ "HELP" blank+ name [blank+ docstring]
 *           | blank+ "TYPE" blank+ name blank+ type
 *           | anything else (ignored)
 *   sample  = name [ "{" [ label ("," label)* [","] ] "}" ] blank+ value
 *             [ blank+ timestamp ]
 *   label   = lname "=" '"' ( char | "\\" | "\"" | "\n" )* '"'
 * (blanks are allowed around the label punctuation).  Names match
 * [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*.  Values are
 * Go floats; timestamps are int64 milliseconds.  A CR, NUL or any other
 * byte out of place is an error.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "och.h"
#include "prom.h"

struct pp {
	const char	*p;		/* cursor in the line */
	const char	*e;		/* end of the line */
	char		*out;		/* scratch: names and unescaped values */
	size_t		 used;
	struct prom_label labels[PROM_MAXLABELS];
	const char	*err;
};

#define SCRATCH	(2 * PROM_MAXLINE + 4 * PROM_MAXLABELS + 16)

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
name_start(char c, int metric)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (metric && c == ':');
}

static int
name_char(char c, int metric)
{
	return name_start(c, metric) || (c >= '0' && c <= '9');
}

static void
skip_blanks(struct pp *x)
{
	while (x->p < x->e && is_blank(*x->p))
		x->p++;
}

/* Copy n bytes to the scratch area, NUL-terminated; returns the copy. */
static char *
keep(struct pp *x, const char *s, size_t n)
{
	char	*d = x->out + x->used;

	/* the line cap keeps this in bounds: each byte is copied once */
	memcpy(d, s, n);
	d[n] = '\0';
	x->used += n + 1;
	return d;
}

/* A name at the cursor; returns it NUL-terminated, or NULL. */
static const char *
read_name(struct pp *x, int metric)
{
	const char	*s = x->p;

	if (x->p >= x->e || !name_start(*x->p, metric))
		return NULL;
	while (x->p < x->e && name_char(*x->p, metric))
		x->p++;
	return keep(x, s, (size_t)(x->p - s));
}

/* A quoted label value at the cursor, unescaped; or NULL with x->err. */
static const char *
read_value(struct pp *x)
{
	char	*d, *start;

	if (x->p >= x->e || *x->p != '"') {
		x->err = "label value not quoted";
		return NULL;
	}
	x->p++;
	start = d = x->out + x->used;
	for (;;) {
		if (x->p >= x->e) {
			x->err = "unterminated label value";
			return NULL;
		}
		if (*x->p == '"')
			break;
		if (*x->p == '\\') {
			if (x->p + 1 >= x->e) {
				x->err = "unterminated label value";
				return NULL;
			}
			switch (x->p[1]) {
			case '\\':
				*d++ = '\\';
				break;
			case '"':
				*d++ = '"';
				break;
			case 'n':
				*d++ = '\n';
				break;
			default:
				x->err = "bad escape in label value";
				return NULL;
			}
			x->p += 2;
			continue;
		}
		*d++ = *x->p++;
	}
	x->p++;
	*d = '\0';
	x->used += (size_t)(d - start) + 1;
	return start;
}

/* The token up to the next blank or the end of the line. */
static size_t
token(struct pp *x, const char **tok)
{
	*tok = x->p;
	while (x->p < x->e && !is_blank(*x->p))
		x->p++;
	return (size_t)(x->p - *tok);
}

/* A Go float: strtod over the whole token.  Returns 0, or -1. */
static int
parse_float(const char *t, size_t n, double *v)
{
	char	 tmp[64], *end;
	size_t	 i;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	for (i = 0; i < n; i++)	/* no "nan(...)", no hex floats, no spaces */
		if (strchr("0123456789+-.eEinfatyINFATY", t[i]) == NULL)
			return -1;
	memcpy(tmp, t, n);
	tmp[n] = '\0';
	errno = 0;
	*v = strtod(tmp, &end);
	if (end != tmp + n)
		return -1;
	/* overflow to ±HUGE_VAL reads as ±Inf, as Go's ParseFloat would err */
	if (errno == ERANGE && isinf(*v))
		return -1;
	return 0;
}

/* An int64 in decimal over the whole token.  Returns 0, or -1. */
static int
parse_int64(const char *t, size_t n, int64_t *v)
{
	char		 tmp[24], *end;
	long long	 ll;

	if (n == 0 || n >= sizeof(tmp) || (t[0] != '-' && (t[0] < '0' ||
	    t[0] > '9')))
		return -1;
	memcpy(tmp, t, n);
	tmp[n] = '\0';
	errno = 0;
	ll = strtoll(tmp, &end, 10);
	if (errno != 0 || end != tmp + n)
		return -1;
	*v = (int64_t)ll;
	return 0;
}

/* A "# ..." line.  Returns 0, or -1 with x->err. */
static int
comment(struct pp *x)
{
	const char	*kw, *t;
	size_t		 n;

	x->p++;				/* '#' */
	if (x->p >= x->e || !is_blank(*x->p))
		return 0;		/* "#foo": a plain comment */
	skip_blanks(x);
	n = token(x, &kw);
	if (!(n == 4 && (memcmp(kw, "HELP", 4) == 0 ||
	    memcmp(kw, "TYPE", 4) == 0)))
		return 0;
	skip_blanks(x);
	if (read_name(x, 1) == NULL) {
		x->err = "bad metric name in HELP/TYPE";
		return -1;
	}
	if (x->p < x->e && !is_blank(*x->p)) {
		x->err = "bad metric name in HELP/TYPE";
		return -1;
	}
	skip_blanks(x);
	if (kw[0] == 'H') {
		/* docstring: any bytes, escapes \\ and \n only */
		for (; x->p < x->e; x->p++) {
			if (*x->p != '\\')
				continue;
			if (x->p + 1 >= x->e || (x->p[1] != '\\' &&
			    x->p[1] != 'n')) {
				x->err = "bad escape in HELP";
				return -1;
			}
			x->p++;
		}
		return 0;
	}
	n = token(x, &t);
	skip_blanks(x);
	if (x->p != x->e || !((n == 7 && memcmp(t, "counter", 7) == 0) ||
	    (n == 5 && memcmp(t, "gauge", 5) == 0) ||
	    (n == 9 && memcmp(t, "histogram", 9) == 0) ||
	    (n == 7 && memcmp(t, "summary", 7) == 0) ||
	    (n == 7 && memcmp(t, "untyped", 7) == 0))) {
		x->err = "bad TYPE";
		return -1;
	}
	return 0;
}

/* A sample line into s.  Returns 0, or -1 with x->err. */
static int
sample(struct pp *x, struct prom_sample *s)
{
	const char	*t, *lname, *lval;
	size_t		 n;
	int		 i;

	memset(s, 0, sizeof(*s));
	s->labels = x->labels;
	if ((s->name = read_name(x, 1)) == NULL) {
		x->err = "bad metric name";
		return -1;
	}
	if (x->p < x->e && *x->p == '{') {
		x->p++;
		for (;;) {
			skip_blanks(x);
			if (x->p < x->e && *x->p == '}')
				break;
			if ((lname = read_name(x, 0)) == NULL) {
				x->err = "bad label name";
				return -1;
			}
			skip_blanks(x);
			if (x->p >= x->e || *x->p != '=') {
				x->err = "expected '=' after label name";
				return -1;
			}
			x->p++;
			skip_blanks(x);
			if ((lval = read_value(x)) == NULL)
				return -1;
			if (s->nlabels == PROM_MAXLABELS) {
				x->err = "too many labels";
				return -1;
			}
			for (i = 0; i < s->nlabels; i++)
				if (strcmp(x->labels[i].name, lname) == 0) {
					x->err = "duplicate label name";
					return -1;
				}
			x->labels[s->nlabels].name = lname;
			x->labels[s->nlabels].value = lval;
			s->nlabels++;
			skip_blanks(x);
			if (x->p < x->e && *x->p == ',') {
				x->p++;
				continue;
			}
			if (x->p < x->e && *x->p == '}')
				break;
			x->err = "expected ',' or '}' in labels";
			return -1;
		}
		x->p++;			/* '}' */
	} else if (x->p < x->e && !is_blank(*x->p)) {
		x->err = "bad metric name";
		return -1;
	}
	skip_blanks(x);
	n = token(x, &t);
	if (parse_float(t, n, &s->value) < 0) {
		x->err = "bad value";
		return -1;
	}
	skip_blanks(x);
	if (x->p < x->e) {
		n = token(x, &t);
		if (parse_int64(t, n, &s->ts) < 0) {
			x->err = "bad timestamp";
			return -1;
		}
		s->has_ts = 1;
		skip_blanks(x);
		if (x->p < x->e) {
			x->err = "trailing text after timestamp";
			return -1;
		}
	}
	return 0;
}

int
prom_parse(const char *text, size_t len, prom_fn fn, void *arg,
    struct prom_stats *st)
{
	struct prom_stats	 dummy;
	struct prom_sample	 s;
	struct pp		*x;
	const char		*line, *end, *nl;
	int			 rc = 0;

	if (st == NULL)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	if (len > PROM_MAXSIZE) {
		st->error = "input too large";
		return -1;
	}
	if (len > 0 && (nl = memchr(text, '\0', len)) != NULL) {
		st->error = "NUL byte in input";
		for (line = text, st->errline = 1; line < nl; line++)
			if (*line == '\n')
				st->errline++;
		return -1;
	}
	x = xcalloc(1, sizeof(*x));
	x->out = xmalloc(SCRATCH);
	line = text;
	end = text + len;
	while (line < end) {
		st->lines++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;	/* a last line without its newline */
		if ((size_t)(nl - line) > PROM_MAXLINE) {
			x->err = "line too long";
			rc = -1;
			break;
		}
		if (memchr(line, '\r', (size_t)(nl - line)) != NULL) {
			x->err = "carriage return";
			rc = -1;
			break;
		}
		x->p = line;
		x->e = nl;
		x->used = 0;
		x->err = NULL;
		skip_blanks(x);
		if (x->p == x->e)
			;		/* empty line */
		else if (*x->p == '#') {
			if (comment(x) < 0) {
				rc = -1;
				break;
			}
		} else {
			if (sample(x, &s) < 0) {
				rc = -1;
				break;
			}
			st->samples++;
			if ((rc = fn(&s, arg)) != 0)
				break;
		}
		line = nl < end ? nl + 1 : end;
	}
	if (rc == -1 && x->err != NULL) {
		st->errline = st->lines;
		st->error = x->err;
	}
	free(x->out);
	free(x);
	return rc;
}

const char *
prom_label(const struct prom_sample *s, const char *name)
{
	int	 i;

	for (i = 0; i < s->nlabels; i++)
		if (strcmp(s->labels[i].name, name) == 0)
			return s->labels[i].value;
	return NULL;
}
