/* access_index.c: the in-memory access index (access_index.h): its tables,
 * the changes that keep them, and engine.h's rules evaluated over them.
 *
 * Every entity (user, organization, group, individual) has a slot in an
 * array of its kind, found by its uuid through an open-addressing hash; a
 * slot, once made, stays (a removed entity is only marked absent). Links are
 * kept both ways as vectors of slot numbers: user -> organizations, admin
 * organizations, groups led, groups membered, own individuals; group ->
 * leaders, members, individuals, children; individual -> groups;
 * organization -> members, admins, groups, individuals. The group tree is
 * walked through parent (up) and children (down), the equivalent of the
 * closure table group_tree that the SQL rules join. */
#include "access_index.h"
#include "access_index_int.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"

/* ---- uuids ---- */

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into 16 bytes; 0 when malformed */
int ix_uuid_parse(const char *s, uint8_t out[16])
{
    size_t k = 0;
    if (!s || !cm_uuid_valid(s))
        return 0;
    /* digits checked by cm_uuid_valid: '0'-'9' keep their low nibble,
     * 'a'-'f' and 'A'-'F' (0x61.., 0x41..) have bit 6 set and need 9 more */
    for (const char *p = s; *p && k < 16; p++) {
        if (*p == '-')
            continue;
        unsigned hi = (unsigned)p[0], lo = (unsigned)p[1];
        out[k++] = (uint8_t)((((hi & 15) + (hi >> 6) * 9) << 4) | ((lo & 15) + (lo >> 6) * 9));
        p++;
    }
    return k == 16;
}

void ix_uuid_text(const uint8_t id[16], char out[CM_UUID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int k = 0; k < 16; k++) {
        if (k == 4 || k == 6 || k == 8 || k == 10)
            out[o++] = '-';
        out[o++] = hex[id[k] >> 4];
        out[o++] = hex[id[k] & 15];
    }
    out[o] = '\0';
}

/* ---- vectors ---- */

int ix_vec_has(const struct vec *v, uint32_t x)
{
    for (uint32_t i = 0; i < v->n; i++)
        if (v->v[i] == x)
            return 1;
    return 0;
}

void ix_vec_push(struct vec *v, uint32_t x)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 2;
        v->v = cm_xrealloc(v->v, v->cap * sizeof *v->v);
    }
    v->v[v->n++] = x;
}

/* 1 when x was added (it was not there) */
static int vec_add(struct vec *v, uint32_t x)
{
    if (ix_vec_has(v, x))
        return 0;
    ix_vec_push(v, x);
    return 1;
}

/* 1 when x was there (order is not kept) */
static int vec_del(struct vec *v, uint32_t x)
{
    for (uint32_t i = 0; i < v->n; i++) {
        if (v->v[i] == x) {
            v->v[i] = v->v[--v->n];
            return 1;
        }
    }
    return 0;
}

static size_t vec_bytes(const struct vec *v)
{
    return v->cap * sizeof *v->v;
}

/* ---- entities ---- */

static uint32_t hash16(const uint8_t k[16])
{
    uint64_t a, b;
    memcpy(&a, k, 8);
    memcpy(&b, k + 8, 8);
    a ^= b * 0x9e3779b97f4a7c15ULL;
    a ^= a >> 29;
    a *= 0xbf58476d1ce4e5b9ULL;
    return (uint32_t)(a ^ (a >> 32));
}

static void map_put(struct map *m, const uint8_t key[16], uint32_t at)
{
    uint32_t i = hash16(key) & (m->cap - 1);
    while (m->slots[i].at)
        i = (i + 1) & (m->cap - 1);
    memcpy(m->slots[i].key, key, 16);
    m->slots[i].at = at + 1;
    m->n++;
}

static void map_grow(struct map *m)
{
    struct map old = *m;
    m->cap = old.cap ? old.cap * 2 : 1024;
    m->n = 0;
    m->slots = cm_xcalloc(m->cap, sizeof *m->slots);
    for (uint32_t i = 0; i < old.cap; i++)
        if (old.slots[i].at)
            map_put(m, old.slots[i].key, old.slots[i].at - 1);
    free(old.slots);
}

/* The entity of key, NONE when there is none */
uint32_t ix_find(const struct kind *k, const uint8_t key[16])
{
    if (!k->map.cap)
        return NONE;
    uint32_t i = hash16(key) & (k->map.cap - 1);
    while (k->map.slots[i].at) {
        if (memcmp(k->map.slots[i].key, key, 16) == 0)
            return k->map.slots[i].at - 1;
        i = (i + 1) & (k->map.cap - 1);
    }
    return NONE;
}

