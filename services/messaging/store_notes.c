/* store_notes.c: SQL of general_messages and feedback_comments
 * (store_notes.h). */
#include "store_notes.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"
#include "cm_pg_select.h"
#include "spool.h"
#include "store_time.h"

#define GM_COLUMNS                                                                                 \
    "id::text AS id, organization_id::text AS organization_id, name, locale, message, " MSG_TS(    \
        "created_at") " AS created_at, " MSG_TS("updated_at") " AS updated_at"

#define F(field)                                                                                   \
    {                                                                                              \
#field, CM_PG_STR, offsetof(struct general_message_rec, field)                             \
    }
static const struct cm_pg_field gm_fields[] = {
    F(id), F(organization_id), F(name), F(locale), F(message), F(created_at), F(updated_at),
};
#undef F

#define FB_COLUMNS                                                                                 \
    "id::text AS id, created_by, coalesce(organization_id::text, '') AS organization_id,"          \
    " coalesce(individual_id::text, '') AS individual_id, comment, current_page, " MSG_TS(         \
        "created_at") " AS created_at"

#define F(field)                                                                                   \
    {                                                                                              \
#field, CM_PG_STR, offsetof(struct feedback_rec, field)                                    \
    }
static const struct cm_pg_field fb_fields[] = {
    F(id),      F(created_by),   F(organization_id), F(individual_id),
    F(comment), F(current_page), F(created_at),
};
#undef F

void store_general_message_list_free(struct general_message_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

void store_feedback_list_free(struct feedback_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

static cm_err gm_one(cm_err err, struct general_message_list *l)
{
    if (err == CM_OK && l->n != 1) {
        store_general_message_list_free(l);
        return CM_ENOTFOUND;
    }
    return err;
}

static cm_err fb_one(cm_err err, struct feedback_list *l)
{
    if (err == CM_OK && l->n != 1) {
        store_feedback_list_free(l);
        return CM_ENOTFOUND;
    }
    return err;
}

cm_err store_general_message_insert(PGconn *pg, const char *organization_id, const char *name,
                                    const char *locale, const char *message,
                                    struct general_message_list *out)
{
    char id[SPOOL_UUID_LEN + 1];
    const char *v[5] = {id, organization_id, name, locale, message};

    spool_uuid(id);
    return gm_one(CM_PG_SELECT(pg,
                               "INSERT INTO general_messages (id, organization_id, name, locale,"
                               " message) VALUES ($1, $2, $3, $4, $5) RETURNING " GM_COLUMNS,
                               5, v, gm_fields, out),
                  out);
}

cm_err store_general_message_get(PGconn *pg, const char *id, struct general_message_list *out)
{
    const char *v[1] = {id};

    return gm_one(CM_PG_SELECT(pg, "SELECT " GM_COLUMNS " FROM general_messages WHERE id = $1", 1,
                               v, gm_fields, out),
                  out);
}

cm_err store_general_messages_list(PGconn *pg, const char *organization_id, long limit, long offset,
                                   struct general_message_list *out)
{
    char lim[24], off[24];
    const char *v[3] = {organization_id, lim, off};

    snprintf(lim, sizeof lim, "%ld", limit);
    snprintf(off, sizeof off, "%ld", offset);
    return CM_PG_SELECT(pg,
                        "SELECT " GM_COLUMNS " FROM general_messages WHERE organization_id = $1"
                        " ORDER BY name, locale, id LIMIT $2 OFFSET $3",
                        3, v, gm_fields, out);
}

cm_err store_general_message_update(PGconn *pg, const char *id, const char *message,
                                    struct general_message_list *out)
{
    const char *v[2] = {id, message};

    return gm_one(CM_PG_SELECT(pg,
                               "UPDATE general_messages SET message = $2, updated_at = now()"
                               " WHERE id = $1 RETURNING " GM_COLUMNS,
                               2, v, gm_fields, out),
                  out);
}

cm_err store_feedback_insert(PGconn *pg, const struct feedback_rec *f, struct feedback_list *out)
{
    char id[SPOOL_UUID_LEN + 1];
    const char *v[6] = {
        id,         f->created_by,  cm_pg_opt(f->organization_id), cm_pg_opt(f->individual_id),
        f->comment, f->current_page};

    spool_uuid(id);
    return fb_one(CM_PG_SELECT(pg,
                               "INSERT INTO feedback_comments (id, created_by, organization_id,"
                               " individual_id, comment, current_page)"
                               " VALUES ($1, $2, $3, $4, $5, $6) RETURNING " FB_COLUMNS,
                               6, v, fb_fields, out),
                  out);
}

cm_err store_feedback_get(PGconn *pg, const char *id, struct feedback_list *out)
{
    const char *v[1] = {id};

    return fb_one(CM_PG_SELECT(pg, "SELECT " FB_COLUMNS " FROM feedback_comments WHERE id = $1", 1,
                               v, fb_fields, out),
                  out);
}

cm_err store_feedback_list(PGconn *pg, const struct feedback_filter *f, struct feedback_list *out)
{
    char lim[24], off[24];
    const char *v[4] = {cm_pg_opt(f->organization_id), cm_pg_opt(f->created_by), lim, off};

    snprintf(lim, sizeof lim, "%ld", f->limit);
    snprintf(off, sizeof off, "%ld", f->offset);
    return CM_PG_SELECT(pg,
                        "SELECT " FB_COLUMNS " FROM feedback_comments"
                        " WHERE ($1::uuid IS NULL OR organization_id = $1)"
                        " AND ($2::text IS NULL OR created_by = $2)"
                        " ORDER BY created_at, id LIMIT $3 OFFSET $4",
                        4, v, fb_fields, out);
}
