/*
 * hetzner: answers from the Hetzner Cloud API (or anything claiming to
 * be it) as the client reads them: hz_classify on the status and body
 * of an error answer, and on a parsed body the object readers for a
 * server, an action and an image, alone and in lists (servers, actions,
 * images).  Input: two bytes of status, then the body.
 */
#include <cjson/cJSON.h>

#include "hetzner.h"
#include "prov.h"

static void
each(const cJSON *root, const char *key, int kind)
{
	const cJSON		*it, *arr = cJSON_GetObjectItemCaseSensitive(root, key);
	struct hz_server	 s;
	struct hz_action	 a;
	struct hz_image		 im;

	if (!cJSON_IsArray(arr) && !cJSON_IsObject(arr))
		return;
	if (cJSON_IsObject(arr))	/* {"server": {...}} */
		it = arr;
	else
		it = arr->child;
	for (; it != NULL; it = cJSON_IsObject(arr) ? NULL : it->next) {
		switch (kind) {
		case 0:
			if (hz_parse_server(it, &s) == 0)
				FZ_ASSERT(s.id > 0 &&
				    memchr(s.instance, '\0', sizeof(s.instance)));
			break;
		case 1:
			if (hz_parse_action(it, &a) == 0) {
				FZ_ASSERT(a.id > 0 && a.status <
				    HZ_ACTION_STATUS__MAX);
				FZ_ASSERT(a.progress >= 0 && a.progress <= 100);
				(void)hz_action_status_name(a.status);
			}
			break;
		default:
			if (hz_parse_image(it, &im) == 0)
				FZ_ASSERT(im.id > 0);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct prov_err	 e;
	cJSON		*root;

	if (n < 2)
		return 0;
	hcl_perr_init(&e, "hetzner");
	hz_classify(fz_status(d), (const char *)d + 2, n - 2, &e);
	fz_perr_check(&e);
	if ((root = hcl_json_parse((const char *)d + 2, n - 2)) != NULL) {
		each(root, "server", 0);
		each(root, "servers", 0);
		each(root, "action", 1);
		each(root, "actions", 1);
		each(root, "image", 2);
		each(root, "images", 2);
		cJSON_Delete(root);
	}
	return 0;
}
