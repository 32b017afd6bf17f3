/*
 * ctl_secret.c: `ochctl secret seal AD` reads a value on standard input
 * (never argv: it would show in ps) and prints it sealed under the
 * current master key, in PostgreSQL's bytea text form, for an operator's
 * manual fix or a test fixture.  AD is the row identity the value will
 * live under, e.g. "ai_keys:<instance>:anthropic".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cry.h"
#include "ochctl.h"

int
ctl_secret(struct ctl *ctl, int argc, char **argv)
{
	struct buf	 in = { 0 };
	char		 chunk[4096], *sealed;
	size_t		 n;

	if (argc != 3 || strcmp(argv[1], "seal") != 0) {
		fprintf(stderr, "usage: ochctl secret seal AD  (value on stdin)\n");
		return 2;
	}
	if (ctl_need_keys(ctl) < 0)
		return 1;
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0 &&
	    in.len < 65536)
		buf_add(&in, chunk, n);
	OPENSSL_cleanse(chunk, sizeof(chunk));
	/* one trailing newline is the shell's, not the value's */
	if (in.len > 0 && in.data[in.len - 1] == '\n')
		in.data[--in.len] = '\0';
	if (in.len == 0 || in.len >= 65536) {
		fprintf(stderr, "ochctl: the value must be 1 to 65535 bytes\n");
		buf_free(&in);
		return 1;
	}
	sealed = cry_seal_bytea(ctl->keys, argv[2], in.data, in.len);
	OPENSSL_cleanse(in.data, in.len);
	buf_free(&in);
	if (sealed == NULL) {
		fprintf(stderr, "ochctl: unable to seal\n");
		return 1;
	}
	printf("%s\n", sealed);
	free(sealed);
	return 0;
}
