/*
 * hmac.c: canonical strings, signatures and header checks for HMAC
 * request signing (see hmac.h).
 */
#include <stdint.h>
#include <string.h>

#include "cry.h"
#include "hmac.h"
#include "och.h"
#include "valid.h"

char *
hmac_canonical(const char *method, const char *target, const char *timestamp,
    const char *nonce, const void *body, size_t bodylen)
{
	char	 bodyhash[65];

	cry_sha256_hex(bodylen > 0 ? body : "", bodylen, bodyhash);
	return xasprintf("%s\n%s\n%s\n%s\n%s", method ? method : "",
	    target ? target : "", timestamp ? timestamp : "",
	    nonce ? nonce : "", bodyhash);
}

void
hmac_sign_hex(const char *secret, const char *canonical, char out[65])
{
	unsigned char	 mac[32];

	cry_hmac_sha256(secret, strlen(secret), canonical, strlen(canonical),
	    mac);
	cry_hex(mac, sizeof(mac), out);
}

int
hmac_verify_hex(const char *secret, const char *canonical, const char *sig)
{
	char	 want[65];
	int	 eq;

	if (secret == NULL || canonical == NULL || !hmac_valid_sig(sig))
		return 0;
	hmac_sign_hex(secret, canonical, want);
	eq = cry_equal(want, sig, 64);
	memset(want, 0, sizeof(want));
	return eq;
}

int
hmac_valid_key(const char *s)
{
	size_t	 i;

	if (s == NULL || strncmp(s, "ak_", 3) != 0)
		return 0;
	for (i = 3; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')) || i > 3 + 64)
			return 0;
	return i >= 3 + 16 && i <= 3 + 64;
}

int
hmac_valid_nonce(const char *s)
{
	return valid_hex(s, 32, 128);
}

int
hmac_valid_sig(const char *s)
{
	return valid_hex(s, 64, 64);
}

int
hmac_fresh(const char *ts, time_t now, long window)
{
	int64_t	 t;

	if (window < 0 || !valid_int64(ts, 0, INT64_MAX, &t))
		return 0;
	if (t > (int64_t)now)
		return t - (int64_t)now <= window;
	return (int64_t)now - t <= window;
}
