/* store_agreements.c: SQL of the service-document check (store_agreements.h). */
#include "store_agreements.h"

#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"

cm_err store_user_org_ids(PGconn *pg, const char *user_id, char **out_json)
{
    const char *v[] = {user_id};
    PGresult *res = NULL;
    cm_err err = cm_pg_one_row(
        cm_pg_query(pg,
                    "SELECT coalesce(json_agg(organization_id::text), '[]')::text AS ids "
                    "FROM user_organizations WHERE user_id = $1::uuid",
                    1, v, &res),
        &res);

    if (err != CM_OK)
        return err;
    *out_json = cm_xstrdup(cm_pg_col(res, 0, "ids"));
    PQclear(res);
    return CM_OK;
}
