/* access_index_rules.c: engine.h's rules over the access index
 * (access_index.h): checks by id, the sets of #10 and the accessors of #13,
 * each the same relation as store_access_rules.h's SQL states: a check by id
 * walks up the group tree from the resource, a set walks down from the
 * user's groups. Callers hold no lock: every entry point takes the read
 * lock. */
#include <stdlib.h>
#include <string.h>

#include "access_index.h"
#include "access_index_int.h"
#include "cm_alloc.h"

#define WALK_MAX 100000 /* steps up a tree: more is a broken tree */

/* The present, enabled user of user_id, NONE otherwise; *padmin set. */
static uint32_t active_user(struct access_index *ix, const char *user_id, int *padmin)
{
    uint8_t key[16];
    uint32_t u;
    *padmin = 0;
    if (!ix_uuid_parse(user_id, key) || (u = ix_find(&ix->users, key)) == NONE)
        return NONE;
    if (!USER(ix, u)->present || !USER(ix, u)->enabled)
        return NONE;
    *padmin = USER(ix, u)->padmin;
    return u;
}

static uint32_t find_text(struct kind *k, const char *id)
{
    uint8_t key[16];
    return ix_uuid_parse(id, key) ? ix_find(k, key) : NONE;
}

/* group g or one of its ancestors is in v (or, with mcw_only, one with
 * members_can_write) */
static int up_in(struct access_index *ix, uint32_t g, const struct vec *v, int mcw_only)
{
    for (int steps = 0; g != NONE && steps < WALK_MAX; steps++) {
        const struct ix_group *gr = GROUP(ix, g);
        if (!gr->present)
            return 0;
        if ((!mcw_only || gr->mcw) && ix_vec_has(v, g))
            return 1;
        g = gr->parent;
    }
    return 0;
}

/* target is x or an ancestor of x */
static int is_above(struct access_index *ix, uint32_t target, uint32_t x)
{
    for (int steps = 0; x != NONE && steps < WALK_MAX; steps++) {
        if (!GROUP(ix, x)->present)
            return 0;
        if (x == target)
            return 1;
        x = GROUP(ix, x)->parent;
    }
    return 0;
}

/* ---- checks by id ---- */

static int group_check(struct access_index *ix, const struct ix_user *u, uint32_t g,
                       enum authz_op op)
{
    const struct ix_group *gr = GROUP(ix, g);
    if (!gr->present)
        return 0;
    if (op == AUTHZ_CONTAIN) {
        for (uint32_t k = 0; k < u->leads.n; k++)
            if (is_above(ix, g, u->leads.v[k]))
                return 1;
        for (uint32_t k = 0; k < u->member_of.n; k++)
            if (is_above(ix, g, u->member_of.v[k]))
                return 1;
        for (uint32_t k = 0; k < u->own_inds.n; k++) {
            const struct ix_ind *in = IND(ix, u->own_inds.v[k]);
            for (uint32_t j = 0; in->present && j < in->groups.n; j++)
                if (is_above(ix, g, in->groups.v[j]))
                    return 1;
        }
        return 0;
    }
    if (ix_vec_has(&u->admin_orgs, gr->org) || up_in(ix, g, &u->leads, 0))
        return 1;
    return op == AUTHZ_READ && up_in(ix, g, &u->member_of, 0);
}

static int individual_check(struct access_index *ix, uint32_t uid, const struct ix_user *u,
                            uint32_t i, enum authz_op op)
{
    const struct ix_ind *in = IND(ix, i);
    if (!in->present)
        return 0;
    if (in->user == uid || ix_vec_has(&u->admin_orgs, in->owner))
        return 1;
    for (uint32_t k = 0; k < in->groups.n; k++)
        if (up_in(ix, in->groups.v[k], &u->leads, 0) ||
            up_in(ix, in->groups.v[k], &u->member_of, op == AUTHZ_WRITE))
            return 1;
    return 0;
}

/* ---- sets ---- */

/* marks g and every group below it in mark (groups) */
static void mark_below(struct access_index *ix, uint32_t g, uint8_t *mark, uint8_t bit,
                       struct vec *stack)
{
    stack->n = 0;
    if (GROUP(ix, g)->present)
        ix_vec_push(stack, g);
    while (stack->n) {
        uint32_t x = stack->v[--stack->n];
        if (mark[x] & bit)
            continue;
        mark[x] |= bit;
        const struct ix_group *gr = GROUP(ix, x);
        for (uint32_t k = 0; k < gr->children.n; k++)
            ix_vec_push(stack, gr->children.v[k]);
    }
}

