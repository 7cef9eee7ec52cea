/* store_mfa.c: SQL of the TOTP configurations (store_mfa.h), all
 * parameterized, every result cleared where it was read. The secret travels
 * as bytea in binary in both directions, sealed (totp_keys.h): it is sealed
 * here before it is written and opened here when it is read. */
#include "store_mfa.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_pg.h"
#include "totp_keys.h"

/* clang-format off */
#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
#define MFA_COLUMNS                                                                                \
    "id::text AS id, user_id::text AS user_id, secret, secret_box, key_id, "                      \
    "enabled::text AS enabled, "                                                                   \
    TS("created_at") " AS created_at, " TS("enabled_at") " AS enabled_at, "                        \
    TS("last_used") " AS last_used, last_step::text AS last_step"
/* clang-format on */

/* Runs sql with text parameters, except a binary bytea at index bin (-1:
 * none; binlen bytes). Results come back in binary: the secret as raw
 * bytes, text columns as their bytes without NUL (read with text_at), so
 * every other column is cast to text in SQL. *out_res on CM_OK (caller
 * PQclear). */
static cm_err exec(PGconn *pg, const char *sql, int n, const char *const *values, int bin,
                   int binlen, PGresult **out_res)
{
    int lengths[4] = {0}, formats[4] = {0};
    PGresult *res;
    cm_err err;

    if (bin >= 0) {
        lengths[bin] = binlen;
        formats[bin] = 1;
    }
    res = cm_pg_exec_params(pg, sql, n, NULL, values, lengths, formats, 1);
    err = cm_pg_result_err(res);
    if (err != CM_OK) {
        PQclear(res);
        return err;
    }
    *out_res = res;
    return CM_OK;
}

/* Copies text column col of row i (binary result of a text cast: the bytes
 * without NUL) into out (cap bytes); "" for NULL. */
static void text_at(const PGresult *res, int i, const char *col, char *out, size_t cap)
{
    int c = PQfnumber(res, col), len;

    if (c < 0 || PQgetisnull(res, i, c)) {
        out[0] = '\0';
        return;
    }
    len = PQgetlength(res, i, c);
    if ((size_t)len >= cap)
        len = (int)cap - 1;
    memcpy(out, PQgetvalue(res, i, c), (size_t)len);
    out[len] = '\0';
}

/* The secret of row i into out: opened from secret_box, or as it is in a
 * row not sealed yet (written before 007_totp_sealed.sql). */
static cm_err read_secret(const struct cm_keyring *ring, const PGresult *res, int i,
                          struct mfa_totp *out)
{
    int c_secret = PQfnumber(res, "secret"), c_box = PQfnumber(res, "secret_box"), len;
    char key_id[TOTP_KEY_ID_MAX];
    cm_err err;

    if (c_secret < 0 || c_box < 0)
        return CM_EINTERNAL;
    if (!PQgetisnull(res, i, c_secret)) {
        len = PQgetlength(res, i, c_secret);
        if (len <= 0 || len > MFA_SECRET_MAX)
            return CM_EINTERNAL;
        memcpy(out->secret, PQgetvalue(res, i, c_secret), (size_t)len);
        out->secret_len = (size_t)len;
        return CM_OK;
    }
    text_at(res, i, "key_id", key_id, sizeof key_id);
    err = cm_keyring_open(ring, key_id, (const uint8_t *)PQgetvalue(res, i, c_box),
                            (size_t)PQgetlength(res, i, c_box), out->secret, sizeof out->secret,
                            &out->secret_len);
    if (err != CM_OK) {
        cm_error("totp secret of a configuration does not open (key %s): %s",
                 err == CM_ENOTFOUND ? "not in TOTP_KEYS" : "wrong or data damaged",
                 cm_err_name(err));
        return CM_EINTERNAL;
    }
    return CM_OK;
}

/* Reads row i of a MFA_COLUMNS result into out. */
static cm_err read_row(const struct cm_keyring *ring, const PGresult *res, int i,
                       struct mfa_totp *out)
{
    char flag[8], step[24];
    cm_err err = read_secret(ring, res, i, out);

    if (err != CM_OK)
        return err;
    text_at(res, i, "id", out->id, sizeof out->id);
    text_at(res, i, "user_id", out->user_id, sizeof out->user_id);
    text_at(res, i, "enabled", flag, sizeof flag);
    out->enabled = !strcmp(flag, "true");
    text_at(res, i, "created_at", out->created_at, sizeof out->created_at);
    text_at(res, i, "enabled_at", out->enabled_at, sizeof out->enabled_at);
    text_at(res, i, "last_used", out->last_used, sizeof out->last_used);
    text_at(res, i, "last_step", step, sizeof step);
    out->last_step = step[0] ? strtoll(step, NULL, 10) : -1;
    return CM_OK;
}

/* Runs sql returning at most one MFA_COLUMNS row into out; none_err when
 * no row came back. */
