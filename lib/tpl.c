/*
 * tpl.c: the template renderer (see tpl.h).  One pass over the template
 * with a stack of open sections; every tag is checked even inside a
 * section that is not rendered, so a typo fails on every render.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tpl.h"

#define TPL_NAME_MAX	64
#define TPL_DEPTH_MAX	16

struct tpl_tag {
	char		 sigil;		/* '\0' (value), '#', '^' or '/' */
	const char	*name;
	size_t		 namelen;
	const char	*end;		/* first byte after "}}" */
};

struct tpl_open {
	const char	*name;
	size_t		 namelen;
	int		 emit;		/* was output on before this section */
};

/* 1 if v counts as set for {{#v}}: non-NULL, not "", "0" or "false". */
static int
tpl_truthy(const char *v)
{
	return v != NULL && *v != '\0' && strcmp(v, "0") != 0 &&
	    strcmp(v, "false") != 0;
}

/* Line number (1-based) of p in t, for messages. */
static int
tpl_lineno(const char *t, const char *p)
{
	int	 n = 1;

	for (; t < p; t++)
		if (*t == '\n')
			n++;
	return n;
}

/*
 * Parse the tag starting at p (which points at "{{").  Returns 0 and
 * fills tag, or -1 when it is not a well-formed tag.
 */
static int
tpl_tag_parse(const char *p, struct tpl_tag *tag)
{
	const char	*s;

	p += 2;
	tag->sigil = '\0';
	if (*p == '#' || *p == '^' || *p == '/')
		tag->sigil = *p++;
	while (*p == ' ')
		p++;
	s = p;
	if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		return -1;
	while (*p == '_' || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
		p++;
	if ((size_t)(p - s) > TPL_NAME_MAX)
		return -1;
	tag->name = s;
	tag->namelen = (size_t)(p - s);
	while (*p == ' ')
		p++;
	if (p[0] != '}' || p[1] != '}')
		return -1;
	tag->end = p + 2;
	return 0;
}

/* The variable called name, or NULL. */
static const struct tpl_var *
tpl_lookup(const struct tpl_var *vars, size_t n, const char *name,
    size_t len)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strncmp(vars[i].name, name, len) == 0 &&
		    vars[i].name[len] == '\0')
			return &vars[i];
	return NULL;
}

/*
 * Decode one UTF-8 sequence at s.  Returns the code point and sets *len,
 * or -1 with *len = 1 for a byte that does not start a valid, shortest
 * form sequence of a scalar value.
 */
static long
tpl_utf8(const unsigned char *s, size_t *len)
{
	long	 cp, min;
	size_t	 n, i;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2; cp = s[0] & 0x1f; min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3; cp = s[0] & 0x0f; min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4; cp = s[0] & 0x07; min = 0x10000;
	} else
		return -1;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*len = n;
	return cp;
}

/* Append v escaped for a double-quoted YAML scalar, as pure ASCII. */
static void
tpl_esc_yaml(struct buf *b, const char *v)
{
	const unsigned char	*s = (const unsigned char *)v;
	size_t			 len;
	long			 cp;

	while (*s != '\0') {
		cp = tpl_utf8(s, &len);
		s += len;
		if (cp < 0)
			cp = 0xfffd;
		if (cp == '\\' || cp == '"') {
			buf_putc(b, '\\');
			buf_putc(b, (char)cp);
		} else if (cp == '\n')
			buf_puts(b, "\\n");
		else if (cp == '\t')
			buf_puts(b, "\\t");
		else if (cp == '\r')
			buf_puts(b, "\\r");
		else if (cp < 0x20 || cp == 0x7f)
			buf_printf(b, "\\x%02X", (unsigned)cp);
		else if (cp < 0x7f)
			buf_putc(b, (char)cp);
		else if (cp <= 0xffff)
			buf_printf(b, "\\u%04lX", cp);
		else
			buf_printf(b, "\\U%08lX", cp);
	}
}

/*
 * Append v for HTML or text: valid UTF-8 is copied, invalid bytes become
 * U+FFFD, C0/C1 controls and DEL are dropped (except \n, and for HTML \t
 * and \r); for HTML the five special characters become entities.
 */
static void
tpl_esc_markup(struct buf *b, const char *v, int html)
{
	const unsigned char	*s = (const unsigned char *)v;
	size_t			 len;
	long			 cp;

	while (*s != '\0') {
		cp = tpl_utf8(s, &len);
		if (cp < 0) {
			buf_puts(b, "\xef\xbf\xbd");
			s++;
			continue;
		}
		if (cp == '\n' || (html && (cp == '\t' || cp == '\r')))
			buf_putc(b, (char)cp);
		else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			;	/* control character: dropped */
		else if (html && cp == '&')
			buf_puts(b, "&amp;");
		else if (html && cp == '<')
			buf_puts(b, "&lt;");
		else if (html && cp == '>')
			buf_puts(b, "&gt;");
		else if (html && cp == '"')
			buf_puts(b, "&quot;");
		else if (html && cp == '\'')
			buf_puts(b, "&#39;");
		else
			buf_add(b, s, len);
		s += len;
	}
}

/*
 * 1 if position p of the template is inside a double-quoted YAML scalar
 * that starts on p's line: an odd number of '"' before it on the line,
 * counting \" inside a scalar as an escape.
 */
static int
tpl_in_dquote(const char *linestart, const char *p)
{
	int	 in = 0;

	for (; linestart < p; linestart++) {
		if (in && *linestart == '\\' && linestart + 1 < p)
			linestart++;
		else if (*linestart == '"')
			in = !in;
	}
	return in;
}

