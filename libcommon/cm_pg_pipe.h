/* cm_pg_pipe.h: one statement as data (SQL, parameters, and the store's
 * reader that turns its result into records), so that the statements of
 * several requests can go to Postgres together: cm_pg_pipeline sends them
 * in one libpq pipeline, each followed by a Sync (each its own implicit
 * transaction: one failing spoils none of the others), and reads the results
 * in order. One wake-up of the backend and of the worker serves the whole
 * batch instead of one per statement (issue 16). Statements are prepared
 * once per connection (cm_pg_prepared_name). Read-only statements only: a
 * statement whose answer was lost with the connection is run again. */
#ifndef CM_PG_PIPE_H
#define CM_PG_PIPE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

#define CM_PG_STMT_MAX_PARAMS 8

struct cm_pg_stmt {
    const char *sql; /* constant text (prepared once per connection) */
    int n;           /* parameters in values */
    const char *values[CM_PG_STMT_MAX_PARAMS]; /* text, NULL for SQL NULL; borrowed
                                                * until the statement ran */
    /* The store's reader: from a successful result (not kept) fills the
     * records at dst; CM_OK, or e.g. CM_ENOTFOUND for no row. */
    cm_err (*take)(const PGresult *res, void *dst);
    void *dst;
};

/* Runs s alone (cm_pg_exec_params: prepared, retried once on a lost
 * connection) and returns its error, or s->take's. */
cm_err cm_pg_stmt_run(PGconn *conn, const struct cm_pg_stmt *s);

/* Runs stmts[0..n) on conn (idle, outside a transaction) in one pipeline,
 * each its own transaction, and puts each one's outcome in errs[i]: the
 * statement's error (cm_pg_result_err) or its take's. A lost connection is
 * made again and the statements it left unanswered run one by one. With
 * one statement, or a connection inside a transaction, they simply run one
 * by one. */
void cm_pg_pipeline(PGconn *conn, const struct cm_pg_stmt *const *stmts, size_t n, cm_err *errs);

#endif
