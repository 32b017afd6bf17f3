/*
 * tok.h: session tokens, JWTs signed with HS256 (libjwt 1.x).  The
 * algorithm is pinned here, never taken from the token: a token whose
 * header names anything but HS256 is refused, and the signature is
 * checked in constant time, by our own code (libjwt 1.x compared
 * signatures with strcmp, CVE-2024-25189, and its decode would compute
 * the HMAC a second time); libjwt issues tokens.
 */
#ifndef OCH_TOK_H
#define OCH_TOK_H

#include "och.h"

/* Longest token tok_verify() looks at. */
#define TOK_MAXLEN	4096

/*
 * A new HS256 JWT with the claims sub, sid, iat (now) and exp (now +
 * ttl_s).  Returns a string the caller frees, or NULL if an argument is
 * missing or empty, ttl_s is not positive, or libjwt failed.
 */
char		*tok_issue(const char *secret, const char *sub,
		    const char *sid, long ttl_s);
/*
 * Verify token under secret: HS256 only, a valid signature, exp present,
 * an integer and in the future, sub and sid non-empty strings.  Returns
 * OCH_OK with *sub and *sid set to strings the caller frees, or
 * OCH_EAUTH (nothing set) for anything else, without saying why.
 */
enum och_err	 tok_verify(const char *secret, const char *token,
		    char **sub, char **sid);

#endif
