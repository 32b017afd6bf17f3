/*
 * cry.h: cryptography on top of OpenSSL 3: random bytes and tokens,
 * SHA-256 and HMAC-SHA256, hex, constant-time comparison, and the
 * master-key ring that seals stored secrets with AES-256-GCM.
 *
 * Sealed format:
 *   version(1) | nonce(12) | ciphertext | tag(16)
 * The associated data is the version byte followed by the row identity
 * (e.g. "api_clients:ak_0123..."), so a value copied to another row, or
 * relabelled with another key version, does not open.
 */
#ifndef OCH_CRY_H
#define OCH_CRY_H

#include <stddef.h>

#include "cfg.h"

#define CRY_KEYLEN	32	/* AES-256 key, bytes */
#define CRY_NONCELEN	12	/* GCM nonce, bytes */
#define CRY_TAGLEN	16	/* GCM tag, bytes */
#define CRY_OVERHEAD	(1 + CRY_NONCELEN + CRY_TAGLEN)

/* Fill buf with n random bytes.  Returns 0, or -1 if the RNG failed. */
int		 cry_random(void *buf, size_t n);
/*
 * A new token: lowercase hex of nbytes random bytes (2*nbytes chars).
 * Returns a string the caller frees (xfree_secret), or NULL if the RNG
 * failed.
 */
char		*cry_token(size_t nbytes);

/* Lowercase hex SHA-256 of n bytes, NUL-terminated. */
void		 cry_sha256_hex(const void *p, size_t n, char out[65]);
void		 cry_hmac_sha256(const void *key, size_t klen,
		    const void *p, size_t n, unsigned char out[32]);

/* Lowercase hex of n bytes into out, which holds 2n+1 chars. */
void		 cry_hex(const unsigned char *p, size_t n, char *out);
/*
 * Decode hex (either case) into out.  Returns 0 iff hex is exactly
 * 2*outlen hex digits, else -1 (out is then undefined).
 */
int		 cry_unhex(const char *hex, unsigned char *out,
		    size_t outlen);

/* 1 if the n bytes are equal, else 0; time independent of the content. */
int		 cry_equal(const void *a, const void *b, size_t n);
/*
 * 1 if the strings are equal, else 0 (NULL is never equal).  The time
 * depends on the lengths only, never on the content.
 */
int		 cry_streq(const char *a, const char *b);

/* The master keys: current key and version, optional previous key. */
struct cry_keyring;

/*
 * Build the key ring from OCH_MASTER_KEY (64 hex digits),
 * OCH_MASTER_KEY_VERSION (1..255, default 1) and the optional
 * OCH_MASTER_KEY_PREV (readable as version-1, for rotation).  Returns the
 * ring (free with cry_keyring_free), or NULL after one line on stderr if
 * a value is missing or bad.
 */
struct cry_keyring *cry_keyring_new(const struct cfg *);
/* The same from raw values (prev may be NULL); for tools and tests. */
struct cry_keyring *cry_keyring_new_raw(const char *hexkey, int version,
		    const char *hexprev);
/* Wipe the keys and free the ring; NULL is fine. */
void		 cry_keyring_free(struct cry_keyring *);
/* The version new seals are made with. */
int		 cry_keyring_version(const struct cry_keyring *);

/*
 * Seal ptlen bytes under the current key with ad (the row identity; NULL
 * means "").  Returns the sealed bytes (ptlen + CRY_OVERHEAD of them, in
 * *outlen) for the caller to free, or NULL if the RNG or cipher failed
 * (logged).
 */
unsigned char	*cry_seal(const struct cry_keyring *, const char *ad,
		    const void *pt, size_t ptlen, size_t *outlen);
/*
 * Open a sealed value.  Returns the plaintext, NUL-terminated, with its
 * length in *ptlen (ptlen may be NULL); the caller frees it, with
 * xfree_secret() when it is text.  Returns NULL when the value is too
 * short, names an unknown key version, was tampered with, or was sealed
 * with other associated data.
 */
char		*cry_open(const struct cry_keyring *, const char *ad,
		    const unsigned char *ct, size_t ctlen, size_t *ptlen);
/*
 * The same in PostgreSQL's bytea text form ("\x0102..."), as libpq text
 * parameters take it and text results return it.  cry_seal_bytea()
 * returns a string to free or NULL as cry_seal(); cry_open_bytea()
 * returns as cry_open(), and NULL for a malformed string as well.
 */
char		*cry_seal_bytea(const struct cry_keyring *, const char *ad,
		    const void *pt, size_t ptlen);
char		*cry_open_bytea(const struct cry_keyring *, const char *ad,
		    const char *bytea_text, size_t *ptlen);

/*
 * For the known-answer tests only: raw AES-256-GCM encryption with a
 * given IV (ivlen bytes) and associated data; ct receives ptlen bytes,
 * tag 16.  Returns 0, or -1 if the cipher failed.
 */
int		 cry_gcm_raw(const unsigned char key[CRY_KEYLEN],
		    const unsigned char *iv, size_t ivlen, const void *ad,
		    size_t adlen, const void *pt, size_t ptlen,
		    unsigned char *ct, unsigned char tag[CRY_TAGLEN]);

#endif
