/* access_index_sync.c: builds the access index from authz's tables and
 * applies their change log (access_index_sync.h). */
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

#define LOG_PAGE 20000 /* log rows per statement */
#define LOG_PAGE_TEXT "20000"
#define SNAPSHOT_FETCH "50000" /* snapshot rows per FETCH */
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

static const struct {
    const char *tbl, *sql;
} snapshot_tables[] = {
    {"u", "SELECT id, NULL, NULL, enabled, platform_admin FROM users"},
    {"g", "SELECT id, organization_id, parent_id, members_can_write, false FROM groups"},
    {"i", "SELECT id, owner_id, user_id, false, false FROM individuals"},
    {"m", "SELECT user_id, organization_id, NULL, false, false FROM memberships"},
    {"r", "SELECT user_id, organization_id, NULL, false, false FROM user_roles"
          " WHERE role_name = 'admin'"},
    {"gi", "SELECT group_id, individual_id, NULL, false, false FROM group_individuals"},
    {"gl", "SELECT group_id, user_id, NULL, false, false FROM group_leaders"},
    {"gm", "SELECT group_id, user_id, NULL, false, false FROM group_members"},
};

/* Applies rows (a, b, c, f1, f2 from column first on) of res as puts (tbl
 * given) or as log rows (tbl NULL: seq, tbl, put before them); takes the
 * write lock unless locked. */
static cm_err apply_rows(struct access_index *ix, const PGresult *res, const char *tbl,
                         long long *last_seq, int locked)
{
    int first = tbl ? 0 : 3;
    cm_err err = CM_OK;
    if (!locked)
        access_index_write_begin(ix);
    for (int r = 0; r < PQntuples(res) && err == CM_OK; r++) {
        struct access_change c = {
            tbl ? tbl : PQgetvalue(res, r, 1),
            tbl ? 1 : PQgetvalue(res, r, 2)[0] == 't',
            PQgetvalue(res, r, first),
            PQgetisnull(res, r, first + 1) ? NULL : PQgetvalue(res, r, first + 1),
            PQgetisnull(res, r, first + 2) ? NULL : PQgetvalue(res, r, first + 2),
            PQgetvalue(res, r, first + 3)[0] == 't',
            PQgetvalue(res, r, first + 4)[0] == 't',
        };
        err = access_index_apply(ix, &c);
        if (err != CM_OK)
            cm_error("access index: a malformed change (%s)", c.tbl);
        if (last_seq)
            *last_seq = strtoll(PQgetvalue(res, r, 0), NULL, 10);
    }
    if (!locked)
        access_index_write_end(ix);
    return err;
}

/* Reads every table on pg in one snapshot, with the seq it is at (the
 * log's last, or the pruned one when the log is empty) into the index (empty;
 * the caller holds the write lock when locked). */
static cm_err snapshot(struct access_index_sync *s, PGconn *pg, int locked)
{
    PGresult *res = NULL;
    int64_t t0 = cm_now_ms();
    cm_err err = cm_pg_exec(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (err == CM_OK)
        err = cm_pg_query(pg,
                          "SELECT greatest((SELECT coalesce(max(seq), 0) FROM index_log),"
                          " (SELECT upto FROM index_pruned))",
                          0, NULL, &res);
    if (err == CM_OK) {
        __atomic_store_n(&s->applied, strtoll(PQgetvalue(res, 0, 0), NULL, 10), __ATOMIC_RELEASE);
        PQclear(res);
    }
    for (size_t t = 0; err == CM_OK && t < sizeof snapshot_tables / sizeof snapshot_tables[0];
         t++) {
        char sql[512];
        snprintf(sql, sizeof sql, "DECLARE snap NO SCROLL CURSOR FOR %s", snapshot_tables[t].sql);
        err = cm_pg_exec(pg, sql);
        while (err == CM_OK) {
            err = cm_pg_query(pg, "FETCH " SNAPSHOT_FETCH " FROM snap", 0, NULL, &res);
            if (err != CM_OK)
                break;
            int n = PQntuples(res);
            err = n ? apply_rows(s->ix, res, snapshot_tables[t].tbl, NULL, locked) : CM_OK;
            PQclear(res);
            if (n == 0)
                break;
        }
        if (err == CM_OK)
            err = cm_pg_exec(pg, "CLOSE snap");
    }
    err = cm_pg_end(pg, err);
    if (err == CM_OK && !locked) /* (access_index_stats takes the lock) */
        log_size(s->ix, "built", cm_now_ms() - t0);
    return err;
}

/* When the log was pruned past the applied seq (this copy was not seen for
 * longer than the pruning waits, or started meanwhile), the rows it missed
 * are gone: the index is read again from the tables, readers waiting. */
static cm_err rebuild_if_pruned(struct access_index_sync *s, PGconn *pg)
{
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg, "SELECT upto FROM index_pruned", 0, NULL, &res);
    if (err != CM_OK)
        return err;
    long long upto = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
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
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg, "SELECT coalesce(max(seq), 0) FROM index_log", 0, NULL, &res);
    if (err == CM_OK) {
        *out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
    }
    return err;
}

