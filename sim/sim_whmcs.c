/*
 * sim_whmcs.c: the WHMCS API stand-in (see sim_whmcs.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "och.h"
#include "log.h"
#include "util.h"
#include "sim_whmcs.h"

#define WH_MAX_FIELDS	256
#define WH_MAX_CALLS	100000

struct form {
	char	*key[WH_MAX_FIELDS];
	char	*val[WH_MAX_FIELDS];
	int	 n;
};

static cJSON	*services;	/* array of service objects */
static cJSON	*calls;		/* array of calls */

static const char *const masked[] = {
	"secret", "password", "accesskey"
};

static void
form_free(struct form *f)
{
	int	 i;

	for (i = 0; i < f->n; i++) {
		free(f->key[i]);
		xfree_secret(f->val[i]);
	}
	f->n = 0;
}

/* Split application/x-www-form-urlencoded text into f. */
static void
form_parse(const char *body, struct form *f)
{
	char	*copy, *pair, *save = NULL, *eq;

	copy = xstrdup(body);
	for (pair = strtok_r(copy, "&", &save); pair != NULL &&
	    f->n < WH_MAX_FIELDS; pair = strtok_r(NULL, "&", &save)) {
		if ((eq = strchr(pair, '=')) != NULL)
			*eq++ = '\0';
		su_urldecode(pair);
		if (*pair == '\0')
			continue;
		f->key[f->n] = xstrdup(pair);
		f->val[f->n] = xstrdup(eq ? eq : "");
		su_urldecode(f->val[f->n]);
		f->n++;
	}
	explicit_bzero(copy, strlen(copy));
	free(copy);
}

/* Last value of a key (PHP's $_POST keeps the last one), or NULL. */
static const char *
form_get(const struct form *f, const char *k)
{
	int	 i;

	for (i = f->n - 1; i >= 0; i--)
		if (strcmp(f->key[i], k) == 0)
			return f->val[i];
	return NULL;
}

static int
is_masked(const char *k)
{
	size_t	 i;

	for (i = 0; i < OCH_NELEM(masked); i++)
		if (strcmp(k, masked[i]) == 0)
			return 1;
	return 0;
}

/* --- output ------------------------------------------------------- */

static void
xml_esc(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			buf_puts(b, "&amp;");
		else if (*s == '<')
			buf_puts(b, "&lt;");
		else if (*s == '>')
			buf_puts(b, "&gt;");
		else
			buf_putc(b, *s);
	}
}

static void
xml_value(struct buf *b, const cJSON *j)
{
	const cJSON	*e;
	char		 num[48];

	if (cJSON_IsObject(j)) {
		cJSON_ArrayForEach(e, j) {
			if (cJSON_IsArray(e)) {
				const cJSON	*x;

				cJSON_ArrayForEach(x, e) {
					buf_printf(b, "<%s>", e->string);
					xml_value(b, x);
					buf_printf(b, "</%s>", e->string);
				}
				continue;
			}
			buf_printf(b, "<%s>", e->string);
			xml_value(b, e);
			buf_printf(b, "</%s>\n", e->string);
		}
	} else if (cJSON_IsString(j))
		xml_esc(b, j->valuestring);
	else if (cJSON_IsNumber(j)) {
		snprintf(num, sizeof(num), "%.15g", j->valuedouble);
		buf_puts(b, num);
	} else if (cJSON_IsBool(j))
		buf_puts(b, cJSON_IsTrue(j) ? "true" : "false");
}

/* Answer in the response type asked for (JSON or WHMCS's XML). */
static void
answer(struct http_req *r, const struct form *f, int status, cJSON *o)
{
	const char	*rt;
	struct buf	 b = { 0 };

	rt = form_get(f, "responsetype");
	if (rt != NULL && strcmp(rt, "json") == 0) {
		http_json(r, status, o);
		return;
	}
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<whmcsapi version=\"8.13.1\">\n");
	xml_value(&b, o);
	buf_puts(&b, "</whmcsapi>\n");
	cJSON_Delete(o);
	http_text(r, status, "text/xml; charset=utf-8", b.data);
	buf_free(&b);
}

