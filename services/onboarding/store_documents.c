/* store_documents.c: SQL of service documents, agreements and check-ins
 * (store_documents.h). */
#include "store_documents.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"
#include "cm_pg_select.h"

#define RFC3339(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#define DOC_COLUMNS                                                                                \
    "d.id::text AS id, coalesce(d.organization_id::text, '') AS organization_id, d.type, "         \
    "d.version, d.title, d.html_link, d.translations::text AS translations, d.required, " RFC3339( \
        "d.created_at") " AS created_at"

/* the documents of the platform and of the organizations $1 */
#define DOC_SCOPE                                                                                  \
    "(d.organization_id IS NULL OR d.organization_id IN "                                          \
    "(SELECT x::uuid FROM jsonb_array_elements_text($1::jsonb) x))"

/* d is the current version of its (organization, type) */
#define DOC_CURRENT                                                                                \
    "NOT EXISTS (SELECT 1 FROM service_documents n WHERE n.organization_id IS NOT DISTINCT FROM "  \
    "d.organization_id AND n.type = d.type AND n.created_at > d.created_at)"

#define F(col, kind, member)                                                                       \
    {                                                                                              \
        col, kind, offsetof(struct doc_rec, member)                                                \
    }
static const struct cm_pg_field doc_fields[] = {
    F("id", CM_PG_STR, id),
    F("organization_id", CM_PG_STR, organization_id),
    F("type", CM_PG_STR, type),
    F("version", CM_PG_STR, version),
    F("title", CM_PG_STR, title),
    F("html_link", CM_PG_STR, html_link),
    F("html", CM_PG_STR, html),
    F("translations", CM_PG_STR, translations),
    F("created_at", CM_PG_STR, created_at),
    F("required", CM_PG_BOOL, required),
};
#undef F

