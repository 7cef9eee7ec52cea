/* sweeper.h: the thread that finishes or undoes sign-ups left half done
 * (README "Flows that span services"). Every SWEEP_EVERY_MS it claims, one
 * at a time, the requests whose step has not moved for
 * SIGN_UP_SWEEP_AFTER_S (store_sign_up_claim_unfinished; a claim holds a
 * request for that long, so copies of onboarding share the work) and:
 *   pending          asks identity whether the account exists (CreateAccount
 *                    with only_existing: the password is not kept): yes →
 *                    account_created and a code goes out; no, and the request
 *                    is older than SIGN_UP_UNDO_AFTER_S → the request is
 *                    deleted (undone), the username free again;
 *   account_created  a code goes out (sign_up_flow.h).
 * It also prunes sign_up_limits of events older than LIMIT_KEEP_S. It has
 * its own Postgres connection and uses the daemon's nats.c connection. */
#ifndef ONBOARDING_SWEEPER_H
#define ONBOARDING_SWEEPER_H

#include "cm_service.h"

/* The cm_service on_serving hook: starts the thread (cfg and nc borrowed;
 * they outlive sweeper_stop). CM_EINTERNAL when it cannot start. */
cm_err sweeper_start(const struct cm_config *cfg, natsConnection *nc, void **out_state);

/* The on_stop hook: stops the thread (a request being finished is finished
 * first) and frees state. */
void sweeper_stop(void *state);

#endif
