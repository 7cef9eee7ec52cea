/* store_anon.c: anonymous accesses (store_anon.h). */
#include <stdio.h>

#include "cm_pg.h"
#include "store_anon.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define COLUMNS                                                                                    \
    "id, user_id, allowed_endpoints::text AS endpoints, " TS("expired_at") " AS expired_at, "     \
    TS("created_at") " AS created_at, " TS("last_modified_at") " AS last_modified_at, "           \
    "expired_at <= now() AS expired"

static cm_err one(PGconn *pg, const char *sql, int n, const char *const *p, struct anon_rec *r)
{
    PGresult *res;
    cm_err err = cm_pg_one_row(cm_pg_query(pg, sql, n, p, &res), &res);
    if (err != CM_OK)
        return err;
    cm_pg_copy(res, 0, "id", r->id, sizeof r->id);
    cm_pg_copy(res, 0, "user_id", r->user_id, sizeof r->user_id);
    cm_pg_copy(res, 0, "endpoints", r->endpoints, sizeof r->endpoints);
    cm_pg_copy(res, 0, "expired_at", r->expired_at, sizeof r->expired_at);
    cm_pg_copy(res, 0, "created_at", r->created_at, sizeof r->created_at);
    cm_pg_copy(res, 0, "last_modified_at", r->last_modified_at, sizeof r->last_modified_at);
    r->expired = cm_pg_bool(res, 0, "expired");
    PQclear(res);
    return CM_OK;
}

cm_err store_anon_create(PGconn *pg, const char *user_id, const char *endpoints,
                         const char *expired_at, struct anon_rec *rec)
{
    const char *p[3] = {user_id, endpoints, expired_at};
    cm_err err = one(pg,
                     "INSERT INTO anonymous_accesses (user_id, allowed_endpoints, expired_at) "
                     "SELECT $1::uuid, $2::jsonb, $3::timestamptz WHERE $3::timestamptz > now() "
                     "RETURNING " COLUMNS,
                     3, p, rec);
    return err == CM_ENOTFOUND ? CM_EINVAL : err;
}

cm_err store_anon_get(PGconn *pg, const char *id, struct anon_rec *rec)
{
    const char *p[1] = {id};
    return one(pg, "SELECT " COLUMNS " FROM anonymous_accesses WHERE id = $1::uuid", 1, p, rec);
}

cm_err store_anon_update(PGconn *pg, const char *id, const char *endpoints,
                         const char *expired_at, struct anon_rec *rec)
{
    const char *p[3] = {id, endpoints, expired_at};
    return one(pg,
               "UPDATE anonymous_accesses SET allowed_endpoints = coalesce($2::jsonb, "
               "allowed_endpoints), expired_at = coalesce($3::timestamptz, expired_at), "
               "last_modified_at = now() WHERE id = $1::uuid RETURNING " COLUMNS,
               3, p, rec);
}
