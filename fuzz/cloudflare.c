/*
 * cloudflare: answers from the Cloudflare DNS API as the client reads
 * them: cf_classify on an error answer's status and body, and the DNS
 * record reader on "result" (one record or a list).  Input: two bytes of
 * status, then the body.
 */
#include <cjson/cJSON.h>

#include "cloudflare.h"
#include "prov.h"

static void
record(const cJSON *o)
{
	struct cf_record	 rec;

	if (cf_parse_record(o, &rec) == 0) {
		FZ_ASSERT(*rec.id != '\0');
		FZ_ASSERT(memchr(rec.name, '\0', sizeof(rec.name)) != NULL);
		FZ_ASSERT(memchr(rec.content, '\0', sizeof(rec.content)));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct prov_err	 e;
	cJSON		*root;
	const cJSON	*res, *it;

	if (n < 2)
		return 0;
	hcl_perr_init(&e, "cloudflare");
	cf_classify(fz_status(d), (const char *)d + 2, n - 2, &e);
	fz_perr_check(&e);
	(void)cf_is_duplicate(&e);
	if ((root = hcl_json_parse((const char *)d + 2, n - 2)) != NULL) {
		res = cJSON_GetObjectItemCaseSensitive(root, "result");
		if (cJSON_IsArray(res))
			cJSON_ArrayForEach(it, res)
				record(it);
		else
			record(res);
		cJSON_Delete(root);
	}
	return 0;
}
