/*
 * cry.c: random bytes, hashes, MACs, constant-time comparison and sealed
 * secrets (AES-256-GCM under a versioned master key), see cry.h.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "cry.h"
#include "log.h"

struct cry_keyring {
	unsigned char	 cur[CRY_KEYLEN];
	unsigned char	 prev[CRY_KEYLEN];
	int		 ver;		/* version of cur, 1..255 */
	int		 prevver;	/* version of prev, 0 if none */
};

int
cry_random(void *buf, size_t n)
{
	unsigned char	*p = buf;
	int		 chunk;

	while (n > 0) {
		chunk = n > INT_MAX ? INT_MAX : (int)n;
		if (RAND_bytes(p, chunk) != 1) {
			log_error("random generator failed");
			return -1;
		}
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

char *
cry_token(size_t nbytes)
{
	unsigned char	*raw;
	char		*hex;

	raw = xmalloc(nbytes);
	if (cry_random(raw, nbytes) == -1) {
		free(raw);
		return NULL;
	}
	hex = xmalloc(2 * nbytes + 1);
	cry_hex(raw, nbytes, hex);
	OPENSSL_cleanse(raw, nbytes);
	free(raw);
	return hex;
}

static void
cry_sha256(const void *p, size_t n, unsigned char out[32])
{
	static const unsigned char	 empty[1];

	/* Only fails when OpenSSL cannot allocate: treat it so. */
	if (SHA256(p != NULL ? p : empty, n, out) == NULL) {
		log_error("sha256 failed");
		exit(1);
	}
}

void
cry_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char	 md[32];

	cry_sha256(p, n, md);
	cry_hex(md, sizeof(md), out);
}

void
cry_hmac_sha256(const void *key, size_t klen, const void *p, size_t n,
    unsigned char out[32])
{
	static const unsigned char	 empty[1];
	unsigned int			 len = 32;

	if (klen > INT_MAX) {
		/* HMAC hashes long keys first (RFC 2104); so do we. */
		unsigned char	 kh[32];

		cry_sha256(key, klen, kh);
		cry_hmac_sha256(kh, sizeof(kh), p, n, out);
		OPENSSL_cleanse(kh, sizeof(kh));
		return;
	}
	if (HMAC(EVP_sha256(), key != NULL ? key : empty, (int)klen,
	    p != NULL ? p : empty, n, out, &len) == NULL || len != 32) {
		log_error("hmac-sha256 failed");
		exit(1);
	}
}

void
cry_hex(const unsigned char *p, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

int
cry_unhex(const char *hex, unsigned char *out, size_t outlen)
{
	size_t	 i;
	int	 hi, lo;

	if (hex == NULL)
		return -1;
	for (i = 0; i < outlen; i++) {
		/* a NUL stops here: it is no hex digit (-1) */
		if ((hi = OPENSSL_hexchar2int((unsigned char)hex[2 * i])) < 0 ||
		    (lo = OPENSSL_hexchar2int(
		    (unsigned char)hex[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return hex[2 * outlen] == '\0' ? 0 : -1;
}

int
cry_equal(const void *a, const void *b, size_t n)
{
	if (a == NULL || b == NULL)
		return 0;
	return CRYPTO_memcmp(a, b, n) == 0;
}

int
cry_streq(const char *a, const char *b)
{
	size_t	 la, lb;

	if (a == NULL || b == NULL)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb) {
		/* same work as a match of that length, then no */
		(void)CRYPTO_memcmp(a, a, la);
		return 0;
	}
	return CRYPTO_memcmp(a, b, la) == 0;
}

/*
 * Key ring.
 */

struct cry_keyring *
cry_keyring_new_raw(const char *hexkey, int version, const char *hexprev)
{
	struct cry_keyring	*k;

	if (hexkey == NULL) {
		fprintf(stderr, "config: 'OCH_MASTER_KEY' is not set\n");
		return NULL;
	}
	if (version < 1 || version > 255) {
		fprintf(stderr, "config: 'OCH_MASTER_KEY_VERSION' must be "
		    "1..255\n");
		return NULL;
	}
	k = xcalloc(1, sizeof(*k));
	k->ver = version;
	if (cry_unhex(hexkey, k->cur, sizeof(k->cur)) == -1) {
		fprintf(stderr, "config: 'OCH_MASTER_KEY' must be 64 hex "
		    "digits (32 bytes)\n");
		goto err;
	}
	if (hexprev != NULL && *hexprev != '\0') {
		if (version < 2) {
			fprintf(stderr, "config: 'OCH_MASTER_KEY_PREV' needs "
			    "'OCH_MASTER_KEY_VERSION' of 2 or more\n");
			goto err;
		}
		if (cry_unhex(hexprev, k->prev, sizeof(k->prev)) == -1) {
			fprintf(stderr, "config: 'OCH_MASTER_KEY_PREV' must "
			    "be 64 hex digits (32 bytes)\n");
			goto err;
		}
		k->prevver = version - 1;
	}
	return k;
err:
	cry_keyring_free(k);
	return NULL;
}

struct cry_keyring *
cry_keyring_new(const struct cfg *c)
{
	return cry_keyring_new_raw(cfg_get(c, CFG_OCH_MASTER_KEY),
	    (int)cfg_int(c, CFG_OCH_MASTER_KEY_VERSION, 1),
	    cfg_get(c, CFG_OCH_MASTER_KEY_PREV));
}

void
cry_keyring_free(struct cry_keyring *k)
{
	if (k == NULL)
		return;
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

int
cry_keyring_version(const struct cry_keyring *k)
{
	return k->ver;
}

/*
 * AES-256-GCM.  The associated data is given in two parts (the version
 * byte and the row identity) so no copy is needed.  Returns 0 or -1.
 */
static int
gcm(int enc, const unsigned char *key, const unsigned char *iv,
    size_t ivlen, const void *ad1, size_t ad1len, const void *ad2,
    size_t ad2len, const unsigned char *in, size_t len, unsigned char *out,
    unsigned char *tag)
{
	EVP_CIPHER_CTX	*ctx;
	int		 n, rc = -1;

	if (len > INT_MAX - 64 || ad1len > INT_MAX || ad2len > INT_MAX ||
	    ivlen == 0 || ivlen > INT_MAX)
		return -1;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL,
	    enc) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)ivlen,
	    NULL) != 1)
		goto out;
	if (EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc) != 1)
		goto out;
	if (ad1len > 0 &&
	    EVP_CipherUpdate(ctx, NULL, &n, ad1, (int)ad1len) != 1)
		goto out;
	if (ad2len > 0 &&
	    EVP_CipherUpdate(ctx, NULL, &n, ad2, (int)ad2len) != 1)
		goto out;
	if (len > 0 && (EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1 ||
	    (size_t)n != len))
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CRY_TAGLEN,
	    tag) != 1)
		goto out;
	/* GCM writes nothing here; the final call checks the tag */
	if (EVP_CipherFinal_ex(ctx, out + len, &n) != 1)
		goto out;
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRY_TAGLEN,
	    tag) != 1)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
