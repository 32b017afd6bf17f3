/*
 * fault.c: fault rules, scripts and seeded random injection (see fault.h).
 */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "och.h"
#include "fault.h"
#include "util.h"

#define FLT_MAX_RULES	256
#define FLT_MAX_SCRIPT	10000

struct rule {
	int		 id;
	char		*service;
	char		*route;
	enum flt_kind	*script;
	size_t		 nscript, pos;
	double		 probability;
	enum flt_kind	 kinds[FLT__MAX];
	size_t		 nkinds;
	double		 hang;
	int		 status;
	long		 matched;
	long		 injected[FLT__MAX];
};

static const char *const names[FLT__MAX] = {
	"ok",				/* FLT_NONE */
	"429",				/* FLT_429 */
	"500",				/* FLT_500 */
	"502",				/* FLT_502 */
	"503",				/* FLT_503 */
	"504",				/* FLT_504 */
	"locked",			/* FLT_LOCKED */
	"conflict",			/* FLT_CONFLICT */
	"resource_unavailable",		/* FLT_UNAVAILABLE */
	"hang",				/* FLT_HANG */
	"drop",				/* FLT_DROP */
	"error_but_created",		/* FLT_ERROR_BUT_CREATED */
	"drop_but_created",		/* FLT_DROP_BUT_CREATED */
	"hang_but_created",		/* FLT_HANG_BUT_CREATED */
	"action_error",			/* FLT_ACTION_ERROR */
};

static const char *const services[] = {
	"hetzner", "cloudflare", "resend", "whmcs"
};

static struct rule	*rules[FLT_MAX_RULES];
static size_t		 nrules;
static int		 lastid;

const char *
flt_name(enum flt_kind k)
{
	return (unsigned)k < FLT__MAX ? names[k] : "ok";
}

int
flt_after_work(enum flt_kind k)
{
	return k == FLT_ERROR_BUT_CREATED || k == FLT_DROP_BUT_CREATED ||
	    k == FLT_HANG_BUT_CREATED || k == FLT_ACTION_ERROR;
}

