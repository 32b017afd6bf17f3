/*
 * 020-hcl: the pure parts of lib/hcl.c: response header capture
 * (rate limits of Hetzner, Resend and Cloudflare, Retry-After,
 * correlation ids), backoff bounds, percent-encoding, the hostile-JSON
 * helpers and the error record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hcl.h"
#include "tap.h"

static void
hdr(struct hcl_resp *r, const char *line, time_t now)
{
	hcl_header(r, line, strlen(line), now);
}

static void
fresh(struct hcl_resp *r)
{
	memset(r, 0, sizeof(*r));
	hdr(r, "HTTP/1.1 200 OK\r\n", 0);	/* clears to -1 */
}

static void
test_headers(void)
{
	struct hcl_resp	 r;
	time_t		 now = 1700000000;

	fresh(&r);
	is_int(r.rl.limit, -1, "nothing seen: limit -1");
	is_int(r.rl.remaining, -1, "nothing seen: remaining -1");
	is_int(r.rl.reset_at, -1, "nothing seen: reset -1");
	is_int(r.rl.retry_after_ms, -1, "nothing seen: retry-after -1");

	/* Hetzner: Reset is a UNIX time */
	hdr(&r, "RateLimit-Limit: 3600\r\n", now);
	hdr(&r, "RateLimit-Remaining: 3597\r\n", now);
	hdr(&r, "RateLimit-Reset: 1700000003\r\n", now);
	hdr(&r, "X-Correlation-Id: 6f2a1c\r\n", now);
	is_int(r.rl.limit, 3600, "hetzner limit");
	is_int(r.rl.remaining, 3597, "hetzner remaining");
	is_int(r.rl.reset_at, 1700000003, "hetzner reset is absolute");
	is_str(r.corr_id, "6f2a1c", "correlation id");

	/* Resend: lowercase, reset is a delay, retry-after in seconds */
	fresh(&r);
	hdr(&r, "ratelimit-limit: 2", now);
	hdr(&r, "ratelimit-remaining: 0", now);
	hdr(&r, "ratelimit-reset: 1", now);
	hdr(&r, "ratelimit-policy: 100;w=1", now);
	hdr(&r, "retry-after: 3", now);
	is_int(r.rl.limit, 2, "resend limit (ratelimit-limit wins over policy)");
	is_int(r.rl.remaining, 0, "resend remaining 0");
	is_int(r.rl.reset_at, now + 1, "resend reset is a delay");
	is_int(r.rl.retry_after_ms, 3000, "retry-after seconds");
	fresh(&r);
	hdr(&r, "ratelimit-policy: 100;w=1", now);
	is_int(r.rl.limit, 100, "policy alone gives the limit");

	/* Cloudflare structured fields */
	fresh(&r);
	hdr(&r, "Ratelimit: \"default\";r=50;t=30\r\n", now);
	hdr(&r, "Ratelimit-Policy: \"burst\";q=1200;w=300\r\n", now);
	hdr(&r, "cf-ray: 8a1b2c3d4e5f-FRA\r\n", now);
	is_int(r.rl.remaining, 50, "cloudflare r= is remaining");
	is_int(r.rl.reset_at, now + 30, "cloudflare t= is a delay");
	is_int(r.rl.limit, 1200, "cloudflare q= is the quota");
	is_str(r.corr_id, "8a1b2c3d4e5f-FRA", "cf-ray as correlation id");
	hdr(&r, "X-Correlation-Id: abc\r\n", now);
	is_str(r.corr_id, "abc", "x-correlation-id wins");
	hdr(&r, "x-request-id: zzz\r\n", now);
	is_str(r.corr_id, "abc", "x-request-id does not replace it");

	/* Retry-After as an HTTP date, and -Ms winning */
	fresh(&r);
	hdr(&r, "Retry-After: Tue, 14 Nov 2023 22:13:40 GMT", 1700000000);
	is_int(r.rl.retry_after_ms, 20000, "retry-after http date");
	fresh(&r);
	hdr(&r, "Retry-After-Ms: 1500", now);
	hdr(&r, "Retry-After: 9", now);
	is_int(r.rl.retry_after_ms, 1500, "retry-after-ms wins");
	fresh(&r);
	hdr(&r, "Retry-After: Tue, 14 Nov 2023 22:13:00 GMT", 1700000000);
	is_int(r.rl.retry_after_ms, 0, "a date in the past is 0");

	/* hostile values are ignored */
	fresh(&r);
	hdr(&r, "RateLimit-Remaining: 99999999999999999999999", now);
	is_int(r.rl.remaining, -1, "overlong number ignored");
	hdr(&r, "RateLimit-Remaining: -5", now);
	is_int(r.rl.remaining, -1, "negative ignored");
	hdr(&r, "RateLimit-Remaining: 12abc", now);
	is_int(r.rl.remaining, -1, "trailing garbage ignored");
	hdr(&r, "RateLimit-Remaining:", now);
	is_int(r.rl.remaining, -1, "empty ignored");
	hdr(&r, "Retry-After: soon", now);
	is_int(r.rl.retry_after_ms, -1, "garbage retry-after ignored");
	hdr(&r, "Ratelimit: r=;t=x;;;", now);
	is_int(r.rl.remaining, -1, "garbage structured field ignored");
	hdr(&r, "no colon at all", now);
	hdr(&r, ":", now);
	ok(1, "lines without a name do not crash");
	hdr(&r, "X-Correlation-Id: a\tb\x01" "c d\r\n", now);
	is_str(r.corr_id, "abcd", "correlation id keeps printable bytes only");
	hdr(&r, "RateLimit-Remaining:   7  \r\n", now);
	is_int(r.rl.remaining, 7, "blanks around a value");

	/* a status line starts a new header block */
	hdr(&r, "HTTP/1.1 100 Continue\r\n", now);
	is_int(r.rl.remaining, -1, "status line clears");
	is_str(r.corr_id, "", "status line clears the correlation id");
	hdr(&r, "Content-Type: application/json; charset=utf-8", now);
	is_str(r.content_type, "application/json;charset=utf-8",
	    "content type (blanks dropped)");
}

