/*
 * tpl.h: a tiny, safe template renderer for the VPS user-data (YAML) and
 * the emails (HTML and text).
 *
 * Syntax (a small subset of mustache, no loops, no partials):
 *   {{name}}               the value, escaped for the template's mode
 *   {{#name}} ... {{/name}} the block when the value is set (non-NULL and
 *                          not "", "0" or "false")
 *   {{^name}} ... {{/name}} the block when it is not
 * Names are [A-Za-z_][A-Za-z0-9_]* (at most 64 characters); spaces inside
 * the braces are allowed ({{ name }}).  A section tag alone on its line
 * (only blanks around it) takes its whole line with it, so sections do not
 * leave blank lines in YAML.  Anything else starting with "{{" is an error.
 *
 * Modes:
 *   TPL_TEXT  values as they are, minus control characters other than \n
 *             and minus invalid UTF-8 (replaced by U+FFFD)
 *   TPL_HTML  & < > " ' as entities, control characters other than \t \n
 *             \r dropped, invalid UTF-8 replaced by U+FFFD
 *   TPL_YAML  every {{name}} must sit inside a double-quoted scalar of the
 *             template (checked: an odd number of unescaped '"' before it
 *             on its line, else the template is refused).  Values are
 *             written as pure ASCII: \ and " escaped, control characters
 *             as \n \t \r \xHH, everything above U+007F as \uXXXX or
 *             \UXXXXXXXX, invalid UTF-8 as \uFFFD.  No value can end the
 *             scalar, start a line or add a key.
 */
#ifndef OCH_TPL_H
#define OCH_TPL_H

#include <stddef.h>

#include "och.h"

/* Largest template tpl_load() accepts. */
#define TPL_MAX_SIZE	(256 * 1024)

enum tpl_mode {
	TPL_TEXT,
	TPL_HTML,
	TPL_YAML,
	TPL__MAX
};

struct tpl_var {
	const char	*name;
	const char	*value;	/* NULL: unset (false in sections) */
};

/*
 * Render tmpl with the n variables in vars.  Returns the output (free
 * with free()), or NULL with *err (if err is not NULL) set to OCH_EINVAL
 * when the template is malformed (bad tag, unbalanced section, a YAML
 * substitution outside a double-quoted scalar), names a variable that is
 * not in vars (also inside a section that is not rendered), substitutes
 * a variable whose value is NULL, or when vars names a variable twice.
 * The reason is logged (names and line numbers only, never values).
 */
char	*tpl_render(const char *tmpl, enum tpl_mode, const struct tpl_var *vars,
	    size_t n, enum och_err *err);

/*
 * Read the template dir/name.  name is a plain file name
 * ([A-Za-z0-9_.-], not starting with '.').  Returns the NUL-terminated
 * contents (free with free()), or NULL (logged) when the name is invalid,
 * the file cannot be read, is not a regular file, is larger than
 * TPL_MAX_SIZE or contains a NUL byte.
 */
char	*tpl_load(const char *dir, const char *name);

#endif
