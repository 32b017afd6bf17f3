/*
 * 001-crypto: cry_ against published known answers (FIPS 180 SHA-256
 * examples, RFC 4231 HMAC-SHA256, the GCM specification's AES-256 test
 * cases and a NIST CAVP GCM vector), then the sealed-secret format:
 * round trips, tampering, associated data, truncation, key rotation.
 */
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cry.h"
#include "och.h"
#include "tap.h"

static unsigned char *
unhex(const char *hex, size_t *n)
{
	unsigned char	*p;

	*n = strlen(hex) / 2;
	p = xmalloc(*n + 1);
	if (cry_unhex(hex, p, *n) == -1)
		abort();
	return p;
}

static char *
tohex(const unsigned char *p, size_t n)
{
	char	*s = xmalloc(2 * n + 1);

	cry_hex(p, n, s);
	return s;
}

static void
test_sha256(void)
{
	char	 out[65];
	char	 million[1001];

	cry_sha256_hex("abc", 3, out);
	is_str(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "sha256 abc");
	cry_sha256_hex("", 0, out);
	is_str(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "sha256 empty");
	cry_sha256_hex(NULL, 0, out);
	is_str(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "sha256 NULL, 0");
	cry_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, out);
	is_str(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	    "sha256 448-bit message");
	memset(million, 'a', 1000);
	million[1000] = '\0';
	cry_sha256_hex(million, 1000, out);
	ok(strlen(out) == 64 && strspn(out, "0123456789abcdef") == 64,
	    "sha256 hex is 64 lowercase hex digits");
}

static void
test_hmac(void)
{
	/* RFC 4231 section 4, HMAC-SHA-256 */
	static const struct {
		const char	*key, *data, *mac;
		size_t		 maclen;
	} v[] = {
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "4869205468657265",
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 32 },
	{ "4a656665",
	  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32 },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	  "dddddddddddddddddddddddddddddddddddd",
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", 32 },
	{ "0102030405060708090a0b0c0d0e0f10111213141516171819",
	  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
	  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
	  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", 32 },
	{ "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c",
	  "546573742057697468205472756e636174696f6e",
	  "a3b6167473100ee06e0c796c2955552b", 16 },	/* truncated to 128 bits */
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaa",
	  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	  "65204b6579202d2048617368204b6579204669727374",
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 32 },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaa",
	  "5468697320697320612074657374207573696e672061206c6172676572207468"
	  "616e20626c6f636b2d73697a65206b657920616e642061206c61726765722074"
	  "68616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565"
	  "647320746f20626520686173686564206265666f7265206265696e6720757365"
	  "642062792074686520484d414320616c676f726974686d2e",
	  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", 32 },
	};
	unsigned char	*key, *data, mac[32];
	char		*hex, name[64];
	size_t		 i, kl, dl;

	for (i = 0; i < OCH_NELEM(v); i++) {
		key = unhex(v[i].key, &kl);
		data = unhex(v[i].data, &dl);
		cry_hmac_sha256(key, kl, data, dl, mac);
		hex = tohex(mac, v[i].maclen);
		snprintf(name, sizeof(name), "RFC 4231 test case %zu", i + 1);
		is_str(hex, v[i].mac, name);
		free(hex);
		free(key);
		free(data);
	}
}

