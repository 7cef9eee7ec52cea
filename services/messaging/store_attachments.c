/* store_attachments.c: the SQL of attachments (attachment.h): an upload's
 * rows and event in one transaction, a record by id within an organization,
 * and the content read back one 256 KiB row at a time. */
#include "attachment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_outbox.h"
#include "cm_pg.h"
#include "messaging.pb-c.h"

#define TIME_FMT "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"

cm_err store_attachment_begin(PGconn *pg)
{
    return cm_pg_begin(pg);
}

cm_err store_attachment_row(PGconn *pg, const char *id, int seq, const uint8_t *data, size_t len)
{
    char seqs[16];
    const char *values[3] = {id, seqs, (const char *)data};
    int lengths[3] = {0, 0, (int)len};
    int formats[3] = {0, 0, 1};

    snprintf(seqs, sizeof seqs, "%d", seq);
    return cm_pg_query_bin(pg,
                           "INSERT INTO attachment_chunks (attachment_id, seq, data) "
                           "VALUES ($1, $2, $3)",
                           3, values, lengths, formats, NULL);
}

cm_err store_attachment_commit(PGconn *pg, struct attachment_rec *r)
{
    Messaging__AttachmentCreated ev = MESSAGING__ATTACHMENT_CREATED__INIT;
    char size[32];
    const char *values[7] = {r->id, r->organization_id, r->user_id, r->name, r->mime_type, size,
                             r->sha256};
    PGresult *res = NULL;
    cm_err err;

    snprintf(size, sizeof size, "%lld", (long long)r->size);
    err = cm_pg_one_row(cm_pg_query(pg,
                                    "INSERT INTO attachments (id, organization_id, user_id, name, "
                                    "mime_type, size, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                                    "RETURNING " TIME_FMT " AS time_created",
                                    7, values, &res),
                        &res);
    if (err == CM_OK) {
        cm_pg_copy(res, 0, "time_created", r->time_created, sizeof r->time_created);
        PQclear(res);
        ev.id = r->id;
        ev.organization_id = r->organization_id;
        ev.user_id = r->user_id;
        ev.name = r->name;
        ev.mime_type = r->mime_type;
        ev.size = (uint64_t)r->size;
        ev.sha256 = r->sha256;
        err = cm_outbox_add(pg, "evt.messaging.attachment.created", &ev.base, NULL);
    }
    return cm_pg_end(pg, err);
}

void store_attachment_abort(PGconn *pg)
{
    cm_pg_rollback(pg);
}

#define ATTACHMENT_COLS                                                                            \
    "SELECT a.id, a.organization_id, a.user_id, a.name, a.mime_type, a.size, a.sha256, " TIME_FMT \
    " AS time_created FROM attachments a "

/* The one attachment row sql (two parameters) finds into *out. */
static cm_err get_one(PGconn *pg, const char *sql, const char *const values[2],
                      struct attachment_rec *out)
{
    PGresult *res = NULL;
    cm_err err = cm_pg_one_row(cm_pg_query(pg, sql, 2, values, &res), &res);

    if (err != CM_OK)
        return err;
    cm_pg_copy(res, 0, "id", out->id, sizeof out->id);
    cm_pg_copy(res, 0, "organization_id", out->organization_id, sizeof out->organization_id);
    cm_pg_copy(res, 0, "user_id", out->user_id, sizeof out->user_id);
    cm_pg_copy(res, 0, "name", out->name, sizeof out->name);
    cm_pg_copy(res, 0, "mime_type", out->mime_type, sizeof out->mime_type);
    cm_pg_copy(res, 0, "sha256", out->sha256, sizeof out->sha256);
    cm_pg_copy(res, 0, "time_created", out->time_created, sizeof out->time_created);
    out->size = strtoll(cm_pg_col(res, 0, "size"), NULL, 10);
    PQclear(res);
    return CM_OK;
}

cm_err store_attachment_get(PGconn *pg, const char *org, const char *id,
                            struct attachment_rec *out)
{
    const char *values[2] = {id, org};

    return get_one(pg, ATTACHMENT_COLS "WHERE a.id = $1 AND a.organization_id = $2", values, out);
}

cm_err store_attachment_get_for_person(PGconn *pg, const char *user_id, const char *id,
                                       struct attachment_rec *out)
{
    const char *values[2] = {id, user_id};

    return get_one(pg,
                   ATTACHMENT_COLS
                   "WHERE a.id = $1 AND EXISTS (SELECT 1 FROM clinical_messages m "
                   "JOIN clinical_participants p ON p.thread_id = m.thread_id AND p.person "
                   "JOIN clinical_threads t ON t.id = m.thread_id "
                   "WHERE p.user_id = $2 AND m.attachment_ids ? $1 "
                   "AND t.organization_id::text = a.organization_id)",
                   values, out);
}

cm_err store_attachments_unknown(PGconn *pg, const char *org, const char *ids_json,
                                 char **out_json)
{
    const char *values[2] = {org, ids_json};
    PGresult *res = NULL;
    cm_err err = cm_pg_one_row(
        cm_pg_query(pg,
                    "SELECT COALESCE(jsonb_agg(x.id ORDER BY x.n), '[]')::text AS unknown "
                    "FROM jsonb_array_elements_text($2::jsonb) WITH ORDINALITY AS x(id, n) "
                    "WHERE NOT EXISTS (SELECT 1 FROM attachments a "
                    "WHERE a.id = x.id AND a.organization_id = $1)",
                    2, values, &res),
        &res);

    if (err != CM_OK)
        return err;
    *out_json = strdup(cm_pg_col(res, 0, "unknown"));
    PQclear(res);
    if (!*out_json)
        abort(); /* out of memory: cm_xmalloc's policy */
    return CM_OK;
}

cm_err store_attachment_each_row(PGconn *pg, const char *id,
                                 cm_err (*each)(void *ctx, const uint8_t *data, size_t len),
                                 void *ctx)
{
    int formats[2] = {0, 0};
    char seqs[16];
    const char *values[2] = {id, seqs};

    for (int seq = 0;; seq++) {
        PGresult *res = NULL;
        cm_err err;
        snprintf(seqs, sizeof seqs, "%d", seq);
        res = cm_pg_exec_params(pg,
                                "SELECT data FROM attachment_chunks "
                                "WHERE attachment_id = $1 AND seq = $2",
                                2, NULL, values, NULL, formats, 1); /* bytea as bytes */
        err = cm_pg_result_err(res);
        if (err != CM_OK) {
            PQclear(res);
            return err;
        }
        if (PQntuples(res) != 1) {
            PQclear(res);
            return CM_OK; /* past the last row */
        }
        err = each(ctx, (const uint8_t *)PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
        PQclear(res);
        if (err != CM_OK)
            return err;
    }
}
