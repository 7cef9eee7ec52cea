/* store.c: identity's SQL, all parameterized; results cleared where read. */
#include "store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cm_pg.h"

void store_api_key_hash(const char *key, uint8_t out[API_KEY_HASH_BYTES])
{
    crypto_generichash(out, API_KEY_HASH_BYTES, (const unsigned char *)key, strlen(key), NULL, 0);
}

/* Reads row 0 of res into out. */
static cm_err read_client(PGresult *res, struct api_client *out)
{
    int c_id = PQfnumber(res, "id"), c_user = PQfnumber(res, "api_user_id"),
        c_org = PQfnumber(res, "organization_id"), c_hash = PQfnumber(res, "key_hash");

    if (PQntuples(res) != 1)
        return CM_ENOTFOUND;
    if (PQgetlength(res, 0, c_hash) != API_KEY_HASH_BYTES)
        return CM_EINTERNAL;
    snprintf(out->id, sizeof out->id, "%s", PQgetvalue(res, 0, c_id));
    snprintf(out->api_user_id, sizeof out->api_user_id, "%s", PQgetvalue(res, 0, c_user));
    snprintf(out->organization_id, sizeof out->organization_id, "%s",
             PQgetisnull(res, 0, c_org) ? "" : PQgetvalue(res, 0, c_org));
    memcpy(out->key_hash, PQgetvalue(res, 0, c_hash), API_KEY_HASH_BYTES);
    return CM_OK;
}

/* Runs a one-parameter lookup returning api_clients columns, key_hash binary. */
static cm_err lookup(PGconn *pg, const char *sql, const char *param, int len, int binary,
                     struct api_client *out)
{
    const char *values[1] = {param};
    int lengths[1] = {len}, formats[1] = {binary};
    PGresult *res = PQexecParams(pg, sql, 1, NULL, values, lengths, formats, 1);
    cm_err err = cm_pg_result_err(res);

    if (err == CM_OK)
        err = read_client(res, out);
    PQclear(res);
    return err;
}

#define CLIENT_COLUMNS "id::text AS id, api_user_id, organization_id::text AS organization_id, key_hash"

cm_err store_api_client_by_user(PGconn *pg, const char *api_user_id, struct api_client *out)
{
    return lookup(pg,
                  "SELECT " CLIENT_COLUMNS
                  " FROM api_clients WHERE api_user_id = $1 AND revoked_at IS NULL",
                  api_user_id, 0, 0, out);
}

cm_err store_api_client_by_hash(PGconn *pg, const uint8_t hash[API_KEY_HASH_BYTES],
                                struct api_client *out)
{
    return lookup(pg,
                  "SELECT " CLIENT_COLUMNS
                  " FROM api_clients WHERE key_hash = $1 AND revoked_at IS NULL",
                  (const char *)hash, API_KEY_HASH_BYTES, 1, out);
}

cm_err store_tx_begin(PGconn *pg)
{
    return cm_pg_exec(pg, "BEGIN");
}

cm_err store_tx_commit(PGconn *pg)
{
    return cm_pg_exec(pg, "COMMIT");
}

void store_tx_rollback(PGconn *pg)
{
    if (PQtransactionStatus(pg) != PQTRANS_IDLE)
        cm_pg_exec(pg, "ROLLBACK");
}

cm_err store_api_client_upsert(PGconn *pg, const char *api_user_id, const char *key,
                               const char *name, struct api_client_upsert *out)
{
    uint8_t hash[API_KEY_HASH_BYTES];
    const char *values[3] = {api_user_id, (const char *)hash, name};
    int lengths[3] = {0, API_KEY_HASH_BYTES, 0}, formats[3] = {0, 1, 0};
    struct api_client_upsert r = {API_CLIENT_UNCHANGED, "", ""};
    PGresult *res = NULL;
    int had_row = 0, same_key = 0;
    cm_err err;

    store_api_key_hash(key, hash);
    /* The old row, locked: a concurrent start of another copy waits here. */
    res = PQexecParams(pg,
                       "SELECT key_hash = $2 AS same_key FROM api_clients "
                       "WHERE api_user_id = $1 FOR UPDATE",
                       2, NULL, values, lengths, formats, 0);
    err = cm_pg_result_err(res);
    if (err == CM_OK && PQntuples(res) == 1) {
        had_row = 1;
        same_key = PQgetvalue(res, 0, 0)[0] == 't';
    }
    PQclear(res);
    res = NULL;
    /* Writes only when something changes; RETURNING then says what. A row
     * inserted has xmax 0. */
    if (err == CM_OK) {
        res = PQexecParams(pg,
                           "INSERT INTO api_clients (api_user_id, key_hash, name) "
                           "VALUES ($1, $2, $3) "
                           "ON CONFLICT (api_user_id) DO UPDATE SET key_hash = EXCLUDED.key_hash, "
                           "revoked_at = NULL "
                           "WHERE api_clients.key_hash <> EXCLUDED.key_hash "
                           "OR api_clients.revoked_at IS NOT NULL "
                           "RETURNING id::text AS id, (xmax = 0) AS created, "
                           "to_char(now() AT TIME ZONE 'UTC', "
                           "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS occurred_at",
                           3, NULL, values, lengths, formats, 0);
        err = cm_pg_result_err(res);
    }
    if (err == CM_OK && PQntuples(res) == 1) {
        if (PQgetvalue(res, 0, PQfnumber(res, "created"))[0] == 't')
            r.change = API_CLIENT_CREATED;
        else if (had_row && same_key)
            r.change = API_CLIENT_RESTORED;
        else
            r.change = API_CLIENT_KEY_ROTATED;
        snprintf(r.id, sizeof r.id, "%s", PQgetvalue(res, 0, PQfnumber(res, "id")));
        snprintf(r.occurred_at, sizeof r.occurred_at, "%s",
                 PQgetvalue(res, 0, PQfnumber(res, "occurred_at")));
    }
    PQclear(res);
    if (err == CM_OK)
        *out = r;
    return err;
}