static void
test_backoff(void)
{
	unsigned	 a, i, v, lo, hi, okb = 1, spread = 0, first = 0;

	for (a = 0; a < 12; a++) {
		hi = 1000u << a;
		if (hi > 60000)
			hi = 60000;
		lo = hi / 2;
		for (i = 0; i < 200; i++) {
			v = hcl_backoff_ms(a, 1000, 60000);
			if (v < lo || v > hi)
				okb = 0;
			if (i == 0)
				first = v;
			else if (v != first)
				spread = 1;
		}
	}
	ok(okb, "backoff within [d/2, d], d = min(cap, base*2^n)");
	ok(spread, "backoff is jittered");
	ok(hcl_backoff_ms(100, 1000, 60000) <= 60000, "huge attempt capped");
	ok(hcl_backoff_ms(4000000000u, 4000000000u, 5) <= 5,
	    "no overflow with huge inputs");
	is_int(hcl_backoff_ms(3, 100, 0), 0, "cap 0 gives 0");
	ok(hcl_backoff_ms(0, 0, 10) <= 1, "base 0 treated as 1");
}

static void
test_escape(void)
{
	struct buf	 b = { 0 };

	buf_add(&b, "", 0);
	hcl_escape(&b, "och-instance=42,a b&c+d/é~._");
	is_str(b.data, "och-instance%3D42%2Ca%20b%26c%2Bd%2F%C3%A9~._",
	    "percent-encoding as curl_easy_escape");
	buf_reset(&b);
	hcl_escape(&b, "");
	is_str(b.data, "", "empty string");
	buf_free(&b);
}

