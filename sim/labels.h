/*
 * labels.h: Hetzner labels: validation of label sets and the label
 * selector language (k==v, k=v, k!=v, k, !k, k in (a,b), k notin (a,b),
 * comma = AND).
 */
#ifndef SIM_LABELS_H
#define SIM_LABELS_H

#include <cjson/cJSON.h>

struct lbl_sel;

/*
 * Parse a selector.  Returns it (free with lbl_sel_free), or NULL with a
 * static message in *err.
 */
struct lbl_sel	*lbl_sel_parse(const char *, const char **err);
/* 1 when the labels (an object of strings) satisfy every requirement. */
int		 lbl_sel_match(const struct lbl_sel *, const cJSON *labels);
void		 lbl_sel_free(struct lbl_sel *);
/*
 * 1 when j is a valid label set (object of string values with valid keys
 * and values); else 0 with a static message in *err.
 */
int		 lbl_valid(const cJSON *j, const char **err);

#endif
