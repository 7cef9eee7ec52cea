/* store_anon.h: anonymous accesses (migrations/004_anonymous_accesses.sql).
 * The only SQL of #2-#5. */
#ifndef PRIVACY_STORE_ANON_H
#define PRIVACY_STORE_ANON_H

#include <libpq-fe.h>

#include "cm_err.h"

struct anon_rec {
    char id[40];
    char user_id[40];
    char endpoints[12288]; /* the allow-list as JSON text */
    char expired_at[40];
    char created_at[40];
    char last_modified_at[40];
    int expired; /* expired_at has passed */
};

/* A new access of user_id into rec. CM_EINVAL when expired_at is not a
 * time or not in the future. */
cm_err store_anon_create(PGconn *pg, const char *user_id, const char *endpoints,
                         const char *expired_at, struct anon_rec *rec);

/* Access id into rec; CM_ENOTFOUND when none. */
cm_err store_anon_get(PGconn *pg, const char *id, struct anon_rec *rec);

/* Changes the allow-list and/or expired_at (NULL: unchanged; expired_at
 * may be in the past: that ends the access). CM_EINVAL for a bad time. */
cm_err store_anon_update(PGconn *pg, const char *id, const char *endpoints,
                         const char *expired_at, struct anon_rec *rec);

#endif