static cm_err one_row(const struct cm_keyring *ring, PGconn *pg, const char *sql, int n,
                      const char *const *values, int bin, int binlen, cm_err none_err,
                      struct mfa_totp *out)
{
    PGresult *res = NULL;
    struct mfa_totp row;
    cm_err err = exec(pg, sql, n, values, bin, binlen, &res);

    if (err == CM_OK)
        err = PQntuples(res) == 1 ? read_row(ring, res, 0, &row) : none_err;
    PQclear(res);
    if (err == CM_OK)
        *out = row;
    return err;
}

cm_err store_mfa_user(PGconn *pg, const char *user_id, struct mfa_user *out)
{
    const char *values[1] = {user_id};
    PGresult *res = NULL;
    cm_err err = exec(pg,
                      "SELECT username, coalesce(password_hash, '') AS password_hash "
                      "FROM users WHERE id = $1",
                      1, values, -1, 0, &res);

    if (err == CM_OK && PQntuples(res) != 1)
        err = CM_ENOTFOUND;
    if (err == CM_OK) {
        text_at(res, 0, "username", out->username, sizeof out->username);
        text_at(res, 0, "password_hash", out->password_hash, sizeof out->password_hash);
    }
    PQclear(res);
    return err;
}

cm_err store_mfa_user_visible(PGconn *pg, const char *user_id, const char *organization_id)
{
    const char *values[2] = {user_id, organization_id};
    PGresult *res = NULL;
    cm_err err = organization_id
                     ? exec(pg,
                            "SELECT 1 FROM user_organizations "
                            "WHERE user_id = $1 AND organization_id = $2",
                            2, values, -1, 0, &res)
                     : exec(pg, "SELECT 1 FROM users WHERE id = $1", 1, values, -1, 0, &res);

    if (err == CM_OK && PQntuples(res) != 1)
        err = CM_ENOTFOUND;
    PQclear(res);
    return err;
}

cm_err store_mfa_create(const struct cm_keyring *ring, PGconn *pg, const char *user_id, const uint8_t *secret, size_t len,
                        struct mfa_totp *out)
{
    char cap[16], key_id[TOTP_KEY_ID_MAX];
    uint8_t box[MFA_SECRET_MAX + TOTP_BOX_OVERHEAD];
    const char *values[4] = {user_id, (const char *)box, cap, key_id};
    cm_err err;

    if (len == 0 || len > MFA_SECRET_MAX)
        return CM_EINTERNAL;
    cm_keyring_seal(ring, secret, len, box, key_id);
    snprintf(cap, sizeof cap, "%d", MFA_MAX_PENDING);
    /* The cap is checked in the same statement; two concurrent creations
     * may pass it together, which only lets the count go one over. */
    err = one_row(ring, pg,
                  "INSERT INTO mfa_totp (user_id, secret_box, key_id) SELECT $1, $2, $4 "
                  "WHERE (SELECT count(*) FROM mfa_totp WHERE user_id = $1 AND NOT enabled) "
                  "< $3::int RETURNING " MFA_COLUMNS,
                  4, values, 1, (int)(len + TOTP_BOX_OVERHEAD), CM_ECONFLICT, out);
    sodium_memzero(box, sizeof box);
    return err;
}

cm_err store_mfa_list(const struct cm_keyring *ring, PGconn *pg, const char *user_id, struct mfa_totp **out, size_t *out_n)
{
    const char *values[1] = {user_id};
    struct mfa_totp *rows = NULL;
    PGresult *res = NULL;
    int n = 0;
    cm_err err = exec(pg,
                      "SELECT " MFA_COLUMNS " FROM mfa_totp WHERE user_id = $1 "
                      "ORDER BY created_at, id",
                      1, values, -1, 0, &res);

    if (err == CM_OK && (n = PQntuples(res)) > 0) {
        rows = cm_xcalloc((size_t)n, sizeof *rows);
        for (int i = 0; i < n && err == CM_OK; i++)
            err = read_row(ring, res, i, &rows[i]);
    }
    PQclear(res);
    if (err != CM_OK) {
        free(rows);
        return err;
    }
    *out = rows;
    *out_n = (size_t)n;
    return CM_OK;
}

cm_err store_mfa_get(const struct cm_keyring *ring, PGconn *pg, const char *id, struct mfa_totp *out)
{
    const char *values[1] = {id};
    return one_row(ring, pg, "SELECT " MFA_COLUMNS " FROM mfa_totp WHERE id = $1", 1, values, -1, 0,
                   CM_ENOTFOUND, out);
}

cm_err store_mfa_enabled_of(const struct cm_keyring *ring, PGconn *pg, const char *user_id, struct mfa_totp *out)
{
    const char *values[1] = {user_id};
    return one_row(ring, pg, "SELECT " MFA_COLUMNS " FROM mfa_totp WHERE user_id = $1 AND enabled", 1,
                   values, -1, 0, CM_ENOTFOUND, out);
}

cm_err store_mfa_enable(const struct cm_keyring *ring, PGconn *pg, const char *id, int64_t first_step, int64_t last_step,
                        struct mfa_totp *out)
{
    char first[24], last[24];
    const char *values[3] = {id, first, last};

