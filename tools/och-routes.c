/*
 * och-routes: what lib/routes.def says, in the forms other files need.
 *
 *   och-routes nginx <och-site.conf.in   the file with its generated API
 *                                         locations rewritten
 *   och-routes docs <api.md              the file with its route index
 *                                         rewritten
 *   och-routes list                      binary, method, pattern, auth,
 *                                         one route a line (tab-separated)
 *
 * `make routes` runs the first two over the source tree; t/156-routes.t
 * fails when either file differs from what this prints.  Before printing
 * anything it checks the manifest: methods, pattern syntax, one binary
 * and one nginx profile per pattern, and no path that patterns of two
 * binaries could both match (nginx would send it to one of them only).
 * Exit status 0, or 1 with a message on stderr (a bad manifest, a file
 * without its markers, a bad command).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.def"

struct row {
	const char	*method, *pattern, *auth, *ngx, *summary;
	size_t		 cap;		/* the body cap column */
	struct {
		const char *action, *object_kind;
		int	    by_read;
	}		 audit;		/* routes.def's AUDIT(); absent: NULL */
};
struct group {
	const char		*bin;
	const struct row	*rows;
	size_t			 n;
};

#define ROW(m_, pat_, a_, cap_, fn_, ngx_, doc_, ...) \
	{ .method = #m_, .pattern = pat_, .auth = #a_, .ngx = #ngx_, \
	    .summary = doc_, .cap = cap_, __VA_ARGS__ },
#define ROWS(b) ((const struct row[]){ OCH_ROUTES_##b(ROW) })
#define GROUP(b) { #b, ROWS(b), sizeof(ROWS(b)) / sizeof(struct row) },
static const struct group groups[] = { OCH_BINARIES(GROUP) };
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

#define PROFILE(id, text) { #id, text },
static const struct {
	const char	*id, *text;
} profiles[] = { OCH_NGX_PROFILES(PROFILE) };

/* How docs/api.md names each auth kind (req.h's enum auth_kind). */
static const struct {
	const char	*id, *doc;
} auths[] = {
	{ "AUTH_NONE", "public" },
	{ "AUTH_HMAC", "HMAC" },
	{ "AUTH_SESSION", "session" },
	{ "AUTH_HMAC_OR_SESSION", "HMAC or session" },
	{ "AUTH_ADMIN", "admin session" },
	{ "AUTH_BOOTSTRAP", "bootstrap token" },
	{ "AUTH_AGENT", "agent token" },
	{ "AUTH_SESSION_VIEW", "session, a read-only view's too" },
};

#define NGX_BEGIN "\t# --- API routes: generated from lib/routes.def by " \
	"tools/och-routes (make routes); do not edit ---\n"
#define NGX_END "\t# --- end of the generated API routes ---\n"
#define DOC_BEGIN "<!-- route index: generated from lib/routes.def by " \
	"tools/och-routes (make routes); do not edit -->\n"
#define DOC_END "<!-- end of the generated route index -->\n"

static int
fail(const char *what, const char *pattern)
{
	fprintf(stderr, "och-routes: %s: %s\n", pattern, what);
	return -1;
}

/* The profile's directives, or NULL for an unknown one. */
static const char *
profile(const char *id)
{
	size_t	i;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (strcmp(profiles[i].id, id) == 0)
			return profiles[i].text;
	return NULL;
}

static const char *
auth_doc(const char *id)
{
	size_t	i;

	for (i = 0; i < sizeof(auths) / sizeof(auths[0]); i++)
		if (strcmp(auths[i].id, id) == 0)
			return auths[i].doc;
	return NULL;
}

/* "/a/{x}/b": segments at / ; 1 if every segment is a literal or {name}. */
static int
pattern_ok(const char *p)
{
	const char	*s, *e;

	if (p[0] != '/')
		return 0;
	for (s = p + 1;; s = e + 1) {
		e = strchr(s, '/');
		if (e == NULL)
			e = s + strlen(s);
		if (e == s)
			return 0;
		if (*s == '{') {
			if (e[-1] != '}' || e - s < 3 ||
			    strspn(s + 1, "abcdefghijklmnopqrstuvwxyz_") !=
			    (size_t)(e - s - 2))
				return 0;
		} else if (strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.") !=
		    (size_t)(e - s))
			return 0;
		if (*e == '\0')
			return 1;
	}
}

