/* store_replication.c: SQL of replicators and user_replications
 * (store_replication.h). */
#include "store_replication.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"
#include "cm_pg_select.h"

#include "store.h"

#define F(col, field)                                                                              \
    {                                                                                              \
        col, CM_PG_STR, offsetof(struct replicator_rec, field)                                     \
    }
static const struct cm_pg_field replicator_fields[] = {
    F("id", id),
    F("name", name),
    F("classpath", classpath),
    F("created_time", created_time),
    F("last_poll_time", last_poll_time),
};
#undef F

#define F(col, field)                                                                              \
    {                                                                                              \
        col, CM_PG_STR, offsetof(struct replication_rec, field)                                    \
    }
static const struct cm_pg_field replication_fields[] = {
    F("id", id),
    F("user_id", user_id),
    F("service", service),
    F("created_time", created_time),
    {"created", CM_PG_BOOL, offsetof(struct replication_rec, created)},
};
#undef F

#define REPLICATOR_COLUMNS                                                                         \
    "r.id::text AS id, r.name, r.classpath, " STORE_TS(                                            \
        "r.created_time") " AS created_time, "                                                     \
                          "CASE WHEN r.last_poll_time IS NULL THEN NULL ELSE " STORE_TS(           \
                              "r.last_poll_time") " END AS last_poll_time"

#define REPLICATION_COLUMNS                                                                        \
    "x.id::text AS id, x.user_id::text AS user_id, x.service, " STORE_TS(                          \
        "x.created_time") " AS created_time"

void store_replicator_list_free(struct replicator_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

void store_replication_list_free(struct replication_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

cm_err store_replicators_list(PGconn *pg, struct replicator_list *out)
{
    return CM_PG_SELECT(pg, "SELECT " REPLICATOR_COLUMNS " FROM replicators r ORDER BY r.name", 0,
                        NULL, replicator_fields, out);
}

cm_err store_replicator_get(PGconn *pg, const char *id, struct replicator_list *out)
{
    const char *v[1] = {id};
    cm_err err =
        CM_PG_SELECT(pg, "SELECT " REPLICATOR_COLUMNS " FROM replicators r WHERE r.id = $1", 1, v,
                     replicator_fields, out);

    if (err == CM_OK && out->n == 0) {
        store_replicator_list_free(out);
        err = CM_ENOTFOUND;
    }
    return err;
}

cm_err store_replications_list(PGconn *pg, const char *user, long limit, long offset,
                               struct replication_list *out)
{
    char lim[24], off[24];
    const char *v[3] = {user, limit > 0 ? lim : NULL, off};

    snprintf(lim, sizeof lim, "%ld", limit);
    snprintf(off, sizeof off, "%ld", offset);
    return CM_PG_SELECT(
        pg,
        "SELECT " REPLICATION_COLUMNS " FROM user_replications x "
        "WHERE x.user_id = $1 ORDER BY x.service LIMIT $2::bigint OFFSET $3::bigint",
        3, v, replication_fields, out);
}

cm_err store_replication_add(PGconn *pg, const char *user, const char *service,
                             struct replication_list *out, int *created)
{
    const char *v[2] = {user, service};
    cm_err err = CM_PG_SELECT(pg,
                              "WITH p AS (UPDATE replicators SET last_poll_time = now() "
                              "WHERE name = $2 RETURNING name), "
                              "ins AS (INSERT INTO user_replications (user_id, service) "
                              "SELECT u.id, p.name FROM users u, p WHERE u.id = $1 "
                              "ON CONFLICT (user_id, service) DO NOTHING RETURNING *) "
                              "SELECT " REPLICATION_COLUMNS ", true AS created FROM ins x "
                              "UNION ALL SELECT " REPLICATION_COLUMNS ", false FROM "
                              "user_replications x WHERE x.user_id = $1 AND x.service = $2 "
                              "AND NOT EXISTS (SELECT 1 FROM ins)",
                              2, v, replication_fields, out);

    if (err == CM_OK && out->n == 0) {
        store_replication_list_free(out);
        return CM_ENOTFOUND;
    }
    if (err == CM_OK)
        *created = out->items[0].created;
    return err;
}

cm_err store_replication_fan_out(PGconn *pg, const char *user)
{
    const char *v[1] = {user};

    return cm_pg_command(pg,
                         "INSERT INTO user_replications (user_id, service) SELECT $1::uuid, name "
                         "FROM replicators WHERE feeds_on_create ON CONFLICT DO NOTHING",
                         1, v, NULL);
}
