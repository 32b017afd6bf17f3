/*
 * render-mail: renders one email template with lib/outbox.c's renderer,
 * for the template contract test (t/313-email-templates.t):
 *
 *   render-mail TEMPLATE VARS_JSON
 *
 * Templates come from the source tree (templates/email/).  Prints one
 * JSON object {"subject","html","text"} (a missing part is null) and
 * exits 0; exits 1 when the template does not render (logged on stderr),
 * 2 on bad usage.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cfg.h"
#include "och.h"
#include "outbox.h"

static void
add(cJSON *o, const char *k, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

int
main(int argc, char **argv)
{
	struct cfg	 c;
	struct obx_mail	 m;
	cJSON		*o;
	char		*s;
	int		 rc;

	if (argc != 3) {
		fprintf(stderr, "usage: render-mail TEMPLATE VARS_JSON\n");
		return 2;
	}
	memset(&c, 0, sizeof(c));
	c.val[CFG_OCH_TEMPLATE_DIR] = xstrdup(OCH_TOP_SRCDIR);
	c.val[CFG_DASHBOARD_URL] = xstrdup("https://panel.test");
	if (obx_render(&c, argv[1], argv[2], "to@example.test", &m) < 0) {
		cfg_free(&c);
		return 1;
	}
	o = cJSON_CreateObject();
	add(o, "subject", m.subject);
	add(o, "html", m.html);
	add(o, "text", m.text);
	s = cJSON_PrintUnformatted(o);
	rc = puts(s) < 0;
	cJSON_free(s);
	cJSON_Delete(o);
	obx_mail_free(&m);
	cfg_free(&c);
	return rc;
}