void store_doc_list_free(struct doc_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

cm_err store_docs_list(PGconn *pg, const char *orgs_json, int latest, struct doc_list *out)
{
    const char *v[] = {orgs_json, latest ? "true" : "false"};

    memset(out, 0, sizeof *out);
    return CM_PG_SELECT(pg,
                        "SELECT " DOC_COLUMNS " FROM service_documents d WHERE " DOC_SCOPE
                        " AND (NOT $2::boolean OR " DOC_CURRENT ") "
                        "ORDER BY d.organization_id NULLS FIRST, d.type, d.created_at DESC, d.id",
                        2, v, doc_fields, out);
}

cm_err store_doc_get(PGconn *pg, const char *id, struct doc_list *out)
{
    const char *v[] = {id};
    cm_err err;

    memset(out, 0, sizeof *out);
    err = CM_PG_SELECT(pg,
                       "SELECT " DOC_COLUMNS ", d.html FROM service_documents d "
                       "WHERE d.id = $1::uuid",
                       1, v, doc_fields, out);
    if (err == CM_OK && out->n == 0) {
        store_doc_list_free(out);
        err = CM_ENOTFOUND;
    }
    return err;
}

cm_err store_docs_missing(PGconn *pg, const char *user_id, const char *orgs_json,
                          const char *given_json, struct doc_list *out)
{
    const char *v[] = {orgs_json, user_id, given_json};

    memset(out, 0, sizeof *out);
    return CM_PG_SELECT(
        pg,
        "SELECT " DOC_COLUMNS " FROM service_documents d WHERE " DOC_SCOPE
        " AND d.required AND " DOC_CURRENT
        " AND d.id::text NOT IN (SELECT lower(x) FROM jsonb_array_elements_text($3::jsonb) x) "
        "AND ($2::uuid IS NULL OR NOT EXISTS (SELECT 1 FROM "
        "service_document_agreements a WHERE a.user_id = $2::uuid "
        "AND a.document_id = d.id)) "
        "ORDER BY d.organization_id NULLS FIRST, d.type, d.id",
        3, v, doc_fields, out);
}

cm_err store_agreements_add(PGconn *pg, const char *user_id, const char *ids_json, char unknown[37],
                            long *out_added)
{
    const char *v[] = {ids_json, user_id};
    PGresult *res = NULL;
    cm_err err;

    unknown[0] = '\0';
    /* one statement: the known ids written, the first unknown one named */
    err =
        cm_pg_query(pg,
                    "WITH ids AS (SELECT DISTINCT x::uuid AS id FROM "
                    "jsonb_array_elements_text($1::jsonb) x), "
                    "bad AS (SELECT i.id FROM ids i WHERE NOT EXISTS "
                    "(SELECT 1 FROM service_documents d WHERE d.id = i.id) ORDER BY i.id LIMIT 1), "
                    "ins AS (INSERT INTO service_document_agreements (user_id, document_id) "
                    "SELECT $2::uuid, d.id FROM ids i JOIN service_documents d ON d.id = i.id "
                    "ON CONFLICT DO NOTHING RETURNING 1) "
                    "SELECT coalesce((SELECT id::text FROM bad), '') AS unknown, "
                    "(SELECT count(*) FROM ins) AS added",
                    2, v, &res);
    if (err != CM_OK)
        return err;
    cm_pg_copy(res, 0, "unknown", unknown, 37);
    *out_added = atol(cm_pg_col(res, 0, "added"));
    PQclear(res);
    return CM_OK;
}

cm_err store_agreements_delete(PGconn *pg, const char *user_id, long *out_deleted)
{
    const char *v[] = {user_id};

    return cm_pg_command(pg, "DELETE FROM service_document_agreements WHERE user_id = $1::uuid", 1,
                         v, out_deleted);
}

/* --- check-ins --- */

#define CHECKIN_COLUMNS                                                                            \
    "id::text AS id, user_id::text AS user_id, "                                                   \
    "coalesce(organization_id::text, '') AS organization_id, source, model, os_version, "          \
    "app_version, " RFC3339("created_at") " AS created_at"

#define F(col, member)                                                                             \
    {                                                                                              \
        col, CM_PG_STR, offsetof(struct checkin_rec, member)                                       \
    }
static const struct cm_pg_field checkin_fields[] = {
    F("id", id),
    F("user_id", user_id),
    F("organization_id", organization_id),
    F("source", source),
    F("model", model),
    F("os_version", os_version),
    F("app_version", app_version),
    F("created_at", created_at),
};
#undef F

void store_checkin_list_free(struct checkin_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

cm_err store_checkin_insert(PGconn *pg, const struct checkin_rec *c, struct checkin_list *out)
{
    const char *v[] = {c->user_id,    cm_pg_opt(c->organization_id),
                       c->source,     c->model,
                       c->os_version, c->app_version};

    memset(out, 0, sizeof *out);
    return CM_PG_SELECT(pg,
                        "INSERT INTO user_checkins (user_id, organization_id, source, model, "
                        "os_version, app_version) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6) "
                        "RETURNING " CHECKIN_COLUMNS,
                        6, v, checkin_fields, out);
}

cm_err store_checkins_list(PGconn *pg, const char *user_id, const char *source, long limit,
                           long offset, struct checkin_list *out)
{
    char lim[24], off[24];
    const char *v[] = {user_id, cm_pg_opt(source), lim, off};

    snprintf(lim, sizeof lim, "%ld", limit);
    snprintf(off, sizeof off, "%ld", offset);
    memset(out, 0, sizeof *out);
    return CM_PG_SELECT(pg,
                        "SELECT " CHECKIN_COLUMNS " FROM user_checkins WHERE user_id = $1::uuid "
                        "AND ($2::text IS NULL OR source = $2) "
                        "ORDER BY created_at DESC, id LIMIT $3::bigint OFFSET $4::bigint",
                        4, v, checkin_fields, out);
}

cm_err store_docs_gated(PGconn *pg, const char *orgs_json, struct gated_list *out)
{
    const char *v[1] = {orgs_json};
    PGresult *res = NULL;
    cm_err err;
    int n;

    memset(out, 0, sizeof *out);
    err = cm_pg_query(pg,
                      "SELECT DISTINCT coalesce(organization_id::text, '') FROM ("
                      " SELECT DISTINCT ON (organization_id, type) organization_id, required"
                      " FROM service_documents WHERE organization_id IS NULL OR organization_id"
                      " IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb))"
                      " ORDER BY organization_id, type, created_at DESC) d WHERE required",
                      1, v, &res);
    if (err != CM_OK)
        return err;
    n = PQntuples(res);
    out->org_ids = cm_xcalloc((size_t)n + 1, sizeof *out->org_ids);
    for (int i = 0; i < n; i++) {
        const char *org = PQgetvalue(res, i, 0);
        if (!org[0])
            out->platform = 1;
        else
            out->org_ids[out->n++] = cm_xstrdup(org);
    }
    PQclear(res);
    return CM_OK;
}

void store_gated_list_free(struct gated_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->org_ids[i]);
    free(l->org_ids);
    memset(l, 0, sizeof *l);
}
