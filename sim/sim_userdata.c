/*
 * sim_userdata.c: cloud-config parsing with libyaml (see sim_userdata.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "och.h"
#include "sim_userdata.h"

#define UD_MAX_FILES	256

static const char *const safe_tags[] = {
	"str", "int", "float", "bool", "null", "map", "seq", "binary",
	"timestamp", "omap", "pairs", "set", "merge", "value"
};

void
sud_users_free(struct sud_user *u, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(u[i].name);
		free(u[i].hash);
	}
	free(u);
}

void
sud_free(struct ud *ud)
{
	size_t	 i;

	if (ud == NULL)
		return;
	for (i = 0; i < ud->nfiles; i++) {
		free(ud->files[i].path);
		if (ud->files[i].content != NULL) {
			explicit_bzero(ud->files[i].content, ud->files[i].len);
			free(ud->files[i].content);
		}
	}
	free(ud->files);
	free(ud->api_url);
	xfree_secret(ud->token);
	free(ud->env_error);
	sud_users_free(ud->users, ud->nusers);
	free(ud);
}

/* 1 when every node carries a tag PyYAML's safe loader can construct. */
static int
tags_safe(yaml_document_t *doc, char **reason)
{
	yaml_node_t	*n;
	const char	*t;
	size_t		 i;

	for (n = doc->nodes.start; n < doc->nodes.top; n++) {
		t = (const char *)n->tag;
		if (t == NULL)
			continue;
		if (strncmp(t, "tag:yaml.org,2002:", 18) == 0) {
			for (i = 0; i < OCH_NELEM(safe_tags); i++)
				if (strcmp(t + 18, safe_tags[i]) == 0)
					break;
			if (i < OCH_NELEM(safe_tags))
				continue;
		}
		*reason = xasprintf("could not determine a constructor for "
		    "the tag '%.64s' (line %zu)", t, n->start_mark.line + 1);
		return 0;
	}
	return 1;
}

/* Scalar value of a node (NUL-terminated by libyaml), or NULL. */
static const char *
scalar(yaml_node_t *n, size_t *len)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	if (len)
		*len = n->data.scalar.length;
	return (const char *)n->data.scalar.value;
}

/* The value of key k in a mapping (the last one wins, as in PyYAML). */
static yaml_node_t *
map_get(yaml_document_t *doc, yaml_node_t *map, const char *k)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*key, *found = NULL;
	const char		*s;
	size_t			 len;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		key = yaml_document_get_node(doc, p->key);
		if ((s = scalar(key, &len)) != NULL && len == strlen(k) &&
		    memcmp(s, k, len) == 0)
			found = yaml_document_get_node(doc, p->value);
	}
	return found;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/*
 * Decode base64 as Python's b64decode does without validation (characters
 * outside the alphabet are skipped).  Returns 0, or -1 on bad padding.
 */
static int
b64decode(const char *s, size_t len, struct buf *out)
{
	unsigned	 acc = 0;
	int		 bits = 0, v;
	size_t		 i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '=')
			break;
		if ((v = b64val((unsigned char)s[i])) < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		n++;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(out, (char)((acc >> bits) & 0xff));
		}
	}
	if (n % 4 == 1)
		return -1;
	buf_puts(out, "");
	return 0;
}

/* Parse an octal permissions value ("0644", "644", 0o644); 0644 if bad. */
static unsigned
perms(const char *s)
{
	char		*end;
	unsigned long	 v;

	if (s == NULL)
		return 0644;
	if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		s += 2;
	v = strtoul(s, &end, 8);
	if (*end != '\0' || v > 07777)
		return 0644;
	return (unsigned)v;
}

