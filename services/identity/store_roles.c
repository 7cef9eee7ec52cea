/* store_roles.c: SQL of roles and role_users (store_roles.h). */
#include "store_roles.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg_select.h"

#include "store.h"

#define ROLE_COLUMNS                                                                               \
    "r.id::text AS id, r.name, r.display_name, r.organization_id::text AS organization_id, "     \
    "o.name AS organization_name, o.display_name AS organization_display_name, "                 \
    STORE_TS("now()") " AS occurred_at"

#define F(col, field) {col, CM_PG_STR, offsetof(struct role_rec, field)}
static const struct cm_pg_field role_fields[] = {
    F("id", id),
    F("name", name),
    F("display_name", display_name),
    F("organization_id", organization_id),
    F("organization_name", organization_name),
    F("organization_display_name", organization_display_name),
    F("occurred_at", occurred_at),
};
#undef F

#define F(col, field) {col, CM_PG_STR, offsetof(struct role_user_rec, field)}
static const struct cm_pg_field role_user_fields[] = {
    F("id", id), F("role_id", role_id), F("role_name", role_name),
    F("user_id", user_id), F("user_email", user_email),
};
#undef F

void store_role_list_free(struct role_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

void store_role_user_list_free(struct role_user_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

cm_err store_roles_list(PGconn *pg, const struct org_scope *scope, const char *name,
                        const char *org, long limit, long offset, struct role_list *out)
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
    return CM_PG_SELECT(pg,
                       "SELECT " ROLE_COLUMNS " FROM roles r "
                       "JOIN organizations o ON o.id = r.organization_id WHERE "
                       STORE_ORG_VISIBLE("r.organization_id", "$1", "$2", "$3")
                       " AND ($4::text IS NULL OR r.name = $4)"
                       " AND ($5::uuid IS NULL OR r.organization_id = $5)"
                       " ORDER BY o.name, o.id, r.name LIMIT $6 OFFSET $7",
                       7, v, role_fields, out);
}

cm_err store_role_get(PGconn *pg, const char *id, const struct org_scope *scope,
                      struct role_list *out)
{
    const char *v[4];
    cm_err err;

    store_scope_params(scope, v);
    v[3] = id;
    err = CM_PG_SELECT(pg,
                       "SELECT " ROLE_COLUMNS " FROM roles r "
                       "JOIN organizations o ON o.id = r.organization_id "
                       "WHERE r.id = $4 AND " STORE_ORG_VISIBLE("r.organization_id", "$1", "$2",
                                                                "$3"),
                       4, v, role_fields, out);
    if (err == CM_OK && out->n == 0) {
        store_role_list_free(out);
        err = CM_ENOTFOUND;
    }
    return err;
}

cm_err store_role_named(PGconn *pg, const char *org, const char *name, struct role_list *out)
{
    const char *v[2] = {org, name};
    cm_err err = CM_PG_SELECT(pg,
                              "SELECT " ROLE_COLUMNS " FROM roles r "
                              "JOIN organizations o ON o.id = r.organization_id "
                              "WHERE r.organization_id = $1::uuid AND r.name = $2",
                              2, v, role_fields, out);

    if (err == CM_OK && out->n == 0) {
        store_role_list_free(out);
        err = CM_ENOTFOUND;
    }
    return err;
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
                             struct role_user_list *out)
{
    char lim[24], off[24];
    const char *v[3] = {role, lim, off};

    snprintf(lim, sizeof lim, "%ld", limit);
    snprintf(off, sizeof off, "%ld", offset);
    return CM_PG_SELECT(pg,
                       "SELECT ru.id::text AS id, r.id::text AS role_id, r.name AS role_name, "
                       "u.id::text AS user_id, u.email AS user_email FROM role_users ru "
                       "JOIN roles r ON r.id = ru.role_id JOIN users u ON u.id = ru.user_id "
                       "WHERE ru.role_id = $1 ORDER BY lower(u.email), u.id LIMIT $2 OFFSET $3",
                       3, v, role_user_fields, out);
}