static void
test_hex_compare(void)
{
	unsigned char	 b[4];
	char		*t1, *t2;

	ok(cry_unhex("00ff7A", b, 3) == 0 && b[0] == 0 && b[1] == 0xff &&
	    b[2] == 0x7a, "unhex accepts both cases");
	ok(cry_unhex("00ff7", b, 3) == -1, "unhex refuses a short string");
	ok(cry_unhex("00ff7a00", b, 3) == -1, "unhex refuses a long string");
	ok(cry_unhex("00fg7a", b, 3) == -1, "unhex refuses a non-hex digit");
	ok(cry_unhex(" 0ff7a", b, 3) == -1, "unhex refuses a space");
	ok(cry_unhex(NULL, b, 3) == -1, "unhex refuses NULL");
	ok(cry_unhex("", b, 0) == 0, "unhex of nothing");

	ok(cry_equal("abcd", "abcd", 4), "equal: same bytes");
	ok(!cry_equal("abcd", "abce", 4), "equal: last byte differs");
	ok(!cry_equal("xbcd", "abcd", 4), "equal: first byte differs");
	ok(cry_streq("secret", "secret"), "streq: equal");
	ok(!cry_streq("secret", "secreT"), "streq: differs");
	ok(!cry_streq("secret", "secret2"), "streq: prefix is not equal");
	ok(!cry_streq("", "x"), "streq: empty vs one char");
	ok(cry_streq("", ""), "streq: both empty");
	ok(!cry_streq(NULL, ""), "streq: NULL never equal");

	t1 = cry_token(32);
	t2 = cry_token(32);
	ok(t1 != NULL && strlen(t1) == 64 &&
	    strspn(t1, "0123456789abcdef") == 64, "token: 64 lowercase hex");
	ok(t1 != NULL && t2 != NULL && strcmp(t1, t2) != 0,
	    "token: two tokens differ");
	free(t1);
	free(t2);
	t1 = cry_token(0);
	is_str(t1, "", "token of 0 bytes is empty");
	free(t1);
	ok(cry_random(b, sizeof(b)) == 0, "random fills a buffer");
}

