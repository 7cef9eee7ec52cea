/* cm_batch.h: read operations whose one statement goes to Postgres together
 * with those of the other requests a worker read at once (issue 16).
 *
 * A worker's cm_wire_pump hands it every request of one read from NATS.
 * An operation written as a cm_read_op (input and access before its
 * statement, render after it) does not run its statement at once: the
 * request waits on the worker's batch, and when the pump has delivered the
 * whole read (or a request that is not a GET comes, or the batch is full)
 * cm_batch_run sends every waiting statement in one libpq pipeline
 * (cm_pg_pipeline: each its own transaction), or as one statement when they
 * are the same read of one row offering a batch form (cm_pg_batch), and
 * finishes each request from its own result, in arrival order. On a thread without a batch (the
 * slow-work pool) the statement runs at once: same answers. */
#ifndef CM_BATCH_H
#define CM_BATCH_H

#include <stddef.h>

#include "cm_pg_pipe.h"
#include "cm_service.h"

/* A read operation in two halves around its one statement. */
struct cm_read_op {
    size_t ctx_size; /* the operation's state, zeroed, kept from begin to end */
    /* Input and access: everything before the statement, which it
     * describes in *stmt (parameters pointing into ctx or rq: they must
     * stay valid until end). CM_OK: the statement runs, then end; any other
     * error answers the request at once (end is not called). */
    cm_err (*begin)(struct cm_req *rq, void *ctx, struct cm_pg_stmt *stmt);
    /* After the statement: err is its outcome (cm_pg_stmt.take's, or the
     * database's error). Answers into out or returns the error to answer
     * (cm_fail), and releases what ctx holds (ctx itself is freed after). */
    cm_err (*end)(struct cm_req *rq, void *ctx, cm_err err, struct cm_resp *out);
};

/* The handler of a read operation (cm_http_handler shape): runs op->begin;
 * when rq may wait (rq->can_defer, a worker with a batch that has room) it
 * queues the statement and marks rq->deferred (the caller must then leave rq
 * to cm_batch_run, which answers it); otherwise runs the statement now and
 * returns op->end's answer. */
cm_err cm_read_handle(struct cm_req *rq, struct cm_resp *out, const struct cm_read_op *op);

struct cm_batch;

/* A batch for at most cap waiting reads (caller cm_batch_free). */
struct cm_batch *cm_batch_new(size_t cap);

/* Frees b (NULL is a no-op); it must be empty (cm_batch_run). */
void cm_batch_free(struct cm_batch *b);

/* Reads waiting on b. */
size_t cm_batch_pending(const struct cm_batch *b);

/* True when b has no room for another read. */
int cm_batch_full(const struct cm_batch *b);

/* Called by cm_batch_run for each request, in arrival order, with its end's
 * outcome: must answer rq and free it (with out's body). */
typedef void (*cm_batch_answer)(void *arg, struct cm_req *rq, cm_err err, struct cm_resp *out);

/* Runs the statements of b's waiting reads on pg (together when more than
 * one: cm_pg_batch), then each one's end and answer(arg, ...); b is
 * empty after. Returns how many statements ran. */
size_t cm_batch_run(struct cm_batch *b, PGconn *pg, cm_batch_answer answer, void *arg);

#endif