char *
tpl_render(const char *tmpl, enum tpl_mode mode, const struct tpl_var *vars,
    size_t n, enum och_err *err)
{
	struct buf		 out = { 0 };
	struct tpl_open		 stack[TPL_DEPTH_MAX];
	struct tpl_tag		 tag;
	const struct tpl_var	*var;
	const char		*p, *q, *ls, *le, *why = NULL;
	size_t			 depth = 0, i, j;
	int			 emit = 1, standalone;

	if ((unsigned)mode >= TPL__MAX) {
		log_warn("template: bad mode %d", (int)mode);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (vars[i].name == NULL) {
			log_warn("template: variable %zu has no name", i);
			goto fail;
		}
		for (j = 0; j < i; j++)
			if (strcmp(vars[i].name, vars[j].name) == 0) {
				log_warn("template: variable '%s' given twice",
				    vars[i].name);
				goto fail;
			}
	}
	buf_add(&out, "", 0);

	for (p = tmpl; ; p = tag.end) {
		if ((q = strstr(p, "{{")) == NULL) {
			if (emit)
				buf_puts(&out, p);
			break;
		}
		if (tpl_tag_parse(q, &tag) == -1) {
			tag.name = NULL;
			why = "malformed tag";
			goto bad;
		}

		/* Where q's line starts, and whether the tag is alone on it. */
		for (ls = q; ls > tmpl && ls[-1] != '\n'; ls--)
			;
		standalone = 0;
		if (tag.sigil != '\0' && ls >= p &&
		    strspn(ls, " \t") == (size_t)(q - ls)) {
			le = tag.end + strspn(tag.end, " \t");
			if (*le == '\n' || *le == '\0') {
				standalone = 1;
				if (emit)
					buf_add(&out, p, (size_t)(ls - p));
				tag.end = *le == '\n' ? le + 1 : le;
			}
		}
		if (!standalone && emit)
			buf_add(&out, p, (size_t)(q - p));

		var = tpl_lookup(vars, n, tag.name, tag.namelen);
		if (var == NULL) {
			why = "unknown variable";
			goto bad;
		}

		switch (tag.sigil) {
		case '#':
		case '^':
			if (depth == TPL_DEPTH_MAX) {
				why = "sections nested too deep";
				goto bad;
			}
			stack[depth].name = tag.name;
			stack[depth].namelen = tag.namelen;
			stack[depth].emit = emit;
			depth++;
			if (tag.sigil == '#')
				emit = emit && tpl_truthy(var->value);
			else
				emit = emit && !tpl_truthy(var->value);
			break;
		case '/':
			if (depth == 0 ||
			    stack[depth - 1].namelen != tag.namelen ||
			    strncmp(stack[depth - 1].name, tag.name,
			    tag.namelen) != 0) {
				why = "section closed but not open";
				goto bad;
			}
			depth--;
			emit = stack[depth].emit;
			break;
		default:
			if (mode == TPL_YAML && !tpl_in_dquote(ls, q)) {
				why = "YAML value outside a double-quoted scalar";
				goto bad;
			}
			if (!emit)
				break;
			if (var->value == NULL) {
				why = "variable has no value";
				goto bad;
			}
			if (mode == TPL_YAML)
				tpl_esc_yaml(&out, var->value);
			else
				tpl_esc_markup(&out, var->value,
				    mode == TPL_HTML);
			break;
		}
	}
	if (depth > 0) {
		log_warn("template: section '%.*s' not closed",
		    (int)stack[depth - 1].namelen, stack[depth - 1].name);
		goto fail;
	}
	if (err != NULL)
		*err = OCH_OK;
	return buf_detach(&out);

bad:
	if (tag.name == NULL)
		log_warn("template: %s at line %d", why, tpl_lineno(tmpl, q));
	else
		log_warn("template: %s '%.*s' at line %d", why,
		    (int)tag.namelen, tag.name, tpl_lineno(tmpl, q));
fail:
	buf_free(&out);
	if (err != NULL)
		*err = OCH_EINVAL;
	return NULL;
}

char *
tpl_load(const char *dir, const char *name)
{
	struct stat	 st;
	struct buf	 b = { 0 };
	char		*path, chunk[8192];
	ssize_t		 r;
	int		 fd = -1;

	if (name[0] == '\0' || name[0] == '.' || strlen(name) > 128 ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") != strlen(name)) {
		log_warn("template: invalid name");
		return NULL;
	}
	path = xasprintf("%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("template: unable to open '%s': %s", path,
		    strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > TPL_MAX_SIZE) {
		log_warn("template: '%s' is not a regular file of at most "
		    "%d bytes", path, TPL_MAX_SIZE);
		goto fail;
	}
	buf_add(&b, "", 0);
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			log_warn("template: unable to read '%s': %s", path,
			    strerror(errno));
			goto fail;
		}
		if (b.len + (size_t)r > TPL_MAX_SIZE) {
			log_warn("template: '%s' is larger than %d bytes",
			    path, TPL_MAX_SIZE);
			goto fail;
		}
		buf_add(&b, chunk, (size_t)r);
	}
	if (memchr(b.data, '\0', b.len) != NULL) {
		log_warn("template: '%s' contains a NUL byte", path);
		goto fail;
	}
	close(fd);
	free(path);
	return buf_detach(&b);
fail:
	if (fd != -1)
		close(fd);
	free(path);
	buf_free(&b);
	return NULL;
}