/* Read one write_files entry; 0, or -1 with *reason. */
static int
one_file(yaml_document_t *doc, yaml_node_t *e, struct ud *ud, char **reason)
{
	yaml_node_t	*path, *content, *enc, *perm;
	const char	*p, *c, *en;
	struct sud_file	*f;
	struct buf	 b = { 0 };
	size_t		 plen, clen = 0;

	if (e == NULL || e->type != YAML_MAPPING_NODE) {
		*reason = xstrdup("write_files entries must be mappings");
		return -1;
	}
	path = map_get(doc, e, "path");
	content = map_get(doc, e, "content");
	enc = map_get(doc, e, "encoding");
	perm = map_get(doc, e, "permissions");
	if ((p = scalar(path, &plen)) == NULL || plen == 0 ||
	    strlen(p) != plen) {
		*reason = xasprintf("write_files entry at line %zu has no "
		    "usable 'path'", e->start_mark.line + 1);
		return -1;
	}
	if (content != NULL && (c = scalar(content, &clen)) == NULL) {
		*reason = xasprintf("write_files '%.128s': content is not a "
		    "string", p);
		return -1;
	}
	if (content == NULL)
		c = "";
	en = scalar(enc, NULL);
	if (en != NULL && (strcmp(en, "b64") == 0 ||
	    strcmp(en, "base64") == 0)) {
		if (b64decode(c, clen, &b) == -1) {
			*reason = xasprintf("write_files '%.128s': bad base64",
			    p);
			buf_free(&b);
			return -1;
		}
	} else if (en != NULL && strstr(en, "gz") != NULL) {
		*reason = xasprintf("write_files '%.128s': encoding '%.32s' "
		    "is not supported by the simulator", p, en);
		return -1;
	} else {
		buf_add(&b, c, clen);
		buf_puts(&b, "");
	}
	if (ud->nfiles == UD_MAX_FILES) {
		buf_free(&b);
		*reason = xstrdup("too many write_files entries");
		return -1;
	}
	ud->files = xrealloc(ud->files, (ud->nfiles + 1) * sizeof(*ud->files));
	f = &ud->files[ud->nfiles++];
	f->path = xstrdup(p);
	f->len = b.len;
	f->content = buf_detach(&b);
	f->mode = perms(scalar(perm, NULL));
	return 0;
}

/* 1 when s is a plausible http(s) URL without spaces or controls. */
static int
url_ok(const char *s)
{
	const char	*p;

	if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
		return 0;
	if (strlen(s) > 2048)
		return 0;
	for (p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 127)
			return 0;
	return 1;
}

/* Read OCH_API_URL and OCH_BOOTSTRAP_TOKEN from an env file. */
static void
bootstrap_env(struct ud *ud, const struct sud_file *f)
{
	char	*copy, *line, *save = NULL, *k, *v, *eq;
	size_t	 n;

	if (memchr(f->content, '\0', f->len) != NULL) {
		ud->env_error = xstrdup("bootstrap.env contains a NUL byte");
		return;
	}
	copy = xstrdup(f->content);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		k = line + strspn(line, " \t");
		if (*k == '#' || *k == '\0')
			continue;
		if (strncmp(k, "export ", 7) == 0)
			k += 7;
		if ((eq = strchr(k, '=')) == NULL)
			continue;
		*eq = '\0';
		v = eq + 1;
		n = strlen(v);
		if (n >= 2 && ((v[0] == '"' && v[n - 1] == '"') ||
		    (v[0] == '\'' && v[n - 1] == '\''))) {
			v[n - 1] = '\0';
			v++;
		}
		if (strcmp(k, "OCH_API_URL") == 0) {
			free(ud->api_url);
			ud->api_url = xstrdup(v);
		} else if (strcmp(k, "OCH_BOOTSTRAP_TOKEN") == 0) {
			xfree_secret(ud->token);
			ud->token = xstrdup(v);
		}
	}
	explicit_bzero(copy, strlen(copy));
	free(copy);
	if (ud->api_url == NULL)
		ud->env_error = xstrdup("bootstrap.env has no OCH_API_URL");
	else if (!url_ok(ud->api_url))
		ud->env_error = xstrdup("OCH_API_URL is not an http(s) URL");
	else if (ud->token == NULL || *ud->token == '\0')
		ud->env_error = xstrdup("bootstrap.env has no "
		    "OCH_BOOTSTRAP_TOKEN");
	else if (strlen(ud->token) > 1024 || strpbrk(ud->token, " \t\"\\"))
		ud->env_error = xstrdup("OCH_BOOTSTRAP_TOKEN is malformed");
}

/*
 * Load one YAML document; the stream must hold exactly one.  Returns 0
 * (doc initialised, delete it), or -1 with *reason.
 */