/* Kind by name (numbers may also come as JSON numbers); -1 if unknown. */
static int
kind_by_name(const cJSON *j)
{
	char	 num[16];
	const char *s;
	int	 i;

	if (cJSON_IsNumber(j)) {
		snprintf(num, sizeof(num), "%d", (int)j->valuedouble);
		s = num;
	} else if (cJSON_IsString(j))
		s = j->valuestring;
	else
		return -1;
	for (i = 0; i < FLT__MAX; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* 1 when the kind only makes sense for Hetzner. */
static int
hetzner_only(enum flt_kind k)
{
	return k == FLT_LOCKED || k == FLT_CONFLICT || k == FLT_UNAVAILABLE ||
	    k == FLT_ACTION_ERROR;
}

static void
rule_free(struct rule *r)
{
	if (r == NULL)
		return;
	free(r->service);
	free(r->route);
	free(r->script);
	free(r);
}

void
flt_clear(void)
{
	size_t	 i;

	for (i = 0; i < nrules; i++)
		rule_free(rules[i]);
	nrules = 0;
}

/* Build one rule from JSON; NULL with *err on bad input. */
static struct rule *
rule_parse(const cJSON *j, const char **err)
{
	struct rule	*r;
	const cJSON	*svc, *route, *script, *p, *kinds, *hang, *status, *e;
	size_t		 i;
	int		 k;

	if (!cJSON_IsObject(j)) {
		*err = "a rule must be an object";
		return NULL;
	}
	svc = cJSON_GetObjectItemCaseSensitive(j, "service");
	route = cJSON_GetObjectItemCaseSensitive(j, "route");
	script = cJSON_GetObjectItemCaseSensitive(j, "script");
	p = cJSON_GetObjectItemCaseSensitive(j, "probability");
	kinds = cJSON_GetObjectItemCaseSensitive(j, "kinds");
	hang = cJSON_GetObjectItemCaseSensitive(j, "hang_seconds");
	status = cJSON_GetObjectItemCaseSensitive(j, "status");
	if (!cJSON_IsString(svc)) {
		*err = "rule.service must be a string";
		return NULL;
	}
	for (i = 0; i < OCH_NELEM(services); i++)
		if (strcmp(svc->valuestring, services[i]) == 0)
			break;
	if (i == OCH_NELEM(services)) {
		*err = "rule.service must be hetzner, cloudflare, resend "
		    "or whmcs";
		return NULL;
	}
	if (route != NULL && !cJSON_IsString(route)) {
		*err = "rule.route must be a string";
		return NULL;
	}
	if (script != NULL && (!cJSON_IsArray(script) ||
	    cJSON_GetArraySize(script) > FLT_MAX_SCRIPT)) {
		*err = "rule.script must be an array of at most 10000 kinds";
		return NULL;
	}
	if (p != NULL && (!cJSON_IsNumber(p) || !(p->valuedouble >= 0 &&
	    p->valuedouble <= 1))) {
		*err = "rule.probability must be a number in [0,1]";
		return NULL;
	}
	if (kinds != NULL && !cJSON_IsArray(kinds)) {
		*err = "rule.kinds must be an array";
		return NULL;
	}
	if (hang != NULL && (!cJSON_IsNumber(hang) || !(hang->valuedouble >= 0
	    && hang->valuedouble <= 3600))) {
		*err = "rule.hang_seconds must be a number in [0,3600]";
		return NULL;
	}
	if (status != NULL && (!cJSON_IsNumber(status) ||
	    status->valuedouble < 500 || status->valuedouble > 504)) {
		*err = "rule.status must be 500..504";
		return NULL;
	}
	if (script == NULL && (p == NULL || kinds == NULL)) {
		*err = "a rule needs a script, or a probability and kinds";
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->service = xstrdup(svc->valuestring);
	r->route = xstrdup(route ? route->valuestring : "*");
	r->probability = p ? p->valuedouble : 0;
	r->hang = hang ? hang->valuedouble : su_cfg.hang_seconds;
	r->status = status ? (int)status->valuedouble : 500;
	if (script != NULL) {
		r->script = xcalloc(cJSON_GetArraySize(script) + 1,
		    sizeof(*r->script));
		cJSON_ArrayForEach(e, script) {
			if ((k = kind_by_name(e)) < 0)
				goto badkind;
			if (hetzner_only(k) && strcmp(r->service, "hetzner"))
				goto hetzner;
			r->script[r->nscript++] = k;
		}
	}
	if (kinds != NULL) {
		cJSON_ArrayForEach(e, kinds) {
			if ((k = kind_by_name(e)) < 0)
				goto badkind;
			if (hetzner_only(k) && strcmp(r->service, "hetzner"))
				goto hetzner;
			if (r->nkinds < FLT__MAX)
				r->kinds[r->nkinds++] = k;
		}
		if (r->nkinds == 0 && r->probability > 0) {
			*err = "rule.kinds must not be empty";
			rule_free(r);
			return NULL;
		}
	}
	return r;
badkind:
	*err = "unknown fault kind (see sim/README.md)";
	rule_free(r);
	return NULL;
hetzner:
	*err = "locked, conflict, resource_unavailable and action_error "
	    "are Hetzner faults";
	rule_free(r);
	return NULL;
}

int
flt_configure(const cJSON *j, const char **err)
{
	struct rule	*add[FLT_MAX_RULES];
	const cJSON	*list, *e, *seed, *replace = NULL;
	size_t		 n = 0, i;

	list = j;
	if (cJSON_IsObject(j) && cJSON_GetObjectItemCaseSensitive(j,
	    "service") == NULL) {
		list = cJSON_GetObjectItemCaseSensitive(j, "rules");
		replace = cJSON_GetObjectItemCaseSensitive(j, "replace");
		seed = cJSON_GetObjectItemCaseSensitive(j, "seed");
		if (seed != NULL && (!cJSON_IsNumber(seed) ||
		    seed->valuedouble < 0)) {
			*err = "seed must be a non-negative number";
			return -1;
		}
		if (list != NULL && !cJSON_IsArray(list)) {
			*err = "rules must be an array";
			return -1;
		}
		if (seed != NULL)
			su_seed_faults((uint64_t)seed->valuedouble);
		if (list == NULL && !cJSON_IsTrue(replace))
			return 0;
	}
	if (cJSON_IsArray(list)) {
		cJSON_ArrayForEach(e, list) {
			if (n == FLT_MAX_RULES) {
				*err = "too many rules";
				goto fail;
			}
			if ((add[n] = rule_parse(e, err)) == NULL)
				goto fail;
			n++;
		}
	} else if (list != NULL) {
		if ((add[n] = rule_parse(list, err)) == NULL)
			return -1;
		n++;
	}
	if (cJSON_IsTrue(replace))
		flt_clear();
	if (nrules + n > FLT_MAX_RULES) {
		*err = "too many rules";
		goto fail;
	}
	for (i = 0; i < n; i++) {
		add[i]->id = ++lastid;
		rules[nrules++] = add[i];
	}
	return 0;
fail:
	for (i = 0; i < n; i++)
		rule_free(add[i]);
	return -1;
}

struct flt_pick
flt_pick(const char *service, const char *route)
{
	struct flt_pick	 pk = { FLT_NONE, 0, 500 };
	struct rule	*r;
	size_t		 i, k;

	/* a script answers first, in rule order */
	for (i = 0; i < nrules; i++) {
		r = rules[i];
		if (strcmp(r->service, service) != 0 ||
		    fnmatch(r->route, route, 0) != 0 || r->pos >= r->nscript)
			continue;
		r->matched++;
		pk.kind = r->script[r->pos++];
		pk.hang = r->hang;
		pk.status = r->status;
		r->injected[pk.kind]++;
		return pk;
	}
	for (i = 0; i < nrules; i++) {
		r = rules[i];
		if (strcmp(r->service, service) != 0 ||
		    fnmatch(r->route, route, 0) != 0 || r->probability <= 0 ||
		    r->nkinds == 0)
			continue;
		r->matched++;
		if (su_fault_rand() >= r->probability)
			return pk;
		k = (size_t)floor(su_fault_rand() * r->nkinds);
		if (k >= r->nkinds)
			k = r->nkinds - 1;
		pk.kind = r->kinds[k];
		pk.hang = r->hang;
		pk.status = r->status;
		r->injected[pk.kind]++;
		return pk;
	}
	return pk;
}

cJSON *
flt_json(void)
{
	cJSON	*root, *arr, *o, *s, *inj;
	size_t	 i, j;
	int	 k;

	root = su_jobj();
	arr = su_jarr();
	cJSON_AddItemToObject(root, "rules", arr);
	for (i = 0; i < nrules; i++) {
		o = su_jobj();
		su_jnum(o, "id", rules[i]->id);
		su_jstr(o, "service", rules[i]->service);
		su_jstr(o, "route", rules[i]->route);
		s = su_jarr();
		for (j = rules[i]->pos; j < rules[i]->nscript; j++)
			cJSON_AddItemToArray(s, cJSON_CreateString(
			    names[rules[i]->script[j]]));
		cJSON_AddItemToObject(o, "script", s);
		su_jnum(o, "probability", rules[i]->probability);
		s = su_jarr();
		for (j = 0; j < rules[i]->nkinds; j++)
			cJSON_AddItemToArray(s, cJSON_CreateString(
			    names[rules[i]->kinds[j]]));
		cJSON_AddItemToObject(o, "kinds", s);
		su_jnum(o, "hang_seconds", rules[i]->hang);
		su_jnum(o, "status", rules[i]->status);
		su_jnum(o, "matched", rules[i]->matched);
		inj = su_jobj();
		for (k = 0; k < FLT__MAX; k++)
			if (rules[i]->injected[k] > 0)
				su_jnum(inj, names[k], rules[i]->injected[k]);
		cJSON_AddItemToObject(o, "injected", inj);
		cJSON_AddItemToArray(arr, o);
	}
	return root;
}
