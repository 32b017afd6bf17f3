/*
 * whmcs: answers from the WHMCS API as the client reads them: wh_parse
 * on the status and body ({"result":"success"|"error",...}), and the
 * product reader over {"products":{"product":[...]}} as GetClientsProducts
 * answers.  Input: two bytes of status, then the body.
 */
#include <cjson/cJSON.h>

#include "prov.h"
#include "whmcs.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct prov_err		 e;
	struct wh_product	 p;
	cJSON			*root = NULL;
	const cJSON		*arr, *it;
	enum och_err		 err;

	if (n < 2)
		return 0;
	hcl_perr_init(&e, "whmcs");
	err = wh_parse(fz_status(d), (const char *)d + 2, n - 2, &root, &e);
	fz_perr_check(&e);
	if (err != OCH_OK)
		FZ_ASSERT(root == NULL);
	if (root != NULL) {
		arr = cJSON_GetObjectItemCaseSensitive(root, "products");
		arr = cJSON_GetObjectItemCaseSensitive(arr, "product");
		cJSON_ArrayForEach(it, arr)
			if (wh_parse_product(it, &p) == 0)
				FZ_ASSERT(p.id > 0 && memchr(p.domain, '\0',
				    sizeof(p.domain)) != NULL);
		cJSON_Delete(root);
	}
	return 0;
}