static void mark_above(struct access_index *ix, uint32_t g, uint8_t *mark)
{
    for (int steps = 0; g != NONE && steps < WALK_MAX && GROUP(ix, g)->present; steps++) {
        mark[g] = 1;
        g = GROUP(ix, g)->parent;
    }
}

/* Marks in mark (over the entities of type) what user u may do op on, by
 * a way other than platform admin. */
static void user_set(struct access_index *ix, uint32_t uid, enum authz_type type, enum authz_op op,
                     uint8_t *mark)
{
    const struct ix_user *u = USER(ix, uid);
    struct vec stack = {NULL, 0, 0};

    if (type == AUTHZ_ORGANIZATION) {
        const struct vec *v = op == AUTHZ_READ ? &u->orgs : &u->admin_orgs;
        for (uint32_t k = 0; k < v->n; k++)
            mark[v->v[k]] = 1;
    } else if (type == AUTHZ_GROUP && op == AUTHZ_CONTAIN) {
        for (uint32_t k = 0; k < u->leads.n; k++)
            mark_above(ix, u->leads.v[k], mark);
        for (uint32_t k = 0; k < u->member_of.n; k++)
            mark_above(ix, u->member_of.v[k], mark);
        for (uint32_t k = 0; k < u->own_inds.n; k++) {
            const struct ix_ind *in = IND(ix, u->own_inds.v[k]);
            for (uint32_t j = 0; in->present && j < in->groups.n; j++)
                mark_above(ix, in->groups.v[j], mark);
        }
    } else if (type == AUTHZ_GROUP) {
        for (uint32_t k = 0; k < u->admin_orgs.n; k++) {
            const struct vec *gs = &ORG(ix, u->admin_orgs.v[k])->groups;
            for (uint32_t j = 0; j < gs->n; j++)
                mark[gs->v[j]] = 1;
        }
        for (uint32_t k = 0; k < u->leads.n; k++)
            mark_below(ix, u->leads.v[k], mark, 1, &stack);
        for (uint32_t k = 0; op == AUTHZ_READ && k < u->member_of.n; k++)
            mark_below(ix, u->member_of.v[k], mark, 1, &stack);
    } else if (type == AUTHZ_INDIVIDUAL) {
        uint8_t *gmark = cm_xcalloc(ix->groups.n ? ix->groups.n : 1, 1);
        for (uint32_t k = 0; k < u->own_inds.n; k++)
            if (IND(ix, u->own_inds.v[k])->present)
                mark[u->own_inds.v[k]] = 1;
        for (uint32_t k = 0; k < u->admin_orgs.n; k++) {
            const struct vec *is = &ORG(ix, u->admin_orgs.v[k])->inds;
            for (uint32_t j = 0; j < is->n; j++)
                mark[is->v[j]] = 1;
        }
        for (uint32_t k = 0; k < u->leads.n; k++)
            mark_below(ix, u->leads.v[k], gmark, 1, &stack);
        for (uint32_t k = 0; k < u->member_of.n; k++)
            if (op == AUTHZ_READ || GROUP(ix, u->member_of.v[k])->mcw)
                mark_below(ix, u->member_of.v[k], gmark, 1, &stack);
        for (uint32_t g = 0; g < ix->groups.n; g++) {
            if (!gmark[g])
                continue;
            const struct vec *is = &GROUP(ix, g)->inds;
            for (uint32_t j = 0; j < is->n; j++)
                mark[is->v[j]] = 1;
        }
        free(gmark);
    }
    free(stack.v);
}

/* The entities of type there are, for the platform admin: present groups
 * and individuals, organizations with a member. */
static void all_set(struct access_index *ix, enum authz_type type, uint8_t *mark)
{
    if (type == AUTHZ_GROUP)
        for (uint32_t g = 0; g < ix->groups.n; g++)
            mark[g] = GROUP(ix, g)->present;
    else if (type == AUTHZ_INDIVIDUAL)
        for (uint32_t i = 0; i < ix->inds.n; i++)
            mark[i] = IND(ix, i)->present;
    else
        for (uint32_t o = 0; o < ix->orgs.n; o++)
            mark[o] = ORG(ix, o)->members.n > 0;
}

