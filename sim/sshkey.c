/*
 * sshkey.c: Hetzner SSH keys (see sshkey.h).  A public key is accepted
 * when it is "<type> <base64 blob> [comment]" and the blob starts with
 * the same type string (RFC 4253 §6.6), as ssh-keygen writes it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "och.h"
#include "sim_hetzner.h"
#include "labels.h"
#include "sshkey.h"
#include "util.h"

struct key {
	int64_t		 id;
	char		*name;
	char		*public_key;
	char		 fingerprint[48];
	cJSON		*labels;
	double		 created;
	struct key	*next;
};

static struct key	*keys;
static size_t		 nkeys;
static int64_t		 next_id = 4711;

static const char *const key_types[] = {
	"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
	"sk-ecdsa-sha2-nistp256@openssh.com", NULL
};

static struct key *
find(const char *s)
{
	struct key	*k;
	int64_t		 id = -1;

	su_parse_id(s, &id);
	for (k = keys; k != NULL; k = k->next)
		if (k->id == id || strcmp(k->name, s) == 0)
			return k;
	return NULL;
}

/*
 * Check "<type> <base64> [comment]" and put the MD5 fingerprint of the
 * blob ("aa:bb:…") into fp (48 bytes).  0, or -1 when it is no key.
 */
static int
parse_key(const char *s, char *fp)
{
	const char	*sp, *b64, *end;
	unsigned char	*blob, md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen, i;
	size_t		 tlen, blen;
	int		 n, pad = 0, rc = -1;
	uint32_t	 l;

	if ((sp = strchr(s, ' ')) == NULL)
		return -1;
	tlen = (size_t)(sp - s);
	for (i = 0; key_types[i] != NULL; i++)
		if (strlen(key_types[i]) == tlen &&
		    strncmp(key_types[i], s, tlen) == 0)
			break;
	if (key_types[i] == NULL)
		return -1;
	b64 = sp + 1;
	end = b64 + strcspn(b64, " \n");
	blen = (size_t)(end - b64);
	if (blen < 8 || blen % 4 != 0 || blen > 16384)
		return -1;
	pad = (end[-1] == '=') + (end[-2] == '=');
	blob = xmalloc(blen);
	n = EVP_DecodeBlock(blob, (const unsigned char *)b64, (int)blen);
	if (n < 4 + (int)tlen + pad)
		goto out;
	n -= pad;
	l = (uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 |
	    (uint32_t)blob[2] << 8 | blob[3];
	if (l != tlen || memcmp(blob + 4, s, tlen) != 0)
		goto out;
	if (!EVP_Digest(blob, (size_t)n, md, &mdlen, EVP_md5(), NULL))
		goto out;
	fp[0] = '\0';
	for (i = 0; i < mdlen && i < 16; i++)
		snprintf(fp + strlen(fp), 4, i ? ":%02x" : "%02x", md[i]);
	rc = 0;
out:
	free(blob);
	return rc;
}

static cJSON *
json(const void *p)
{
	const struct key	*k = p;
	cJSON			*o;

	o = su_jobj();
	su_jnum(o, "id", k->id);
	su_jstr(o, "name", k->name);
	su_jstr(o, "fingerprint", k->fingerprint);
	su_jstr(o, "public_key", k->public_key);
	cJSON_AddItemToObject(o, "labels", cJSON_Duplicate(k->labels, 1));
	su_jtime(o, "created", k->created);
	return o;
}

static void
answer(struct http_req *r, int status, const struct key *k)
{
	cJSON	*root;

	root = su_jobj();
	cJSON_AddItemToObject(root, "ssh_key", json(k));
	http_json(r, status, root);
}

cJSON *
key_ref(const char *s)
{
	struct key	*k;
	cJSON		*o;

	if ((k = find(s)) == NULL)
		return NULL;
	o = su_jobj();
	su_jnum(o, "id", k->id);
	su_jstr(o, "name", k->name);
	su_jstr(o, "fingerprint", k->fingerprint);
	return o;
}

void
key_list(struct http_req *r)
{
	struct shz_item	*it;
	struct key	*k;
	const char	*fp;
	size_t		 n = 0;

	fp = http_query(r, "fingerprint");
	it = xcalloc(nkeys + 1, sizeof(*it));
	for (k = keys; k != NULL; k = k->next)
		if (fp == NULL || strcmp(fp, k->fingerprint) == 0)
			it[n++] = (struct shz_item){ k->id, k->name,
			    k->created, k->labels, k };
	shz_list(r, "ssh_keys", it, n, json);
	free(it);
}

void
key_create(struct http_req *r)
{
	cJSON		*body, *name, *pub, *labels;
	struct key	*k, *o;
	const char	*err;
	char		 fp[48];
	int		 bad = 0;

	if ((body = shz_body(r)) == NULL)
		return;
	name = shz_field(r, body, "name", 's', 1, &bad);
	pub = shz_field(r, body, "public_key", 's', 1, &bad);
	labels = shz_field(r, body, "labels", 'o', 0, &bad);
	if (bad)
		goto out;
	if (name->valuestring[0] == '\0' || strlen(name->valuestring) > 128) {
		shz_invalid(r, "name", "must be 1 to 128 characters");
		goto out;
	}
	if (parse_key(pub->valuestring, fp) == -1) {
		shz_invalid(r, "public_key", "invalid public key");
		goto out;
	}
	if (labels != NULL && !lbl_valid(labels, &err)) {
		shz_invalid(r, "labels", err);
		goto out;
	}
	for (o = keys; o != NULL; o = o->next) {
		if (strcmp(o->name, name->valuestring) == 0) {
			shz_uniqueness(r, "name", "SSH key with the same name "
			    "already exists");
			goto out;
		}
		if (strcmp(o->fingerprint, fp) == 0) {
			shz_uniqueness(r, "public_key", "SSH key with the same "
			    "fingerprint already exists");
			goto out;
		}
	}
	k = xcalloc(1, sizeof(*k));
	k->id = next_id++;
	k->name = xstrdup(name->valuestring);
	k->public_key = xstrdup(pub->valuestring);
	k->public_key[strcspn(k->public_key, "\n")] = '\0';
	memcpy(k->fingerprint, fp, sizeof(fp));
	k->labels = labels ? cJSON_Duplicate(labels, 1) : su_jobj();
	k->created = su_wall();
	k->next = keys;
	keys = k;
	nkeys++;
	answer(r, 201, k);
out:
	cJSON_Delete(body);
}

static struct key *
key_param(struct http_req *r)
{
	struct key	*k;
	int64_t		 id;

	if (shz_id(r, 0, &id) == -1)
		return NULL;
	for (k = keys; k != NULL; k = k->next)
		if (k->id == id)
			return k;
	shz_not_found(r, "ssh_key");
	return NULL;
}

void
key_get(struct http_req *r)
{
	struct key	*k;

	if ((k = key_param(r)) != NULL)
		answer(r, 200, k);
}

void
key_update(struct http_req *r)
{
	struct key	*k, *o;
	cJSON		*body, *name, *labels;
	const char	*err;
	int		 bad = 0;

	if ((k = key_param(r)) == NULL || (body = shz_body(r)) == NULL)
		return;
	name = shz_field(r, body, "name", 's', 0, &bad);
	labels = shz_field(r, body, "labels", 'o', 0, &bad);
	if (bad)
		goto out;
	if (labels != NULL && !lbl_valid(labels, &err)) {
		shz_invalid(r, "labels", err);
		goto out;
	}
	for (o = keys; name != NULL && o != NULL; o = o->next)
		if (o != k && strcmp(o->name, name->valuestring) == 0) {
			shz_uniqueness(r, "name", "SSH key with the same name "
			    "already exists");
			goto out;
		}
	if (name != NULL) {
		free(k->name);
		k->name = xstrdup(name->valuestring);
	}
	if (labels != NULL) {
		cJSON_Delete(k->labels);
		k->labels = cJSON_Duplicate(labels, 1);
	}
	answer(r, 200, k);
out:
	cJSON_Delete(body);
}

static void
key_free(struct key *k)
{
	free(k->name);
	free(k->public_key);
	cJSON_Delete(k->labels);
	free(k);
}

void
key_delete(struct http_req *r)
{
	struct key	*k, **pp;

	if ((k = key_param(r)) == NULL)
		return;
	for (pp = &keys; *pp != k; pp = &(*pp)->next)
		;
	*pp = k->next;
	nkeys--;
	key_free(k);
	http_reset_body(r);
	r->status = 204;
}

void
key_reset(void)
{
	struct key	*k;

	while ((k = keys) != NULL) {
		keys = k->next;
		key_free(k);
	}
	nkeys = 0;
}
