/* test_cm_pool.c: the bounded pool for slow work (libcommon/cm_pool.c):
 * jobs run on the pool's threads, a submit beyond the threads and the
 * waiting places is refused at once, and stop runs what was queued. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "cm_pool.h"

TestSuite(cm_pool, .timeout = 10);

struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int open;
    atomic_int started, done;
};

static void run(void *ctx, void *job)
{
    struct gate *g = ctx;
    (void)job;
    atomic_fetch_add(&g->started, 1);
    pthread_mutex_lock(&g->mu);
    while (!g->open)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
    atomic_fetch_add(&g->done, 1);
}

Test(cm_pool, refuses_beyond_threads_and_queue_then_runs_everything_taken)
{
    struct gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
    void *ctxs[2] = {&g, &g};
    struct cm_pool_def def = {.nthreads = 2, .queue_cap = 3, .ctxs = ctxs, .run = run};
    struct cm_pool *p = NULL;
    int accepted = 0, refused = 0;
    int job;

    cr_assert(eq(int, cm_pool_start(&def, &p), CM_OK));
    for (int i = 0; i < 10; i++) {
        if (cm_pool_submit(p, &job) == CM_OK)
            accepted++;
        else
            refused++;
        if (i == 1) /* let both threads take their job */
            while (atomic_load(&g.started) < 2)
                usleep(1000);
    }
    cr_assert(eq(int, accepted, 5), "2 running + 3 waiting");
    cr_assert(eq(int, refused, 5));
    cr_assert(eq(int, cm_pool_load(p), 5));
    pthread_mutex_lock(&g.mu);
    g.open = 1;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
    cm_pool_stop(p);
    cr_assert(eq(int, atomic_load(&g.done), 5), "every job taken was run");
}
