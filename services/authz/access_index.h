/* access_index.h: authz's in-memory access index: the part of its tables
 * that the access rules read (users' enabled and platform-admin flags,
 * memberships, admin roles, individuals with owner and own user, the group
 * trees with members-can-write, group individuals, leaders and members),
 * held by every authz copy and answering checks, accessible-resource and
 * accessor lists without a statement. Postgres stays the durable copy:
 * access_index_sync.h builds the index from it and applies its change log.
 *
 * The rules are engine.h's, evaluated over the index exactly as the SQL of
 * store_access_rules.h states them (the property test compares the two).
 * Thread-safe: readers share a read lock; changes take the write lock. */
#ifndef AUTHZ_ACCESS_INDEX_H
#define AUTHZ_ACCESS_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"
#include "engine.h"
#include "store_access.h"

struct access_index;

/* One change of the log (index_log of 002_access_index.sql), or one row of
 * the snapshot: tbl is "u", "m", "r", "i", "g", "gi", "gl" or "gm"; a, b, c
 * uuids as text (b, c NULL when absent). */
struct access_change {
    const char *tbl;
    int put; /* 1: the row exists (new or new version); 0: removed */
    const char *a, *b, *c;
    int f1, f2;
};

struct access_index_stats {
    size_t users, organizations, groups, individuals;
    size_t group_individuals, leaders, members, memberships;
    size_t bytes; /* memory the index holds */
};

struct access_index *access_index_new(void);
void access_index_free(struct access_index *ix);

/* Changes: the caller brackets a run of access_index_apply calls with
 * access_index_write_begin / _end (the write lock). CM_EINVAL for a change
 * that is malformed (unknown tbl, bad uuid); nothing is changed then. */
void access_index_write_begin(struct access_index *ix);
cm_err access_index_apply(struct access_index *ix, const struct access_change *c);
void access_index_write_end(struct access_index *ix);

/* Empties the index (under the write lock), for a rebuild. */
void access_index_clear(struct access_index *ix);

/* Decides whether user_id may do every one of the n queries (engine.h's
 * rules; an unknown or disabled user may do nothing, the platform admin
 * everything). *out_allow 1 or 0 on CM_OK; CM_EINVAL for n too large. */
cm_err access_index_check(struct access_index *ix, const char *user_id,
                          const struct authz_query *qs, size_t n, int *out_allow);

/* The projected user as access_index knows it (store_access_user's
 * record). */
void access_index_user(struct access_index *ix, const char *user_id, struct access_user_rec *out);

/* 1 when memberships holds (user_id, organization_id), whatever the user's
 * state (the answer access_may_ask needs). */
int access_index_is_member(struct access_index *ix, const char *user_id,
                           const char *organization_id);

/* #10: the ids of the entities of type (group, individual, organization)
 * on which user_id may do every operation of ops (all of them for the
 * platform admin: every group, individual, or organization with a member),
 * owned by organization_id when not NULL; one page in id order and the
 * total, as access_entities_page. CM_EINVAL for a type that cannot be
 * listed. */
cm_err access_index_entities(struct access_index *ix, const char *user_id, enum authz_type type,
                             const enum authz_op *ops, size_t nops, const char *organization_id,
                             long limit, long offset, struct access_page *out);

/* #13: the enabled users who may do op on at least one of the n resources
 * ids of type (individual or organization), members of organization_id when
 * not NULL; one page in id order, as access_accessors_page. */
cm_err access_index_accessors(struct access_index *ix, enum authz_type type, enum authz_op op,
                              const char *const *ids, size_t n, const char *organization_id,
                              long limit, long offset, struct access_page *out);

void access_index_stats(struct access_index *ix, struct access_index_stats *out);

#endif
