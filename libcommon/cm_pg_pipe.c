/* cm_pg_pipe.c: statements as data, run alone or several in one libpq
 * pipeline (cm_pg_pipe.h). */
#include "cm_pg_pipe.h"

#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_pg.h"

#define NAME_LEN 40

cm_err cm_pg_stmt_run(PGconn *conn, const struct cm_pg_stmt *s)
{
    PGresult *res;
    cm_err err = cm_pg_query(conn, s->sql, s->n, s->values, &res);

    if (err != CM_OK)
        return err;
    err = s->take(res, s->dst);
    PQclear(res);
    return err;
}

/* stmts[from..n) one by one. */
static void run_each(PGconn *conn, const struct cm_pg_stmt *const *stmts, size_t from, size_t n,
                     cm_err *errs)
{
    for (size_t i = from; i < n; i++)
        errs[i] = cm_pg_stmt_run(conn, stmts[i]);
}

/* Queues statement s (prepared as name, or unprepared when name is "") and
 * its Sync. 0 when libpq could not (the connection is gone). */
static int send_one(PGconn *conn, const struct cm_pg_stmt *s, const char *name)
{
    int ok = name[0] ? PQsendQueryPrepared(conn, name, s->n, s->values, NULL, NULL, 0)
                     : PQsendQueryParams(conn, s->sql, s->n, NULL, s->values, NULL, NULL, 0);
    return ok && PQpipelineSync(conn);
}

/* Reads the answer of s: its result, the end of its results and its Sync.
 * Sets *err to its outcome; returns 0 when the connection was lost or the
 * answer was not the expected one (then *err is not an answer). */
static int read_one(PGconn *conn, const struct cm_pg_stmt *s, cm_err *err)
{
    PGresult *res = PQgetResult(conn);
    int ok = res && PQresultStatus(res) != PGRES_PIPELINE_SYNC;

    if (ok) {
        *err = cm_pg_result_err(res);
        if (*err == CM_OK)
            *err = s->take(res, s->dst);
        ok = *err != CM_EUNAVAIL; /* lost with the connection: run it again */
    }
    PQclear(res);
    if (!ok)
        return 0;
    res = PQgetResult(conn); /* NULL: the end of this statement's results */
    ok = res == NULL;
    PQclear(res);
    if (!ok)
        return 0;
    res = PQgetResult(conn);
    ok = res && PQresultStatus(res) == PGRES_PIPELINE_SYNC;
    PQclear(res);
    return ok;
}

void cm_pg_pipeline(PGconn *conn, const struct cm_pg_stmt *const *stmts, size_t n, cm_err *errs)
{
    char(*names)[NAME_LEN];
    size_t sent = 0, done = 0;
    int lost = 0;

    if (n < 2 || PQtransactionStatus(conn) != PQTRANS_IDLE ||
        PQpipelineStatus(conn) != PQ_PIPELINE_OFF) {
        run_each(conn, stmts, 0, n, errs);
        return;
    }
    names = cm_xcalloc(n, sizeof *names);
    for (size_t i = 0; i < n; i++) {
        if (cm_pg_prepared_name(conn, stmts[i]->sql, stmts[i]->n, names[i], NAME_LEN) != 0) {
            free(names);
            run_each(conn, stmts, 0, n, errs); /* each gets its own answer */
            return;
        }
    }
    if (!PQenterPipelineMode(conn)) {
        free(names);
        run_each(conn, stmts, 0, n, errs);
        return;
    }
    while (sent < n && send_one(conn, stmts[sent], names[sent]))
        sent++;
    lost = sent < n;
    while (done < sent && read_one(conn, stmts[done], &errs[done]))
        done++;
    if (done < sent || !PQexitPipelineMode(conn))
        lost = 1;
    free(names);
    if (lost) {
        cm_warn("postgres pipeline broken off after %zu of %zu statements: %.*s; "
                "reconnecting, the rest run one by one",
                done, n, (int)strcspn(PQerrorMessage(conn), "\n"), PQerrorMessage(conn));
        cm_pg_reconnect(conn); /* also leaves pipeline mode */
        run_each(conn, stmts, done, n, errs);
    }
}

