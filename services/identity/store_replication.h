/* store_replication.h: identity's SQL for replicators and
 * user_replications (which services hold a copy of which user). */
#ifndef IDENTITY_STORE_REPLICATION_H
#define IDENTITY_STORE_REPLICATION_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

/* One replicator ("" for SQL NULL). */
struct replicator_rec {
    const char *id;
    const char *name;
    const char *classpath;
    const char *created_time;
    const char *last_poll_time;
};

struct replicator_list {
    size_t n;
    struct replicator_rec *items;
    char *mem;
};

void store_replicator_list_free(struct replicator_list *l);

/* Every replicator, by name. */
cm_err store_replicators_list(PGconn *pg, struct replicator_list *out);

/* Replicator id (a uuid); CM_ENOTFOUND. */
cm_err store_replicator_get(PGconn *pg, const char *id, struct replicator_list *out);

/* One user replication. */
struct replication_rec {
    const char *id;
    const char *user_id;
    const char *service;
    const char *created_time;
    int created; /* store_replication_add: made by this call */
};

struct replication_list {
    size_t n;
    struct replication_rec *items;
    char *mem;
};

void store_replication_list_free(struct replication_list *l);

/* The replications of user, by service, one page (limit <= 0: all). */
cm_err store_replications_list(PGconn *pg, const char *user, long limit, long offset,
                               struct replication_list *out);

/* Records that service holds user (idempotent; its last_poll_time is now):
 * the row to *out, *created whether it is new. CM_ENOTFOUND when service is
 * not a replicator or user does not exist. */
cm_err store_replication_add(PGconn *pg, const char *user, const char *service,
                             struct replication_list *out, int *created);

/* Rows for user of every replicator fed by identity's user events; call in
 * the transaction of the user's "created" event. */
cm_err store_replication_fan_out(PGconn *pg, const char *user);

#endif
