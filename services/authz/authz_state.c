/* authz_state.c: authz's service-wide state (authz_state.h). */
#include "authz_state.h"

#include <stdlib.h>

#include "cm_alloc.h"
#include "cm_log.h"

/* Any group, membership, role or user change: every cached answer is stale. */
static void on_event(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)nc;
    (void)sub;
    check_cache_invalidate(closure);
    natsMsg_Destroy(msg);
}

void authz_state_free(void *state)
{
    struct authz_state *st = state;
    if (!st)
        return;
    for (int i = 0; i < 2; i++) {
        if (st->subs[i]) {
            natsSubscription_Unsubscribe(st->subs[i]);
            natsSubscription_Destroy(st->subs[i]);
        }
    }
    check_cache_free(st->cache);
    free(st);
}

cm_err authz_state_new(const struct cm_config *cfg, natsConnection *nc, void **out_state)
{
    static const char *const subjects[2] = {"evt.identity.>", "evt.authz.>"};
    struct authz_state *st = cm_xcalloc(1, sizeof *st);
    natsStatus s = NATS_OK;

    (void)cfg;
    st->cache = check_cache_new(AUTHZ_CACHE_SLOTS, AUTHZ_CACHE_TTL_MS);
    for (int i = 0; i < 2 && s == NATS_OK; i++)
        s = natsConnection_Subscribe(&st->subs[i], nc, subjects[i], on_event, st->cache);
    if (s == NATS_OK)
        s = natsConnection_FlushTimeout(nc, 2000);
    if (s != NATS_OK) {
        cm_error("check cache: cannot subscribe to events: %s", natsStatus_GetText(s));
        authz_state_free(st);
        return CM_EUNAVAIL;
    }
    *out_state = st;
    return CM_OK;
}

struct authz_state *authz_state_of(const struct cm_worker *w)
{
    return w->state;
}
