/*
 * fleetnet.c: the operator's SSH key and the fleet's Cloud Firewall at
 * Hetzner (see fleetnet.h).  The Hetzner calls go through hz_request
 * (hetzner.h), so they share its retry policy, rate-limit pacing and
 * error classification.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cfg.h"
#include "db.h"
#include "fleetnet.h"
#include "hcl.h"
#include "hetzner.h"
#include "log.h"

#define FLEET_APPLY_MAX	50	/* servers per apply_to_resources call */

static const struct db_stmt stmt_get = { "fleet_get",
	"SELECT ssh_key_id, firewall_id,"
	" extract(epoch FROM now() - checked_at)::bigint FROM fleet_network" };
static const struct db_stmt stmt_put = { "fleet_put",
	"INSERT INTO fleet_network (singleton, ssh_key_id, firewall_id,"
	" checked_at) VALUES (true, NULLIF($1, '0')::bigint,"
	" NULLIF($2, '0')::bigint, now()) ON CONFLICT (singleton) DO UPDATE"
	" SET ssh_key_id = EXCLUDED.ssh_key_id,"
	" firewall_id = EXCLUDED.firewall_id, checked_at = now()" };
/* the servers that should carry the firewall: every live instance's */
static const struct db_stmt stmt_servers = { "fleet_servers",
	"SELECT hetzner_server_id FROM instances"
	" WHERE hetzner_server_id IS NOT NULL AND state IN ('booting',"
	" 'active', 'suspending', 'suspended', 'resuming', 'resizing',"
	" 'rebooting', 'rebuilding') ORDER BY 1" };

static void
rule(cJSON *arr, const char *port, cJSON *sources, const char *what)
{
	cJSON	*r;

	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "description", what);
	cJSON_AddStringToObject(r, "direction", "in");
	cJSON_AddStringToObject(r, "protocol", "tcp");
	cJSON_AddStringToObject(r, "port", port);
	cJSON_AddItemToObject(r, "source_ips", sources);
	cJSON_AddItemToArray(arr, r);
}

/*
 * The blocks of a configured list as a new JSON array, or NULL when it
 * is empty (or, not loaded through cfg_load, invalid).
 */
static cJSON *
blocks(const struct cfg *c, enum cfg_key k)
{
	char	 b[FLEET_CIDRS_MAX][64];
	cJSON	*arr;
	int	 n, i;

	if ((n = fleet_cidrs(cfg_str(c, k, ""), b, FLEET_CIDRS_MAX)) <= 0)
		return NULL;
	arr = cJSON_CreateArray();
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(b[i]));
	return arr;
}

/* The wanted rules as Hetzner takes them (a new array). */
static cJSON *
fleet_rules(const struct cfg *c)
{
	cJSON	*arr, *any, *ips;

	arr = cJSON_CreateArray();
	any = cJSON_CreateArray();
	cJSON_AddItemToArray(any, cJSON_CreateString("0.0.0.0/0"));
	cJSON_AddItemToArray(any, cJSON_CreateString("::/0"));
	rule(arr, "80", cJSON_Duplicate(any, 1), "http (ACME, redirect)");
	rule(arr, "443", any, "https");
	if ((ips = blocks(c, CFG_CONTROL_PLANE_IPS)) != NULL)
		rule(arr, "9100", ips, "node_exporter: the control plane");
	if ((ips = blocks(c, CFG_OPERATOR_SSH_RANGES)) != NULL)
		rule(arr, "22", ips, "ssh: the operator");
	return arr;
}

/*
 * One rule as a comparable line: "in tcp 443 0.0.0.0/0 ::/0" with the
 * blocks sorted (Hetzner may list them in another order); NULL when it
 * is not an object.
 */
