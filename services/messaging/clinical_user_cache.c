/* clinical_user_cache.c: the short-lived user_id → account memory of
 * user/counters (clinical_user_cache.h). */
#include "clinical_user_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_alloc.h"

#define SLOTS 512

struct slot {
    int64_t expires_ms; /* 0: empty */
    char org_id[CLINICAL_ID_MAX];
    char uid[CLINICAL_NAME_MAX];
    char id[CLINICAL_ID_MAX];
    char ou[CLINICAL_NAME_MAX];
};

struct clinical_user_cache {
    pthread_mutex_t lock;
    struct slot slots[SLOTS];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FNV-1a of org_id and uid. */
static size_t slot_of(const char *org_id, const char *uid)
{
    uint32_t h = 2166136261u;
    for (const char *p = org_id; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    h = (h ^ '\n') * 16777619u;
    for (const char *p = uid; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h % SLOTS;
}

struct clinical_user_cache *clinical_user_cache_new(void)
{
    struct clinical_user_cache *c = cm_xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void clinical_user_cache_free(struct clinical_user_cache *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->lock);
    free(c);
}

int clinical_user_cache_get(struct clinical_user_cache *c, const char *org_id, const char *uid,
                            char *id, char *ou)
{
    struct slot *s;
    int hit;

    if (!c || strlen(org_id) >= CLINICAL_ID_MAX || strlen(uid) >= CLINICAL_NAME_MAX)
        return 0;
    s = &c->slots[slot_of(org_id, uid)];
    pthread_mutex_lock(&c->lock);
    hit = s->expires_ms > now_ms() && !strcmp(s->org_id, org_id) && !strcmp(s->uid, uid);
    if (hit) {
        memcpy(id, s->id, CLINICAL_ID_MAX);
        memcpy(ou, s->ou, CLINICAL_NAME_MAX);
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void clinical_user_cache_put(struct clinical_user_cache *c, const char *org_id, const char *uid,
                             const char *id, const char *ou)
{
    struct slot *s;

    if (!c || strlen(org_id) >= CLINICAL_ID_MAX || strlen(uid) >= CLINICAL_NAME_MAX ||
        strlen(id) >= CLINICAL_ID_MAX || strlen(ou) >= CLINICAL_NAME_MAX)
        return;
    s = &c->slots[slot_of(org_id, uid)];
    pthread_mutex_lock(&c->lock);
    snprintf(s->org_id, sizeof s->org_id, "%s", org_id);
    snprintf(s->uid, sizeof s->uid, "%s", uid);
    snprintf(s->id, sizeof s->id, "%s", id);
    snprintf(s->ou, sizeof s->ou, "%s", ou);
    s->expires_ms = now_ms() + CLINICAL_USER_CACHE_MS;
    pthread_mutex_unlock(&c->lock);
}
