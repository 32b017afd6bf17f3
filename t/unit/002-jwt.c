/*
 * 002-jwt: tok_issue()/tok_verify().  Hand-built tokens cover what an
 * attacker would send: alg none, HS384, RS256 (also RS256 "signed" with
 * our secret, the key-confusion attack), a wrong key, missing or expired
 * or non-integer exp, missing claims, and strings that are not JWTs.
 * The builder is first shown to produce tokens that ARE accepted, so each
 * refusal is due to the one thing that case changes.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cry.h"
#include "och.h"
#include "tap.h"
#include "tok.h"

#define SECRET	"0123456789abcdef0123456789abcdef-session-key"

static void
b64url(struct buf *b, const unsigned char *p, size_t n)
{
	static const char	 al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			 i;
	unsigned int		 v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		buf_putc(b, al[v >> 18 & 63]);
		buf_putc(b, al[v >> 12 & 63]);
		buf_putc(b, al[v >> 6 & 63]);
		buf_putc(b, al[v & 63]);
	}
	if (n - i == 1) {
		v = (unsigned)p[i] << 16;
		buf_putc(b, al[v >> 18 & 63]);
		buf_putc(b, al[v >> 12 & 63]);
	} else if (n - i == 2) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		buf_putc(b, al[v >> 18 & 63]);
		buf_putc(b, al[v >> 12 & 63]);
		buf_putc(b, al[v >> 6 & 63]);
	}
}

enum sig { SIG_HS256, SIG_HS384, SIG_NONE, SIG_JUNK };

/* header.payload.signature with the given signing; caller frees. */
static char *
build(const char *header, const char *payload, enum sig how,
    const char *secret)
{
	struct buf	 b = { 0 };
	unsigned char	 mac[64];
	unsigned int	 len = 0;

	b64url(&b, (const unsigned char *)header, strlen(header));
	buf_putc(&b, '.');
	b64url(&b, (const unsigned char *)payload, strlen(payload));
	switch (how) {
	case SIG_HS256:
		cry_hmac_sha256(secret, strlen(secret), b.data, b.len, mac);
		len = 32;
		break;
	case SIG_HS384:
		HMAC(EVP_sha384(), secret, (int)strlen(secret),
		    (const unsigned char *)b.data, b.len, mac, &len);
		break;
	case SIG_JUNK:
		memset(mac, 0x5a, 256 / 8);
		len = 256 / 8;
		break;
	case SIG_NONE:
		break;
	}
	buf_putc(&b, '.');
	b64url(&b, mac, len);
	return buf_detach(&b);
}

/* 1 if tok_verify refuses the token (and sets nothing). */
static int
refused(const char *token)
{
	char		*sub = NULL, *sid = NULL;
	enum och_err	 e;

	e = tok_verify(SECRET, token, &sub, &sid);
	if (e == OCH_OK) {
		free(sub);
		free(sid);
		return 0;
	}
	return e == OCH_EAUTH && sub == NULL && sid == NULL;
}

static void
check_refused(const char *header, const char *payload, enum sig how,
    const char *secret, const char *name)
{
	char	*t = build(header, payload, how, secret);

	ok(refused(t), name);
	free(t);
}

