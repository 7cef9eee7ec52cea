/* agreements_gate.c: the remembered document gates (agreements_gate.h): an
 * open-addressing table of organization ids under a mutex. When it is
 * full, new organizations stay unknown (gated): nothing fails open. */
#include "agreements_gate.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define GATE_SLOTS 16384 /* power of two */

struct gate_slot {
    char org[37]; /* "" empty */
    int gated;
};

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gate_slot slots[GATE_SLOTS];
static int platform_known, platform_gated_now;

static uint32_t hash_of(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* The slot of org, or the empty slot where it goes; NULL when full. */
static struct gate_slot *slot_of(const char *org)
{
    uint32_t i = hash_of(org) & (GATE_SLOTS - 1);

    for (int probes = 0; probes < 64; probes++, i = (i + 1) & (GATE_SLOTS - 1))
        if (!slots[i].org[0] || !strcmp(slots[i].org, org))
            return &slots[i];
    return NULL;
}

static int in_list(const char *org, char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] && !strcmp(list[i], org))
            return 1;
    return 0;
}

void agreements_gate_learn(char *const *orgs, size_t n, int platform_gated, char *const *gated,
                           size_t ngated)
{
    pthread_mutex_lock(&gate_lock);
    platform_known = 1;
    platform_gated_now = platform_gated;
    for (size_t i = 0; i < n; i++) {
        struct gate_slot *s;
        if (!orgs[i] || strlen(orgs[i]) != 36 || !(s = slot_of(orgs[i])))
            continue;
        snprintf(s->org, sizeof s->org, "%s", orgs[i]);
        s->gated = in_list(orgs[i], gated, ngated);
    }
    pthread_mutex_unlock(&gate_lock);
}

int agreements_gate_open(char *const *orgs, size_t n)
{
    int open;

    pthread_mutex_lock(&gate_lock);
    open = platform_known && !platform_gated_now;
    for (size_t i = 0; open && i < n; i++) {
        struct gate_slot *s = orgs[i] ? slot_of(orgs[i]) : NULL;
        open = s && s->org[0] && !s->gated;
    }
    pthread_mutex_unlock(&gate_lock);
    return open;
}
