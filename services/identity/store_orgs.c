/* store_orgs.c: SQL of organizations and memberships (store_orgs.h), all
 * parameterized; absent values travel as SQL NULL. */
#include "store_orgs.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg_select.h"
#include "store.h"

#define ORG_COLUMNS                                                                                \
    "o.id::text AS id, o.name, o.display_name, o.classification, o.provider_type, "              \
    "o.authorization_type, o.timezone, o.theme_id::text AS theme_id, o.logo_url, o.is_active, " \
    STORE_TS("o.last_modified_time") " AS last_modified_time, " STORE_TS("now()") " AS occurred_at"

#define MEMBERSHIP_COLUMNS                                                                         \
    "m.user_id::text AS user_id, m.organization_id::text AS organization_id, "                   \
    "o.name AS organization_name, o.display_name AS organization_display_name, "                 \
    "(SELECT count(*) FROM user_organizations c WHERE c.user_id = m.user_id) "                   \
    "AS organization_count"

#define F(col, kind, field) {col, kind, offsetof(struct org_rec, field)}
static const struct cm_pg_field org_fields[] = {
    F("id", CM_PG_STR, id),
    F("name", CM_PG_STR, name),
    F("display_name", CM_PG_STR, display_name),
    F("classification", CM_PG_STR, classification),
    F("provider_type", CM_PG_STR, provider_type),
    F("authorization_type", CM_PG_STR, authorization_type),
    F("timezone", CM_PG_STR, timezone),
    F("theme_id", CM_PG_STR, theme_id),
    F("logo_url", CM_PG_STR, logo_url),
    F("last_modified_time", CM_PG_STR, last_modified_time),
    F("occurred_at", CM_PG_STR, occurred_at),
    F("is_active", CM_PG_BOOL, is_active),
};
#undef F

