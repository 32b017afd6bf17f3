/*
 * userdata.c: bootstrap tokens and the rendered user-data (userdata.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cry.h"
#include "log.h"
#include "tpl.h"
#include "userdata.h"

static const struct db_stmt stmt_token = { "ud_token",
	"INSERT INTO bootstrap_tokens (token_hash, instance_id, expires_at)"
	" VALUES ($1, $2::uuid, now() + interval '" UD_TOKEN_TTL "')" };

static const struct db_stmt stmt_plugins = { "ud_plugins",
	"SELECT coalesce(string_agg(DISTINCT a.plugin, ',' ORDER BY a.plugin),"
	" '') FROM plan_providers pp JOIN ai_providers a ON a.provider = pp.provider"
	" JOIN plans p ON p.name = pp.plan WHERE a.plugin IS NOT NULL"
	" AND CASE WHEN $1::text IS NULL THEN p.active ELSE p.name = $1 END" };

/* Templates tried in order: the full VPS recipe, then the minimal one. */
static const char *const templates[] = {
	"user-data.yaml.tmpl",
	"minimal.yaml.tmpl",
};

const char *
ud_template_dir(const struct cfg *c)
{
	return cfg_str(c, CFG_OCH_TEMPLATE_DIR, OCH_PKGDATADIR);
}

char *
ud_token(struct db *db, const char *instance_id, enum och_err *err)
{
	char		*tok, hash[65];
	const char	*p[2];
	enum och_err	 e;

	if ((tok = cry_token(UD_TOKEN_BYTES)) == NULL) {
		*err = OCH_ESYSTEM;
		return NULL;
	}
	cry_sha256_hex(tok, strlen(tok), hash);
	p[0] = hash;
	p[1] = instance_id;
	if ((e = db_run(db, &stmt_token, 2, p, NULL)) != OCH_OK) {
		xfree_secret(tok);
		*err = e;
		return NULL;
	}
	*err = OCH_OK;
	return tok;
}

/*
 * The hex SHA-256 of cloud-init/name under the template folder: the very
 * file nginx serves the VPS as /vps/name (one home for the sum).  "" when
 * it cannot be read (logged): the VPS's check then fails, closed.
 */
static void
served_sum(const struct cfg *c, const char *name, char out[65])
{
	struct buf	 b = { 0 };
	char		*path, chunk[8192];
	size_t		 n;
	FILE		*f;

	out[0] = '\0';
	path = xasprintf("%s/cloud-init/%s", ud_template_dir(c), name);
	if ((f = fopen(path, "rb")) != NULL) {
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_add(&b, chunk, n);
		if (!ferror(f))
			cry_sha256_hex(b.data != NULL ? b.data : "", b.len, out);
		fclose(f);
		buf_free(&b);
	}
	if (out[0] == '\0')
		log_warn("user-data: unable to read %s for its checksum", path);
	free(path);
}