static struct kind *kind_of(struct access_index *ix, enum authz_type type)
{
    return type == AUTHZ_GROUP ? &ix->groups : type == AUTHZ_INDIVIDUAL ? &ix->inds : &ix->orgs;
}

/* 1 when the user may do op on at least one entity of type */
static int any_check(struct access_index *ix, uint32_t u, enum authz_type type, enum authz_op op)
{
    struct kind *k = kind_of(ix, type);
    uint8_t *mark = cm_xcalloc(k->n ? k->n : 1, 1);
    int any = 0;
    user_set(ix, u, type, op, mark);
    for (uint32_t e = 0; e < k->n && !any; e++)
        any = mark[e];
    free(mark);
    return any;
}

cm_err access_index_check(struct access_index *ix, const char *user_id,
                          const struct authz_query *qs, size_t n, int *out_allow)
{
    int padmin = 0, allow = 1;
    if (n > AUTHZ_MAX_QUERIES || (n && !qs))
        return CM_EINVAL;
    pthread_rwlock_rdlock(&ix->lock);
    uint32_t uid = active_user(ix, user_id, &padmin);
    if (uid == NONE || n == 0)
        allow = 0;
    for (size_t k = 0; k < n && allow && !padmin; k++) {
        const struct authz_query *q = &qs[k];
        const struct ix_user *u = USER(ix, uid);
        uint32_t e;
        if (q->type == AUTHZ_SYSTEM || q->type == AUTHZ_APP)
            allow = 0;
        else if (!q->id[0])
            allow = any_check(ix, uid, q->type, q->op);
        else if ((e = find_text(kind_of(ix, q->type), q->id)) == NONE)
            allow = 0;
        else if (q->type == AUTHZ_ORGANIZATION)
            allow = ix_vec_has(q->op == AUTHZ_READ ? &u->orgs : &u->admin_orgs, e);
        else if (q->type == AUTHZ_GROUP)
            allow = group_check(ix, u, e, q->op);
        else
            allow = individual_check(ix, uid, u, e, q->op);
    }
    pthread_rwlock_unlock(&ix->lock);
    *out_allow = allow;
    return CM_OK;
}

void access_index_user(struct access_index *ix, const char *user_id, struct access_user_rec *out)
{
    uint32_t u = NONE;
    memset(out, 0, sizeof *out);
    pthread_rwlock_rdlock(&ix->lock);
    u = find_text(&ix->users, user_id);
    if (u != NONE && USER(ix, u)->present) {
        out->known = 1;
        out->enabled = USER(ix, u)->enabled;
        out->platform_admin = USER(ix, u)->padmin;
    }
    pthread_rwlock_unlock(&ix->lock);
}

int access_index_is_member(struct access_index *ix, const char *user_id,
                           const char *organization_id)
{
    pthread_rwlock_rdlock(&ix->lock);
    uint32_t u = find_text(&ix->users, user_id), o = find_text(&ix->orgs, organization_id);
    int member = u != NONE && o != NONE && ix_vec_has(&USER(ix, u)->orgs, o);
    pthread_rwlock_unlock(&ix->lock);
    return member;
}

/* ---- pages ---- */

static int by_id(const void *x, const void *y, void *ids)
{
    const uint8_t(*id)[16] = ids;
    return memcmp(id[*(const uint32_t *)x], id[*(const uint32_t *)y], 16);
}

/* The marked entities of k (in id order): total and [offset, +limit) into
 * out. Called under the read lock. */
static void page_of(const struct kind *k, const uint8_t *mark, long limit, long offset,
                    struct access_page *out)
{
    uint32_t *at = cm_xmalloc((k->n ? k->n : 1) * sizeof *at), n = 0;
    for (uint32_t e = 0; e < k->n; e++)
        if (mark[e])
            at[n++] = e;
    qsort_r(at, n, sizeof *at, by_id, k->ids);
    out->total = n;
    out->n = 0;
    out->ids = NULL;
    if (offset < (long)n && limit > 0) {
        size_t m = (size_t)((long)n - offset < limit ? (long)n - offset : limit);
        out->ids = cm_xcalloc(m, sizeof *out->ids);
        for (size_t j = 0; j < m; j++)
            ix_uuid_text(k->ids[at[offset + (long)j]], out->ids[j]);
        out->n = m;
    }
    free(at);
}