void store_org_list_free(struct org_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

/* err, or CM_ENOTFOUND (out emptied) when out does not hold exactly one. */
static cm_err one_org(cm_err err, struct org_list *out)
{
    if (err == CM_OK && out->n != 1) {
        store_org_list_free(out);
        return CM_ENOTFOUND;
    }
    return err;
}

void store_scope_params(const struct org_scope *s, const char *v[3])
{
    v[0] = s->all ? "t" : "f";
    v[1] = cm_pg_opt(s->only_org);
    v[2] = cm_pg_opt(s->member_of);
}

cm_err store_orgs_list(PGconn *pg, const struct org_list_query *q, struct org_list *out)
{
    char limit[24], offset[24];
    const char *v[10];

    store_scope_params(&q->scope, v);
    v[3] = cm_pg_opt(q->name);
    v[4] = cm_pg_opt(q->name_contains);
    v[5] = q->include_inactive ? "t" : "f";
    v[6] = cm_pg_opt(q->modified_before);
    v[7] = cm_pg_opt(q->modified_after);
    snprintf(limit, sizeof limit, "%ld", q->limit);
    snprintf(offset, sizeof offset, "%ld", q->offset);
    v[8] = limit;
    v[9] = offset;
    return CM_PG_SELECT(pg,
                       "SELECT " ORG_COLUMNS " FROM organizations o WHERE "
                       STORE_ORG_VISIBLE("o.id", "$1", "$2", "$3")
                       " AND ($4::text IS NULL OR o.name = $4)"
                       " AND ($5::text IS NULL OR strpos(lower(o.name), lower($5)) > 0)"
                       " AND ($6::bool OR o.is_active)"
                       " AND ($7::timestamptz IS NULL OR o.last_modified_time < $7)"
                       " AND ($8::timestamptz IS NULL OR o.last_modified_time > $8)"
                       " ORDER BY o.name, o.id LIMIT $9 OFFSET $10",
                       10, v, org_fields, out);
}

cm_err store_org_get(PGconn *pg, const char *id, const struct org_scope *scope,
                     struct org_list *out)
{
    static const struct org_scope any = {1, "", ""};
    const char *v[4];

    store_scope_params(scope ? scope : &any, v);
    v[3] = id;
    return one_org(CM_PG_SELECT(pg,
                                "SELECT " ORG_COLUMNS
                                " FROM organizations o WHERE o.id = $4 AND " STORE_ORG_VISIBLE(
                                    "o.id", "$1", "$2", "$3"),
                                4, v, org_fields, out),
                   out);
}

cm_err store_org_create(PGconn *pg, const struct org_fields *f, struct org_list *out)
{
    const char *v[7] = {f->name,
                        f->display_name,
                        f->classification,
                        f->provider_type,
                        f->authorization_type,
                        f->timezone,
                        f->theme_given ? cm_pg_opt(f->theme_id) : NULL};

    /* The roles' INSERT runs although the outer query does not read it. */
    return one_org(
        CM_PG_SELECT(pg,
                    "WITH o AS (INSERT INTO organizations (name, display_name, classification, "
                    "provider_type, authorization_type, timezone, theme_id) VALUES ($1, "
                    "COALESCE($2, $1), COALESCE($3, 'customer'), COALESCE($4, ''), "
                    "COALESCE($5, 'open'), COALESCE($6, ''), $7::uuid) RETURNING *), "
                    "r AS (INSERT INTO roles (organization_id, name, display_name) "
                    "SELECT o.id, d.name, d.display FROM o, (VALUES ('admin', 'Organization "
                    "admin'), ('provider', 'Provider'), ('patient', 'Patient')) d(name, display)) "
                    "SELECT " ORG_COLUMNS " FROM o",
                    7, v, org_fields, out),
        out);
}

cm_err store_org_update(PGconn *pg, const char *id, const struct org_fields *f,
                        struct org_list *out)
{
    const char *v[9] = {id,
                        f->name,
                        f->display_name,
                        f->classification,
                        f->provider_type,
                        f->authorization_type,
                        f->timezone,
                        f->theme_given ? "t" : "f",
                        f->theme_given ? cm_pg_opt(f->theme_id) : NULL};

    return one_org(
        CM_PG_SELECT(pg,
                    "UPDATE organizations o SET name = COALESCE($2, o.name), "
                    "display_name = COALESCE($3, o.display_name), "
                    "classification = COALESCE($4, o.classification), "
                    "provider_type = COALESCE($5, o.provider_type), "
                    "authorization_type = COALESCE($6, o.authorization_type), "
                    "timezone = COALESCE($7, o.timezone), "
                    "theme_id = CASE WHEN $8::bool THEN $9::uuid ELSE o.theme_id END, "
                    "last_modified_time = now() WHERE o.id = $1 RETURNING " ORG_COLUMNS,
                    9, v, org_fields, out),
        out);
}

/* --- memberships --- */

cm_err store_user_find(PGconn *pg, const char *user_id, const char *email, const char *member_of,
                       struct user_ref *out)
{
    const char *v[3] = {cm_pg_opt(user_id), cm_pg_opt(email), cm_pg_opt(member_of)};
    PGresult *res;
    cm_err err = cm_pg_query(pg,
                             "SELECT u.id::text AS id, u.email FROM users u "
                             "WHERE ($1::uuid IS NULL OR u.id = $1) "
                             "AND ($2::text IS NULL OR u.username = lower($2) "
                             "OR lower(u.email) = lower($2)) "
                             "AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM user_organizations m "
                             "WHERE m.user_id = u.id AND m.organization_id = $3)) LIMIT 2",
                             3, v, &res);

    if (err != CM_OK)
        return err;
    if (PQntuples(res) == 0)
        err = CM_ENOTFOUND;
    else if (PQntuples(res) > 1)
        err = CM_ECONFLICT;
    else {
        snprintf(out->id, sizeof out->id, "%s", cm_pg_col(res, 0, "id"));
        snprintf(out->email, sizeof out->email, "%s", cm_pg_col(res, 0, "email"));
    }
    PQclear(res);
    return err;
}

cm_err store_is_member(PGconn *pg, const char *user, const char *org, int *yes)
{
    const char *v[2] = {user, org};
    long rows = 0;
    cm_err err = cm_pg_command(pg,
                               "SELECT 1 FROM user_organizations WHERE user_id = $1 "
                               "AND organization_id = $2",
                               2, v, &rows);

    if (err == CM_OK)
        *yes = rows > 0;
    return err;
}

cm_err store_membership_add(PGconn *pg, const char *user, const char *org, int *added)
{
    const char *v[2] = {user, org};
    long rows = 0;
    cm_err err = cm_pg_command(pg,
                               "INSERT INTO user_organizations (user_id, organization_id) "
                               "VALUES ($1, $2) ON CONFLICT DO NOTHING",
                               2, v, &rows);

    if (err == CM_OK && rows > 0)
        err = cm_pg_command(pg,
                            "UPDATE users SET default_organization_id = $2 "
                            "WHERE id = $1 AND default_organization_id IS NULL",
                            2, v, NULL);
    if (err == CM_OK)
        *added = rows > 0;
    return err;
}

#define F(col, field) {col, CM_PG_STR, offsetof(struct removed_role_rec, field)}
static const struct cm_pg_field removed_role_fields[] = {F("role_id", role_id),
                                                         F("role_name", role_name)};
#undef F

void store_removed_roles_free(struct removed_roles *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

cm_err store_membership_remove(PGconn *pg, const char *user, const char *org, int *removed,
                               struct removed_roles *roles)
{
    const char *v[2] = {user, org};
    long rows = 0;
    cm_err err = CM_PG_SELECT(pg,
                             "DELETE FROM role_users ru USING roles r WHERE r.id = ru.role_id "
                             "AND r.organization_id = $2 AND ru.user_id = $1 "
                             "RETURNING r.id::text AS role_id, r.name AS role_name",
                             2, v, removed_role_fields, roles);

    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "DELETE FROM user_organizations WHERE user_id = $1 "
                            "AND organization_id = $2",
                            2, v, &rows);
    if (err == CM_OK && rows > 0)
        err = cm_pg_command(pg,
                            "UPDATE users SET default_organization_id = (SELECT organization_id "
                            "FROM user_organizations WHERE user_id = $1 "
                            "ORDER BY created_at, organization_id LIMIT 1) "
                            "WHERE id = $1 AND default_organization_id = $2",
                            2, v, NULL);
    if (err != CM_OK) {
        store_removed_roles_free(roles);
        return err;
    }
    *removed = rows > 0;
    return CM_OK;
}

#define F(col, kind, field) {col, kind, offsetof(struct membership_rec, field)}
static const struct cm_pg_field membership_fields[] = {
    F("user_id", CM_PG_STR, user_id),
    F("organization_id", CM_PG_STR, organization_id),
    F("organization_name", CM_PG_STR, organization_name),
    F("organization_display_name", CM_PG_STR, organization_display_name),
    F("organization_count", CM_PG_LONG, organization_count),
};
#undef F

void store_membership_list_free(struct membership_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

cm_err store_memberships_list(PGconn *pg, const struct membership_query *q,
                              struct membership_list *out)
{
    char limit[24], offset[24];
    const char *v[7] = {q->all ? "t" : "f",
                        cm_pg_opt(q->self_user),
                        cm_pg_opt(q->admin_org),
                        cm_pg_opt(q->user),
                        cm_pg_opt(q->org),
                        limit,
                        offset};

    snprintf(limit, sizeof limit, "%ld", q->limit);
    snprintf(offset, sizeof offset, "%ld", q->offset);
    return CM_PG_SELECT(pg,
                       "SELECT " MEMBERSHIP_COLUMNS " FROM user_organizations m "
                       "JOIN organizations o ON o.id = m.organization_id "
                       "WHERE ($1::bool OR m.user_id = $2::uuid OR m.organization_id = $3::uuid) "
                       "AND ($4::uuid IS NULL OR m.user_id = $4) "
                       "AND ($5::uuid IS NULL OR m.organization_id = $5) "
                       "ORDER BY o.name, m.user_id LIMIT $6 OFFSET $7",
                       7, v, membership_fields, out);
}

cm_err store_membership_get(PGconn *pg, const char *user, const char *org,
                            struct membership_list *out)
{
    const char *v[2] = {user, org};
    cm_err err = CM_PG_SELECT(pg,
                              "SELECT " MEMBERSHIP_COLUMNS " FROM user_organizations m "
                              "JOIN organizations o ON o.id = m.organization_id "
                              "WHERE m.user_id = $1 AND m.organization_id = $2",
                              2, v, membership_fields, out);

    if (err == CM_OK && out->n != 1) {
        store_membership_list_free(out);
        err = CM_ENOTFOUND;
    }
    return err;
}
