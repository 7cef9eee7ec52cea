/* identity_state.h: identity's service-wide state, built once at start
 * (cm_service_def.state_new, after NATS connects and before any worker or
 * pool thread runs) and reached from every request and RPC as w->state
 * (identity_state_of): the token-signing key, the keys that seal TOTP
 * secrets, the queue of code and notice messages with its delivery thread,
 * the argon2id hasher threads and the remembered document gates. No file static holds service
 * state. */
#ifndef IDENTITY_STATE_H
#define IDENTITY_STATE_H

#include <nats/nats.h>

#include "cm_config.h"
#include "cm_err.h"
#include "agreements_gate.h"
#include "cm_service.h"
#include "code_mail.h"
#include "password_hash.h"
#include "signing_keys.h"
#include "totp_keys.h"

struct identity_state {
    struct signing_key signing; /* read-only once loaded: shared without a lock */
    struct cm_keyring totp;   /* seals TOTP secrets at rest (totp_keys.h); read-only too */
    struct code_mailer *mail;   /* thread-safe (code_mail.h) */
    struct pw_hashers *hashers; /* argon2id threads, thread-safe (password_hash.h) */
    struct agreements_gate *gate; /* thread-safe (agreements_gate.h) */
};

/* state_new hook: on a connection of its own (libsodium is ready,
 * identity_on_start ran before), loads the signing key (signing_keys_load)
 * and the TOTP keys, and re-seals TOTP rows in clear or under an older key
 * (totp_keys.h); then starts the hashers (start-up work before this, the
 * bootstrap admin's hash, ran inline at normal priority) and the code-mail
 * thread on nc. *out_state is a struct
 * identity_state (identity_state_free). The database's error, CM_EINVAL for
 * a malformed SIGNING_KEY_SEED, CM_EINTERNAL when the thread cannot start:
 * the start fails. */
cm_err identity_state_new(const struct cm_config *cfg, natsConnection *nc, void **out_state);

/* state_free hook (after the workers and the password pool ended): sends
 * what is still queued, stops the threads, wipes the keys and frees; NULL
 * is a no-op. */
void identity_state_free(void *state);

/* The state of worker w (borrowed, valid for the life of the daemon). */
static inline struct identity_state *identity_state_of(const struct cm_worker *w)
{
    return w->state;
}

#endif
