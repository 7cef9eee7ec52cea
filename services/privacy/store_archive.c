/* store_archive.c: archive requests (store_archive.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "cm_alloc.h"
#include "cm_pg.h"
#include "cm_pg_select.h"
#include "store_archive.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define COLUMNS                                                                                    \
    "id, created_by, email, individual_id, interview_id, request_state, " TS("created_at")        \
    " AS created_at, " TS("last_modified") " AS last_modified"

static void rec_of(const PGresult *res, int i, void *out)
{
    struct archive_rec *r = out;

    cm_pg_copy(res, i, "id", r->id, sizeof r->id);
    cm_pg_copy(res, i, "created_by", r->created_by, sizeof r->created_by);
    cm_pg_copy(res, i, "email", r->email, sizeof r->email);
    cm_pg_copy(res, i, "individual_id", r->individual_id, sizeof r->individual_id);
    cm_pg_copy(res, i, "interview_id", r->interview_id, sizeof r->interview_id);
    cm_pg_copy(res, i, "request_state", r->request_state, sizeof r->request_state);
    cm_pg_copy(res, i, "created_at", r->created_at, sizeof r->created_at);
    cm_pg_copy(res, i, "last_modified", r->last_modified, sizeof r->last_modified);
}

/* The one row of sql into rec. */
static cm_err one(PGconn *pg, const char *sql, int n, const char *const *p,
                  struct archive_rec *rec)
{
    return cm_pg_select_rec(pg, sql, n, p, rec_of, rec);
}

cm_err store_archive_create(PGconn *pg, const char *created_by, const char *email,
                            const char *individual_id, struct archive_rec *rec)
{
    const char *p[3] = {created_by, email, individual_id};
    return one(pg,
               "INSERT INTO archive_requests (created_by, email, individual_id) VALUES "
               "($1::uuid, $2, $3::uuid) RETURNING " COLUMNS,
               3, p, rec);
}

cm_err store_archive_get(PGconn *pg, const char *id, struct archive_rec *rec)
{
    const char *p[1] = {id};
    return one(pg, "SELECT " COLUMNS " FROM archive_requests WHERE id = $1::uuid", 1, p, rec);
}

cm_err store_archive_list(PGconn *pg, const char *created_by, const char *individual_id,
                          long limit, long offset, struct archive_rec **out, size_t *n)
{
    char lim[24], off[24];
    const char *p[4] = {created_by, individual_id, lim, off};
    void *recs = NULL;
    cm_err err;

    snprintf(lim, sizeof lim, "%ld", limit);
    snprintf(off, sizeof off, "%ld", offset);
    err = cm_pg_select_recs(pg,
                            "SELECT " COLUMNS " FROM archive_requests WHERE ($1::uuid IS NULL OR "
                            "created_by = $1::uuid) AND ($2::uuid IS NULL OR individual_id = "
                            "$2::uuid) ORDER BY created_at DESC, id LIMIT $3::bigint OFFSET $4::bigint",
                            4, p, rec_of, sizeof(struct archive_rec), &recs, n);
    if (err == CM_OK)
        *out = recs;
    return err;
}

/* The answer to question of request id, NULL when none (into buf). */
static cm_err answer_of(PGconn *pg, const char *id, const char *question, char *buf, size_t cap,
                        const char **out)
{
    const char *p[2] = {id, question};
    PGresult *res;
    cm_err err = cm_pg_query(pg,
                             "SELECT value FROM archive_answers WHERE request_id = $1::uuid AND "
                             "question_id = $2::uuid",
                             2, p, &res);
    if (err != CM_OK)
        return err;
    *out = NULL;
    if (PQntuples(res) == 1) {
        snprintf(buf, cap, "%s", PQgetvalue(res, 0, 0));
        *out = buf;
    }
    PQclear(res);
    return CM_OK;
}

cm_err store_archive_answer(PGconn *pg, const char *id, const char *question_id,
                            const char *value, struct archive_rec *rec)
{
    const char *p[3] = {id, question_id, value};
    char cbuf[256], rbuf[256];
    const char *confirm = NULL, *reason = NULL;
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = one(pg, "SELECT " COLUMNS " FROM archive_requests WHERE id = $1::uuid FOR UPDATE", 1,
                  p, rec);
    if (err == CM_OK && strcmp(rec->request_state, "interview-pending"))
        err = CM_ECONFLICT;
    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "INSERT INTO archive_answers (request_id, question_id, value) VALUES "
                            "($1::uuid, $2::uuid, $3) ON CONFLICT (request_id, question_id) DO "
                            "UPDATE SET value = EXCLUDED.value, answered_at = now()",
                            3, p, NULL);
    if (err == CM_OK)
        err = answer_of(pg, id, ARCHIVE_Q_CONFIRM, cbuf, sizeof cbuf, &confirm);
    if (err == CM_OK)
        err = answer_of(pg, id, ARCHIVE_Q_REASON, rbuf, sizeof rbuf, &reason);
    if (err == CM_OK) {
        const char *q[2] = {id, archive_state_after(confirm, reason)};
        err = one(pg,
                  "UPDATE archive_requests SET request_state = $2, last_modified = now() WHERE "
                  "id = $1::uuid RETURNING " COLUMNS,
                  2, q, rec);
    }
    return cm_pg_end(pg, err);
}
