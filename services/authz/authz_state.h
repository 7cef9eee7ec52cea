/* authz_state.h: authz's service-wide state, built once at start
 * (cm_service_def.state_new) and reached from every request and RPC as
 * w->state: the in-memory access index (access_index.h) and what keeps it
 * equal to the tables (access_index_sync.h). No file static holds service
 * state. */
#ifndef AUTHZ_STATE_H
#define AUTHZ_STATE_H

#include <nats/nats.h>

#include "access_index.h"
#include "access_index_sync.h"
#include "cm_config.h"
#include "cm_err.h"
#include "cm_service.h"

/* how long a write waits for the other copies to apply it (read-your-writes) */
#define AUTHZ_SETTLE_MS 2000

struct authz_state {
    struct access_index *index;     /* thread-safe (access_index.h) */
    struct access_index_sync *sync; /* its builder and log follower */
};

/* state_new hook: builds the index from the tables (migrations have run)
 * and starts following their change log. *out_state is a struct
 * authz_state (free with authz_state_free). CM_EUNAVAIL when Postgres
 * cannot be read (the start fails). */
cm_err authz_state_new(const struct cm_config *cfg, natsConnection *nc, void **out_state);

/* state_free hook: stops following and frees; NULL is a no-op. */
void authz_state_free(void *state);

/* The state of the worker w (borrowed, valid for the life of the daemon). */
struct authz_state *authz_state_of(const struct cm_worker *w);

/* The index of w's state. */
struct access_index *authz_index_of(const struct cm_worker *w);

/* Read-your-writes: called after an operation that may have written (the
 * write ops of ops.c): the change is in this copy's index and, within
 * AUTHZ_SETTLE_MS, in every other live copy's when it returns. */
void authz_settle(struct cm_worker *w);

#endif
