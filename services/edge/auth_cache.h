/* auth_cache.h: a direct-mapped cache of credential checks, one per edge
 * loop thread (so no locks). Keys are BLAKE2b hashes of the credential, never
 * the credential itself; values are the principal identity answered, or a
 * refusal. Entries expire after their TTL. */
#ifndef EDGE_AUTH_CACHE_H
#define EDGE_AUTH_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "auth_header.h"
#include "envelope.pb-c.h"

#define AUTH_KEY_BYTES 32
#define AUTH_MAX_ROLES 16 /* an API client has at most 16 roles */

struct auth_entry {
    uint8_t key[AUTH_KEY_BYTES];
    int64_t expires_ms; /* 0: empty slot */
    int64_t stored_s;   /* wall clock (unix s) when the answer was stored */
    int denied;         /* 1: the credential was refused */
    Envelope__PrincipalKind kind;
    char user_id[130];
    char organization_id[40];
    char client_id[40];
    char roles[AUTH_MAX_ROLES][65];
    char *role_ptrs[AUTH_MAX_ROLES]; /* role_ptrs[i] = roles[i], for Principal.roles */
    size_t nroles;
};

struct auth_cache {
    struct auth_entry *slots;
    size_t size;
};

/* Cache key of a credential (kind, user and secret hashed together). */
void auth_cache_key(const struct edge_cred *cred, uint8_t out[AUTH_KEY_BYTES]);

void auth_cache_init(struct auth_cache *c, size_t size);
void auth_cache_release(struct auth_cache *c);

/* Fresh entry for key at now_ms, or NULL. Borrowed until the next put. */
const struct auth_entry *auth_cache_get(const struct auth_cache *c,
                                        const uint8_t key[AUTH_KEY_BYTES], int64_t now_ms);

/* Stores an answer: p NULL means refused. Strings are copied (truncated to
 * the slot sizes, which fit every valid id). */
void auth_cache_put(struct auth_cache *c, const uint8_t key[AUTH_KEY_BYTES],
                    const Envelope__Principal *p, int64_t expires_ms);

/* Fills p (borrowing e's strings) from a positive entry. */
void auth_entry_principal(const struct auth_entry *e, Envelope__Principal *p);

#endif
