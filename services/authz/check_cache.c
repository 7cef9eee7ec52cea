/* check_cache.c: the bounded check-answer cache of check_cache.h: a
 * direct-mapped table of nslots entries, each under one of STRIPES mutexes
 * (slot i under lock i % STRIPES), so that checks of different keys rarely
 * wait for each other; the generation is an atomic counter. */
#include "check_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"

struct slot {
    char *key; /* NULL = empty; owned */
    size_t len;
    uint64_t gen;
    int64_t expires_ms;
    int allow;
};

#define STRIPES 64

struct check_cache {
    pthread_mutex_t locks[STRIPES];
    _Atomic uint64_t gen;
    int64_t ttl_ms;
    size_t nslots;
    struct slot *slots;
};

struct check_cache *check_cache_new(size_t nslots, int64_t ttl_ms)
{
    struct check_cache *c = cm_xmalloc(sizeof *c);
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&c->locks[i], NULL);
    atomic_init(&c->gen, 1);
    c->ttl_ms = ttl_ms;
    c->nslots = nslots ? nslots : 1;
    c->slots = cm_xcalloc(c->nslots, sizeof *c->slots);
    return c;
}

void check_cache_free(struct check_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nslots; i++)
        free(c->slots[i].key);
    free(c->slots);
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&c->locks[i]);
    free(c);
}

uint64_t check_cache_generation(struct check_cache *c)
{
    return atomic_load(&c->gen);
}

void check_cache_invalidate(struct check_cache *c)
{
    atomic_fetch_add(&c->gen, 1);
}

size_t check_cache_key(char *buf, size_t cap, const char *user_id, const char *const *queries,
                       size_t n)
{
    size_t len = strlen(user_id);
    if (len >= cap)
        return 0;
    memcpy(buf, user_id, len);
    for (size_t i = 0; i < n; i++) {
        size_t ql = strlen(queries[i]);
        if (len + 1 + ql >= cap)
            return 0;
        buf[len++] = 0x1f;
        memcpy(buf + len, queries[i], ql);
        len += ql;
    }
    buf[len] = '\0';
    return len;
}

/* FNV-1a */
static size_t slot_of(const struct check_cache *c, const char *key, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ull;
    }
    return (size_t)(h % c->nslots);
}

int check_cache_get(struct check_cache *c, const char *key, size_t len, int64_t now_ms,
                    int *out_allow)
{
    int hit = 0;
    if (len == 0 || len > CHECK_CACHE_KEY_MAX)
        return 0;
    size_t i = slot_of(c, key, len);
    uint64_t gen = atomic_load(&c->gen);
    pthread_mutex_lock(&c->locks[i % STRIPES]);
    struct slot *s = &c->slots[i];
    if (s->key && s->len == len && s->gen == gen && now_ms < s->expires_ms &&
        memcmp(s->key, key, len) == 0) {
        *out_allow = s->allow;
        hit = 1;
    }
    pthread_mutex_unlock(&c->locks[i % STRIPES]);
    return hit;
}

void check_cache_put(struct check_cache *c, const char *key, size_t len, uint64_t gen,
                     int64_t now_ms, int allow)
{
    char *copy;
    if (len == 0 || len > CHECK_CACHE_KEY_MAX)
        return;
    copy = cm_xmalloc(len);
    memcpy(copy, key, len);
    size_t i = slot_of(c, key, len);
    pthread_mutex_lock(&c->locks[i % STRIPES]);
    if (gen == atomic_load(&c->gen)) { /* a later invalidation makes it unreadable anyway */
        struct slot *s = &c->slots[i];
        free(s->key);
        s->key = copy;
        copy = NULL;
        s->len = len;
        s->gen = gen;
        s->expires_ms = now_ms + c->ttl_ms;
        s->allow = allow;
    }
    pthread_mutex_unlock(&c->locks[i % STRIPES]);
    free(copy);
}
