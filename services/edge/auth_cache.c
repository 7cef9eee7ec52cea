/* auth_cache.c: direct-mapped credential cache. */
#include "auth_cache.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cm_alloc.h"

void auth_cache_key(const struct edge_cred *cred, uint8_t out[AUTH_KEY_BYTES])
{
    crypto_generichash_state st;
    uint8_t kind = (uint8_t)cred->kind;

    crypto_generichash_init(&st, NULL, 0, AUTH_KEY_BYTES);
    crypto_generichash_update(&st, &kind, 1);
    crypto_generichash_update(&st, (const uint8_t *)cred->user, strlen(cred->user) + 1);
    crypto_generichash_update(&st, (const uint8_t *)cred->secret, strlen(cred->secret));
    crypto_generichash_final(&st, out, AUTH_KEY_BYTES);
}

void auth_cache_init(struct auth_cache *c, size_t size)
{
    c->size = size ? size : 1;
    c->slots = cm_xcalloc(c->size, sizeof *c->slots);
}

void auth_cache_release(struct auth_cache *c)
{
    if (c->slots)
        sodium_memzero(c->slots, c->size * sizeof *c->slots);
    free(c->slots);
    c->slots = NULL;
}

static size_t slot_of(const struct auth_cache *c, const uint8_t key[AUTH_KEY_BYTES])
{
    uint64_t h;
    memcpy(&h, key, sizeof h);
    return (size_t)(h % c->size);
}

const struct auth_entry *auth_cache_get(const struct auth_cache *c,
                                        const uint8_t key[AUTH_KEY_BYTES], int64_t now_ms)
{
    const struct auth_entry *e = &c->slots[slot_of(c, key)];
    if (e->expires_ms <= now_ms || memcmp(e->key, key, AUTH_KEY_BYTES) != 0)
        return NULL;
    return e;
}

void auth_cache_put(struct auth_cache *c, const uint8_t key[AUTH_KEY_BYTES],
                    const Envelope__Principal *p, int64_t expires_ms)
{
    struct auth_entry *e = &c->slots[slot_of(c, key)];

    memset(e, 0, sizeof *e);
    memcpy(e->key, key, AUTH_KEY_BYTES);
    e->expires_ms = expires_ms;
    e->stored_s = (int64_t)time(NULL);
    e->denied = p == NULL;
    if (!p)
        return;
    e->kind = p->kind;
    snprintf(e->user_id, sizeof e->user_id, "%s", p->user_id ? p->user_id : "");
    snprintf(e->organization_id, sizeof e->organization_id, "%s",
             p->organization_id ? p->organization_id : "");
    snprintf(e->client_id, sizeof e->client_id, "%s", p->client_id ? p->client_id : "");
    for (size_t i = 0; i < p->n_roles && e->nroles < AUTH_MAX_ROLES; i++) {
        if (!p->roles[i] || strlen(p->roles[i]) >= sizeof e->roles[0])
            continue; /* longer than any role name identity allows */
        memcpy(e->roles[e->nroles], p->roles[i], strlen(p->roles[i]) + 1);
        e->role_ptrs[e->nroles] = e->roles[e->nroles];
        e->nroles++;
    }
}

void auth_entry_principal(const struct auth_entry *e, Envelope__Principal *p)
{
    envelope__principal__init(p);
    p->kind = e->kind;
    p->user_id = (char *)e->user_id;
    p->organization_id = (char *)e->organization_id;
    p->client_id = (char *)e->client_id;
    p->roles = (char **)e->role_ptrs;
    p->n_roles = e->nroles;
}
