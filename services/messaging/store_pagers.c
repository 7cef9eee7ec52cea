/* store_pagers.c: pager numbers and services to users, read from the
 * clinical people tables (store_pagers.h). */
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
                             /* a person's number first: it wins over a service's */
                             "SELECT false AS service, user_id::text AS user_id "
                             "FROM clinical_users WHERE org_id = $1::uuid AND pager_number = $2 "
                             "UNION ALL "
                             "SELECT true, COALESCE(us.user_id::text, '') "
                             "FROM clinical_service_pagers p LEFT JOIN clinical_user_services us "
                             "ON us.org_id = p.org_id AND us.service = p.service "
                             "WHERE p.org_id = $1::uuid AND p.pager_number = $2 "
                             "ORDER BY 1, 2 LIMIT 201",
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
        if (cm_pg_bool(res, i, "service") == out->service && cm_pg_col(res, i, "user_id")[0])
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
                             "SELECT user_id::text AS user_id FROM clinical_user_services "
                             "WHERE org_id = $1::uuid AND service = $2 "
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
