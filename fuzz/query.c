/*
 * query: the request line's parts a client controls, as the serve loop
 * and the handlers read them: the query string (req_query, for the names
 * the routes use, and for a name taken from the input itself), the path's
 * percent-decoding (req_unescape) and route matching (srv_match).
 */
#include "fuzz.h"
#include "req.h"
#include "srv.h"

static const char *const names[] = {
	"whmcs_service_id", "wait", "config_revision", "from", "to",
	"limit", "before", "q", "state", "instance_id",
};

static const char *const patterns[] = {
	"/api/v1/instances/{id}",
	"/api/v1/instances/{id}/metrics",
	"/api/v1/instances/{id}/channels/{kind}",
	"/api/v1/agent/commands/{id}",
	"/api/v1/admin/instances/{id}/events",
	"/api/health",
};

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct req	 r;
	char		*q = fz_str(d, n), *v, *path, *seg, *name;
	const char	*params[REQ_MAXPARAMS];
	size_t		 i;
	int		 bad, np, k;

	memset(&r, 0, sizeof(r));
	r.query = q;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		v = req_query(&r, names[i], &bad);
		FZ_ASSERT(v == NULL || !bad);
		free(v);
	}
	/* the first key of the input, as a name a handler might ask for */
	name = strndup(q, strcspn(q, "=&"));
	if (name != NULL && *name != '\0') {
		v = req_query(&r, name, NULL);
		free(v);
	}
	free(name);

	for (k = 0; k < 2; k++) {
		path = req_unescape(q, strlen(q), k);
		if (path != NULL)
			FZ_ASSERT(strlen(path) <= strlen(q));
		free(path);
	}
	/* the loop matches the raw path; parameters are decoded there */
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		seg = NULL;
		np = 0;
		if (srv_match(patterns[i], q, params, &np, &seg) == 1) {
			FZ_ASSERT(np >= 0 && np <= REQ_MAXPARAMS);
			for (k = 0; k < np; k++)
				FZ_ASSERT(*params[k] != '\0' &&
				    strchr(params[k], '/') == NULL);
		}
		free(seg);
	}
	free(q);
	return 0;
}
