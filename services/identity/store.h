/* store.h: identity's SQL. Nothing here knows about NATS or HTTP. */
#ifndef IDENTITY_STORE_H
#define IDENTITY_STORE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "cm_err.h"

#define API_KEY_HASH_BYTES 32

struct api_client {
    char id[40];              /* uuid */
    char api_user_id[129];
    char organization_id[40]; /* "" when none */
    uint8_t key_hash[API_KEY_HASH_BYTES];
};

/* Hash under which an API key is stored (BLAKE2b-256). */
void store_api_key_hash(const char *key, uint8_t out[API_KEY_HASH_BYTES]);

/* Active (not revoked) API client by its API user id. CM_ENOTFOUND if none. */
cm_err store_api_client_by_user(PGconn *pg, const char *api_user_id, struct api_client *out);

/* Active API client by key hash. CM_ENOTFOUND if none. */
cm_err store_api_client_by_hash(PGconn *pg, const uint8_t hash[API_KEY_HASH_BYTES],
                                struct api_client *out);

/* What store_api_client_upsert changed. */
enum api_client_change {
    API_CLIENT_UNCHANGED = 0, /* same key, not revoked: nothing written */
    API_CLIENT_CREATED,       /* a new API user */
    API_CLIENT_KEY_ROTATED,   /* an existing API user got a different key */
    API_CLIENT_RESTORED,      /* a revoked API user was un-revoked with its key */
};

struct api_client_upsert {
    enum api_client_change change;
    char id[40];          /* api_clients.id; "" when unchanged */
    char occurred_at[40]; /* RFC 3339 UTC time of the change; "" when unchanged */
};

/* Creates api_user_id with key, or gives the existing one this key and
 * un-revokes it; writes nothing when it already has this key and is active.
 * Call inside a transaction (store_tx_begin): the existing row is locked
 * until commit, so that the caller's event matches what was written. What
 * changed goes to *out on CM_OK. */
cm_err store_api_client_upsert(PGconn *pg, const char *api_user_id, const char *key,
                               const char *name, struct api_client_upsert *out);

/* BEGIN, COMMIT and ROLLBACK on pg. Rollback is for error paths and
 * returns nothing: the error being handled is what the caller reports. */
cm_err store_tx_begin(PGconn *pg);
cm_err store_tx_commit(PGconn *pg);
void store_tx_rollback(PGconn *pg);

#endif
