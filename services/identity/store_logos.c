/* store_logos.c: SQL of logo_uploads and organization_logos
 * (store_logos.h). */
#include "store_logos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"

#define UPLOAD_COLUMNS                                                                             \
    "id::text AS id, content_type, floor(extract(epoch FROM expires_at))::bigint AS expires_at, "  \
    "expires_at <= now() AS expired, processed_at IS NOT NULL AS processed"

static void upload_of(const PGresult *res, struct logo_upload *out)
{
    cm_pg_copy(res, 0, "id", out->id, sizeof out->id);
    cm_pg_copy(res, 0, "content_type", out->content_type, sizeof out->content_type);
    out->expires_at = strtoll(cm_pg_col(res, 0, "expires_at"), NULL, 10);
    out->expired = cm_pg_bool(res, 0, "expired");
    out->processed = cm_pg_bool(res, 0, "processed");
}

cm_err store_logo_upload_new(PGconn *pg, const char *org, const char *content_type,
                             const char *filename, const char *user, int ttl_s,
                             struct logo_upload *out)
{
    char ttl[16];
    const char *v[5] = {org, content_type, filename, cm_pg_opt(user), ttl};
    PGresult *res;
    cm_err err;

    snprintf(ttl, sizeof ttl, "%d", ttl_s);
    /* what is done with goes: processed uploads and those expired an hour
     * ago; then at most LOGO_PENDING_MAX may wait */
    err = cm_pg_command(pg,
                        "DELETE FROM logo_uploads WHERE organization_id = $1 AND "
                        "(processed_at IS NOT NULL OR expires_at < now() - interval '1 hour')",
                        1, v, NULL);
    if (err == CM_OK) {
        long pending = 0;
        err = cm_pg_command(pg,
                            "SELECT 1 FROM logo_uploads WHERE organization_id = $1 "
                            "AND processed_at IS NULL",
                            1, v, &pending);
        if (err == CM_OK && pending >= LOGO_PENDING_MAX)
            return CM_ELIMIT;
    }
    if (err != CM_OK)
        return err;
    err = cm_pg_one_row(cm_pg_query(pg,
                                    "INSERT INTO logo_uploads (organization_id, content_type, "
                                    "filename, created_by, expires_at) VALUES ($1, $2, $3, "
                                    "$4::uuid, now() + make_interval(secs => $5::int)) "
                                    "RETURNING " UPLOAD_COLUMNS,
                                    5, v, &res),
                        &res);
    if (err != CM_OK)
        return err;
    upload_of(res, out);
    PQclear(res);
    return CM_OK;
}

cm_err store_logo_upload_get(PGconn *pg, const char *org, const char *id, struct logo_upload *out)
{
    const char *v[2] = {org, id};
    PGresult *res;
    cm_err err = cm_pg_one_row(cm_pg_query(pg,
                                           "SELECT " UPLOAD_COLUMNS
                                           " FROM logo_uploads WHERE organization_id = $1 "
                                           "AND id = $2::uuid",
                                           2, v, &res),
                               &res);

    if (err != CM_OK)
        return err;
    upload_of(res, out);
    PQclear(res);
    return CM_OK;
}

cm_err store_logo_upload_put(PGconn *pg, const char *id, const void *data, size_t len)
{
    const char *v[2] = {id, data};
    int lengths[2] = {0, (int)len}, formats[2] = {0, 1};

    return cm_pg_query_bin(pg,
                           "UPDATE logo_uploads SET data = $2, uploaded_at = now() WHERE id = $1",
                           2, v, lengths, formats, NULL);
}

/* The bytea column name of row 0 of res, unescaped into a new buffer. */
static cm_err bytes_of(const PGresult *res, const char *name, unsigned char **out, size_t *len)
{
    size_t n = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)cm_pg_col(res, 0, name), &n);

    if (!raw)
        return CM_ENOMEM;
    *out = cm_xmalloc(n ? n : 1);
    memcpy(*out, raw, n);
    *len = n;
    PQfreemem(raw);
    return CM_OK;
}

cm_err store_logo_upload_latest(PGconn *pg, const char *org, struct logo_upload *out,
                                unsigned char **data, size_t *len)
{
    const char *v[1] = {org};
    PGresult *res;
    cm_err err = cm_pg_one_row(cm_pg_query(pg,
                                           "SELECT " UPLOAD_COLUMNS
                                           ", data FROM logo_uploads WHERE organization_id = $1 "
                                           "AND data IS NOT NULL AND processed_at IS NULL "
                                           "ORDER BY uploaded_at DESC, id LIMIT 1",
                                           1, v, &res),
                               &res);

    if (err != CM_OK)
        return err;
    upload_of(res, out);
    err = bytes_of(res, "data", data, len);
    PQclear(res);
    return err;
}

cm_err store_logo_save(PGconn *pg, const char *org, const char *upload, const void *png, size_t len,
                       int w, int h)
{
    char ws[16], hs[16];
    const char *v[5] = {org, upload, png, ws, hs};
    int lengths[5] = {0, 0, (int)len, 0, 0}, formats[5] = {0, 0, 1, 0, 0};

    snprintf(ws, sizeof ws, "%d", w);
    snprintf(hs, sizeof hs, "%d", h);
    return cm_pg_query_bin(
        pg,
        "WITH l AS (INSERT INTO organization_logos (organization_id, png, width, height) "
        "VALUES ($1::uuid, $3, $4::int, $5::int) ON CONFLICT (organization_id) DO UPDATE SET "
        "png = EXCLUDED.png, width = EXCLUDED.width, height = EXCLUDED.height, "
        "updated_at = now()), "
        "u AS (UPDATE logo_uploads SET processed_at = now() WHERE id = $2::uuid) "
        "UPDATE organizations SET logo_url = '/v1/organizations/' || id::text || '/logo/', "
        "last_modified_time = now() WHERE id = $1::uuid",
        5, v, lengths, formats, NULL);
}

cm_err store_logo_get(PGconn *pg, const char *org, unsigned char **png, size_t *len)
{
    const char *v[1] = {org};
    PGresult *res;
    cm_err err = cm_pg_one_row(
        cm_pg_query(pg, "SELECT png FROM organization_logos WHERE organization_id = $1::uuid", 1, v,
                    &res),
        &res);

    if (err != CM_OK)
        return err;
    err = bytes_of(res, "png", png, len);
    PQclear(res);
    return err;
}
