/*
 * sim_resend.c: Resend emails (see sim_resend.h).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#include "och.h"
#include "log.h"
#include "sim_resend.h"
#include "util.h"

#define RS_IDEM_TTL	86400.0
#define RS_MAX_TO	50
#define RS_MAX_BATCH	100

struct mail {
	char		 id[37];
	double		 created;
	cJSON		*req;		/* the request as sent */
	char		*idem;		/* Idempotency-Key or NULL */
	struct mail	*next;
};

struct idem {
	char		*key;
	unsigned char	 hash[SHA256_DIGEST_LENGTH];
	char		*answer;	/* the JSON answered first */
	double		 at;		/* monotonic */
	struct idem	*next;
};

static struct mail	*mails, *mails_tail;
static size_t		 nmails;
static struct idem	*idems;
static double		 tokens = -1, tokens_t;

static void
srs_err(struct http_req *r, int status, const char *name, const char *msg)
{
	cJSON	*o;

	o = su_jobj();
	su_jnum(o, "statusCode", status);
	su_jstr(o, "message", msg);
	su_jstr(o, "name", name);
	http_json(r, status, o);
	http_set_header(r, "Content-Type", "application/json; charset=utf-8");
}

/* --- rate limit --------------------------------------------------- */

void
srs_ratelimit_set(double rate)
{
	if (rate > 0)
		su_cfg.resend_rate = rate;
	tokens = su_cfg.resend_rate;
	tokens_t = su_mono();
}

static void
refill(void)
{
	double	 now;

	now = su_mono();
	if (tokens < 0)
		tokens = su_cfg.resend_rate;
	else
		tokens = fmin(su_cfg.resend_rate, tokens + (now - tokens_t) *
		    su_cfg.resend_rate);
	tokens_t = now;
}

cJSON *
srs_ratelimit_json(void)
{
	cJSON	*o;

	refill();
	o = su_jobj();
	su_jnum(o, "limit", su_cfg.resend_rate);
	su_jnum(o, "remaining", floor(tokens));
	return o;
}

static void
rl_headers(struct http_req *r)
{
	char	 v[48];
	double	 reset;

	snprintf(v, sizeof(v), "%.0f", su_cfg.resend_rate);
	http_set_header(r, "ratelimit-limit", v);
	snprintf(v, sizeof(v), "%.0f", floor(tokens < 0 ? 0 : tokens));
	http_set_header(r, "ratelimit-remaining", v);
	reset = ceil((su_cfg.resend_rate - tokens) / su_cfg.resend_rate);
	snprintf(v, sizeof(v), "%.0f", reset < 1 ? 1 : reset);
	http_set_header(r, "ratelimit-reset", v);
	snprintf(v, sizeof(v), "%.0f;w=1", su_cfg.resend_rate);
	http_set_header(r, "ratelimit-policy", v);
}

static void
too_many(struct http_req *r)
{
	http_set_header(r, "retry-after", "1");
	srs_err(r, 429, "rate_limit_exceeded", "Too many requests. Please "
	    "limit the number of requests per second. Or contact support to "
	    "increase rate limit.");
}

/* --- service ------------------------------------------------------ */

static int
front(struct http_req *r)
{
	return 1;
}

/* Credentials first, then the per-key limit (valid keys only). */
static int
auth(struct http_req *r)
{
	const char	*tok;

	if ((tok = http_bearer(r)) == NULL) {
		srs_err(r, 401, "missing_api_key", "Missing API key in the "
		    "authorization header. Include the following header "
		    "`Authorization: Bearer YOUR_API_KEY` in the request.");
		return 0;
	}
	if (!su_streq_ct(tok, su_cfg.resend_key)) {
		srs_err(r, 403, "invalid_api_key", "API key is invalid");
		return 0;
	}
	refill();
	if (tokens < 1) {
		rl_headers(r);
		too_many(r);
		return 0;
	}
	tokens -= 1;
	rl_headers(r);
	return 1;
}