static char *
rule_key(const cJSON *r)
{
	const cJSON	*src, *x;
	struct buf	 b = { 0 };
	const char	*ip[128], *t;
	char		 s[3][64];
	int		 n = 0, i, j;

	if (!cJSON_IsObject(r))
		return NULL;
	hcl_json_str(r, "direction", s[0], sizeof(s[0]));
	hcl_json_str(r, "protocol", s[1], sizeof(s[1]));
	hcl_json_str(r, "port", s[2], sizeof(s[2]));
	buf_printf(&b, "%s %s %s", s[0], s[1], s[2]);
	src = cJSON_GetObjectItemCaseSensitive(r, "source_ips");
	cJSON_ArrayForEach(x, src)
		if (cJSON_IsString(x) && n < 128)
			ip[n++] = x->valuestring;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(ip[j - 1], ip[j]) > 0; j--) {
			t = ip[j];
			ip[j] = ip[j - 1];
			ip[j - 1] = t;
		}
	for (i = 0; i < n; i++)
		buf_printf(&b, " %s", ip[i]);
	buf_putc(&b, '\0');
	return b.data;
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 when the two rule arrays hold the same rules (any order). */
static int
same_rules(const cJSON *a, const cJSON *b)
{
	char	*ka[64], *kb[64];
	int	 na, nb, i, same;

	na = cJSON_GetArraySize(a);
	nb = cJSON_GetArraySize(b);
	if (na != nb || na > 64)
		return 0;
	for (i = 0; i < na; i++) {
		ka[i] = rule_key(cJSON_GetArrayItem(a, i));
		kb[i] = rule_key(cJSON_GetArrayItem(b, i));
	}
	same = 1;
	for (i = 0; i < na; i++)
		if (ka[i] == NULL || kb[i] == NULL)
			same = 0;
	if (same) {
		qsort(ka, (size_t)na, sizeof(*ka), key_cmp);
		qsort(kb, (size_t)nb, sizeof(*kb), key_cmp);
		for (i = 0; i < na && same; i++)
			same = strcmp(ka[i], kb[i]) == 0;
	}
	for (i = 0; i < na; i++) {
		free(ka[i]);
		free(kb[i]);
	}
	return same;
}

/* ---- Hetzner ------------------------------------------------------- */

void
fleet_create_fields(cJSON *body, int64_t ssh_key_id, int64_t firewall_id)
{
	cJSON	*o;

	if (ssh_key_id != 0)
		cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "ssh_keys"),
		    cJSON_CreateNumber((double)ssh_key_id));
	if (firewall_id != 0) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "firewall", (double)firewall_id);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(body,
		    "firewalls"), o);
	}
}

/* 1 when two key lines name the same key (type and blob; no comment). */
static int
same_key(const char *a, const char *b)
{
	size_t	 la, lb;

	la = strcspn(a, " ");
	la += a[la] ? 1 + strcspn(a + la + 1, " \n") : 0;
	lb = strcspn(b, " ");
	lb += b[lb] ? 1 + strcspn(b + lb + 1, " \n") : 0;
	return la == lb && strncmp(a, b, la) == 0;
}

/*
 * The id of the key equal to pub among list, or 0 when none is (then
 * *other, if not NULL, gets the id of another key there).
 */
static int64_t
find_key(const cJSON *list, const char *pub, int64_t *other)
{
	const cJSON	*k;
	char		 txt[16384];
	int64_t		 id;

	cJSON_ArrayForEach(k, list) {
		if (hcl_json_id(k, "id", &id, 0) == -1 ||
		    hcl_json_str(k, "public_key", txt, sizeof(txt)) == -1)
			continue;
		if (same_key(txt, pub))
			return id;
		if (other != NULL)
			*other = id;
	}
	return 0;
}

/*
 * The operator's key at Hetzner into *id: ours by name (replaced when the
 * configured key changed), or the same key under another name, or a
 * new one.  Returns OCH_OK or the upstream error in e.
 */
static enum och_err
ensure_key(struct hz *hz, const char *pub, int64_t *id, struct prov_err *e)
{
	cJSON		*root = NULL, *body;
	char		*path;
	int64_t		 stale = 0;
	enum och_err	 rc;

	rc = hz_request(hz, "GET", "/ssh_keys?name=" FLEET_SSH_KEY, NULL, 1,
	    &root, e);
	if (rc != OCH_OK)
		return rc;
	*id = find_key(cJSON_GetObjectItemCaseSensitive(root, "ssh_keys"), pub,
	    &stale);
	cJSON_Delete(root);
	root = NULL;
	if (*id != 0)
		return OCH_OK;
	if (stale != 0) {
		log_info("fleet: OPERATOR_SSH_KEY changed: replacing ssh key "
		    "%" PRId64, stale);
		path = xasprintf("/ssh_keys/%" PRId64, stale);
		rc = hz_request(hz, "DELETE", path, NULL, 1, NULL, e);
		free(path);
		if (rc != OCH_OK && rc != OCH_ENOTFOUND)
			return rc;
	}
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "name", FLEET_SSH_KEY);
	cJSON_AddStringToObject(body, "public_key", pub);
	cJSON_AddObjectToObject(body, "labels");
	rc = hz_request(hz, "POST", "/ssh_keys", body, 0, &root, e);
	cJSON_Delete(body);
	if (rc == OCH_OK)
		hcl_json_id(cJSON_GetObjectItemCaseSensitive(root, "ssh_key"),
		    "id", id, 0);
	else if (hcl_perr_is(e, "uniqueness_error")) {
		/* the same key under another name: use that one */
		cJSON_Delete(root);
		root = NULL;
		rc = hz_request(hz, "GET", "/ssh_keys?per_page=50", NULL, 1,
		    &root, e);
		if (rc == OCH_OK && (*id = find_key(
		    cJSON_GetObjectItemCaseSensitive(root, "ssh_keys"), pub,
		    NULL)) == 0)
			rc = hcl_perr_bad_response(e, "hetzner ssh_keys",
			    "ssh key");
	}
	cJSON_Delete(root);
	if (rc == OCH_OK && *id == 0)
		rc = hcl_perr_bad_response(e, "hetzner create ssh key", "id");
	return rc;
}

