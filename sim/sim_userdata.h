/*
 * sim_userdata.h: what a simulated server's cloud-init makes of its user-data.
 * The document must start with the line "#cloud-config" and be one YAML
 * mapping (cloud-init uses a safe loader: unknown tags and several
 * documents are refused).  From write_files it takes every file (text,
 * b64/base64 encodings) and reads two of them:
 *   /etc/och-agent/bootstrap.env   OCH_API_URL=..., OCH_BOOTSTRAP_TOKEN=...
 *   /etc/prometheus/node-exporter-web.yml (also web.yml, or
 *   /etc/node_exporter/web.yml)    node_exporter web config, basic_auth_users
 * and notes whether /etc/och/vps.env is there (the control plane's
 * user-data: och-setup runs and makes node_exporter's TLS key).
 * Everything is treated as hostile input.
 */
#ifndef SIM_USERDATA_H
#define SIM_USERDATA_H

#include <stddef.h>

#define UD_BOOTSTRAP_PATH	"/etc/och-agent/bootstrap.env"
#define UD_WEBYML_PATH		"/etc/prometheus/node-exporter-web.yml"
#define UD_WEBYML_PATH2		"/etc/prometheus/web.yml"
#define UD_WEBYML_PATH3		"/etc/node_exporter/web.yml"
#define UD_VPSENV_PATH		"/etc/och/vps.env"
/* where och-setup puts node_exporter's TLS key and certificate */
#define UD_NE_KEY_PATH		"/etc/prometheus/node-exporter-tls.key"
#define UD_NE_CERT_PATH		"/etc/prometheus/node-exporter-tls.crt"

struct sud_file {
	char	*path;
	char	*content;	/* decoded; NUL-terminated, may hold NULs */
	size_t	 len;
	unsigned mode;
};

struct sud_user {
	char	*name;
	char	*hash;		/* bcrypt */
};

struct ud {
	struct sud_file	*files;
	size_t		 nfiles;
	char		*api_url;	/* NULL when not given */
	char		*token;		/* secret: never logged or shown */
	char		*env_error;	/* why bootstrap.env is unusable */
	struct sud_user	*users;
	size_t		 nusers;
	int		 auth;		/* a web config with users was given */
	int		 tls;		/* web config asks for TLS */
	int		 setup;		/* och-setup runs (UD_VPSENV_PATH) */
};

/*
 * Parse user-data.  Returns the result, or NULL with *reason set (free it)
 * when cloud-init would refuse the document.
 */
struct ud	*sud_parse(const char *, size_t, char **reason);
void		 sud_free(struct ud *);
/*
 * Parse a node_exporter web config into users (replacing the old ones).
 * Returns 0, or -1 with *reason set (free it) on bad input.
 */
int		 sud_webyml(const char *, size_t, struct sud_user **, size_t *,
		    int *tls, char **reason);
void		 sud_users_free(struct sud_user *, size_t);
/*
 * Write the files under root (agent mode), refusing paths that would
 * leave it.  Returns 0, or -1 with *reason set (free it).
 */
int		 sud_materialize(const struct ud *, const char *root,
		    char **reason);

#endif
