/*
 * db.c: one PostgreSQL connection with lazily prepared statements and
 * reconnect after the server restarts (see db.h).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

#define DB_MAXPREP 256
/* statements db_send() may leave unanswered before it waits for some */
#define DB_SEND_MAX 8

struct db {
	char		*url;
	PGconn		*conn;
	int		 in_tx;
	/* names of the statements prepared on this connection */
	const char	*prepared[DB_MAXPREP];
	size_t		 nprepared;
	char		 sqlstate[6];
	unsigned	 trips;		/* round trips since db_trips_reset() */
	unsigned	 sends;		/* db_send()s since db_trips_reset() */
	/* db_send()s whose answers are not read yet (pipeline mode) */
	struct {
		const char	*name;
		int		 prep;	/* its prepare went first */
	}		 pending[DB_SEND_MAX];
	size_t		 npending;
};

static void	db_settle(struct db *);

struct db *
db_open(const char *url)
{
	struct db	*d;

	d = xcalloc(1, sizeof(*d));
	d->url = xstrdup(url);
	return d;
}

void
db_close(struct db *d)
{
	if (d == NULL)
		return;
	db_settle(d);
	if (d->conn != NULL)
		PQfinish(d->conn);
	xfree_secret(d->url);
	free(d);
}

PGconn *
db_conn(struct db *d)
{
	db_settle(d);
	return d->conn;
}

