/* store_groups_individuals.c: the individuals resource's rows (#51, #52):
 * an individual id registered under its owner organization
 * (store_groups.h). */
#include "store_groups.h"

#define INDIVIDUAL_COLUMNS "id, owner_id, user_id"

cm_err gs_individual_create(PGconn *pg, const char *id, const char *owner, const char *user_id,
                            const char *by, PGresult **out)
{
    const char *values[4] = {id, owner, gs_opt(user_id), gs_opt(by)};
    return gs_query(pg,
                    "INSERT INTO individuals (id, owner_id, user_id, created_by) "
                    "VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid) RETURNING " INDIVIDUAL_COLUMNS,
                    4, values, out);
}

cm_err gs_individual_get(PGconn *pg, const char *id, PGresult **out)
{
    const char *values[1] = {id};
    PGresult *res;
    cm_err err = gs_query(pg, "SELECT " INDIVIDUAL_COLUMNS " FROM individuals WHERE id = $1::uuid",
                          1, values, &res);

    if (err != CM_OK)
        return err;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return CM_ENOTFOUND;
    }
    *out = res;
    return CM_OK;
}
