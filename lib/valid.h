/*
 * valid.h: validators for untrusted strings.  Each is pure (no I/O),
 * treats its input as hostile, and returns 1 if valid, 0 if not; NULL
 * is never valid.  Only ASCII is accepted anywhere.
 */
#ifndef OCH_VALID_H
#define OCH_VALID_H

#include <stddef.h>
#include <stdint.h>

/* canonical lowercase UUID, 8-4-4-4-12 */
int	valid_uuid(const char *);
/*
 * a pragmatic email address: 3..254 chars, one '@', a dot-atom local part
 * of at most 64 chars (letters, digits, !#$%&'*+/=?^_`{|}~- and single
 * inner dots), a host name with at least one dot; no spaces, controls,
 * double quotes, <> or non-ASCII
 */
int	valid_email(const char *);
/* instance slug: ^[a-z][a-z0-9-]{2,40}[a-z0-9]$ (as the schema) */
int	valid_slug(const char *);
/* plan and region names: ^[a-z][a-z0-9-]{1,31}$ */
int	valid_name(const char *);
/*
 * http(s)://host[:port][/path][?query][#fragment], at most 2000 chars;
 * host a host name or a bracketed IPv6 literal, no user info, port
 * 1..65535, the rest RFC 3986 characters or %XX escapes
 */
int	valid_url(const char *);
/* RFC 1123 host name: 1..253 chars, labels 1..63 of [A-Za-z0-9-], no
 * label starting or ending with '-', no trailing dot */
int	valid_hostname(const char *);
/*
 * strict decimal ("0", "42", "-7"; no '+', spaces, leading zeros or
 * "-0") within [min, max]; on success *out (if not NULL) gets the value
 */
int	valid_int64(const char *, int64_t min, int64_t max, int64_t *out);
/* lowercase hex of even length, minlen..maxlen chars */
int	valid_hex(const char *, size_t minlen, size_t maxlen);
/* An OpenClaw release like 2026.9.6 (optionally -beta.1): 1 or 0. */
int	valid_release(const char *);
/*
 * a public-key pin as CURLOPT_PINNEDPUBLICKEY takes it: "sha256//" and
 * the canonical base64 (44 chars, one '=') of a 32-byte SHA-256
 */
int	valid_pin(const char *);

#endif