int
db_listen(struct db *d, const char *channel)
{
	PGresult	*res;
	char		 sql[80];
	size_t		 n = strlen(channel);
	int		 ok;

	/* a plain identifier: LISTEN takes no parameter */
	if (n == 0 || n > 63 || strspn(channel,
	    "abcdefghijklmnopqrstuvwxyz_") != n)
		return -1;
	if (db_ensure(d) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "LISTEN %s", channel);
	d->trips++;
	res = PQexec(d->conn, sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	return ok ? 0 : -1;
}

int
db_in_tx(const struct db *d)
{
	return d->in_tx;
}

const char *
db_last_sqlstate(const struct db *d)
{
	return d->sqlstate;
}

static void
db_drop(struct db *d)
{
	if (d->conn != NULL)
		PQfinish(d->conn);
	d->conn = NULL;
	d->nprepared = 0;
	d->npending = 0;
	d->in_tx = 0;
}

/*
 * A server that went away (restart, shutdown) leaves an idle socket that
 * is readable: a termination notice or EOF.  Read it now so that the
 * loss is noticed before a statement is sent rather than after.
 */
static void
db_probe(struct db *d)
{
	struct pollfd	 pfd;
	int		 i;

	/* a termination notice may arrive before the EOF: read both */
	for (i = 0; i < 4; i++) {
		if (d->conn == NULL || PQstatus(d->conn) != CONNECTION_OK)
			return;
		pfd.fd = PQsocket(d->conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (pfd.fd < 0 || poll(&pfd, 1, i == 0 ? 0 : 20) <= 0)
			return;
		if (PQconsumeInput(d->conn) == 0)
			return;
		/* notifications stay queued for LISTENers (db_conn()) */
		if (PQstatus(d->conn) == CONNECTION_OK && !(pfd.revents &
		    (POLLHUP | POLLERR)) && i > 0)
			return;
	}
}

/* Server notices go to the log, as one line, not to bare stderr. */
static void
db_notice(void *arg, const char *msg)
{
	(void)arg;
	log_info("database says: %s", msg);
}

int
db_ensure(struct db *d)
{
	static const char *const kw[] = { "dbname", "connect_timeout",
	    "application_name", NULL };
	const char	*vals[4];

	db_settle(d);
	db_probe(d);
	if (d->conn != NULL && PQstatus(d->conn) == CONNECTION_OK)
		return 0;
	if (d->in_tx)
		log_warn("database connection lost inside a transaction");
	db_drop(d);
	vals[0] = d->url;
	vals[1] = "2";
	vals[2] = "openclawhost";
	vals[3] = NULL;
	d->conn = PQconnectdbParams(kw, vals, 1);
	if (d->conn == NULL || PQstatus(d->conn) != CONNECTION_OK) {
		/* the message may echo connection parameters, not secrets */
		log_warn("database unavailable");
		db_drop(d);
		return -1;
	}
	PQsetNoticeProcessor(d->conn, db_notice, NULL);
	return 0;
}

unsigned
db_trips(const struct db *d)
{
	return d->trips;
}

unsigned
db_sends(const struct db *d)
{
	return d->sends;
}

void
db_trips_reset(struct db *d)
{
	d->trips = 0;
	d->sends = 0;
}

static int
is_prepared(const struct db *d, const char *name)
{
	size_t	 i;

	for (i = 0; i < d->nprepared; i++)
		if (d->prepared[i] == name || strcmp(d->prepared[i], name) == 0)
			return 1;
	return 0;
}

static enum och_err
map_error(struct db *d, const PGresult *res, const char *what)
{
	const char	*st;

	st = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(d->sqlstate, sizeof(d->sqlstate), "%s", st ? st : "");
	if (d->conn == NULL || PQstatus(d->conn) != CONNECTION_OK) {
		log_warn("database connection lost during '%s'", what);
		return OCH_EDB;
	}
	if (st != NULL && strcmp(st, "23505") == 0)
		return OCH_ECONFLICT;
	if (st != NULL && (strncmp(st, "22", 2) == 0 ||
	    strncmp(st, "23", 2) == 0)) {
		log_info("statement '%s' refused: sqlstate=%s", what, st);
		return OCH_EINVAL;
	}
	log_error("statement '%s' failed: sqlstate=%s %s", what,
	    st ? st : "-", res ? PQresultErrorMessage(res) :
	    PQerrorMessage(d->conn));
	return OCH_EDB;
}

PGresult *
db_exec(struct db *d, const struct db_stmt *s, int n,
    const char *const *params, enum och_err *errp)
{
	PGresult	*res;
	enum och_err	 err;
	ExecStatusType	 st;

	d->sqlstate[0] = '\0';
	if (d->in_tx) {
		/* never reconnect silently in the middle of a transaction */
		if (d->conn == NULL || PQstatus(d->conn) != CONNECTION_OK) {
			err = OCH_EDB;
			goto fail;
		}
	} else if (db_ensure(d) < 0) {
		err = OCH_EDB;
		goto fail;
	}
	if (!is_prepared(d, s->name)) {
		d->trips++;
		res = PQprepare(d->conn, s->name, s->sql, 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			err = map_error(d, res, s->name);
			PQclear(res);
			goto fail;
		}
		PQclear(res);
		if (d->nprepared < DB_MAXPREP)
			d->prepared[d->nprepared++] = s->name;
	}
	d->trips++;
	res = PQexecPrepared(d->conn, s->name, n, params, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		if (errp != NULL)
			*errp = OCH_OK;
		return res;
	}
	err = map_error(d, res, s->name);
	PQclear(res);
fail:
	if (errp != NULL)
		*errp = err;
	return NULL;
}

/* a pipeline this small cannot fill the socket buffers both ways */
#define DB_BATCH_MAX 8

/*
 * Read the results of one command sent in the pipeline: its result (or
 * NULL when the connection broke), after which libpq hands a NULL that
 * ends the command.
 */
static PGresult *
batch_result(struct db *d)
{
	PGresult	*res, *end;

	if ((res = PQgetResult(d->conn)) == NULL)
		return NULL;
	if ((end = PQgetResult(d->conn)) != NULL) {
		/* more than one result: not a statement of ours */
		PQclear(end);
		PQclear(res);
		return NULL;
	}
	return res;
}

enum och_err
db_batch(struct db *d, struct db_batch_item *it, size_t n)
{
	const char	*fresh[DB_BATCH_MAX];
	PGresult	*res;
	enum och_err	 err = OCH_OK;
	ExecStatusType	 st;
	size_t		 i, j, nfresh = 0;
	int		 prep[DB_BATCH_MAX], sent = 1;

	d->sqlstate[0] = '\0';
	for (i = 0; i < n; i++)
		it[i].res = NULL;
	if (n == 0)
		return OCH_OK;
	if (n > DB_BATCH_MAX || d->in_tx) {
		log_error("db_batch: %zu statements%s refused", n,
		    d->in_tx ? " inside a transaction" : "");
		return OCH_EDB;
	}
	if (db_ensure(d) < 0)
		return OCH_EDB;
	if (PQenterPipelineMode(d->conn) != 1) {
		log_error("db_batch: no pipeline mode: %s",
		    PQerrorMessage(d->conn));
		return OCH_EDB;
	}
	d->trips++;
	for (i = 0; i < n && sent; i++) {
		prep[i] = 0;
		if (!is_prepared(d, it[i].stmt->name)) {
			for (j = 0; j < nfresh; j++)
				if (strcmp(fresh[j], it[i].stmt->name) == 0)
					break;
			if (j == nfresh) {
				fresh[nfresh++] = it[i].stmt->name;
				prep[i] = 1;
				sent = PQsendPrepare(d->conn, it[i].stmt->name,
				    it[i].stmt->sql, 0, NULL);
			}
		}
		if (sent)
			sent = PQsendQueryPrepared(d->conn, it[i].stmt->name,
			    it[i].n, it[i].params, NULL, NULL, 0);
	}
	if (!sent || PQpipelineSync(d->conn) != 1) {
		log_warn("db_batch: cannot send: %s", PQerrorMessage(d->conn));
		goto broken;
	}
	for (i = 0; i < n; i++) {
		if (prep[i]) {
			if ((res = batch_result(d)) == NULL)
				goto broken;
			st = PQresultStatus(res);
			if (st == PGRES_COMMAND_OK) {
				if (d->nprepared < DB_MAXPREP)
					d->prepared[d->nprepared++] =
					    it[i].stmt->name;
			} else if (st != PGRES_PIPELINE_ABORTED &&
			    err == OCH_OK)
				err = map_error(d, res, it[i].stmt->name);
			PQclear(res);
		}
		if ((res = batch_result(d)) == NULL)
			goto broken;
		st = PQresultStatus(res);
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			it[i].res = res;
			continue;
		}
		if (st != PGRES_PIPELINE_ABORTED && err == OCH_OK)
			err = map_error(d, res, it[i].stmt->name);
		else if (err == OCH_OK)
			err = OCH_EDB;
		PQclear(res);
	}
	res = PQgetResult(d->conn);
	st = PQresultStatus(res);
	PQclear(res);
	if (st != PGRES_PIPELINE_SYNC || PQexitPipelineMode(d->conn) != 1)
		goto broken;
	if (err == OCH_OK)
		return OCH_OK;
	for (i = 0; i < n; i++) {
		PQclear(it[i].res);
		it[i].res = NULL;
	}
	return err;
broken:
	/* the pipeline's state is unknown: start over on a new connection */
	log_warn("database connection lost during a batch");
	for (i = 0; i < n; i++) {
		PQclear(it[i].res);
		it[i].res = NULL;
	}
	db_drop(d);
	return OCH_EDB;
}

/* forget that name is prepared (its prepare was refused) */
static void
unprepare(struct db *d, const char *name)
{
	size_t	 i;

	for (i = 0; i < d->nprepared; i++)
		if (strcmp(d->prepared[i], name) == 0) {
			d->prepared[i] = d->prepared[--d->nprepared];
			return;
		}
}

enum och_err
db_send(struct db *d, const struct db_stmt *s, int n,
    const char *const *params)
{
	int	 ok = 1, prep = 0;

	if (d->in_tx) {
		log_error("db_send: '%s' inside a transaction refused", s->name);
		return OCH_EDB;
	}
	if (d->npending == DB_SEND_MAX)
		db_settle(d);
	if (d->npending == 0) {
		if (db_ensure(d) < 0)
			return OCH_EDB;
		if (PQenterPipelineMode(d->conn) != 1) {
			log_error("db_send: no pipeline mode: %s",
			    PQerrorMessage(d->conn));
			return OCH_EDB;
		}
	}
	if (!is_prepared(d, s->name)) {
		prep = 1;
		ok = PQsendPrepare(d->conn, s->name, s->sql, 0, NULL);
		/* so that a second send before the answers prepares not
		 * again; db_settle() takes it back if the server refused */
		if (ok && d->nprepared < DB_MAXPREP)
			d->prepared[d->nprepared++] = s->name;
	}
	if (!ok || !PQsendQueryPrepared(d->conn, s->name, n, params, NULL,
	    NULL, 0) || PQpipelineSync(d->conn) != 1 ||
	    PQflush(d->conn) != 0) {
		log_warn("db_send: '%s' not sent: %s", s->name,
		    PQerrorMessage(d->conn));
		/* the pipeline's state is unknown: start over */
		db_drop(d);
		return OCH_EDB;
	}
	d->pending[d->npending].name = s->name;
	d->pending[d->npending].prep = prep;
	d->npending++;
	d->sends++;
	return OCH_OK;
}

/* a sent statement's answer, which nobody waits for: failures logged */
static void
settle_log(const PGresult *res, const char *name)
{
	const char	*st;

	if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED) {
		log_warn("sent statement '%s' not run", name);
		return;
	}
	st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	log_error("sent statement '%s' failed: sqlstate=%s %s", name,
	    st ? st : "-", PQresultErrorMessage(res));
}

