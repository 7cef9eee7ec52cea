/* store_codes.c: identity's SQL for reset codes, pending email changes and
 * the one-hour counts that bound guessing them (store_codes.h). Every
 * statement is parameterized; results are cleared on every path. */
#include "store_codes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"

#define KEEP_CODES "interval '30 days'" /* how long used and voided codes stay recorded */

/* --- counts in one-hour windows --- */

#define RETRY_SQL(window)                                                                          \
    "greatest(1, ceil(extract(epoch FROM " window " + make_interval(secs => $3::int) - now())))"   \
    "::int AS retry"

/* Runs sql ($1 scope, $2 key, $3 window_s; one row of "hits" and "retry"
 * when the key is counted) into *count and *retry_after_s (0 and 0 when no
 * row). */
static cm_err throttle_run(PGconn *pg, const char *sql, const char *scope, const char *key,
                           int window_s, int *count, int *retry_after_s)
{
    char w[16];
    const char *values[3] = {scope, key, w};
    PGresult *res = NULL;
    cm_err err;

    snprintf(w, sizeof w, "%d", window_s);
    err = cm_pg_query_bin(pg, sql, 3, values, NULL, NULL, &res);
    if (err == CM_OK) {
        *count = atoi(cm_pg_col(res, 0, "hits"));
        *retry_after_s = atoi(cm_pg_col(res, 0, "retry"));
    }
    PQclear(res);
    return err;
}

cm_err store_throttle_add(PGconn *pg, const char *scope, const char *key, int window_s,
                          int *count, int *retry_after_s)
{
    return throttle_run(
        pg,
        "WITH stale AS (DELETE FROM code_throttle WHERE (scope, key) IN (SELECT s.scope, "
        "s.key FROM code_throttle s WHERE s.window_start < now() - interval '2 hours' "
        "AND NOT (s.scope = $1 AND s.key = lower($2)) LIMIT 16)) "
        "INSERT INTO code_throttle AS t (scope, key, hits, window_start) "
        "VALUES ($1, lower($2), 1, now()) ON CONFLICT (scope, key) DO UPDATE SET "
        "hits = CASE WHEN t.window_start <= now() - make_interval(secs => $3::int) "
        "THEN 1 ELSE t.hits + 1 END, "
        "window_start = CASE WHEN t.window_start <= now() - make_interval(secs => $3::int) "
        "THEN now() ELSE t.window_start END "
        "RETURNING hits, " RETRY_SQL("window_start"),
        scope, key, window_s, count, retry_after_s);
}

cm_err store_throttle_get(PGconn *pg, const char *scope, const char *key, int window_s,
                          int *count, int *retry_after_s)
{
    return throttle_run(pg,
                        "SELECT hits, " RETRY_SQL("window_start") " FROM code_throttle "
                        "WHERE scope = $1 AND key = lower($2) "
                        "AND window_start > now() - make_interval(secs => $3::int)",
                        scope, key, window_s, count, retry_after_s);
}

/* --- password-reset codes --- */

cm_err store_reset_code_put(PGconn *pg, const char *username, int sms,
                            const uint8_t code_hash[STORE_HASH_BYTES], int ttl_s, int resend_s,
                            int max_sends, int *sent, char *to)
{
    char ttl[16], resend[16], max[16], id[40] = "";
    const char *find[4] = {username, sms ? "t" : "f", resend, max};
    const char *put[4] = {NULL, (const char *)code_hash, ttl, sms ? "sms" : "email"};
    int lengths[4] = {0, STORE_HASH_BYTES, 0, 0}, formats[4] = {0, 1, 0, 0};
    PGresult *res = NULL;
    cm_err err;

    snprintf(ttl, sizeof ttl, "%d", ttl_s);
    snprintf(resend, sizeof resend, "%d", resend_s);
    snprintf(max, sizeof max, "%d", max_sends);
    *sent = 0;
    to[0] = '\0';
    err = cm_pg_query_bin(
        pg,
        "SELECT u.id::text AS id, CASE WHEN $2::bool THEN u.phone ELSE u.email END AS addr "
        "FROM users u WHERE u.username = lower($1) AND u.enabled "
        "AND CASE WHEN $2::bool THEN u.phone_verified AND u.phone <> '' "
        "ELSE (u.email_verified OR (u.password_hash IS NULL AND NOT u.registered)) "
        "AND u.email <> '' END "
        "AND NOT EXISTS (SELECT 1 FROM reset_codes p WHERE p.user_id = u.id "
        "AND p.used_at IS NULL AND p.voided_at IS NULL AND p.expires_at > now() "
        "AND p.created_at > now() - make_interval(secs => $3::int)) "
        "AND (SELECT count(*) FROM reset_codes h WHERE h.user_id = u.id "
        "AND h.created_at > now() - interval '1 hour') < $4::int "
        "FOR UPDATE OF u",
        4, find, NULL, NULL, &res);
    if (err == CM_OK && PQntuples(res) == 1) {
        snprintf(id, sizeof id, "%s", cm_pg_col(res, 0, "id"));
        snprintf(to, 256, "%s", cm_pg_col(res, 0, "addr"));
    }
    PQclear(res);
    /* The same two writes run for an unknown user (id NULL: no row), so the
     * answer takes as long either way. */
    put[0] = cm_pg_opt(id);
    if (err == CM_OK)
        err = cm_pg_query_bin(pg,
                              "WITH old AS (DELETE FROM reset_codes WHERE user_id = $1::uuid "
                              "AND created_at < now() - " KEEP_CODES ") "
                              "UPDATE reset_codes SET voided_at = now(), void_reason = 'replaced' "
                              "WHERE user_id = $1::uuid AND used_at IS NULL AND voided_at IS NULL",
                              1, put, NULL, NULL, NULL);
    if (err == CM_OK)
        err = cm_pg_query_bin(pg,
                              "INSERT INTO reset_codes (user_id, code_hash, expires_at, channel) "
                              "SELECT $1::uuid, $2, now() + make_interval(secs => $3::int), $4 "
                              "WHERE $1::uuid IS NOT NULL",
                              4, put, lengths, formats, NULL);
    if (err == CM_OK)
        *sent = id[0] != '\0';
    else
        to[0] = '\0';
    return err;
}

