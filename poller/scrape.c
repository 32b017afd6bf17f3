/*
 * scrape.c: the metrics poller (see scrape.h).
 *
 * One cycle: the targets, their pinned keys and previous cpu_seconds
 * come from one query; passwords are opened one by one as transfers start and wiped
 * when they end; at most METRICS_CONCURRENCY transfers are in flight,
 * each with its own total timeout (connect timeout is the smaller of
 * that and 2 s); a body is capped at PROM_MAXSIZE; rows go to a COPY
 * text buffer sent in one COPY at the end.  Connections are kept in the
 * struct scrape's multi between cycles (one per target, up to its
 * max_conns; libcurl closes one idle for over 118 s), so open sockets are
 * bounded by the targets, and the caller's RLIMIT_NOFILE must allow that.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <curl/curl.h>

#include "cry.h"
#include "log.h"
#include "met.h"
#include "prom.h"
#include "scrape.h"

#define LOG_FAILURES	10	/* failed targets logged per cycle */
#define COPY_CHUNK	65536

static const struct db_stmt stmt_parts = { "scr_parts",
	"SELECT metrics_ensure_partition((now() AT TIME ZONE 'UTC')::date + d)"
	" FROM generate_series(0, 1) AS d" };
static const struct db_stmt stmt_targets = { "scr_targets",
	"SELECT i.id, host(i.ipv4), s.value_enc, p.value,"
	" extract(epoch FROM p.at), i.exporter_pin"
	" FROM instances i"
	" LEFT JOIN instance_secrets s ON s.instance_id = i.id"
	"  AND s.name = 'node_exporter_password'"
	" LEFT JOIN LATERAL (SELECT m.at, m.value FROM metrics m"
	"  WHERE m.instance_id = i.id AND m.series = 'cpu_seconds'"
	"  AND m.at > now() - interval '15 minutes'"
	"  ORDER BY m.at DESC LIMIT 1) p ON true"
	" WHERE i.state = 'active' AND family(i.ipv4) = 4"
	" ORDER BY i.id" };
static const struct db_stmt stmt_rollup = { "scr_rollup",
	"INSERT INTO metrics_hourly (instance_id, series, hour, min, max, avg,"
	" samples)"
	" SELECT instance_id, series, date_trunc('hour', at), min(value),"
	"  max(value), avg(value), count(*)"
	" FROM metrics"
	" WHERE at >= date_trunc('hour', now()) - interval '3 hours'"
	" GROUP BY 1, 2, 3"
	" ON CONFLICT (instance_id, series, hour) DO UPDATE SET"
	"  min = EXCLUDED.min, max = EXCLUDED.max, avg = EXCLUDED.avg,"
	"  samples = EXCLUDED.samples" };
static const struct db_stmt stmt_drop = { "scr_drop",
	"SELECT metrics_drop_partitions((now() AT TIME ZONE 'UTC')::date"
	" - $1::integer)" };
static const struct db_stmt stmt_hourly_old = { "scr_hourly_old",
	"DELETE FROM metrics_hourly WHERE hour < now() - interval '400 days'" };

struct scrape {
	CURLM		*multi;
	long		 max_conns;
	char		**pins;		/* "ip pin" of the last cycle, sorted */
	size_t		 npins;
};

struct target {
	const char	*id;		/* borrowed from the targets result */
	const char	*ip;
	const char	*sealed;	/* NULL: no password stored */
	const char	*pin;		/* NULL: no key pinned, not scraped */
	struct met_prev	 prev;
	char		*password;	/* while in flight */
	struct buf	 body;
	int		 too_big;
	CURL		*easy;
};

struct cycle {
	const struct cfg	*cfg;
	struct cry_keyring	*keys;
	CURLM			*multi;
	struct target		*t;
	int			 n;
	int			 next;		/* next target to start */
	int			 running;
	long			 port, timeout_ms, conc;
	struct buf		 copy;		/* COPY text */
	struct scrape_stats	 st;
	int			 logged;
};

static double
now_s(void)
{
	struct timeval	 tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct target	*t = arg;

	if (t->body.len + sz * n > PROM_MAXSIZE) {
		t->too_big = 1;
		return 0;	/* aborts the transfer */
	}
	buf_add(&t->body, p, sz * n);
	return sz * n;
}

