/* store_deletion.c: deletion requests and saga steps (store_deletion.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"
#include "cm_pg_select.h"
#include "cm_purge.h"
#include "store_deletion.h"

#define REQUEST_COLUMNS                                                                            \
    "r.id, coalesce(r.user_id::text, '') AS user_id, r.email, r.archive, r.type, r.status, "      \
    "to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS "           \
    "created_at, array_to_json(r.needles)::text AS needles, "                                     \
    "(SELECT coalesce(json_agg(json_build_object('app', s.app, 'operation', s.operation, "       \
    "'state', s.state, 'reference-id', s.reference_id) ORDER BY s.seq), '[]')::text "            \
    "FROM deletion_steps s WHERE s.request_id = r.id) AS steps"

/* Row i of res (REQUEST_COLUMNS) into the deletion_rec out (cm_pg_rec_fn). */
static void rec_of(const PGresult *res, int i, void *out)
{
    struct deletion_rec *rec = out;
    json_t *a, *v;
    size_t k;

    memset(rec, 0, sizeof *rec);
    cm_pg_copy(res, i, "id", rec->id, sizeof rec->id);
    cm_pg_copy(res, i, "user_id", rec->user_id, sizeof rec->user_id);
    cm_pg_copy(res, i, "email", rec->email, sizeof rec->email);
    rec->archive = cm_pg_bool(res, i, "archive");
    cm_pg_copy(res, i, "type", rec->type, sizeof rec->type);
    cm_pg_copy(res, i, "status", rec->status, sizeof rec->status);
    cm_pg_copy(res, i, "created_at", rec->created_at, sizeof rec->created_at);
    a = json_loads(cm_pg_col(res, i, "needles"), 0, NULL);
    json_array_foreach(a, k, v) if (k < DELETION_NEEDLES_MAX && json_is_string(v))
        snprintf(rec->needles[rec->nneedles++], sizeof rec->needles[0], "%s",
                 json_string_value(v));
    json_decref(a);
    a = json_loads(cm_pg_col(res, i, "steps"), 0, NULL);
    json_array_foreach(a, k, v)
    {
        struct deletion_step_rec *s = &rec->steps[rec->nsteps];
        if (k >= DELETION_STEPS_MAX)
            break;
        snprintf(s->app, sizeof s->app, "%s", json_string_value(json_object_get(v, "app")));
        snprintf(s->operation, sizeof s->operation, "%s",
                 json_string_value(json_object_get(v, "operation")));
        snprintf(s->state, sizeof s->state, "%s", json_string_value(json_object_get(v, "state")));
        snprintf(s->reference_id, sizeof s->reference_id, "%s",
                 json_string_value(json_object_get(v, "reference-id")));
        rec->nsteps++;
    }
    json_decref(a);
}

cm_err store_deletion_create(PGconn *pg, const char *user_id, const char *email,
                             const char *const *needles, size_t nneedles, int archive,
                             const char *type, const char *const *apps, struct deletion_rec *rec)
{
    size_t napps = 0;
    char *needle_arr = cm_purge_text_array((char *const *)needles, nneedles), *app_arr;
    PGresult *res;
    cm_err err;

    while (apps[napps])
        napps++;
    app_arr = cm_purge_text_array((char *const *)apps, napps);
    {
        const char *p[6] = {user_id, email, needle_arr, archive ? "true" : "false", type, app_arr};
        err = cm_pg_one_row(
            cm_pg_query(pg,
                        "WITH r AS (INSERT INTO deletion_requests (id, user_id, email, needles, "
                        "email_hash, archive, type) SELECT gen_random_uuid(), $1::uuid, $2, "
                        "$3::text[], sha256(k.key || convert_to(lower($2), 'UTF8')), "
                        "$4::boolean, $5 FROM privacy_key k RETURNING id), "
                        "s AS (INSERT INTO deletion_steps (request_id, seq, app) "
                        "SELECT r.id, a.n, a.app FROM r, unnest($6::text[]) WITH ORDINALITY "
                        "AS a(app, n)) SELECT id::text FROM r",
                        6, p, &res),
            &res);
    }
    free(needle_arr);
    free(app_arr);
    if (err != CM_OK)
        return err;
    snprintf(rec->id, sizeof rec->id, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return store_deletion_get(pg, rec->id, rec);
}

cm_err store_deletion_get(PGconn *pg, const char *id, struct deletion_rec *rec)
{
    const char *p[1] = {id};

    return cm_pg_select_rec(pg,
                            "SELECT " REQUEST_COLUMNS " FROM deletion_requests r WHERE r.id = $1::uuid",
                            1, p, rec_of, rec);
}

cm_err store_deletion_by_email(PGconn *pg, const char *email, const char *user_id, long limit,
                               long offset, struct deletion_rec **out, size_t *n)
{
    char lim[24], off[24];
    const char *p[4] = {email, user_id, lim, off};
    void *recs = NULL;
    cm_err err;

    snprintf(lim, sizeof lim, "%ld", limit);
    snprintf(off, sizeof off, "%ld", offset);
    err = cm_pg_select_recs(pg,
                            "SELECT " REQUEST_COLUMNS " FROM deletion_requests r, privacy_key k "
                            "WHERE r.email_hash = sha256(k.key || convert_to(lower($1), 'UTF8')) "
                            "AND ($2::uuid IS NULL OR r.user_id = $2::uuid) "
                            "ORDER BY r.created_at DESC LIMIT $3::bigint OFFSET $4::bigint",
                            4, p, rec_of, sizeof(struct deletion_rec), &recs, n);
    if (err == CM_OK)
        *out = recs;
    return err;
}

cm_err store_deletion_step_done(PGconn *pg, const char *request_id, const char *reference_id)
{
    const char *p[2] = {reference_id, request_id};
    long rows = 0;
    cm_err err = cm_pg_command(pg,
                               "UPDATE deletion_steps SET state = 'done', updated_at = now() "
                               "WHERE reference_id = $1::uuid AND ($2::uuid IS NULL OR "
                               "request_id = $2::uuid)",
                               2, p, &rows);
    if (err == CM_OK && rows == 0)
        err = CM_ENOTFOUND;
    return err;
}

cm_err store_deletion_claim(PGconn *pg, int lease_s, struct deletion_rec *rec)
{
    char lease[16];
    const char *p[1] = {lease};

    snprintf(lease, sizeof lease, "%d", lease_s);
    return cm_pg_select_rec(pg,
                            "WITH c AS (UPDATE deletion_requests SET lease_until = now() + "
                            "make_interval(secs => $1::integer) WHERE id = (SELECT id FROM "
                            "deletion_requests WHERE status = 'running' AND (lease_until IS NULL "
                            "OR lease_until < now()) ORDER BY created_at LIMIT 1 FOR UPDATE SKIP "
                            "LOCKED) RETURNING id) SELECT " REQUEST_COLUMNS
                            " FROM deletion_requests r JOIN c ON c.id = r.id",
                            1, p, rec_of, rec);
}

cm_err store_deletion_finish(PGconn *pg, const char *id, int *out_done)
{
    const char *p[1] = {id};
    long rows = 0;
    cm_err err = cm_pg_command(pg,
                               "UPDATE deletion_requests SET status = 'done', user_id = NULL, "
                               "email = '', needles = '{}', lease_until = NULL, done_at = now() "
                               "WHERE id = $1::uuid AND status = 'running' AND NOT EXISTS "
                               "(SELECT 1 FROM deletion_steps WHERE request_id = $1::uuid AND "
                               "state <> 'done')",
                               1, p, &rows);
    *out_done = err == CM_OK && rows == 1;
    return err;
}
