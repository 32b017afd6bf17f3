/*
 * headers: provider answers' header lines as the HTTP client takes them
 * (hcl_header: RateLimit-*, Retry-After, correlation ids, content type;
 * a status line resets), one line per input line, then the decimal id
 * reader the clients use on ids in strings (hcl_parse_id).
 */
#include "fuzz.h"
#include "hcl.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct hcl_resp	 r;
	const char	*p = (const char *)d, *end = p + n, *nl;
	char		*s;
	int64_t		 id;

	memset(&r, 0, sizeof(r));
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		nl = nl != NULL ? nl + 1 : end;
		hcl_header(&r, p, (size_t)(nl - p), 1767225600);
		FZ_ASSERT(memchr(r.corr_id, '\0', sizeof(r.corr_id)) != NULL);
		FZ_ASSERT(memchr(r.content_type, '\0',
		    sizeof(r.content_type)) != NULL);
		p = nl;
	}
	s = fz_str(d, n);
	if (hcl_parse_id(s, &id) == 0)
		FZ_ASSERT(id >= 1 && id <= (INT64_C(1) << 53) - 1);
	free(s);
	hcl_resp_free(&r);
	return 0;
}