static int
load_one(const char *s, size_t len, yaml_document_t *doc, char **reason)
{
	yaml_parser_t	 parser;
	yaml_document_t	 extra;
	int		 more;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)s, len);
	if (!yaml_parser_load(&parser, doc)) {
		*reason = xasprintf("YAML error: %s at line %zu column %zu",
		    parser.problem ? parser.problem : "unknown",
		    parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1);
		yaml_parser_delete(&parser);
		return -1;
	}
	if (!yaml_parser_load(&parser, &extra)) {
		*reason = xasprintf("YAML error: %s at line %zu",
		    parser.problem ? parser.problem : "unknown",
		    parser.problem_mark.line + 1);
		yaml_document_delete(doc);
		yaml_parser_delete(&parser);
		return -1;
	}
	more = yaml_document_get_root_node(&extra) != NULL;
	yaml_document_delete(&extra);
	yaml_parser_delete(&parser);
	if (more) {
		*reason = xstrdup("expected a single document in the stream");
		yaml_document_delete(doc);
		return -1;
	}
	if (!tags_safe(doc, reason)) {
		yaml_document_delete(doc);
		return -1;
	}
	return 0;
}

int
sud_webyml(const char *s, size_t len, struct sud_user **users, size_t *n,
    int *tls, char **reason)
{
	yaml_document_t		 doc;
	yaml_node_t		*root, *bau, *k, *v;
	yaml_node_pair_t	*p;
	const char		*ks, *vs;
	struct sud_user		*u = NULL;
	size_t			 nu = 0;

	if (memchr(s, '\0', len) != NULL) {
		*reason = xstrdup("web config contains a NUL byte");
		return -1;
	}
	if (load_one(s, len, &doc, reason) == -1)
		return -1;
	root = yaml_document_get_root_node(&doc);
	if (root != NULL && root->type != YAML_MAPPING_NODE) {
		*reason = xstrdup("web config is not a mapping");
		yaml_document_delete(&doc);
		return -1;
	}
	*tls = map_get(&doc, root, "tls_server_config") != NULL;
	bau = map_get(&doc, root, "basic_auth_users");
	if (bau != NULL && bau->type == YAML_MAPPING_NODE) {
		for (p = bau->data.mapping.pairs.start;
		    p < bau->data.mapping.pairs.top && nu < 64; p++) {
			k = yaml_document_get_node(&doc, p->key);
			v = yaml_document_get_node(&doc, p->value);
			if ((ks = scalar(k, NULL)) == NULL ||
			    (vs = scalar(v, NULL)) == NULL) {
				*reason = xstrdup("basic_auth_users must map "
				    "names to bcrypt hashes");
				sud_users_free(u, nu);
				yaml_document_delete(&doc);
				return -1;
			}
			u = xrealloc(u, (nu + 1) * sizeof(*u));
			u[nu].name = xstrdup(ks);
			u[nu].hash = xstrdup(vs);
			nu++;
		}
	} else if (bau != NULL && !(bau->type == YAML_SCALAR_NODE &&
	    bau->data.scalar.length == 0)) {
		*reason = xstrdup("basic_auth_users must be a mapping");
		yaml_document_delete(&doc);
		return -1;
	}
	yaml_document_delete(&doc);
	sud_users_free(*users, *n);
	*users = u;
	*n = nu;
	return 0;
}