/* Could one path match both patterns?  Segment by segment. */
static int
overlap(const char *a, const char *b)
{
	size_t	na, nb;

	for (;;) {
		a++;
		b++;
		na = strcspn(a, "/");
		nb = strcspn(b, "/");
		if (*a != '{' && *b != '{' && (na != nb ||
		    strncmp(a, b, na) != 0))
			return 0;
		a += na;
		b += nb;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
	}
}

/* The first row with this pattern (any binary): its group and row. */
static void
first_of(const char *pattern, size_t *gi, size_t *ri)
{
	size_t	g, r;

	for (g = 0; g < NGROUPS; g++)
		for (r = 0; r < groups[g].n; r++)
			if (strcmp(groups[g].rows[r].pattern, pattern) == 0) {
				*gi = g;
				*ri = r;
				return;
			}
}

static int
check(void)
{
	const struct row	*x, *y;
	size_t			 g, r, h, s, fg, fr;
	static const char *const methods[] = { "GET", "PUT", "POST", "DELETE" };
	int			 ok;

	for (g = 0; g < NGROUPS; g++)
		for (r = 0; r < groups[g].n; r++) {
			x = &groups[g].rows[r];
			for (ok = 0, s = 0; s < 4; s++)
				ok |= strcmp(x->method, methods[s]) == 0;
			if (!ok)
				return fail("method not GET, PUT, POST or DELETE",
				    x->pattern);
			if (!pattern_ok(x->pattern))
				return fail("bad pattern", x->pattern);
			if (profile(x->ngx) == NULL)
				return fail("unknown nginx profile", x->pattern);
			if (auth_doc(x->auth) == NULL)
				return fail("unknown auth kind", x->pattern);
			first_of(x->pattern, &fg, &fr);
			y = &groups[fg].rows[fr];
			if (fg != g)
				return fail("pattern in two binaries", x->pattern);
			if (strcmp(y->ngx, x->ngx) != 0)
				return fail("two nginx profiles", x->pattern);
			if (y != x && strcmp(y->method, x->method) == 0)
				return fail("route listed twice", x->pattern);
			for (h = g + 1; h < NGROUPS; h++)
				for (s = 0; s < groups[h].n; s++)
					if (overlap(x->pattern,
					    groups[h].rows[s].pattern))
						return fail("a path could match a "
						    "pattern of another binary too",
						    x->pattern);
		}
	return 0;
}

/* The methods of a pattern, "GET, PUT". */
static void
methods_of(const struct group *gr, const char *pattern, char *out,
    size_t len)
{
	size_t	r;

	out[0] = '\0';
	for (r = 0; r < gr->n; r++)
		if (strcmp(gr->rows[r].pattern, pattern) == 0)
			snprintf(out + strlen(out), len - strlen(out), "%s%s",
			    out[0] ? ", " : "", gr->rows[r].method);
}

/*
 * The body cap nginx applies to a pattern's location: the largest of its
 * POST and PUT routes' caps, 0 (the server's) when there is none or one
 * of them has none of its own (0: OCH_BODY_MAX, or SRV_RAW_BODY).
 */
static size_t
location_cap(const struct group *gr, const char *pattern)
{
	const struct row	*x;
	size_t			 r, cap = 0;

	for (r = 0; r < gr->n; r++) {
		x = &gr->rows[r];
		if (strcmp(x->pattern, pattern) != 0 ||
		    (strcmp(x->method, "POST") != 0 &&
		    strcmp(x->method, "PUT") != 0))
			continue;
		if (x->cap == 0 || (x->cap & SRV_RAW_BODY))
			return 0;
		if (x->cap > cap)
			cap = x->cap;
	}
	return cap;
}

