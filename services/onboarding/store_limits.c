/* store_limits.c: the SQL of sign-up limits (see store_limits.h). */
#include "store_limits.h"

#include <stdio.h>
#include <stdlib.h>

#include "cm_pg.h"

cm_err store_limit_take(PGconn *pg, const char *kind, const char *key, int max, int window_s,
                        int record, int *retry_after_s)
{
    char smax[16], swin[16];
    const char *values[5] = {kind, key, swin, smax, record ? "t" : "f"};
    PGresult *res = NULL;
    long n;
    cm_err err;

    snprintf(smax, sizeof smax, "%d", max);
    snprintf(swin, sizeof swin, "%d", window_s);
    *retry_after_s = 0;
    err = cm_pg_query(pg,
              "WITH c AS (SELECT count(*) AS n, min(at) AS oldest FROM sign_up_limits "
              "WHERE kind = $1 AND key = $2 AND at > now() - make_interval(secs => $3::int)), "
              "i AS (INSERT INTO sign_up_limits (kind, key) SELECT $1, $2 FROM c "
              "WHERE c.n < $4::int AND $5::boolean) "
              "SELECT n, greatest(1, ceil(extract(epoch FROM oldest + "
              "make_interval(secs => $3::int) - now())))::int AS retry FROM c",
              5, values, &res);
    if (err != CM_OK)
        return err;
    n = atol(PQgetvalue(res, 0, 0));
    if (n >= max) {
        *retry_after_s = PQgetisnull(res, 0, 1) ? window_s : atoi(PQgetvalue(res, 0, 1));
        err = CM_ELIMIT;
    }
    PQclear(res);
    return err;
}

cm_err store_limit_note(PGconn *pg, const char *kind, const char *key)
{
    const char *values[2] = {kind, key};
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg, "INSERT INTO sign_up_limits (kind, key) VALUES ($1, $2)", 2,
                             values, &res);

    PQclear(res);
    return err;
}

cm_err store_limits_prune(PGconn *pg, int keep_s, long *out_deleted)
{
    char keep[16];
    const char *values[1] = {keep};

    snprintf(keep, sizeof keep, "%d", keep_s);
    return cm_pg_command(pg,
                         "DELETE FROM sign_up_limits WHERE at < now() - make_interval(secs => "
                         "$1::int)",
                         1, values, out_deleted);
}