/* Append one COPY row: id, series, at, value. */
static void
copy_row(struct cycle *c, const char *id, const char *series, double at,
    double v)
{
	struct tm	 tm;
	time_t		 sec = (time_t)at;
	char		 ts[48];

	gmtime_r(&sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
	buf_printf(&c->copy, "%s\t%s\t%s.%06ld+00\t%.17g\n", id, series, ts,
	    (long)((at - (double)sec) * 1e6), v);
	c->st.rows++;
}

static void
log_failure(struct cycle *c, const struct target *t, const char *why)
{
	if (c->logged++ < LOG_FAILURES)
		log_warn("metrics: %s (%s) down: %s", t->id, t->ip, why);
}

/* Start the transfer of target i.  Returns 0, or -1 (recorded down). */
static int
start(struct cycle *c, int i)
{
	struct target	*t = &c->t[i];
	char		 url[96], *ad;
	CURL		*e;

	/* the password goes only to the key the VPS named on its ready call */
	if (t->pin == NULL) {
		log_failure(c, t, "no exporter key pinned (ready call without "
		    "exporter_pin)");
		copy_row(c, t->id, "up", now_s(), 0);
		return -1;
	}
	if (t->sealed != NULL) {
		ad = xasprintf("instance_secrets:%s:node_exporter_password",
		    t->id);
		t->password = cry_open_bytea(c->keys, ad, t->sealed, NULL);
		free(ad);
		if (t->password == NULL) {
			log_failure(c, t, "stored password does not open");
			copy_row(c, t->id, "up", now_s(), 0);
			return -1;
		}
	}
	if ((e = curl_easy_init()) == NULL) {
		log_failure(c, t, "no curl handle");
		copy_row(c, t->id, "up", now_s(), 0);
		return -1;
	}
	snprintf(url, sizeof(url), "https://%s:%ld/metrics", t->ip, c->port);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	/* self-signed: the pinned key is the trust, not a CA or a name */
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY, t->pin);
	curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    c->timeout_ms < 2000 ? c->timeout_ms : 2000L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");	/* gzip */
	curl_easy_setopt(e, CURLOPT_USERAGENT, "och-poller");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	if (t->password != NULL) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, "och");
		curl_easy_setopt(e, CURLOPT_PASSWORD, t->password);
	}
	if (curl_multi_add_handle(c->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		xfree_secret(t->password);
		t->password = NULL;
		log_failure(c, t, "multi refused the handle");
		copy_row(c, t->id, "up", now_s(), 0);
		return -1;
	}
	t->easy = e;
	c->running++;
	return 0;
}

/* A transfer ended with res: parse, derive, record. */
static void
finish(struct cycle *c, struct target *t, CURLcode res)
{
	struct met_node	 node;
	struct met_row	 rows[MET_MAXSERIES];
	struct prom_stats pst;
	char		 why[128];
	double		 at = now_s();
	long		 code = 0;
	size_t		 k, i;

	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_multi_remove_handle(c->multi, t->easy);
	curl_easy_cleanup(t->easy);
	t->easy = NULL;
	xfree_secret(t->password);
	t->password = NULL;
	c->running--;
	if (res != CURLE_OK || code != 200) {
		if (t->too_big)
			snprintf(why, sizeof(why), "body over %u bytes",
			    PROM_MAXSIZE);
		else if (res != CURLE_OK)
			snprintf(why, sizeof(why), "%s", curl_easy_strerror(res));
		else
			snprintf(why, sizeof(why), "HTTP %ld", code);
		log_failure(c, t, why);
		copy_row(c, t->id, "up", at, 0);
		goto out;
	}
	memset(&node, 0, sizeof(node));
	if (prom_parse(t->body.data != NULL ? t->body.data : "", t->body.len,
	    met_sample, &node, &pst) != 0) {
		snprintf(why, sizeof(why), "bad exposition, line %zu: %s",
		    pst.errline, pst.error != NULL ? pst.error : "?");
		log_failure(c, t, why);
		copy_row(c, t->id, "up", at, 0);
		goto out;
	}
	c->st.up++;
	k = met_rows(&node, &t->prev, at, rows);
	for (i = 0; i < k; i++)
		copy_row(c, t->id, rows[i].series, at, rows[i].value);
out:
	buf_free(&t->body);
}

