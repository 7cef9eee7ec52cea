/* access_index_int.h: the layout of the access index (access_index.h),
 * shared by its files only: access_index.c (tables and changes),
 * access_index_rules.c (the rules over them). */
#ifndef AUTHZ_ACCESS_INDEX_INT_H
#define AUTHZ_ACCESS_INDEX_INT_H

#include <pthread.h>
#include <stdint.h>

#include "cm_jsonapi.h"

#define NONE UINT32_MAX

struct vec {
    uint32_t *v;
    uint32_t n, cap;
};

struct slot { /* hash slot: key and 1 + the entity's number (0: empty) */
    uint8_t key[16];
    uint32_t at;
};

struct map {
    struct slot *slots;
    uint32_t cap, n; /* cap a power of two */
};

struct ix_user {
    uint8_t present, enabled, padmin;
    struct vec orgs, admin_orgs, leads, member_of, own_inds;
};
struct ix_org {
    struct vec members, admins, groups, inds;
};
struct ix_group {
    uint8_t present, mcw;
    uint32_t org, parent;
    struct vec leaders, members, inds, children;
};
struct ix_ind {
    uint8_t present;
    uint32_t owner, user;
    struct vec groups;
};

/* one kind of entity: ids (16 bytes each), records, the hash */
struct kind {
    uint8_t (*ids)[16];
    void *recs;
    size_t rec_size;
    uint32_t n, cap;
    struct map map;
};

struct access_index {
    pthread_rwlock_t lock;
    struct kind users, orgs, groups, inds;
    size_t links[5]; /* group_individuals, leaders, members, memberships, admin roles */
};

#define USER(ix, k) (&((struct ix_user *)(ix)->users.recs)[k])
#define ORG(ix, k) (&((struct ix_org *)(ix)->orgs.recs)[k])
#define GROUP(ix, k) (&((struct ix_group *)(ix)->groups.recs)[k])
#define IND(ix, k) (&((struct ix_ind *)(ix)->inds.recs)[k])

/* 16 bytes of a uuid text; 0 when malformed */
int ix_uuid_parse(const char *s, uint8_t out[16]);
void ix_uuid_text(const uint8_t id[16], char out[CM_UUID_LEN + 1]);
int ix_vec_has(const struct vec *v, uint32_t x);
void ix_vec_push(struct vec *v, uint32_t x);
/* the entity of key, NONE when there is none */
uint32_t ix_find(const struct kind *k, const uint8_t key[16]);

#endif
