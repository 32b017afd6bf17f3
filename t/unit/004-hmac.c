/*
 * 004-hmac: request signing against the shared vectors file
 * t/vectors/hmac.json (computed independently with Perl Digest::SHA and
 * checked with `openssl dgst`; the PHP client reads the same file), and
 * the pure header checks auth_check() applies to X-OCH-*.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hmac.h"
#include "och.h"
#include "tap.h"

#ifndef OCH_TOP_SRCDIR
#define OCH_TOP_SRCDIR "."
#endif

static char *
slurp(const char *path)
{
	struct buf	 b = { 0 };
	char		 chunk[4096];
	size_t		 n;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
test_vectors(void)
{
	const char	*dir, *name, *body;
	char		*path, *text, *canon, sig[65], bad[65], label[160];
	cJSON		*all, *c;
	int		 n = 0;

	if ((dir = getenv("OCH_SRCDIR")) == NULL &&
	    (dir = getenv("srcdir")) == NULL)
		dir = OCH_TOP_SRCDIR;
	path = xasprintf("%s/t/vectors/hmac.json", dir);
	text = slurp(path);
	ok(text != NULL, "read t/vectors/hmac.json");
	free(path);
	all = text != NULL ? cJSON_Parse(text) : NULL;
	ok(cJSON_IsArray(all) && cJSON_GetArraySize(all) >= 6,
	    "vectors: an array of at least 6 cases");
	cJSON_ArrayForEach(c, all) {
		name = str(c, "name");
		body = str(c, "body");
		if (name == NULL || body == NULL || str(c, "secret") == NULL ||
		    str(c, "canonical") == NULL || str(c, "signature") == NULL) {
			ok(0, "vector has all fields");
			continue;
		}
		canon = hmac_canonical(str(c, "method"), str(c, "target"),
		    str(c, "timestamp"), str(c, "nonce"),
		    *body != '\0' ? body : NULL, strlen(body));
		snprintf(label, sizeof(label), "%s: canonical", name);
		is_str(canon, str(c, "canonical"), label);
		hmac_sign_hex(str(c, "secret"), canon, sig);
		snprintf(label, sizeof(label), "%s: signature", name);
		is_str(sig, str(c, "signature"), label);
		snprintf(label, sizeof(label), "%s: verifies", name);
		ok(hmac_verify_hex(str(c, "secret"), canon,
		    str(c, "signature")), label);
		strcpy(bad, str(c, "signature"));
		bad[10] = bad[10] == '0' ? '1' : '0';
		snprintf(label, sizeof(label), "%s: one digit off fails", name);
		ok(!hmac_verify_hex(str(c, "secret"), canon, bad), label);
		snprintf(label, sizeof(label), "%s: header formats valid",
		    name);
		ok(hmac_valid_nonce(str(c, "nonce")) &&
		    hmac_valid_sig(str(c, "signature")), label);
		free(canon);
		n++;
	}
	ok(n >= 6, "vectors: every case checked");
	cJSON_Delete(all);
	free(text);
}

static void
test_checks(void)
{
	char	 sig[65], *canon, *upper;
	size_t	 i;

	canon = hmac_canonical("POST", "/api/v1/instances", "1700000000",
	    "00112233445566778899aabbccddeeff", NULL, 0);
	is_str(canon, "POST\n/api/v1/instances\n1700000000\n"
	    "00112233445566778899aabbccddeeff\n"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "canonical with NULL body hashes the empty string");
	hmac_sign_hex("k", canon, sig);
	ok(hmac_verify_hex("k", canon, sig), "verify own signature");
	ok(!hmac_verify_hex("K", canon, sig), "other secret fails");
	upper = xstrdup(sig);
	for (i = 0; upper[i] != '\0'; i++)
		if (upper[i] >= 'a' && upper[i] <= 'f')
			upper[i] -= 32;
	ok(strcmp(upper, sig) == 0 || !hmac_verify_hex("k", canon, upper),
	    "upper-case signature refused");
	free(upper);
	ok(!hmac_verify_hex("k", canon, NULL), "NULL signature fails");
	ok(!hmac_verify_hex("k", canon, ""), "empty signature fails");
	sig[63] = '\0';
	ok(!hmac_verify_hex("k", canon, sig), "short signature fails");
	free(canon);

	ok(hmac_valid_key("ak_0123456789abcdef"), "key: 16 hex");
	ok(hmac_valid_key("ak_0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef"), "key: 64 hex");
	ok(!hmac_valid_key("ak_0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0"), "key: 65 hex");
	ok(!hmac_valid_key("ak_0123456789abcde"), "key: 15 hex");
	ok(!hmac_valid_key("ak_0123456789ABCDEF"), "key: upper case");
	ok(!hmac_valid_key("AK_0123456789abcdef"), "key: upper-case prefix");
	ok(!hmac_valid_key("0123456789abcdef"), "key: no prefix");
	ok(!hmac_valid_key("ak_0123456789abcdef'"), "key: quote");
	ok(!hmac_valid_key("ak_0123456789abcdef\n"), "key: newline");
	ok(!hmac_valid_key(""), "key: empty");
	ok(!hmac_valid_key(NULL), "key: NULL");

	ok(hmac_valid_nonce("00112233445566778899aabbccddeeff"),
	    "nonce: 16 bytes");
	ok(!hmac_valid_nonce("00112233445566778899aabbccddee"),
	    "nonce: 15 bytes");
	ok(!hmac_valid_nonce("00112233445566778899aabbccddeeff0"),
	    "nonce: odd length");
	ok(!hmac_valid_nonce("00112233445566778899AABBCCDDEEFF"),
	    "nonce: upper case");
	{
		char	 n[131];

		memset(n, 'a', 128);
		n[128] = '\0';
		ok(hmac_valid_nonce(n), "nonce: 64 bytes");
		n[128] = 'a';
		n[129] = 'a';
		n[130] = '\0';
		ok(!hmac_valid_nonce(n), "nonce: 65 bytes");
	}

	ok(hmac_fresh("1700000000", 1700000000, 300), "fresh: now");
	ok(hmac_fresh("1700000300", 1700000000, 300), "fresh: +window");
	ok(hmac_fresh("1699999700", 1700000000, 300), "fresh: -window");
	ok(!hmac_fresh("1700000301", 1700000000, 300), "stale: +window+1");
	ok(!hmac_fresh("1699999699", 1700000000, 300), "stale: -window-1");
	ok(!hmac_fresh("0", 1700000000, 300), "stale: 0");
	ok(!hmac_fresh("99999999999999999999", 1700000000, 300),
	    "stale: overflow");
	ok(!hmac_fresh("-1700000000", 1700000000, 300), "stale: negative");
	ok(!hmac_fresh("+1700000000", 1700000000, 300), "refused: plus sign");
	ok(!hmac_fresh(" 1700000000", 1700000000, 300), "refused: space");
	ok(!hmac_fresh("1700000000.0", 1700000000, 300),
	    "refused: fraction");
	ok(!hmac_fresh("01700000000", 1700000000, 300),
	    "refused: leading zero");
	ok(!hmac_fresh("1.7e9", 1700000000, 300), "refused: exponent");
	ok(!hmac_fresh("", 1700000000, 300), "refused: empty");
	ok(!hmac_fresh(NULL, 1700000000, 300), "refused: NULL");
}

int
main(void)
{
	test_vectors();
	test_checks();
	return done_testing();
}
