/* store_privacy.c: the SQL behind privacy_rpc.c (see store_privacy.h). */
#include <stdio.h>
#include <stdlib.h>

#include "cm_alloc.h"
#include "cm_pg.h"
#include "cm_purge.h"
#include "store_privacy.h"

/* Copies the rows of res (columns id, organization_id, number, name) into a
 * new array; clears res. */
static cm_err groups_of(PGresult *res, struct privacy_group_rec **out, size_t *n)
{
    long rows = PQntuples(res);
    struct privacy_group_rec *recs = cm_xcalloc(rows ? (size_t)rows : 1, sizeof *recs);

    for (long i = 0; i < rows; i++) {
        cm_pg_copy(res, (int)i, "id", recs[i].group_id, sizeof recs[i].group_id);
        cm_pg_copy(res, (int)i, "organization_id", recs[i].organization_id,
                   sizeof recs[i].organization_id);
        recs[i].number = strtoll(cm_pg_col(res, (int)i, "number"), NULL, 10);
        cm_pg_copy(res, (int)i, "name", recs[i].name, sizeof recs[i].name);
    }
    PQclear(res);
    *out = recs;
    *n = (size_t)rows;
    return CM_OK;
}

cm_err store_privacy_groups(PGconn *pg, const char *organization_id, long long number,
                            struct privacy_group_rec **out, size_t *n)
{
    char num[32];
    const char *p[2] = {organization_id, num};
    PGresult *res;
    cm_err err;

    snprintf(num, sizeof num, "%lld", number);
    err = cm_pg_query(pg,
                      "SELECT id, organization_id, number, name FROM groups "
                      "WHERE organization_id = $1::uuid AND ($2::bigint = 0 OR number = $2::bigint) "
                      "ORDER BY number LIMIT 1000",
                      2, p, &res);
    if (err != CM_OK)
        return err;
    if (number > 0 && PQntuples(res) == 0) {
        PQclear(res);
        return CM_ENOTFOUND;
    }
    return groups_of(res, out, n);
}

cm_err store_privacy_participant(PGconn *pg, const char *organization_id,
                                 const char *external_id, char *user_id)
{
    const char *p[2] = {organization_id, external_id};
    PGresult *res;
    cm_err err = cm_pg_one_row(
        cm_pg_query(pg,
                    "SELECT id::text AS user_id FROM ("
                    " SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id "
                    "  AND m.organization_id = $1::uuid "
                    "  WHERE u.id::text = lower($2) OR u.username = lower($2) "
                    " UNION SELECT i.user_id FROM individuals i "
                    "  WHERE i.owner_id = $1::uuid AND i.id::text = lower($2) "
                    "  AND i.user_id IS NOT NULL) x LIMIT 1",
                    2, p, &res),
        &res);
    if (err != CM_OK)
        return err;
    cm_pg_copy(res, 0, "user_id", user_id, 40);
    PQclear(res);
    return CM_OK;
}

cm_err store_privacy_user_groups(PGconn *pg, const char *user_id,
                                 struct privacy_group_rec **out, size_t *n)
{
    const char *p[1] = {user_id};
    PGresult *res;
    cm_err err = cm_pg_query(pg,
                             "SELECT DISTINCT g.id, g.organization_id, g.number, g.name "
                             "FROM individuals i "
                             "JOIN group_individuals gi ON gi.individual_id = i.id "
                             "JOIN group_tree t ON t.descendant_id = gi.group_id "
                             "JOIN groups g ON g.id = t.ancestor_id "
                             "WHERE i.user_id = $1::uuid ORDER BY g.number LIMIT 1000",
                             1, p, &res);
    if (err != CM_OK)
        return err;
    return groups_of(res, out, n);
}

cm_err store_privacy_individuals(PGconn *pg, char *const *ids, size_t n,
                                 struct privacy_individual_rec **out, size_t *n_out)
{
    char *arr = cm_purge_text_array(ids, n);
    const char *p[1] = {arr};
    struct privacy_individual_rec *recs;
    PGresult *res;
    cm_err err = cm_pg_query(pg,
                             "SELECT i.id, i.owner_id, coalesce(i.user_id::text, '') AS user_id, "
                             "i.first_name, i.last_name, i.email, i.phone, "
                             "coalesce(i.birth_date::text, '') AS birth_date, "
                             "coalesce((SELECT string_agg(gi.group_id::text, ',' ORDER BY "
                             "gi.group_id) FROM group_individuals gi WHERE gi.individual_id = "
                             "i.id), '') AS group_ids FROM individuals i "
                             "WHERE i.id = ANY($1::uuid[]) ORDER BY i.id",
                             1, p, &res);
    free(arr);
    if (err != CM_OK)
        return err;
    recs = cm_xcalloc(PQntuples(res) ? (size_t)PQntuples(res) : 1, sizeof *recs);
    for (int i = 0; i < PQntuples(res); i++) {
        struct privacy_individual_rec *r = &recs[i];
        cm_pg_copy(res, i, "id", r->id, sizeof r->id);
        cm_pg_copy(res, i, "owner_id", r->owner_id, sizeof r->owner_id);
        cm_pg_copy(res, i, "user_id", r->user_id, sizeof r->user_id);
        cm_pg_copy(res, i, "first_name", r->first_name, sizeof r->first_name);
        cm_pg_copy(res, i, "last_name", r->last_name, sizeof r->last_name);
        cm_pg_copy(res, i, "email", r->email, sizeof r->email);
        cm_pg_copy(res, i, "phone", r->phone, sizeof r->phone);
        cm_pg_copy(res, i, "birth_date", r->birth_date, sizeof r->birth_date);
        cm_pg_copy(res, i, "group_ids", r->group_ids, sizeof r->group_ids);
    }
    *n_out = (size_t)PQntuples(res);
    *out = recs;
    PQclear(res);
    return CM_OK;
}