static cJSON *
error_obj(const char *msg)
{
	cJSON	*o;

	o = su_jobj();
	su_jstr(o, "result", "error");
	su_jstr(o, "message", msg);
	return o;
}

/* --- services ----------------------------------------------------- */

static cJSON *
service_find(long id)
{
	cJSON	*s, *i;

	cJSON_ArrayForEach(s, services) {
		i = cJSON_GetObjectItemCaseSensitive(s, "id");
		if (cJSON_IsNumber(i) && (long)i->valuedouble == id)
			return s;
	}
	return NULL;
}

static void
set_str(cJSON *o, const char *k, const char *v)
{
	cJSON	*old;

	if ((old = cJSON_GetObjectItemCaseSensitive(o, k)) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(o, k,
		    cJSON_CreateString(v));
	else
		su_jstr(o, k, v);
}

static cJSON *
service_new(long id)
{
	cJSON	*s;
	char	 day[16];
	time_t	 t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	s = su_jobj();
	su_jnum(s, "id", id);
	su_jnum(s, "clientid", 1);
	su_jnum(s, "orderid", id);
	su_jnum(s, "pid", 1);
	su_jstr(s, "regdate", day);
	su_jstr(s, "name", "OpenClaw Starter");
	su_jstr(s, "translated_name", "OpenClaw Starter");
	su_jstr(s, "groupname", "OpenClaw");
	su_jstr(s, "domain", "");
	su_jstr(s, "dedicatedip", "");
	su_jnum(s, "serverid", 1);
	su_jstr(s, "servername", "openclawhost");
	su_jstr(s, "serverip", "");
	su_jstr(s, "serverhostname", "");
	su_jstr(s, "suspensionreason", "");
	su_jstr(s, "firstpaymentamount", "9.00");
	su_jstr(s, "recurringamount", "9.00");
	su_jstr(s, "paymentmethod", "banktransfer");
	su_jstr(s, "paymentmethodname", "Bank Transfer");
	su_jstr(s, "billingcycle", "Monthly");
	su_jstr(s, "nextduedate", day);
	su_jstr(s, "status", "Pending");
	su_jstr(s, "username", "");
	su_jstr(s, "password", "");
	su_jstr(s, "subscriptionid", "");
	su_jstr(s, "assignedips", "");
	su_jstr(s, "notes", "");
	su_jnum(s, "diskusage", 0);
	su_jnum(s, "disklimit", 0);
	su_jnum(s, "bwusage", 0);
	su_jnum(s, "bwlimit", 0);
	su_jstr(s, "lastupdate", "0000-00-00 00:00:00");
	cJSON_AddItemToArray(services, s);
	return s;
}

int
swh_seed(const cJSON *j, const char **err)
{
	const cJSON	*e, *id, *f;
	cJSON		*s;

	if (services == NULL)
		services = su_jarr();
	if (cJSON_IsObject(j)) {
		id = cJSON_GetObjectItemCaseSensitive(j, "serviceid");
		if (!cJSON_IsNumber(id) || id->valuedouble < 1) {
			*err = "serviceid must be a positive number";
			return -1;
		}
		if ((s = service_find((long)id->valuedouble)) == NULL)
			s = service_new((long)id->valuedouble);
		cJSON_ArrayForEach(f, j) {
			if (strcmp(f->string, "serviceid") == 0)
				continue;
			if (cJSON_GetObjectItemCaseSensitive(s, f->string))
				cJSON_ReplaceItemInObjectCaseSensitive(s,
				    f->string, cJSON_Duplicate(f, 1));
			else
				cJSON_AddItemToObject(s, f->string,
				    cJSON_Duplicate(f, 1));
		}
		return 0;
	}
	if (!cJSON_IsArray(j)) {
		*err = "expected a service object or an array of them";
		return -1;
	}
	cJSON_ArrayForEach(e, j)
		if (!cJSON_IsObject(e) || !cJSON_IsNumber(
		    cJSON_GetObjectItemCaseSensitive(e, "serviceid"))) {
			*err = "every service needs a numeric serviceid";
			return -1;
		}
	cJSON_ArrayForEach(e, j)
		if (swh_seed(e, err) == -1)
			return -1;
	return 0;
}

/*
 * The service a command names (serviceid, or accountid for the old
 * names).  Unknown ids are created unless --whmcs-strict.  NULL when
 * missing or unknown.
 */
static cJSON *
service_arg(const struct form *f, const char **why)
{
	const char	*v;
	int64_t		 id;
	cJSON		*s;

	v = form_get(f, "serviceid");
	if (v == NULL)
		v = form_get(f, "accountid");
	if (v == NULL || su_parse_id(v, &id) == -1 || id == 0) {
		*why = "Service ID Not Found";
		return NULL;
	}
	if ((s = service_find((long)id)) != NULL)
		return s;
	if (su_cfg.whmcs_strict) {
		*why = "Service ID Not Found";
		return NULL;
	}
	return service_new((long)id);
}

/* --- commands ----------------------------------------------------- */

static cJSON *
cmd_update(const struct form *f)
{
	static const char *const plain[] = {
		"domain", "dedicatedip", "assignedips", "notes",
		"suspendreason", "customfields", "configoptions",
		"firstpaymentamount", "recurringamount", "billingcycle",
		"nextduedate", "regdate", "paymentmethod", "subscriptionid",
		"overideautosuspend", "overidesuspenduntil", "ns1", "ns2",
		"promoid", "serverid", "pid", "autorecalc"
	};
	static const char *const nums[] = {
		"diskusage", "disklimit", "bwusage", "bwlimit"
	};
	const char	*why, *v;
	cJSON		*s, *o;
	size_t		 i;
	char		 ts[32];
	time_t		 t;
	struct tm	 tm;

	if ((s = service_arg(f, &why)) == NULL)
		return error_obj(why);
	if ((v = form_get(f, "status")) != NULL) {
		if (strcmp(v, "Pending") && strcmp(v, "Active") &&
		    strcmp(v, "Suspended") && strcmp(v, "Terminated") &&
		    strcmp(v, "Cancelled") && strcmp(v, "Fraud") &&
		    strcmp(v, "Completed"))
			return error_obj("Invalid status");
		set_str(s, "status", v);
	}
	for (i = 0; i < OCH_NELEM(plain); i++)
		if ((v = form_get(f, plain[i])) != NULL)
			set_str(s, strcmp(plain[i], "suspendreason") == 0 ?
			    "suspensionreason" : plain[i], v);
	if ((v = form_get(f, "serviceusername")) != NULL)
		set_str(s, "username", v);
	if ((v = form_get(f, "servicepassword")) != NULL)
		set_str(s, "password", v);
	for (i = 0; i < OCH_NELEM(nums); i++)
		if ((v = form_get(f, nums[i])) != NULL) {
			cJSON_ReplaceItemInObjectCaseSensitive(s, nums[i],
			    cJSON_CreateNumber(atof(v)));
			t = time(NULL);
			gmtime_r(&t, &tm);
			strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
			set_str(s, "lastupdate", ts);
		}
	o = su_jobj();
	su_jstr(o, "result", "success");
	snprintf(ts, sizeof(ts), "%.0f", cJSON_GetObjectItemCaseSensitive(s,
	    "id")->valuedouble);
	su_jstr(o, "serviceid", ts);
	return o;
}

static cJSON *
cmd_module(const struct form *f, const char *action)
{
	const char	*why, *st = NULL;
	cJSON		*s, *o;

	if ((s = service_arg(f, &why)) == NULL)
		return error_obj(why);
	if (strcmp(action, "ModuleCreate") == 0 ||
	    strcmp(action, "ModuleUnsuspend") == 0)
		st = "Active";
	else if (strcmp(action, "ModuleSuspend") == 0) {
		st = "Suspended";
		if (form_get(f, "suspendreason") != NULL)
			set_str(s, "suspensionreason",
			    form_get(f, "suspendreason"));
	} else if (strcmp(action, "ModuleTerminate") == 0)
		st = "Terminated";
	else if (strcmp(action, "ModuleCustom") == 0 &&
	    form_get(f, "func_name") == NULL)
		return error_obj("Function Name is required");
	if (st != NULL)
		set_str(s, "status", st);
	o = su_jobj();
	su_jstr(o, "result", "success");
	return o;
}

static int
match(const cJSON *s, const char *k, const char *want)
{
	const cJSON	*v;
	char		 num[32];

	if (want == NULL)
		return 1;
	v = cJSON_GetObjectItemCaseSensitive(s, k);
	if (cJSON_IsNumber(v)) {
		snprintf(num, sizeof(num), "%.0f", v->valuedouble);
		return strcmp(num, want) == 0;
	}
	return cJSON_IsString(v) && strcmp(v->valuestring, want) == 0;
}

static cJSON *
cmd_products(const struct form *f)
{
	const char	*cid, *sid, *pid, *dom, *user, *v;
	cJSON		*o, *ps, *arr, *s;
	long		 start = 0, num = 25, total = 0, k = 0;

	cid = form_get(f, "clientid");
	sid = form_get(f, "serviceid");
	pid = form_get(f, "pid");
	dom = form_get(f, "domain");
	user = form_get(f, "username2");
	if ((v = form_get(f, "limitstart")) != NULL)
		start = atol(v) < 0 ? 0 : atol(v);
	if ((v = form_get(f, "limitnum")) != NULL)
		num = atol(v) < 1 ? 25 : atol(v);
	arr = su_jarr();
	cJSON_ArrayForEach(s, services) {
		if (!match(s, "clientid", cid) || !match(s, "id", sid) ||
		    !match(s, "pid", pid) || !match(s, "domain", dom) ||
		    !match(s, "username", user))
			continue;
		total++;
		if (k++ < start || cJSON_GetArraySize(arr) >= num)
			continue;
		cJSON_AddItemToArray(arr, cJSON_Duplicate(s, 1));
	}
	o = su_jobj();
	su_jstr(o, "result", "success");
	su_jstr(o, "clientid", cid ? cid : "");
	su_jstr(o, "serviceid", sid ? sid : "");
	su_jstr(o, "pid", pid ? pid : "");
	su_jstr(o, "domain", dom ? dom : "");
	su_jnum(o, "totalresults", total);
	su_jnum(o, "startnumber", start);
	su_jnum(o, "numreturned", cJSON_GetArraySize(arr));
	ps = su_jobj();
	cJSON_AddItemToObject(ps, "product", arr);
	cJSON_AddItemToObject(o, "products", ps);
	return o;
}

static void
record(const struct form *f, const char *action, const cJSON *res)
{
	cJSON		*c, *p;
	const cJSON	*m;
	int		 i;

	if (calls == NULL)
		calls = su_jarr();
	if (cJSON_GetArraySize(calls) >= WH_MAX_CALLS)
		cJSON_DeleteItemFromArray(calls, 0);
	c = su_jobj();
	su_jstr(c, "action", action ? action : "");
	p = su_jobj();
	for (i = 0; i < f->n; i++) {
		if (cJSON_GetObjectItemCaseSensitive(p, f->key[i]) != NULL)
			cJSON_DeleteItemFromObjectCaseSensitive(p, f->key[i]);
		su_jstr(p, f->key[i], is_masked(f->key[i]) ? "********" :
		    f->val[i]);
	}
	cJSON_AddItemToObject(c, "params", p);
	m = cJSON_GetObjectItemCaseSensitive(res, "result");
	su_jstr(c, "result", cJSON_IsString(m) ? m->valuestring : "");
	m = cJSON_GetObjectItemCaseSensitive(res, "message");
	su_jstr_or_null(c, "message", cJSON_IsString(m) ? m->valuestring :
	    NULL);
	su_jtime(c, "at", su_wall());
	cJSON_AddItemToArray(calls, c);
}

/* The canonical spelling of a Module* command, or NULL. */
static const char *
module_name(const char *action)
{
	static const char *const mods[] = {
		"ModuleCreate", "ModuleSuspend", "ModuleUnsuspend",
		"ModuleTerminate", "ModuleChangePackage", "ModuleChangePw",
		"ModuleCustom"
	};
	size_t	 i;

	for (i = 0; i < OCH_NELEM(mods); i++)
		if (strcasecmp(action, mods[i]) == 0)
			return mods[i];
	return NULL;
}

static void
api(struct http_req *r)
{
	struct form	 f = { 0 };
	const char	*id, *sec, *action, *mod;
	cJSON		*o;
	int		 status = 200;

	if (services == NULL)
		services = su_jarr();
	form_parse(r->body.data ? r->body.data : "", &f);
	id = form_get(&f, "identifier");
	sec = form_get(&f, "secret");
	if (id == NULL && sec == NULL) {
		id = form_get(&f, "username");
		sec = form_get(&f, "password");
	}
	action = form_get(&f, "action");
	if (!su_streq_ct(id, su_cfg.whmcs_id) ||
	    !su_streq_ct(sec, su_cfg.whmcs_secret)) {
		o = error_obj("Authentication Failed");
		status = 403;
	} else if (action == NULL)
		o = error_obj("Command Not Found");
	else if (strcasecmp(action, "UpdateClientProduct") == 0)
		o = cmd_update(&f);
	else if (strcasecmp(action, "GetClientsProducts") == 0)
		o = cmd_products(&f);
	else if ((mod = module_name(action)) != NULL) {
		o = cmd_module(&f, mod);
	} else if (strcasecmp(action, "GetModuleQueue") == 0) {
		o = su_jobj();
		su_jstr(o, "result", "success");
		su_jnum(o, "count", 0);
		cJSON_AddItemToObject(o, "queue", su_jarr());
	} else
		o = error_obj("Command Not Found");
	record(&f, action, o);
	log_info("whmcs: %s -> %s", action ? action : "(none)",
	    cJSON_GetObjectItemCaseSensitive(o, "result")->valuestring);
	answer(r, &f, status, o);
	form_free(&f);
}

cJSON *
swh_json(void)
{
	cJSON	*o;

	o = su_jobj();
	cJSON_AddItemToObject(o, "calls", calls ? cJSON_Duplicate(calls, 1) :
	    su_jarr());
	cJSON_AddItemToObject(o, "services", services ?
	    cJSON_Duplicate(services, 1) : su_jarr());
	return o;
}

void
swh_reset(void)
{
	cJSON_Delete(calls);
	cJSON_Delete(services);
	calls = services = NULL;
}

static int
front(struct http_req *r)
{
	return 1;
}

/* api.php checks credentials itself (they are in the body). */
static int
auth(struct http_req *r)
{
	return 1;
}

static void
fault(struct http_req *r, enum flt_kind k)
{
	static const int codes[FLT__MAX] = {
		[FLT_429] = 429, [FLT_502] = 502, [FLT_503] = 503,
		[FLT_504] = 504,
	};
	int	 st = codes[k] ? codes[k] : 500;

	if (st == 500 || st == 429) {
		http_json(r, st, error_obj(st == 429 ? "Too Many Requests" :
		    "An internal error occurred"));
		return;
	}
	http_text(r, st, "text/html", st == 502 ? "<html><body><h1>502 Bad "
	    "Gateway</h1></body></html>\n" : st == 503 ? "<html><body><h1>503 "
	    "Service Unavailable</h1></body></html>\n" : "<html><body><h1>504 "
	    "Gateway Time-out</h1></body></html>\n");
}

static void
nomatch(struct http_req *r, int status)
{
	if (status == 405)
		http_json(r, 405, error_obj("Method Not Allowed"));
	else if (status == 413)
		http_json(r, 413, error_obj("Request Entity Too Large"));
	else
		http_text(r, 404, "text/html", "<html><body><h1>404 Not "
		    "Found</h1></body></html>\n");
}

static const struct http_route routes[] = {
	{ "POST", "/", api },
};

const struct http_svc swh_svc = {
	"whmcs", "/whmcs/includes/api.php", routes, OCH_NELEM(routes), 1,
	front, auth, fault, nomatch,
};
