/* messaging_state.h: the messaging daemon's service-wide state, built once
 * at start (before any worker) and only read afterwards: the PHI keyring,
 * and the user/counters user memory (which locks itself). */
#ifndef MESSAGING_STATE_H
#define MESSAGING_STATE_H

#include "clinical_user_cache.h"
#include "cm_service.h"
#include "phi_crypt.h"

struct messaging_state {
    struct cm_keyring phi; /* phi_crypt.h */
    struct clinical_user_cache *users; /* clinical_user_cache.h; thread-safe */
};

/* cm_service_def.state_new / state_free. */
cm_err messaging_state_new(const struct cm_config *cfg, natsConnection *nc, void **out_state);
void messaging_state_free(void *state);

/* The state of the request's daemon (borrowed). */
const struct messaging_state *messaging_state_of(const struct cm_req *rq);

#endif
