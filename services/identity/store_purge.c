/* store_purge.c: SQL of identity's deletion-saga RPCs (store_purge.h). */
#include <stdio.h>

#include "cm_pg.h"
#include "store_purge.h"

cm_err store_purge_subject(PGconn *pg, const char *user_id, char *email, char *username,
                           char *hash)
{
    const char *p[1] = {user_id};
    PGresult *res;
    cm_err err = cm_pg_one_row(cm_pg_query(pg,
                                           "SELECT email, username, coalesce(password_hash, '') "
                                           "AS password_hash FROM users WHERE id = $1::uuid",
                                           1, p, &res),
                               &res);
    if (err != CM_OK)
        return err;
    cm_pg_copy(res, 0, "email", email, 256);
    cm_pg_copy(res, 0, "username", username, 256);
    cm_pg_copy(res, 0, "password_hash", hash, PW_HASH_MAX);
    PQclear(res);
    return CM_OK;
}

cm_err store_purge_lock_user(PGconn *pg, const char *user_id, int *out)
{
    const char *p[1] = {user_id};
    PGresult *res;
    cm_err err = cm_pg_query(pg, "SELECT 1 FROM users WHERE id = $1::uuid FOR UPDATE", 1, p, &res);
    if (err != CM_OK)
        return err;
    *out = PQntuples(res) == 1;
    PQclear(res);
    return CM_OK;
}

const char *const store_purge_statements[] = {
    "DELETE FROM login_attempts WHERE username = ANY($2::text[])",
    "DELETE FROM login_attempts_pair WHERE username = ANY($2::text[])",
    "DELETE FROM login_known_addrs WHERE username = ANY($2::text[])",
    "DELETE FROM code_throttle WHERE key = ANY($2::text[])",
    "UPDATE api_clients SET created_by = NULL WHERE created_by = $1::uuid",
    "UPDATE sessions SET impersonator_id = NULL WHERE impersonator_id = $1::uuid",
    "DELETE FROM users WHERE id = $1::uuid",
    NULL,
};