static void
test_json(void)
{
	static const struct {
		const char	*json;
		int		 strok;
		int		 rc;
		int64_t		 id;
		const char	*name;
	} ids[] = {
		{ "{\"id\":42}", 0, 0, 42, "small id" },
		{ "{\"id\":9007199254740991}", 0, 0, 9007199254740991LL, "2^53-1" },
		{ "{\"id\":9007199254740992}", 0, -1, 0, "2^53 refused" },
		{ "{\"id\":1e30}", 0, -1, 0, "1e30 refused" },
		{ "{\"id\":1e400}", 0, -1, 0, "infinity refused" },
		{ "{\"id\":-3}", 0, -1, 0, "negative refused" },
		{ "{\"id\":0}", 0, -1, 0, "zero refused" },
		{ "{\"id\":4.5}", 0, -1, 0, "fraction refused" },
		{ "{\"id\":\"42\"}", 0, -1, 0, "string refused unless allowed" },
		{ "{\"id\":\"42\"}", 1, 0, 42, "string allowed" },
		{ "{\"id\":\"042\"}", 1, -1, 0, "leading zero refused" },
		{ "{\"id\":\"99999999999999999999\"}", 1, -1, 0, "long string refused" },
		{ "{\"id\":\"4 2\"}", 1, -1, 0, "junk string refused" },
		{ "{\"id\":null}", 0, -1, 0, "null refused" },
		{ "{\"id\":[1]}", 0, -1, 0, "array refused" },
		{ "{}", 0, -1, 0, "missing refused" },
		{ "[42]", 0, -1, 0, "not an object" },
	};
	cJSON		*o;
	int64_t		 id;
	char		 s[8];
	size_t		 i;

	for (i = 0; i < OCH_NELEM(ids); i++) {
		o = cJSON_Parse(ids[i].json);
		is_int(hcl_json_id(o, "id", &id, ids[i].strok), ids[i].rc,
		    ids[i].name);
		is_int(id, ids[i].id, ids[i].name);
		cJSON_Delete(o);
	}
	ok(hcl_json_id(NULL, "id", &id, 1) == -1, "NULL object");

	o = cJSON_Parse("{\"a\":\"hello world\",\"b\":3,\"c\":null}");
	is_int(hcl_json_str(o, "a", s, sizeof(s)), 0, "string read");
	is_str(s, "hello w", "string truncated to the buffer");
	is_int(hcl_json_str(o, "b", s, sizeof(s)), -1, "number is not a string");
	is_str(s, "", "dst emptied on error");
	is_int(hcl_json_str(o, "c", s, sizeof(s)), -1, "null is not a string");
	is_int(hcl_json_str(o, "zz", s, sizeof(s)), -1, "missing member");
	cJSON_Delete(o);

	{
		static const char	 nonul[] = { '{', '}', 'x' };
		char			*deep;

		o = hcl_json_parse("{\"a\":1}  \r\n", 10);
		ok(cJSON_IsObject(o), "parse: trailing blanks fine");
		cJSON_Delete(o);
		ok(hcl_json_parse("{\"a\":1}]]]", 10) == NULL,
		    "parse: trailing junk refused");
		ok(hcl_json_parse("{\"a\":1}{}", 9) == NULL,
		    "parse: two values refused");
		ok(hcl_json_parse("", 0) == NULL, "parse: empty refused");
		ok(hcl_json_parse(NULL, 5) == NULL, "parse: NULL refused");
		ok(hcl_json_parse("{\"a\":", 5) == NULL, "parse: truncated");
		o = hcl_json_parse(nonul, 2);
		ok(cJSON_IsObject(o), "parse: length respected, no NUL needed");
		cJSON_Delete(o);
		deep = malloc(200001);
		memset(deep, '[', 100000);
		memset(deep + 100000, ']', 100000);
		ok(hcl_json_parse(deep, 200000) == NULL,
		    "parse: nesting beyond the limit refused");
		free(deep);
	}

	hcl_sanitize(s, sizeof(s), "a\nb\x7f\xc3\xa9zzzz");
	is_str(s, "a?b???z", "sanitize: printable ASCII, truncated");
}

static void
test_perr(void)
{
	struct prov_err	 e;
	struct hcl_resp	 r;
	char		 line[512];

	hcl_perr_init(&e, "hetzner");
	is_int(e.err, OCH_OK, "init is ok");
	ok(!hcl_perr_is(&e, ""), "an ok record matches no code");
	hcl_perr_set(&e, OCH_ECONFLICT, 1, "locked", "server %d is locked", 7);
	e.status = 423;
	snprintf(e.corr_id, sizeof(e.corr_id), "c0ffee");
	ok(hcl_perr_is(&e, "locked"), "perr_is");
	is_str(hcl_perr_str(&e, line, sizeof(line)),
	    "hetzner locked (423): server 7 is locked [corr c0ffee]",
	    "one line for last_error");

	memset(&r, 0, sizeof(r));
	r.result = HCL_ETIMEOUT;
	snprintf(r.reason, sizeof(r.reason), "timeout after 20000 ms");
	hcl_perr_init(&e, "resend");
	hcl_perr_transport(&e, &r);
	is_int(e.err, OCH_EUPSTREAM, "timeout is an upstream error");
	ok(e.retryable, "timeout is retryable");
	is_str(e.code, "timeout", "timeout code");
	r.result = HCL_ETOOBIG;
	hcl_perr_transport(&e, &r);
	ok(!e.retryable, "oversize is not retryable");
	r.result = HCL_ECONNECT;
	hcl_perr_transport(&e, &r);
	ok(e.retryable, "connect failure is retryable");

	memset(&r, 0, sizeof(r));
	r.result = HCL_HTTP;
	r.status = 503;
	ok(hcl_retryable(&r), "503 retryable");
	r.status = 429;
	ok(hcl_retryable(&r), "429 retryable");
	r.status = 404;
	ok(!hcl_retryable(&r), "404 not retryable");
	r.status = 200;
	ok(!hcl_retryable(&r), "200 not retryable");
	r.result = HCL_ETRANSPORT;
	ok(hcl_retryable(&r), "transport error retryable");
}

int
main(void)
{
	test_headers();
	test_backoff();
	test_escape();
	test_json();
	test_perr();
	return done_testing();
}
