/* password_hash.h: argon2id password hashes (libsodium crypto_pwhash_str)
 * at the configured cost (PWHASH_OPSLIMIT, PWHASH_MEMLIMIT_KIB). Passwords
 * are never logged or stored in clear. */
#ifndef IDENTITY_PASSWORD_HASH_H
#define IDENTITY_PASSWORD_HASH_H

#include <sodium.h>

#include "cm_config.h"
#include "cm_err.h"

#define PW_HASH_MAX crypto_pwhash_STRBYTES

/* The hasher threads that run the argon2id computations of pw_hash and
 * pw_verify at PWHASH_NICE (19: SCHED_IDLE) while the caller waits, and the
 * dummy hash of pw_verify; held in identity's state (identity_state.h). */
struct pw_hashers;

/* Starts PWHASH_THREADS hashers into *out (caller pw_hashers_free).
 * CM_EINTERNAL when a thread cannot start. */
cm_err pw_hashers_new(const struct cm_config *cfg, struct pw_hashers **out);

/* Stops the hashers (after the last request) and frees h; NULL is a no-op. */
void pw_hashers_free(struct pw_hashers *h);

/* Hashes password into out (PW_HASH_MAX bytes, NUL-terminated) on one of
 * h's hashers, or on the caller's thread when h is NULL (start-up work:
 * identity_on_start) or no hasher takes it. CM_ENOMEM when argon2id cannot
 * get its memory. */
cm_err pw_hash(struct pw_hashers *h, const struct cm_config *cfg, const char *password,
               char out[PW_HASH_MAX]);

/* CM_OK when password matches hash, CM_EUNAUTH when it does not (or hash is
 * NULL/empty: h's dummy hash is checked instead, so that the time taken
 * does not tell whether the account has a password or exists; with h NULL,
 * at start-up, nothing is checked). Computed as pw_hash. */
cm_err pw_verify(struct pw_hashers *h, const struct cm_config *cfg, const char *hash,
                 const char *password);

#endif
