/* store_login.c: SQL of the per-address login records (store_login.h). */
#include "store_login.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"

cm_err store_login_record(PGconn *pg, const char *username, const char *addr,
                          struct login_record *out)
{
    const char *values[2] = {username, addr};
    PGresult *res = NULL;
    cm_err err = cm_pg_query_bin(
        pg,
        "SELECT 'user' AS kind, failures, "
        "extract(epoch FROM now() - last_failure_at)::float8 AS since, 0::float8 AS locked "
        "FROM login_attempts WHERE username = lower($1) "
        "UNION ALL SELECT 'pair', failures, extract(epoch FROM now() - last_failure_at)::float8, "
        "coalesce(extract(epoch FROM locked_until - now()), 0)::float8 "
        "FROM login_attempts_pair WHERE addr = $2 AND username = lower($1) "
        "UNION ALL SELECT 'ip', failures, extract(epoch FROM now() - last_failure_at)::float8, "
        "coalesce(extract(epoch FROM locked_until - now()), 0)::float8 "
        "FROM login_attempts_ip WHERE addr = $2 "
        "UNION ALL SELECT 'known', 0, 0, 0 FROM login_known_addrs "
        "WHERE username = lower($1) AND addr = $2 "
        "AND last_login_at > now() - make_interval(days => " STORE_LOGIN_KNOWN_DAYS_SQL ")",
        2, values, NULL, NULL, &res);

    memset(out, 0, sizeof *out);
    for (int i = 0; err == CM_OK && i < PQntuples(res); i++) {
        const char *kind = PQgetvalue(res, i, 0);
        struct attempts *a = !strcmp(kind, "user")   ? &out->user
                             : !strcmp(kind, "pair") ? &out->pair
                             : !strcmp(kind, "ip")   ? &out->ip
                                                     : NULL;
        if (!a) {
            out->known_addr = 1;
            continue;
        }
        a->failures = atoi(PQgetvalue(res, i, 1));
        a->since_last_s = strtod(PQgetvalue(res, i, 2), NULL);
        a->locked_for_s = strtod(PQgetvalue(res, i, 3), NULL);
    }
    PQclear(res);
    return err;
}

/* The upsert of one failure: $1 the key's values, then forget_s, lock_after,
 * lock_s (as in store_attempts_fail). */
#define FAIL_SET(f, la, ls)                                                                        \
    "failures = CASE WHEN a.last_failure_at < now() - make_interval(secs => " f ") "               \
    "THEN 1 ELSE a.failures + 1 END, "                                                             \
    "locked_until = CASE WHEN (CASE WHEN a.last_failure_at < now() - make_interval(secs => " f     \
    ") THEN 1 ELSE a.failures + 1 END) >= " la " THEN now() + make_interval(secs => " ls ") "      \
    "WHEN a.locked_until > now() THEN a.locked_until END, last_failure_at = now()"

cm_err store_login_fail(PGconn *pg, const char *username, const char *addr, int forget_s,
                        int pair_lock_after, int ip_lock_after, int lock_s)
{
    char f[16], pla[16], ila[16], ls[16];
    const char *pair[5] = {addr, username, f, pla, ls};
    const char *ip[4] = {addr, f, ila, ls};
    int failures = 0;
    cm_err err;

    snprintf(f, sizeof f, "%d", forget_s);
    snprintf(pla, sizeof pla, "%d", pair_lock_after);
    snprintf(ila, sizeof ila, "%d", ip_lock_after);
    snprintf(ls, sizeof ls, "%d", lock_s);
    /* the username's own record: counted, never locked */
    err = store_attempts_fail(pg, username, forget_s, INT_MAX, lock_s, &failures);
    if (err == CM_OK)
        err = cm_pg_query_bin(
            pg,
            "INSERT INTO login_attempts_pair AS a (addr, username, failures, "
            "last_failure_at, locked_until) VALUES ($1, lower($2), 1, now(), "
            "CASE WHEN $4::int <= 1 THEN now() + make_interval(secs => $5::int) END) "
            "ON CONFLICT (addr, username) DO UPDATE SET " FAIL_SET("$3::int", "$4::int", "$5::int"),
            5, pair, NULL, NULL, NULL);
    if (err == CM_OK)
        err = cm_pg_query_bin(
            pg,
            "INSERT INTO login_attempts_ip AS a (addr, failures, last_failure_at, "
            "locked_until) VALUES ($1, 1, now(), "
            "CASE WHEN $3::int <= 1 THEN now() + make_interval(secs => $4::int) END) "
            "ON CONFLICT (addr) DO UPDATE SET " FAIL_SET("$2::int", "$3::int", "$4::int"),
            4, ip, NULL, NULL, NULL);
    return err;
}

cm_err store_login_success(PGconn *pg, const char *username, const char *addr)
{
    const char *values[2] = {username, addr};
    return cm_pg_query_bin(pg,
                           "WITH d AS (DELETE FROM login_attempts_pair WHERE addr = $2 "
                           "AND username = lower($1)) "
                           "INSERT INTO login_known_addrs (username, addr) VALUES (lower($1), $2) "
                           "ON CONFLICT (username, addr) DO UPDATE SET last_login_at = now()",
                           2, values, NULL, NULL, NULL);
}
