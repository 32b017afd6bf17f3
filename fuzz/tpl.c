/*
 * tpl: the template renderer with hostile templates and hostile values.
 * The first byte picks the mode (text, HTML, YAML); the template runs to
 * the first NUL after it, and what follows is the value of {{v}} (so the
 * escaping of customer-given values is fuzzed as well as the syntax).
 * In YAML mode a rendered value must not break out of its scalar: the
 * output holds no more lines than the template, and an ASCII template
 * gives ASCII output.
 */
#include "fuzz.h"
#include "tpl.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	/* the names the shipped templates use (their corpus seeds) carry
	 * the fuzzed value too */
	static const char *const names[] = { "v", "api_url",
		"bootstrap_token", "control_plane_ips", "customer",
		"dashboard_url", "email", "error", "hostname", "instance_id",
		"instance_url", "memory_mb", "openclaw_version", "plan", "slug",
		"step" };
	struct tpl_var	 vars[sizeof(names) / sizeof(names[0]) + 3];
	size_t		 nv = 0, i;
	enum tpl_mode	 mode;
	enum och_err	 err = OCH_OK;
	char		*s, *out, *p;
	size_t		 tl, lines_in = 0, lines_out = 0;
	int		 ascii = 1;

	if (n < 1)
		return 0;
	mode = (enum tpl_mode)(d[0] % TPL__MAX);
	s = fz_str(d + 1, n - 1);
	tl = strlen(s);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		vars[nv].name = names[i];
		vars[nv++].value = tl < n - 1 ? s + tl + 1 : "";
	}
	vars[nv].name = "quotes";
	vars[nv++].value = "Ada \"<b>\" &\n'x' \xe2\x82\xac \xff";
	vars[nv].name = "empty";
	vars[nv++].value = "";
	vars[nv].name = "unset";
	vars[nv++].value = NULL;
	out = tpl_render(s, mode, vars, nv, &err);
	if (out == NULL)
		FZ_ASSERT(err == OCH_EINVAL);
	else if (mode == TPL_YAML) {
		for (p = s; *p; p++) {
			lines_in += *p == '\n';
			ascii &= (unsigned char)*p < 0x80;
		}
		/* values come out as pure ASCII */
		for (p = out; *p; p++) {
			lines_out += *p == '\n';
			FZ_ASSERT(!ascii || (unsigned char)*p < 0x80);
		}
		FZ_ASSERT(lines_out <= lines_in);
	}
	free(out);
	free(s);
	return 0;
}
