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
