/* store_clinical.c: SQL of the clinical messaging API's RPCs
 * (store_clinical.h). */
#include "store_clinical.h"

#include <stdlib.h>

#include "cm_pg.h"
#include "cm_pg_select.h"

#define F(col, kind, member) {col, kind, offsetof(struct clinical_org_rec, member)}
static const struct cm_pg_field org_fields[] = {
    F("id", CM_PG_STR, id),
    F("name", CM_PG_STR, name),
};
#undef F

#define F(col, kind, member) {col, kind, offsetof(struct clinical_account_rec, member)}
static const struct cm_pg_field account_fields[] = {
    F("org_id", CM_PG_STR, org_id),
    F("org_name", CM_PG_STR, org_name),
    F("user_id", CM_PG_STR, user_id),
    F("username", CM_PG_STR, username),
    F("email", CM_PG_STR, email),
    F("first_name", CM_PG_STR, first_name),
    F("last_name", CM_PG_STR, last_name),
    F("organization_id", CM_PG_STR, organization_id),
    F("created_at", CM_PG_STR, created_at),
    F("roles", CM_PG_STR, roles),
    F("enabled", CM_PG_BOOL, enabled),
    F("has_password", CM_PG_BOOL, has_password),
};
#undef F

cm_err store_clinical_orgs(PGconn *pg, const char *names_json, const char *ids_json, int children,
                           struct clinical_org_list *out)
{
    const char *values[3] = {names_json, ids_json, children ? "true" : "false"};

    return CM_PG_SELECT(
        pg,
        "WITH want AS (SELECT o.id, o.name FROM organizations o "
        "WHERE o.name IN (SELECT jsonb_array_elements_text($1::jsonb)) "
        "OR o.id IN (SELECT x::uuid FROM jsonb_array_elements_text($2::jsonb) x)) "
        "SELECT o.id::text AS id, o.name FROM organizations o "
        "WHERE o.id IN (SELECT id FROM want) OR ($3::bool AND EXISTS (SELECT 1 FROM want w "
        "WHERE left(o.name, length(w.name) + 1) = w.name || ':')) "
        "ORDER BY o.name LIMIT 10000",
        3, values, org_fields, out);
}

/* One row per account found; with an organization ($1, or by name $2),
 * only its members, and one row with an empty user_id when the
 * organization exists but nobody matched (no row: no such organization). */
static const char accounts_sql[] =
    "WITH o AS (SELECT id, name FROM organizations "
    "           WHERE id = $1::uuid OR ($1::uuid IS NULL AND name = $2::text)), "
    "m AS (SELECT u.id FROM users u WHERE u.id IN "
    "        (SELECT x::uuid FROM jsonb_array_elements_text($3::jsonb) x) "
    "      UNION SELECT u.id FROM users u WHERE u.username IN "
    "        (SELECT lower(x) FROM jsonb_array_elements_text($4::jsonb) x) "
    "      UNION SELECT u.id FROM users u WHERE lower(u.email) IN "
    "        (SELECT lower(x) FROM jsonb_array_elements_text($5::jsonb) x)), "
    "k AS (SELECT m.id FROM m WHERE ($1::uuid IS NULL AND $2::text IS NULL) "
    "      OR EXISTS (SELECT 1 FROM user_organizations uo JOIN o ON o.id = uo.organization_id "
    "                 WHERE uo.user_id = m.id)) "
    "SELECT o.id::text AS org_id, o.name AS org_name, u.id::text AS user_id, u.username, "
    "       u.email, u.first_name, u.last_name, "
    "       coalesce(u.default_organization_id::text, '') AS organization_id, "
    "       to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') AS created_at, "
    "       coalesce(u.enabled, false) AS enabled, "
    "       (u.password_hash IS NOT NULL) AS has_password, "
    "       coalesce((SELECT json_agg(r.name ORDER BY r.name) FROM role_users ru "
    "                 JOIN roles r ON r.id = ru.role_id "
    "                 WHERE ru.user_id = u.id AND r.organization_id = o.id), '[]') AS roles "
    "FROM (SELECT 1) one LEFT JOIN o ON true "
    "LEFT JOIN (k JOIN users u ON u.id = k.id) ON true "
    "WHERE o.id IS NOT NULL OR u.id IS NOT NULL "
    "ORDER BY u.username NULLS FIRST LIMIT 10000";

cm_err store_clinical_accounts(PGconn *pg, const struct clinical_account_query *q,
                               struct clinical_account_list *out)
{
    const char *values[5] = {q->org_id, q->org_id ? NULL : q->org_name, q->ids_json,
                             q->usernames_json, q->emails_json};
    struct clinical_account_list l = {0, NULL, NULL};
    cm_err err = CM_PG_SELECT(pg, accounts_sql, 5, values, account_fields, &l);

    if (err == CM_OK && l.n == 0 && (q->org_id || q->org_name)) {
        store_clinical_list_free(&l.n, (void **)&l.items, &l.mem);
        return CM_ENOTFOUND;
    }
    if (err == CM_OK)
        *out = l;
    return err;
}

cm_err store_clinical_account_update(PGconn *pg, const char *id,
                                     const struct clinical_account_change *c)
{
    const char *values[5] = {id, c->username, c->email, c->first_name, c->last_name};
    long rows = 0;
    cm_err err = cm_pg_command(pg,
                               "UPDATE users SET username = coalesce(lower($2), username), "
                               "email_verified = email_verified AND "
                               "lower(coalesce($3, email)) = lower(email), "
                               "email = coalesce($3, email), "
                               "first_name = coalesce($4, first_name), "
                               "last_name = coalesce($5, last_name), last_modified_time = now() "
                               "WHERE id = $1::uuid",
                               5, values, &rows);

    if (err == CM_OK && rows == 0)
        err = CM_ENOTFOUND;
    return err;
}

cm_err store_clinical_foreign_memberships(PGconn *pg, const char *id, const char *allowed_json,
                                          long *n)
{
    const char *values[2] = {id, allowed_json};
    PGresult *res = NULL;
    cm_err err = cm_pg_one_row(
        cm_pg_query(pg,
                    "SELECT count(*) AS n FROM user_organizations m WHERE m.user_id = $1::uuid "
                    "AND m.organization_id::text NOT IN "
                    "(SELECT jsonb_array_elements_text($2::jsonb))",
                    2, values, &res),
        &res);

    if (err == CM_OK)
        *n = atol(cm_pg_col(res, 0, "n"));
    PQclear(res);
    return err;
}

cm_err store_clinical_rename_ok(PGconn *pg, const char *id, const char *new_name, int *ok)
{
    const char *values[2] = {id, new_name};
    PGresult *res = NULL;
    cm_err err = cm_pg_one_row(
        cm_pg_query(pg,
                    "SELECT (o.name = $2 OR (position(':' in $2) = 0 AND NOT EXISTS (SELECT 1 "
                    "FROM organizations c WHERE left(c.name, length(o.name) + 1) = o.name || ':' "
                    "OR left(c.name, length($2) + 1) = $2 || ':'))) AS ok "
                    "FROM organizations o WHERE o.id = $1::uuid",
                    2, values, &res),
        &res);

    if (err == CM_OK)
        *ok = cm_pg_bool(res, 0, "ok");
    PQclear(res);
    return err;
}

void store_clinical_list_free(size_t *n, void **items, char **mem)
{
    free(*items);
    free(*mem);
    *items = NULL;
    *mem = NULL;
    *n = 0;
}
