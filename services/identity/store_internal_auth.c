/* store_internal_auth.c: SQL of service-account users
 * (store_internal_auth.h). */
#include "store_internal_auth.h"

#include "cm_pg.h"

cm_err store_service_user(PGconn *pg, const char *username, char *id, int *created, int *enabled)
{
    const char *v[1] = {username};
    PGresult *res;
    cm_err err = cm_pg_one_row(
        cm_pg_query(pg,
                    "WITH ins AS (INSERT INTO users (username, classification, registered) "
                    "VALUES ($1, 'service', true) ON CONFLICT (username) DO NOTHING "
                    "RETURNING id, enabled) "
                    "SELECT id::text AS id, enabled, true AS created FROM ins UNION ALL "
                    "SELECT id::text, enabled, false FROM users WHERE username = $1 "
                    "AND NOT EXISTS (SELECT 1 FROM ins)",
                    1, v, &res),
        &res);

    if (err != CM_OK)
        return err == CM_ENOTFOUND ? CM_ECONFLICT : err; /* raced with a removal */
    cm_pg_copy(res, 0, "id", id, 40);
    *created = cm_pg_bool(res, 0, "created");
    *enabled = cm_pg_bool(res, 0, "enabled");
    PQclear(res);
    return CM_OK;
}
