/* token_check.c: access-token verification with a per-loop cache of
 * verified claims (token_check.h). */
#include "token_check.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"

void token_cache_init(struct token_cache *c, size_t size)
{
    c->size = size ? size : 1;
    c->slots = cm_xcalloc(c->size, sizeof *c->slots);
    c->hits = c->misses = 0;
}

void token_cache_release(struct token_cache *c)
{
    if (c->slots)
        sodium_memzero(c->slots, c->size * sizeof *c->slots);
    free(c->slots);
    c->slots = NULL;
}

static struct token_cache_entry *slot_of(const struct token_cache *c,
                                         const uint8_t hash[TOKEN_HASH_BYTES])
{
    uint64_t h;
    memcpy(&h, hash, sizeof h);
    return &c->slots[h % c->size];
}

/* The cached claims of the token hashed to hash, or NULL. */
static struct token_cache_entry *cache_find(const struct token_cache *c,
                                            const uint8_t hash[TOKEN_HASH_BYTES])
{
    struct token_cache_entry *e = slot_of(c, hash);
    return e->used && sodium_memcmp(e->hash, hash, TOKEN_HASH_BYTES) == 0 ? e : NULL;
}

/* Verifies a token the cache does not hold and caches its claims when it is
 * an access token. */
static enum token_verdict verify(struct token_cache *c, struct token_keys *keys,
                                 const char *token, const uint8_t hash[TOKEN_HASH_BYTES],
                                 int64_t now_s, struct token_cache_entry **out)
{
    char kid[CM_TOKEN_KID_MAX];
    unsigned char pk[CM_TOKEN_PK_BYTES];
    struct cm_token_claims claims;
    struct token_cache_entry *e;

    if (cm_token_kid(token, kid) != CM_OK)
        return TOKEN_REFUSED;
    switch (token_keys_lookup(keys, kid, pk)) {
    case TOKEN_KEYS_NOT_LOADED:
        return TOKEN_UNAVAILABLE;
    case TOKEN_KEY_UNKNOWN:
        token_keys_want_refresh(keys); /* a new key, perhaps: the next such token may pass */
        return TOKEN_REFUSED;
    case TOKEN_KEY_FOUND:
        break;
    }
    if (cm_token_verify(token, pk, now_s, &claims) != CM_OK || strcmp(claims.typ, "access") != 0)
        return TOKEN_REFUSED;
    e = slot_of(c, hash);
    memcpy(e->hash, hash, TOKEN_HASH_BYTES);
    e->claims = claims;
    e->used = 1;
    *out = e;
    return TOKEN_OK;
}

enum token_verdict token_check(struct token_cache *c, struct token_keys *keys,
                               struct revocations *rv, const char *token, int64_t now_s,
                               const struct cm_token_claims **out_claims)
{
    size_t len = strnlen(token, CM_TOKEN_MAX_LEN + 1);
    uint8_t hash[TOKEN_HASH_BYTES];
    struct token_cache_entry *e;
    enum token_verdict v;

    if (len == 0 || len > CM_TOKEN_MAX_LEN)
        return TOKEN_REFUSED;
    crypto_generichash(hash, sizeof hash, (const unsigned char *)token, len, NULL, 0);
    e = cache_find(c, hash);
    if (e) {
        c->hits++;
        if (now_s >= e->claims.exp) {
            e->used = 0;
            return TOKEN_REFUSED;
        }
    } else {
        c->misses++;
        v = verify(c, keys, token, hash, now_s, &e);
        if (v != TOKEN_OK)
            return v;
    }
    if (!revocations_caught_up(rv))
        return TOKEN_UNAVAILABLE; /* a revoked token could pass before the replay */
    if (revocations_refuses(rv, e->claims.sid, e->claims.sub, e->claims.iat, e->claims.gen,
                            now_s))
        return TOKEN_REFUSED;
    *out_claims = &e->claims;
    return TOKEN_OK;
}

void token_principal(const struct cm_token_claims *claims, Envelope__Principal *p,
                     char *roles[CM_TOKEN_MAX_ROLES])
{
    envelope__principal__init(p);
    p->kind = ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_USER;
    p->user_id = (char *)claims->sub;
    p->organization_id = (char *)claims->org;
    p->session_id = (char *)claims->sid;
    p->impersonator_id = (char *)claims->imp;
    p->token_gen = claims->gen;
    for (int i = 0; i < claims->nroles && i < CM_TOKEN_MAX_ROLES; i++)
        roles[i] = (char *)claims->roles[i];
    p->n_roles = (size_t)(claims->nroles < CM_TOKEN_MAX_ROLES ? claims->nroles : CM_TOKEN_MAX_ROLES);
    p->roles = roles;
}
