/* cm_metrics.h: Prometheus metrics of a daemon.
 *
 * Two families, labelled by service, route and status:
 *   requests_total{service,route,status}            counter
 *   request_duration_seconds{service,route,...}     histogram (_bucket/_sum/_count)
 * plus any gauges a daemon sets. Observations come from many threads at once
 * and are cheap (no allocation after a series exists). The series count is
 * capped; past the cap, routes are recorded as route="other". */
#ifndef CM_METRICS_H
#define CM_METRICS_H

#include <stddef.h>

struct cm_metrics;

/* New registry for service (copied). Caller frees with cm_metrics_free. */
struct cm_metrics *cm_metrics_new(const char *service);

/* Frees m; NULL is a no-op. */
void cm_metrics_free(struct cm_metrics *m);

/* Records one request on route (copied on first use) that ended with the
 * HTTP-like status after seconds. Thread-safe. */
void cm_metrics_observe(struct cm_metrics *m, const char *route, int status, double seconds);

/* Sets gauge name (a valid Prometheus metric name, copied) to value.
 * Thread-safe. */
void cm_metrics_gauge_set(struct cm_metrics *m, const char *name, double value);

/* Renders all series in the Prometheus text exposition format (0.0.4), with
 * HELP and TYPE lines, label values escaped. Returns a NUL-terminated string
 * the caller frees; its length goes to *out_len when out_len is not NULL. */
char *cm_metrics_render(struct cm_metrics *m, size_t *out_len);

/* Total requests observed for route (any status), for tests; 0 if unknown. */
unsigned long cm_metrics_count(struct cm_metrics *m, const char *route);

#endif
