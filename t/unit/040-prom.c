/*
 * 040-prom: the Prometheus text parser (lib/prom.c) against node_exporter's
 * own e2e output and hostile input, a bounded random-mutation loop, and
 * the derived series (lib/met.c).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "met.h"
#include "och.h"
#include "prom.h"
#include "tap.h"

#ifndef OCH_TOP_SRCDIR
#define OCH_TOP_SRCDIR "."
#endif

struct seen {
	size_t	 n;
	double	 load1, mem_total, cpu0_idle, boot;
	int	 cpu_labels_ok;
	char	 last_name[128];
	char	 label[256];	/* a value picked by the test */
	int	 nan, pinf, ninf, has_ts;
	int64_t	 ts;
};

static int
collect(const struct prom_sample *s, void *arg)
{
	struct seen	*z = arg;
	const char	*c, *m;

	z->n++;
	snprintf(z->last_name, sizeof(z->last_name), "%s", s->name);
	if (strcmp(s->name, "node_load1") == 0)
		z->load1 = s->value;
	if (strcmp(s->name, "node_memory_MemTotal_bytes") == 0)
		z->mem_total = s->value;
	if (strcmp(s->name, "node_boot_time_seconds") == 0)
		z->boot = s->value;
	if (strcmp(s->name, "node_cpu_seconds_total") == 0) {
		c = prom_label(s, "cpu");
		m = prom_label(s, "mode");
		if (c != NULL && m != NULL && s->nlabels == 2)
			z->cpu_labels_ok++;
		if (c != NULL && m != NULL && strcmp(c, "0") == 0 &&
		    strcmp(m, "idle") == 0)
			z->cpu0_idle = s->value;
	}
	if ((c = prom_label(s, "v")) != NULL)
		snprintf(z->label, sizeof(z->label), "%s", c);
	if (isnan(s->value))
		z->nan++;
	if (isinf(s->value) && s->value > 0)
		z->pinf++;
	if (isinf(s->value) && s->value < 0)
		z->ninf++;
	if (s->has_ts) {
		z->has_ts++;
		z->ts = s->ts;
	}
	return 0;
}

