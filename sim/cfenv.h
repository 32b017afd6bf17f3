/*
 * cfenv.h: the Cloudflare v4 envelope ({result, success, errors,
 * messages[, result_info]}) and page parameters, for sim_cloudflare.c.
 */
#ifndef SIM_CFENV_H
#define SIM_CFENV_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "http.h"

/* {"code","message"}. */
cJSON	*scf_msg(int code, const char *text);
/* 200 success; result and info (may be NULL) and note (one message, may
 * be NULL) are taken. */
void	 scf_ok_note(struct http_req *, cJSON *result, cJSON *info,
	    cJSON *note);
#define scf_ok(r, result, info)	scf_ok_note(r, result, info, NULL)
/* Failure with one error, or two (code2 0: one). */
void	 scf_fail2(struct http_req *, int status, int code, const char *text,
	    int code2, const char *text2);
void	 scf_fail(struct http_req *, int status, int code, const char *text);
/* result_info {page, per_page, count, total_count, total_pages}. */
cJSON	*scf_info(long page, long per_page, long count, long total);
/*
 * page (from 1) and per_page (default def, clamped to lo..hi as the
 * zones list does; hi 0: 400 past 5,000,000); 0, or -1 after answering
 * 400.
 */
int	 scf_paging(struct http_req *, int64_t *page, int64_t *per,
	    int64_t def, int64_t lo, int64_t hi);

#endif
