/*
 * och-render: render a template with lib/tpl.c from the command line, for
 * the user-data tests and for operators checking a template change.
 *
 *   och-render [-m yaml|html|text] TEMPLATE [name=value | name=@file] ...
 *
 * A value "@file" is the file's contents (at most 1 MiB, as is).  The
 * result goes to stdout; errors go to stderr with exit status 1 (2 for a
 * usage error).  The control plane renders user-data itself (ochctl
 * user-data, the poller); this program only wraps the same call.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "och.h"
#include "tpl.h"

#define VALUE_MAX	(1024 * 1024)

static void
usage(void)
{
	fprintf(stderr, "usage: och-render [-m yaml|html|text] TEMPLATE "
	    "[name=value | name=@file] ...\n");
	exit(2);
}

/* Contents of path (at most VALUE_MAX bytes, no NUL), or NULL. */
static char *
read_value(const char *path)
{
	struct buf	 b = { 0 };
	char		 chunk[8192];
	size_t		 n;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "och-render: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf_add(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + n > VALUE_MAX)
			break;
		buf_add(&b, chunk, n);
	}
	if (ferror(f) || !feof(f) || memchr(b.data, '\0', b.len) != NULL) {
		fprintf(stderr, "och-render: %s: unreadable, too large or "
		    "binary\n", path);
		fclose(f);
		buf_free(&b);
		return NULL;
	}
	fclose(f);
	return buf_detach(&b);
}

int
main(int argc, char *argv[])
{
	struct tpl_var	*vars;
	enum tpl_mode	 mode = TPL_YAML;
	enum och_err	 err;
	char		*tmpl, *out, *dir, *base, *d1, *d2, *eq;
	char		**owned;
	size_t		 n = 0, i;
	int		 ch, rc = 1;

	log_init("och-render");
	while ((ch = getopt(argc, argv, "m:")) != -1) {
		if (ch != 'm')
			usage();
		if (strcmp(optarg, "yaml") == 0)
			mode = TPL_YAML;
		else if (strcmp(optarg, "html") == 0)
			mode = TPL_HTML;
		else if (strcmp(optarg, "text") == 0)
			mode = TPL_TEXT;
		else
			usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();

	d1 = xstrdup(argv[0]);
	d2 = xstrdup(argv[0]);
	dir = dirname(d1);
	base = basename(d2);
	vars = xcalloc((size_t)argc, sizeof(*vars));
	owned = xcalloc((size_t)argc, sizeof(*owned));
	tmpl = tpl_load(dir, base);
	if (tmpl == NULL)
		goto out;
	for (i = 1; i < (size_t)argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL)
			usage();
		*eq = '\0';
		vars[n].name = argv[i];
		if (eq[1] == '@') {
			if ((owned[n] = read_value(eq + 2)) == NULL)
				goto out;
			vars[n].value = owned[n];
		} else
			vars[n].value = eq + 1;
		n++;
	}
	if ((out = tpl_render(tmpl, mode, vars, n, &err)) == NULL) {
		fprintf(stderr, "och-render: %s: cannot render (%s, see "
		    "above)\n", argv[0], err_code(err));
		goto out;
	}
	fputs(out, stdout);
	free(out);
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	for (i = 0; i < n; i++)
		free(owned[i]);
	free(owned);
	free(vars);
	free(tmpl);
	free(d1);
	free(d2);
	return rc;
}
