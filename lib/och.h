/*
 * och.h: what every module shares: the error enum (err_*), the allocation
 * wrappers (x*) and a growable byte buffer (buf_*).
 *
 * Error conventions (one per kind of function):
 *  - predicates and validators return int: 1 yes/valid, 0 no/invalid;
 *  - operations whose failures callers tell apart return enum och_err;
 *  - simpler operations return 0 on success and -1 on failure;
 *  - constructors and getters return a pointer or NULL.
 * Allocation failure is not an error a caller handles: x* wrappers log and
 * exit(1); a FastCGI worker is restarted and the poller's next run retries.
 */
#ifndef OCH_H
#define OCH_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define OCH_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define OCH_NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum och_err {
	OCH_OK = 0,
	OCH_EINVAL,		/* 400 invalid_input */
	OCH_EAUTH,		/* 401 unauthorized */
	OCH_EFORBIDDEN,		/* 403 forbidden */
	OCH_ENOTFOUND,		/* 404 not_found */
	OCH_EMETHOD,		/* 405 method_not_allowed */
	OCH_ECONFLICT,		/* 409 conflict */
	OCH_ETOOLARGE,		/* 413 payload_too_large */
	OCH_EMEDIA,		/* 415 unsupported_media_type */
	OCH_EUNPROCESSABLE,	/* 422 unprocessable */
	OCH_ERATE,		/* 429 rate_limited */
	OCH_ESYSTEM,		/* 500 internal_error */
	OCH_EUPSTREAM,		/* 502 upstream_error */
	OCH_EUNAVAIL,		/* 503 unavailable */
	OCH_EDB,		/* 503 unavailable (database) */
	OCH_ERR__MAX
};

/* HTTP status for an error (200 for OCH_OK). */
int		 err_status(enum och_err);
/* Stable public code, e.g. "invalid_input"; never NULL. */
const char	*err_code(enum och_err);
/* Default human message for an error; never NULL. */
const char	*err_message(enum och_err);

/* Allocation wrappers: never return NULL; exit(1) on failure. */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xrealloc(void *, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *, size_t);
char		*xasprintf(const char *, ...) OCH_PRINTF(1, 2);
/* Free a secret after wiping it (NULL is fine). */
void		 xfree_secret(char *);

/*
 * A growable buffer, always NUL-terminated.  Zero-initialise it
 * (struct buf b = { 0 };), append, and release with buf_free().
 * Appends never fail (x* allocation).
 */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_add(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...) OCH_PRINTF(2, 3);
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);
/* Hand the data to the caller (free with free()); the buffer is emptied. */
char	*buf_detach(struct buf *);

#endif
