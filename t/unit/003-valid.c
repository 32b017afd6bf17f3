/*
 * 003-valid: validators with good and hostile input (overlong strings,
 * controls, non-ASCII, empty, NULL, boundary lengths).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "och.h"
#include "tap.h"
#include "valid.h"

struct vcase {
	int		 want;
	const char	*s;
};

static void
run(const char *what, int (*fn)(const char *), const struct vcase *c,
    size_t n)
{
	char	 name[512], *p;
	size_t	 i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s %s '%.60s'", what,
		    c[i].want ? "accepts" : "refuses", c[i].s);
		/* keep TAP lines printable */
		for (p = name; *p != '\0'; p++)
			if ((unsigned char)*p < ' ' || (unsigned char)*p > 126)
				*p = '?';
		ok(fn(c[i].s) == c[i].want, name);
	}
	ok(fn(NULL) == 0, "NULL refused");
}

/* A string of n copies of c (caller frees). */
static char *
rep(char c, size_t n)
{
	char	*s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* prefix then four labels of the given lengths (caller frees). */
static char *
dotted(const char *prefix, size_t a, size_t b, size_t c, size_t d)
{
	struct buf	 bf = { 0 };
	size_t		 len[4] = { a, b, c, d }, i, j;

	buf_puts(&bf, prefix);
	for (i = 0; i < 4; i++) {
		if (i > 0)
			buf_putc(&bf, '.');
		for (j = 0; j < len[i]; j++)
			buf_putc(&bf, (char)('a' + i));
	}
	return buf_detach(&bf);
}

static int
hex_2_8(const char *s)
{
	return valid_hex(s, 2, 8);
}

int
main(void)
{
	static const struct vcase pin[] = {
		{ 1, "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
		{ 1, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
		{ 0, "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=" },
		{ 0, "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU" },
		{ 0, "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU==" },
		{ 0, "sha256//47DEQpj8HBSa-_TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
		{ 0, "SHA256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
		{ 0, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
		{ 0, "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;"
		    "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
		{ 0, "sha256//" },
		{ 0, "" },
	};
	static const struct vcase uuid[] = {
		{ 1, "3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6f" },
		{ 1, "00000000-0000-0000-0000-000000000000" },
		{ 0, "3F2B8C1E-9D4A-4C7B-8E6F-1A2B3C4D5E6F" },
		{ 0, "3f2b8c1e9d4a4c7b8e6f1a2b3c4d5e6f" },
		{ 0, "{3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6f}" },
		{ 0, "3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6" },
		{ 0, "3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6f0" },
		{ 0, "3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6g" },
		{ 0, "3f2b8c1e-9d4a-4c7b-8e6f_1a2b3c4d5e6f" },
		{ 0, "3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6\n" },
		{ 0, "' OR 1=1 --" },
		{ 0, "" },
	};
	static const struct vcase email[] = {
		{ 1, "alice@example.com" },
		{ 1, "Alice.Smith+tag@mail.example.co.uk" },
		{ 1, "o'brien@example.ie" },
		{ 1, "a@b.co" },
		{ 1, "user_name-1@xn--bcher-kva.example" },
		{ 0, "alice" },
		{ 0, "alice@" },
		{ 0, "@example.com" },
		{ 0, "alice@localhost" },
		{ 0, "alice@@example.com" },
		{ 0, "alice@bob@example.com" },
		{ 0, "alice smith@example.com" },
		{ 0, "alice@exa mple.com" },
		{ 0, "\"alice\"@example.com" },
		{ 0, "<alice@example.com>" },
		{ 0, "alice@example.com\r\nBcc: x@y.z" },
		{ 0, "alice\t@example.com" },
		{ 0, ".alice@example.com" },
		{ 0, "alice.@example.com" },
		{ 0, "al..ice@example.com" },
		{ 0, "alice@-example.com" },
		{ 0, "alice@example-.com" },
		{ 0, "alice@example..com" },
		{ 0, "alice@example.com." },
		{ 0, "alice@1.2.3.4" },
		{ 0, "alice@[1.2.3.4]" },
		{ 0, "zo\xc3\xab@example.com" },
		{ 0, "alice@ex\xc3\xa4mple.com" },
		{ 0, "a(b)@example.com" },
		{ 0, "a,b@example.com" },
		{ 0, "a;b@example.com" },
		{ 0, "a\\b@example.com" },
		{ 0, "" },
		{ 0, "a@" },
	};
	static const struct vcase slug[] = {
		{ 1, "acme" },
		{ 1, "acme-corp-2" },
		{ 1, "a1b2" },
		{ 0, "abc" },
		{ 0, "1abc" },
		{ 0, "-abc" },
		{ 0, "abc-" },
		{ 0, "Acme" },
		{ 0, "ac_me" },
		{ 0, "ac.me" },
		{ 0, "ac me" },
		{ 0, "acm\xc3\xa9" },
		{ 0, "acme\n" },
		{ 0, "" },
		{ 1, "a23456789012345678901234567890123456789012" },	/* 42 */
		{ 0, "a234567890123456789012345678901234567890123" },	/* 43 */
	};
	static const struct vcase name[] = {
		{ 1, "eu-falkenstein" },
		{ 1, "starter" },
		{ 1, "ab" },
		{ 1, "pro-" },
		{ 1, "a2345678901234567890123456789012" },	/* 32 */
		{ 0, "a23456789012345678901234567890123" },	/* 33 */
		{ 0, "a" },
		{ 0, "2x" },
		{ 0, "Starter" },
		{ 0, "eu_falkenstein" },
		{ 0, "eu falkenstein" },
		{ 0, "eu/../x" },
		{ 0, "" },
	};
	static const struct vcase url[] = {
		{ 1, "https://example.com" },
		{ 1, "http://127.0.0.1:8080/hetzner/v1" },
		{ 1, "https://app.example.com/login?next=%2Fdash&x=1#top" },
		{ 1, "https://[::1]:8443/path" },
		{ 1, "http://localhost:1/" },
		{ 1, "http://localhost:65535" },
		{ 0, "http://localhost:65536" },
		{ 0, "http://localhost:0" },
		{ 0, "http://localhost:080" },
		{ 0, "http://localhost:" },
		{ 0, "ftp://example.com" },
		{ 0, "HTTPS://example.com" },
		{ 0, "javascript:alert(1)" },
		{ 0, "//example.com" },
		{ 0, "https://" },
		{ 0, "https:///path" },
		{ 0, "https://user:pw@example.com/" },
		{ 0, "https://example.com@evil.com/" },
		{ 0, "https://exa mple.com" },
		{ 0, "https://example.com/a b" },
		{ 0, "https://example.com/a\nb" },
		{ 0, "https://example.com/\"><script>" },
		{ 0, "https://example.com/%zz" },
		{ 0, "https://example.com/%4" },
		{ 0, "https://ex\xc3\xa4mple.com/" },
		{ 0, "https://example.com/\xc3\xa4" },
		{ 0, "https://-example.com" },
		{ 0, "https://[::1" },
		{ 0, "https://[]/" },
		{ 0, "https://example.com\\@evil.com" },
		{ 0, "" },
	};
	static const struct vcase host[] = {
		{ 1, "example.com" },
		{ 1, "a" },
		{ 1, "localhost" },
		{ 1, "xn--bcher-kva.example" },
		{ 1, "1-2.example.COM" },
		{ 1, "127.0.0.1" },
		{ 0, "-a.example" },
		{ 0, "a-.example" },
		{ 0, "a..example" },
		{ 0, ".example" },
		{ 0, "example." },
		{ 0, "exa_mple.com" },
		{ 0, "exa mple.com" },
		{ 0, "example.com\n" },
		{ 0, "ex\xc3\xa4mple.com" },
		{ 0, "" },
	};
	static const struct vcase hex[] = {
		{ 1, "00" },
		{ 1, "deadbeef" },
		{ 0, "0" },
		{ 0, "abc" },
		{ 0, "DEADBEEF" },
		{ 0, "deadbeef00" },
		{ 0, "0x00" },
		{ 0, "de ad" },
		{ 0, "" },
	};
	char		*s, *t;
	int64_t		 v;

	run("uuid", valid_uuid, uuid, OCH_NELEM(uuid));
	run("email", valid_email, email, OCH_NELEM(email));
	run("slug", valid_slug, slug, OCH_NELEM(slug));
	run("name", valid_name, name, OCH_NELEM(name));
	run("url", valid_url, url, OCH_NELEM(url));
	run("hostname", valid_hostname, host, OCH_NELEM(host));
	run("hex(2..8)", hex_2_8, hex, OCH_NELEM(hex));
	run("pin", valid_pin, pin, OCH_NELEM(pin));

	/* lengths at and past the limits */
	s = rep('a', 63);
	t = xasprintf("%s.example", s);
	ok(valid_hostname(t), "hostname: 63-char label");
	free(t);
	t = xasprintf("%sa.example", s);
	ok(!valid_hostname(t), "hostname: 64-char label");
	free(t);
	free(s);
	s = dotted("", 63, 63, 63, 61);
	ok(strlen(s) == 253 && valid_hostname(s), "hostname: 253 chars");
	free(s);
	s = dotted("", 63, 63, 63, 62);
	ok(!valid_hostname(s), "hostname: 254 chars");
	free(s);

	s = rep('a', 64);
	t = xasprintf("%s@example.com", s);
	ok(valid_email(t), "email: 64-char local part");
	free(t);
	t = xasprintf("%sa@example.com", s);
	ok(!valid_email(t), "email: 65-char local part");
	free(t);
	free(s);
	s = dotted("a@", 63, 63, 63, 60);
	ok(strlen(s) == 254 && valid_email(s), "email: 254 chars");
	free(s);
	s = dotted("a@", 63, 63, 63, 61);
	ok(!valid_email(s), "email: 255 chars");
	free(s);
	s = rep('a', 100000);
	ok(!valid_email(s) && !valid_hostname(s) && !valid_url(s) &&
	    !valid_slug(s) && !valid_name(s) && !valid_uuid(s) &&
	    !valid_hex(s, 0, 64), "100000 chars refused everywhere");
	free(s);

	s = rep('x', 2000 - strlen("https://e.com/"));
	t = xasprintf("https://e.com/%s", s);
	ok(strlen(t) == 2000 && valid_url(t), "url: 2000 chars");
	free(t);
	t = xasprintf("https://e.com/%sx", s);
	ok(!valid_url(t), "url: 2001 chars");
	free(t);
	free(s);

	/* integers */
	ok(valid_int64("0", 0, 10, &v) && v == 0, "int: 0");
	ok(valid_int64("42", 0, 100, &v) && v == 42, "int: 42");
	ok(valid_int64("-7", -10, 10, &v) && v == -7, "int: -7");
	ok(valid_int64("9223372036854775807", INT64_MIN, INT64_MAX, &v) &&
	    v == INT64_MAX, "int: INT64_MAX");
	ok(valid_int64("-9223372036854775808", INT64_MIN, INT64_MAX, &v) &&
	    v == INT64_MIN, "int: INT64_MIN");
	ok(!valid_int64("9223372036854775808", INT64_MIN, INT64_MAX, &v),
	    "int: INT64_MAX + 1");
	ok(!valid_int64("-9223372036854775809", INT64_MIN, INT64_MAX, &v),
	    "int: INT64_MIN - 1");
	ok(!valid_int64("99999999999999999999999", INT64_MIN, INT64_MAX,
	    &v), "int: far too big");
	v = 5;
	ok(!valid_int64("101", 0, 100, &v) && v == 5,
	    "int: above max, out untouched");
	ok(!valid_int64("-1", 0, 100, NULL), "int: below min");
	ok(valid_int64("100", 0, 100, NULL), "int: max itself");
	ok(!valid_int64("+1", 0, 100, NULL), "int: plus sign");
	ok(!valid_int64(" 1", 0, 100, NULL), "int: leading space");
	ok(!valid_int64("1 ", 0, 100, NULL), "int: trailing space");
	ok(!valid_int64("01", 0, 100, NULL), "int: leading zero");
	ok(!valid_int64("-0", -1, 100, NULL), "int: minus zero");
	ok(!valid_int64("-", -1, 100, NULL), "int: lone minus");
	ok(!valid_int64("--1", -5, 100, NULL), "int: double minus");
	ok(!valid_int64("1e3", 0, 10000, NULL), "int: exponent");
	ok(!valid_int64("0x10", 0, 100, NULL), "int: hex");
	ok(!valid_int64("1.0", 0, 100, NULL), "int: decimal point");
	ok(!valid_int64("\xd9\xa1", 0, 100, NULL), "int: arabic-indic digit");
	ok(!valid_int64("", 0, 100, NULL), "int: empty");
	ok(!valid_int64(NULL, 0, 100, NULL), "int: NULL");

	/*
	 * Random strings (fixed seed, so a failure reproduces): any string
	 * with a control or non-ASCII byte is refused by every validator.
	 */
	{
		unsigned char	 r[80];
		size_t		 i, len, bad = 0, dirty = 0;
		int		 k, hostile;

		srand(4231);
		for (k = 0; k < 20000; k++) {
			len = (size_t)(rand() % (int)(sizeof(r) - 1));
			hostile = 0;
			for (i = 0; i < len; i++) {
				/* mostly printable, now and then anything */
				r[i] = (unsigned char)(rand() % 8 == 0 ?
				    1 + rand() % 255 : 32 + rand() % 95);
				if (r[i] < 32 || r[i] >= 127)
					hostile = 1;
			}
			r[len] = '\0';
			if (!hostile)
				continue;
			dirty++;
			if (valid_uuid((char *)r) || valid_email((char *)r) ||
			    valid_slug((char *)r) || valid_name((char *)r) ||
			    valid_url((char *)r) || valid_hostname((char *)r) ||
			    valid_hex((char *)r, 0, 80) || valid_pin((char *)r) ||
			    valid_int64((char *)r, INT64_MIN, INT64_MAX, NULL))
				bad++;
		}
		ok(dirty > 1000, "random: enough hostile strings generated");
		is_int(bad, 0, "random: control/non-ASCII bytes always refused");
	}

	ok(valid_hex("", 0, 4), "hex: empty allowed when minlen is 0");
	ok(!valid_hex("0000000000", 0, 8), "hex: over maxlen");

	return done_testing();
}