static void
fault(struct http_req *r, enum flt_kind k)
{
	switch (k) {
	case FLT_429:
		http_set_header(r, "ratelimit-remaining", "0");
		too_many(r);
		break;
	case FLT_502:
		srs_err(r, 502, "application_error", "Bad gateway");
		break;
	case FLT_503:
		srs_err(r, 503, "application_error", "Service unavailable");
		break;
	case FLT_504:
		srs_err(r, 504, "application_error", "Gateway timeout");
		break;
	default:
		srs_err(r, 500, "internal_server_error", "An unexpected error "
		    "occurred.");
		break;
	}
}

static void
nomatch(struct http_req *r, int status)
{
	if (status == 405)
		srs_err(r, 405, "method_not_allowed", "Method not allowed");
	else if (status == 413)
		srs_err(r, 413, "validation_error", "Request body too large");
	else
		srs_err(r, 404, "not_found", "The requested endpoint does not "
		    "exist.");
}

/* --- validation --------------------------------------------------- */

/* 1 when s is addr@domain.tld (no spaces or brackets). */
static int
addr_ok(const char *s, size_t n)
{
	const char	*at, *dot;
	size_t		 i;

	if (n == 0 || n > 320)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || strchr("<>\",;", s[i]))
			return 0;
	at = memchr(s, '@', n);
	if (at == NULL || at == s || memchr(at + 1, '@', n -
	    (at + 1 - s)) != NULL)
		return 0;
	dot = memchr(at + 1, '.', n - (at + 1 - s));
	return dot != NULL && dot > at + 1 && dot < s + n - 1;
}

/* "a@b.c" or "Name <a@b.c>". */
static int
mailbox_ok(const char *s)
{
	const char	*lt;
	size_t		 n;

	n = strlen(s);
	if ((lt = strrchr(s, '<')) != NULL) {
		if (n < 3 || s[n - 1] != '>')
			return 0;
		return addr_ok(lt + 1, s + n - 1 - (lt + 1));
	}
	return addr_ok(s, n);
}

static int
tag_ok(const char *s)
{
	size_t	 i;

	if (strlen(s) == 0 || strlen(s) > 256)
		return 0;
	for (i = 0; s[i]; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' ||
		    s[i] == '-'))
			return 0;
	return 1;
}

/*
 * Check an address field (string or array of strings).  Returns 0, or -1
 * after answering.
 */
static int
addrs(struct http_req *r, const cJSON *j, const char *field, int max)
{
	const cJSON	*e;
	char		 msg[256];
	int		 n = 0;

	if (cJSON_IsString(j)) {
		if (!mailbox_ok(j->valuestring))
			goto bad;
		return 0;
	}
	if (!cJSON_IsArray(j)) {
		snprintf(msg, sizeof(msg), "The `%s` field must be a string "
		    "or an array of strings.", field);
		srs_err(r, 422, "invalid_parameter", msg);
		return -1;
	}
	cJSON_ArrayForEach(e, j) {
		if (!cJSON_IsString(e) || !mailbox_ok(e->valuestring))
			goto bad;
		n++;
	}
	if (n == 0 && strcmp(field, "to") == 0) {
		snprintf(msg, sizeof(msg), "Missing `%s` field.", field);
		srs_err(r, 422, "missing_required_field", msg);
		return -1;
	}
	if (n > max) {
		snprintf(msg, sizeof(msg), "The `%s` field can hold at most "
		    "%d addresses.", field, max);
		srs_err(r, 422, "invalid_parameter", msg);
		return -1;
	}
	return 0;
bad:
	snprintf(msg, sizeof(msg), "Invalid `%s` field. The email address "
	    "needs to follow the `email@example.com` or `Name "
	    "<email@example.com>` format.", field);
	srs_err(r, 422, "validation_error", msg);
	return -1;
}

