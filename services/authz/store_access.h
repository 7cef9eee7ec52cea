/* store_access.h: authz's SQL for access questions: decisions (one query
 * for one user, for the groups operations), the individuals #11 pages
 * through and who owns them (the checks, #10 and #13 are answered
 * from the in-memory index, access_index.h). Every answer comes from the one definition
 * of each rule in store_access_rules.h. Nothing here knows about NATS or
 * HTTP; results are records, never a PGresult. */
#ifndef AUTHZ_STORE_ACCESS_H
#define AUTHZ_STORE_ACCESS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"
#include "cm_jsonapi.h"
#include "engine.h"

/* The projected user (authz's copy of identity), as the access index
 * knows it (access_index_user). */
struct access_user_rec {
    int known; /* 0: authz has no such user (then the rest are 0) */
    int enabled;
    int platform_admin;
};

/* *out_all 1 when every individual of ids_pg (a Postgres array text of
 * uuids) exists and is owned by organization_id. */
cm_err store_access_all_owned_by(PGconn *pg, const char *ids_pg, const char *organization_id,
                                 int *out_all);

/* Decides one parsed query for user_id (a uuid): *out_allow 1 or 0 on CM_OK.
 * An unknown or disabled user is allowed nothing; the platform admin
 * everything. CM_EINVAL for a pair the parser never yields. One statement. */
cm_err store_access_allowed(PGconn *pg, const char *user_id, const struct authz_query *q,
                            int *out_allow);

/* For each of the n uuids ids[i] (entities of type), out_allow[i] = whether
 * user_id may do op on it, as store_access_allowed would say, in one
 * statement. n <= 1000. */
cm_err store_access_filter(PGconn *pg, const char *user_id, enum authz_type type, enum authz_op op,
                           const char *const *ids, size_t n, int *out_allow);

/* One page of a set: total size and the ids of [offset, offset + limit) in
 * id order. Release with access_page_release. */
struct access_page {
    long total;
    size_t n;
    char (*ids)[CM_UUID_LEN + 1]; /* n of them; NULL when n is 0 */
};

/* Frees page's ids; a zeroed page is a no-op. */
void access_page_release(struct access_page *page);

/* Reads a Postgres array text of uuids ("{a,b}") into out->ids / out->n
 * (pure). CM_EINVAL for anything else (nothing kept). */
cm_err store_access_ids_parse(const char *pg_array, struct access_page *out);

/* The filters of #11 (NULL = not given; bools as "true"/"false"; owners as
 * a Postgres array text of uuids). */
struct individual_filters {
    const char *account_type, *birth_date, *email_verified, *email, *exclude_owner_ids;
    const char *first_name, *group_id, *leader_id, *last_name, *organization_id;
    const char *phone_verified, *phone, *registered;
};

/* Ids of the individuals user_id may read (op AUTHZ_READ) or write that
 * match every filter given. */
cm_err access_individuals_page(PGconn *pg, const char *user_id, int platform_admin,
                               enum authz_op op, const struct individual_filters *f, long limit,
                               long offset, struct access_page *out);

#endif
