/* cm_pg_pipe.h: one statement as data (SQL, parameters, and the store's
 * reader that turns its result into records), so that the statements of
 * several requests can go to Postgres together: cm_pg_pipeline sends them
 * in one libpq pipeline, each followed by a Sync (each its own implicit
 * transaction: one failing spoils none of the others), and reads the results
 * in order. One wake-up of the backend and of the worker serves the whole
 * batch instead of one per statement (issue 16). cm_pg_batch goes further
 * for reads of one row that offer a batch form: one statement for the
 * whole batch, so the backend starts its plan once. Statements are prepared
 * once per connection (cm_pg_prepared_name). Read-only statements only: a
 * statement whose answer was lost with the connection is run again. */
#ifndef CM_PG_PIPE_H
#define CM_PG_PIPE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

#define CM_PG_STMT_MAX_PARAMS 8

struct cm_pg_stmt {
    const char *sql;                           /* constant text (prepared once per connection) */
    int n;                                     /* parameters in values */
    const char *values[CM_PG_STMT_MAX_PARAMS]; /* text, NULL for SQL NULL; borrowed
                                                * until the statement ran */
    /* The store's reader: from a successful result (not kept) fills the
     * records at dst; CM_OK, or e.g. CM_ENOTFOUND for no row. */
    cm_err (*take)(const PGresult *res, void *dst);
    void *dst;
    /* Optional, for a read of at most one row: the same read for a whole
     * batch in one statement (constant text). Its $k is the text[] of the
     * k-th values of every statement of the batch, in batch order, and each
     * row it returns carries the 1-based position of its statement in the
     * column "batch_n". take_row fills dst from that row; a statement
     * without a row is CM_ENOTFOUND. */
    const char *batch_sql;
    cm_err (*take_row)(const PGresult *res, int row, void *dst);
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

/* Runs stmts[0..n) with one executor start-up for all when they can: when
 * there are two or more and all have the same batch_sql, as that one
 * statement (one transaction for the batch: read-only, so they see one
 * snapshot, as reads started together would); if it fails, or they differ,
 * as cm_pg_pipeline does (each its own transaction and answer). Outcomes
 * in errs[i], as cm_pg_pipeline. */
void cm_pg_batch(PGconn *conn, const struct cm_pg_stmt *const *stmts, size_t n, cm_err *errs);

#endif