/* The entity of key, made (zeroed, absent) when there is none */
static uint32_t get(struct kind *k, const uint8_t key[16])
{
    uint32_t at = ix_find(k, key);
    if (at != NONE)
        return at;
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 256;
        k->ids = cm_xrealloc(k->ids, k->cap * sizeof *k->ids);
        k->recs = cm_xrealloc(k->recs, k->cap * k->rec_size);
    }
    at = k->n++;
    memcpy(k->ids[at], key, 16);
    memset((char *)k->recs + (size_t)at * k->rec_size, 0, k->rec_size);
    if ((k->map.n + 1) * 4 > k->map.cap * 3)
        map_grow(&k->map);
    map_put(&k->map, key, at);
    return at;
}

struct access_index *access_index_new(void)
{
    struct access_index *ix = cm_xcalloc(1, sizeof *ix);
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    /* a stream of checks must not keep a change waiting */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&ix->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    ix->users.rec_size = sizeof(struct ix_user);
    ix->orgs.rec_size = sizeof(struct ix_org);
    ix->groups.rec_size = sizeof(struct ix_group);
    ix->inds.rec_size = sizeof(struct ix_ind);
    return ix;
}

static void kind_free(struct kind *k, size_t nvec, size_t vec_at)
{
    for (uint32_t i = 0; i < k->n; i++) {
        struct vec *v = (struct vec *)((char *)k->recs + (size_t)i * k->rec_size + vec_at);
        for (size_t j = 0; j < nvec; j++)
            free(v[j].v);
    }
    free(k->ids);
    free(k->recs);
    free(k->map.slots);
}

static void kinds_free(struct access_index *ix)
{
    kind_free(&ix->users, 5, offsetof(struct ix_user, orgs));
    kind_free(&ix->orgs, 4, offsetof(struct ix_org, members));
    kind_free(&ix->groups, 4, offsetof(struct ix_group, leaders));
    kind_free(&ix->inds, 1, offsetof(struct ix_ind, groups));
}

void access_index_free(struct access_index *ix)
{
    if (!ix)
        return;
    kinds_free(ix);
    pthread_rwlock_destroy(&ix->lock);
    free(ix);
}

void access_index_clear(struct access_index *ix)
{
    struct kind *kinds[4] = {&ix->users, &ix->orgs, &ix->groups, &ix->inds};
    kinds_free(ix);
    for (int k = 0; k < 4; k++) {
        size_t rec_size = kinds[k]->rec_size;
        memset(kinds[k], 0, sizeof *kinds[k]);
        kinds[k]->rec_size = rec_size;
    }
    memset(ix->links, 0, sizeof ix->links);
}

/* ---- changes ---- */

void access_index_write_begin(struct access_index *ix)
{
    pthread_rwlock_wrlock(&ix->lock);
}

void access_index_write_end(struct access_index *ix)
{
    pthread_rwlock_unlock(&ix->lock);
}

static void group_detach(struct access_index *ix, uint32_t g)
{
    struct ix_group *gr = GROUP(ix, g);
    if (!gr->present)
        return;
    vec_del(&ORG(ix, gr->org)->groups, g);
    if (gr->parent != NONE)
        vec_del(&GROUP(ix, gr->parent)->children, g);
    gr->present = 0;
}

static void ind_detach(struct access_index *ix, uint32_t i)
{
    struct ix_ind *in = IND(ix, i);
    if (!in->present)
        return;
    vec_del(&ORG(ix, in->owner)->inds, i);
    if (in->user != NONE)
        vec_del(&USER(ix, in->user)->own_inds, i);
    in->present = 0;
}

/* a link both ways: (va of a) holds b, (vb of b) holds a */
static void link(size_t *count, int put, struct vec *va, uint32_t b, struct vec *vb, uint32_t a)
{
    if (put) {
        if (vec_add(va, b))
            (*count)++;
        vec_add(vb, a);
    } else {
        if (vec_del(va, b))
            (*count)--;
        vec_del(vb, a);
    }
}

