/*
 * userdata.h: the user-data a new or rebuilt VPS boots with.  It owns the
 * one-time bootstrap tokens (random, stored only as a SHA-256 hash, valid
 * 2 h) and the rendering of the #cloud-config template:
 * OCH_TEMPLATE_DIR/cloud-init/user-data.yaml.tmpl (the full VPS recipe),
 * or minimal.yaml.tmpl when the full one is not installed.  Rendering is
 * YAML-escaped (tpl.h), so no value can add a key.  The user-data carries
 * the bootstrap token and public values only, never a long-lived secret.
 */
#ifndef OCH_USERDATA_H
#define OCH_USERDATA_H

#include "cfg.h"
#include "db.h"

#define UD_TOKEN_BYTES	32		/* 64 hex characters */
#define UD_TOKEN_TTL	"2 hours"
#define UD_MAX		32768		/* Hetzner's limit */

/* What the template may name besides the configuration. */
struct ud_instance {
	const char	*id;		/* instance uuid */
	const char	*slug;
	const char	*plan;
	const char	*openclaw_version;	/* NULL: OPENCLAW_VERSION */
	long		 memory_mb;	/* of the plan; 0 if unknown */
	/* the provider plugins to pre-install (ud_plugins()); NULL: none,
	 * or for ud_build(): those of the plan */
	const char	*plugins;
};

/*
 * The npm specs of the provider plugins plan allows (schema 310), comma-
 * separated in name order, "" when none; with plan NULL those of every
 * active plan (a pre-built image serves them all).  Returns the text
 * (caller frees), or NULL with *err from db_exec().
 */
char	*ud_plugins(struct db *, const char *plan, enum och_err *err);

/*
 * A new bootstrap token for the instance: the clear token (free with
 * xfree_secret) is returned; its hash is stored in bootstrap_tokens
 * (committed, or inside the caller's transaction).  NULL with *err set:
 * OCH_ESYSTEM when no randomness is available, or a db_exec() error.
 */
char	*ud_token(struct db *, const char *instance_id, enum och_err *err);

/*
 * The user-data for the instance with a fresh bootstrap token (stored as
 * ud_token() does) and, unless given, its plan's provider plugins.
 * Returns the text (free with xfree_secret: it holds the token), or NULL
 * with *err: OCH_EINVAL when no template can be read, the template does
 * not render (reason logged) or the result is over UD_MAX bytes;
 * OCH_ESYSTEM or a database error from ud_token() or ud_plugins().
 */
char	*ud_build(struct db *, const struct cfg *,
	    const struct ud_instance *, enum och_err *err);

/*
 * The template text: the full recipe, or the minimal one when the full
 * one is not installed.  Returns it (caller frees) or NULL with
 * OCH_EINVAL in *err (logged).
 */
char	*ud_template(const struct cfg *, enum och_err *err);

/*
 * Render the template text tmpl for the instance with the given token
 * (no database).  Returns the text or NULL (OCH_EINVAL in *err).
 */
char	*ud_render(const char *tmpl, const struct cfg *,
	    const struct ud_instance *, const char *token, enum och_err *err);

/* The template directory: OCH_TEMPLATE_DIR or the installed default. */
const char *ud_template_dir(const struct cfg *);

#endif
