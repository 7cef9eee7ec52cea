/* store.c: identity's SQL, all parameterized; results cleared where read. */
#include "store.h"

#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"
#include "cm_pg_select.h"

void store_api_key_hash(const char *key, uint8_t out[API_KEY_HASH_BYTES])
{
    crypto_generichash(out, API_KEY_HASH_BYTES, (const unsigned char *)key, strlen(key), NULL, 0);
}

/* Reads the JSON array text of role names into out's roles; CM_EINTERNAL
 * when it is malformed or holds more or longer names than out can. */
static cm_err read_roles(const char *text, struct api_client *out)
{
    json_t *arr = json_loads(text, JSON_DECODE_ANY, NULL);
    cm_err err = json_is_array(arr) && json_array_size(arr) <= API_CLIENT_MAX_ROLES
                     ? CM_OK
                     : CM_EINTERNAL;
    size_t i;
    json_t *v;

    out->nroles = 0;
    json_array_foreach(arr, i, v)
    {
        if (err != CM_OK || !json_is_string(v) ||
            json_string_length(v) >= sizeof out->roles[0]) {
            err = CM_EINTERNAL;
            break;
        }
        snprintf(out->roles[out->nroles++], sizeof out->roles[0], "%s", json_string_value(v));
    }
    json_decref(arr);
    return err;
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
    return read_roles(cm_pg_col(res, 0, "roles"), out);
}

/* Runs a one-parameter lookup returning api_clients columns, key_hash binary. */
static cm_err lookup(PGconn *pg, const char *sql, const char *param, int len, int binary,
                     struct api_client *out)
{
    const char *values[1] = {param};
    int lengths[1] = {len}, formats[1] = {binary};
    PGresult *res = cm_pg_exec_params(pg, sql, 1, NULL, values, lengths, formats, 1);
    cm_err err = cm_pg_result_err(res);

    if (err == CM_OK)
        err = read_client(res, out);
    PQclear(res);
    return err;
}

#define CLIENT_COLUMNS                                                                             \
    "id::text AS id, api_user_id, organization_id::text AS organization_id, key_hash, "           \
    "array_to_json(roles)::text AS roles"

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
    res = cm_pg_exec_params(pg,
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
        res = cm_pg_exec_params(pg,
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
        if (cm_pg_bool(res, 0, "created"))
            r.change = API_CLIENT_CREATED;
        else if (had_row && same_key)
            r.change = API_CLIENT_RESTORED;
        else
            r.change = API_CLIENT_KEY_ROTATED;
        snprintf(r.id, sizeof r.id, "%s", cm_pg_col(res, 0, "id"));
        snprintf(r.occurred_at, sizeof r.occurred_at, "%s", cm_pg_col(res, 0, "occurred_at"));
    }
    PQclear(res);
    if (err == CM_OK)
        *out = r;
    return err;
}

/* --- API clients as a resource --- */

#define REC_COLUMNS                                                                                \
    "c.id::text AS id, c.api_user_id, c.name, c.organization_id::text AS organization_id, "      \
    "array_to_json(c.roles)::text AS roles, " STORE_TS("c.created_at") " AS created_at, "        \
    "CASE WHEN c.revoked_at IS NULL THEN NULL ELSE " STORE_TS("c.revoked_at")                     \
    " END AS revoked_at, c.created_by::text AS created_by, " STORE_TS("now()") " AS occurred_at"

#define F(col, field) {col, CM_PG_STR, offsetof(struct api_client_rec, field)}
static const struct cm_pg_field client_fields[] = {
    F("id", id),
    F("api_user_id", api_user_id),
    F("name", name),
    F("organization_id", organization_id),
    F("roles", roles),
    F("created_at", created_at),
    F("revoked_at", revoked_at),
    F("created_by", created_by),
    F("occurred_at", occurred_at),
};
#undef F
#define NFIELDS (sizeof client_fields / sizeof client_fields[0])