/* Validate one email request object; 0, or -1 after answering. */
static int
check(struct http_req *r, const cJSON *b)
{
	static const char *const strs[] = {
		"subject", "html", "text", "scheduled_at", "topic_id"
	};
	const cJSON	*j, *e, *n, *v;
	char		 msg[128];
	size_t		 i;

	if (!cJSON_IsObject(b)) {
		srs_err(r, 422, "invalid_parameter", "The email must be a JSON "
		    "object.");
		return -1;
	}
	if ((j = cJSON_GetObjectItemCaseSensitive(b, "from")) == NULL) {
		srs_err(r, 422, "missing_required_field", "Missing `from` "
		    "field.");
		return -1;
	}
	if (!cJSON_IsString(j)) {
		srs_err(r, 422, "invalid_parameter", "The `from` field must be "
		    "a string.");
		return -1;
	}
	if (!mailbox_ok(j->valuestring)) {
		srs_err(r, 422, "invalid_from_address", "Invalid `from` field. "
		    "The email address needs to follow the `email@example.com`"
		    " or `Name <email@example.com>` format.");
		return -1;
	}
	if ((j = cJSON_GetObjectItemCaseSensitive(b, "to")) == NULL) {
		srs_err(r, 422, "missing_required_field", "Missing `to` field.");
		return -1;
	}
	if (addrs(r, j, "to", RS_MAX_TO) == -1)
		return -1;
	if ((j = cJSON_GetObjectItemCaseSensitive(b, "subject")) == NULL) {
		srs_err(r, 422, "missing_required_field", "Missing `subject` "
		    "field.");
		return -1;
	}
	for (i = 0; i < OCH_NELEM(strs); i++)
		if ((j = cJSON_GetObjectItemCaseSensitive(b, strs[i])) !=
		    NULL && !cJSON_IsString(j)) {
			snprintf(msg, sizeof(msg), "The `%s` field must be a "
			    "string.", strs[i]);
			srs_err(r, 422, "invalid_parameter", msg);
			return -1;
		}
	if ((j = cJSON_GetObjectItemCaseSensitive(b, "cc")) != NULL &&
	    addrs(r, j, "cc", 1000) == -1)
		return -1;
	if ((j = cJSON_GetObjectItemCaseSensitive(b, "bcc")) != NULL &&
	    addrs(r, j, "bcc", 1000) == -1)
		return -1;
	if ((j = cJSON_GetObjectItemCaseSensitive(b, "reply_to")) != NULL &&
	    addrs(r, j, "reply_to", 50) == -1)
		return -1;
	if ((j = cJSON_GetObjectItemCaseSensitive(b, "headers")) != NULL) {
		if (!cJSON_IsObject(j)) {
			srs_err(r, 422, "invalid_parameter", "The `headers` "
			    "field must be an object.");
			return -1;
		}
		cJSON_ArrayForEach(e, j)
			if (!cJSON_IsString(e)) {
				srs_err(r, 422, "invalid_parameter", "Header "
				    "values must be strings.");
				return -1;
			}
	}
	if ((j = cJSON_GetObjectItemCaseSensitive(b, "tags")) != NULL) {
		if (!cJSON_IsArray(j)) {
			srs_err(r, 422, "invalid_parameter", "The `tags` field "
			    "must be an array.");
			return -1;
		}
		cJSON_ArrayForEach(e, j) {
			n = cJSON_GetObjectItemCaseSensitive(e, "name");
			v = cJSON_GetObjectItemCaseSensitive(e, "value");
			if (!cJSON_IsString(n) || !tag_ok(n->valuestring) ||
			    (v != NULL && (!cJSON_IsString(v) ||
			    (*v->valuestring && !tag_ok(v->valuestring))))) {
				srs_err(r, 422, "validation_error", "Tags "
				    "should only contain ASCII letters, "
				    "numbers, underscores, or dashes.");
				return -1;
			}
		}
	}
	if ((j = cJSON_GetObjectItemCaseSensitive(b, "attachments")) != NULL) {
		if (!cJSON_IsArray(j)) {
			srs_err(r, 422, "invalid_attachment", "The "
			    "`attachments` field must be an array.");
			return -1;
		}
		cJSON_ArrayForEach(e, j)
			if (!cJSON_IsObject(e) || (!cJSON_IsString(
			    cJSON_GetObjectItemCaseSensitive(e, "content")) &&
			    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e,
			    "path")))) {
				srs_err(r, 422, "invalid_attachment",
				    "Attachment must have either a `content` "
				    "or `path`.");
				return -1;
			}
	}
	return 0;
}

/* --- idempotency -------------------------------------------------- */

static void
idem_expire(void)
{
	struct idem	**pp, *i;
	double		 now = su_mono();

	for (pp = &idems; (i = *pp) != NULL;) {
		if (now - i->at > RS_IDEM_TTL) {
			*pp = i->next;
			free(i->key);
			free(i->answer);
			free(i);
		} else
			pp = &i->next;
	}
}