cm_err access_index_apply(struct access_index *ix, const struct access_change *c)
{
    uint8_t a[16], b[16], cc[16];
    int has_b = c->b && c->b[0], has_c = c->c && c->c[0];
    const char *t = c->tbl;

    if (!t || !ix_uuid_parse(c->a, a) || (has_b && !ix_uuid_parse(c->b, b)) ||
        (has_c && !ix_uuid_parse(c->c, cc)))
        return CM_EINVAL;
    if (!strcmp(t, "u")) {
        uint32_t at = get(&ix->users, a); /* before USER: get may move the records */
        struct ix_user *u = USER(ix, at);
        u->present = (uint8_t)c->put;
        u->enabled = (uint8_t)(c->put && c->f1);
        u->padmin = (uint8_t)(c->put && c->f2);
    } else if (!strcmp(t, "i")) {
        if (c->put && !has_b)
            return CM_EINVAL;
        uint32_t i = get(&ix->inds, a);
        ind_detach(ix, i);
        if (c->put) {
            uint32_t o = get(&ix->orgs, b), u = has_c ? get(&ix->users, cc) : NONE;
            struct ix_ind *in = IND(ix, i);
            in->present = 1;
            in->owner = o;
            in->user = u;
            ix_vec_push(&ORG(ix, o)->inds, i);
            if (u != NONE)
                ix_vec_push(&USER(ix, u)->own_inds, i);
        }
    } else if (!strcmp(t, "g")) {
        if (c->put && !has_b)
            return CM_EINVAL;
        uint32_t g = get(&ix->groups, a);
        group_detach(ix, g);
        if (c->put) {
            uint32_t o = get(&ix->orgs, b), p = has_c ? get(&ix->groups, cc) : NONE;
            struct ix_group *gr = GROUP(ix, g);
            gr->present = 1;
            gr->mcw = (uint8_t)c->f1;
            gr->org = o;
            gr->parent = p;
            ix_vec_push(&ORG(ix, o)->groups, g);
            if (p != NONE)
                ix_vec_push(&GROUP(ix, p)->children, g);
        }
    } else if (!has_b) {
        return CM_EINVAL;
    } else if (!strcmp(t, "m") || !strcmp(t, "r")) {
        uint32_t u = get(&ix->users, a), o = get(&ix->orgs, b);
        if (t[0] == 'm')
            link(&ix->links[3], c->put, &USER(ix, u)->orgs, o, &ORG(ix, o)->members, u);
        else
            link(&ix->links[4], c->put, &USER(ix, u)->admin_orgs, o, &ORG(ix, o)->admins, u);
    } else if (!strcmp(t, "gi")) {
        uint32_t g = get(&ix->groups, a), i = get(&ix->inds, b);
        link(&ix->links[0], c->put, &GROUP(ix, g)->inds, i, &IND(ix, i)->groups, g);
    } else if (!strcmp(t, "gl") || !strcmp(t, "gm")) {
        uint32_t g = get(&ix->groups, a), u = get(&ix->users, b);
        if (t[1] == 'l')
            link(&ix->links[1], c->put, &GROUP(ix, g)->leaders, u, &USER(ix, u)->leads, g);
        else
            link(&ix->links[2], c->put, &GROUP(ix, g)->members, u, &USER(ix, u)->member_of, g);
    } else {
        return CM_EINVAL;
    }
    return CM_OK;
}

void access_index_stats(struct access_index *ix, struct access_index_stats *out)
{
    size_t bytes = sizeof *ix;
    memset(out, 0, sizeof *out);
    pthread_rwlock_rdlock(&ix->lock);
    const struct kind *kinds[4] = {&ix->users, &ix->orgs, &ix->groups, &ix->inds};
    for (int k = 0; k < 4; k++)
        bytes +=
            kinds[k]->cap * (16 + kinds[k]->rec_size) + kinds[k]->map.cap * sizeof(struct slot);
    for (uint32_t u = 0; u < ix->users.n; u++) {
        const struct ix_user *r = USER(ix, u);
        out->users += r->present;
        bytes += vec_bytes(&r->orgs) + vec_bytes(&r->admin_orgs) + vec_bytes(&r->leads) +
                 vec_bytes(&r->member_of) + vec_bytes(&r->own_inds);
    }
    for (uint32_t o = 0; o < ix->orgs.n; o++) {
        const struct ix_org *r = ORG(ix, o);
        bytes += vec_bytes(&r->members) + vec_bytes(&r->admins) + vec_bytes(&r->groups) +
                 vec_bytes(&r->inds);
    }
    for (uint32_t g = 0; g < ix->groups.n; g++) {
        const struct ix_group *r = GROUP(ix, g);
        out->groups += r->present;
        bytes += vec_bytes(&r->leaders) + vec_bytes(&r->members) + vec_bytes(&r->inds) +
                 vec_bytes(&r->children);
    }
    for (uint32_t i = 0; i < ix->inds.n; i++) {
        out->individuals += IND(ix, i)->present;
        bytes += vec_bytes(&IND(ix, i)->groups);
    }
    out->organizations = ix->orgs.n;
    out->group_individuals = ix->links[0];
    out->leaders = ix->links[1];
    out->members = ix->links[2];
    out->memberships = ix->links[3];
    out->bytes = bytes;
    pthread_rwlock_unlock(&ix->lock);
}