static void
print_nginx(FILE *f)
{
	const struct row	*x;
	const char		*p, *t;
	char			 ms[64];
	size_t			 g, r, fg, fr, cap;

	for (g = 0; g < NGROUPS; g++)
		for (r = 0; r < groups[g].n; r++) {
			x = &groups[g].rows[r];
			first_of(x->pattern, &fg, &fr);
			if (fr != r)
				continue;	/* a further method: same location */
			methods_of(&groups[g], x->pattern, ms, sizeof(ms));
			if (strchr(x->pattern, '{') == NULL)
				fprintf(f, "\tlocation = %s {", x->pattern);
			else {
				fputs("\tlocation ~ ^", f);
				for (p = x->pattern; *p != '\0'; p++)
					if (*p == '{') {
						fputs("[^/]+", f);
						p = strchr(p, '}');
					} else if (*p == '.')
						fputs("\\.", f);
					else
						fputc(*p, f);
				fputs("$ {", f);
			}
			if (strchr(x->pattern, '{') == NULL)
				fprintf(f, "\t# %s\n", ms);
			else
				fprintf(f, "\t# %s %s\n", ms, x->pattern);
			for (t = profile(x->ngx); *t != '\0'; t = p) {
				p = strchr(t, '\n');
				p = p == NULL ? t + strlen(t) : p + 1;
				fprintf(f, "\t\t%.*s", (int)(p - t), t);
				if (p[-1] != '\n')
					fputc('\n', f);
			}
			if ((cap = location_cap(&groups[g], x->pattern)) > 0)
				fprintf(f, "\t\tclient_max_body_size %zu%s;\n",
				    cap % 1024 == 0 ? cap / 1024 : cap,
				    cap % 1024 == 0 ? "k" : "");
			fprintf(f, "\t\tinclude @CONFDIR@/och-fastcgi.conf;\n"
			    "\t\tfastcgi_pass unix:@RUNDIR@/%s.sock;\n\t}\n",
			    groups[g].bin);
		}
}

static void
print_docs(FILE *f)
{
	const struct row	*x;
	size_t			 g, r;

	fputs("| Method | Path | Binary | Auth | What |\n"
	    "|---|---|---|---|---|\n", f);
	for (g = 0; g < NGROUPS; g++)
		for (r = 0; r < groups[g].n; r++) {
			x = &groups[g].rows[r];
			fprintf(f, "| %s | `%s` | %s.fcgi | %s | %s |\n",
			    x->method, x->pattern, groups[g].bin,
			    auth_doc(x->auth), x->summary);
		}
}

/*
 * Copy stdin to stdout with the lines between the begin and end markers
 * replaced by gen's output.  0, or -1 when a marker is missing.
 */
static int
splice(const char *begin, const char *end, void (*gen)(FILE *))
{
	char	line[4096];
	int	state = 0;	/* 0 before, 1 inside, 2 after */

	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (state == 1) {
			if (strcmp(line, end) == 0) {
				fputs(line, stdout);
				state = 2;
			}
			continue;
		}
		fputs(line, stdout);
		if (state == 0 && strcmp(line, begin) == 0) {
			gen(stdout);
			state = 1;
		}
	}
	if (state != 2) {
		fprintf(stderr, "och-routes: the input lacks the line %s",
		    state == 0 ? begin : end);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	size_t	g, r;

	if (argc != 2) {
		fputs("usage: och-routes nginx|docs|list|audit\n", stderr);
		return 1;
	}
	if (check() < 0)
		return 1;
	if (strcmp(argv[1], "nginx") == 0)
		return splice(NGX_BEGIN, NGX_END, print_nginx) < 0;
	if (strcmp(argv[1], "docs") == 0)
		return splice(DOC_BEGIN, DOC_END, print_docs) < 0;
	if (strcmp(argv[1], "list") == 0) {
		for (g = 0; g < NGROUPS; g++)
			for (r = 0; r < groups[g].n; r++)
				printf("%s\t%s\t%s\t%s\n", groups[g].bin,
				    groups[g].rows[r].method,
				    groups[g].rows[r].pattern,
				    groups[g].rows[r].auth);
		return 0;
	}
	if (strcmp(argv[1], "audit") == 0) {
		for (g = 0; g < NGROUPS; g++)
			for (r = 0; r < groups[g].n; r++)
				if (groups[g].rows[r].audit.action != NULL)
					printf("%s\t%s\t%s\t%s\n",
					    groups[g].rows[r].method,
					    groups[g].rows[r].pattern,
					    groups[g].rows[r].audit.action,
					    groups[g].rows[r].audit.object_kind
					    ? groups[g].rows[r].audit.object_kind
					    : "-");
		return 0;
	}
	fputs("usage: och-routes nginx|docs|list|audit\n", stderr);
	return 1;
}
