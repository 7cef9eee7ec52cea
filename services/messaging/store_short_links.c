/* store_short_links.c: SQL of short_links (store_short_links.h). */
#include "store_short_links.h"

#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"
#include "cm_pg_select.h"
#include "spool.h"
#include "store_time.h"

#define CODE_TRIES 5

#define COLUMNS                                                                                    \
    "id::text AS id, code, coalesce(organization_id::text, '') AS organization_id, scheme,"        \
    " netloc, full_path, coalesce(" MSG_TS("expires_at") ", '') AS expires_at, " MSG_TS(           \
        "created_at") " AS created_at, scheme || '://' || netloc || full_path AS redirect_url,"    \
                      " redirect_count"

#define F(field)                                                                                   \
    {                                                                                              \
#field, CM_PG_STR, offsetof(struct short_link_rec, field)                                  \
    }
static const struct cm_pg_field fields[] = {
    F(id),
    F(code),
    F(organization_id),
    F(scheme),
    F(netloc),
    F(full_path),
    F(expires_at),
    F(created_at),
    F(redirect_url),
    {"redirect_count", CM_PG_LONG, offsetof(struct short_link_rec, redirect_count)},
};
#undef F

void store_short_link_list_free(struct short_link_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

static void new_code(char out[SHORT_CODE_LEN + 1])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    for (int i = 0; i < SHORT_CODE_LEN; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[SHORT_CODE_LEN] = '\0';
}

cm_err store_short_link_insert(PGconn *pg, const struct short_link_fields *f,
                               struct short_link_list *out)
{
    char id[SPOOL_UUID_LEN + 1], code[SHORT_CODE_LEN + 1];
    const char *v[7] = {
        id,        code,         cm_pg_opt(f->organization_id), f->scheme ? f->scheme : "https",
        f->netloc, f->full_path, cm_pg_opt(f->expires_at)};
    cm_err err = CM_ECONFLICT;

    for (int i = 0; i < CODE_TRIES && err == CM_ECONFLICT; i++) {
        spool_uuid(id);
        new_code(code);
        err = CM_PG_SELECT_ONE(pg,
                               "INSERT INTO short_links (id, code, organization_id, scheme, netloc,"
                               " full_path, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                               " RETURNING " COLUMNS,
                               7, v, fields, out);
    }
    return err;
}

cm_err store_short_link_get(PGconn *pg, const char *id, struct short_link_list *out)
{
    const char *v[1] = {id};

    return CM_PG_SELECT_ONE(pg, "SELECT " COLUMNS " FROM short_links WHERE id = $1", 1, v, fields,
                            out);
}

cm_err store_short_links_list(PGconn *pg, const char *organization_id, int all_orgs,
                              const char *code, long limit, struct short_link_list *out)
{
    char lim[24];
    const char *v[4] = {cm_pg_opt(organization_id), all_orgs ? "t" : "f", cm_pg_opt(code), lim};

    snprintf(lim, sizeof lim, "%ld", limit);
    return CM_PG_SELECT(pg,
                        "SELECT " COLUMNS " FROM short_links"
                        " WHERE (organization_id = $1::uuid OR ($1::uuid IS NULL AND $2::bool))"
                        " AND ($3::text IS NULL OR code = $3)"
                        " ORDER BY created_at DESC, id LIMIT $4",
                        4, v, fields, out);
}

cm_err store_short_link_update(PGconn *pg, const char *id, const struct short_link_fields *f,
                               struct short_link_list *out)
{
    const char *v[5] = {id, f->scheme, f->netloc, f->full_path, f->expires_at};

    return CM_PG_SELECT_ONE(pg,
                            "UPDATE short_links SET scheme = coalesce($2, scheme),"
                            " netloc = coalesce($3, netloc), full_path = coalesce($4, full_path),"
                            " expires_at = CASE WHEN $5::text IS NULL THEN expires_at"
                            "   WHEN $5 = '' THEN NULL ELSE $5::timestamptz END"
                            " WHERE id = $1 RETURNING " COLUMNS,
                            5, v, fields, out);
}

cm_err store_short_link_follow(PGconn *pg, const char *code, char *out, size_t cap)
{
    const char *v[1] = {code};
    PGresult *res = NULL;
    cm_err err =
        cm_pg_one_row(cm_pg_query(pg,
                                  "UPDATE short_links SET redirect_count = redirect_count + 1"
                                  " WHERE code = $1 AND (expires_at IS NULL OR expires_at > now())"
                                  " RETURNING scheme || '://' || netloc || full_path AS url",
                                  1, v, &res),
                      &res);

    if (err != CM_OK)
        return err;
    cm_pg_copy(res, 0, "url", out, cap);
    PQclear(res);
    return CM_OK;
}
