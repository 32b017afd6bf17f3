/*
 * hmac: the WHMCS module's signed request headers as auth_check() takes
 * them.  The input is newline-separated fields: key, timestamp, nonce,
 * signature, method, target, then the body (the rest).  Each header goes
 * through its format check; the canonical string is built and the
 * signature verified, as for a request that passed the checks.
 */
#include "fuzz.h"
#include "hmac.h"

#define SECRET	"fuzz-hmac-secret-0123456789abcdef"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char	*s = fz_str(d, n), *f[6] = { 0 }, *p = s, *nl, *canon;
	char	 sig[65];
	size_t	 bodylen;
	int	 i;

	for (i = 0; i < 6; i++) {
		f[i] = p;
		if ((nl = memchr(p, '\n', n - (size_t)(p - s))) == NULL) {
			p = s + n;
			for (i++; i < 6; i++)
				f[i] = s + n;
			break;
		}
		*nl = '\0';
		p = nl + 1;
	}
	bodylen = n - (size_t)(p - s);
	(void)hmac_valid_key(f[0]);
	(void)hmac_fresh(f[1], 1767225600, 300);
	(void)hmac_valid_nonce(f[2]);
	if (!hmac_valid_sig(f[3]))
		goto out;
	canon = hmac_canonical(f[4], f[5], f[1], f[2], p, bodylen);
	FZ_ASSERT(canon != NULL);
	(void)hmac_verify_hex(SECRET, canon, f[3]);
	/* what we sign ourselves must verify */
	hmac_sign_hex(SECRET, canon, sig);
	FZ_ASSERT(hmac_valid_sig(sig) && hmac_verify_hex(SECRET, canon, sig));
	free(canon);
out:
	free(s);
	return 0;
}