/*
 * The fleet firewall: by id (known, 0 when none), by name, or created
 * with rules.  On OCH_OK *fw points into *root (the caller deletes
 * *root, also after a failure); else the upstream error in e.
 */
static enum och_err
get_firewall(struct hz *hz, const cJSON *rules, int64_t known, cJSON **root,
    const cJSON **fw, struct prov_err *e)
{
	cJSON		*body;
	char		*path;
	enum och_err	 rc = OCH_ENOTFOUND;
	int		 tries;

	*root = NULL;
	if (known != 0) {
		path = xasprintf("/firewalls/%" PRId64, known);
		rc = hz_request(hz, "GET", path, NULL, 1, root, e);
		free(path);
		if (rc == OCH_OK) {
			*fw = cJSON_GetObjectItemCaseSensitive(*root,
			    "firewall");
			return OCH_OK;
		}
		if (rc != OCH_ENOTFOUND)
			return rc;
		cJSON_Delete(*root);
		*root = NULL;
	}
	for (tries = 0; tries < 2; tries++) {
		rc = hz_request(hz, "GET", "/firewalls?name=" FLEET_FIREWALL,
		    NULL, 1, root, e);
		if (rc != OCH_OK)
			return rc;
		*fw = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		    *root, "firewalls"), 0);
		if (*fw != NULL)
			return OCH_OK;
		cJSON_Delete(*root);
		*root = NULL;
		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "name", FLEET_FIREWALL);
		cJSON_AddItemToObject(body, "rules", cJSON_Duplicate(rules, 1));
		rc = hz_request(hz, "POST", "/firewalls", body, 0, root, e);
		cJSON_Delete(body);
		if (rc == OCH_OK) {
			*fw = cJSON_GetObjectItemCaseSensitive(*root,
			    "firewall");
			log_info("fleet: firewall %s created", FLEET_FIREWALL);
			return OCH_OK;
		}
		cJSON_Delete(*root);
		*root = NULL;
		/* another poller created it meanwhile: take that one */
		if (!hcl_perr_is(e, "uniqueness_error"))
			break;
	}
	return rc;
}

/* 1 when the firewall reaches server id (directly or by a selector). */
static int
applied(const cJSON *fw, int64_t id)
{
	const cJSON	*t, *s;
	int64_t		 x;

	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(fw,
	    "applied_to")) {
		if (hcl_json_id(cJSON_GetObjectItemCaseSensitive(t, "server"),
		    "id", &x, 0) == 0 && x == id)
			return 1;
		cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(t,
		    "applied_to_resources"))
			if (hcl_json_id(cJSON_GetObjectItemCaseSensitive(s,
			    "server"), "id", &x, 0) == 0 && x == id)
				return 1;
	}
	return 0;
}

/*
 * Apply the firewall to the live servers it does not reach yet (up to
 * FLEET_APPLY_MAX a round).  Returns OCH_OK (also when a server went
 * meanwhile), OCH_EDB, or the upstream error in e.
 */
static enum och_err
attach_missing(struct db *db, struct hz *hz, int64_t fwid, const cJSON *fw,
    struct prov_err *e)
{
	PGresult	*res;
	cJSON		*body, *list, *o, *s;
	char		*path;
	enum och_err	 err, rc = OCH_OK;
	int		 i, n = 0;

	if ((res = db_exec(db, &stmt_servers, 0, NULL, &err)) == NULL)
		return OCH_EDB;
	body = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(body, "apply_to");
	for (i = 0; i < PQntuples(res) && n < FLEET_APPLY_MAX; i++) {
		if (applied(fw, db_int(res, i, 0)))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "server");
		s = cJSON_AddObjectToObject(o, "server");
		cJSON_AddNumberToObject(s, "id", (double)db_int(res, i, 0));
		cJSON_AddItemToArray(list, o);
		n++;
	}
	PQclear(res);
	if (n > 0) {
		path = xasprintf("/firewalls/%" PRId64 "/actions/"
		    "apply_to_resources", fwid);
		rc = hz_request(hz, "POST", path, body, 0, NULL, e);
		free(path);
		if (rc == OCH_OK)
			log_info("fleet: firewall applied to %d server(s)", n);
		else if (hcl_perr_is(e, "firewall_resource_not_found") ||
		    hcl_perr_is(e, "firewall_already_applied"))
			/* a server went meanwhile: the next round is exact */
			rc = OCH_OK;
	}
	cJSON_Delete(body);
	return rc;
}