cm_err access_index_entities(struct access_index *ix, const char *user_id, enum authz_type type,
                             const enum authz_op *ops, size_t nops, const char *organization_id,
                             long limit, long offset, struct access_page *out)
{
    int padmin = 0;
    if ((unsigned)type > AUTHZ_ORGANIZATION || nops == 0)
        return CM_EINVAL;
    for (size_t j = 0; j < nops; j++)
        if (ops[j] == AUTHZ_CONTAIN && type != AUTHZ_GROUP)
            return CM_EINVAL;
    pthread_rwlock_rdlock(&ix->lock);
    struct kind *k = kind_of(ix, type);
    uint8_t *mark = cm_xcalloc(k->n ? k->n : 1, 1), *one = cm_xcalloc(k->n ? k->n : 1, 1);
    uint32_t uid = active_user(ix, user_id, &padmin), org = NONE;
    if (uid != NONE && padmin) {
        all_set(ix, type, mark);
    } else if (uid != NONE) {
        memset(mark, 1, k->n);
        for (size_t j = 0; j < nops; j++) {
            memset(one, 0, k->n);
            user_set(ix, uid, type, ops[j], one);
            for (uint32_t e = 0; e < k->n; e++)
                mark[e] &= one[e];
        }
    }
    if (organization_id) {
        org = find_text(&ix->orgs, organization_id);
        for (uint32_t e = 0; e < k->n; e++)
            if (mark[e])
                mark[e] = org != NONE && (type == AUTHZ_GROUP        ? GROUP(ix, e)->org == org
                                          : type == AUTHZ_INDIVIDUAL ? IND(ix, e)->owner == org
                                                                     : e == org);
    }
    page_of(k, mark, limit, offset, out);
    pthread_rwlock_unlock(&ix->lock);
    free(mark);
    free(one);
    return CM_OK;
}

/* marks in mark (users) who may do op on individual i by rule */
static void individual_accessors(struct access_index *ix, uint32_t i, enum authz_op op,
                                 uint8_t *mark)
{
    const struct ix_ind *in = IND(ix, i);
    if (!in->present)
        return;
    if (in->user != NONE)
        mark[in->user] = 1;
    const struct vec *ad = &ORG(ix, in->owner)->admins;
    for (uint32_t k = 0; k < ad->n; k++)
        mark[ad->v[k]] = 1;
    for (uint32_t k = 0; k < in->groups.n; k++) {
        uint32_t g = in->groups.v[k];
        for (int steps = 0; g != NONE && steps < WALK_MAX && GROUP(ix, g)->present; steps++) {
            const struct ix_group *gr = GROUP(ix, g);
            for (uint32_t j = 0; j < gr->leaders.n; j++)
                mark[gr->leaders.v[j]] = 1;
            for (uint32_t j = 0; (op == AUTHZ_READ || gr->mcw) && j < gr->members.n; j++)
                mark[gr->members.v[j]] = 1;
            g = gr->parent;
        }
    }
}

cm_err access_index_accessors(struct access_index *ix, enum authz_type type, enum authz_op op,
                              const char *const *ids, size_t n, const char *organization_id,
                              long limit, long offset, struct access_page *out)
{
    if ((type != AUTHZ_INDIVIDUAL && type != AUTHZ_ORGANIZATION) ||
        (op != AUTHZ_READ && op != AUTHZ_WRITE))
        return CM_EINVAL;
    pthread_rwlock_rdlock(&ix->lock);
    uint8_t *mark = cm_xcalloc(ix->users.n ? ix->users.n : 1, 1);
    uint32_t org = organization_id ? find_text(&ix->orgs, organization_id) : NONE;
    for (size_t r = 0; r < n; r++) {
        uint32_t e = find_text(kind_of(ix, type), ids[r]);
        if (e == NONE)
            continue;
        if (type == AUTHZ_INDIVIDUAL) {
            individual_accessors(ix, e, op, mark);
        } else {
            const struct vec *v = op == AUTHZ_READ ? &ORG(ix, e)->members : &ORG(ix, e)->admins;
            for (uint32_t k = 0; k < v->n; k++)
                mark[v->v[k]] = 1;
        }
    }
    for (uint32_t u = 0; u < ix->users.n; u++) {
        const struct ix_user *us = USER(ix, u);
        mark[u] = (mark[u] || us->padmin) && us->present && us->enabled &&
                  (!organization_id || (org != NONE && ix_vec_has(&us->orgs, org)));
    }
    page_of(&ix->users, mark, limit, offset, out);
    pthread_rwlock_unlock(&ix->lock);
    free(mark);
    return CM_OK;
}
