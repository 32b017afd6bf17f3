/*
 * exptls.h: TLS for a simulated node_exporter, as och-setup arranges it
 * on a real VPS: at first boot the server makes its own key (ECDSA
 * P-256) and a self-signed certificate; node_exporter serves TLS with
 * them (web config tls_server_config); the ready call carries the key's
 * pin ("sha256//" + base64 of the SHA-256 of the DER SubjectPublicKeyInfo,
 * what CURLOPT_PINNEDPUBLICKEY takes).  A plain HTTP request on a TLS
 * port gets Go's answer (400, "Client sent an HTTP request to an HTTPS
 * server.") and the connection closes, as node_exporter does.
 *
 * The connection functions are non-blocking and have recv()/send()'s
 * contract, so the exporter's event loop is the same with or without
 * TLS; a NULL connection is plain TCP.
 */
#ifndef SIM_EXPTLS_H
#define SIM_EXPTLS_H

#include <stddef.h>
#include <sys/types.h>

struct xt_key;
struct xt_conn;

/*
 * A new key and a self-signed certificate for common name cn (100
 * years).  Returns it, or NULL with *err set (free it).
 */
struct xt_key	*xt_key_new(const char *cn, char **err);
void		 xt_key_free(struct xt_key *);
/* The key's pin, "sha256//<44 base64 chars>" (owned by the key). */
const char	*xt_key_pin(const struct xt_key *);
/*
 * Write the key (0640) and the certificate (0644) as PEM, where och-setup
 * puts them (agent mode: the real och-agent reads the certificate for
 * its pin).  Returns 0, or -1 with *err set (free it).
 */
int		 xt_key_write(const struct xt_key *, const char *keypath,
		    const char *certpath, char **err);

/*
 * TLS server state for the accepted socket fd, using key (its own
 * reference: replacing the server's key later leaves it alone).  Returns
 * it, or NULL when OpenSSL refuses (logged).
 */
struct xt_conn	*xt_conn_new(struct xt_key *, int fd);
void		 xt_conn_free(struct xt_conn *);
/*
 * recv()/send() through c (plain when c is NULL): > 0 bytes, 0 at the
 * end of the stream (also after answering plain HTTP on a TLS port), or
 * -1 with errno (EAGAIN: wait for the socket; anything else: close).
 */
ssize_t		 xt_recv(struct xt_conn *c, int fd, void *, size_t);
ssize_t		 xt_send(struct xt_conn *c, int fd, const void *, size_t);
/* 1 once the handshake finished on c. */
int		 xt_established(const struct xt_conn *c);

#endif