enum och_err
fleet_reconcile(struct db *db, const struct cfg *c, struct hz *hz,
    int force, struct prov_err *e)
{
	PGresult	*res;
	cJSON		*rules, *root = NULL, *body;
	const cJSON	*fw = NULL;
	const char	*pub, *p[2];
	char		 k[32], f[32], *path;
	int64_t		 kid = 0, fwid = 0;
	enum och_err	 rc, err;

	hcl_perr_init(e, "hetzner");
	if ((res = db_exec(db, &stmt_get, 0, NULL, &err)) == NULL)
		return OCH_EDB;
	if (PQntuples(res) == 1) {
		kid = db_int(res, 0, 0);
		fwid = db_int(res, 0, 1);
		if (!force && db_int(res, 0, 2) < cfg_int(c,
		    CFG_FLEET_RECONCILE_SECONDS, 300)) {
			PQclear(res);
			return OCH_OK;
		}
	}
	PQclear(res);
	pub = cfg_get(c, CFG_OPERATOR_SSH_KEY);
	if (pub != NULL && (rc = ensure_key(hz, pub, &kid, e)) != OCH_OK)
		goto fail;
	if (pub == NULL)
		kid = 0;
	rules = fleet_rules(c);
	if ((rc = get_firewall(hz, rules, fwid, &root, &fw, e)) != OCH_OK ||
	    hcl_json_id(fw, "id", &fwid, 0) == -1) {
		if (rc == OCH_OK)
			rc = hcl_perr_bad_response(e, "hetzner firewall", "id");
		cJSON_Delete(rules);
		cJSON_Delete(root);
		goto fail;
	}
	if (!same_rules(cJSON_GetObjectItemCaseSensitive(fw, "rules"), rules)) {
		log_info("fleet: firewall %" PRId64 " rules drifted: putting "
		    "them back", fwid);
		body = cJSON_CreateObject();
		cJSON_AddItemToObject(body, "rules", rules);
		rules = NULL;
		path = xasprintf("/firewalls/%" PRId64 "/actions/set_rules",
		    fwid);
		rc = hz_request(hz, "POST", path, body, 0, NULL, e);
		free(path);
		cJSON_Delete(body);
	} else
		rc = OCH_OK;
	cJSON_Delete(rules);
	if (rc == OCH_OK)
		rc = attach_missing(db, hz, fwid, fw, e);
	cJSON_Delete(root);
	if (rc != OCH_OK)
		goto fail;
	snprintf(k, sizeof(k), "%" PRId64, kid);
	snprintf(f, sizeof(f), "%" PRId64, fwid);
	p[0] = k;
	p[1] = f;
	return db_run(db, &stmt_put, 2, p, NULL) == OCH_OK ? OCH_OK : OCH_EDB;
fail:
	if (rc != OCH_EDB) {
		char	 line[400];

		log_error("fleet: %s", hcl_perr_str(e, line, sizeof(line)));
	}
	return rc;
}

enum och_err
fleet_ids(struct db *db, const struct cfg *c, struct hz *hz,
    int64_t *ssh_key_id, int64_t *firewall_id, struct prov_err *e)
{
	PGresult	*res;
	enum och_err	 rc, err;
	int		 tries;

	*ssh_key_id = *firewall_id = 0;
	for (tries = 0; tries < 2; tries++) {
		if ((res = db_exec(db, &stmt_get, 0, NULL, &err)) == NULL)
			return OCH_EDB;
		if (PQntuples(res) == 1) {
			*ssh_key_id = db_int(res, 0, 0);
			*firewall_id = db_int(res, 0, 1);
		}
		PQclear(res);
		if (*firewall_id != 0 && (*ssh_key_id != 0 ||
		    cfg_get(c, CFG_OPERATOR_SSH_KEY) == NULL))
			return OCH_OK;
		/* no server goes out without the key and the firewall */
		if (tries == 0 && (rc = fleet_reconcile(db, c, hz, 1, e)) !=
		    OCH_OK)
			return rc;
	}
	return OCH_OK;
}
