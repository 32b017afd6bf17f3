/*
 * 030-poller: the pure parts of the poller's modules: IPv6 host address
 * of a Hetzner network, the retry backoff, the user-data rendering with
 * hostile values (lib/userdata.c) and the email templates
 * (lib/outbox.c) as the poller and inst_activate() fill them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "outbox.h"
#include "recon.h"
#include "tap.h"
#include "tpl.h"
#include "userdata.h"

static int
lines(const char *s)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void
test_ipv6(void)
{
	char	 out[64];

	ok(recon_ipv6_host("2001:db8:1:2::/64", out, sizeof(out)) == 0 &&
	    strcmp(out, "2001:db8:1:2::1") == 0, "::1 of a /64");
	ok(recon_ipv6_host("2a01:4f8:c17:1234::/64", out, sizeof(out)) == 0 &&
	    strcmp(out, "2a01:4f8:c17:1234::1") == 0, "::1 of a Hetzner net");
	ok(recon_ipv6_host("2001:db8::5", out, sizeof(out)) == 0 &&
	    strcmp(out, "2001:db8::5") == 0, "an address is kept");
	ok(recon_ipv6_host("not-an-address/64", out, sizeof(out)) == -1,
	    "garbage refused");
	ok(recon_ipv6_host("", out, sizeof(out)) == -1, "empty refused");
	ok(recon_ipv6_host("1.2.3.4", out, sizeof(out)) == -1,
	    "IPv4 refused");
}

static void
test_backoff(void)
{
	long long	 d, lo = 1LL << 62, hi = 0;
	int		 i;

	for (i = 0; i < 200; i++) {
		d = recon_backoff_ms(1, 1000, 60000, 0);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	ok(lo >= 500 && hi <= 1000, "first retry within [base/2, base]");
	ok(lo < hi, "jittered");
	d = recon_backoff_ms(4, 1000, 60000, 0);
	ok(d >= 4000 && d <= 8000, "fourth retry within [4 s, 8 s]");
	d = recon_backoff_ms(30, 1000, 60000, 0);
	ok(d >= 30000 && d <= 60000, "capped");
	ok(recon_backoff_ms(1, 1000, 60000, 7000) >= 7000,
	    "an upstream Retry-After wins");
	ok(recon_backoff_ms(1, 1000, 60000, 1LL << 40) <= 3600 * 1000LL,
	    "an absurd Retry-After is bounded");
}

static void
test_userdata(struct cfg *c)
{
	struct ud_instance	 in;
	enum och_err		 err;
	char			*dir, *tmpl, *out;

	dir = xasprintf("%s/cloud-init", OCH_TOP_SRCDIR);
	tmpl = tpl_load(dir, "minimal.yaml.tmpl");
	ok(tmpl != NULL, "minimal user-data template readable");
	if (tmpl == NULL)
		tmpl = xstrdup("#cloud-config\n");
	memset(&in, 0, sizeof(in));
	in.id = "0b7c6a55-1c35-4ad4-9d6d-3b2a1c9e8f00";
	in.slug = "oc-1234abcd";
	in.plan = "starter";
	out = ud_render(tmpl, c, &in, "ab12", &err);
	ok(out != NULL && strncmp(out, "#cloud-config\n", 14) == 0,
	    "renders a #cloud-config");
	ok(out != NULL && strstr(out, "path: /etc/och-agent/bootstrap.env") !=
	    NULL, "bootstrap.env written");
	ok(out != NULL && strstr(out,
	    "OCH_API_URL=https://api.example.test\\nOCH_BOOTSTRAP_TOKEN=ab12"
	    "\\n") != NULL, "API URL (no trailing slash) and token");
	ok(out != NULL && lines(out) == lines(tmpl), "no line added");
	free(out);
	/* hostile values cannot leave their scalar */
	in.slug = "x\"\nruncmd: [\"rm -rf /\"]\n#";
	out = ud_render(tmpl, c, &in, "t\"\n- evil: 1", &err);
	ok(out != NULL && lines(out) == lines(tmpl) &&
	    strstr(out, "\nruncmd") == NULL && strstr(out, "\n- evil") == NULL,
	    "hostile slug and token stay inside their scalars");
	free(out);
	free(tmpl);
	free(dir);
}

