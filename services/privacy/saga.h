/* saga.h: the deletion saga's runner, a thread of every privacy daemon
 * (started by on_serving, stopped by on_stop). Every SAGA_TICK_MS it takes
 * a running deletion request no runner holds (a lease of SAGA_LEASE_S, so
 * that a runner killed mid-way is replaced once it lapses), and runs its
 * pending steps in order: "<app>.rpc.Purge" for identity, authz,
 * onboarding, messaging and privacy itself (libcommon/cm_purge.h), then
 * "events": the EVENTS stream's messages that hold one of the person's
 * needles are erased (events_erase.h). A step is marked done when its
 * service says so (as update-status would); a step that fails or is not
 * done yet stops the round, which the next tick retries. When every step
 * is done, the request becomes its tombstone (store_deletion.h). */
#ifndef PRIVACY_SAGA_H
#define PRIVACY_SAGA_H

#include <nats/nats.h>

#include "cm_config.h"
#include "cm_err.h"

#define SAGA_TICK_MS 200
#define SAGA_LEASE_S 2

/* The services a deletion visits, in order (NULL-terminated). */
extern const char *const saga_apps[];

/* Whether app is one of saga_apps (else an outside replica, whose step
 * waits for its update-status). */
int saga_app_known(const char *app);

/* The steps of a request: saga_apps, with every replica of replicas[0..n)
 * that is not one of them inserted before "events" (at most max, caller
 * frees nothing: pointers into saga_apps and replicas), NULL-terminated. */
void saga_steps_with(char (*replicas)[64], size_t n, const char **out, size_t max);

/* Runs step s of rec once (its service's Purge, or the events erasure):
 * *out_done = 1 when the service says it is done. Idempotent. Used by the
 * runner and by purge-data (#110). */
struct deletion_rec;
struct deletion_step_rec;
cm_err saga_run_step(natsConnection *nc, int timeout_ms, const struct deletion_rec *rec,
                     const struct deletion_step_rec *s, int *out_done);

/* on_serving / on_stop hooks of the privacy daemon. */
cm_err saga_start(const struct cm_config *cfg, natsConnection *nc, void **state);
void saga_stop(void *state);

#endif