static void
test_gcm(void)
{
	/*
	 * AES-256 cases 13, 14 and 16 of McGrew & Viega, "The Galois/Counter
	 * Mode of Operation (GCM)", appendix B, and one NIST CAVP GCMVS
	 * encryption vector (gcmEncryptExtIV256, 96-bit IV, 160-bit AAD).
	 */
	static const struct {
		const char	*name, *key, *iv, *ad, *pt, *ct, *tag;
	} v[] = {
	{ "GCM spec test case 13",
	  "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "", "", "",
	  "530f8afbc74536b9a963b4f1c4cb738b" },
	{ "GCM spec test case 14",
	  "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "",
	  "00000000000000000000000000000000",
	  "cea7403d4d606b6e074ec5d3baf39d18",
	  "d0d1c8a799996bf0265b98b5d48ab919" },
	{ "GCM spec test case 16",
	  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888",
	  "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
	{ "NIST CAVP GCM AES-256 vector",
	  "83688deb4af8007f9b713b47cfa6c73e35ea7a3aa4ecdb414dded03bf7a0fd3a",
	  "0b459724904e010a46901cf3",
	  "794a14ccd178c8ebfd1379dc704c5e208f9d8424",
	  "33d893a2114ce06fc15d55e454cf90c3",
	  "cc66bee423e3fcd4c0865715e9586696",
	  "0fb291bd3dba94a1dfd8b286cfb97ac5" },
	};
	unsigned char	*key, *iv, *ad, *pt, *ct, tag[16];
	char		*hex, name[96];
	size_t		 i, kl, il, al, pl;

	for (i = 0; i < OCH_NELEM(v); i++) {
		key = unhex(v[i].key, &kl);
		iv = unhex(v[i].iv, &il);
		ad = unhex(v[i].ad, &al);
		pt = unhex(v[i].pt, &pl);
		ct = xmalloc(pl + 1);
		ok(kl == 32 && cry_gcm_raw(key, iv, il, ad, al, pt, pl, ct,
		    tag) == 0, v[i].name);
		hex = tohex(ct, pl);
		snprintf(name, sizeof(name), "%s: ciphertext", v[i].name);
		is_str(hex, v[i].ct, name);
		free(hex);
		hex = tohex(tag, 16);
		snprintf(name, sizeof(name), "%s: tag", v[i].name);
		is_str(hex, v[i].tag, name);
		free(hex);
		free(key);
		free(iv);
		free(ad);
		free(pt);
		free(ct);
	}
}

#define KEY_A	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY_B	"F0E1D2C3B4A5968778695A4B3C2D1E0F00112233445566778899AABBCCDDEEFF"

static void
test_seal(void)
{
	struct cry_keyring	*a, *b, *c;
	const char		*msg = "sk-ant-api03-very-secret";
	const char		*ad = "api_clients:ak_0123456789abcdef";
	unsigned char		*ct, *cp;
	char			*pt, *bt;
	size_t			 ctlen, ptlen, i, bad;

	a = cry_keyring_new_raw(KEY_A, 1, NULL);
	ok(a != NULL && cry_keyring_version(a) == 1, "key ring from raw key");
	ct = cry_seal(a, ad, msg, strlen(msg), &ctlen);
	ok(ct != NULL && ctlen == strlen(msg) + CRY_OVERHEAD && ct[0] == 1,
	    "seal: version byte and length");
	pt = cry_open(a, ad, ct, ctlen, &ptlen);
	is_str(pt, msg, "open: round trip");
	ok(ptlen == strlen(msg), "open: length");
	free(pt);

	ok(cry_open(a, "api_clients:ak_0123456789abcdee", ct, ctlen,
	    NULL) == NULL, "open: other row's AD fails");
	ok(cry_open(a, NULL, ct, ctlen, NULL) == NULL, "open: empty AD fails");

	/* every single flipped bit, anywhere, must be detected */
	cp = xmalloc(ctlen);
	bad = 0;
	for (i = 0; i < ctlen * 8; i++) {
		memcpy(cp, ct, ctlen);
		cp[i / 8] ^= (unsigned char)(1u << (i % 8));
		if ((pt = cry_open(a, ad, cp, ctlen, NULL)) != NULL) {
			bad++;
			free(pt);
		}
	}
	is_int(bad, 0, "open: each flipped bit fails");
	bad = 0;
	for (i = 0; i < ctlen; i++)
		if ((pt = cry_open(a, ad, ct, i, NULL)) != NULL) {
			bad++;
			free(pt);
		}
	is_int(bad, 0, "open: every truncation fails");
	memcpy(cp, ct, ctlen);
	cp[0] = 7;
	ok(cry_open(a, ad, cp, ctlen, NULL) == NULL,
	    "open: unknown key version fails");
	free(cp);

	/* two seals of the same value differ (fresh nonce) */
	cp = cry_seal(a, ad, msg, strlen(msg), &i);
	ok(cp != NULL && i == ctlen && memcmp(cp, ct, ctlen) != 0,
	    "seal: same value, different ciphertext");
	free(cp);

	/* rotation: version 2 with key B, key A readable as version 1 */
	b = cry_keyring_new_raw(KEY_B, 2, KEY_A);
	ok(b != NULL, "key ring with a previous key");
	pt = cry_open(b, ad, ct, ctlen, NULL);
	is_str(pt, msg, "open: previous key still opens old values");
	free(pt);
	free(ct);
	ct = cry_seal(b, ad, msg, strlen(msg), &ctlen);
	ok(ct != NULL && ct[0] == 2, "seal: new values use the new version");
	ok(cry_open(a, ad, ct, ctlen, NULL) == NULL,
	    "open: old ring cannot open the new version");
	/* relabelling a v2 value as v1 fails: the version byte is in the AD */
	ct[0] = 1;
	ok(cry_open(b, ad, ct, ctlen, NULL) == NULL,
	    "open: relabelled version fails");
	free(ct);
	c = cry_keyring_new_raw(KEY_B, 2, NULL);
	ct = cry_seal(a, ad, msg, strlen(msg), &ctlen);
	ok(cry_open(c, ad, ct, ctlen, NULL) == NULL,
	    "open: version 1 without a previous key fails");
	free(ct);

	/* empty plaintext */
	ct = cry_seal(a, ad, "", 0, &ctlen);
	pt = cry_open(a, ad, ct, ctlen, &ptlen);
	ok(ct != NULL && ctlen == CRY_OVERHEAD && pt != NULL && ptlen == 0 &&
	    *pt == '\0', "seal/open: empty value");
	free(pt);
	free(ct);

	/* bytea text form */
	bt = cry_seal_bytea(a, ad, msg, strlen(msg));
	ok(bt != NULL && strncmp(bt, "\\x", 2) == 0 &&
	    strlen(bt) == 2 + 2 * (strlen(msg) + CRY_OVERHEAD),
	    "seal_bytea: \\x and hex");
	pt = cry_open_bytea(a, ad, bt, &ptlen);
	is_str(pt, msg, "open_bytea: round trip");
	free(pt);
	ok(cry_open_bytea(a, "instance_secrets:1", bt, NULL) == NULL,
	    "open_bytea: wrong AD fails");
	bt[strlen(bt) - 1] = bt[strlen(bt) - 1] == '0' ? '1' : '0';
	ok(cry_open_bytea(a, ad, bt, NULL) == NULL,
	    "open_bytea: changed last digit fails");
	bt[strlen(bt) - 1] = '\0';
	ok(cry_open_bytea(a, ad, bt, NULL) == NULL,
	    "open_bytea: odd length fails");
	ok(cry_open_bytea(a, ad, bt + 2, NULL) == NULL,
	    "open_bytea: no \\x prefix fails");
	ok(cry_open_bytea(a, ad, "\\x", NULL) == NULL,
	    "open_bytea: empty fails");
	ok(cry_open_bytea(a, ad, "\\xzz0102030405060708090a0b0c0d0e0f101112"
	    "131415161718191a1b1c1d", NULL) == NULL,
	    "open_bytea: non-hex fails");
	ok(cry_open_bytea(a, ad, NULL, NULL) == NULL, "open_bytea: NULL fails");
	free(bt);
	ok(cry_seal(NULL, ad, msg, 1, &ctlen) == NULL, "seal: no ring");

	cry_keyring_free(a);
	cry_keyring_free(b);
	cry_keyring_free(c);
	cry_keyring_free(NULL);
}

static void
test_keyring(void)
{
	struct cfg		 cf;
	struct cry_keyring	*k;
	unsigned char		*ct;
	char			*pt;
	size_t			 n;

	ok(cry_keyring_new_raw(NULL, 1, NULL) == NULL, "ring: no key");
	ok(cry_keyring_new_raw("abcd", 1, NULL) == NULL, "ring: short key");
	ok(cry_keyring_new_raw(KEY_A "00", 1, NULL) == NULL, "ring: long key");
	ok(cry_keyring_new_raw(KEY_A, 0, NULL) == NULL, "ring: version 0");
	ok(cry_keyring_new_raw(KEY_A, 256, NULL) == NULL, "ring: version 256");
	ok(cry_keyring_new_raw(KEY_A, 1, KEY_B) == NULL,
	    "ring: previous key needs version >= 2");
	ok(cry_keyring_new_raw(KEY_A, 2, "xyz") == NULL,
	    "ring: bad previous key");

	memset(&cf, 0, sizeof(cf));
	ok(cry_keyring_new(&cf) == NULL, "ring from config: key unset");
	cf.val[CFG_OCH_MASTER_KEY] = xstrdup(KEY_B);
	cf.val[CFG_OCH_MASTER_KEY_VERSION] = xstrdup("3");
	cf.val[CFG_OCH_MASTER_KEY_PREV] = xstrdup(KEY_A);
	k = cry_keyring_new(&cf);
	ok(k != NULL && cry_keyring_version(k) == 3,
	    "ring from config: version 3");
	ct = cry_seal(k, "x", "v", 1, &n);
	ct[0] = 2;	/* would be the previous key; AD binds the version */
	ok(cry_open(k, "x", ct, n, NULL) == NULL,
	    "ring from config: relabel to previous version fails");
	free(ct);
	{
		struct cry_keyring	*old = cry_keyring_new_raw(KEY_A, 2,
					    NULL);

		ct = cry_seal(old, "x", "v", 1, &n);
		pt = cry_open(k, "x", ct, n, NULL);
		is_str(pt, "v", "ring from config: previous is version 2");
		free(pt);
		free(ct);
		cry_keyring_free(old);
	}
	cry_keyring_free(k);
	cfg_free(&cf);
}

int
main(void)
{
	test_sha256();
	test_hmac();
	test_hex_compare();
	test_gcm();
	test_seal();
	test_keyring();
	return done_testing();
}
