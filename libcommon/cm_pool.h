/* cm_pool.h: a bounded pool of threads for slow work (password hashing),
 * apart from the request workers (cm_service.h).
 *
 * A job is a heap pointer handed to the pool with cm_pool_submit: when every
 * thread is busy and queue_cap jobs already wait, the submit is refused at
 * once (the caller answers "busy, retry later") instead of queueing without
 * bound. Each thread has a context of its own (the caller's per-thread
 * state, e.g. a PGconn and a NATS connection); run(ctx, job) handles and
 * frees the job on that thread, and idle(ctx), when not NULL, is called
 * about every idle_ms while the thread has nothing to do (to keep a
 * connection alive). Threads may run at a lower priority (nice) than the
 * rest of the process, so that request workers keep the CPU first; at nice
 * 19 they are also SCHED_IDLE (Linux): they run only on CPU time nothing
 * else wants. */
#ifndef CM_POOL_H
#define CM_POOL_H

#include "cm_err.h"

struct cm_pool;

typedef void (*cm_pool_run)(void *ctx, void *job);
typedef void (*cm_pool_idle)(void *ctx);

struct cm_pool_def {
    int nthreads;      /* >= 1 */
    int queue_cap;     /* jobs that may wait for a thread; >= 0 */
    int nice;          /* added to each thread's nice value (0: none; 19: also SCHED_IDLE) */
    int idle_ms;       /* period of idle calls; 200 when <= 0 */
    void **ctxs;       /* nthreads contexts, borrowed; they must outlive cm_pool_stop */
    cm_pool_run run;   /* handles and frees a job */
    cm_pool_idle idle; /* may be NULL */
};

/* Starts the pool's threads. CM_EINTERNAL when a thread cannot be created
 * (those already started are stopped). *out on CM_OK; cm_pool_stop frees. */
cm_err cm_pool_start(const struct cm_pool_def *def, struct cm_pool **out);

/* Queues job for the next free thread. CM_OK, or CM_ELIMIT when the queue
 * is full or the pool is stopping: the job is then still the caller's. */
cm_err cm_pool_submit(struct cm_pool *p, void *job);

/* Jobs waiting plus jobs running now. */
int cm_pool_load(struct cm_pool *p);

/* Runs every job already queued, joins the threads and frees p (NULL is a
 * no-op). Submits after this starts are refused. */
void cm_pool_stop(struct cm_pool *p);

#endif
