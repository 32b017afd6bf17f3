/*
 * ctl_rotate.c: `ochctl rotate-keys` re-seals every stored secret under
 * the current master key.  A rotation: set OCH_MASTER_KEY_PREV to the old
 * key, OCH_MASTER_KEY to a new one and OCH_MASTER_KEY_VERSION one higher,
 * restart the binaries (they read both keys), run this, then drop
 * OCH_MASTER_KEY_PREV.  Each value keeps its row identity as associated
 * data; each row is rewritten in its own statement, only if it still holds
 * the value that was read, so it is safe to run while the system works and
 * to run again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cry.h"
#include "ochctl.h"

struct sealed_col {
	const char		*what;
	const char		*table;		/* AD = table:key1[:key2] */
	struct db_stmt		 list;		/* key1, key2, value; $1 = version */
	struct db_stmt		 update;	/* $1 key1, $2 key2, $3 new, $4 old */
};

static const struct sealed_col cols[] = {
	{ "api client secrets", "api_clients",
	    { "rot_api_list", "SELECT id, '', secret_enc FROM api_clients"
	      " WHERE get_byte(secret_enc, 0) <> $1::integer" },
	    { "rot_api_upd", "UPDATE api_clients SET secret_enc = $3::bytea"
	      " WHERE id = $1 AND $2 = '' AND secret_enc = $4::bytea" } },
	{ "instance secrets", "instance_secrets",
	    { "rot_is_list", "SELECT instance_id, name, value_enc"
	      " FROM instance_secrets WHERE get_byte(value_enc, 0) <> $1::integer" },
	    { "rot_is_upd", "UPDATE instance_secrets SET value_enc = $3::bytea"
	      " WHERE instance_id = $1::uuid AND name = $2"
	      " AND value_enc = $4::bytea" } },
	{ "channel secrets", "channels",
	    { "rot_ch_list", "SELECT instance_id, kind, secret_enc FROM channels"
	      " WHERE get_byte(secret_enc, 0) <> $1::integer" },
	    { "rot_ch_upd", "UPDATE channels SET secret_enc = $3::bytea"
	      " WHERE instance_id = $1::uuid AND kind = $2"
	      " AND secret_enc = $4::bytea" } },
	{ "AI provider keys", "ai_keys",
	    { "rot_ai_list", "SELECT instance_id, provider, key_enc FROM ai_keys"
	      " WHERE get_byte(key_enc, 0) <> $1::integer" },
	    { "rot_ai_upd", "UPDATE ai_keys SET key_enc = $3::bytea"
	      " WHERE instance_id = $1::uuid AND provider = $2"
	      " AND key_enc = $4::bytea" } },
};

/* Re-seal one kind of column; returns the number of failures. */
static int
rotate(struct ctl *ctl, const struct sealed_col *c, const char *version)
{
	PGresult	*res;
	const char	*p[4];
	char		*ad, *plain, *sealed;
	size_t		 len;
	long		 n;
	int		 i, done = 0, failed = 0, raced = 0;

	p[0] = version;
	if ((res = db_exec(ctl->db, &c->list, 1, p, NULL)) == NULL) {
		fprintf(stderr, "ochctl: unable to read the %s\n", c->what);
		return 1;
	}
	for (i = 0; i < PQntuples(res); i++) {
		ad = *db_val(res, i, 1) != '\0' ? xasprintf("%s:%s:%s",
		    c->table, db_val(res, i, 0), db_val(res, i, 1)) :
		    xasprintf("%s:%s", c->table, db_val(res, i, 0));
		plain = cry_open_bytea(ctl->keys, ad, db_val(res, i, 2), &len);
		if (plain == NULL) {
			/* neither key opens it: say which row, never what */
			fprintf(stderr, "ochctl: %s: '%s' does not open with the "
			    "current or previous key\n", c->what, ad);
			free(ad);
			failed++;
			continue;
		}
		sealed = cry_seal_bytea(ctl->keys, ad, plain, len);
		OPENSSL_cleanse(plain, len);
		free(plain);
		free(ad);
		if (sealed == NULL) {
			failed++;
			continue;
		}
		p[0] = db_val(res, i, 0);
		p[1] = db_val(res, i, 1);
		p[2] = sealed;
		p[3] = db_val(res, i, 2);
		n = 0;
		if (db_run(ctl->db, &c->update, 4, p, &n) != OCH_OK)
			failed++;
		else if (n == 1)
			done++;
		else
			raced++;	/* changed meanwhile: sealed anew by its writer */
		free(sealed);
	}
	printf("%-20s %d re-sealed, %d changed meanwhile, %d failed\n",
	    c->what, done, raced, failed);
	PQclear(res);
	return failed;
}

int
ctl_rotate(struct ctl *ctl, int argc, char **argv)
{
	char	 version[8];
	size_t	 i;
	int	 failed = 0;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: ochctl rotate-keys\n");
		return 2;
	}
	if (ctl_need_keys(ctl) < 0)
		return 1;
	snprintf(version, sizeof(version), "%d", cry_keyring_version(ctl->keys));
	for (i = 0; i < OCH_NELEM(cols); i++)
		failed += rotate(ctl, &cols[i], version);
	return failed ? 1 : 0;
}
