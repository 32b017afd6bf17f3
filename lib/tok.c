/*
 * tok.c: HS256 JWTs on libjwt 1.x (see tok.h).  Verification is done in
 * layers, each of which alone refuses a forged token: our own parse of
 * the header (alg must be exactly "HS256"), our own constant-time check
 * of the signature (the only HMAC computed: libjwt's decode would compute
 * it again, so the claims, under a signature already checked, are read
 * with cJSON like the header).  libjwt issues the tokens.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <jwt.h>
#include <openssl/crypto.h>

#include "cry.h"
#include "log.h"
#include "tok.h"

static const char	 b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url without padding of n bytes; out holds 4*((n+2)/3)+1 */
static void
b64url_encode(const unsigned char *p, size_t n, char *out)
{
	size_t		 i;
	unsigned int	 v;
	char		*o = out;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		*o++ = b64url[v >> 18 & 63];
		*o++ = b64url[v >> 12 & 63];
		*o++ = b64url[v >> 6 & 63];
		*o++ = b64url[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned)p[i] << 16;
		*o++ = b64url[v >> 18 & 63];
		*o++ = b64url[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		*o++ = b64url[v >> 18 & 63];
		*o++ = b64url[v >> 12 & 63];
		*o++ = b64url[v >> 6 & 63];
	}
	*o = '\0';
}

static int
b64val(char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(b64url, c)) == NULL)
		return -1;
	return (int)(p - b64url);
}

/*
 * Decode n chars of unpadded base64url.  Returns a NUL-terminated string
 * the caller frees, or NULL on a bad character or length.
 */
static char *
b64url_decode(const char *s, size_t n)
{
	char		*out, *o;
	size_t		 i;
	unsigned int	 v;
	int		 k, c;

	if (n % 4 == 1)
		return NULL;
	o = out = xmalloc(n / 4 * 3 + 3);
	v = 0;
	k = 0;
	for (i = 0; i < n; i++) {
		if ((c = b64val(s[i])) < 0) {
			free(out);
			return NULL;
		}
		v = v << 6 | (unsigned)c;
		if (++k == 4) {
			*o++ = (char)(v >> 16);
			*o++ = (char)(v >> 8 & 0xff);
			*o++ = (char)(v & 0xff);
			v = 0;
			k = 0;
		}
	}
	if (k == 2)
		*o++ = (char)(v >> 4);
	else if (k == 3) {
		*o++ = (char)(v >> 10);
		*o++ = (char)(v >> 2 & 0xff);
	}
	*o = '\0';
	return out;
}

char *
tok_issue(const char *secret, const char *sub, const char *sid, long ttl_s)
{
	jwt_t	*jwt = NULL;
	char	*out = NULL;
	time_t	 now;

	if (secret == NULL || *secret == '\0' || sub == NULL ||
	    *sub == '\0' || sid == NULL || *sid == '\0' || ttl_s <= 0)
		return NULL;
	now = time(NULL);
	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_add_grant(jwt, "sub", sub) != 0 ||
	    jwt_add_grant(jwt, "sid", sid) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)now) != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)now + ttl_s) != 0 ||
	    jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)secret,
	    (int)strlen(secret)) != 0)
		goto out;
	if ((out = jwt_encode_str(jwt)) == NULL)
		log_error("cannot encode session token");
out:
	jwt_free(jwt);
	return out;
}

/* 1 if the header segment says exactly {"alg":"HS256"...}, else 0. */
static int
header_ok(const char *seg, size_t n)
{
	cJSON		*h = NULL, *alg, *typ;
	char		*json;
	int		 ok = 0;

	if ((json = b64url_decode(seg, n)) == NULL)
		return 0;
	if ((h = cJSON_Parse(json)) == NULL || !cJSON_IsObject(h))
		goto out;
	alg = cJSON_GetObjectItemCaseSensitive(h, "alg");
	if (!cJSON_IsString(alg) || strcmp(alg->valuestring, "HS256") != 0)
		goto out;
	typ = cJSON_GetObjectItemCaseSensitive(h, "typ");
	if (typ != NULL &&
	    (!cJSON_IsString(typ) || strcmp(typ->valuestring, "JWT") != 0))
		goto out;
	/* we never issue critical extensions, so none is understood */
	if (cJSON_GetObjectItemCaseSensitive(h, "crit") != NULL)
		goto out;
	ok = 1;
out:
	cJSON_Delete(h);
	free(json);
	return ok;
}

/*
 * The claims of a payload segment whose signature was checked: exp an
 * integer in the future, sub and sid non-empty strings.  Returns 1 with
 * *sub and *sid set (the caller frees them), or 0 with why set.
 */
static int
claims_ok(const char *seg, size_t n, char **sub, char **sid,
    const char **why)
{
	cJSON		*c = NULL, *exp, *vsub, *vsid;
	char		*json;
	double		 e;
	int		 ok = 0;

	*why = "decode";
	if ((json = b64url_decode(seg, n)) == NULL)
		return 0;
	if ((c = cJSON_Parse(json)) == NULL || !cJSON_IsObject(c))
		goto out;
	*why = "exp";
	exp = cJSON_GetObjectItemCaseSensitive(c, "exp");
	if (!cJSON_IsNumber(exp))
		goto out;
	e = exp->valuedouble;
	/* an integer (JSON's exactly representable ones) and in the future */
	if (!(e >= 1 && e <= 9007199254740992.0) || e != (double)(int64_t)e ||
	    (int64_t)e <= (int64_t)time(NULL))
		goto out;
	*why = "claims";
	vsub = cJSON_GetObjectItemCaseSensitive(c, "sub");
	vsid = cJSON_GetObjectItemCaseSensitive(c, "sid");
	if (!cJSON_IsString(vsub) || *vsub->valuestring == '\0' ||
	    !cJSON_IsString(vsid) || *vsid->valuestring == '\0')
		goto out;
	*sub = xstrdup(vsub->valuestring);
	*sid = xstrdup(vsid->valuestring);
	ok = 1;
out:
	cJSON_Delete(c);
	free(json);
	return ok;
}

enum och_err
tok_verify(const char *secret, const char *token, char **sub, char **sid)
{
	const char	*dot1, *dot2, *p;
	unsigned char	 mac[32];
	char		 want[45];
	size_t		 len;
	enum och_err	 rc = OCH_EAUTH;
	const char	*why = "malformed";

	if (secret == NULL || *secret == '\0' || token == NULL)
		goto out;
	len = strnlen(token, TOK_MAXLEN + 1);
	if (len < 5 || len > TOK_MAXLEN)
		goto out;
	/* exactly three non-empty base64url segments */
	for (p = token; *p != '\0'; p++)
		if (*p != '.' && b64val(*p) < 0)
			goto out;
	if ((dot1 = strchr(token, '.')) == NULL || dot1 == token ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL || dot2 == dot1 + 1 ||
	    dot2[1] == '\0' || strchr(dot2 + 1, '.') != NULL)
		goto out;

	why = "header";
	if (!header_ok(token, (size_t)(dot1 - token)))
		goto out;

	why = "signature";
	cry_hmac_sha256(secret, strlen(secret), token,
	    (size_t)(dot2 - token), mac);
	b64url_encode(mac, sizeof(mac), want);
	if (!cry_streq(want, dot2 + 1))
		goto out;

	if (!claims_ok(dot1 + 1, (size_t)(dot2 - dot1 - 1), sub, sid, &why))
		goto out;
	rc = OCH_OK;
out:
	if (rc != OCH_OK)
		log_debug("session token refused reason=%s", why);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}
