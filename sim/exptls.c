/*
 * exptls.c: TLS for the simulated node_exporter (see exptls.h), with
 * OpenSSL: one server context for all servers, each connection given its
 * server's key and certificate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "och.h"
#include "log.h"
#include "exptls.h"

/* what Go's net/http answers plain HTTP on a TLS listener */
#define GO_PLAIN_ON_TLS	"HTTP/1.0 400 Bad Request\r\n\r\n" \
	"Client sent an HTTP request to an HTTPS server.\n"

struct xt_key {
	EVP_PKEY	*key;
	X509		*cert;
	char		 pin[8 + 45];
};

struct xt_conn {
	SSL		*ssl;
	int		 checked;	/* first byte looked at */
};

static SSL_CTX	*ctx;

/* The last OpenSSL error as text (static buffer). */
static const char *
ossl_why(void)
{
	static char	 b[160];
	unsigned long	 e = ERR_get_error();

	if (e == 0)
		return "unknown OpenSSL error";
	ERR_error_string_n(e, b, sizeof(b));
	ERR_clear_error();
	return b;
}

struct xt_key *
xt_key_new(const char *cn, char **err)
{
	struct xt_key	*k;
	unsigned char	*der = NULL, dg[SHA256_DIGEST_LENGTH], serial[16];
	X509_NAME	*name;
	BIGNUM		*bn = NULL;
	int		 n;

	k = xcalloc(1, sizeof(*k));
	if ((k->key = EVP_EC_gen("P-256")) == NULL ||
	    (k->cert = X509_new()) == NULL ||
	    RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;	/* a positive serial */
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(k->cert)) == NULL ||
	    X509_set_version(k->cert, X509_VERSION_3) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(k->cert), -3600) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(k->cert), 36500, 0, NULL) ==
	    NULL || (name = X509_get_subject_name(k->cert)) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(k->cert, name) != 1 ||
	    X509_set_pubkey(k->cert, k->key) != 1 ||
	    X509_sign(k->cert, k->key, EVP_sha256()) == 0)
		goto fail;
	BN_free(bn);
	bn = NULL;
	/* the pin: SHA-256 of the DER SubjectPublicKeyInfo, base64 */
	if ((n = i2d_PUBKEY(k->key, &der)) <= 0)
		goto fail;
	SHA256(der, (size_t)n, dg);
	OPENSSL_free(der);
	memcpy(k->pin, "sha256//", 8);
	EVP_EncodeBlock((unsigned char *)k->pin + 8, dg, sizeof(dg));
	return k;
fail:
	*err = xasprintf("node_exporter key: %s", ossl_why());
	BN_free(bn);
	xt_key_free(k);
	return NULL;
}

void
xt_key_free(struct xt_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->key);
	X509_free(k->cert);
	free(k);
}

const char *
xt_key_pin(const struct xt_key *k)
{
	return k->pin;
}

/* Write one PEM file with mode.  Returns 0, or -1 with *err. */
static int
pem_file(const char *path, mode_t mode, const struct xt_key *k, int key,
    char **err)
{
	FILE	*f;
	int	 fd, ok;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    mode)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	ok = key ? PEM_write_PrivateKey(f, k->key, NULL, NULL, 0, NULL,
	    NULL) : PEM_write_X509(f, k->cert);
	if (fclose(f) != 0 || ok != 1) {
		*err = xasprintf("%s: not written", path);
		return -1;
	}
	return 0;
}

int
xt_key_write(const struct xt_key *k, const char *keypath,
    const char *certpath, char **err)
{
	if (pem_file(keypath, 0640, k, 1, err) == -1 ||
	    pem_file(certpath, 0644, k, 0, err) == -1)
		return -1;
	return 0;
}

struct xt_conn *
xt_conn_new(struct xt_key *k, int fd)
{
	struct xt_conn	*c;

	if (ctx == NULL) {
		if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
			log_warn("exporter TLS: %s", ossl_why());
			return NULL;
		}
		SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
		SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
		    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
		    SSL_MODE_RELEASE_BUFFERS);
	}
	c = xcalloc(1, sizeof(*c));
	if ((c->ssl = SSL_new(ctx)) == NULL ||
	    SSL_use_certificate(c->ssl, k->cert) != 1 ||
	    SSL_use_PrivateKey(c->ssl, k->key) != 1 ||
	    SSL_set_fd(c->ssl, fd) != 1) {
		log_warn("exporter TLS: %s", ossl_why());
		xt_conn_free(c);
		return NULL;
	}
	SSL_set_accept_state(c->ssl);
	return c;
}

void
xt_conn_free(struct xt_conn *c)
{
	if (c == NULL)
		return;
	SSL_free(c->ssl);
	free(c);
}

int
xt_established(const struct xt_conn *c)
{
	return c != NULL && SSL_is_init_finished(c->ssl);
}

/* An SSL_read/SSL_write that returned r <= 0, as recv()/send() would. */
static ssize_t
ssl_fail(struct xt_conn *c, int r)
{
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		/* a client that refused our key (a pin), or garbage */
		ERR_clear_error();
		errno = ECONNRESET;
		return -1;
	}
}

ssize_t
xt_recv(struct xt_conn *c, int fd, void *p, size_t n)
{
	ssize_t	 got = 0;
	char	 first, sink[4096];
	int	 r;

	if (c == NULL)
		return recv(fd, p, n, 0);
	if (!c->checked) {
		if ((got = recv(fd, &first, 1, MSG_PEEK)) <= 0)
			return got;
		c->checked = 1;
		if (first != 0x16) {	/* not a TLS handshake record */
			(void)send(fd, GO_PLAIN_ON_TLS,
			    sizeof(GO_PLAIN_ON_TLS) - 1, MSG_NOSIGNAL);
			/* read the request, so the close is no reset that
			 * could drop the answer */
			while (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
				continue;
			(void)shutdown(fd, SHUT_WR);
			return 0;
		}
		got = 0;
	}
	/* all that is decrypted already: epoll cannot see it */
	while ((size_t)got < n) {
		ERR_clear_error();
		r = SSL_read(c->ssl, (char *)p + got, (int)(n - (size_t)got >
		    65536 ? 65536 : n - (size_t)got));
		if (r <= 0)
			return got > 0 ? got : ssl_fail(c, r);
		got += r;
		if (SSL_pending(c->ssl) == 0)
			break;
	}
	return got;
}

ssize_t
xt_send(struct xt_conn *c, int fd, const void *p, size_t n)
{
	int	 r;

	if (c == NULL)
		return send(fd, p, n, MSG_NOSIGNAL);
	ERR_clear_error();
	if ((r = SSL_write(c->ssl, p, (int)(n > 65536 ? 65536 : n))) <= 0)
		return ssl_fail(c, r);
	return r;
}
