/*
 * fleetcfg.c: checking the fleet network's configuration values (see
 * fleetnet.h): address lists and the operator's public key.  No
 * dependencies beyond och.h, so cfg.c can use it everywhere.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetnet.h"

/* Canonical "addr/len" of one entry into buf (64 bytes); 0 or -1. */
static int
cidr(const char *s, char *buf)
{
	unsigned char	 a[16];
	char		 host[48], txt[INET6_ADDRSTRLEN];
	const char	*slash;
	char		*end;
	long		 len;
	int		 af, bits, i;

	slash = strchr(s, '/');
	if ((slash ? (size_t)(slash - s) : strlen(s)) >= sizeof(host))
		return -1;
	snprintf(host, sizeof(host), "%.*s", slash ? (int)(slash - s) :
	    (int)strlen(s), s);
	af = strchr(host, ':') ? AF_INET6 : AF_INET;
	bits = af == AF_INET6 ? 128 : 32;
	if (inet_pton(af, host, a) != 1)
		return -1;
	len = bits;
	if (slash != NULL) {
		if (!isdigit((unsigned char)slash[1]))
			return -1;
		len = strtol(slash + 1, &end, 10);
		if (*end != '\0' || len > bits)
			return -1;
	}
	for (i = (int)len; i < bits; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return -1;
	inet_ntop(af, a, txt, sizeof(txt));
	snprintf(buf, 64, "%.46s/%d", txt, (int)len);
	return 0;
}

int
fleet_cidrs(const char *list, char (*out)[64], int max)
{
	char	*copy, *tok, *save, buf[64];
	int	 n = 0;

	copy = xstrdup(list);
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (cidr(tok, buf) == -1 || (out != NULL && n == max)) {
			n = -1;
			break;
		}
		if (out != NULL)
			memcpy(out[n], buf, sizeof(buf));
		n++;
	}
	free(copy);
	return n;
}

int
fleet_sshkey_ok(const char *line)
{
	static const char *const types[] = { "ssh-ed25519", "ssh-rsa",
	    "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	    "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
	    "sk-ecdsa-sha2-nistp256@openssh.com", NULL };
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+/";
	const char	*sp, *p;
	unsigned char	 head[64];
	size_t		 tlen, blen, i, k = 0;
	uint32_t	 acc = 0;
	int		 t, nb = 0;

	if ((sp = strchr(line, ' ')) == NULL)
		return 0;
	tlen = (size_t)(sp - line);
	for (t = 0; types[t] != NULL; t++)
		if (strlen(types[t]) == tlen && strncmp(types[t], line,
		    tlen) == 0)
			break;
	if (types[t] == NULL)
		return 0;
	blen = strcspn(sp + 1, " ");
	if (blen < 16 || blen % 4 != 0 || blen > 16384)
		return 0;
	/* decode the start of the blob: uint32 length, then the type */
	for (i = 0; i < blen; i++) {
		p = sp[1 + i] == '=' && i + 2 >= blen ? b64 :
		    strchr(b64, sp[1 + i]);
		if (p == NULL || sp[1 + i] == '\0')
			return 0;
		acc = acc << 6 | (uint32_t)(p - b64);
		if (++nb == 4) {
			if (k + 3 <= sizeof(head)) {
				head[k++] = acc >> 16 & 0xff;
				head[k++] = acc >> 8 & 0xff;
				head[k++] = acc & 0xff;
			}
			acc = 0;
			nb = 0;
		}
	}
	if (k < 4 + tlen)
		return 0;
	return ((uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 |
	    (uint32_t)head[2] << 8 | head[3]) == tlen &&
	    memcmp(head + 4, line, tlen) == 0;
}

