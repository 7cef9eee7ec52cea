/* store_templates.c: SQL of the templates table (store_templates.h). */
#include "store_templates.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"
#include "cm_pg_select.h"
#include "store_time.h"

#define COLUMNS                                                                                    \
    "id::text AS id, channel, organization_id::text AS organization_id, "                          \
    "coalesce(theme_id::text, '') AS theme_id, type, locale, format, subject, support_email, "     \
    "support_email_title, body, " MSG_TS("created_at") " AS created_at, " MSG_TS(                  \
        "updated_at") " AS updated_at"

#define F(field)                                                                                   \
    {                                                                                              \
#field, CM_PG_STR, offsetof(struct template_rec, field)                                    \
    }
static const struct cm_pg_field fields[] = {
    F(id),     F(channel),    F(organization_id), F(theme_id),      F(type),
    F(locale), F(format),     F(subject),         F(support_email), F(support_email_title),
    F(body),   F(created_at), F(updated_at),
};
#undef F

void store_template_list_free(struct template_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

cm_err store_templates_list(PGconn *pg, const struct template_filter *f, struct template_list *out)
{
    char lim[24], off[24];
    const char *v[9] = {f->channel,
                        cm_pg_opt(f->organization_id),
                        f->all_orgs ? "t" : "f",
                        cm_pg_opt(f->theme_id),
                        cm_pg_opt(f->type),
                        cm_pg_opt(f->locale),
                        cm_pg_opt(f->format),
                        lim,
                        off};

    snprintf(lim, sizeof lim, "%ld", f->limit);
    snprintf(off, sizeof off, "%ld", f->offset);
    return CM_PG_SELECT(pg,
                        "SELECT " COLUMNS " FROM templates WHERE channel = $1"
                        " AND (organization_id = $2::uuid OR ($2::uuid IS NULL AND $3::bool))"
                        " AND ($4::uuid IS NULL OR theme_id = $4)"
                        " AND ($5::text IS NULL OR type = $5)"
                        " AND ($6::text IS NULL OR locale = $6)"
                        " AND ($7::text IS NULL OR format = $7)"
                        " ORDER BY created_at, id LIMIT $8 OFFSET $9",
                        9, v, fields, out);
}

cm_err store_template_get(PGconn *pg, const char *channel, const char *id,
                          struct template_list *out)
{
    const char *v[2] = {channel, id};

    return CM_PG_SELECT_ONE(pg, "SELECT " COLUMNS " FROM templates WHERE channel = $1 AND id = $2",
                            2, v, fields, out);
}

cm_err store_template_insert(PGconn *pg, const char *channel, const char *id,
                             const struct template_fields *f, struct template_list *out)
{
    const char *v[11] = {id,
                         channel,
                         f->organization_id,
                         cm_pg_opt(f->theme_id),
                         f->type,
                         f->locale ? f->locale : "en_US",
                         f->format ? f->format : "txt",
                         f->subject ? f->subject : "",
                         f->support_email ? f->support_email : "",
                         f->support_email_title ? f->support_email_title : "",
                         f->body};

    return CM_PG_SELECT_ONE(pg,
                            "INSERT INTO templates (id, channel, organization_id, theme_id, type,"
                            " locale, format, subject, support_email, support_email_title, body)"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                            " RETURNING " COLUMNS,
                            11, v, fields, out);
}

cm_err store_template_update(PGconn *pg, const char *channel, const char *id,
                             const struct template_fields *f, struct template_list *out)
{
    const char *v[10] = {channel,   id,         f->type,          f->locale,
                         f->format, f->subject, f->support_email, f->support_email_title,
                         f->body,   f->theme_id};

    return CM_PG_SELECT_ONE(pg,
                            "UPDATE templates SET type = coalesce($3, type),"
                            " locale = coalesce($4, locale), format = coalesce($5, format),"
                            " subject = coalesce($6, subject),"
                            " support_email = coalesce($7, support_email),"
                            " support_email_title = coalesce($8, support_email_title),"
                            " body = coalesce($9, body),"
                            " theme_id = CASE WHEN $10::text IS NULL THEN theme_id"
                            "   WHEN $10 = '' THEN NULL ELSE $10::uuid END,"
                            " updated_at = now()"
                            " WHERE channel = $1 AND id = $2 RETURNING " COLUMNS,
                            10, v, fields, out);
}

cm_err store_template_pick(PGconn *pg, const char *channel, const char *organization_id,
                           const char *theme_id, const char *type, const char *locale,
                           struct template_list *out)
{
    const char *v[5] = {channel, organization_id, cm_pg_opt(theme_id), type, locale};

    return CM_PG_SELECT_ONE(pg,
                            "SELECT " COLUMNS " FROM templates WHERE channel = $1"
                            " AND organization_id = $2 AND type = $4"
                            " AND (theme_id IS NULL OR theme_id = $3::uuid)"
                            " AND locale IN ($5, 'en_US')"
                            " ORDER BY (theme_id IS NOT NULL) DESC, (locale = $5) DESC,"
                            " (format = 'html') DESC LIMIT 1",
                            5, v, fields, out);
}
