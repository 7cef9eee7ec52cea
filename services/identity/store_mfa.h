/* store_mfa.h: SQL of the TOTP configurations (table mfa_totp, migrations
 * 003_mfa_totp.sql and 007_totp_sealed.sql: secrets sealed at rest with
 * totp_keys.h, opened here with the ring the caller passes: the one in
 * identity's state, identity_state.h) and the few user columns the
 * mfa-totp operations read.
 * Nothing here knows about NATS or HTTP. */
#ifndef IDENTITY_STORE_MFA_H
#define IDENTITY_STORE_MFA_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"
#include "password_hash.h"
#include "totp_keys.h"

#define MFA_SECRET_MAX 64 /* the table's limit on a shared secret */
#define MFA_MAX_PENDING 5 /* configurations not enabled that a user may keep */

/* One row of mfa_totp. Times are RFC 3339 UTC ("" when NULL). */
struct mfa_totp {
    char id[40];
    char user_id[40];
    uint8_t secret[MFA_SECRET_MAX];
    size_t secret_len;
    int enabled;
    char created_at[40];
    char enabled_at[40];
    char last_used[40];
    int64_t last_step; /* last accepted time step; -1 when none */
};

/* What the operations need of a user. */
struct mfa_user {
    char username[256];
    char password_hash[PW_HASH_MAX]; /* "" when the account has no password */
};

/* Reads user_id's username and password hash. CM_ENOTFOUND if no such user. */
cm_err store_mfa_user(PGconn *pg, const char *user_id, struct mfa_user *out);

/* CM_OK when user_id exists and, unless organization_id is NULL, is a member
 * of organization_id; CM_ENOTFOUND otherwise. */
cm_err store_mfa_user_visible(PGconn *pg, const char *user_id, const char *organization_id);

/* Adds a configuration (not enabled) for user_id with secret (len bytes).
 * CM_ECONFLICT when the user already keeps MFA_MAX_PENDING configurations
 * that are not enabled, CM_ENOTFOUND when the user does not exist. The new
 * row goes to *out on CM_OK. */
cm_err store_mfa_create(const struct cm_keyring *ring, PGconn *pg, const char *user_id,
                        const uint8_t *secret, size_t len, struct mfa_totp *out);

/* user_id's configurations, oldest first, in *out (caller frees; NULL when
 * none) and their count in *out_n. */
cm_err store_mfa_list(const struct cm_keyring *ring, PGconn *pg, const char *user_id,
                      struct mfa_totp **out, size_t *out_n);

/* Configuration id (a valid uuid). CM_ENOTFOUND if none. */
cm_err store_mfa_get(const struct cm_keyring *ring, PGconn *pg, const char *id,
                     struct mfa_totp *out);

/* user_id's enabled configuration. CM_ENOTFOUND when none is enabled. */
cm_err store_mfa_enabled_of(const struct cm_keyring *ring, PGconn *pg, const char *user_id,
                            struct mfa_totp *out);

/* Enables configuration id after codes for steps first_step and last_step
 * were checked: only when it is not enabled and no step from first_step on
 * was used yet; last_step becomes the last used step. CM_ECONFLICT when
 * that no longer holds, or when the user has another enabled configuration.
 * The updated row goes to *out on CM_OK. */
cm_err store_mfa_enable(const struct cm_keyring *ring, PGconn *pg, const char *id,
                        int64_t first_step, int64_t last_step, struct mfa_totp *out);

/* Disables configuration id. CM_ECONFLICT when it is not enabled. The
 * updated row goes to *out on CM_OK. */
cm_err store_mfa_disable(const struct cm_keyring *ring, PGconn *pg, const char *id,
                         struct mfa_totp *out);

/* Deletes configuration id when it is not enabled; CM_ECONFLICT otherwise
 * (or when it is gone). */
cm_err store_mfa_delete(PGconn *pg, const char *id);

/* Records that the enabled configuration id accepted a code of step (at
 * login): only when step is after its last used step. CM_EDENIED when it
 * is not (a replay, possibly concurrent) or the configuration is no longer
 * enabled. */
cm_err store_mfa_consume(PGconn *pg, const char *id, int64_t step);

/* --- sealing at rest (totp_keys.h) --- */

/* A configuration whose secret is in clear or under another key. */
struct mfa_sealed {
    char id[40];
    char key_id[32];  /* "" when in clear */
    uint8_t secret[MFA_SECRET_MAX];
    size_t secret_len; /* 0 when it could not be opened (its key is gone) */
};

/* The database's fallback key (totp_db_key) into key, *found = 1; made
 * first when create and there is none. */
cm_err store_mfa_db_key(PGconn *pg, int create, uint8_t key[32], int *found);

/* Every configuration in clear or not sealed with ring's first key, secrets
 * opened with ring (caller frees *out after sodium_memzero; NULL when
 * none). */
cm_err store_mfa_unsealed(const struct cm_keyring *ring, PGconn *pg, struct mfa_sealed **out,
                          size_t *out_n);

/* Stores box (len bytes, sealed with key_id) as configuration id's secret,
 * and clears the clear column. */
cm_err store_mfa_seal(PGconn *pg, const char *id, const uint8_t *box, size_t len,
                      const char *key_id);

#endif