static void
test_mail(struct cfg *c)
{
	static const struct {
		const char	*tmpl;
		const char	*vars;
	} all[] = {
		{ "welcome", "{\"hostname\":\"oc-1.och.test\",\"instance_url\":"
		    "\"https://oc-1.och.test\",\"dashboard_url\":"
		    "\"https://panel.test\",\"plan\":\"starter\"}" },
		{ "suspended", "{\"hostname\":\"oc-1.och.test\",\"instance_url\":"
		    "\"https://oc-1.och.test\",\"plan\":\"starter\"}" },
		{ "unsuspended", "{\"hostname\":\"oc-1.och.test\","
		    "\"instance_url\":\"https://oc-1.och.test\",\"plan\":"
		    "\"starter\"}" },
		{ "terminated", "{\"hostname\":\"oc-1.och.test\","
		    "\"instance_url\":\"https://oc-1.och.test\",\"plan\":"
		    "\"starter\"}" },
		{ "provisioning_failed", "{\"instance_id\":\"i-1\",\"hostname\":"
		    "\"oc-1.och.test\",\"step\":\"creating\",\"error\":\"boom\","
		    "\"customer\":\"a@b.test\",\"plan\":\"starter\"}" },
	};
	struct obx_mail	 m;
	size_t		 i;
	char		 name[96];

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		snprintf(name, sizeof(name), "%s renders (subject, html, text)",
		    all[i].tmpl);
		ok(obx_render(c, all[i].tmpl, all[i].vars, "a@b.test", &m) ==
		    0 && m.subject[0] != '\0' && m.html != NULL &&
		    m.text != NULL, name);
		if (m.subject != NULL) {
			snprintf(name, sizeof(name), "%s: one-line subject",
			    all[i].tmpl);
			ok(strchr(m.subject, '\n') == NULL, name);
		}
		obx_mail_free(&m);
	}
	ok(obx_render(c, "welcome", "{\"hostname\":\"<script>x</script>\","
	    "\"instance_url\":\"https://x\\\"onmouseover=1\",\"plan\":"
	    "\"<script>y</script>\"}", "a@b.test", &m) == 0, "hostile values render");
	ok(m.html != NULL && strstr(m.html, "<script>") == NULL &&
	    strstr(m.html, "&lt;script&gt;") != NULL, "HTML escaped");
	ok(m.html != NULL && strstr(m.html, "\"onmouseover") == NULL,
	    "no attribute injection");
	ok(m.subject != NULL && strstr(m.subject, "<script>x</script>") != NULL,
	    "subject is plain text");
	obx_mail_free(&m);
	ok(obx_render(c, "welcome", "{\"hostname\":\"a\\nBcc: x@y\"}",
	    "a@b.test", &m) == -1, "a variable missing: refused");
	obx_mail_free(&m);
	ok(obx_render(c, "suspended", "{\"hostname\":\"a\\r\\nBcc: x@y\","
	    "\"instance_url\":\"u\",\"plan\":\"p\"}", "a@b.test", &m) == 0 &&
	    strchr(m.subject, '\n') == NULL && strchr(m.subject, '\r') ==
	    NULL, "no header injection through the subject");
	obx_mail_free(&m);
	ok(obx_render(c, "no_such_template", "{}", "a@b.test", &m) == -1,
	    "unknown template refused");
	ok(obx_render(c, "../etc/passwd", "{}", "a@b.test", &m) == -1,
	    "path in the template name refused");
	ok(obx_render(c, "welcome", "not json", "a@b.test", &m) == -1,
	    "garbage vars: variables missing, refused");
}

int
main(void)
{
	struct cfg	 c;

	memset(&c, 0, sizeof(c));
	c.val[CFG_OCH_TEMPLATE_DIR] = xstrdup(OCH_TOP_SRCDIR);
	c.val[CFG_API_URL] = xstrdup("https://api.example.test/");
	c.val[CFG_CLOUDFLARE_DOMAIN] = xstrdup("och.test");
	c.val[CFG_DASHBOARD_URL] = xstrdup("https://panel.test");
	test_ipv6();
	test_backoff();
	test_userdata(&c);
	test_mail(&c);
	cfg_free(&c);
	return done_testing();
}
