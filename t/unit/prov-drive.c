/*
 * prov-drive: a command-line driver of the provider clients for the
 * integration tests (t/45N-providers-*.t).  Configuration comes from
 * the environment / OCH_CONFIG as for every binary (HETZNER_API_URL,
 * HETZNER_API_TOKEN, ...).  Each run makes one client call and prints
 * one JSON object:
 *   {"ok":bool,"err":"<och code>","retryable":bool,"status":N,
 *    "code":"...","message":"...","corr_id":"...","line":"...",
 *    "retry_after_ms":N, "rl":{...}, <result fields>}
 * Exit status 0 after a call (whatever its outcome), 2 on bad usage.
 * PROV_RETRIES sets the in-call retries (default: the client's),
 * PROV_TIMEOUT_MS the total timeout.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cfg.h"
#include "cloudflare.h"
#include "hcl.h"
#include "hetzner.h"
#include "log.h"
#include "resend.h"
#include "whmcs.h"

static const char usage[] =
"usage: prov-drive command args...\n"
"  hz-create NAME TYPE IMAGE LOCATION INSTANCE [USER_DATA]\n"
"  hz-get ID | hz-delete ID | hz-action ID | hz-actions ID...\n"
"  hz-find INSTANCE | hz-find-name NAME\n"
"  hz-act ID poweron|poweroff|shutdown|reboot|reset\n"
"  hz-rebuild ID IMAGE | hz-change-type ID TYPE\n"
"  hz-create-image ID INSTANCE | hz-images [INSTANCE] | hz-image-delete ID\n"
"  cf-create TYPE NAME CONTENT | cf-ensure TYPE NAME CONTENT\n"
"  cf-list NAME [TYPE] | cf-patch ID CONTENT | cf-delete ID\n"
"  rs-send FROM TO SUBJECT TEXT [IDEMPOTENCY_KEY]\n"
"  wh-update SERVICEID STATUS IP DOMAIN | wh-get SERVICEID\n";

static int64_t
id_arg(const char *s)
{
	int64_t	 v;

	if (hcl_parse_id(s, &v) == -1) {
		fprintf(stderr, "prov-drive: bad id '%s'\n", s);
		exit(2);
	}
	return v;
}

static void
add_server(cJSON *o, const struct hz_server *s)
{
	cJSON_AddNumberToObject(o, "id", (double)s->id);
	cJSON_AddStringToObject(o, "name", s->name);
	cJSON_AddStringToObject(o, "status", s->status);
	cJSON_AddStringToObject(o, "ipv4", s->ipv4);
	cJSON_AddStringToObject(o, "ipv6", s->ipv6);
	cJSON_AddStringToObject(o, "server_type", s->server_type);
	cJSON_AddStringToObject(o, "location", s->location);
	cJSON_AddStringToObject(o, "instance", s->instance);
}

static void
add_action(cJSON *o, const struct hz_action *a)
{
	cJSON_AddNumberToObject(o, "id", (double)a->id);
	cJSON_AddStringToObject(o, "status", hz_action_status_name(a->status));
	cJSON_AddStringToObject(o, "command", a->command);
	cJSON_AddNumberToObject(o, "progress", a->progress);
	if (a->status == HZ_ACTION_ERROR) {
		cJSON_AddStringToObject(o, "error_code", a->error_code);
		cJSON_AddStringToObject(o, "error_message", a->error_message);
	}
}

static void
add_record(cJSON *o, const struct cf_record *r)
{
	cJSON_AddStringToObject(o, "id", r->id);
	cJSON_AddStringToObject(o, "type", r->type);
	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddStringToObject(o, "content", r->content);
	cJSON_AddNumberToObject(o, "ttl", r->ttl);
}

static int
run_hz(struct hz *hz, int argc, char **argv, cJSON *out, struct prov_err *e)
{
	struct hz_server	 srv[20];
	struct hz_action	 act, acts[25];
	struct hz_image		 img[20];
	struct hz_create	 c;
	const char		*cmd = argv[0];
	cJSON			*arr;
	int64_t			 ids[25], image_id;
	size_t			 n, i;
	int			 a;

	if (strcmp(cmd, "hz-create") == 0 && (argc == 6 || argc == 7)) {
		memset(&c, 0, sizeof(c));
		c.name = argv[1];
		c.server_type = argv[2];
		c.image = argv[3];
		c.location = argv[4];
		c.instance = argv[5];
		c.user_data = argc == 7 ? argv[6] : NULL;
		c.start_after_create = 1;
		if (hz_server_create(hz, &c, &srv[0], &act, e) == OCH_OK) {
			add_server(cJSON_AddObjectToObject(out, "server"), &srv[0]);
			add_action(cJSON_AddObjectToObject(out, "action"), &act);
		}
	} else if (strcmp(cmd, "hz-get") == 0 && argc == 2) {
		if (hz_server_get(hz, id_arg(argv[1]), &srv[0], e) == OCH_OK)
			add_server(cJSON_AddObjectToObject(out, "server"), &srv[0]);
	} else if ((strcmp(cmd, "hz-find") == 0 ||
	    strcmp(cmd, "hz-find-name") == 0) && argc == 2) {
		if ((cmd[7] == '\0' ? hz_server_find_instance(hz, argv[1], srv,
		    OCH_NELEM(srv), &n, e) : hz_server_list(hz, NULL, argv[1],
		    srv, OCH_NELEM(srv), &n, e)) == OCH_OK) {
			cJSON_AddNumberToObject(out, "n", (double)n);
			arr = cJSON_AddArrayToObject(out, "servers");
			for (i = 0; i < n && i < OCH_NELEM(srv); i++) {
				cJSON *o = cJSON_CreateObject();
				add_server(o, &srv[i]);
				cJSON_AddItemToArray(arr, o);
			}
		}
	} else if (strcmp(cmd, "hz-delete") == 0 && argc == 2) {
		if (hz_server_delete(hz, id_arg(argv[1]), &act, e) == OCH_OK)
			add_action(cJSON_AddObjectToObject(out, "action"), &act);
	} else if (strcmp(cmd, "hz-act") == 0 && argc == 3) {
		static const char *const names[HZ_ACT__MAX] = { "poweron",
		    "poweroff", "shutdown", "reboot", "reset" };
		for (a = 0; a < HZ_ACT__MAX; a++)
			if (strcmp(argv[2], names[a]) == 0)
				break;
		if (a == HZ_ACT__MAX)
			return -1;
		if (hz_server_act(hz, id_arg(argv[1]), (enum hz_act)a, &act,
		    e) == OCH_OK)
			add_action(cJSON_AddObjectToObject(out, "action"), &act);
	} else if (strcmp(cmd, "hz-rebuild") == 0 && argc == 3) {
		if (hz_server_rebuild(hz, id_arg(argv[1]), argv[2], NULL, &act,
		    e) == OCH_OK)
			add_action(cJSON_AddObjectToObject(out, "action"), &act);
	} else if (strcmp(cmd, "hz-change-type") == 0 && argc == 3) {
		if (hz_server_change_type(hz, id_arg(argv[1]), argv[2], 0, &act,
		    e) == OCH_OK)
			add_action(cJSON_AddObjectToObject(out, "action"), &act);
	} else if (strcmp(cmd, "hz-create-image") == 0 && argc == 3) {
		if (hz_server_create_image(hz, id_arg(argv[1]), "test snapshot",
		    argv[2], &image_id, &act, e) == OCH_OK) {
			cJSON_AddNumberToObject(out, "image_id",
			    (double)image_id);
			add_action(cJSON_AddObjectToObject(out, "action"), &act);
		}
	} else if (strcmp(cmd, "hz-action") == 0 && argc == 2) {
		if (hz_action_get(hz, id_arg(argv[1]), &act, e) == OCH_OK)
			add_action(cJSON_AddObjectToObject(out, "action"), &act);
	} else if (strcmp(cmd, "hz-actions") == 0 && argc >= 2 && argc <= 26) {
		for (i = 1; i < (size_t)argc; i++)
			ids[i - 1] = id_arg(argv[i]);
		if (hz_actions_get(hz, ids, (size_t)argc - 1, acts, e) ==
		    OCH_OK) {
			arr = cJSON_AddArrayToObject(out, "actions");
			for (i = 0; i + 1 < (size_t)argc; i++) {
				cJSON *o = cJSON_CreateObject();
				add_action(o, &acts[i]);
				cJSON_AddItemToArray(arr, o);
			}
		}
	} else if (strcmp(cmd, "hz-images") == 0 && argc <= 2) {
		char	*sel = argc == 2 ?
		    xasprintf("%s=%s", HZ_LABEL, argv[1]) : NULL;
		if (hz_image_list(hz, sel, img, OCH_NELEM(img), &n, e) ==
		    OCH_OK) {
			cJSON_AddNumberToObject(out, "n", (double)n);
			arr = cJSON_AddArrayToObject(out, "images");
			for (i = 0; i < n && i < OCH_NELEM(img); i++) {
				cJSON *o = cJSON_CreateObject();
				cJSON_AddNumberToObject(o, "id",
				    (double)img[i].id);
				cJSON_AddStringToObject(o, "status",
				    img[i].status);
				cJSON_AddStringToObject(o, "instance",
				    img[i].instance);
				cJSON_AddItemToArray(arr, o);
			}
		}
		free(sel);
	} else if (strcmp(cmd, "hz-image-delete") == 0 && argc == 2) {
		(void)hz_image_delete(hz, id_arg(argv[1]), e);
	} else
		return -1;
	return 0;
}

static int
run_cf(struct cf *cf, int argc, char **argv, cJSON *out, struct prov_err *e)
{
	struct cf_record	 rec[20];
	const char		*cmd = argv[0];
	cJSON			*arr;
	size_t			 n, i;

	if (strcmp(cmd, "cf-create") == 0 && argc == 4) {
		if (cf_record_create(cf, argv[1], argv[2], argv[3], CF_TTL_AUTO,
		    &rec[0], e) == OCH_OK)
			add_record(cJSON_AddObjectToObject(out, "record"), &rec[0]);
	} else if (strcmp(cmd, "cf-ensure") == 0 && argc == 4) {
		if (cf_record_ensure(cf, argv[1], argv[2], argv[3], CF_TTL_AUTO,
		    &rec[0], e) == OCH_OK)
			add_record(cJSON_AddObjectToObject(out, "record"), &rec[0]);
	} else if (strcmp(cmd, "cf-list") == 0 && (argc == 2 || argc == 3)) {
		if (cf_record_list(cf, argv[1], argc == 3 ? argv[2] : NULL, rec,
		    OCH_NELEM(rec), &n, e) == OCH_OK) {
			cJSON_AddNumberToObject(out, "n", (double)n);
			arr = cJSON_AddArrayToObject(out, "records");
			for (i = 0; i < n && i < OCH_NELEM(rec); i++) {
				cJSON *o = cJSON_CreateObject();
				add_record(o, &rec[i]);
				cJSON_AddItemToArray(arr, o);
			}
		}
	} else if (strcmp(cmd, "cf-patch") == 0 && argc == 3) {
		if (cf_record_patch(cf, argv[1], argv[2], CF_TTL_AUTO, &rec[0],
		    e) == OCH_OK)
			add_record(cJSON_AddObjectToObject(out, "record"), &rec[0]);
	} else if (strcmp(cmd, "cf-delete") == 0 && argc == 2) {
		(void)cf_record_delete(cf, argv[1], e);
	} else
		return -1;
	cJSON_AddBoolToObject(out, "duplicate", cf_is_duplicate(e));
	return 0;
}

static int
run_rs(struct rs *rs, int argc, char **argv, cJSON *out, struct prov_err *e)
{
	struct rs_email	 m;
	const char	*to[2], *tags[] = { "category", "test", NULL };
	char		 id[128];

	if (strcmp(argv[0], "rs-send") != 0 || argc < 5 || argc > 6)
		return -1;
	memset(&m, 0, sizeof(m));
	to[0] = argv[2];
	to[1] = NULL;
	m.from = argv[1];
	m.to = to;
	m.subject = argv[3];
	m.text = argv[4];
	m.html = NULL;
	m.tags = tags;
	m.idempotency_key = argc == 6 ? argv[5] : NULL;
	if (rs_send(rs, &m, id, sizeof(id), e) == OCH_OK)
		cJSON_AddStringToObject(out, "id", id);
	return 0;
}

static int
run_wh(struct wh *wh, int argc, char **argv, cJSON *out, struct prov_err *e)
{
	struct wh_update	 u;
	struct wh_product	 p;
	cJSON			*o;

	if (strcmp(argv[0], "wh-update") == 0 && argc == 5) {
		memset(&u, 0, sizeof(u));
		u.serviceid = id_arg(argv[1]);
		u.status = argv[2];
		u.dedicatedip = argv[3];
		u.domain = argv[4];
		(void)wh_update_client_product(wh, &u, e);
	} else if (strcmp(argv[0], "wh-get") == 0 && argc == 2) {
		if (wh_get_clients_products(wh, id_arg(argv[1]), &p, e) ==
		    OCH_OK) {
			o = cJSON_AddObjectToObject(out, "product");
			cJSON_AddNumberToObject(o, "id", (double)p.id);
			cJSON_AddNumberToObject(o, "clientid", (double)p.clientid);
			cJSON_AddStringToObject(o, "status", p.status);
			cJSON_AddStringToObject(o, "domain", p.domain);
			cJSON_AddStringToObject(o, "dedicatedip", p.dedicatedip);
		}
	} else
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	static const enum cfg_key	 none[] = { CFG__MAX };
	struct cfg			 cfg;
	struct hcl			*http;
	struct hz			*hz = NULL;
	struct cf			*cf = NULL;
	struct rs			*rs = NULL;
	struct wh			*wh = NULL;
	struct prov_err			 e;
	struct hcl_ratelimit		 rl;
	cJSON				*out, *o;
	const char			*v;
	char				*s, line[600];
	int				 rc = -1, retries = -1;

	log_init("prov-drive");
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (cfg_load(&cfg, none) == -1)
		return 2;
	if ((http = hcl_new()) == NULL) {
		fprintf(stderr, "prov-drive: cannot initialise libcurl\n");
		return 1;
	}
	if ((v = getenv("PROV_TIMEOUT_MS")) != NULL)
		hcl_set_timeouts(http, 0, atol(v));
	if ((v = getenv("PROV_RETRIES")) != NULL)
		retries = atoi(v);
	out = cJSON_CreateObject();
	hcl_perr_init(&e, "?");
	argc--;
	argv++;
	if (strncmp(argv[0], "hz-", 3) == 0 &&
	    (hz = hz_from_cfg(http, &cfg)) != NULL) {
		if (retries >= 0)
			hz_set_policy(hz, retries, 100, 1000);
		rc = run_hz(hz, argc, argv, out, &e);
		hz_rl_get(&rl, NULL);
		o = cJSON_AddObjectToObject(out, "rl");
		cJSON_AddNumberToObject(o, "limit", (double)rl.limit);
		cJSON_AddNumberToObject(o, "remaining", (double)rl.remaining);
		cJSON_AddNumberToObject(o, "reset_at", (double)rl.reset_at);
	} else if (strncmp(argv[0], "cf-", 3) == 0 &&
	    (cf = cf_from_cfg(http, &cfg)) != NULL) {
		if (retries >= 0)
			cf_set_policy(cf, retries, 100, 1000);
		rc = run_cf(cf, argc, argv, out, &e);
	} else if (strncmp(argv[0], "rs-", 3) == 0 &&
	    (rs = rs_from_cfg(http, &cfg)) != NULL) {
		if (retries >= 0)
			rs_set_policy(rs, retries, 100, 1000);
		rc = run_rs(rs, argc, argv, out, &e);
	} else if (strncmp(argv[0], "wh-", 3) == 0 &&
	    (wh = wh_from_cfg(http, &cfg)) != NULL) {
		if (retries >= 0)
			wh_set_policy(wh, retries, 100, 1000);
		rc = run_wh(wh, argc, argv, out, &e);
	}
	if (rc == 0) {
		cJSON_AddBoolToObject(out, "ok", e.err == OCH_OK);
		cJSON_AddStringToObject(out, "err", err_code(e.err));
		cJSON_AddBoolToObject(out, "retryable", e.retryable);
		cJSON_AddNumberToObject(out, "status", e.status);
		cJSON_AddStringToObject(out, "code", e.code);
		cJSON_AddStringToObject(out, "message", e.message);
		cJSON_AddStringToObject(out, "corr_id", e.corr_id);
		cJSON_AddNumberToObject(out, "retry_after_ms",
		    (double)e.retry_after_ms);
		cJSON_AddStringToObject(out, "line",
		    hcl_perr_str(&e, line, sizeof(line)));
		s = cJSON_PrintUnformatted(out);
		puts(s);
		cJSON_free(s);
	} else
		fputs(usage, stderr);
	cJSON_Delete(out);
	hz_free(hz);
	cf_free(cf);
	rs_free(rs);
	wh_free(wh);
	hcl_free(http);
	cfg_free(&cfg);
	return rc == 0 ? 0 : 2;
}
