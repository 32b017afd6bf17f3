/*
 * vmtls.c: a simulated server's node_exporter key (see vm.h): made at
 * the first boot of a disk as och-setup makes it, and the impostor switch.
 */
#include <sys/stat.h>

#include <stdlib.h>

#include "och.h"
#include "log.h"
#include "exptls.h"
#include "sim_userdata.h"
#include "util.h"
#include "vm.h"

int
vm_tls_key(struct vm *v)
{
	char	*why = NULL, *key, *crt, *d;
	int	 rc = 0;

	xt_key_free(v->tls);
	v->tls = NULL;
	v->exp_conns = v->exp_requests = v->exp_auth = 0;
	if (!v->ud->setup && !v->ud->tls)
		return 0;
	if ((v->tls = xt_key_new(v->name, &why)) == NULL)
		rc = -1;
	else if (v->dir != NULL) {
		key = xasprintf("%s/root%s", v->dir, UD_NE_KEY_PATH);
		crt = xasprintf("%s/root%s", v->dir, UD_NE_CERT_PATH);
		d = xasprintf("%s/root/etc", v->dir);
		(void)mkdir(d, 0755);
		free(d);
		d = xasprintf("%s/root/etc/prometheus", v->dir);
		(void)mkdir(d, 0755);
		free(d);
		rc = xt_key_write(v->tls, key, crt, &why);
		free(key);
		free(crt);
	}
	if (rc == -1) {
		free(v->boot_reason);
		v->boot_reason = why;
	}
	return rc;
}

int
vm_impostor(struct vm *v, char **err)
{
	struct xt_key	*k;

	if (v->tls == NULL) {
		*err = xstrdup("this server's exporter has no TLS key");
		return -1;
	}
	if ((k = xt_key_new(v->name, err)) == NULL)
		return -1;
	xt_key_free(v->tls);
	v->tls = k;
	v->exp_conns = v->exp_requests = v->exp_auth = 0;
	log_info("server %lld: an impostor answers on %s:%d", (long long)v->id,
	    v->ip4s, su_cfg.exporter_port);
	return 0;
}