static int
parse_str(const char *text, struct seen *z, struct prom_stats *st)
{
	memset(z, 0, sizeof(*z));
	return prom_parse(text, strlen(text), collect, z, st);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*p;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = xmalloc((size_t)n + 1);
	if (fread(p, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(p);
		return NULL;
	}
	fclose(f);
	p[n] = '\0';
	*len = (size_t)n;
	return p;
}

static int
stop_at_3(const struct prom_sample *s, void *arg)
{
	(void)s;
	return ++*(int *)arg == 3 ? 7 : 0;
}

static void
t_fixture(void)
{
	struct seen		 z;
	struct prom_stats	 st;
	char			*text, *path;
	size_t			 len = 0, i, want = 0, lines = 0;
	int			 rc, stopped = 0;

	path = xasprintf("%s/t/vectors/node_exporter-e2e-output.txt",
	    OCH_TOP_SRCDIR);
	text = slurp(path, &len);
	free(path);
	if (!ok(text != NULL, "e2e fixture read")) {
		return;
	}
	/* expected samples: lines that are neither empty nor comments */
	for (i = 0; i < len; i++)
		if (i == 0 || text[i - 1] == '\n') {
			lines++;
			if (text[i] != '#' && text[i] != '\n')
				want++;
		}
	memset(&z, 0, sizeof(z));
	rc = prom_parse(text, len, collect, &z, &st);
	is_int(rc, 0, "e2e fixture parses");
	if (st.error != NULL)
		printf("# line %zu: %s\n", st.errline, st.error);
	is_int(st.samples, want, "every sample line delivered");
	is_int(z.n, want, "callback saw each");
	is_int(st.lines, lines, "every line read");
	ok(z.load1 == 0.21, "node_load1 0.21");
	ok(z.mem_total == 3.831959552e+09, "MemTotal exponent value");
	ok(z.cpu0_idle == 10870.69, "cpu 0 idle seconds");
	ok(z.cpu_labels_ok >= 64, "cpu samples carry cpu and mode labels");
	ok(z.boot == 1.418183276e+09, "boot time");
	is_int(z.nan, 0, "no NaN in the fixture");
	/* the callback may stop the parse */
	rc = prom_parse(text, len, stop_at_3, &stopped, &st);
	is_int(rc, 7, "callback value ends the parse");
	is_int(st.samples, 3, "after three samples");
	/* without the final newline it still parses */
	rc = prom_parse(text, len - 1, collect, &z, &st);
	is_int(rc, 0, "last line without newline");
	/* a truncated exposition may end mid-sample: an error or fewer
	 * samples, never a crash (tested for every cut in the fuzz loop) */
	free(text);
}

static void
t_syntax(void)
{
	struct seen		 z;
	struct prom_stats	 st;
	size_t			 i;
	static const char *const bad[] = {
		"1abc 1\n",			/* name starts with a digit */
		"a-b 1\n",			/* bad name char */
		"a 1 2 3\n",			/* trailing text */
		"a\n",				/* no value */
		"a \n",				/* no value */
		"a{} \n",			/* no value */
		"a abc\n",			/* bad value */
		"a 0x10\n",			/* hex float */
		"a nan(12)\n",			/* strtod extension */
		"a 1e999\n",			/* overflow */
		"a 1 1.5\n",			/* fractional timestamp */
		"a 1 99999999999999999999\n",	/* timestamp overflow */
		"a{b=\"c\" 1\n",		/* unterminated set */
		"a{b=\"c 1\n",			/* unterminated value */
		"a{b=c} 1\n",			/* unquoted */
		"a{b\"c\"} 1\n",		/* no = */
		"a{b=\"\\x\"} 1\n",		/* bad escape */
		"a{b=\"c\",b=\"d\"} 1\n",	/* duplicate label */
		"a{1b=\"c\"} 1\n",		/* bad label name */
		"a{b:c=\"c\"} 1\n",		/* ':' not in label names */
		"a{,} 1\n",			/* empty label */
		"a{b=\"c\"}} 1\n",		/* stray brace */
		"a 1\r\n",			/* CR */
		"# TYPE a bogus\n",		/* bad type */
		"# TYPE a\n",			/* missing type */
		"# TYPE 1a counter\n",		/* bad name */
		"# TYPE a counter extra\n",	/* trailing */
		"# HELP a bad \\x escape\n",	/* bad help escape */
		"# HELP a trailing backslash \\\n",
		"a{b=\"c\"\n",
		"{b=\"c\"} 1\n",		/* no name */
	};

	for (i = 0; i < OCH_NELEM(bad); i++) {
		char	 name[160];

		snprintf(name, sizeof(name), "refused: %.*s", (int)strcspn(bad[i],
		    "\n"), bad[i]);
		ok(parse_str(bad[i], &z, &st) == -1 && st.error != NULL &&
		    st.errline == 1, name);
	}
	ok(prom_parse("a 1\0\n", 5, collect, &z, &st) == -1, "NUL refused");

	is_int(parse_str("# a comment\n#nospace\n# HELP x doc \\\\ \\n ok\n"
	    "# TYPE x gauge\n\n  \t\nx 1\n", &z, &st), 0,
	    "comments, HELP escapes, TYPE, blank lines");
	is_int(z.n, 1, "one sample");
	is_int(parse_str("a NaN\nb +Inf\nc -Inf\nd 3.831959552e+09\n"
	    "e -0.5 1700000000000\nf Inf\n", &z, &st), 0, "special values");
	is_int(z.nan, 1, "NaN");
	is_int(z.pinf, 2, "+Inf and Inf");
	is_int(z.ninf, 1, "-Inf");
	is_int(z.has_ts, 1, "one timestamp");
	ok(z.ts == INT64_C(1700000000000), "timestamp value");
	is_int(parse_str("a{v=\"say \\\"hi\\\"\\n back\\\\slash\"} 1\n",
	    &z, &st), 0, "escaped label value");
	is_str(z.label, "say \"hi\"\n back\\slash", "unescaped");
	is_int(parse_str("a{ v = \"x\" , w=\"y\", } 1\n", &z, &st), 0,
	    "blanks in a label set and a trailing comma");
	is_str(z.label, "x", "label value");
	is_int(parse_str("a{} 2\nb{v=\"\"} 3\n", &z, &st), 0,
	    "empty set, empty value");
	is_int(parse_str("a{v=\"{}=,#\"}\t5\t-12\n", &z, &st), 0,
	    "punctuation inside a value, tabs, negative timestamp");
	ok(z.ts == -12, "negative timestamp");
	is_int(parse_str("metric:with:colons 1\n", &z, &st), 0,
	    "colons in metric names");
}

static void
t_limits(void)
{
	struct seen		 z;
	struct prom_stats	 st;
	struct buf		 b = { 0 };
	int			 i;

	/* 32 labels pass, 33 do not */
	buf_puts(&b, "a{");
	for (i = 0; i < PROM_MAXLABELS; i++)
		buf_printf(&b, "l%d=\"x\",", i);
	buf_puts(&b, "} 1\n");
	is_int(prom_parse(b.data, b.len, collect, &z, &st), 0,
	    "PROM_MAXLABELS labels");
	buf_reset(&b);
	buf_puts(&b, "a{");
	for (i = 0; i <= PROM_MAXLABELS; i++)
		buf_printf(&b, "l%d=\"x\",", i);
	buf_puts(&b, "} 1\n");
	ok(prom_parse(b.data, b.len, collect, &z, &st) == -1 &&
	    strcmp(st.error, "too many labels") == 0, "one label more refused");
	/* line cap */
	buf_reset(&b);
	buf_puts(&b, "a{v=\"");
	for (i = 0; i < PROM_MAXLINE; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\"} 1\n");
	ok(prom_parse(b.data, b.len, collect, &z, &st) == -1 &&
	    strcmp(st.error, "line too long") == 0, "long line refused");
	buf_reset(&b);
	buf_puts(&b, "# HELP a ");
	for (i = 0; i < PROM_MAXLINE - 9; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\na{v=\"");
	for (i = 0; i < PROM_MAXLINE - 10; i++)
		buf_putc(&b, '\\');
	buf_puts(&b, "\"} 1\n");
	is_int(prom_parse(b.data, b.len, collect, &z, &st), 0,
	    "lines of exactly PROM_MAXLINE bytes");
	/* total size cap (checked before reading) */
	ok(prom_parse(b.data, (size_t)PROM_MAXSIZE + 1, collect, &z, &st) ==
	    -1 && strcmp(st.error, "input too large") == 0,
	    "oversized input refused");
	ok(prom_parse("", 0, collect, &z, &st) == 0 && st.samples == 0,
	    "empty input");
	buf_free(&b);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static int
count(const struct prom_sample *s, void *arg)
{
	int	 i;

	/* touch every string, as a caller would */
	for (i = 0; i < s->nlabels; i++)
		*(size_t *)arg += strlen(s->labels[i].name) +
		    strlen(s->labels[i].value);
	*(size_t *)arg += strlen(s->name);
	return 0;
}

/* A bounded libFuzzer-style loop: mutate seeds, parse from exact-length
 * heap copies (so ASan sees any read past the end). */
static void
t_fuzz(void)
{
	static const char *const seeds[] = {
		"# HELP node_cpu_seconds_total Seconds \\\\ the CPUs.\n"
		"# TYPE node_cpu_seconds_total counter\n"
		"node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 10870.69\n"
		"node_load1 0.21 1700000000000\n",
		"node_filesystem_avail_bytes{device=\"/dev/sda1\",device_error"
		"=\"\",fstype=\"ext4\",mountpoint=\"/\"} 3.5e+10\n"
		"a{v=\"q\\\"\\n\\\\\"} NaN\nb +Inf\nc -Inf\n",
		"x{a=\"1\",b=\"2\",c=\"3\",} -1e-300 -5\n#\n\n",
	};
	static const char alphabet[] = "{}=\",\\ \t\n#:_aZ09.+-eENIfn\r\0";
	struct prom_stats	 st;
	size_t			 len, pos, touched = 0;
	char			*m;
	int			 iter, j, nmut, oks = 0, errs = 0;
	const char		*s;

	for (iter = 0; iter < 40000; iter++) {
		s = seeds[rnd() % OCH_NELEM(seeds)];
		len = strlen(s);
		m = xmalloc(len * 2 + 64);
		memcpy(m, s, len);
		nmut = 1 + rnd() % 6;
		for (j = 0; j < nmut; j++) {
			pos = len ? rnd() % len : 0;
			switch (rnd() % 6) {
			case 0:		/* flip a bit */
				if (len)
					m[pos] ^= (char)(1u << (rnd() % 8));
				break;
			case 1:		/* replace with an interesting byte */
				if (len)
					m[pos] = alphabet[rnd() %
					    (sizeof(alphabet) - 1)];
				break;
			case 2:		/* insert one */
				memmove(m + pos + 1, m + pos, len - pos);
				m[pos] = alphabet[rnd() % (sizeof(alphabet) - 1)];
				len++;
				break;
			case 3:		/* delete one */
				if (len) {
					memmove(m + pos, m + pos + 1,
					    len - pos - 1);
					len--;
				}
				break;
			case 4:		/* truncate */
				len = pos;
				break;
			default:	/* random byte */
				if (len)
					m[pos] = (char)rnd();
				break;
			}
			if (len > strlen(s) + 50)
				break;
		}
		/* exact-size copy: no NUL after the end */
		{
			char	*exact = xmalloc(len ? len : 1);

			memcpy(exact, m, len);
			if (prom_parse(exact, len, count, &touched, &st) == 0)
				oks++;
			else {
				errs++;
				if (st.error == NULL || st.errline == 0)
					break;
			}
			free(exact);
		}
		free(m);
	}
	is_int(iter, 40000, "40000 mutated inputs, each parsed or refused "
	    "with a line and a reason");
	ok(oks > 100 && errs > 100, "both outcomes seen");
	(void)touched;
}

static void
t_met(void)
{
	static const char text[] =
	    "# TYPE node_cpu_seconds_total counter\n"
	    "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 100\n"
	    "node_cpu_seconds_total{cpu=\"0\",mode=\"iowait\"} 10\n"
	    "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 30\n"
	    "node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 100\n"
	    "node_cpu_seconds_total{cpu=\"1\",mode=\"system\"} 20\n"
	    "node_load1 0.5\n"
	    "node_memory_MemTotal_bytes 4e9\n"
	    "node_memory_MemFree_bytes 1e9\n"
	    "node_memory_Buffers_bytes 1e8\n"
	    "node_memory_Cached_bytes 9e8\n"
	    "node_filesystem_avail_bytes{device=\"/dev/sda1\",device_error=\"\","
	    "fstype=\"ext4\",mountpoint=\"/\"} 30e9\n"
	    "node_filesystem_avail_bytes{device=\"tmpfs\",device_error=\"\","
	    "fstype=\"tmpfs\",mountpoint=\"/run\"} 1e6\n"
	    "node_filesystem_size_bytes{device=\"/dev/sda1\",mountpoint=\"/\","
	    "fstype=\"ext4\"} 40e9\n"
	    "node_network_receive_bytes_total{device=\"eth0\"} 1000\n"
	    "node_network_receive_bytes_total{device=\"eth1\"} 24\n"
	    "node_network_receive_bytes_total{device=\"lo\"} 99999\n"
	    "node_network_transmit_bytes_total{device=\"eth0\"} 500\n"
	    "node_network_transmit_bytes_total{device=\"lo\"} 99999\n"
	    "node_load5 NaN\n";
	struct met_node	 n;
	struct met_row	 rows[MET_MAXSERIES];
	struct met_prev	 prev;
	size_t		 k, i;
	double		 v[16];
	const char	*names[] = { "up", "cpu_seconds", "cpu_util", "load1",
	    "mem_total", "mem_available", "disk_total", "disk_free",
	    "net_rx_bytes", "net_tx_bytes" };
	size_t		 j;

	is_int(met_parse(text, sizeof(text) - 1, &n), 0, "met_parse");
	is_int(n.ncpu, 2, "two CPUs");
	memset(&prev, 0, sizeof(prev));
	prev.have = 1;
	prev.cpu_seconds = 40;
	prev.at = 1000;
	k = met_rows(&n, &prev, 1005, rows);
	is_int(k, 10, "ten series");
	for (j = 0; j < OCH_NELEM(names); j++) {
		v[j] = NAN;
		for (i = 0; i < k; i++)
			if (strcmp(rows[i].series, names[j]) == 0)
				v[j] = rows[i].value;
	}
	ok(v[0] == 1, "up 1");
	ok(v[1] == 50, "cpu_seconds: busy modes only");
	ok(fabs(v[2] - 100.0 * 10 / (5 * 2)) < 1e-9, "cpu_util from the "
	    "previous sample");
	ok(v[3] == 0.5, "load1");
	ok(v[4] == 4e9, "mem_total");
	ok(v[5] == 2e9, "mem_available falls back to free+buffers+cached");
	ok(v[6] == 40e9, "disk_total of /");
	ok(v[7] == 30e9, "disk_free of / (avail)");
	ok(v[8] == 1024, "net_rx summed over non-lo");
	ok(v[9] == 500, "net_tx without lo");

	prev.cpu_seconds = 60;	/* counter reset (reboot) */
	k = met_rows(&n, &prev, 1005, rows);
	is_int(k, 9, "no cpu_util across a counter reset");
	k = met_rows(&n, NULL, 1005, rows);
	is_int(k, 9, "no previous sample: no cpu_util");
	ok(met_parse("node_load1 1\nbroken{\n", 21, &n) == -1,
	    "a broken exposition is refused whole");
}

int
main(void)
{
	t_fixture();
	t_syntax();
	t_limits();
	t_fuzz();
	t_met();
	return done_testing();
}