char *
ud_render(const char *tmpl, const struct cfg *c, const struct ud_instance *in,
    const char *token, enum och_err *err)
{
	struct tpl_var	 v[17];
	char		*host, *api, *mem, *out, setup[65], agent[65];
	const char	*dom, *ver;
	size_t		 n = 0, len;

	dom = cfg_str(c, CFG_CLOUDFLARE_DOMAIN, "och.test");
	host = xasprintf("%s.%s", in->slug, dom);
	api = xstrdup(cfg_str(c, CFG_API_URL, ""));
	/* the agent appends /api/v1/...: no trailing slash */
	len = strlen(api);
	while (len > 0 && api[len - 1] == '/')
		api[--len] = '\0';
	mem = xasprintf("%ld", in->memory_mb);
	ver = in->openclaw_version != NULL ? in->openclaw_version :
	    cfg_str(c, CFG_OPENCLAW_VERSION, "latest");
	v[n++] = (struct tpl_var){ "instance_id", in->id };
	v[n++] = (struct tpl_var){ "slug", in->slug };
	v[n++] = (struct tpl_var){ "hostname", host };
	v[n++] = (struct tpl_var){ "domain", dom };
	v[n++] = (struct tpl_var){ "plan", in->plan };
	v[n++] = (struct tpl_var){ "memory_mb", mem };
	v[n++] = (struct tpl_var){ "provider_plugins",
	    in->plugins != NULL ? in->plugins : "" };
	v[n++] = (struct tpl_var){ "api_url", api };
	v[n++] = (struct tpl_var){ "bootstrap_token", token };
	v[n++] = (struct tpl_var){ "openclaw_version", ver };
	v[n++] = (struct tpl_var){ "control_plane_ips",
	    cfg_str(c, CFG_CONTROL_PLANE_IPS, "") };
	v[n++] = (struct tpl_var){ "dashboard_url",
	    cfg_str(c, CFG_DASHBOARD_URL, "") };
	/* the VPS fetches och-setup and och-agent over TLS only (plain
	 * http only from a loopback API: the demo and the tests) and checks
	 * them against these sums */
	v[n++] = (struct tpl_var){ "fetch_proto",
	    cfg_url_loopback(api) ? "=http,https" : "=https" };
	served_sum(c, "och-setup", setup);
	served_sum(c, "och-agent", agent);
	v[n++] = (struct tpl_var){ "och_setup_sha256", setup };
	v[n++] = (struct tpl_var){ "och_agent_sha256", agent };
	out = tpl_render(tmpl, TPL_YAML, v, n, err);
	if (out != NULL && strlen(out) > UD_MAX) {
		log_error("user-data for %s is %zu bytes, over %d", in->id,
		    strlen(out), UD_MAX);
		xfree_secret(out);
		out = NULL;
		*err = OCH_EINVAL;
	}
	free(host);
	free(api);
	free(mem);
	return out;
}

/* 1 if dir/name can be opened. */
static int
exists(const char *dir, const char *name)
{
	char	*path;
	int	 ok;

	path = xasprintf("%s/%s", dir, name);
	ok = access(path, R_OK) == 0;
	free(path);
	return ok;
}

char *
ud_template(const struct cfg *c, enum och_err *err)
{
	char		*dir, *tmpl = NULL;
	size_t		 i;

	dir = xasprintf("%s/cloud-init", ud_template_dir(c));
	for (i = 0; i < OCH_NELEM(templates) && tmpl == NULL; i++)
		/* the full recipe may be missing: don't warn about it */
		if (i == OCH_NELEM(templates) - 1 || exists(dir, templates[i]))
			tmpl = tpl_load(dir, templates[i]);
	free(dir);
	if (tmpl == NULL) {
		log_error("no user-data template under %s/cloud-init",
		    ud_template_dir(c));
		*err = OCH_EINVAL;
	}
	return tmpl;
}

char *
ud_plugins(struct db *db, const char *plan, enum och_err *err)
{
	PGresult	*res;
	const char	*p[1] = { plan };
	char		*out;

	if ((res = db_exec(db, &stmt_plugins, 1, p, err)) == NULL)
		return NULL;
	out = xstrdup(PQntuples(res) == 1 ? db_val(res, 0, 0) : "");
	PQclear(res);
	return out;
}

char *
ud_build(struct db *db, const struct cfg *c, const struct ud_instance *in,
    enum och_err *err)
{
	struct ud_instance	 ui = *in;
	char			*tmpl, *tok, *out, *plugins = NULL;

	if (ui.plugins == NULL &&
	    (ui.plugins = plugins = ud_plugins(db, in->plan, err)) == NULL)
		return NULL;
	if ((tmpl = ud_template(c, err)) == NULL) {
		free(plugins);
		return NULL;
	}
	if ((tok = ud_token(db, in->id, err)) == NULL) {
		free(tmpl);
		free(plugins);
		return NULL;
	}
	out = ud_render(tmpl, c, &ui, tok, err);
	xfree_secret(tok);
	free(tmpl);
	free(plugins);
	return out;
}
