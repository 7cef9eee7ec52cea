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

#endif
