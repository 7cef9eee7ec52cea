/* store_groups_individuals.c: the individuals resource's rows (#51, #52):
 * an individual id registered under its owner organization
 * (store_groups.h). */
#include "store_groups_rows.h"

#define INDIVIDUAL_COLUMNS "id, owner_id, user_id"

cm_err gs_individual_create(PGconn *pg, const char *id, const char *owner, const char *user_id,
                            const char *by, struct individual_list *out)
{
    const char *values[4] = {id, owner, cm_pg_opt(user_id), cm_pg_opt(by)};
    return CM_PG_SELECT(
        pg,
        "INSERT INTO individuals (id, owner_id, user_id, created_by) "
        "VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid) RETURNING " INDIVIDUAL_COLUMNS,
        4, values, individual_fields, out);
}

cm_err gs_individual_get(PGconn *pg, const char *id, struct individual_list *out)
{
    const char *values[1] = {id};
    struct individual_list l = {0, NULL, NULL};
    cm_err err = CM_PG_SELECT(pg, "SELECT " INDIVIDUAL_COLUMNS " FROM individuals WHERE id = $1::uuid",
                           1, values, individual_fields, &l);

    if (err == CM_OK && l.n != 1) {
        GS_LIST_RELEASE(&l);
        err = CM_ENOTFOUND;
    }
    if (err == CM_OK)
        *out = l;
    return err;
}
