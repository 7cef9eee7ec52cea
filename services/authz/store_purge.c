/* store_purge.c: SQL of authz's step of privacy's deletion saga
 * (store_purge.h; run by purge_rpc.c through libcommon/cm_purge). */
#include "store_purge.h"

#include <string.h>

#include "cm_pg.h"

const char *const store_purge_statements[] = {
    "DELETE FROM group_logs WHERE subject_id = $1::uuid OR subject_id IN "
    "(SELECT id FROM individuals WHERE user_id = $1::uuid)",
    "UPDATE group_logs SET created_by = NULL WHERE created_by = $1::uuid",
    "DELETE FROM individuals WHERE user_id = $1::uuid", /* group_individuals cascade */
    "UPDATE individuals SET created_by = NULL WHERE created_by = $1::uuid",
    "DELETE FROM group_members WHERE user_id = $1::uuid",
    "DELETE FROM group_leaders WHERE user_id = $1::uuid",
    "UPDATE group_members SET added_by = NULL WHERE added_by = $1::uuid",
    "UPDATE group_leaders SET added_by = NULL WHERE added_by = $1::uuid",
    "UPDATE group_individuals SET added_by = NULL WHERE added_by = $1::uuid",
    "UPDATE groups SET created_by = NULL WHERE created_by = $1::uuid",
    "UPDATE tasks SET created_by = NULL WHERE created_by = $1::uuid",
    "DELETE FROM user_roles WHERE user_id = $1::uuid",
    "DELETE FROM memberships WHERE user_id = $1::uuid",
    "DELETE FROM users WHERE id = $1::uuid",
    NULL,
};

cm_err store_purge_index_log(PGconn *pg, const char *user_id, int *out_remains)
{
    const char *p[1] = {user_id};
    PGresult *res = NULL;
    cm_err err = cm_pg_command(
        pg,
        "WITH m AS (SELECT min(applied) AS upto FROM index_copies"
        " WHERE seen_at > now() - interval '10 minutes'),"
        " d AS (DELETE FROM index_log WHERE seq <= (SELECT upto FROM m)"
        " AND (a = $1::uuid OR b = $1::uuid OR c = $1::uuid) RETURNING seq)"
        " UPDATE index_pruned SET upto = (SELECT max(seq) FROM d)"
        " WHERE (SELECT max(seq) FROM d) > upto",
        1, p, NULL);
    if (err == CM_OK)
        err = cm_pg_query(pg,
                          "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1::uuid) OR EXISTS "
                          "(SELECT 1 FROM index_log WHERE a = $1::uuid OR b = $1::uuid OR "
                          "c = $1::uuid)",
                          1, p, &res);
    if (err == CM_OK) {
        if (PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "t"))
            *out_remains = 1;
        PQclear(res);
    }
    return err;
}

