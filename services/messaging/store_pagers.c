/* store_pagers.c: pager numbers to users (store_pagers.h). */
#include "store_pagers.h"

#include <stdio.h>
#include <string.h>

#include "cm_pg.h"

cm_err pager_directory_lookup(PGconn *pg, const char *org, const char *number,
                              struct pager_targets *out)
{
    const char *v[2] = {org, number};
    PGresult *res = NULL;
    int rows;
    cm_err err = cm_pg_query(pg,
                             "SELECT p.service IS NOT NULL AS service, "
                             "COALESCE(p.user_id, m.user_id, '') AS user_id "
                             "FROM clinical_pagers p LEFT JOIN clinical_service_members m "
                             "ON p.service IS NOT NULL AND m.organization_id = p.organization_id "
                             "AND m.service = p.service "
                             "WHERE p.organization_id = $1::uuid AND p.pager_number = $2 "
                             "ORDER BY 2 LIMIT 200",
                             2, v, &res);

    if (err != CM_OK)
        return err;
    rows = PQntuples(res);
    if (rows == 0) {
        PQclear(res);
        return CM_ENOTFOUND;
    }
    memset(out, 0, sizeof *out);
    out->service = cm_pg_bool(res, 0, "service");
    for (int i = 0; i < rows && out->n < PAGER_MAX_TARGETS; i++)
        if (cm_pg_col(res, i, "user_id")[0])
            cm_pg_copy(res, i, "user_id", out->user_ids[out->n++], sizeof out->user_ids[0]);
    PQclear(res);
    return CM_OK;
}

cm_err pager_directory_service(PGconn *pg, const char *org, const char *service,
                               struct pager_targets *out)
{
    const char *v[2] = {org, service};
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg,
                             "SELECT user_id FROM clinical_service_members "
                             "WHERE organization_id = $1::uuid AND service = $2 "
                             "ORDER BY user_id LIMIT 200",
                             2, v, &res);

    if (err != CM_OK)
        return err;
    memset(out, 0, sizeof *out);
    out->service = 1;
    for (int i = 0; i < PQntuples(res) && out->n < PAGER_MAX_TARGETS; i++)
        cm_pg_copy(res, i, "user_id", out->user_ids[out->n++], sizeof out->user_ids[0]);
    PQclear(res);
    return CM_OK;
}
