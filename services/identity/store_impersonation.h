/* store_impersonation.h: identity's SQL for impersonation requests
 * (impersonation_requests) and the user activities that record an
 * impersonation starting and ending. All parameterized; writes run inside
 * the caller's transaction. */
#ifndef IDENTITY_STORE_IMPERSONATION_H
#define IDENTITY_STORE_IMPERSONATION_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

/* One request ("" for SQL NULL, strings owned by the list). state is
 * "approved", "used", "ended" or "expired" (approved, unused past
 * expires_at). */
struct imp_rec {
    const char *id;
    const char *user_id;
    const char *user_email;
    const char *created_by;
    const char *organization_id;
    const char *state;
    const char *created_at;
    const char *expires_at;
    const char *session_id;
};

struct imp_list {
    size_t n;
    struct imp_rec *items;
    char *mem;
};

void store_imp_list_free(struct imp_list *l);

/* Who sees which requests: all, or those created by or aimed at self; and
 * the filters ("" when not given). */
struct imp_query {
    int all;
    char self[40];
    char created_by[40];
    char user_id[40];
    char user_email[1024];
};

/* The visible requests matching q, newest first (at most 1000). */
cm_err store_imps_list(PGconn *pg, const struct imp_query *q, struct imp_list *out);

/* Request id when visible under q's visibility; CM_ENOTFOUND else. With
 * lock, the row is locked FOR UPDATE (inside a transaction). */
cm_err store_imp_get(PGconn *pg, const char *id, const struct imp_query *q, int lock,
                     struct imp_list *out);

/* A new approved request of created_by for user, usable for ttl_s seconds,
 * its session to be in org ("" = the user's default); to *out. */
cm_err store_imp_create(PGconn *pg, const char *user, const char *created_by, const char *org,
                        int ttl_s, struct imp_list *out);

/* Marks request id used by session (state "used"). */
cm_err store_imp_used(PGconn *pg, const char *id, const char *session);

/* Marks request id ended; *ended 0 when it was not "used". */
cm_err store_imp_ended(PGconn *pg, const char *id, int *ended);

/* Records user activity type ("imps", "impe") of user in session by
 * impersonator. */
cm_err store_imp_activity(PGconn *pg, const char *user, const char *type, const char *impersonator,
                          const char *session);

#endif
