/* store_index.c: the SQL of the access index's sync (store_index.h). */
#include "store_index.h"

#include <stdio.h>
#include <stdlib.h>

#include "cm_alloc.h"
#include "cm_pg.h"

#define SNAPSHOT_FETCH "50000" /* snapshot rows per FETCH */

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

/* Hands the rows of res to fn: columns a, b, c, f1, f2 from column 0 with
 * tbl given (snapshot), or seq, tbl, put before them (tbl NULL: the log). */
static cm_err rows_to(const PGresult *res, const char *tbl, store_index_rows_fn fn, void *ctx)
{
    int n = PQntuples(res), first = tbl ? 0 : 3;
    struct index_row *rows;
    cm_err err;

    if (n == 0)
        return CM_OK;
    rows = cm_xcalloc((size_t)n, sizeof *rows);
    for (int r = 0; r < n; r++) {
        rows[r].seq = tbl ? 0 : strtoll(PQgetvalue(res, r, 0), NULL, 10);
        rows[r].c = (struct access_change){
            tbl ? tbl : PQgetvalue(res, r, 1),
            tbl ? 1 : PQgetvalue(res, r, 2)[0] == 't',
            PQgetvalue(res, r, first),
            PQgetisnull(res, r, first + 1) ? NULL : PQgetvalue(res, r, first + 1),
            PQgetisnull(res, r, first + 2) ? NULL : PQgetvalue(res, r, first + 2),
            PQgetvalue(res, r, first + 3)[0] == 't',
            PQgetvalue(res, r, first + 4)[0] == 't',
        };
    }
    err = fn(ctx, rows, (size_t)n);
    free(rows);
    return err;
}

/* The single number the statement sql answers, into *out. */
static cm_err one_number(PGconn *pg, const char *sql, int n, const char *const *params,
                         long long *out)
{
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg, sql, n, params, &res);

    if (err == CM_OK) {
        *out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
    }
    return err;
}

cm_err store_index_snapshot(PGconn *pg, void (*at_seq)(void *ctx, long long seq),
                            store_index_rows_fn fn, void *ctx)
{
    long long seq = 0;
    cm_err err = cm_pg_exec(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");

    if (err == CM_OK)
        err = one_number(pg,
                         "SELECT greatest((SELECT coalesce(max(seq), 0) FROM index_log),"
                         " (SELECT upto FROM index_pruned))",
                         0, NULL, &seq);
    if (err == CM_OK)
        at_seq(ctx, seq);
    for (size_t t = 0; err == CM_OK && t < sizeof snapshot_tables / sizeof snapshot_tables[0];
         t++) {
        char sql[512];
        snprintf(sql, sizeof sql, "DECLARE snap NO SCROLL CURSOR FOR %s", snapshot_tables[t].sql);
        err = cm_pg_exec(pg, sql);
        while (err == CM_OK) {
            PGresult *res = NULL;
            int n;

            err = cm_pg_query(pg, "FETCH " SNAPSHOT_FETCH " FROM snap", 0, NULL, &res);
            if (err != CM_OK)
                break;
            n = PQntuples(res);
            err = rows_to(res, snapshot_tables[t].tbl, fn, ctx);
            PQclear(res);
            if (n == 0)
                break;
        }
        if (err == CM_OK)
            err = cm_pg_exec(pg, "CLOSE snap");
    }
    return cm_pg_end(pg, err);
}

cm_err store_index_pruned(PGconn *pg, long long *out)
{
    return one_number(pg, "SELECT upto FROM index_pruned", 0, NULL, out);
}

cm_err store_index_latest(PGconn *pg, long long *out)
{
    return one_number(pg, "SELECT coalesce(max(seq), 0) FROM index_log", 0, NULL, out);
}

cm_err store_index_log_page(PGconn *pg, long long after, int limit, store_index_rows_fn fn,
                            void *ctx, size_t *out_n)
{
    char a[24], l[24];
    const char *params[2] = {a, l};
    PGresult *res = NULL;
    cm_err err;

    snprintf(a, sizeof a, "%lld", after);
    snprintf(l, sizeof l, "%d", limit);
    err = cm_pg_query(pg,
                      "SELECT seq, tbl, put, a, b, c, f1, f2 FROM index_log WHERE seq > $1"
                      " ORDER BY seq LIMIT $2",
                      2, params, &res);
    if (err != CM_OK)
        return err;
    *out_n = (size_t)PQntuples(res);
    err = rows_to(res, NULL, fn, ctx);
    PQclear(res);
    return err;
}

cm_err store_index_listen(PGconn *pg)
{
    return cm_pg_exec(pg, "LISTEN authz_index");
}

cm_err store_index_copy_new(PGconn *pg, char out[40])
{
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg,
                             "WITH gone AS (DELETE FROM index_copies"
                             " WHERE seen_at < now() - interval '1 hour')"
                             " SELECT gen_random_uuid()::text",
                             0, NULL, &res);

    if (err == CM_OK) {
        snprintf(out, 40, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    return err;
}

cm_err store_index_heartbeat(PGconn *pg, const char *copy_id, long long applied)
{
    char a[24];
    const char *params[2] = {copy_id, a};

    snprintf(a, sizeof a, "%lld", applied);
    return cm_pg_command(pg,
                         "INSERT INTO index_copies (id, applied, seen_at) VALUES ($1, $2, now())"
                         " ON CONFLICT (id) DO UPDATE SET applied = EXCLUDED.applied,"
                         " seen_at = now()",
                         2, params, NULL);
}

cm_err store_index_copies_behind(PGconn *pg, const char *copy_id, long long target, long *out)
{
    char t[24];
    const char *params[2] = {copy_id, t};
    long long behind = 0;
    cm_err err;

    snprintf(t, sizeof t, "%lld", target);
    err = one_number(pg,
                     "SELECT count(*) FROM index_copies WHERE id <> $1 AND applied < $2"
                     " AND seen_at > now() - interval '3 seconds'",
                     2, params, &behind);
    if (err == CM_OK)
        *out = (long)behind;
    return err;
}

cm_err store_index_prune(PGconn *pg)
{
    return cm_pg_command(pg,
                         "WITH m AS (SELECT min(applied) AS upto FROM index_copies"
                         " WHERE seen_at > now() - interval '10 minutes'),"
                         " d AS (DELETE FROM index_log WHERE seq <= (SELECT upto FROM m))"
                         " UPDATE index_pruned SET upto = (SELECT upto FROM m)"
                         " WHERE (SELECT upto FROM m) > upto",
                         0, NULL, NULL);
}

cm_err store_index_copy_drop(PGconn *pg, const char *copy_id)
{
    const char *params[1] = {copy_id};

    return cm_pg_command(pg, "DELETE FROM index_copies WHERE id = $1", 1, params, NULL);
}
