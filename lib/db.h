/*
 * db.h: the process's one PostgreSQL connection.  Statements are declared
 * next to the code that uses them as `static const struct db_stmt` and are
 * prepared on the connection the first time they run (and again after a
 * reconnect).  Only parameterised statements exist: values travel as text
 * parameters, never inside SQL.
 *
 * A connection that the server dropped (restart, crash) is noticed before
 * the next statement is sent and re-opened; while the server is away every
 * call fails with OCH_EDB (the caller answers 503) and nothing blocks longer
 * than the 2 s connect timeout.
 */
#ifndef OCH_DB_H
#define OCH_DB_H

#include <libpq-fe.h>

#include "och.h"

struct db_stmt {
	const char	*name;	/* unique in the process, e.g. "user_by_email" */
	const char	*sql;	/* with $1..$n placeholders */
};

struct db;

/* Prepare to connect to url (connects lazily).  Never NULL. */
struct db	*db_open(const char *url);
void		 db_close(struct db *);
/*
 * Make sure the connection is up, reconnecting if it was lost.
 * Returns 0, or -1 when the server cannot be reached.
 */
int		 db_ensure(struct db *);
/* The raw connection for LISTEN/NOTIFY and COPY (may be NULL). */
PGconn		*db_conn(struct db *);
/*
 * LISTEN on channel ([a-z_], 1..63 bytes) over this connection,
 * connecting first if needed.  Returns 0, or -1 (a bad name, no server,
 * the LISTEN refused).
 */
int		 db_listen(struct db *, const char *channel);

/*
 * Run a statement with n text parameters (NULL entries are SQL NULL).
 * Returns the result (free with PQclear) when it succeeded, or NULL with
 * *err set: OCH_ECONFLICT on a unique violation (23505), OCH_EINVAL on a
 * check/foreign-key/not-null violation or bad value (22xxx, 23xxx),
 * OCH_EDB when the server is unreachable or anything else failed (logged).
 * err may be NULL.
 */
PGresult	*db_exec(struct db *, const struct db_stmt *, int n,
		    const char *const *params, enum och_err *err);
/*
 * Run a statement for its effect only.  Returns OCH_OK or as db_exec().
 * If affected is not NULL it receives the number of rows touched.
 */
enum och_err	 db_run(struct db *, const struct db_stmt *, int n,
		    const char *const *params, long *affected);

/* Transactions (no nesting).  Each returns 0 or -1 (logged). */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
/* Roll back if a transaction is open; safe to call on any path. */
void		 db_rollback(struct db *);
/* 1 while a transaction is open. */
int		 db_in_tx(const struct db *);

/*
 * One pipelined round trip (libpq's pipeline mode): the statements of
 * items, prepared first where this connection has not prepared them yet
 * (in the same pipeline), sent together and closed with one Sync; the
 * server runs them in one implicit transaction.  Never inside a
 * transaction (db_begin()).  Returns OCH_OK with every item's res set
 * (free each with PQclear), or the error of the first statement that
 * failed as db_exec() maps it, with every res NULL (logged).
 */
struct db_batch_item {
	const struct db_stmt	*stmt;
	int			 n;
	const char *const	*params;
	PGresult		*res;	/* out */
};
enum och_err	 db_batch(struct db *, struct db_batch_item *, size_t n);

/*
 * Send a statement for its effect without waiting for its answer (one
 * Sync of its own, in pipeline mode): the answer is read, and a failure
 * logged, by the next call that uses the connection (or db_close()), so
 * the server runs it while the caller goes on.  For writes nobody waits
 * for, e.g. the audit record of a request already answered.  At most a
 * few stay unanswered (more: it waits for the oldest first).  Never
 * inside a transaction.  Returns OCH_OK when sent, or OCH_EDB (logged)
 * when the server is unreachable or the sending failed; whether the
 * server then ran it is known only from the log.
 */
enum och_err	 db_send(struct db *, const struct db_stmt *, int n,
		    const char *const *params);

/*
 * Round trips to the server (each Sync or simple query, a prepare
 * included) since the last db_trips_reset(): what OCH_DB_TRACE logs per
 * request (lib/srv.c).
 */
unsigned	 db_trips(const struct db *);
/* db_send()s since db_trips_reset(): not round trips, counted apart */
unsigned	 db_sends(const struct db *);
void		 db_trips_reset(struct db *);

/* The SQLSTATE of the last failure ("" if none). */
const char	*db_last_sqlstate(const struct db *);

/* Helpers on a result: value or NULL when SQL NULL / out of range. */
const char	*db_val(const PGresult *, int row, int col);
/* Value as int64 (0 when NULL). */
int64_t		 db_int(const PGresult *, int row, int col);
/* A copy of the value (caller frees), or NULL when SQL NULL; aborts on
 * memory exhaustion like xstrdup. */
char		*db_dup(const PGresult *, int row, int col);
/* A copy of the value, "" when SQL NULL (caller frees). */
char		*db_dup_empty(const PGresult *, int row, int col);
/* 1 when the value is boolean true ("t"), 0 otherwise (NULL too). */
int		 db_bool(const PGresult *, int row, int col);

/*
 * Run a statement (as db_exec()) for the first column of its first row:
 * *v a copy (caller frees), NULL when there is no row or it is SQL NULL.
 * Returns OCH_OK, or db_exec()'s error with *v NULL.
 */
enum och_err	 db_first(struct db *, const struct db_stmt *, int n,
		    const char *const *params, char **v);

#endif
