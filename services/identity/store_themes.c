/* store_themes.c: SQL of organization_themes (store_themes.h). */
#include "store_themes.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"
#include "cm_pg_select.h"

#include "store.h"

#define THEME_COLUMNS                                                                              \
    "t.id::text AS id, t.domain, t.support_email, t.support_email_name, t.is_active, " STORE_TS(   \
        "t.created_time") " AS created_time, " STORE_TS("t.last_modified_time") " AS "             \
                                                                                "last_modified_"   \
                                                                                "time, "           \
                                                                                "cb.id::text AS "  \
                                                                                "created_by_id, "  \
                                                                                "cb.first_name "   \
                                                                                "AS "              \
                                                                                "created_by_"      \
                                                                                "first_name, "     \
                                                                                "cb.last_name AS " \
                                                                                "created_by_last_" \
                                                                                "name, "           \
                                                                                "mb.id::text AS "  \
                                                                                "modified_by_id, " \
                                                                                "mb.first_name "   \
                                                                                "AS "              \
                                                                                "modified_by_"     \
                                                                                "first_name, "     \
                                                                                "mb.last_name AS " \
                                                                                "modified_by_"     \
                                                                                "last_name"
#define THEME_JOINS                                                                                \
    " LEFT JOIN users cb ON cb.id = t.created_by LEFT JOIN users mb ON mb.id = "                   \
    "t.last_modified_by "

#define F(col, field)                                                                              \
    {                                                                                              \
        col, CM_PG_STR, offsetof(struct theme_rec, field)                                          \
    }
static const struct cm_pg_field theme_fields[] = {
    F("id", id),
    F("domain", domain),
    F("support_email", support_email),
    F("support_email_name", support_email_name),
    F("created_time", created_time),
    F("last_modified_time", last_modified_time),
    F("created_by_id", created_by_id),
    F("created_by_first_name", created_by_first_name),
    F("created_by_last_name", created_by_last_name),
    F("modified_by_id", modified_by_id),
    F("modified_by_first_name", modified_by_first_name),
    F("modified_by_last_name", modified_by_last_name),
    {"is_active", CM_PG_BOOL, offsetof(struct theme_rec, is_active)},
};
#undef F

void store_theme_list_free(struct theme_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

cm_err store_themes_list(PGconn *pg, const struct theme_query *q, struct theme_list *out)
{
    char lim[24], off[24];
    const char *v[7] = {cm_pg_opt(q->domain),
                        cm_pg_opt(q->support_email),
                        cm_pg_opt(q->modified_before),
                        cm_pg_opt(q->modified_after),
                        q->include_inactive ? "true" : "false",
                        lim,
                        off};

    snprintf(lim, sizeof lim, "%ld", q->limit);
    snprintf(off, sizeof off, "%ld", q->offset);
    return CM_PG_SELECT(pg,
                        "SELECT " THEME_COLUMNS " FROM organization_themes t" THEME_JOINS
                        "WHERE ($1::text IS NULL OR lower(t.domain) = lower($1)) "
                        "AND ($2::text IS NULL OR lower(t.support_email) = lower($2)) "
                        "AND ($3::timestamptz IS NULL OR t.last_modified_time < $3::timestamptz) "
                        "AND ($4::timestamptz IS NULL OR t.last_modified_time > $4::timestamptz) "
                        "AND ($5::bool OR t.is_active) "
                        "ORDER BY t.created_time, t.id LIMIT $6 OFFSET $7",
                        7, v, theme_fields, out);
}

cm_err store_theme_get(PGconn *pg, const char *id, struct theme_list *out)
{
    const char *v[1] = {id};

    return CM_PG_SELECT_ONE(pg,
                            "SELECT " THEME_COLUMNS " FROM organization_themes t" THEME_JOINS
                            "WHERE t.id = $1",
                            1, v, theme_fields, out);
}

cm_err store_theme_create(PGconn *pg, const struct theme_fields *f, const char *user,
                          struct theme_list *out)
{
    const char *v[5] = {f->domain, f->support_email, f->support_email_name, cm_pg_opt_bool(f->is_active),
                        cm_pg_opt(user)};

    return CM_PG_SELECT(pg,
                        "WITH t AS (INSERT INTO organization_themes (domain, support_email, "
                        "support_email_name, is_active, created_by, last_modified_by) VALUES "
                        "(coalesce($1, ''), coalesce($2, ''), coalesce($3, ''), "
                        "coalesce($4::bool, true), $5::uuid, $5::uuid) RETURNING *) "
                        "SELECT " THEME_COLUMNS " FROM t" THEME_JOINS,
                        5, v, theme_fields, out);
}

cm_err store_theme_update(PGconn *pg, const char *id, const struct theme_fields *f,
                          const char *user, struct theme_list *out)
{
    const char *v[6] = {id,
                        f->domain,
                        f->support_email,
                        f->support_email_name,
                        cm_pg_opt_bool(f->is_active),
                        cm_pg_opt(user)};

    return CM_PG_SELECT_ONE(pg,
                            "WITH t AS (UPDATE organization_themes SET "
                            "domain = coalesce($2, domain), "
                            "support_email = coalesce($3, support_email), "
                            "support_email_name = coalesce($4, support_email_name), "
                            "is_active = coalesce($5::bool, is_active), "
                            "last_modified_by = $6::uuid, last_modified_time = now() "
                            "WHERE id = $1 RETURNING *) "
                            "SELECT " THEME_COLUMNS " FROM t" THEME_JOINS,
                            6, v, theme_fields, out);
}
