/* agreements_gate.c: the remembered document gates (agreements_gate.h): an
 * open-addressing table of organization ids under a mutex, one per daemon
 * (in identity_state). When it is full, new organizations stay unknown
 * (gated): nothing fails open. */
#include "agreements_gate.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"

#define GATE_SLOTS 16384 /* power of two */

struct gate_slot {
    char org[37]; /* "" empty */
    int gated;
};

struct agreements_gate {
    pthread_mutex_t lock;
    int platform_known, platform_gated_now;
    struct gate_slot slots[GATE_SLOTS];
};

struct agreements_gate *agreements_gate_new(void)
{
    struct agreements_gate *g = cm_xcalloc(1, sizeof *g);

    pthread_mutex_init(&g->lock, NULL);
    return g;
}

void agreements_gate_free(struct agreements_gate *g)
{
    if (!g)
        return;
    pthread_mutex_destroy(&g->lock);
    free(g);
}

static uint32_t hash_of(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* The slot of org, or the empty slot where it goes; NULL when full. */
static struct gate_slot *slot_of(struct agreements_gate *g, const char *org)
{
    uint32_t i = hash_of(org) & (GATE_SLOTS - 1);

    for (int probes = 0; probes < 64; probes++, i = (i + 1) & (GATE_SLOTS - 1))
        if (!g->slots[i].org[0] || !strcmp(g->slots[i].org, org))
            return &g->slots[i];
    return NULL;
}

static int in_list(const char *org, char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] && !strcmp(list[i], org))
            return 1;
    return 0;
}

void agreements_gate_learn(struct agreements_gate *g, char *const *orgs, size_t n,
                           int platform_gated, char *const *gated, size_t ngated)
{
    pthread_mutex_lock(&g->lock);
    g->platform_known = 1;
    g->platform_gated_now = platform_gated;
    for (size_t i = 0; i < n; i++) {
        struct gate_slot *s;
        if (!orgs[i] || strlen(orgs[i]) != 36 || !(s = slot_of(g, orgs[i])))
            continue;
        snprintf(s->org, sizeof s->org, "%s", orgs[i]);
        s->gated = in_list(orgs[i], gated, ngated);
    }
    pthread_mutex_unlock(&g->lock);
}

int agreements_gate_open(struct agreements_gate *g, char *const *orgs, size_t n)
{
    int open;

    pthread_mutex_lock(&g->lock);
    open = g->platform_known && !g->platform_gated_now;
    for (size_t i = 0; open && i < n; i++) {
        struct gate_slot *s = orgs[i] ? slot_of(g, orgs[i]) : NULL;
        open = s && s->org[0] && !s->gated;
    }
    pthread_mutex_unlock(&g->lock);
    return open;
}
