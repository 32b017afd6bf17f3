/*
 * prom: a node_exporter's /metrics answer as the metrics poller reads it
 * (any VPS can answer anything): the Prometheus text parser with a
 * callback that looks at every label, then the whitelist's derivation
 * (met_parse, met_rows) with and without a previous sample.
 */
#include <math.h>

#include "fuzz.h"
#include "met.h"
#include "prom.h"

static int
each(const struct prom_sample *s, void *arg)
{
	size_t	*count = arg;
	int	 i;

	FZ_ASSERT(s->name != NULL && *s->name != '\0');
	FZ_ASSERT(s->nlabels >= 0);
	for (i = 0; i < s->nlabels; i++)
		FZ_ASSERT(prom_label(s, s->labels[i].name) != NULL);
	(void)prom_label(s, "mountpoint");
	(*count)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct prom_stats	 st;
	struct met_node		 node;
	struct met_prev		 prev = { 1, 1000.0, 1767225540.0 };
	struct met_row		 rows[MET_MAXSERIES];
	size_t			 count = 0, nr, i;
	int			 rc;

	/* no NUL after the text: the scraper hands over the bytes it got */
	char			*text = malloc(n ? n : 1);

	if (text == NULL)
		abort();
	if (n > 0)
		memcpy(text, d, n);
	rc = prom_parse(text, n, each, &count, &st);
	FZ_ASSERT(rc == 0 || rc == -1);
	FZ_ASSERT(count == st.samples);
	FZ_ASSERT(rc == 0 || st.error != NULL);
	if (met_parse(text, n, &node) == 0) {
		nr = met_rows(&node, NULL, 1767225600.0, rows);
		FZ_ASSERT(nr >= 1 && nr <= MET_MAXSERIES);
		nr = met_rows(&node, &prev, 1767225600.0, rows);
		FZ_ASSERT(nr >= 1 && nr <= MET_MAXSERIES);
		for (i = 0; i < nr; i++)
			FZ_ASSERT(rows[i].series != NULL &&
			    isfinite(rows[i].value) && (rows[i].value == 0 ||
			    (rows[i].value >= MET_VALUE_MIN &&
			    rows[i].value <= MET_VALUE_MAX)));
	}
	free(text);
	return 0;
}
