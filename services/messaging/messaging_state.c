/* messaging_state.c: the messaging daemon's state (messaging_state.h). */
#include "messaging_state.h"

#include <stdlib.h>

#include "cm_alloc.h"

cm_err messaging_state_new(const struct cm_config *cfg, natsConnection *nc, void **out_state)
{
    struct messaging_state *s = cm_xcalloc(1, sizeof *s);
    cm_err err = phi_keys_load(cfg, &s->phi);

    (void)nc;
    if (err != CM_OK) {
        free(s);
        return err;
    }
    s->users = clinical_user_cache_new();
    *out_state = s;
    return CM_OK;
}

void messaging_state_free(void *state)
{
    if (state)
        clinical_user_cache_free(((struct messaging_state *)state)->users);
    if (state)
        sodium_memzero(state, sizeof(struct messaging_state));
    free(state);
}

const struct messaging_state *messaging_state_of(const struct cm_req *rq)
{
    return rq->w->state;
}
