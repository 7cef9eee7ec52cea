/* store_index.h: the SQL of the access index's sync (access_index_sync.h):
 * the snapshot of authz's tables, the change log index_log, this copy's
 * row in index_copies and the pruning recorded in index_pruned
 * (002_access_index.sql). Rows come out as access_change records whose
 * strings are borrowed from the statement's result, valid during the
 * callback only. */
#ifndef AUTHZ_STORE_INDEX_H
#define AUTHZ_STORE_INDEX_H

#include <libpq-fe.h>
#include <stddef.h>

#include "access_index.h"
#include "cm_err.h"

/* One row: seq is the log's (0 for a snapshot row, whose put is 1). */
struct index_row {
    long long seq;
    struct access_change c;
};

/* Receives n rows (borrowed, valid during the call). A non-CM_OK answer
 * stops the reading and is returned. */
typedef cm_err (*store_index_rows_fn)(void *ctx, const struct index_row *rows, size_t n);

/* Reads every table on pg in one REPEATABLE READ snapshot: first the seq it
 * is at (the log's last, or the pruned one when the log is empty) to
 * at_seq, then the rows in batches to fn. */
cm_err store_index_snapshot(PGconn *pg, void (*at_seq)(void *ctx, long long seq),
                            store_index_rows_fn fn, void *ctx);

/* The seq the log was pruned up to, into *out. */
cm_err store_index_pruned(PGconn *pg, long long *out);

/* The log's last seq (0 when empty), into *out. */
cm_err store_index_latest(PGconn *pg, long long *out);

/* The log rows after seq after, at most limit, in seq order, to fn; their
 * count into *out_n. */
cm_err store_index_log_page(PGconn *pg, long long after, int limit, store_index_rows_fn fn,
                            void *ctx, size_t *out_n);

/* LISTEN on the channel the log's trigger notifies (authz_index). */
cm_err store_index_listen(PGconn *pg);

/* Forgets copies not seen for an hour and names this one: a new uuid into
 * out (40 bytes). */
cm_err store_index_copy_new(PGconn *pg, char out[40]);

/* This copy's row: its applied seq, seen now. */
cm_err store_index_heartbeat(PGconn *pg, const char *copy_id, long long applied);

/* How many other copies seen within 3 s have not applied seq target, into
 * *out. */
cm_err store_index_copies_behind(PGconn *pg, const char *copy_id, long long target, long *out);

/* Deletes the log rows every copy seen within 10 minutes has applied and
 * records how far (index_pruned). */
cm_err store_index_prune(PGconn *pg);

/* Removes this copy's row. */
cm_err store_index_copy_drop(PGconn *pg, const char *copy_id);

#endif
