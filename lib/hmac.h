/*
 * hmac.h: request signing between the WHMCS module and the API
 * (docs/api.md, Authentication).  The signature is
 *   hex(HMAC-SHA256(secret, canonical))
 *   canonical = METHOD "\n" PATH_AND_QUERY "\n" TIMESTAMP "\n" NONCE "\n"
 *               hex(SHA256(body))
 * with lowercase hex and the request target exactly as sent.  The pure
 * checks auth_check() applies to the X-OCH-* headers live here too, so
 * they can be tested without a server.  t/vectors/hmac.json holds the
 * vectors the PHP client is tested against as well.
 */
#ifndef OCH_HMAC_H
#define OCH_HMAC_H

#include <stddef.h>
#include <time.h>

/*
 * The canonical string of a request; body may be NULL when bodylen is 0.
 * Returns a string the caller frees (never NULL).
 */
char	*hmac_canonical(const char *method, const char *target,
	    const char *timestamp, const char *nonce, const void *body,
	    size_t bodylen);
/* Lowercase hex HMAC-SHA256 of canonical under secret (as bytes). */
void	 hmac_sign_hex(const char *secret, const char *canonical,
	    char out[65]);
/*
 * 1 if sig (64 lowercase hex) is the signature of canonical under secret,
 * else 0.  Constant time in the content of sig.
 */
int	 hmac_verify_hex(const char *secret, const char *canonical,
	    const char *sig);

/* Header format checks: 1 valid, 0 invalid (NULL is invalid). */
/* X-OCH-Key: ^ak_[0-9a-f]{16,64}$ */
int	 hmac_valid_key(const char *);
/* X-OCH-Nonce: lowercase hex, 32..128 chars (16..64 bytes) */
int	 hmac_valid_nonce(const char *);
/* X-OCH-Signature: 64 lowercase hex */
int	 hmac_valid_sig(const char *);
/*
 * X-OCH-Timestamp: 1 if ts is strict decimal unix seconds within
 * window seconds of now (either side), else 0.
 */
int	 hmac_fresh(const char *ts, time_t now, long window);

#endif