cm_err store_reset_code_take(PGconn *pg, const char *username,
                             const uint8_t code_hash[STORE_HASH_BYTES], int max_attempts,
                             char *user_id)
{
    char max[16], code_id[24] = "";
    const char *values[2] = {username, (const char *)code_hash};
    int lengths[2] = {0, STORE_HASH_BYTES}, formats[2] = {0, 1};
    const char *mark[3] = {NULL, "f", max};
    PGresult *res = NULL;
    int match = 0;
    cm_err err;

    snprintf(max, sizeof max, "%d", max_attempts);
    err = cm_pg_query_bin(
        pg,
        "SELECT u.id::text AS id, rc.id::text AS code_id, rc.code_hash = $2 AS match "
        "FROM users u JOIN reset_codes rc ON rc.user_id = u.id "
        "WHERE u.username = lower($1) AND u.enabled AND rc.used_at IS NULL "
        "AND rc.voided_at IS NULL AND rc.expires_at > now() FOR UPDATE OF u, rc",
        2, values, lengths, formats, &res);
    if (err == CM_OK && PQntuples(res) == 1) {
        snprintf(user_id, 40, "%s", cm_pg_col(res, 0, "id"));
        snprintf(code_id, sizeof code_id, "%s", cm_pg_col(res, 0, "code_id"));
        match = cm_pg_bool(res, 0, "match");
    }
    PQclear(res);
    /* runs (on no row) for an unknown user or code too */
    mark[0] = cm_pg_opt(code_id);
    mark[1] = match ? "t" : "f";
    if (err == CM_OK)
        err = cm_pg_query_bin(pg,
                              "UPDATE reset_codes SET "
                              "attempts = attempts + CASE WHEN $2::bool THEN 0 ELSE 1 END, "
                              "used_at = CASE WHEN $2::bool THEN now() END, "
                              "voided_at = CASE WHEN NOT $2::bool AND attempts + 1 >= $3::int "
                              "THEN now() END, "
                              "void_reason = CASE WHEN NOT $2::bool AND attempts + 1 >= $3::int "
                              "THEN 'wrong_codes' END "
                              "WHERE id = $1::bigint",
                              3, mark, NULL, NULL, NULL);
    /* An account made without a password by an administrator (the clinical
     * API's admin/users) is activated by its first reset: a right code sent
     * to its email proves the address, so it is verified and the account
     * registered, before the new password is set. */
    if (err == CM_OK && match)
        err = cm_pg_query_bin(pg,
                              "UPDATE users u SET email_verified = true, registered = true "
                              "FROM reset_codes rc WHERE rc.id = $1::bigint AND u.id = rc.user_id "
                              "AND rc.channel = 'email' AND u.password_hash IS NULL "
                              "AND NOT u.registered",
                              1, mark, NULL, NULL, NULL);
    if (err != CM_OK)
        return err;
    if (!code_id[0])
        return CM_ENOTFOUND;
    return match ? CM_OK : CM_EDENIED;
}

/* --- pending email changes --- */

