/*
 * health.h: the handlers of health.fcgi beyond /api/health.
 */
#ifndef OCH_HEALTH_H
#define OCH_HEALTH_H

#include "srv.h"

/* GET /internal/metrics: Prometheus text (cgi-bin/health_metrics.c). */
void	h_metrics(struct req *);

#endif