int
main(void)
{
	char		*t, *sub = NULL, *sid = NULL, payload[256], past[256];
	char		 big[TOK_MAXLEN + 64];
	const char	*hs256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	long		 now = (long)time(NULL);
	size_t		 i;

	/* issued by us */
	t = tok_issue(SECRET, "42", "3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6f",
	    900);
	ok(t != NULL, "issue");
	is_int(tok_verify(SECRET, t, &sub, &sid), OCH_OK, "verify own token");
	is_str(sub, "42", "sub claim");
	is_str(sid, "3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6f", "sid claim");
	free(sub);
	free(sid);
	sub = sid = NULL;
	ok(refused(t) == 0, "helper: own token is not refused");
	{
		char	*other = xstrdup(t);

		/* one changed signature character */
		other[strlen(other) - 2] =
		    other[strlen(other) - 2] == 'A' ? 'B' : 'A';
		ok(refused(other), "changed signature refused");
		free(other);
	}
	is_int(tok_verify("another-secret-of-enough-length-000", t, &sub,
	    &sid), OCH_EAUTH, "wrong key refused");
	ok(sub == NULL && sid == NULL, "nothing set on refusal");
	free(t);

	ok(tok_issue(SECRET, "", "s", 60) == NULL, "issue: empty sub");
	ok(tok_issue(SECRET, "1", NULL, 60) == NULL, "issue: no sid");
	ok(tok_issue("", "1", "s", 60) == NULL, "issue: empty secret");
	ok(tok_issue(SECRET, "1", "s", 0) == NULL, "issue: ttl 0");

	/* the hand builder makes acceptable tokens */
	snprintf(payload, sizeof(payload),
	    "{\"sub\":\"7\",\"sid\":\"abc\",\"iat\":%ld,\"exp\":%ld}",
	    now, now + 600);
	t = build(hs256, payload, SIG_HS256, SECRET);
	is_int(tok_verify(SECRET, t, &sub, &sid), OCH_OK,
	    "hand-built HS256 token accepted");
	is_str(sub, "7", "hand-built sub");
	free(sub);
	free(sid);
	sub = sid = NULL;
	free(t);
	t = build("{\"alg\":\"HS256\"}", payload, SIG_HS256, SECRET);
	ok(!refused(t), "hand-built token without typ accepted");
	free(t);

	/* algorithm attacks */
	check_refused("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, SIG_NONE,
	    SECRET, "alg none, empty signature");
	check_refused("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, SIG_HS256,
	    SECRET, "alg none with a valid HS256 MAC");
	check_refused("{\"alg\":\"None\"}", payload, SIG_NONE, SECRET,
	    "alg None");
	check_refused("{\"typ\":\"JWT\"}", payload, SIG_HS256, SECRET,
	    "no alg");
	check_refused("{\"alg\":\"hs256\"}", payload, SIG_HS256, SECRET,
	    "alg in lower case");
	check_refused("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", payload,
	    SIG_HS384, SECRET, "HS384 signed with the secret");
	check_refused("{\"alg\":\"HS512\"}", payload, SIG_HS256, SECRET,
	    "HS512 header");
	check_refused("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload,
	    SIG_JUNK, SECRET, "RS256 with a junk signature");
	check_refused("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload,
	    SIG_HS256, SECRET, "RS256 header, HMAC with the secret");
	check_refused("{\"alg\":[\"HS256\"]}", payload, SIG_HS256, SECRET,
	    "alg not a string");
	check_refused("{\"alg\":\"HS256\",\"typ\":\"JWE\"}", payload,
	    SIG_HS256, SECRET, "typ other than JWT");
	check_refused("{\"alg\":\"HS256\",\"crit\":[\"b64\"]}", payload,
	    SIG_HS256, SECRET, "crit header");
	check_refused("[\"HS256\"]", payload, SIG_HS256, SECRET,
	    "header not an object");
	check_refused("{\"alg\":\"HS256\"", payload, SIG_HS256, SECRET,
	    "header not JSON");
	check_refused(hs256, payload, SIG_HS256, "wrong-secret",
	    "HS256 under another key");

	/* claims */
	snprintf(past, sizeof(past),
	    "{\"sub\":\"7\",\"sid\":\"abc\",\"iat\":%ld}", now);
	check_refused(hs256, past, SIG_HS256, SECRET, "missing exp");
	snprintf(past, sizeof(past),
	    "{\"sub\":\"7\",\"sid\":\"abc\",\"iat\":%ld,\"exp\":%ld}",
	    now - 100, now - 10);
	check_refused(hs256, past, SIG_HS256, SECRET, "past exp");
	snprintf(past, sizeof(past),
	    "{\"sub\":\"7\",\"sid\":\"abc\",\"exp\":%ld}", now);
	check_refused(hs256, past, SIG_HS256, SECRET, "exp == now");
	check_refused(hs256,
	    "{\"sub\":\"7\",\"sid\":\"abc\",\"exp\":\"99999999999\"}",
	    SIG_HS256, SECRET, "exp as a string");
	check_refused(hs256,
	    "{\"sub\":\"7\",\"sid\":\"abc\",\"exp\":99999999999.5}",
	    SIG_HS256, SECRET, "exp as a fraction");
	check_refused(hs256,
	    "{\"sub\":\"7\",\"sid\":\"abc\",\"exp\":null}",
	    SIG_HS256, SECRET, "exp null");
	check_refused(hs256,
	    "{\"sub\":\"7\",\"sid\":\"abc\",\"exp\":-1}",
	    SIG_HS256, SECRET, "exp negative");
	check_refused(hs256,
	    "{\"sub\":\"7\",\"sid\":\"abc\",\"exp\":1e300}",
	    SIG_HS256, SECRET, "exp beyond JSON's exact integers");
	check_refused(hs256,
	    "{\"sub\":\"7\",\"sid\":\"abc\",\"exp\":true}",
	    SIG_HS256, SECRET, "exp a boolean");
	snprintf(past, sizeof(past), "{\"sub\":\"7\",\"exp\":%ld}", now + 600);
	check_refused(hs256, past, SIG_HS256, SECRET, "missing sid");
	snprintf(past, sizeof(past), "{\"sid\":\"abc\",\"exp\":%ld}",
	    now + 600);
	check_refused(hs256, past, SIG_HS256, SECRET, "missing sub");
	snprintf(past, sizeof(past), "{\"sub\":\"7\",\"sid\":\"\",\"exp\":%ld}",
	    now + 600);
	check_refused(hs256, past, SIG_HS256, SECRET, "empty sid");
	snprintf(past, sizeof(past), "{\"sub\":7,\"sid\":\"abc\",\"exp\":%ld}",
	    now + 600);
	check_refused(hs256, past, SIG_HS256, SECRET, "sub not a string");
	check_refused(hs256, "[1,2,3]", SIG_HS256, SECRET,
	    "payload not an object");
	check_refused(hs256, "not json", SIG_HS256, SECRET,
	    "payload not JSON");

	/* tampered payload: sign one, send another */
	{
		struct buf	 b = { 0 };
		char		*good, *evil, *dot;

		good = build(hs256, payload, SIG_HS256, SECRET);
		snprintf(past, sizeof(past),
		    "{\"sub\":\"1\",\"sid\":\"abc\",\"iat\":%ld,\"exp\":%ld}",
		    now, now + 600);
		evil = build(hs256, past, SIG_NONE, SECRET);
		dot = strrchr(good, '.');
		buf_add(&b, evil, strlen(evil) - 1);	/* drop the last '.' */
		buf_puts(&b, dot);
		ok(refused(b.data), "payload swapped under a good signature");
		buf_free(&b);
		free(good);
		free(evil);
	}

	/* not JWTs at all */
	ok(refused(""), "empty string");
	ok(refused("..."), "three dots");
	ok(refused(".."), "two dots");
	ok(refused("a.b.c"), "a.b.c");
	ok(refused("abc"), "no dots");
	ok(refused("a..c"), "empty payload segment");
	ok(refused("a.b.c.d"), "four segments");
	ok(refused(NULL), "NULL");
	t = tok_issue(SECRET, "42", "s", 60);
	{
		struct buf	 b = { 0 };

		buf_printf(&b, " %s", t);
		ok(refused(b.data), "leading space");
		buf_reset(&b);
		buf_printf(&b, "%s=", t);
		ok(refused(b.data), "padding character");
		buf_reset(&b);
		buf_printf(&b, "%s.", t);
		ok(refused(b.data), "trailing dot");
		buf_free(&b);
	}
	is_int(tok_verify("", t, &sub, &sid), OCH_EAUTH, "empty secret");
	is_int(tok_verify(NULL, t, &sub, &sid), OCH_EAUTH, "NULL secret");
	free(t);
	for (i = 0; i < sizeof(big) - 1; i++)
		big[i] = (i % 100 == 50) ? '.' : 'A';
	big[sizeof(big) - 1] = '\0';
	ok(refused(big), "overlong token");
	ok(refused("eyJhbGciOiJIUzI1NiJ9.\xff\xfe.abc"), "non-ASCII bytes");

	/* every one-character change of a good token is refused */
	{
		static const char	 al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_.";
		size_t			 j, len, bad = 0, tried = 0;
		char			*m;
		int			 k;

		t = tok_issue(SECRET, "42", "s", 600);
		len = strlen(t);
		m = xstrdup(t);
		for (i = 0; i < len; i++) {
			for (j = 0; j < sizeof(al) - 1; j += 7) {
				if (al[j] == t[i])
					continue;
				m[i] = al[j];
				tried++;
				if (!refused(m))
					bad++;
			}
			m[i] = t[i];
		}
		ok(tried > len, "mutations tried");
		is_int(bad, 0, "every one-character change refused");
		free(m);
		free(t);

		/* random strings over the token alphabet (fixed seed) */
		srand(7519);
		bad = 0;
		for (k = 0; k < 5000; k++) {
			len = (size_t)(rand() % 200);
			for (i = 0; i < len; i++)
				big[i] = al[rand() % (int)(sizeof(al) - 1)];
			big[len] = '\0';
			if (!refused(big))
				bad++;
		}
		is_int(bad, 0, "random token-alphabet strings refused");
	}

	return done_testing();
}