/*
 * Apply the Idempotency-Key rules.  Returns 1 when the request must be
 * processed, 0 when it was answered (replay, 409 or 400).
 */
static int
idem_check(struct http_req *r, const char *key, unsigned char *hash)
{
	struct idem	*i;

	if (key == NULL)
		return 1;
	if (strlen(key) < 1 || strlen(key) > 256) {
		srs_err(r, 400, "invalid_idempotency_key", "The key must be "
		    "between 1-256 chars.");
		return 0;
	}
	SHA256((const unsigned char *)r->body.data, r->body.len, hash);
	idem_expire();
	for (i = idems; i != NULL; i = i->next)
		if (strcmp(i->key, key) == 0)
			break;
	if (i == NULL)
		return 1;
	if (memcmp(i->hash, hash, SHA256_DIGEST_LENGTH) != 0) {
		srs_err(r, 409, "invalid_idempotent_request", "Same idempotency "
		    "key used with a different request payload. Change your "
		    "idempotency key or payload.");
		return 0;
	}
	http_text(r, 200, "application/json; charset=utf-8", i->answer);
	log_info("resend: idempotent replay");
	return 0;
}

static void
idem_store(const char *key, const unsigned char *hash, const char *answer)
{
	struct idem	*i;

	if (key == NULL)
		return;
	i = xcalloc(1, sizeof(*i));
	i->key = xstrdup(key);
	memcpy(i->hash, hash, SHA256_DIGEST_LENGTH);
	i->answer = xstrdup(answer);
	i->at = su_mono();
	i->next = idems;
	idems = i;
}

/* --- routes ------------------------------------------------------- */

static struct mail *
store(const cJSON *req, const char *key)
{
	struct mail	*m;

	m = xcalloc(1, sizeof(*m));
	su_uuid(m->id);
	m->created = su_wall();
	m->req = cJSON_Duplicate(req, 1);
	m->idem = key ? xstrdup(key) : NULL;
	if (mails_tail)
		mails_tail->next = m;
	else
		mails = m;
	mails_tail = m;
	nmails++;
	log_info("resend: email %s sent", m->id);
	return m;
}

static cJSON *
parse(struct http_req *r)
{
	cJSON	*b;

	if ((b = cJSON_ParseWithLength(r->body.data, r->body.len)) == NULL)
		srs_err(r, 400, "validation_error", "The request body is not "
		    "valid JSON.");
	return b;
}

static void
send_one(struct http_req *r)
{
	unsigned char	 hash[SHA256_DIGEST_LENGTH];
	const char	*key;
	struct mail	*m;
	cJSON		*b, *o;

	key = http_header_in(r, "Idempotency-Key");
	if (!idem_check(r, key, hash) || (b = parse(r)) == NULL)
		return;
	if (check(r, b) == -1) {
		cJSON_Delete(b);
		return;
	}
	m = store(b, key);
	cJSON_Delete(b);
	o = su_jobj();
	su_jstr(o, "id", m->id);
	http_json(r, 200, o);
	http_set_header(r, "Content-Type", "application/json; charset=utf-8");
	idem_store(key, hash, r->out.data);
}

static void
send_batch(struct http_req *r)
{
	unsigned char	 hash[SHA256_DIGEST_LENGTH];
	const char	*key;
	struct mail	*m;
	cJSON		*b, *e, *o, *arr, *x;

	key = http_header_in(r, "Idempotency-Key");
	if (!idem_check(r, key, hash) || (b = parse(r)) == NULL)
		return;
	if (!cJSON_IsArray(b) || cJSON_GetArraySize(b) < 1 ||
	    cJSON_GetArraySize(b) > RS_MAX_BATCH) {
		srs_err(r, 422, "validation_error", "The batch must be an array "
		    "of 1 to 100 emails.");
		cJSON_Delete(b);
		return;
	}
	cJSON_ArrayForEach(e, b)
		if (check(r, e) == -1) {
			cJSON_Delete(b);
			return;
		}
	arr = su_jarr();
	cJSON_ArrayForEach(e, b) {
		m = store(e, key);
		x = su_jobj();
		su_jstr(x, "id", m->id);
		cJSON_AddItemToArray(arr, x);
	}
	cJSON_Delete(b);
	o = su_jobj();
	cJSON_AddItemToObject(o, "data", arr);
	http_json(r, 200, o);
	http_set_header(r, "Content-Type", "application/json; charset=utf-8");
	idem_store(key, hash, r->out.data);
}