/*
 * Read the answers to what db_send() sent and leave pipeline mode, before
 * anything else uses the connection.  A failure is logged; a connection
 * lost on the way is dropped (the next db_ensure() reconnects).
 */
static void
db_settle(struct db *d)
{
	PGresult	*res;
	ExecStatusType	 st;
	size_t		 i;

	if (d->npending == 0)
		return;
	if (d->conn == NULL) {
		d->npending = 0;
		return;
	}
	for (i = 0; i < d->npending; i++) {
		if (d->pending[i].prep) {
			if ((res = batch_result(d)) == NULL)
				goto broken;
			if (PQresultStatus(res) != PGRES_COMMAND_OK) {
				unprepare(d, d->pending[i].name);
				settle_log(res, d->pending[i].name);
			}
			PQclear(res);
		}
		if ((res = batch_result(d)) == NULL)
			goto broken;
		st = PQresultStatus(res);
		if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
			settle_log(res, d->pending[i].name);
		PQclear(res);
		res = PQgetResult(d->conn);
		st = PQresultStatus(res);
		PQclear(res);
		if (st != PGRES_PIPELINE_SYNC)
			goto broken;
	}
	d->npending = 0;
	if (PQexitPipelineMode(d->conn) == 1)
		return;
broken:
	log_warn("database connection lost before %zu sent statement(s) "
	    "were answered", d->npending);
	db_drop(d);
}

