/* store_roles.c: SQL of roles and role_users (store_roles.h). */
#include "store_roles.h"

#include <stdio.h>

#include "store.h"

#define ROLE_COLUMNS                                                                               \
    "r.id::text AS id, r.name, r.display_name, r.organization_id::text AS organization_id, "     \
    "o.name AS organization_name, o.display_name AS organization_display_name, "                 \
    STORE_TS("now()") " AS occurred_at"

void store_role_row(const PGresult *res, int row, struct role_rec *out)
{
    out->id = cm_pg_col(res, row, "id");
    out->name = cm_pg_col(res, row, "name");
    out->display_name = cm_pg_col(res, row, "display_name");
    out->organization_id = cm_pg_col(res, row, "organization_id");
    out->organization_name = cm_pg_col(res, row, "organization_name");
    out->organization_display_name = cm_pg_col(res, row, "organization_display_name");
    out->occurred_at = cm_pg_col(res, row, "occurred_at");
}

cm_err store_roles_list(PGconn *pg, const struct org_scope *scope, const char *name,
                        const char *org, long limit, long offset, PGresult **out)
{
    char lim[24], off[24];
    const char *v[7];

    store_scope_params(scope, v);
    v[3] = cm_pg_opt(name);
    v[4] = cm_pg_opt(org);
    snprintf(lim, sizeof lim, "%ld", limit);
    snprintf(off, sizeof off, "%ld", offset);
    v[5] = lim;
    v[6] = off;
    return cm_pg_query(pg,
                       "SELECT " ROLE_COLUMNS " FROM roles r "
                       "JOIN organizations o ON o.id = r.organization_id WHERE "
                       STORE_ORG_VISIBLE("r.organization_id", "$1", "$2", "$3")
                       " AND ($4::text IS NULL OR r.name = $4)"
                       " AND ($5::uuid IS NULL OR r.organization_id = $5)"
                       " ORDER BY o.name, o.id, r.name LIMIT $6 OFFSET $7",
                       7, v, out);
}

cm_err store_role_get(PGconn *pg, const char *id, const struct org_scope *scope,
                      PGresult **out)
{
    const char *v[4];

    store_scope_params(scope, v);
    v[3] = id;
    return cm_pg_one_row(
        cm_pg_query(pg,
                    "SELECT " ROLE_COLUMNS " FROM roles r "
                    "JOIN organizations o ON o.id = r.organization_id "
                    "WHERE r.id = $4 AND " STORE_ORG_VISIBLE("r.organization_id", "$1", "$2", "$3"),
                    4, v, out),
        out);
}

cm_err store_roles_count_named(PGconn *pg, const char *org, const char *names_json, long *found)
{
    const char *v[2] = {org, names_json};
    PGresult *res;
    cm_err err = cm_pg_query(pg,
                             "SELECT count(DISTINCT name) AS n FROM roles WHERE organization_id = $1 "
                             "AND name IN (SELECT json_array_elements_text($2::json))",
                             2, v, &res);

    if (err != CM_OK)
        return err;
    sscanf(cm_pg_col(res, 0, "n"), "%ld", found);
    PQclear(res);
    return CM_OK;
}

cm_err store_role_user_add(PGconn *pg, const char *role, const char *user, int *added,
                           char *id_out)
{
    const char *v[2] = {role, user};
    PGresult *res;
    cm_err err = cm_pg_query(pg,
                             "WITH ins AS (INSERT INTO role_users (role_id, user_id) VALUES ($1, $2) "
                             "ON CONFLICT (role_id, user_id) DO NOTHING RETURNING id) "
                             "SELECT id, true AS added FROM ins UNION ALL "
                             "SELECT id, false FROM role_users WHERE role_id = $1 AND user_id = $2 "
                             "AND NOT EXISTS (SELECT 1 FROM ins)",
                             2, v, &res);

    if (err != CM_OK)
        return err;
    if (PQntuples(res) != 1) { /* a concurrent removal between both halves */
        PQclear(res);
        return CM_ECONFLICT;
    }
    snprintf(id_out, 24, "%s", cm_pg_col(res, 0, "id"));
    *added = cm_pg_bool(res, 0, "added");
    PQclear(res);
    return CM_OK;
}

cm_err store_role_user_remove(PGconn *pg, const char *role, const char *user, int *removed)
{
    const char *v[2] = {role, user};
    long rows = 0;
    cm_err err = cm_pg_command(pg, "DELETE FROM role_users WHERE role_id = $1 AND user_id = $2", 2,
                               v, &rows);

    if (err == CM_OK)
        *removed = rows > 0;
    return err;
}

cm_err store_role_users_list(PGconn *pg, const char *role, long limit, long offset,
                             PGresult **out)
{
    char lim[24], off[24];
    const char *v[3] = {role, lim, off};

    snprintf(lim, sizeof lim, "%ld", limit);
    snprintf(off, sizeof off, "%ld", offset);
    return cm_pg_query(pg,
                       "SELECT ru.id::text AS id, r.id::text AS role_id, r.name AS role_name, "
                       "u.id::text AS user_id, u.email AS user_email FROM role_users ru "
                       "JOIN roles r ON r.id = ru.role_id JOIN users u ON u.id = ru.user_id "
                       "WHERE ru.role_id = $1 ORDER BY lower(u.email), u.id LIMIT $2 OFFSET $3",
                       3, v, out);
}
