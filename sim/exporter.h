/*
 * exporter.h: node_exporter of a simulated server: a small HTTP/1.1 server
 * (keep-alive, no threads) on <server ipv4>:9100 inside the event loop,
 * serving /metrics in the Prometheus text format with values that move
 * over time, behind basic auth when the server's web config has users
 * (bcrypt hashes, checked with crypt(3) and cached per server as
 * node_exporter's exporter-toolkit does), over TLS with the server's own
 * key when it has one (exptls.h: och-setup's first-boot key).
 */
#ifndef SIM_EXPORTER_H
#define SIM_EXPORTER_H

#include <stddef.h>

struct vm;
struct exp_srv;

/*
 * Listen on the vm's address.  Returns the server, or NULL with *err set
 * (free it).
 */
struct exp_srv	*exp_start(struct vm *, char **err);
/* Close the listening socket and every connection. */
void		 exp_stop(struct exp_srv *);
/* Open exporter connections across all servers. */
size_t		 exp_nconns(void);
/* Format a double as Go's strconv.FormatFloat(v, 'g', -1, 64). */
void		 exp_gofloat(char *out, size_t, double);

#endif