enum och_err
db_run(struct db *d, const struct db_stmt *s, int n,
    const char *const *params, long *affected)
{
	PGresult	*res;
	enum och_err	 err;

	if ((res = db_exec(d, s, n, params, &err)) == NULL)
		return err;
	if (affected != NULL)
		*affected = strtol(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return OCH_OK;
}

static int
simple(struct db *d, const char *sql)
{
	PGresult	*res;
	int		 rc = 0;

	if (d->conn == NULL)
		return -1;
	d->trips++;
	res = PQexec(d->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_warn("'%s' failed: %s", sql, PQerrorMessage(d->conn));
		rc = -1;
	}
	PQclear(res);
	return rc;
}

int
db_begin(struct db *d)
{
	if (d->in_tx) {
		log_error("nested transaction refused");
		return -1;
	}
	if (db_ensure(d) < 0 || simple(d, "BEGIN") < 0)
		return -1;
	d->in_tx = 1;
	return 0;
}

int
db_commit(struct db *d)
{
	int	 rc;

	if (!d->in_tx)
		return -1;
	rc = simple(d, "COMMIT");
	d->in_tx = 0;
	return rc;
}

void
db_rollback(struct db *d)
{
	if (!d->in_tx)
		return;
	if (d->conn != NULL && PQstatus(d->conn) == CONNECTION_OK)
		(void)simple(d, "ROLLBACK");
	d->in_tx = 0;
}

const char *
db_val(const PGresult *res, int row, int col)
{
	if (res == NULL || row >= PQntuples(res) || col >= PQnfields(res) ||
	    PQgetisnull(res, row, col))
		return NULL;
	return PQgetvalue(res, row, col);
}

char *
db_dup(const PGresult *res, int row, int col)
{
	const char	*v = db_val(res, row, col);

	return v != NULL ? xstrdup(v) : NULL;
}

char *
db_dup_empty(const PGresult *res, int row, int col)
{
	const char	*v = db_val(res, row, col);

	return xstrdup(v != NULL ? v : "");
}

int64_t
db_int(const PGresult *res, int row, int col)
{
	const char	*v = db_val(res, row, col);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

int
db_bool(const PGresult *res, int row, int col)
{
	const char	*v = db_val(res, row, col);

	return v != NULL && strcmp(v, "t") == 0;
}

enum och_err
db_first(struct db *d, const struct db_stmt *st, int n,
    const char *const *params, char **v)
{
	PGresult	*res;
	enum och_err	 err;

	*v = NULL;
	if ((res = db_exec(d, st, n, params, &err)) == NULL)
		return err;
	*v = db_dup(res, 0, 0);
	PQclear(res);
	return OCH_OK;
}
