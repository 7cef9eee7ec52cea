/* password_hash.h: argon2id password hashes (libsodium crypto_pwhash_str)
 * at the configured cost (PWHASH_OPSLIMIT, PWHASH_MEMLIMIT_KIB). Passwords
 * are never logged or stored in clear. */
#ifndef IDENTITY_PASSWORD_HASH_H
#define IDENTITY_PASSWORD_HASH_H

#include <sodium.h>

#include "cm_config.h"
#include "cm_err.h"

#define PW_HASH_MAX crypto_pwhash_STRBYTES

/* Hashes password into out (PW_HASH_MAX bytes, NUL-terminated).
 * CM_ENOMEM when argon2id cannot get its memory. */
cm_err pw_hash(const struct cm_config *cfg, const char *password, char out[PW_HASH_MAX]);

/* CM_OK when password matches hash, CM_EUNAUTH when it does not (or hash is
 * NULL/empty: a dummy hash is checked instead, so that the time taken does
 * not tell whether the account has a password or exists). */
cm_err pw_verify(const struct cm_config *cfg, const char *hash, const char *password);

/* Starts the hasher threads that run the argon2id computations of pw_hash
 * and pw_verify at PWHASH_NICE (19: SCHED_IDLE) while the caller waits;
 * until then (start-up work) they compute on the caller's thread. Once,
 * when the daemon starts serving. CM_EINTERNAL when a thread cannot start. */
cm_err pw_hashers_start(const struct cm_config *cfg);

/* Stops them (after the last request); pw_* compute inline again. */
void pw_hashers_stop(void);

#endif
