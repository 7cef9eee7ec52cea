/* authz_state.h: authz's service-wide state, built once at start
 * (cm_service_def.state_new) and reached from every request and RPC as
 * w->state: the check cache of authz.rpc.Check / CheckBatch and its
 * invalidation subscriptions. No file static holds service state. */
#ifndef AUTHZ_STATE_H
#define AUTHZ_STATE_H

#include <nats/nats.h>

#include "check_cache.h"
#include "cm_config.h"
#include "cm_err.h"
#include "cm_service.h"

#define AUTHZ_CACHE_SLOTS 8192
#define AUTHZ_CACHE_TTL_MS 5000

struct authz_state {
    struct check_cache *cache; /* thread-safe (check_cache.h) */
    natsSubscription *subs[2]; /* "evt.identity.>", "evt.authz.>" */
};

/* state_new hook: a new cache, subscribed on nc (core NATS, no queue group:
 * every authz copy sees every event empties its cache) and flushed, so that
 * no answer is cached that a later change could not invalidate. *out_state
 * is a struct authz_state (free with authz_state_free). CM_EUNAVAIL when the
 * subscriptions cannot be made (the start fails). */
cm_err authz_state_new(const struct cm_config *cfg, natsConnection *nc, void **out_state);

/* state_free hook: unsubscribes and frees; NULL is a no-op. */
void authz_state_free(void *state);

/* The state of the worker w (borrowed, valid for the life of the daemon). */
struct authz_state *authz_state_of(const struct cm_worker *w);

#endif