cm_err store_email_change_put(PGconn *pg, const char *user_id, const char *email,
                              const uint8_t code_hash[STORE_HASH_BYTES], int ttl_s,
                              int max_changes, char *old_email, int *unchanged,
                              int *retry_after_s)
{
    char ttl[16];
    const char *find[2] = {user_id, email};
    const char *put[4] = {user_id, email, (const char *)code_hash, ttl};
    int lengths[4] = {0, 0, STORE_HASH_BYTES, 0}, formats[4] = {0, 0, 1, 0};
    PGresult *res = NULL;
    int recent;
    cm_err err;

    snprintf(ttl, sizeof ttl, "%d", ttl_s);
    err = cm_pg_query_bin(
        pg,
        "SELECT u.email, u.email_verified AND lower(u.email) = lower($2) AS same, "
        "(SELECT count(*) FROM email_changes c WHERE c.user_id = u.id "
        "AND c.created_at > now() - interval '1 hour') AS recent, "
        "(SELECT greatest(1, ceil(extract(epoch FROM min(c.created_at) + interval '1 hour' "
        "- now())))::int FROM email_changes c WHERE c.user_id = u.id "
        "AND c.created_at > now() - interval '1 hour') AS retry "
        "FROM users u WHERE u.id = $1::uuid FOR UPDATE",
        2, find, NULL, NULL, &res);
    *unchanged = 0;
    if (err == CM_OK && PQntuples(res) != 1)
        err = CM_ENOTFOUND;
    if (err == CM_OK && cm_pg_bool(res, 0, "same")) {
        *unchanged = 1; /* the verified address already: nothing to do */
        PQclear(res);
        return CM_OK;
    }
    if (err == CM_OK) {
        snprintf(old_email, 256, "%s", cm_pg_col(res, 0, "email"));
        recent = atoi(cm_pg_col(res, 0, "recent"));
        *retry_after_s = atoi(cm_pg_col(res, 0, "retry"));
        if (recent >= max_changes)
            err = CM_ELIMIT;
    }
    PQclear(res);
    if (err == CM_OK)
        err = cm_pg_query_bin(
            pg,
            "WITH old AS (DELETE FROM email_changes WHERE user_id = $1::uuid "
            "AND created_at < now() - " KEEP_CODES ") "
            "UPDATE email_changes SET voided_at = now(), void_reason = 'replaced' "
            "WHERE user_id = $1::uuid AND verified_at IS NULL AND voided_at IS NULL",
            1, put, NULL, NULL, NULL);
    if (err == CM_OK)
        err = cm_pg_query_bin(pg,
                              "INSERT INTO email_changes (user_id, email, code_hash, expires_at) "
                              "VALUES ($1::uuid, $2, $3, now() + make_interval(secs => $4::int))",
                              4, put, lengths, formats, NULL);
    return err;
}

cm_err store_email_change_take(PGconn *pg, const char *user_id,
                               const uint8_t code_hash[STORE_HASH_BYTES], int max_attempts)
{
    char max[16], change_id[24] = "", email[256] = "";
    const char *values[2] = {user_id, (const char *)code_hash};
    int lengths[2] = {0, STORE_HASH_BYTES}, formats[2] = {0, 1};
    PGresult *res = NULL;
    int match = 0;
    cm_err err;

    snprintf(max, sizeof max, "%d", max_attempts);
    err = cm_pg_query_bin(
        pg,
        "SELECT c.id::text AS id, c.email, c.code_hash = $2 AS match "
        "FROM email_changes c JOIN users u ON u.id = c.user_id "
        "WHERE c.user_id = $1::uuid AND c.verified_at IS NULL AND c.voided_at IS NULL "
        "AND c.expires_at > now() FOR UPDATE OF u, c",
        2, values, lengths, formats, &res);
    if (err == CM_OK && PQntuples(res) != 1)
        err = CM_ENOTFOUND;
    if (err == CM_OK) {
        snprintf(change_id, sizeof change_id, "%s", cm_pg_col(res, 0, "id"));
        snprintf(email, sizeof email, "%s", cm_pg_col(res, 0, "email"));
        match = cm_pg_bool(res, 0, "match");
    }
    PQclear(res);
    if (err != CM_OK)
        return err;
    if (match) {
        const char *v[3] = {change_id, user_id, email};
        err = cm_pg_query_bin(
            pg,
            "WITH c AS (UPDATE email_changes SET verified_at = now() WHERE id = $1::bigint) "
            "UPDATE users SET email = $3, email_verified = true, last_modified_time = now() "
            "WHERE id = $2::uuid",
            3, v, NULL, NULL, NULL);
        return err;
    }
    {
        const char *v[2] = {change_id, max};
        err = cm_pg_query_bin(
            pg,
            "UPDATE email_changes SET attempts = attempts + 1, "
            "voided_at = CASE WHEN attempts + 1 >= $2::int THEN now() END, "
            "void_reason = CASE WHEN attempts + 1 >= $2::int THEN 'wrong_codes' END "
            "WHERE id = $1::bigint",
            2, v, NULL, NULL, NULL);
    }
    return err == CM_OK ? CM_EDENIED : err;
}