cm_err access_index_catch_up(struct access_index_sync *s, PGconn *pg)
{
    cm_err err = CM_OK;
    long total = 0;
    int64_t t0 = cm_now_ms();
    pthread_mutex_lock(&s->mu);
    err = rebuild_if_pruned(s, pg);
    for (; err == CM_OK;) {
        char after[24];
        PGresult *res = NULL;
        long long last = s->applied;
        snprintf(after, sizeof after, "%lld", s->applied);
        const char *params[1] = {after};
        err = cm_pg_query(pg,
                          "SELECT seq, tbl, put, a, b, c, f1, f2 FROM index_log WHERE seq > $1"
                          " ORDER BY seq LIMIT " LOG_PAGE_TEXT,
                          1, params, &res);
        if (err != CM_OK)
            break;
        int n = PQntuples(res);
        if (n)
            err = apply_rows(s->ix, res, NULL, &last, 0);
        PQclear(res);
        if (err != CM_OK)
            break;
        __atomic_store_n(&s->applied, last, __ATOMIC_RELEASE);
        total += n;
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
    char applied[24];
    snprintf(applied, sizeof applied, "%lld", access_index_applied(s));
    const char *params[2] = {s->copy_id, applied};
    return cm_pg_command(s->pg,
                         "INSERT INTO index_copies (id, applied, seen_at) VALUES ($1, $2, now())"
                         " ON CONFLICT (id) DO UPDATE SET applied = EXCLUDED.applied,"
                         " seen_at = now()",
                         2, params, NULL);
}

cm_err access_index_settle(struct access_index_sync *s, PGconn *pg, int wait_ms)
{
    char target[24];
    int64_t deadline = cm_now_ms() + wait_ms;
    cm_err err;

    if (!s || !pg || PQtransactionStatus(pg) != PQTRANS_IDLE)
        return CM_OK;
    err = access_index_catch_up(s, pg);
    if (err != CM_OK)
        return err;
    snprintf(target, sizeof target, "%lld", access_index_applied(s));
    const char *params[2] = {s->copy_id, target};
    for (;;) {
        PGresult *res = NULL;
        err = cm_pg_query(pg,
                          "SELECT count(*) FROM index_copies WHERE id <> $1 AND applied < $2"
                          " AND seen_at > now() - interval '3 seconds'",
                          2, params, &res);
        if (err != CM_OK)
            return err;
        long behind = strtol(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        if (behind == 0)
            return CM_OK;
        if (cm_now_ms() >= deadline) {
            cm_warn("access index: %ld other copies have not applied seq %s within %d ms", behind,
                    target, wait_ms);
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
    return cm_pg_command(s->pg,
                         "WITH m AS (SELECT min(applied) AS upto FROM index_copies"
                         " WHERE seen_at > now() - interval '10 minutes'),"
                         " d AS (DELETE FROM index_log WHERE seq <= (SELECT upto FROM m))"
                         " UPDATE index_pruned SET upto = (SELECT upto FROM m)"
                         " WHERE (SELECT upto FROM m) > upto",
                         0, NULL, NULL);
}

/* ---- the thread ---- */

static cm_err listen_on(struct access_index_sync *s)
{
    if (!s->pg && cm_pg_connect(s->cfg, &s->pg) != CM_OK)
        return CM_EUNAVAIL;
    cm_err err = cm_pg_exec(s->pg, "LISTEN authz_index");
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
    PGresult *res = NULL;
    cm_err err;

    s->cfg = cfg;
    s->ix = ix;
    pthread_mutex_init(&s->mu, NULL);
    s->wake[0] = s->wake[1] = -1;
    err = listen_on(s); /* before the snapshot: no change is missed */
    if (err == CM_OK)
        err = snapshot(s, s->pg, 0);
    if (err == CM_OK)
        err = cm_pg_query(s->pg,
                          "WITH gone AS (DELETE FROM index_copies"
                          " WHERE seen_at < now() - interval '1 hour')"
                          " SELECT gen_random_uuid()::text",
                          0, NULL, &res);
    if (err == CM_OK) {
        snprintf(s->copy_id, sizeof s->copy_id, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        err = heartbeat(s);
    }
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
    if (s->pg && s->copy_id[0]) {
        const char *params[1] = {s->copy_id};
        cm_pg_command(s->pg, "DELETE FROM index_copies WHERE id = $1", 1, params, NULL);
    }
    if (s->pg)
        PQfinish(s->pg);
    for (int k = 0; k < 2; k++)
        if (s->wake[k] >= 0)
            close(s->wake[k]);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