/* Run the transfers until all ended.  Returns 0, or -1 on a multi error. */
static int
transfer(struct cycle *c, time_t deadline, volatile sig_atomic_t *stop)
{
	struct target	*t;
	CURLMsg		*m;
	int		 still, left;
	CURLMcode	 mc;

	for (;;) {
		while (c->running < c->conc && c->next < c->n && !*stop &&
		    time(NULL) < deadline)
			(void)start(c, c->next++);
		if (c->running == 0)
			break;
		if ((mc = curl_multi_perform(c->multi, &still)) != CURLM_OK) {
			log_error("metrics: curl multi: %s",
			    curl_multi_strerror(mc));
			return -1;
		}
		while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
			    (char **)&t);
			finish(c, t, m->data.result);
		}
		if (c->running > 0 && still > 0 &&
		    (mc = curl_multi_poll(c->multi, NULL, 0, 100, NULL)) !=
		    CURLM_OK) {
			log_error("metrics: curl multi: %s",
			    curl_multi_strerror(mc));
			return -1;
		}
	}
	/* not started (deadline or signal): down for this cycle */
	for (; c->next < c->n; c->next++) {
		log_failure(c, &c->t[c->next], "not scraped before the deadline");
		copy_row(c, c->t[c->next].id, "up", now_s(), 0);
	}
	return 0;
}

/* Send the COPY buffer.  Returns 0, or -1 (logged). */
static int
copy_out(struct db *db, struct buf *b)
{
	PGconn		*conn;
	PGresult	*res;
	size_t		 off, n;
	int		 ok = 1;

	if (b->len == 0)
		return 0;
	if (db_ensure(db) < 0 || (conn = db_conn(db)) == NULL) {
		log_error("metrics: database unavailable; samples lost");
		return -1;
	}
	res = PQexec(conn, "COPY metrics (instance_id, series, at, value)"
	    " FROM STDIN");
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		log_error("metrics: COPY refused: %s", PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	for (off = 0; off < b->len && ok; off += n) {
		n = b->len - off < COPY_CHUNK ? b->len - off : COPY_CHUNK;
		if (PQputCopyData(conn, b->data + off, (int)n) != 1)
			ok = 0;
	}
	if (PQputCopyEnd(conn, ok ? NULL : "client error") != 1)
		ok = 0;
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (ok)
				log_error("metrics: COPY failed: %s",
				    PQresultErrorMessage(res));
			ok = 0;
		}
		PQclear(res);
	}
	return ok ? 0 : -1;
}

struct scrape *
scrape_new(long max_conns)
{
	struct scrape	*sc;

	sc = xcalloc(1, sizeof(*sc));
	sc->max_conns = max_conns < 16 ? 16 : max_conns;
	if ((sc->multi = curl_multi_init()) == NULL) {
		log_error("metrics: curl multi does not initialise");
		free(sc);
		return NULL;
	}
	curl_multi_setopt(sc->multi, CURLMOPT_MAXCONNECTS, sc->max_conns);
	return sc;
}

static void
pins_free(struct scrape *sc)
{
	size_t	 i;

	for (i = 0; i < sc->npins; i++)
		free(sc->pins[i]);
	free(sc->pins);
	sc->pins = NULL;
	sc->npins = 0;
}

void
scrape_free(struct scrape *sc)
{
	if (sc == NULL)
		return;
	pins_free(sc);
	if (sc->multi != NULL)
		curl_multi_cleanup(sc->multi);
	free(sc);
}

static int
cmp_pin(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The "ip " prefix of an "ip pin" entry, compared with key "ip ". */
static int
cmp_ip(const void *key, const void *ent)
{
	const char	*k = key, *e = *(char *const *)ent;

	return strncmp(k, e, strlen(k));
}

/*
 * Remember this cycle's pin per address; when an address answered to
 * another pin last cycle (a rebuild, an address taken over), every kept
 * connection is closed (a new multi), so no connection made under the
 * old pin carries a request under the new one, whatever libcurl's own
 * config match does.  Returns 0, or -1 when no new multi can be made.
 */
static int
pins_update(struct scrape *sc, const struct target *t, int n)
{
	char		**now, key[80];
	char		**hit;
	size_t		 k = 0, i;
	int		 changed = 0;

	now = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*now));
	for (i = 0; i < (size_t)n; i++) {
		if (t[i].pin == NULL)
			continue;
		now[k++] = xasprintf("%s %s", t[i].ip, t[i].pin);
		snprintf(key, sizeof(key), "%s ", t[i].ip);
		if (sc->npins > 0 && !changed &&
		    (hit = bsearch(key, sc->pins, sc->npins, sizeof(*sc->pins),
		    cmp_ip)) != NULL && strcmp(*hit, now[k - 1]) != 0)
			changed = 1;
	}
	qsort(now, k, sizeof(*now), cmp_pin);
	pins_free(sc);
	sc->pins = now;
	sc->npins = k;
	if (!changed)
		return 0;
	log_info("metrics: a pinned key changed; kept connections closed");
	curl_multi_cleanup(sc->multi);
	if ((sc->multi = curl_multi_init()) == NULL) {
		log_error("metrics: curl multi does not initialise");
		return -1;
	}
	curl_multi_setopt(sc->multi, CURLMOPT_MAXCONNECTS, sc->max_conns);
	return 0;
}

