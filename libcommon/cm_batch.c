/* cm_batch.c: a worker's waiting reads and their one pipeline
 * (cm_batch.h). */
#include "cm_batch.h"

#include <stdlib.h>

#include "cm_alloc.h"
#include "cm_log.h"

struct cm_batch_item {
    struct cm_req *rq;
    const struct cm_read_op *op;
    void *ctx;
    struct cm_pg_stmt stmt;
};

struct cm_batch {
    size_t n, cap;
    struct cm_batch_item *items;
    const struct cm_pg_stmt **stmts; /* cap each, for cm_pg_pipeline */
    cm_err *errs;
};

struct cm_batch *cm_batch_new(size_t cap)
{
    struct cm_batch *b = cm_xcalloc(1, sizeof *b);

    b->cap = cap ? cap : 1;
    b->items = cm_xcalloc(b->cap, sizeof *b->items);
    b->stmts = cm_xcalloc(b->cap, sizeof *b->stmts);
    b->errs = cm_xcalloc(b->cap, sizeof *b->errs);
    return b;
}

void cm_batch_free(struct cm_batch *b)
{
    if (!b)
        return;
    if (b->n)
        cm_error("a batch of %zu reads was freed unanswered", b->n);
    free(b->items);
    free(b->stmts);
    free(b->errs);
    free(b);
}

size_t cm_batch_pending(const struct cm_batch *b)
{
    return b ? b->n : 0;
}

int cm_batch_full(const struct cm_batch *b)
{
    return b && b->n >= b->cap;
}

cm_err cm_read_handle(struct cm_req *rq, struct cm_resp *out, const struct cm_read_op *op)
{
    struct cm_batch *b = rq->w->batch;
    struct cm_pg_stmt stmt = {0};
    void *ctx = cm_xcalloc(1, op->ctx_size ? op->ctx_size : 1);
    cm_err err = op->begin(rq, ctx, &stmt);

    if (err != CM_OK) {
        free(ctx);
        return err;
    }
    if (rq->can_defer && b && b->n < b->cap) {
        struct cm_batch_item *it = &b->items[b->n++];
        it->rq = rq;
        it->op = op;
        it->ctx = ctx;
        it->stmt = stmt;
        rq->deferred = 1;
        return CM_OK;
    }
    err = op->end(rq, ctx, cm_pg_stmt_run(rq->w->pg, &stmt), out);
    free(ctx);
    return err;
}

size_t cm_batch_run(struct cm_batch *b, PGconn *pg, cm_batch_answer answer, void *arg)
{
    size_t n = b->n;

    for (size_t i = 0; i < n; i++)
        b->stmts[i] = &b->items[i].stmt;
    cm_pg_batch(pg, b->stmts, n, b->errs);
    b->n = 0;
    for (size_t i = 0; i < n; i++) {
        struct cm_batch_item *it = &b->items[i];
        struct cm_resp out = {0};
        cm_err err;

        cm_log_set_request_id(it->rq->http->request_id);
        err = it->op->end(it->rq, it->ctx, b->errs[i], &out);
        free(it->ctx);
        answer(arg, it->rq, err, &out);
    }
    cm_log_set_request_id(NULL);
    return n;
}
