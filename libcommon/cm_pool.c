/* cm_pool.c: bounded thread pool for slow work (cm_pool.h): a ring of job
 * pointers under one mutex, a condition variable for the threads. */
#include "cm_pool.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cm_alloc.h"

struct pool_thread {
    struct cm_pool *pool;
    void *ctx;
    pthread_t tid;
};

struct cm_pool {
    struct cm_pool_def def;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    void **ring; /* nthreads + queue_cap slots */
    int cap, head, count;
    int running; /* jobs being run */
    int stopping;
    struct pool_thread *threads;
    int nstarted;
};

static void *pool_main(void *arg)
{
    struct pool_thread *t = arg;
    struct cm_pool *p = t->pool;
    int idle_ms = p->def.idle_ms > 0 ? p->def.idle_ms : 200;

    if (p->def.nice > 0) /* Linux: the nice value is per thread */
        (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), p->def.nice);
    if (p->def.nice >= 19) { /* the lowest: run only when nothing else wants the CPU */
        struct sched_param sp = {0};
        (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
    }
    pthread_mutex_lock(&p->mu);
    for (;;) {
        void *job;
        if (p->count == 0) {
            struct timespec until;
            if (p->stopping)
                break;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += idle_ms / 1000;
            until.tv_nsec += (long)(idle_ms % 1000) * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            if (pthread_cond_timedwait(&p->cv, &p->mu, &until) == ETIMEDOUT && p->count == 0 &&
                !p->stopping && p->def.idle) {
                pthread_mutex_unlock(&p->mu);
                p->def.idle(t->ctx);
                pthread_mutex_lock(&p->mu);
            }
            continue;
        }
        job = p->ring[p->head];
        p->head = (p->head + 1) % p->cap;
        p->count--;
        p->running++;
        pthread_mutex_unlock(&p->mu);
        p->def.run(t->ctx, job);
        pthread_mutex_lock(&p->mu);
        p->running--;
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

cm_err cm_pool_start(const struct cm_pool_def *def, struct cm_pool **out)
{
    struct cm_pool *p = cm_xcalloc(1, sizeof *p);

    p->def = *def;
    p->cap = def->nthreads + def->queue_cap; /* every thread's next job, and those waiting */
    p->ring = cm_xcalloc((size_t)p->cap, sizeof *p->ring);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->threads = cm_xcalloc((size_t)def->nthreads, sizeof *p->threads);
    for (int i = 0; i < def->nthreads; i++) {
        p->threads[i].pool = p;
        p->threads[i].ctx = def->ctxs[i];
        if (pthread_create(&p->threads[i].tid, NULL, pool_main, &p->threads[i]) != 0) {
            cm_pool_stop(p);
            return CM_EINTERNAL;
        }
        p->nstarted++;
    }
    *out = p;
    return CM_OK;
}

cm_err cm_pool_submit(struct cm_pool *p, void *job)
{
    cm_err err = CM_ELIMIT;

    pthread_mutex_lock(&p->mu);
    /* Queued jobs beyond the threads not running one are those that wait:
     * at most queue_cap of them. */
    if (!p->stopping && p->count < p->cap &&
        p->count - (p->nstarted - p->running) < p->def.queue_cap) {
        p->ring[(p->head + p->count) % p->cap] = job;
        p->count++;
        pthread_cond_signal(&p->cv);
        err = CM_OK;
    }
    pthread_mutex_unlock(&p->mu);
    return err;
}

int cm_pool_load(struct cm_pool *p)
{
    int n;
    pthread_mutex_lock(&p->mu);
    n = p->count + p->running;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void cm_pool_stop(struct cm_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nstarted; i++)
        pthread_join(p->threads[i].tid, NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p->ring);
    free(p);
}
