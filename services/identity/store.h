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

/* Creates api_user_id with key, or gives the existing one this key and
 * un-revokes it. */
cm_err store_api_client_upsert(PGconn *pg, const char *api_user_id, const char *key,
                               const char *name);

#endif