    snprintf(first, sizeof first, "%" PRId64, first_step);
    snprintf(last, sizeof last, "%" PRId64, last_step);
    return one_row(ring, pg,
                   "UPDATE mfa_totp SET enabled = true, enabled_at = now(), last_step = $3 "
                   "WHERE id = $1 AND NOT enabled "
                   "AND (last_step IS NULL OR last_step < $2::bigint) RETURNING " MFA_COLUMNS,
                   3, values, -1, 0, CM_ECONFLICT, out);
}

cm_err store_mfa_disable(const struct cm_keyring *ring, PGconn *pg, const char *id, struct mfa_totp *out)
{
    const char *values[1] = {id};
    return one_row(ring, pg,
                   "UPDATE mfa_totp SET enabled = false, enabled_at = NULL "
                   "WHERE id = $1 AND enabled RETURNING " MFA_COLUMNS,
                   1, values, -1, 0, CM_ECONFLICT, out);
}

/* Runs a one-row write with text parameters; none_err when it touched no row. */
static cm_err write_one(PGconn *pg, const char *sql, int n, const char *const *values,
                        cm_err none_err)
{
    PGresult *res = NULL;
    cm_err err = exec(pg, sql, n, values, -1, 0, &res);

    if (err == CM_OK && strcmp(PQcmdTuples(res), "1") != 0)
        err = none_err;
    PQclear(res);
    return err;
}

cm_err store_mfa_delete(PGconn *pg, const char *id)
{
    const char *values[1] = {id};
    return write_one(pg, "DELETE FROM mfa_totp WHERE id = $1 AND NOT enabled", 1, values,
                     CM_ECONFLICT);
}

cm_err store_mfa_consume(PGconn *pg, const char *id, int64_t step)
{
    char s[24];
    const char *values[2] = {id, s};

    snprintf(s, sizeof s, "%" PRId64, step);
    return write_one(pg,
                     "UPDATE mfa_totp SET last_step = $2::bigint, last_used = now() "
                     "WHERE id = $1 AND enabled "
                     "AND (last_step IS NULL OR last_step < $2::bigint)",
                     2, values, CM_EDENIED);
}

cm_err store_mfa_db_key(PGconn *pg, int create, uint8_t key[32], int *found)
{
    uint8_t fresh[32];
    const char *values[1] = {(const char *)fresh};
    PGresult *res = NULL;
    cm_err err = CM_OK;

    *found = 0;
    if (create) { /* a no-op when a copy of identity made it first */
        randombytes_buf(fresh, sizeof fresh);
        err = exec(pg, "INSERT INTO totp_db_key (id, key) VALUES (1, $1) ON CONFLICT DO NOTHING",
                   1, values, 0, (int)sizeof fresh, &res);
        sodium_memzero(fresh, sizeof fresh);
        PQclear(res);
        res = NULL;
    }
    if (err == CM_OK)
        err = exec(pg, "SELECT key FROM totp_db_key WHERE id = 1", 0, NULL, -1, 0, &res);
    if (err == CM_OK && PQntuples(res) == 1 && PQgetlength(res, 0, 0) == 32) {
        memcpy(key, PQgetvalue(res, 0, 0), 32);
        *found = 1;
    }
    PQclear(res);
    return err;
}

cm_err store_mfa_unsealed(const struct cm_keyring *ring, PGconn *pg, struct mfa_sealed **out,
                          size_t *out_n)
{
    const char *values[1] = {ring->keys[0].id};
    struct mfa_sealed *rows = NULL;
    PGresult *res = NULL;
    int n = 0;
    cm_err err = exec(pg,
                      "SELECT id::text AS id, secret, secret_box, key_id FROM mfa_totp "
                      "WHERE secret IS NOT NULL OR key_id IS DISTINCT FROM $1 ORDER BY id",
                      1, values, -1, 0, &res);

    if (err == CM_OK && (n = PQntuples(res)) > 0) {
        rows = cm_xcalloc((size_t)n, sizeof *rows);
        for (int i = 0; i < n; i++) {
            struct mfa_totp t;
            text_at(res, i, "id", rows[i].id, sizeof rows[i].id);
            text_at(res, i, "key_id", rows[i].key_id, sizeof rows[i].key_id);
            if (read_secret(ring, res, i, &t) == CM_OK) {
                memcpy(rows[i].secret, t.secret, t.secret_len);
                rows[i].secret_len = t.secret_len;
            }
            sodium_memzero(&t, sizeof t);
        }
    }
    PQclear(res);
    if (err != CM_OK)
        return err;
    *out = rows;
    *out_n = (size_t)n;
    return CM_OK;
}

cm_err store_mfa_seal(PGconn *pg, const char *id, const uint8_t *box, size_t len,
                      const char *key_id)
{
    const char *values[3] = {id, (const char *)box, key_id};
    PGresult *res = NULL;
    cm_err err = exec(pg,
                      "UPDATE mfa_totp SET secret = NULL, secret_box = $2, key_id = $3 "
                      "WHERE id = $1",
                      3, values, 1, (int)len, &res);

    PQclear(res);
    return err;
}