void store_api_client_list_free(struct api_client_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

/* err, or CM_ENOTFOUND (out emptied) when out does not hold exactly one. */
static cm_err one_client(cm_err err, struct api_client_list *out)
{
    if (err == CM_OK && out->n != 1) {
        store_api_client_list_free(out);
        return CM_ENOTFOUND;
    }
    return err;
}

/* The records of res (a result of a RETURNING REC_COLUMNS statement), which
 * it clears, into *out: exactly one, else CM_ENOTFOUND. */
static cm_err one_client_of(PGresult *res, struct api_client_list *out)
{
    cm_err err = cm_pg_result_err(res);

    if (err == CM_OK)
        cm_pg_records(res, client_fields, NFIELDS, sizeof *out->items, (void **)&out->items,
                      &out->mem, &out->n);
    PQclear(res);
    return one_client(err, out);
}

cm_err store_api_client_create(PGconn *pg, const struct api_client_new *c,
                               struct api_client_list *out)
{
    const char *check[2] = {c->organization_id, c->name};
    const char *values[6] = {c->api_user_id, (const char *)c->key_hash, c->name, c->organization_id,
                             c->roles_json,  cm_pg_opt(c->created_by)};
    int lengths[6] = {0, API_KEY_HASH_BYTES, 0, 0, 0, 0}, formats[6] = {0, 1, 0, 0, 0, 0};
    long taken = 0;
    PGresult *res;
    cm_err err;

    /* Serialises creations in one organization until commit, so that two
     * concurrent ones cannot both find the name free. */
    err = cm_pg_command(pg, "SELECT pg_advisory_xact_lock(hashtext('api_clients:' || $1::text))", 1,
                        check, NULL);
    if (err == CM_OK)
        err = cm_pg_command(pg,
                            "SELECT 1 FROM api_clients WHERE organization_id = $1 AND name = $2 "
                            "AND revoked_at IS NULL",
                            2, check, &taken);
    if (err == CM_OK && taken)
        return CM_ECONFLICT;
    if (err != CM_OK)
        return err;
    res = cm_pg_exec_params(pg,
                       "INSERT INTO api_clients AS c (api_user_id, key_hash, name, organization_id, "
                       "roles, created_by) VALUES ($1, $2, $3, $4, "
                       "ARRAY(SELECT json_array_elements_text($5::json)), $6::uuid) "
                       "RETURNING " REC_COLUMNS,
                       6, NULL, values, lengths, formats, 0);
    return one_client_of(res, out);
}

cm_err store_api_client_get(PGconn *pg, const char *id, const char *org,
                            struct api_client_list *out)
{
    const char *v[2] = {id, cm_pg_opt(org)};

    return one_client(CM_PG_SELECT(pg,
                                   "SELECT " REC_COLUMNS " FROM api_clients c WHERE c.id = $1 "
                                   "AND ($2::uuid IS NULL OR c.organization_id = $2)",
                                   2, v, client_fields, out),
                      out);
}

cm_err store_api_clients_list(PGconn *pg, const struct api_client_query *q,
                              struct api_client_list *out)
{
    char limit[24], offset[24];
    const char *v[5] = {cm_pg_opt(q->scope_org), cm_pg_opt(q->filter_org),
                        q->include_revoked ? "t" : "f", limit, offset};

    snprintf(limit, sizeof limit, "%ld", q->limit);
    snprintf(offset, sizeof offset, "%ld", q->offset);
    return CM_PG_SELECT(pg,
                       "SELECT " REC_COLUMNS " FROM api_clients c "
                       "WHERE ($1::uuid IS NULL OR c.organization_id = $1) "
                       "AND ($2::uuid IS NULL OR c.organization_id = $2) "
                       "AND ($3::bool OR c.revoked_at IS NULL) "
                       "ORDER BY c.created_at DESC, c.id LIMIT $4 OFFSET $5",
                       5, v, client_fields, out);
}

cm_err store_api_client_set_key(PGconn *pg, const char *id, const uint8_t hash[API_KEY_HASH_BYTES],
                                struct api_client_list *out)
{
    const char *values[2] = {id, (const char *)hash};
    int lengths[2] = {0, API_KEY_HASH_BYTES}, formats[2] = {0, 1};
    struct api_client_list now = {0};
    PGresult *res;
    cm_err err = store_api_client_get(pg, id, "", &now);

    if (err != CM_OK)
        return err;
    err = now.items[0].revoked_at[0] ? CM_ECONFLICT : CM_OK;
    store_api_client_list_free(&now);
    if (err != CM_OK)
        return err;
    res = cm_pg_exec_params(pg,
                       "UPDATE api_clients c SET key_hash = $2 WHERE c.id = $1 "
                       "AND c.revoked_at IS NULL RETURNING " REC_COLUMNS,
                       2, NULL, values, lengths, formats, 0);
    err = one_client_of(res, out);
    return err == CM_ENOTFOUND ? CM_ECONFLICT : err; /* revoked meanwhile */
}

cm_err store_api_client_revoke(PGconn *pg, const char *id, int *changed,
                               struct api_client_list *out)
{
    const char *v[1] = {id};
    long rows = 0;
    cm_err err = cm_pg_command(pg,
                               "UPDATE api_clients SET revoked_at = now() WHERE id = $1 "
                               "AND revoked_at IS NULL",
                               1, v, &rows);

    if (err == CM_OK)
        err = store_api_client_get(pg, id, "", out);
    if (err == CM_OK)
        *changed = rows > 0;
    return err;
}

cm_err store_take_once(PGconn *pg, const char *sql, int n, const char *const *v,
                       const char *column, char *out, size_t cap)
{
    PGresult *res = NULL;
    cm_err err = cm_pg_one_row(cm_pg_query(pg, sql, n, v, &res), &res);

    if (err != CM_OK)
        return err;
    if (cm_pg_bool(res, 0, "ok"))
        cm_pg_copy(res, 0, column, out, cap);
    else
        err = CM_ENOTFOUND;
    PQclear(res);
    return err;
}
