/* cm_admin.h: the small admin HTTP port of every daemon, for Kubernetes and
 * Prometheus: GET /healthz (alive), GET /readyz (dependencies reachable),
 * GET /metrics (Prometheus text). It runs its own libevent loop on its own
 * thread, so a slow check never touches request handling. */
#ifndef CM_ADMIN_H
#define CM_ADMIN_H

#include <stddef.h>

#include "cm_err.h"
#include "cm_metrics.h"

/* Readiness check, run on the admin thread: returns 1 when ready, else 0
 * with a short reason (no secrets) written to why. */
typedef int (*cm_ready_fn)(void *ctx, char *why, size_t whylen);

struct cm_admin;

/* Starts serving on host:port. m and ctx are borrowed and must outlive the
 * admin. On CM_OK *out_admin runs; stop it with cm_admin_stop. Returns
 * CM_EUNAVAIL when the port cannot be bound. evthread_use_pthreads() must
 * have been called. */
cm_err cm_admin_start(const char *host, int port, struct cm_metrics *m, cm_ready_fn ready,
                      void *ctx, struct cm_admin **out_admin);

/* Stops the loop, joins the thread and frees a; NULL is a no-op. */
void cm_admin_stop(struct cm_admin *a);

#endif