/* An address field as an array; unset is null, as Resend answers. */
static cJSON *
as_array(const cJSON *j)
{
	cJSON	*a;

	if (j == NULL || cJSON_IsNull(j))
		return cJSON_CreateNull();
	if (cJSON_IsArray(j))
		return cJSON_Duplicate(j, 1);
	a = su_jarr();
	if (cJSON_IsString(j))
		cJSON_AddItemToArray(a, cJSON_CreateString(j->valuestring));
	return a;
}

static cJSON *
mail_json(const struct mail *m, int full)
{
	cJSON		*o, *j;
	char		 ts[40];
	static const char *const keys[] = { "subject", "html", "text" };
	size_t		 i;

	o = su_jobj();
	su_jstr(o, "object", "email");
	su_jstr(o, "id", m->id);
	j = cJSON_GetObjectItemCaseSensitive(m->req, "from");
	su_jstr(o, "from", cJSON_IsString(j) ? j->valuestring : "");
	cJSON_AddItemToObject(o, "to", as_array(
	    cJSON_GetObjectItemCaseSensitive(m->req, "to")));
	cJSON_AddItemToObject(o, "cc", as_array(
	    cJSON_GetObjectItemCaseSensitive(m->req, "cc")));
	cJSON_AddItemToObject(o, "bcc", as_array(
	    cJSON_GetObjectItemCaseSensitive(m->req, "bcc")));
	cJSON_AddItemToObject(o, "reply_to", as_array(
	    cJSON_GetObjectItemCaseSensitive(m->req, "reply_to")));
	for (i = 0; i < OCH_NELEM(keys); i++) {
		j = cJSON_GetObjectItemCaseSensitive(m->req, keys[i]);
		if (cJSON_IsString(j))
			su_jstr(o, keys[i], j->valuestring);
	}
	su_rfc3339us(ts, m->created);
	su_jstr(o, "created_at", ts);
	su_jstr(o, "last_event", "delivered");
	if (full) {
		j = cJSON_GetObjectItemCaseSensitive(m->req, "tags");
		cJSON_AddItemToObject(o, "tags", j ? cJSON_Duplicate(j, 1) :
		    su_jarr());
		j = cJSON_GetObjectItemCaseSensitive(m->req, "headers");
		cJSON_AddItemToObject(o, "headers", j ? cJSON_Duplicate(j, 1) :
		    su_jobj());
		su_jstr_or_null(o, "idempotency_key", m->idem);
		cJSON_AddItemToObject(o, "request", cJSON_Duplicate(m->req,
		    1));
	}
	return o;
}

static void
get_one(struct http_req *r)
{
	struct mail	*m;

	for (m = mails; m != NULL; m = m->next)
		if (strcmp(m->id, http_param(r, 0)) == 0) {
			http_json(r, 200, mail_json(m, 0));
			http_set_header(r, "Content-Type",
			    "application/json; charset=utf-8");
			return;
		}
	srs_err(r, 404, "not_found", "Email not found");
}

cJSON *
srs_emails_json(void)
{
	struct mail	*m;
	cJSON		*arr;

	arr = su_jarr();
	for (m = mails; m != NULL; m = m->next)
		cJSON_AddItemToArray(arr, mail_json(m, 1));
	return arr;
}

void
srs_reset(void)
{
	struct mail	*m;
	struct idem	*i;

	while ((m = mails) != NULL) {
		mails = m->next;
		cJSON_Delete(m->req);
		free(m->idem);
		free(m);
	}
	mails_tail = NULL;
	nmails = 0;
	while ((i = idems) != NULL) {
		idems = i->next;
		free(i->key);
		free(i->answer);
		free(i);
	}
	tokens = -1;
}

static const struct http_route routes[] = {
	{ "POST", "/emails", send_one },
	{ "POST", "/emails/batch", send_batch },
	{ "GET", "/emails/{id}", get_one },
};

const struct http_svc srs_svc = {
	"resend", "/resend", routes, OCH_NELEM(routes), 1,
	front, auth, fault, nomatch,
};
