/*
 * 010-tpl: the template renderer (lib/tpl.c): syntax, sections, errors,
 * the three escaping modes with hostile values, and tpl_load's limits.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "tpl.h"

#define NV(a)	(sizeof(a) / sizeof((a)[0]))

/* Render and compare; got NULL counts as a failure. */
static void
render_is(const char *tmpl, enum tpl_mode m, const struct tpl_var *v,
    size_t n, const char *want, const char *name)
{
	enum och_err	 err = OCH_ESYSTEM;
	char		*got;

	got = tpl_render(tmpl, m, v, n, &err);
	is_str(got, want, name);
	free(got);
}

/* 1 if rendering fails with OCH_EINVAL. */
static int
render_fails(const char *tmpl, enum tpl_mode m, const struct tpl_var *v,
    size_t n)
{
	enum och_err	 err = OCH_OK;
	char		*got;

	got = tpl_render(tmpl, m, v, n, &err);
	free(got);
	return got == NULL && err == OCH_EINVAL;
}

/* Append code point cp to o as UTF-8. */
static void
put_utf8(struct buf *o, unsigned long cp)
{
	if (cp < 0x80)
		buf_putc(o, (char)cp);
	else if (cp < 0x800) {
		buf_putc(o, (char)(0xc0 | (cp >> 6)));
		buf_putc(o, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_putc(o, (char)(0xe0 | (cp >> 12)));
		buf_putc(o, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(o, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_putc(o, (char)(0xf0 | (cp >> 18)));
		buf_putc(o, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_putc(o, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(o, (char)(0x80 | (cp & 0x3f)));
	}
}

/*
 * Check that line is exactly `k: "<escaped>"` + "\n", that the escaped
 * part is printable ASCII in which every '"' is escaped, and decode it
 * (YAML double-quoted escapes) into dec.  Returns 1 if well-formed.
 */
static int
yaml_line_decode(const char *line, struct buf *dec)
{
	const char	*p, *end;
	char		 hex[9];
	size_t		 len, w;

	len = strlen(line);
	if (len < 6 || strncmp(line, "k: \"", 4) != 0 ||
	    strcmp(line + len - 2, "\"\n") != 0)
		return 0;
	end = line + len - 2;
	for (p = line + 4; p < end; p++) {
		if (*p < 0x20 || *p > 0x7e || *p == '"')
			return 0;
		if (*p != '\\') {
			buf_putc(dec, *p);
			continue;
		}
		if (++p >= end)
			return 0;
		switch (*p) {
		case '\\': buf_putc(dec, '\\'); continue;
		case '"': buf_putc(dec, '"'); continue;
		case 'n': buf_putc(dec, '\n'); continue;
		case 't': buf_putc(dec, '\t'); continue;
		case 'r': buf_putc(dec, '\r'); continue;
		case 'x': w = 2; break;
		case 'u': w = 4; break;
		case 'U': w = 8; break;
		default: return 0;
		}
		if ((size_t)(end - p - 1) < w)
			return 0;
		memcpy(hex, p + 1, w);
		hex[w] = '\0';
		if (strspn(hex, "0123456789ABCDEF") != w)
			return 0;
		put_utf8(dec, strtoul(hex, NULL, 16));
		p += w;
	}
	return 1;
}

static void
test_syntax(void)
{
	struct tpl_var v[] = {
		{ "a", "A" }, { "empty", "" }, { "zero", "0" },
		{ "no", "false" }, { "unset", NULL }, { "yes", "1" },
		{ "word", "yes" }, { "b_2", "B" },
	};

	render_is("x{{a}}y{{ b_2 }}z", TPL_TEXT, v, NV(v), "xAyBz",
	    "substitution, with and without spaces");
	render_is("", TPL_TEXT, v, NV(v), "", "empty template");
	render_is("no tags at all\n", TPL_TEXT, v, NV(v), "no tags at all\n",
	    "template without tags");
	render_is("{{#yes}}Y{{/yes}}{{#word}}W{{/word}}", TPL_TEXT, v, NV(v),
	    "YW", "set values open sections");
	render_is("[{{#empty}}E{{/empty}}{{#zero}}0{{/zero}}"
	    "{{#no}}N{{/no}}{{#unset}}U{{/unset}}]", TPL_TEXT, v, NV(v), "[]",
	    "\"\", \"0\", \"false\" and NULL close sections");
	render_is("[{{^empty}}e{{/empty}}{{^unset}}u{{/unset}}"
	    "{{^yes}}y{{/yes}}]", TPL_TEXT, v, NV(v), "[eu]",
	    "inverted sections");
	render_is("{{#yes}}1{{#zero}}2{{/zero}}{{^zero}}3{{#a}}4{{/a}}"
	    "{{/zero}}{{/yes}}", TPL_TEXT, v, NV(v), "134", "nested sections");
	render_is("{{#empty}}{{#yes}}hidden{{/yes}}{{/empty}}ok", TPL_TEXT, v,
	    NV(v), "ok", "a true section inside a false one stays hidden");
	render_is("a:\n  {{#yes}}\n  b: 1\n  {{/yes}}\n  {{#zero}}\n  c: 2\n"
	    "  {{/zero}}\nd: 3\n", TPL_TEXT, v, NV(v), "a:\n  b: 1\nd: 3\n",
	    "standalone section lines leave no blank line");
	render_is("{{#yes}}\nlast\n{{/yes}}", TPL_TEXT, v, NV(v), "last\n",
	    "standalone tag on the last line without newline");
	render_is("x {{#yes}}y{{/yes}} z\n", TPL_TEXT, v, NV(v), "x y z\n",
	    "inline sections keep their line");
	render_is("{{#unset}}{{unset}}{{/unset}}ok", TPL_TEXT, v, NV(v), "ok",
	    "a NULL value inside a false section is not substituted");
	render_is("{ {a} } {a}} {{a}}}", TPL_TEXT, v, NV(v), "{ {a} } {a}} A}",
	    "single braces are text");
	render_is("$x", TPL_TEXT, NULL, 0, "$x", "no variables at all");
}

static void
test_errors(void)
{
	struct tpl_var v[] = { { "a", "A" }, { "zero", "0" }, { "n", NULL } };
	struct tpl_var dup[] = { { "a", "1" }, { "a", "2" } };
	struct tpl_var noname[] = { { NULL, "1" } };
	char		 longname[80];

	ok(render_fails("{{b}}", TPL_TEXT, v, NV(v)),
	    "unknown variable is an error");
	ok(render_fails("{{#zero}}{{typo}}{{/zero}}", TPL_TEXT, v, NV(v)),
	    "unknown variable inside a skipped section is an error");
	ok(render_fails("{{#nope}}x{{/nope}}", TPL_TEXT, v, NV(v)),
	    "unknown section name is an error");
	ok(render_fails("{{n}}", TPL_TEXT, v, NV(v)),
	    "substituting a NULL value is an error");
	ok(render_fails("{{a}}", TPL_TEXT, dup, NV(dup)),
	    "a variable given twice is an error");
	ok(render_fails("x", TPL_TEXT, noname, NV(noname)),
	    "a variable without a name is an error");
	ok(render_fails("{{#a}}x", TPL_TEXT, v, NV(v)),
	    "unclosed section is an error");
	ok(render_fails("x{{/a}}", TPL_TEXT, v, NV(v)),
	    "closing a section that is not open is an error");
	ok(render_fails("{{#a}}{{#zero}}{{/a}}{{/zero}}", TPL_TEXT, v, NV(v)),
	    "crossed sections are an error");
	ok(render_fails("x {{", TPL_TEXT, v, NV(v)), "lone {{ is an error");
	ok(render_fails("{{}}", TPL_TEXT, v, NV(v)), "empty tag is an error");
	ok(render_fails("{{a b}}", TPL_TEXT, v, NV(v)),
	    "two words in a tag is an error");
	ok(render_fails("{{1a}}", TPL_TEXT, v, NV(v)),
	    "name starting with a digit is an error");
	ok(render_fails("{{a}", TPL_TEXT, v, NV(v)),
	    "unterminated tag is an error");
	ok(render_fails("{{>a}}", TPL_TEXT, v, NV(v)),
	    "partials are not supported");
	ok(render_fails("{{{a}}}", TPL_TEXT, v, NV(v)),
	    "triple braces (unescaped) are not supported");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	{
		char	*t = xasprintf("{{%s}}", longname);
		struct tpl_var lv[] = { { longname, "v" } };

		ok(render_fails(t, TPL_TEXT, lv, NV(lv)),
		    "names longer than 64 characters are an error");
		free(t);
	}
	ok(render_fails("x", (enum tpl_mode)99, v, NV(v)),
	    "an unknown mode is an error");
	{
		char	*got = tpl_render("{{b}}", TPL_TEXT, v, NV(v), NULL);

		ok(got == NULL, "err may be NULL");
	}
}

static void
test_markup(void)
{
	struct tpl_var v[] = {
		{ "x", "<a href=\"x\" onclick='y'>&amp;</a>" },
		{ "ctl", "a\x01\x02\tb\rc\nd\x7f" "e\xc2\x85" "f" },
		{ "bad", "ok\xff\xfe" "x\xc3" },
		{ "uni", "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "braces", "{{x}}" },
	};

	render_is("<p>{{x}}</p>", TPL_HTML, v, NV(v),
	    "<p>&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;"
	    "&lt;/a&gt;</p>", "HTML escapes & < > \" '");
	render_is("{{ctl}}", TPL_HTML, v, NV(v), "a\tb\rc\nde" "f",
	    "HTML drops control characters but \\t \\r \\n");
	render_is("{{ctl}}", TPL_TEXT, v, NV(v), "abc\nde" "f",
	    "text drops control characters but \\n");
	render_is("{{bad}}", TPL_TEXT, v, NV(v),
	    "ok\xef\xbf\xbd\xef\xbf\xbdx\xef\xbf\xbd",
	    "text replaces invalid UTF-8 with U+FFFD");
	render_is("{{bad}}", TPL_HTML, v, NV(v),
	    "ok\xef\xbf\xbd\xef\xbf\xbdx\xef\xbf\xbd",
	    "HTML replaces invalid UTF-8 with U+FFFD");
	render_is("{{uni}}", TPL_HTML, v, NV(v),
	    "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80",
	    "valid UTF-8 passes through");
	render_is("{{x}}", TPL_TEXT, v, NV(v),
	    "<a href=\"x\" onclick='y'>&amp;</a>", "text keeps markup as is");
	render_is("{{braces}}", TPL_TEXT, v, NV(v), "{{x}}",
	    "values are not expanded again");
}

static void
test_yaml(void)
{
	struct tpl_var v[] = {
		{ "q", "a\"b\\c" },
		{ "nl", "x\nevil: 1\n- y" },
		{ "colon", "k: v # c {{x}} [a, b] {c: d} &a *b !t | >" },
		{ "uni", "\xc3\xa9\xe2\x80\xa8\xef\xbb\xbf\xf0\x9f\x98\x80" },
		{ "ctl", "\x01\x1b\x7f\t\r" },
		{ "bad", "\xff\xc0\xaf\xed\xa0\x80" },
		{ "s", "v" },
	};

	render_is("k: \"{{q}}\"\n", TPL_YAML, v, NV(v),
	    "k: \"a\\\"b\\\\c\"\n", "YAML escapes \" and \\");
	render_is("k: \"{{nl}}\"\n", TPL_YAML, v, NV(v),
	    "k: \"x\\nevil: 1\\n- y\"\n", "YAML escapes newlines");
	render_is("k: \"{{colon}}\"\n", TPL_YAML, v, NV(v),
	    "k: \"k: v # c {{x}} [a, b] {c: d} &a *b !t | >\"\n",
	    "YAML indicators are harmless inside the quotes");
	render_is("k: \"{{uni}}\"\n", TPL_YAML, v, NV(v),
	    "k: \"\\u00E9\\u2028\\uFEFF\\U0001F600\"\n",
	    "YAML writes non-ASCII as \\u escapes");
	render_is("k: \"{{ctl}}\"\n", TPL_YAML, v, NV(v),
	    "k: \"\\x01\\x1B\\x7F\\t\\r\"\n", "YAML escapes control characters");
	render_is("k: \"{{bad}}\"\n", TPL_YAML, v, NV(v),
	    "k: \"\\uFFFD\\uFFFD\\uFFFD\\uFFFD\\uFFFD\\uFFFD\"\n",
	    "YAML replaces invalid UTF-8, overlongs and surrogates");
	render_is("- \"a \\\" {{s}}\" # \"\n", TPL_YAML, v, NV(v),
	    "- \"a \\\" v\" # \"\n", "an escaped quote before the tag counts");
	render_is("c: \"X={{s}}\\nY={{s}}\\n\"\n", TPL_YAML, v, NV(v),
	    "c: \"X=v\\nY=v\\n\"\n", "two values in one scalar");
	render_is("a: |\n  {{#s}}\n  x\n  {{/s}}\n", TPL_YAML, v, NV(v),
	    "a: |\n  x\n", "sections need no quotes");

	ok(render_fails("k: {{s}}\n", TPL_YAML, v, NV(v)),
	    "YAML value in a plain scalar is refused");
	ok(render_fails("k: '{{s}}'\n", TPL_YAML, v, NV(v)),
	    "YAML value in a single-quoted scalar is refused");
	ok(render_fails("k: \"a\" {{s}}\n", TPL_YAML, v, NV(v)),
	    "YAML value after a closed scalar is refused");
	ok(render_fails("k: \"a\\\"{{s}}\n", TPL_YAML, v, NV(v)) == 0,
	    "YAML escaped quote keeps the scalar open");
	ok(render_fails("k: \"\n  {{s}}\"\n", TPL_YAML, v, NV(v)),
	    "YAML value on a continuation line is refused");
	ok(render_fails("k: {{s}}\n", TPL_TEXT, v, NV(v)) == 0,
	    "the quote rule is for YAML only");
}

/*
 * Hostile values: every byte 1..255 alone and after a backslash, and
 * pseudo-random NUL-free byte strings must each render to one well-formed
 * quoted line; random valid UTF-8 (any scalar value, controls included)
 * must decode back to itself.
 */
static void
test_yaml_fuzz(void)
{
	struct tpl_var	 v[1];
	struct buf	 dec = { 0 }, val = { 0 };
	char		*out;
	unsigned long	 cp;
	unsigned	 seed = 12345, i, j, len, bad = 0, diff = 0;

	v[0].name = "v";
	for (i = 0; i < 4000; i++) {
		buf_reset(&val);
		if (i < 255)
			buf_putc(&val, (char)(i + 1));
		else if (i < 510) {
			buf_putc(&val, '\\');
			buf_putc(&val, (char)(i - 254));
		} else {
			len = 1 + (seed = seed * 1103515245 + 12345) % 40;
			for (j = 0; j < len; j++) {
				seed = seed * 1103515245 + 12345;
				if (i < 2000)	/* raw bytes */
					buf_putc(&val, (char)(1 + (seed >> 16) % 255));
				else {		/* valid UTF-8 */
					cp = 1 + ((seed >> 8) % 0x10ffff);
					if (j % 3 == 0)
						cp = 1 + (seed >> 16) % 0x7f;
					if (cp >= 0xd800 && cp <= 0xdfff)
						cp = 0xfffd;
					put_utf8(&val, cp);
				}
			}
		}
		v[0].value = val.data;
		out = tpl_render("k: \"{{v}}\"\n", TPL_YAML, v, 1, NULL);
		buf_reset(&dec);
		buf_add(&dec, "", 0);
		if (out == NULL || !yaml_line_decode(out, &dec))
			bad++;
		else if (i >= 2000 && strcmp(dec.data, val.data) != 0)
			diff++;
		free(out);
	}
	is_int(bad, 0, "4000 hostile values each render one quoted line");
	is_int(diff, 0, "2000 random valid UTF-8 values decode to themselves");
	buf_free(&dec);
	buf_free(&val);
}

static void
test_load(void)
{
	char	 dir[] = "/tmp/och-tpl-XXXXXX", *path, *got;
	FILE	*f;
	size_t	 i;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	path = xasprintf("%s/t.tmpl", dir);
	f = fopen(path, "w");
	fputs("hello {{name}}\n", f);
	fclose(f);
	got = tpl_load(dir, "t.tmpl");
	is_str(got, "hello {{name}}\n", "tpl_load reads a template");
	free(got);
	ok(tpl_load(dir, "missing.tmpl") == NULL, "missing file is NULL");
	ok(tpl_load(dir, "../t.tmpl") == NULL, "a path is not a name");
	ok(tpl_load(dir, "a/b") == NULL, "a slash is not allowed");
	ok(tpl_load(dir, ".t.tmpl") == NULL, "a leading dot is not allowed");
	ok(tpl_load(dir, "") == NULL, "an empty name is not allowed");
	ok(tpl_load("/", "tmp") == NULL, "a directory is not a template");

	f = fopen(path, "w");
	fputs("a", f);
	fputc('\0', f);
	fputs("b", f);
	fclose(f);
	ok(tpl_load(dir, "t.tmpl") == NULL, "a NUL byte is refused");

	f = fopen(path, "w");
	for (i = 0; i < TPL_MAX_SIZE; i++)
		fputc('x', f);
	fclose(f);
	got = tpl_load(dir, "t.tmpl");
	ok(got != NULL && strlen(got) == TPL_MAX_SIZE,
	    "a template of exactly the limit loads");
	free(got);
	f = fopen(path, "a");
	fputc('x', f);
	fclose(f);
	ok(tpl_load(dir, "t.tmpl") == NULL, "one byte over the limit fails");

	f = fopen(path, "w");
	fclose(f);
	got = tpl_load(dir, "t.tmpl");
	is_str(got, "", "an empty template loads as \"\"");
	free(got);

	unlink(path);
	rmdir(dir);
	free(path);
}

int
main(void)
{
	/* keep the expected warnings out of the TAP stream */
	if (freopen("/dev/null", "w", stderr) == NULL)
		return 1;
	test_syntax();
	test_errors();
	test_markup();
	test_yaml();
	test_yaml_fuzz();
	test_load();
	return done_testing();
}
