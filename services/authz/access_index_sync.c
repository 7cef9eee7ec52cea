/* access_index_sync.c: builds the access index from authz's tables and
 * applies their change log (access_index_sync.h); the statements are in
 * store_index.c. */
#include "access_index_sync.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_pg.h"
#include "cm_time.h"
#include "store_index.h"

#define LOG_PAGE 20000 /* log rows per statement */
#define TICK_MS 1000           /* catch-up and heartbeat without a notification */
#define BIG_CATCH_UP 10000     /* rows applied after which the size is logged */
#define PRUNE_MS 60000         /* how often a copy prunes the applied log */

struct access_index_sync {
    const struct cm_config *cfg;
    struct access_index *ix;
    PGconn *pg; /* the thread's, LISTENing */
    char copy_id[40];
    pthread_mutex_t mu; /* one catch-up at a time */
    long long applied;  /* atomic; written under mu */
    int wake[2];        /* pipe: a byte stops the thread */
    int listen_pid;     /* the backend that LISTENs (cm_pg may reset the connection) */
    pthread_t thread;
    int started;
};

long long access_index_applied(const struct access_index_sync *s)
{
    return __atomic_load_n(&s->applied, __ATOMIC_ACQUIRE);
}

static void log_size(struct access_index *ix, const char *what, int64_t ms)
{
    struct access_index_stats st;
    access_index_stats(ix, &st);
    cm_info("access index %s in %lld ms: %zu users, %zu organizations, %zu groups, %zu "
            "individuals, %zu group individuals, %zu leaders, %zu members, %zu memberships, "
            "%zu bytes",
            what, (long long)ms, st.users, st.organizations, st.groups, st.individuals,
            st.group_individuals, st.leaders, st.members, st.memberships, st.bytes);
}

/* ---- the snapshot ---- */

/* Where rows go: the index, under the write lock unless the caller holds
 * it (locked); last_seq, when set, follows the log rows applied. */
struct sink {
    struct access_index_sync *s;
    int locked;
    long long *last_seq;
};

static cm_err apply_rows(void *ctx, const struct index_row *rows, size_t n)
{
    struct sink *k = ctx;
    cm_err err = CM_OK;

    if (!k->locked)
        access_index_write_begin(k->s->ix);
    for (size_t r = 0; r < n && err == CM_OK; r++) {
        err = access_index_apply(k->s->ix, &rows[r].c);
        if (err != CM_OK)
            cm_error("access index: a malformed change (%s)", rows[r].c.tbl);
        if (k->last_seq)
            *k->last_seq = rows[r].seq;
    }
    if (!k->locked)
        access_index_write_end(k->s->ix);
    return err;
}

static void set_applied(void *ctx, long long seq)
{
    struct sink *k = ctx;
    __atomic_store_n(&k->s->applied, seq, __ATOMIC_RELEASE);
}

/* Reads every table on pg in one snapshot, with the seq it is at, into the
 * index (empty; the caller holds the write lock when locked). */
static cm_err snapshot(struct access_index_sync *s, PGconn *pg, int locked)
{
    struct sink k = {s, locked, NULL};
    int64_t t0 = cm_now_ms();
    cm_err err = store_index_snapshot(pg, set_applied, apply_rows, &k);

    if (err == CM_OK && !locked) /* (access_index_stats takes the lock) */
        log_size(s->ix, "built", cm_now_ms() - t0);
    return err;
}

/* When the log was pruned past the applied seq (this copy was not seen for
 * longer than the pruning waits, or started meanwhile), the rows it missed
 * are gone: the index is read again from the tables, readers waiting. */
static cm_err rebuild_if_pruned(struct access_index_sync *s, PGconn *pg)
{
    long long upto = 0;
    cm_err err = store_index_pruned(pg, &upto);
    if (err != CM_OK)
        return err;
    if (upto <= s->applied)
        return CM_OK;
    cm_warn("access index: the change log was pruned past seq %lld (to %lld): rebuilding",
            s->applied, upto);
    access_index_write_begin(s->ix);
    access_index_clear(s->ix);
    err = snapshot(s, pg, 1);
    access_index_write_end(s->ix);
    if (err == CM_OK)
        log_size(s->ix, "rebuilt", 0);
    return err;
}

/* ---- the log ---- */

cm_err access_index_latest(PGconn *pg, long long *out)
{
    return store_index_latest(pg, out);
}

cm_err access_index_catch_up(struct access_index_sync *s, PGconn *pg)
{
    cm_err err = CM_OK;
    long total = 0;
    int64_t t0 = cm_now_ms();
    pthread_mutex_lock(&s->mu);
    err = rebuild_if_pruned(s, pg);
    for (; err == CM_OK;) {
        long long last = s->applied;
        struct sink k = {s, 0, &last};
        size_t n = 0;

        err = store_index_log_page(pg, s->applied, LOG_PAGE, apply_rows, &k, &n);
        if (err != CM_OK)
            break;
        __atomic_store_n(&s->applied, last, __ATOMIC_RELEASE);
        total += (long)n;
        if (n < LOG_PAGE)
            break;
    }
    pthread_mutex_unlock(&s->mu);
    if (total >= BIG_CATCH_UP)
        log_size(s->ix, "caught up", cm_now_ms() - t0);
    return err;
}

