/*
 * session: the customer's cookie session as auth_check() reads it: the
 * AUTH_COOKIE_SESSION value out of a Cookie header (auth_cookie), then the JWT
 * check (tok_verify: HS256 only, signature, exp, sub, sid).  The corpus
 * holds tokens signed with the secret below, so mutations reach the
 * claims and not only the signature check.
 */
#include "auth.h"
#include "fuzz.h"
#include "tok.h"

#define SECRET	"fuzz-jwt-secret-0123456789abcdef0123456789abcdef"

static void
verify(const char *token)
{
	char	*sub = NULL, *sid = NULL;

	if (tok_verify(SECRET, token, &sub, &sid) == OCH_OK) {
		FZ_ASSERT(sub != NULL && *sub != '\0');
		FZ_ASSERT(sid != NULL && *sid != '\0');
	} else
		FZ_ASSERT(sub == NULL && sid == NULL);
	free(sub);
	free(sid);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char	*hdr = fz_str(d, n), out[2048];

	if (auth_cookie(hdr, AUTH_COOKIE_SESSION, out, sizeof(out)) == 0) {
		FZ_ASSERT(*out != '\0' && strlen(out) < sizeof(out));
		verify(out);
	}
	/* a bare token too: an attacker need not wrap it in a cookie */
	verify(hdr);
	free(hdr);
	return 0;
}
