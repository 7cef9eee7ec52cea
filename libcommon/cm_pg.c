/* cm_pg.c: connections, role/schema bootstrap and migrations for Postgres. */
#include "cm_pg.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_alloc.h"
#include "cm_idempotency.h"
#include "cm_log.h"
#include "cm_outbox.h"

/* libpq notices (e.g. "schema already exists, skipping") go to the JSON log
 * at debug level instead of raw stderr. */
static void on_notice(void *arg, const char *message)
{
    size_t n = strcspn(message, "\n");
    (void)arg;
    cm_debug("postgres notice: %.*s", (int)n, message);
}

/* Opens a connection as user/password to cfg's database. */
static PGconn *open_conn(const struct cm_config *cfg, const char *user, const char *password)
{
    char port[16], timeout[16], options[160];
    const char *keys[] = {"host",     "port",
                          "dbname",   "user",
                          "password", "connect_timeout",
                          "application_name", "options", NULL};
    const char *vals[] = {cfg->pg_host, port, cfg->pg_database, user, password, timeout,
                          cfg->service, options, NULL};
    PGconn *conn;

    snprintf(port, sizeof port, "%d", cfg->pg_port);
    snprintf(timeout, sizeof timeout, "%d", cfg->pg_connect_timeout_s);
    /* the service schema as search_path from the first statement on, also
     * after PQreset (a reconnect reuses these options); cm_pg_connect pins
     * it again with set_config. Service names are [a-z0-9_-]: no quoting. */
    options[0] = '\0';
    if (strspn(cfg->service, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(cfg->service) &&
        cfg->service[0])
        snprintf(options, sizeof options, "-c search_path=%s", cfg->service);
    conn = PQconnectdbParams(keys, vals, 0);
    if (conn)
        PQsetNoticeProcessor(conn, on_notice, NULL);
    return conn;
}

/* Did the statement that gave res fail because the connection was lost
 * (the server restarted, closed it, or the network went)? libpq says so by
 * marking the connection bad, but not always at once: on a unix socket the
 * first statement after the server died may come back with "server closed
 * the connection unexpectedly" (an error libpq made itself: no SQLSTATE)
 * while the status is still CONNECTION_OK. A server that ends the session
 * says so with class 08 or 57P01..57P03. */
static int conn_lost(PGconn *conn, const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    if (st != PGRES_FATAL_ERROR && st != PGRES_BAD_RESPONSE && st != PGRES_NONFATAL_ERROR)
        return 0;
    if (PQstatus(conn) == CONNECTION_BAD || !state)
        return 1;
    return !strncmp(state, "08", 2) || !strcmp(state, "57P01") || !strcmp(state, "57P02") ||
           !strcmp(state, "57P03");
}

static void stmt_cache_forget(PGconn *conn);

/* After a lost connection: one blocking reconnect on the same PGconn (its
 * options keep search_path). 1 when the connection is usable again. */
static int reconnect(PGconn *conn)
{
    stmt_cache_forget(conn); /* even should the new backend reuse the old pid */
    PQreset(conn);
    if (PQstatus(conn) == CONNECTION_OK) {
        cm_info("postgres connection lost and made again (backend %d)", PQbackendPID(conn));
        return 1;
    }
    cm_warn("postgres connection lost, reconnect failed: %.*s",
            (int)strcspn(PQerrorMessage(conn), "\n"), PQerrorMessage(conn));
    return 0;
}

/* Runs once(conn, arg); when that fails because the connection was lost
 * and no transaction was open before (the statement was the first of its
 * transaction, BEGIN itself, or ran on its own), so that nothing applied
 * can have been lost: reconnects and runs it once more. Inside an open
 * transaction a loss is returned as it is (the caller answers 503). */
static PGresult *run_retrying(PGconn *conn, PGresult *(*once)(PGconn *conn, void *arg), void *arg)
{
    PGTransactionStatusType before = PQtransactionStatus(conn);
    int fresh = before == PQTRANS_IDLE; /* nothing applied can be lost */
    PGresult *res = once(conn, arg);

    if (!fresh && conn_lost(conn, res))
        cm_warn("postgres connection lost inside a transaction (state %d before the "
                "statement): not retried",
                (int)before);
    if (fresh && conn_lost(conn, res)) {
        cm_warn("postgres connection lost before the statement ran: %.*s; retrying once",
                (int)strcspn(PQerrorMessage(conn), "\n"), PQerrorMessage(conn));
        if (reconnect(conn)) {
            PQclear(res);
            res = once(conn, arg);
        }
    }
    return res;
}

static PGresult *exec_once(PGconn *conn, void *sql)
{
    return PQexec(conn, sql);
}

cm_err cm_pg_exec(PGconn *conn, const char *sql)
{
    PGresult *res = run_retrying(conn, exec_once, (void *)sql);
    cm_err err = cm_pg_result_err(res);
    PQclear(res);
    return err;
}

static cm_err pin_search_path(PGconn *conn, const char *schema)
{
    const char *params[1] = {schema};
    PGresult *res = PQexecParams(conn, "SELECT pg_catalog.set_config('search_path', $1, false)",
                                 1, NULL, params, NULL, NULL, 0);
    cm_err err = cm_pg_result_err(res);
    PQclear(res);
    return err;
}

cm_err cm_pg_connect(const struct cm_config *cfg, PGconn **out_conn)
{
    PGconn *conn = open_conn(cfg, cfg->pg_user, cfg->pg_password);
    cm_err err;

    if (!conn)
        return CM_ENOMEM;
    if (PQstatus(conn) != CONNECTION_OK) {
        cm_warn("postgres connect as %s failed: %s", cfg->pg_user, PQerrorMessage(conn));
        PQfinish(conn);
        return CM_EUNAVAIL;
    }
    err = pin_search_path(conn, cfg->service);
    if (err != CM_OK) {
        PQfinish(conn);
        return err;
    }
    *out_conn = conn;
    return CM_OK;
}

cm_err cm_pg_ensure(const struct cm_config *cfg, PGconn **conn)
{
    if (*conn && PQstatus(*conn) == CONNECTION_OK)
        return CM_OK;
    if (*conn) {
        stmt_cache_forget(*conn);
        PQreset(*conn);
        if (PQstatus(*conn) == CONNECTION_OK)
            return pin_search_path(*conn, cfg->service);
        PQfinish(*conn);
        *conn = NULL;
    }
    return cm_pg_connect(cfg, conn);
}

/* Runs the statement that the server-side format() call in sql produces from
 * params: identifiers and literals are quoted by Postgres (%I, %L), never
 * assembled here. */
static cm_err exec_formatted(PGconn *conn, const char *sql, int n, const char *const *params)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    cm_err err = cm_pg_result_err(res);
    char *stmt = NULL;

    if (err == CM_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        stmt = cm_xstrdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    if (stmt) {
        err = cm_pg_exec(conn, stmt);
        free(stmt);
    }
    return err;
}


cm_err cm_pg_bootstrap(const struct cm_config *cfg)
{
    const char *role_params[2] = {cfg->pg_user, cfg->pg_password};
    const char *schema_params[2] = {cfg->service, cfg->pg_user};
    const char *db_params[2] = {cfg->pg_database, cfg->pg_user};
    PGconn *conn;
    cm_err err;

    if (!cfg->pg_admin_user[0])
        return CM_OK;
    conn = open_conn(cfg, cfg->pg_admin_user, cfg->pg_admin_password);
    if (!conn)
        return CM_ENOMEM;
    if (PQstatus(conn) != CONNECTION_OK) {
        cm_warn("postgres connect as admin failed: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return CM_EUNAVAIL;
    }
    err = cm_pg_exec(conn, "SELECT pg_advisory_lock(7201001)");
    /* Role: create when missing, then (re)set its password and attributes. */
    if (err == CM_OK)
        err = exec_formatted(conn,
                             "SELECT format('CREATE ROLE %I LOGIN', $1::text) "
                             "WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                             1, role_params);
    if (err == CM_OK)
        err = exec_formatted(conn,
                             "SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB "
                             "NOCREATEROLE PASSWORD %L', $1::text, $2::text)",
                             2, role_params);
    if (err == CM_OK)
        err = exec_formatted(conn,
                             "SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', "
                             "$1::text, $2::text)",
                             2, schema_params);
    if (err == CM_OK)
        err = exec_formatted(conn, "SELECT format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', $1::text)",
                             1, schema_params);
    if (err == CM_OK)
        err = exec_formatted(conn,
                             "SELECT format('GRANT CONNECT ON DATABASE %I TO %I', $1::text, "
                             "$2::text)",
                             2, db_params);
    if (err == CM_OK)
        err = cm_pg_exec(conn, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    cm_pg_exec(conn, "SELECT pg_advisory_unlock(7201001)");
    PQfinish(conn);
    if (err != CM_OK)
        cm_error("bootstrap of role and schema %s failed", cfg->service);
    return err;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_migration(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 4 && strcmp(d->d_name + n - 4, ".sql") == 0 && d->d_name[0] >= '0' &&
           d->d_name[0] <= '9';
}

/* Reads a whole file; caller frees. NULL on error. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = cm_xmalloc((size_t)n + 1);
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
        }
    }
    fclose(f);
    return buf;
}

/* One migration: built into libcommon (sql set) or a file NNN_name.sql in
 * dir (read only when it still has to be applied). */
struct migration {
    const char *name;
    const char *sql;
    const char *dir;
};

/* Built-in migrations, applied to every service schema before its own. */
static const struct migration builtin_migrations[] = {
    {CM_OUTBOX_MIGRATION, cm_outbox_ddl, NULL},
    {CM_IDEM_MIGRATION, cm_idem_ddl, NULL},
};

/* Applies one migration in a transaction unless already recorded. */
static cm_err apply_one(PGconn *conn, const struct migration *m)
{
    const char *params[1] = {m->name};
    char path[1024];
    PGresult *res;
    char *sql = NULL;
    cm_err err;

    res = PQexecParams(conn, "SELECT 1 FROM schema_migrations WHERE name = $1", 1, NULL, params,
                       NULL, NULL, 0);
    err = cm_pg_result_err(res);
    if (err == CM_OK && PQntuples(res) > 0) {
        PQclear(res);
        return CM_OK;
    }
    PQclear(res);
    if (err != CM_OK)
        return err;
    if (m->sql) {
        sql = cm_xstrdup(m->sql);
    } else {
        snprintf(path, sizeof path, "%s/%s", m->dir, m->name);
        sql = read_file(path);
    }
    if (!sql) {
        cm_error("cannot read migration %s in %s", m->name, m->dir);
        return CM_EINTERNAL;
    }
    err = cm_pg_exec(conn, "BEGIN");
    if (err == CM_OK)
        err = cm_pg_exec(conn, sql);
    if (err == CM_OK) {
        res = PQexecParams(conn, "INSERT INTO schema_migrations (name) VALUES ($1)", 1, NULL,
                           params, NULL, NULL, 0);
        err = cm_pg_result_err(res);
        PQclear(res);
    }
    if (err == CM_OK)
        err = cm_pg_exec(conn, "COMMIT");
    if (err != CM_OK) {
        cm_pg_exec(conn, "ROLLBACK");
        cm_error("migration %s failed", m->name);
    } else {
        cm_info("applied migration %s", m->name);
    }
    free(sql);
    return err;
}

cm_err cm_pg_migrate(const struct cm_config *cfg, PGconn *conn)
{
    struct dirent **names = NULL;
    int n;
    cm_err err;

    err = cm_pg_exec(conn, "SELECT pg_advisory_lock(7201002)");
    if (err != CM_OK)
        return err;
    err = cm_pg_exec(conn, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                            "name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
    for (size_t i = 0; err == CM_OK && i < sizeof builtin_migrations / sizeof builtin_migrations[0];
         i++)
        err = apply_one(conn, &builtin_migrations[i]);
    n = scandir(cfg->migrations_dir, &names, is_migration, by_name);
    if (n < 0 && errno == ENOENT) {
        n = 0; /* a service without migrations of its own */
    } else if (n < 0) {
        cm_error("cannot list migrations in %s", cfg->migrations_dir);
        err = CM_EINTERNAL;
    }
    for (int i = 0; i < n; i++) {
        struct migration m = {names[i]->d_name, NULL, cfg->migrations_dir};
        if (err == CM_OK)
            err = apply_one(conn, &m);
        free(names[i]);
    }
    free(names);
    cm_pg_exec(conn, "SELECT pg_advisory_unlock(7201002)");
    return err;
}

cm_err cm_pg_sqlstate_err(const char *st)
{
    if (!st)
        return CM_EINTERNAL;
    if (!strcmp(st, "23505") || !strcmp(st, "23P01"))
        return CM_ECONFLICT;
    if (!strcmp(st, "23503"))
        return CM_ENOTFOUND;
    if (!strncmp(st, "22", 2) || !strcmp(st, "23502") || !strcmp(st, "23514"))
        return CM_EINVAL;
    if (!strncmp(st, "08", 2) || !strncmp(st, "57P0", 4))
        return CM_EUNAVAIL;
    if (!strcmp(st, "57014"))
        return CM_ETIMEOUT;
    return CM_EINTERNAL;
}

cm_err cm_pg_result_err(const PGresult *res)
{
    const char *st, *msg;
    cm_err err;

    if (!res) {
        cm_error("postgres error (no result): out of memory or no connection");
        return CM_EUNAVAIL;
    }
    switch (PQresultStatus(res)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_SINGLE_TUPLE:
        return CM_OK;
    case PGRES_FATAL_ERROR:
        st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (!st) {
            /* made by libpq, not the server: the connection is gone (or
             * libpq ran out of memory); its text says which */
            msg = PQresultErrorMessage(res);
            cm_error("postgres error (connection): %.*s", (int)strcspn(msg, "\n"), msg);
            return CM_EUNAVAIL;
        }
        err = cm_pg_sqlstate_err(st);
        msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        if (err == CM_EINTERNAL || err == CM_EUNAVAIL)
            cm_error("postgres error %s: %s", st, msg ? msg : "(no message)");
        return err;
    default:
        msg = PQresultErrorMessage(res);
        cm_error("postgres error (%s): %.*s", PQresStatus(PQresultStatus(res)),
                 (int)strcspn(msg, "\n"), msg);
        return CM_EUNAVAIL;
    }
}

cm_err cm_pg_query(PGconn *conn, const char *sql, int n, const char *const *values,
                   PGresult **out_res)
{
    PGresult *res = cm_pg_exec_params(conn, sql, n, NULL, values, NULL, NULL, 0);
    cm_err err = cm_pg_result_err(res);

    if (err != CM_OK) {
        PQclear(res);
        return err;
    }
    *out_res = res;
    return CM_OK;
}

cm_err cm_pg_command(PGconn *conn, const char *sql, int n, const char *const *values,
                     long *out_rows)
{
    PGresult *res;
    cm_err err = cm_pg_query(conn, sql, n, values, &res);

    if (err != CM_OK)
        return err;
    if (out_rows)
        *out_rows = cm_pg_rows(res);
    PQclear(res);
    return CM_OK;
}

cm_err cm_pg_query_bin(PGconn *conn, const char *sql, int n, const char *const *values,
                       const int *lengths, const int *formats, PGresult **out_res)
{
    PGresult *res = cm_pg_exec_params(conn, sql, n, NULL, values, lengths, formats, 0);
    cm_err err = cm_pg_result_err(res);

    if (err != CM_OK || !out_res)
        PQclear(res);
    else
        *out_res = res;
    return err;
}

const char *cm_pg_opt(const char *s)
{
    return s && s[0] ? s : NULL;
}

const char *cm_pg_opt_bool(int b)
{
    return b < 0 ? NULL : b ? "true" : "false";
}

const char *cm_pg_col(const PGresult *res, int row, const char *name)
{
    int c = res ? PQfnumber(res, name) : -1;

    if (c < 0 || row < 0 || row >= PQntuples(res) || PQgetisnull(res, row, c))
        return "";
    return PQgetvalue(res, row, c);
}

int cm_pg_bool(const PGresult *res, int row, const char *name)
{
    return cm_pg_col(res, row, name)[0] == 't';
}

void cm_pg_copy(const PGresult *res, int row, const char *name, char *dst, size_t cap)
{
    if (cap)
        snprintf(dst, cap, "%s", cm_pg_col(res, row, name));
}

cm_err cm_pg_one_row(cm_err err, PGresult **res)
{
    if (err == CM_OK && PQntuples(*res) != 1) {
        PQclear(*res);
        *res = NULL;
        return CM_ENOTFOUND;
    }
    return err;
}

long cm_pg_rows(const PGresult *res)
{
    return res ? strtol(PQcmdTuples((PGresult *)res), NULL, 10) : 0;
}

cm_err cm_pg_end(PGconn *conn, cm_err err)
{
    if (err == CM_OK)
        err = cm_pg_commit(conn);
    if (err != CM_OK)
        cm_pg_rollback(conn);
    return err;
}

cm_err cm_pg_begin(PGconn *conn)
{
    return cm_pg_exec(conn, "BEGIN");
}

cm_err cm_pg_commit(PGconn *conn)
{
    return cm_pg_exec(conn, "COMMIT");
}

void cm_pg_rollback(PGconn *conn)
{
    PGTransactionStatusType st = PQtransactionStatus(conn);

    if (st == PQTRANS_INTRANS || st == PQTRANS_INERROR) /* not on a lost connection */
        cm_pg_exec(conn, "ROLLBACK");
}

/* The statements this thread has prepared on its connection (each worker
 * thread has its own PGconn; a new connection or backend starts afresh).
 * Freed at thread exit through the key's destructor. */
#define STMT_CACHE_MAX 256
struct stmt_cache {
    unsigned id; /* unique per thread: names never clash on a connection
                  * that passes from one thread to another */
    PGconn *conn;
    int backend_pid;
    int n;
    uint64_t hash[STMT_CACHE_MAX];
    char *sql[STMT_CACHE_MAX];
    const char *constant[STMT_CACHE_MAX]; /* the static text it was prepared from by
                                           * cm_pg_prepared_name, or NULL */
};
static pthread_key_t stmt_key;
static atomic_uint stmt_caches;
static pthread_once_t stmt_once = PTHREAD_ONCE_INIT;

static void stmt_cache_reset(struct stmt_cache *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->sql[i]);
    c->n = 0;
}

static void stmt_cache_free(void *p)
{
    stmt_cache_reset(p);
    free(p);
}

static void stmt_key_make(void)
{
    (void)pthread_key_create(&stmt_key, stmt_cache_free);
}

/* This thread's cache, made current for conn. */
static struct stmt_cache *stmt_cache_for(PGconn *conn)
{
    struct stmt_cache *c;

    pthread_once(&stmt_once, stmt_key_make);
    c = pthread_getspecific(stmt_key);
    if (!c) {
        c = cm_xcalloc(1, sizeof *c);
        c->id = atomic_fetch_add(&stmt_caches, 1);
        if (pthread_setspecific(stmt_key, c) != 0) {
            free(c);
            return NULL;
        }
    }
    if (c->conn != conn || c->backend_pid != PQbackendPID(conn)) {
        stmt_cache_reset(c);
        c->conn = conn;
        c->backend_pid = PQbackendPID(conn);
    }
    return c;
}

/* Marks what this thread prepared on conn as gone (a reconnect). */
static void stmt_cache_forget(PGconn *conn)
{
    struct stmt_cache *c;

    pthread_once(&stmt_once, stmt_key_make);
    c = pthread_getspecific(stmt_key);
    if (c && c->conn == conn) {
        stmt_cache_reset(c);
        c->conn = NULL;
    }
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* cm_pg_exec_params's arguments, for run_retrying. */
struct exec_args {
    const char *sql;
    int n;
    const Oid *types;
    const char *const *values;
    const int *lengths;
    const int *formats;
    int result_format;
};

static PGresult *exec_params_once(PGconn *conn, const char *sql, int n, const Oid *types,
                                  const char *const *values, const int *lengths,
                                  const int *formats, int result_format);

static PGresult *exec_params_run(PGconn *conn, void *arg)
{
    const struct exec_args *a = arg;
    return exec_params_once(conn, a->sql, a->n, a->types, a->values, a->lengths, a->formats,
                            a->result_format);
}

PGresult *cm_pg_exec_params(PGconn *conn, const char *sql, int n, const Oid *types,
                            const char *const *values, const int *lengths, const int *formats,
                            int result_format)
{
    struct exec_args a = {sql, n, types, values, lengths, formats, result_format};
    return run_retrying(conn, exec_params_run, &a);
}

/* The index of sql in c, prepared on conn first when new: >= 0, or -1 when
 * the cache is full (run it unprepared), or -2 with the failed PREPARE's
 * result in *err_res (caller PQclear; NULL when libpq made none). */
static int stmt_find_or_prepare(struct stmt_cache *c, PGconn *conn, const char *sql, int n,
                                PGresult **err_res)
{
    uint64_t h = fnv1a(sql);
    char name[40];
    PGresult *res;
    int i;

    for (i = 0; i < c->n; i++)
        if (c->hash[i] == h && !strcmp(c->sql[i], sql))
            return i;
    if (c->n == STMT_CACHE_MAX)
        return -1;
    snprintf(name, sizeof name, "cm_stmt_%u_%d", c->id, i);
    res = PQprepare(conn, name, sql, n, NULL);
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        *err_res = res;
        return -2;
    }
    PQclear(res);
    c->hash[i] = h;
    c->sql[i] = cm_xstrdup(sql);
    c->constant[i] = NULL;
    c->n++;
    return i;
}

/* One try: prepared on first use on this connection, then executed. */
static PGresult *exec_params_once(PGconn *conn, const char *sql, int n, const Oid *types,
                                  const char *const *values, const int *lengths,
                                  const int *formats, int result_format)
{
    struct stmt_cache *c = types ? NULL : stmt_cache_for(conn);
    PGresult *res = NULL;
    char name[40];
    int i;

    if (!c)
        return PQexecParams(conn, sql, n, types, values, lengths, formats, result_format);
    i = stmt_find_or_prepare(c, conn, sql, n, &res);
    if (i == -2)
        return res; /* the error, as PQexecParams would have given it */
    if (i == -1)
        return PQexecParams(conn, sql, n, NULL, values, lengths, formats, result_format);
    snprintf(name, sizeof name, "cm_stmt_%u_%d", c->id, i);
    return PQexecPrepared(conn, name, n, values, lengths, formats, result_format);
}

int cm_pg_prepared_name(PGconn *conn, const char *sql, int n, char *name, size_t cap)
{
    struct stmt_cache *c = stmt_cache_for(conn);
    PGresult *res = NULL;
    int i;

    name[0] = '\0';
    if (!c)
        return 0;
    /* sql is constant text: the same address is the same statement, found
     * without hashing or comparing it (most are 1-2 KB) */
    for (i = 0; i < c->n; i++)
        if (c->constant[i] == sql) {
            snprintf(name, cap, "cm_stmt_%u_%d", c->id, i);
            return 0;
        }
    i = stmt_find_or_prepare(c, conn, sql, n, &res);
    if (i == -2) {
        cm_pg_result_err(res); /* logged when it is not the caller's */
        PQclear(res);
        return -1;
    }
    if (i >= 0) {
        c->constant[i] = sql;
        snprintf(name, cap, "cm_stmt_%u_%d", c->id, i);
    }
    return 0;
}

int cm_pg_reconnect(PGconn *conn)
{
    return reconnect(conn);
}
