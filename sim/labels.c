/*
 * labels.c: label sets and selectors (see labels.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "och.h"
#include "labels.h"

#define LBL_MAX_REQ	32
#define LBL_MAX_VALS	32

enum lbl_op {
	LBL_EQ,
	LBL_NE,
	LBL_EXISTS,
	LBL_ABSENT,
	LBL_IN,
	LBL_NOTIN,
};

struct lbl_req {
	enum lbl_op	 op;
	char		*key;
	char		*vals[LBL_MAX_VALS];
	int		 nvals;
};

struct lbl_sel {
	struct lbl_req	 req[LBL_MAX_REQ];
	int		 nreq;
};

void
lbl_sel_free(struct lbl_sel *s)
{
	int	 i, j;

	if (s == NULL)
		return;
	for (i = 0; i < s->nreq; i++) {
		free(s->req[i].key);
		for (j = 0; j < s->req[i].nvals; j++)
			free(s->req[i].vals[j]);
	}
	free(s);
}

static int
keych(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '-' || c == '/';
}

static int
valch(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '-';
}

static const char *
skipsp(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * Read a run of characters accepted by fn at *pp and advance.  Returns a
 * copy, or NULL when the run is empty and empty runs are not allowed.
 */
static char *
word(const char **pp, int (*fn)(int), int empty_ok)
{
	const char	*start = *pp, *p = *pp;

	while (*p != '\0' && fn((unsigned char)*p))
		p++;
	if (p == start && !empty_ok)
		return NULL;
	*pp = p;
	return xstrndup(start, p - start);
}

/* Parse "(a, b, c)" into r; 0 or -1. */
static int
valset(const char **pp, struct lbl_req *r)
{
	const char	*p = skipsp(*pp);
	char		*v;

	if (*p++ != '(')
		return -1;
	for (;;) {
		p = skipsp(p);
		if ((v = word(&p, valch, 0)) == NULL)
			return -1;
		if (r->nvals == LBL_MAX_VALS) {
			free(v);
			return -1;
		}
		r->vals[r->nvals++] = v;
		p = skipsp(p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p++ != ')')
			return -1;
		break;
	}
	*pp = p;
	return 0;
}

struct lbl_sel *
lbl_sel_parse(const char *s, const char **err)
{
	struct lbl_sel	*sel;
	struct lbl_req	*r;
	const char	*p = s, *q;
	char		*v;

	*err = "invalid label_selector";
	sel = xcalloc(1, sizeof(*sel));
	if (*skipsp(p) == '\0')
		return sel;
	for (;;) {
		if (sel->nreq == LBL_MAX_REQ)
			goto bad;
		r = &sel->req[sel->nreq++];
		p = skipsp(p);
		if (*p == '!') {
			p = skipsp(p + 1);
			if ((r->key = word(&p, keych, 0)) == NULL)
				goto bad;
			r->op = LBL_ABSENT;
		} else {
			if ((r->key = word(&p, keych, 0)) == NULL)
				goto bad;
			q = skipsp(p);
			if (*q == '\0' || *q == ',') {
				r->op = LBL_EXISTS;
				p = q;
			} else if (strncmp(q, "!=", 2) == 0 ||
			    strncmp(q, "==", 2) == 0 || *q == '=') {
				r->op = *q == '!' ? LBL_NE : LBL_EQ;
				p = skipsp(q + (q[1] == '=' ? 2 : 1));
				if ((v = word(&p, valch, 1)) == NULL)
					goto bad;
				r->vals[r->nvals++] = v;
			} else if (q > p && strncmp(q, "in", 2) == 0 &&
			    (q[2] == ' ' || q[2] == '(')) {
				r->op = LBL_IN;
				p = q + 2;
				if (valset(&p, r) == -1)
					goto bad;
			} else if (q > p && strncmp(q, "notin", 5) == 0 &&
			    (q[5] == ' ' || q[5] == '(')) {
				r->op = LBL_NOTIN;
				p = q + 5;
				if (valset(&p, r) == -1)
					goto bad;
			} else
				goto bad;
		}
		p = skipsp(p);
		if (*p == '\0')
			break;
		if (*p++ != ',')
			goto bad;
	}
	return sel;
bad:
	lbl_sel_free(sel);
	return NULL;
}

int
lbl_sel_match(const struct lbl_sel *sel, const cJSON *labels)
{
	const struct lbl_req	*r;
	const cJSON		*l;
	const char		*v;
	int			 i, j, in;

	for (i = 0; i < sel->nreq; i++) {
		r = &sel->req[i];
		l = cJSON_GetObjectItemCaseSensitive(labels, r->key);
		v = cJSON_IsString(l) ? l->valuestring : NULL;
		in = 0;
		for (j = 0; v != NULL && j < r->nvals; j++)
			if (strcmp(v, r->vals[j]) == 0)
				in = 1;
		switch (r->op) {
		case LBL_EQ:
		case LBL_IN:
			if (!in)
				return 0;
			break;
		case LBL_NE:
		case LBL_NOTIN:
			if (in)
				return 0;
			break;
		case LBL_EXISTS:
			if (v == NULL)
				return 0;
			break;
		case LBL_ABSENT:
			if (v != NULL)
				return 0;
			break;
		}
	}
	return 1;
}

/* A label name or value: <=63, alnum at both ends, [-_.] inside. */
static int
name_ok(const char *s, int empty_ok)
{
	size_t	 n, i;

	n = strlen(s);
	if (n == 0)
		return empty_ok;
	if (n > 63 || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!valch((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A DNS subdomain prefix: lowercase labels separated by dots. */
static int
prefix_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 253 || s[0] == '.' || s[n - 1] == '.' ||
	    s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i]) || s[i] == '-' || s[i] == '.'))
			return 0;
	return 1;
}

int
lbl_valid(const cJSON *j, const char **err)
{
	const cJSON	*e;
	const char	*slash;
	int		 n = 0;

	if (!cJSON_IsObject(j)) {
		*err = "must be an object";
		return 0;
	}
	cJSON_ArrayForEach(e, j) {
		if (++n > 1000) {
			*err = "too many labels";
			return 0;
		}
		if (!cJSON_IsString(e)) {
			*err = "label values must be strings";
			return 0;
		}
		slash = strrchr(e->string, '/');
		if (slash != NULL && (!prefix_ok(e->string,
		    slash - e->string) || !name_ok(slash + 1, 0))) {
			*err = "invalid label key";
			return 0;
		}
		if (slash == NULL && !name_ok(e->string, 0)) {
			*err = "invalid label key";
			return 0;
		}
		if (strncmp(e->string, "hetzner.cloud/", 14) == 0) {
			*err = "label prefix hetzner.cloud/ is reserved";
			return 0;
		}
		if (!name_ok(e->valuestring, 1)) {
			*err = "invalid label value";
			return 0;
		}
	}
	return 1;
}
