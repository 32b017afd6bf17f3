/*
 * sshkey.h: Hetzner SSH keys (/ssh_keys): create (the public key parsed
 * and fingerprinted as Hetzner does, MD5 of the key blob), list, get,
 * update, delete; servers name them by id or name at create.
 */
#ifndef SIM_SSHKEY_H
#define SIM_SSHKEY_H

#include <cjson/cJSON.h>

#include "http.h"

/*
 * The key named by id or name as {"id","name","fingerprint"} (what a
 * server keeps: its authorized_keys does not change when the key is
 * deleted later), or NULL when there is none.
 */
cJSON	*key_ref(const char *id_or_name);
/* Forget every key (POST /_sim/reset). */
void	 key_reset(void);

/* Route handlers (sim_hetzner.c lists them in its table). */
void	 key_list(struct http_req *);
void	 key_create(struct http_req *);
void	 key_get(struct http_req *);
void	 key_update(struct http_req *);
void	 key_delete(struct http_req *);

#endif