/* This copy's row in index_copies: its applied seq, seen now. */
static cm_err heartbeat(struct access_index_sync *s)
{
    return store_index_heartbeat(s->pg, s->copy_id, access_index_applied(s));
}

cm_err access_index_settle(struct access_index_sync *s, PGconn *pg, int wait_ms)
{
    int64_t deadline = cm_now_ms() + wait_ms;
    long long target;
    cm_err err;

    if (!s || !pg || PQtransactionStatus(pg) != PQTRANS_IDLE)
        return CM_OK;
    err = access_index_catch_up(s, pg);
    if (err != CM_OK)
        return err;
    target = access_index_applied(s);
    for (;;) {
        long behind = 0;
        err = store_index_copies_behind(pg, s->copy_id, target, &behind);
        if (err != CM_OK)
            return err;
        if (behind == 0)
            return CM_OK;
        if (cm_now_ms() >= deadline) {
            cm_warn("access index: %ld other copies have not applied seq %lld within %d ms",
                    behind, target, wait_ms);
            return CM_OK;
        }
        usleep(1000);
    }
}

/* Deletes the log rows every copy seen within 10 minutes has applied and
 * records how far (index_pruned), so that a copy that was away longer, or
 * started meanwhile, rebuilds instead of missing them. */
static cm_err prune(struct access_index_sync *s)
{
    return store_index_prune(s->pg);
}

/* ---- the thread ---- */

static cm_err listen_on(struct access_index_sync *s)
{
    if (!s->pg && cm_pg_connect(s->cfg, &s->pg) != CM_OK)
        return CM_EUNAVAIL;
    cm_err err = store_index_listen(s->pg);
    s->listen_pid = err == CM_OK ? PQbackendPID(s->pg) : 0;
    return err;
}

static void *sync_thread(void *arg)
{
    struct access_index_sync *s = arg;
    int64_t next_beat = 0, next_prune = cm_now_ms() + PRUNE_MS;
    for (;;) {
        struct pollfd fds[2] = {{s->wake[0], POLLIN, 0}, {-1, POLLIN, 0}};
        int ok = s->pg && PQstatus(s->pg) == CONNECTION_OK;
        fds[1].fd = ok ? PQsocket(s->pg) : -1;
        if (poll(fds, 2, ok ? TICK_MS : 250) > 0 && (fds[0].revents & POLLIN))
            break;
        if (!ok) { /* Postgres went away: a new connection, then the log */
            if (s->pg)
                PQfinish(s->pg);
            s->pg = NULL;
            if (listen_on(s) != CM_OK)
                continue;
        }
        /* a statement retried on a new connection (cm_pg) left the LISTEN behind */
        if (PQbackendPID(s->pg) != s->listen_pid && listen_on(s) != CM_OK)
            continue;
        PQconsumeInput(s->pg);
        for (PGnotify *n; (n = PQnotifies(s->pg)) != NULL;)
            PQfreemem(n);
        long long before = access_index_applied(s);
        if (access_index_catch_up(s, s->pg) != CM_OK)
            continue;
        if (access_index_applied(s) != before || cm_now_ms() >= next_beat) {
            if (heartbeat(s) == CM_OK)
                next_beat = cm_now_ms() + TICK_MS;
        }
        if (cm_now_ms() >= next_prune) {
            if (prune(s) != CM_OK)
                cm_warn("access index: the change log could not be pruned");
            next_prune = cm_now_ms() + PRUNE_MS;
        }
    }
    return NULL;
}

cm_err access_index_sync_start(const struct cm_config *cfg, struct access_index *ix,
                               struct access_index_sync **out)
{
    struct access_index_sync *s = cm_xcalloc(1, sizeof *s);
    cm_err err;

    s->cfg = cfg;
    s->ix = ix;
    pthread_mutex_init(&s->mu, NULL);
    s->wake[0] = s->wake[1] = -1;
    err = listen_on(s); /* before the snapshot: no change is missed */
    if (err == CM_OK)
        err = snapshot(s, s->pg, 0);
    if (err == CM_OK)
        err = store_index_copy_new(s->pg, s->copy_id);
    if (err == CM_OK)
        err = heartbeat(s);
    if (err == CM_OK && pipe(s->wake) != 0)
        err = CM_EINTERNAL;
    if (err == CM_OK && pthread_create(&s->thread, NULL, sync_thread, s) != 0)
        err = CM_EINTERNAL;
    if (err != CM_OK) {
        cm_error("access index: cannot be built (%s)", cm_err_name(err));
        access_index_sync_stop(s);
        return err == CM_EINTERNAL ? err : CM_EUNAVAIL;
    }
    s->started = 1;
    *out = s;
    return CM_OK;
}

void access_index_sync_stop(struct access_index_sync *s)
{
    if (!s)
        return;
    if (s->started) {
        ssize_t w = write(s->wake[1], "x", 1);
        (void)w;
        pthread_join(s->thread, NULL);
    }
    if (s->pg && s->copy_id[0])
        store_index_copy_drop(s->pg, s->copy_id);
    if (s->pg)
        PQfinish(s->pg);
    for (int k = 0; k < 2; k++)
        if (s->wake[k] >= 0)
            close(s->wake[k]);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
