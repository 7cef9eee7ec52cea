/* store_export.c: one page of users with memberships and role names for
 * identity.rpc.ExportUsers (store_export.h). */
#include "store_export.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"

/* Columns of the page's SELECT, in order. */
enum { C_ID, C_USERNAME, C_EMAIL, C_FIRST, C_LAST, C_ENABLED, C_ADMIN, C_MEMBERSHIPS };

/* A copy of j's string value, "" when j is not a string. */
static char *str_of(const json_t *j)
{
    return cm_xstrdup(json_is_string(j) ? json_string_value(j) : "");
}

/* The memberships of u from the JSON text [{"o": org id, "r": [role
 * names]}] the SELECT builds. */
static void fill_memberships(struct export_user_rec *u, const char *text)
{
    json_t *json = json_loads(text, 0, NULL);
    size_t i, j, n = json_array_size(json);
    const json_t *m, *r;

    u->n_memberships = n;
    u->memberships = n ? cm_xcalloc(n, sizeof *u->memberships) : NULL;
    json_array_foreach(json, i, m)
    {
        struct export_membership_rec *em = &u->memberships[i];
        const json_t *roles = json_object_get(m, "r");

        em->organization_id = str_of(json_object_get(m, "o"));
        em->n_role_names = json_array_size(roles);
        em->role_names = em->n_role_names ? cm_xcalloc(em->n_role_names, sizeof(char *)) : NULL;
        json_array_foreach(roles, j, r) em->role_names[j] = str_of(r);
    }
    json_decref(json);
}

/* The rows of res (the columns of enum above) into out; clears res. */
static void fill_page(PGresult *res, struct export_page *out)
{
    int rows = PQntuples(res);

    out->users = cm_xcalloc((size_t)rows + 1, sizeof *out->users);
    for (int i = 0; i < rows; i++) {
        struct export_user_rec *u = &out->users[i];

        u->id = cm_xstrdup(PQgetvalue(res, i, C_ID));
        u->username = cm_xstrdup(PQgetvalue(res, i, C_USERNAME));
        u->email = cm_xstrdup(PQgetvalue(res, i, C_EMAIL));
        u->first_name = cm_xstrdup(PQgetvalue(res, i, C_FIRST));
        u->last_name = cm_xstrdup(PQgetvalue(res, i, C_LAST));
        u->enabled = PQgetvalue(res, i, C_ENABLED)[0] == 't';
        u->platform_admin = PQgetvalue(res, i, C_ADMIN)[0] == 't';
        fill_memberships(u, PQgetvalue(res, i, C_MEMBERSHIPS));
        out->n++;
    }
    PQclear(res);
}

cm_err store_export_page(PGconn *pg, const char *after_id, unsigned limit,
                         struct export_page *out)
{
    char lim[16];
    const char *values[2] = {after_id, lim};
    PGresult *res = NULL;
    cm_err err;

    memset(out, 0, sizeof *out);
    snprintf(lim, sizeof lim, "%u", limit);
    err = cm_pg_query(
        pg,
        "SELECT u.id::text, u.username, u.email, u.first_name, u.last_name, u.enabled, "
        "u.is_platform_admin, "
        "(SELECT coalesce(json_agg(json_build_object('o', m.organization_id, 'r', "
        "  (SELECT coalesce(json_agg(r.name ORDER BY r.name), '[]'::json) FROM role_users ru "
        "   JOIN roles r ON r.id = ru.role_id "
        "   WHERE ru.user_id = u.id AND r.organization_id = m.organization_id)) "
        "  ORDER BY m.organization_id), '[]'::json) "
        " FROM user_organizations m WHERE m.user_id = u.id)::text "
        "FROM users u WHERE ($1::uuid IS NULL OR u.id > $1::uuid) ORDER BY u.id LIMIT $2::int",
        2, values, &res);
    if (err != CM_OK)
        return err;
    fill_page(res, out);
    return CM_OK;
}

cm_err store_export_page_of(PGconn *pg, const char *org, const char *after_id, unsigned limit,
                            struct export_page *out)
{
    char lim[16];
    const char *values[3] = {org, after_id ? after_id : "00000000-0000-0000-0000-000000000000",
                             lim};
    PGresult *res = NULL;
    cm_err err;

    memset(out, 0, sizeof *out);
    snprintf(lim, sizeof lim, "%u", limit);
    err = cm_pg_query(
        pg,
        "SELECT u.id::text, u.username, u.email, u.first_name, u.last_name, u.enabled, "
        "u.is_platform_admin, "
        "json_build_array(json_build_object('o', m.organization_id, 'r', "
        "  (SELECT coalesce(json_agg(r.name ORDER BY r.name), '[]'::json) FROM role_users ru "
        "   JOIN roles r ON r.id = ru.role_id "
        "   WHERE ru.user_id = u.id AND r.organization_id = m.organization_id)))::text "
        "FROM user_organizations m JOIN users u ON u.id = m.user_id "
        "WHERE m.organization_id = $1::uuid AND m.user_id > $2::uuid "
        "ORDER BY m.user_id LIMIT $3::int",
        3, values, &res);
    if (err != CM_OK)
        return err;
    fill_page(res, out);
    return CM_OK;
}

void store_export_page_release(struct export_page *page)
{
    for (size_t i = 0; i < page->n; i++) {
        struct export_user_rec *u = &page->users[i];

        for (size_t m = 0; m < u->n_memberships; m++) {
            for (size_t r = 0; r < u->memberships[m].n_role_names; r++)
                free(u->memberships[m].role_names[r]);
            free(u->memberships[m].role_names);
            free(u->memberships[m].organization_id);
        }
        free(u->memberships);
        free(u->id);
        free(u->username);
        free(u->email);
        free(u->first_name);
        free(u->last_name);
    }
    free(page->users);
    memset(page, 0, sizeof *page);
}
