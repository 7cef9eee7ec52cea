/* authz_state.c: authz's service-wide state (authz_state.h). */
#include "authz_state.h"

#include <stdlib.h>

#include "cm_alloc.h"
#include "cm_log.h"

void authz_state_free(void *state)
{
    struct authz_state *st = state;
    if (!st)
        return;
    access_index_sync_stop(st->sync);
    access_index_free(st->index);
    free(st);
}

cm_err authz_state_new(const struct cm_config *cfg, natsConnection *nc, void **out_state)
{
    struct authz_state *st = cm_xcalloc(1, sizeof *st);
    cm_err err;

    (void)nc;
    st->index = access_index_new();
    err = access_index_sync_start(cfg, st->index, &st->sync);
    if (err != CM_OK) {
        authz_state_free(st);
        return err;
    }
    *out_state = st;
    return CM_OK;
}

struct authz_state *authz_state_of(const struct cm_worker *w)
{
    return w->state;
}

struct access_index *authz_index_of(const struct cm_worker *w)
{
    return authz_state_of(w)->index;
}

void authz_settle(struct cm_worker *w)
{
    struct authz_state *st = authz_state_of(w);
    if (st && access_index_settle(st->sync, w->pg, AUTHZ_SETTLE_MS) != CM_OK)
        cm_warn("access index: a write could not be settled");
}