int
scrape_cycle(struct scrape *sc, struct db *db, const struct cfg *cfg,
    time_t deadline, volatile sig_atomic_t *stop, struct scrape_stats *st)
{
	struct cycle	 c;
	PGresult	*res;
	double		 t0 = now_s();
	const char	*v;
	int		 i, rc = -1;

	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.port = (long)cfg_int(cfg, CFG_METRICS_EXPORTER_PORT, 9100);
	c.timeout_ms = (long)cfg_int(cfg, CFG_METRICS_TIMEOUT_MS, 5000);
	c.conc = (long)cfg_int(cfg, CFG_METRICS_CONCURRENCY, 500);
	if ((c.keys = cry_keyring_new(cfg)) == NULL) {
		log_error("metrics: no master key (OCH_MASTER_KEY)");
		return -1;
	}
	if ((res = db_exec(db, &stmt_parts, 0, NULL, NULL)) == NULL)
		log_warn("metrics: partitions not ensured");
	PQclear(res);
	if ((res = db_exec(db, &stmt_targets, 0, NULL, NULL)) == NULL) {
		log_error("metrics: targets not read");
		cry_keyring_free(c.keys);
		return -1;
	}
	c.n = PQntuples(res);
	c.t = xcalloc(c.n > 0 ? (size_t)c.n : 1, sizeof(*c.t));
	for (i = 0; i < c.n; i++) {
		c.t[i].id = db_val(res, i, 0);
		c.t[i].ip = db_val(res, i, 1);
		c.t[i].sealed = db_val(res, i, 2);
		c.t[i].pin = db_val(res, i, 5);
		if ((v = db_val(res, i, 3)) != NULL && db_val(res, i, 4)) {
			c.t[i].prev.have = 1;
			c.t[i].prev.cpu_seconds = strtod(v, NULL);
			c.t[i].prev.at = strtod(db_val(res, i, 4), NULL);
		}
	}
	if (pins_update(sc, c.t, c.n) < 0)
		goto out;
	c.multi = sc->multi;
	if (transfer(&c, deadline, stop) < 0)
		goto out;
	if (copy_out(db, &c.copy) < 0)
		goto out;
	rc = 0;
out:
	for (i = 0; i < c.n; i++) {
		if (c.t[i].easy != NULL) {
			curl_multi_remove_handle(c.multi, c.t[i].easy);
			curl_easy_cleanup(c.t[i].easy);
		}
		xfree_secret(c.t[i].password);
		buf_free(&c.t[i].body);
	}
	c.st.targets = c.n;
	c.st.ms = (long)((now_s() - t0) * 1000);
	log_info("metrics: %ld targets, %ld up, %ld down, %ld rows stored in "
	    "%ld ms%s", c.st.targets, c.st.up, c.st.targets - c.st.up,
	    rc == 0 ? c.st.rows : 0, c.st.ms, rc == 0 ? "" : " (failed)");
	if (st != NULL)
		*st = c.st;
	free(c.t);
	buf_free(&c.copy);
	PQclear(res);
	cry_keyring_free(c.keys);
	return rc;
}

int
scrape_maintain(struct db *db, const struct cfg *cfg)
{
	PGresult	*res;
	char		 days[24];
	const char	*p[1] = { days };
	long		 rolled, hourly;

	if (db_run(db, &stmt_rollup, 0, NULL, &rolled) != OCH_OK) {
		log_error("maintain: metrics rollup failed");
		return -1;
	}
	snprintf(days, sizeof(days), "%lld",
	    cfg_int(cfg, CFG_METRICS_RETENTION_DAYS, 30));
	if ((res = db_exec(db, &stmt_drop, 1, p, NULL)) == NULL) {
		log_error("maintain: metrics retention failed");
		return -1;
	}
	if (db_run(db, &stmt_hourly_old, 0, NULL, &hourly) != OCH_OK) {
		PQclear(res);
		log_error("maintain: metrics_hourly retention failed");
		return -1;
	}
	log_info("maintain: %ld hourly metrics rows rolled up, %s day "
	    "partitions older than %s days dropped, %ld old hourly rows "
	    "deleted", rolled, db_val(res, 0, 0) ? db_val(res, 0, 0) : "0",
	    days, hourly);
	PQclear(res);
	return 0;
}
