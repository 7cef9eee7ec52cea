/* signing_keys.h: the Ed25519 key that signs identity's access and id tokens
 * (cm_token.h), and the public keys the edge verifies them with
 * (identity.rpc.GetSigningKeys).
 *
 * The signing key is SIGNING_KEY_SEED (64 hex characters) when set, else the
 * newest unretired row of signing_keys, created at the first start. It is
 * loaded once, at start, into identity's state (identity_state_new, before
 * any worker runs), and only read afterwards, so workers share it without a
 * lock. The key id ("kid") is the first 16 hex characters of the BLAKE2b-256
 * hash of the public key. Seeds are never logged. */
#ifndef IDENTITY_SIGNING_KEYS_H
#define IDENTITY_SIGNING_KEYS_H

#include <libpq-fe.h>

#include "cm_config.h"
#include "cm_err.h"
#include "cm_token.h"

#define SIGNING_KID_LEN 16
#define SIGNING_SEED_BYTES 32

struct signing_key {
    char kid[SIGNING_KID_LEN + 1];
    unsigned char pk[CM_TOKEN_PK_BYTES];
    unsigned char sk[CM_TOKEN_SK_BYTES];
};

/* The key id of public key pk into kid (SIGNING_KID_LEN + 1 bytes). Pure. */
void signing_key_kid(const unsigned char pk[CM_TOKEN_PK_BYTES], char kid[SIGNING_KID_LEN + 1]);

/* Derives the whole key (kid, public and secret key) from a 32-byte seed. */
void signing_key_from_seed(const unsigned char seed[SIGNING_SEED_BYTES], struct signing_key *out);

/* Decodes hex (exactly 64 hex digits) into seed. CM_EINVAL otherwise. */
cm_err signing_seed_parse(const char *hex, unsigned char seed[SIGNING_SEED_BYTES]);

/* Loads the signing key at start: SIGNING_KEY_SEED when set, else the
 * newest unretired row of signing_keys, creating one when there is none
 * (under a transaction-level advisory lock, so copies of identity starting
 * at once end with one key), into *out (written only on CM_OK).
 * CM_EINVAL for a malformed SIGNING_KEY_SEED, or the database's error. */
cm_err signing_keys_load(const struct cm_config *cfg, PGconn *pg, struct signing_key *out);

#endif