/* Appends v to b (cap *cap, length *len) as an element of a Postgres array
 * literal: NULL, or double-quoted with " and \\ escaped. */
static void array_add(char **b, size_t *len, size_t *cap, const char *v, int first)
{
    size_t need = (v ? 2 * strlen(v) + 3 : 4) + 2;

    if (*len + need >= *cap) {
        *cap = (*len + need) * 2;
        *b = cm_xrealloc(*b, *cap);
    }
    if (!first)
        (*b)[(*len)++] = ',';
    if (!v) {
        memcpy(*b + *len, "NULL", 4);
        *len += 4;
    } else {
        (*b)[(*len)++] = '"';
        for (; *v; v++) {
            if (*v == '"' || *v == '\\')
                (*b)[(*len)++] = '\\';
            (*b)[(*len)++] = *v;
        }
        (*b)[(*len)++] = '"';
    }
    (*b)[*len] = '\0';
}

/* 1 when stmts[0..n) share one batch form. */
static int same_batch(const struct cm_pg_stmt *const *stmts, size_t n)
{
    if (n < 2 || !stmts[0]->batch_sql || !stmts[0]->take_row)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (stmts[i]->batch_sql != stmts[0]->batch_sql || stmts[i]->n != stmts[0]->n ||
            stmts[i]->take_row != stmts[0]->take_row)
            return 0;
    return 1;
}

/* The batch as one statement: CM_OK with errs filled, or the statement's
 * error (errs untouched). */
static cm_err run_merged(PGconn *conn, const struct cm_pg_stmt *const *stmts, size_t n,
                         cm_err *errs)
{
    int np = stmts[0]->n, col;
    char *arrays[CM_PG_STMT_MAX_PARAMS] = {0};
    const char *values[CM_PG_STMT_MAX_PARAMS];
    int *row_of = cm_xcalloc(n, sizeof *row_of);
    PGresult *res = NULL;
    cm_err err;

    for (int k = 0; k < np; k++) {
        size_t len = 1, cap = 64;
        arrays[k] = cm_xmalloc(cap);
        arrays[k][0] = '{';
        for (size_t i = 0; i < n; i++)
            array_add(&arrays[k], &len, &cap, stmts[i]->values[k], i == 0);
        arrays[k][len++] = '}';
        arrays[k][len] = '\0';
        values[k] = arrays[k];
    }
    err = cm_pg_query(conn, stmts[0]->batch_sql, np, values, &res);
    for (int k = 0; k < np; k++)
        free(arrays[k]);
    if (err == CM_OK && (col = PQfnumber(res, "batch_n")) < 0)
        err = CM_EINTERNAL;
    if (err == CM_OK) {
        for (size_t i = 0; i < n; i++)
            row_of[i] = -1;
        for (int r = 0; r < PQntuples(res); r++) {
            long at = strtol(PQgetvalue(res, r, col), NULL, 10);
            if (at >= 1 && (size_t)at <= n)
                row_of[at - 1] = r;
        }
        for (size_t i = 0; i < n; i++)
            errs[i] =
                row_of[i] < 0 ? CM_ENOTFOUND : stmts[i]->take_row(res, row_of[i], stmts[i]->dst);
    }
    PQclear(res);
    free(row_of);
    return err;
}

void cm_pg_batch(PGconn *conn, const struct cm_pg_stmt *const *stmts, size_t n, cm_err *errs)
{
    if (same_batch(stmts, n) && PQtransactionStatus(conn) == PQTRANS_IDLE &&
        run_merged(conn, stmts, n, errs) == CM_OK)
        return;
    cm_pg_pipeline(conn, stmts, n, errs);
}