struct ud *
sud_parse(const char *s, size_t len, char **reason)
{
	yaml_document_t	 doc;
	yaml_node_t	*root, *wf;
	yaml_node_item_t *it;
	struct ud	*ud;
	size_t		 i;
	const char	*nl;

	*reason = NULL;
	if (s == NULL || len == 0) {
		*reason = xstrdup("no user-data");
		return NULL;
	}
	nl = memchr(s, '\n', len);
	if (len < 13 || memcmp(s, "#cloud-config", 13) != 0 ||
	    (nl != NULL && strspn(s + 13, " \t\r") != (size_t)(nl - s) - 13) ||
	    (nl == NULL && strspn(s + 13, " \t\r") != len - 13)) {
		*reason = xstrdup("user-data does not begin with "
		    "\"#cloud-config\"");
		return NULL;
	}
	if (memchr(s, '\0', len) != NULL) {
		*reason = xstrdup("user-data contains a NUL byte");
		return NULL;
	}
	if (load_one(s, len, &doc, reason) == -1)
		return NULL;
	root = yaml_document_get_root_node(&doc);
	if (root != NULL && !(root->type == YAML_MAPPING_NODE ||
	    (root->type == YAML_SCALAR_NODE && (root->data.scalar.length == 0
	    || strcmp((char *)root->data.scalar.value, "null") == 0 ||
	    strcmp((char *)root->data.scalar.value, "~") == 0)))) {
		*reason = xstrdup("cloud-config is not a YAML dict");
		yaml_document_delete(&doc);
		return NULL;
	}
	ud = xcalloc(1, sizeof(*ud));
	wf = map_get(&doc, root, "write_files");
	if (wf != NULL && wf->type != YAML_SEQUENCE_NODE &&
	    !(wf->type == YAML_SCALAR_NODE && wf->data.scalar.length == 0)) {
		*reason = xstrdup("write_files must be a list");
		goto fail;
	}
	if (wf != NULL && wf->type == YAML_SEQUENCE_NODE)
		for (it = wf->data.sequence.items.start;
		    it < wf->data.sequence.items.top; it++)
			if (one_file(&doc, yaml_document_get_node(&doc, *it),
			    ud, reason) == -1)
				goto fail;
	yaml_document_delete(&doc);
	/* the last write of a path wins, as on disk */
	for (i = ud->nfiles; i-- > 0;)
		if (strcmp(ud->files[i].path, UD_BOOTSTRAP_PATH) == 0) {
			bootstrap_env(ud, &ud->files[i]);
			break;
		}
	if (i == (size_t)-1)
		ud->env_error = xstrdup("no " UD_BOOTSTRAP_PATH
		    " in write_files");
	for (i = 0; i < ud->nfiles; i++)
		if (strcmp(ud->files[i].path, UD_VPSENV_PATH) == 0)
			ud->setup = 1;
	for (i = ud->nfiles; i-- > 0;)
		if (strcmp(ud->files[i].path, UD_WEBYML_PATH) == 0 ||
		    strcmp(ud->files[i].path, UD_WEBYML_PATH2) == 0 ||
		    strcmp(ud->files[i].path, UD_WEBYML_PATH3) == 0) {
			if (sud_webyml(ud->files[i].content, ud->files[i].len,
			    &ud->users, &ud->nusers, &ud->tls, reason) == -1) {
				sud_free(ud);
				return NULL;
			}
			ud->auth = ud->nusers > 0;
			break;
		}
	return ud;
fail:
	yaml_document_delete(&doc);
	sud_free(ud);
	return NULL;
}

/* mkdir -p of the parents of path (relative to dirfd root). */
static int
parents(const char *root, const char *rel, char **reason)
{
	char	*p, *s;

	p = xasprintf("%s/%s", root, rel);
	for (s = p + strlen(root) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST) {
			*reason = xasprintf("mkdir '%s': %s", p,
			    strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

int
sud_materialize(const struct ud *ud, const char *root, char **reason)
{
	const struct sud_file	*f;
	const char		*rel, *seg;
	char			*full;
	size_t			 i, sl;
	int			 fd;

	for (i = 0; i < ud->nfiles; i++) {
		f = &ud->files[i];
		if (f->path[0] != '/') {
			*reason = xasprintf("write_files path '%.128s' is not "
			    "absolute", f->path);
			return -1;
		}
		rel = f->path + strspn(f->path, "/");
		for (seg = rel; *seg; seg += sl + (seg[sl] == '/')) {
			sl = strcspn(seg, "/");
			if ((sl == 2 && strncmp(seg, "..", 2) == 0) ||
			    (sl == 1 && seg[0] == '.') || sl == 0) {
				*reason = xasprintf("write_files path '%.128s'"
				    " is not allowed", f->path);
				return -1;
			}
		}
		if (*rel == '\0' || parents(root, rel, reason) == -1) {
			if (*reason == NULL)
				*reason = xstrdup("empty write_files path");
			return -1;
		}
		full = xasprintf("%s/%s", root, rel);
		fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
		    O_CLOEXEC, f->mode & 0777);
		if (fd == -1 || write(fd, f->content, f->len) !=
		    (ssize_t)f->len) {
			*reason = xasprintf("write '%s': %s", full,
			    strerror(errno));
			if (fd != -1)
				close(fd);
			free(full);
			return -1;
		}
		fchmod(fd, f->mode & 0777);
		close(fd);
		free(full);
	}
	return 0;
}