cry_gcm_raw(const unsigned char key[CRY_KEYLEN], const unsigned char *iv,
    size_t ivlen, const void *ad, size_t adlen, const void *pt, size_t ptlen,
    unsigned char *ct, unsigned char tag[CRY_TAGLEN])
{
	unsigned char	 dummy[1];

	return gcm(1, key, iv, ivlen, ad, adlen, NULL, 0, pt, ptlen,
	    ptlen > 0 ? ct : dummy, tag);
}

unsigned char *
cry_seal(const struct cry_keyring *k, const char *ad, const void *pt,
    size_t ptlen, size_t *outlen)
{
	unsigned char	*out, ver;

	if (k == NULL || ptlen > (size_t)INT_MAX - 64) {
		log_error("cannot seal: no master key or value too large");
		return NULL;
	}
	if (ad == NULL)
		ad = "";
	out = xmalloc(ptlen + CRY_OVERHEAD);
	ver = (unsigned char)k->ver;
	out[0] = ver;
	if (cry_random(out + 1, CRY_NONCELEN) == -1)
		goto err;
	if (gcm(1, k->cur, out + 1, CRY_NONCELEN, &ver, 1, ad, strlen(ad),
	    pt, ptlen, out + 1 + CRY_NONCELEN,
	    out + 1 + CRY_NONCELEN + ptlen) == -1) {
		log_error("cannot seal: cipher failed");
		goto err;
	}
	if (outlen != NULL)
		*outlen = ptlen + CRY_OVERHEAD;
	return out;
err:
	free(out);
	return NULL;
}

char *
cry_open(const struct cry_keyring *k, const char *ad, const unsigned char *ct,
    size_t ctlen, size_t *ptlen)
{
	const unsigned char	*key;
	unsigned char		 tag[CRY_TAGLEN];
	char			*out;
	size_t			 len;

	if (k == NULL || ct == NULL || ctlen < CRY_OVERHEAD)
		return NULL;
	if (ad == NULL)
		ad = "";
	if (ct[0] == k->ver)
		key = k->cur;
	else if (k->prevver != 0 && ct[0] == k->prevver)
		key = k->prev;
	else
		return NULL;
	len = ctlen - CRY_OVERHEAD;
	memcpy(tag, ct + 1 + CRY_NONCELEN + len, CRY_TAGLEN);
	out = xmalloc(len + 1);
	if (gcm(0, key, ct + 1, CRY_NONCELEN, ct, 1, ad, strlen(ad),
	    ct + 1 + CRY_NONCELEN, len, (unsigned char *)out, tag) == -1) {
		OPENSSL_cleanse(out, len + 1);
		free(out);
		return NULL;
	}
	out[len] = '\0';
	if (ptlen != NULL)
		*ptlen = len;
	return out;
}

char *
cry_seal_bytea(const struct cry_keyring *k, const char *ad, const void *pt,
    size_t ptlen)
{
	unsigned char	*ct;
	char		*txt;
	size_t		 len;

	if ((ct = cry_seal(k, ad, pt, ptlen, &len)) == NULL)
		return NULL;
	txt = xmalloc(2 + 2 * len + 1);
	txt[0] = '\\';
	txt[1] = 'x';
	cry_hex(ct, len, txt + 2);
	free(ct);
	return txt;
}

char *
cry_open_bytea(const struct cry_keyring *k, const char *ad,
    const char *bytea_text, size_t *ptlen)
{
	unsigned char	*ct;
	char		*pt;
	size_t		 hexlen;

	if (bytea_text == NULL || bytea_text[0] != '\\' ||
	    bytea_text[1] != 'x')
		return NULL;
	hexlen = strlen(bytea_text + 2);
	if (hexlen % 2 != 0 || hexlen / 2 < CRY_OVERHEAD)
		return NULL;
	ct = xmalloc(hexlen / 2);
	if (cry_unhex(bytea_text + 2, ct, hexlen / 2) == -1) {
		free(ct);
		return NULL;
	}
	pt = cry_open(k, ad, ct, hexlen / 2, ptlen);
	free(ct);
	return pt;
}
