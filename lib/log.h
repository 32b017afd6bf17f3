/*
 * log.h: one line per event on stderr:
 *   2026-11-26T06:30:00Z INFO  prog req=<id> message key=value ...
 * The request id is set by the serve loop for each request and cleared
 * after it.  Never pass a secret to these functions: values are logged
 * as given.
 */
#ifndef OCH_LOG_H
#define OCH_LOG_H

#include "och.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG__MAX };

/*
 * Set the program name printed on every line (borrowed, keep it alive).
 * Lines below OCH_LOG_LEVEL in the environment are dropped (default
 * info); OCH_LOG_FORMAT=json makes every line one JSON object
 * {"ts","level","prog","req","msg"} instead of plain text.
 */
void	log_init(const char *prog);
/* Set or clear (NULL) the request id of the current request (copied). */
void	log_set_reqid(const char *);
const char *log_reqid(void);

void	log_msg(enum log_level, const char *, ...) OCH_PRINTF(2, 3);
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)

#endif
