/* store_aggregation.c: aggregation requests (store_aggregation.h). */
#include <stdio.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"
#include "store_aggregation.h"

cm_err store_aggregation_create(PGconn *pg, const char *created_by, const char *entries,
                                const char *result, char *id)
{
    const char *p[3] = {created_by, entries, result};
    PGresult *res;
    cm_err err = cm_pg_one_row(cm_pg_query(pg,
                                           "INSERT INTO aggregation_requests (created_by, "
                                           "entries, result) VALUES ($1::uuid, $2::jsonb, "
                                           "$3::jsonb) RETURNING id::text",
                                           3, p, &res),
                               &res);
    if (err != CM_OK)
        return err;
    snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return CM_OK;
}

cm_err store_aggregation_get(PGconn *pg, const char *id, const char *created_by, char **entries,
                             char **result, char *created)
{
    const char *p[2] = {id, created_by};
    PGresult *res;
    cm_err err = cm_pg_one_row(
        cm_pg_query(pg,
                    "SELECT entries::text AS entries, result::text AS result, "
                    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
                    "AS created FROM aggregation_requests WHERE id = $1::uuid AND "
                    "created_by = $2::uuid",
                    2, p, &res),
        &res);
    if (err != CM_OK)
        return err;
    *entries = cm_xmalloc(strlen(cm_pg_col(res, 0, "entries")) + 1);
    strcpy(*entries, cm_pg_col(res, 0, "entries"));
    *result = cm_xmalloc(strlen(cm_pg_col(res, 0, "result")) + 1);
    strcpy(*result, cm_pg_col(res, 0, "result"));
    cm_pg_copy(res, 0, "created", created, 40);
    PQclear(res);
    return CM_OK;
}
