/* store_auth.c: identity's SQL for authentication (store_auth.h). Every
 * statement is parameterized; results are cleared on every path. */
#include "store_auth.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"
#include "cm_pg_select.h"

#define TS(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* The columns store_login_row reads, from a session `s` joined with
 * LOGIN_JOINS. */
#define LOGIN_COLUMNS                                                                              \
    "s.id::text AS session_id, s.organization_id::text AS organization_id, "                       \
    "s.impersonator_id::text AS impersonator_id, imp.email AS impersonator_email, "                \
    "s.impersonator_session_id::text AS impersonator_session_id, "                                 \
    "s.interactive, s.revoked_at IS NOT NULL AS revoked, s.access_ttl_s, "                         \
    "floor(extract(epoch FROM s.expires_at))::bigint AS expires_at, " TS(                          \
        "s.expires_at") " AS expiration_time, "                                                    \
    "u.id::text AS user_id, u.username, u.email, u.first_name, u.last_name, u.locale, u.tz, "      \
    "u.locale_explicit, u.tz_explicit, u.is_platform_admin, "                                      \
    "(SELECT coalesce(json_agg(m.organization_id ORDER BY m.created_at, m.organization_id), "      \
    "'[]') FROM user_organizations m WHERE m.user_id = u.id)::text AS organizations, "             \
    "(SELECT coalesce(json_agg(r.name ORDER BY r.name), '[]') FROM role_users ru "                 \
    "JOIN roles r ON r.id = ru.role_id WHERE ru.user_id = u.id "                                   \
    "AND r.organization_id = s.organization_id)::text AS roles, u.token_gen "
#define LOGIN_JOINS " JOIN users u ON u.id = s.user_id LEFT JOIN users imp ON imp.id = s.impersonator_id "

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src);
}

/* --- signing keys --- */

cm_err store_signing_key_ensure(PGconn *pg, const unsigned char new_seed[32], const char *new_kid,
                                unsigned char seed_out[32])
{
    const char *values[2] = {new_kid, (const char *)new_seed};
    int lengths[2] = {0, 32}, formats[2] = {0, 1};
    PGresult *res = NULL;
    cm_err err = cm_pg_exec(pg, "BEGIN");

    if (err == CM_OK)
        err = cm_pg_query_bin(pg, "SELECT pg_advisory_xact_lock(hashtext('identity.signing_keys'))",
                              0, NULL, NULL, NULL, NULL);
    if (err == CM_OK) {
        res = cm_pg_exec_params(pg,
                           "SELECT seed FROM signing_keys WHERE retired_at IS NULL "
                           "ORDER BY created_at DESC, kid LIMIT 1",
                           0, NULL, NULL, NULL, NULL, 1);
        err = cm_pg_result_err(res);
    }
    if (err == CM_OK && PQntuples(res) == 1) {
        if (PQgetlength(res, 0, 0) == 32)
            memcpy(seed_out, PQgetvalue(res, 0, 0), 32);
        else
            err = CM_EINTERNAL;
    } else if (err == CM_OK) {
        err = cm_pg_query_bin(pg, "INSERT INTO signing_keys (kid, seed) VALUES ($1, $2)", 2, values,
                              lengths, formats, NULL);
        if (err == CM_OK)
            memcpy(seed_out, new_seed, 32);
    }
    PQclear(res);
    return cm_pg_end(pg, err);
}

cm_err store_signing_seeds(PGconn *pg, unsigned char (**out)[32], size_t *out_n)
{
    PGresult *res = cm_pg_exec_params(pg,
                                 "SELECT seed FROM signing_keys WHERE retired_at IS NULL "
                                 "ORDER BY created_at DESC, kid",
                                 0, NULL, NULL, NULL, NULL, 1);
    cm_err err = cm_pg_result_err(res);
    unsigned char(*seeds)[32];
    size_t n = 0;

    if (err != CM_OK) {
        PQclear(res);
        return err;
    }
    seeds = cm_xcalloc((size_t)PQntuples(res) + 1, sizeof *seeds);
    for (int i = 0; i < PQntuples(res); i++) {
        if (PQgetlength(res, i, 0) != 32)
            continue;
        memcpy(seeds[n++], PQgetvalue(res, i, 0), 32);
    }
    PQclear(res);
    *out = seeds;
    *out_n = n;
    return CM_OK;
}

/* --- users --- */

static cm_err auth_user(PGconn *pg, const char *sql, const char *param, struct auth_user *out)
{
    const char *values[1] = {param};
    PGresult *res = NULL;
    cm_err err = cm_pg_query_bin(pg, sql, 1, values, NULL, NULL, &res);

    if (err == CM_OK && PQntuples(res) != 1)
        err = CM_ENOTFOUND;
    if (err == CM_OK) {
        copy(out->id, sizeof out->id, cm_pg_col(res, 0, "id"));
        copy(out->email, sizeof out->email, cm_pg_col(res, 0, "email"));
        copy(out->password_hash, sizeof out->password_hash, cm_pg_col(res, 0, "password_hash"));
        out->enabled = cm_pg_bool(res, 0, "enabled");
        out->registered = cm_pg_bool(res, 0, "registered");
        out->token_gen = strtoll(cm_pg_col(res, 0, "token_gen"), NULL, 10);
    }
    PQclear(res);
    return err;
}

cm_err store_auth_user_by_name(PGconn *pg, const char *username, struct auth_user *out)
{
    return auth_user(pg,
                     "SELECT id::text AS id, email, password_hash, enabled, registered, token_gen "
                     "FROM users "
                     "WHERE username = lower($1)",
                     username, out);
}

cm_err store_auth_user_by_id(PGconn *pg, const char *id, struct auth_user *out)
{
    return auth_user(pg,
                     "SELECT id::text AS id, email, password_hash, enabled, registered, token_gen "
                     "FROM users "
                     "WHERE id = $1::uuid",
                     id, out);
}

/* --- the bootstrap platform admin --- */

cm_err store_admin_upsert(PGconn *pg, const char *email, const char *hash, char *id,
                          int *created, char *stored_hash)
{
    const char *values[2] = {email, hash};
    PGresult *res = NULL;
    cm_err err =
        cm_pg_query_bin(pg,
                        "INSERT INTO users (username, email, password_hash, is_platform_admin, "
                        "registered, email_verified, enabled, registration_completed_time) "
                        "VALUES (lower($1), $1, $2, true, true, true, true, now()) "
                        "ON CONFLICT (username) DO NOTHING RETURNING id::text AS id, password_hash",
                        2, values, NULL, NULL, &res);

    *created = err == CM_OK && PQntuples(res) == 1;
    if (err == CM_OK && !*created) {
        PQclear(res);
        res = NULL;
        err = cm_pg_query_bin(
            pg,
            "SELECT id::text AS id, password_hash FROM users WHERE username = lower($1) "
            "FOR UPDATE",
            1, values, NULL, NULL, &res);
        err = cm_pg_one_row(err, &res);
    }
    if (err == CM_OK) {
        copy(id, 40, cm_pg_col(res, 0, "id"));
        copy(stored_hash, PW_HASH_MAX, cm_pg_col(res, 0, "password_hash"));
    }
    PQclear(res);
    return err;
}

cm_err store_admin_fix(PGconn *pg, const char *id, const char *hash, int *changed)
{
    const char *values[2] = {id, hash};
    PGresult *res = NULL;
    cm_err err =
        cm_pg_query_bin(pg,
                        "UPDATE users SET is_platform_admin = true, registered = true, "
                        "email_verified = true, enabled = true, registration_completed_time = "
                        "coalesce(registration_completed_time, now()), "
                        "password_hash = coalesce($2, password_hash), last_modified_time = now() "
                        "WHERE id = $1::uuid AND (NOT is_platform_admin OR NOT registered OR "
                        "NOT email_verified OR NOT enabled OR $2::text IS NOT NULL) RETURNING id",
                        2, values, NULL, NULL, &res);

    *changed = err == CM_OK && PQntuples(res) == 1;
    PQclear(res);
    return err;
}

/* --- sessions --- */

#define F(col, kind, field) {col, kind, offsetof(struct login_rec, field)}
static const struct cm_pg_field login_fields[] = {
    F("session_id", CM_PG_STR, session_id),
    F("organization_id", CM_PG_STR, organization_id),
    F("impersonator_id", CM_PG_STR, impersonator_id),
    F("impersonator_email", CM_PG_STR, impersonator_email),
    F("impersonator_session_id", CM_PG_STR, impersonator_session_id),
    F("user_id", CM_PG_STR, user_id),
    F("username", CM_PG_STR, username),
    F("email", CM_PG_STR, email),
    F("first_name", CM_PG_STR, first_name),
    F("last_name", CM_PG_STR, last_name),
    F("locale", CM_PG_STR, locale),
    F("tz", CM_PG_STR, tz),
    F("organizations", CM_PG_STR, organizations),
    F("roles", CM_PG_STR, roles),
    F("expiration_time", CM_PG_STR, expiration_time),
    F("locale_explicit", CM_PG_BOOL, locale_explicit),
    F("tz_explicit", CM_PG_BOOL, tz_explicit),
    F("is_platform_admin", CM_PG_BOOL, is_platform_admin),
    F("interactive", CM_PG_BOOL, interactive),
    F("revoked", CM_PG_BOOL, revoked),
};
#undef F

void store_login_free(struct login_rec *r)
{
    free(r->mem);
    memset(r, 0, sizeof *r);
}

/* The one row of res (cleared here) into *out when err is CM_OK:
 * CM_ENOTFOUND unless there is exactly one. */
static cm_err login_of(cm_err err, PGresult *res, struct login_rec *out)
{
    struct login_rec *items = NULL;
    size_t n = 0;

    memset(out, 0, sizeof *out);
    if (err == CM_OK && PQntuples(res) != 1)
        err = CM_ENOTFOUND;
    if (err == CM_OK) {
        cm_pg_records(res, login_fields, sizeof login_fields / sizeof login_fields[0],
                      sizeof *items, (void **)&items, &out->mem, &n);
        items[0].mem = out->mem;
        *out = items[0];
        free(items);
        out->access_ttl_s = atoi(cm_pg_col(res, 0, "access_ttl_s"));
        out->expires_at = strtoll(cm_pg_col(res, 0, "expires_at"), NULL, 10);
        out->token_gen = strtoll(cm_pg_col(res, 0, "token_gen"), NULL, 10);
    }
    PQclear(res);
    return err;
}

cm_err store_session_create(PGconn *pg, const struct session_new *sn,
                            const uint8_t token_hash[STORE_HASH_BYTES], struct login_rec *out)
{
    PGresult *res = NULL;
    char ttl[16], exp[24], rttl[16], gen[24];
    const char *values[10] = {sn->user_id,  sn->organization_id, sn->impersonator_id,
                              sn->interactive ? "t" : "f", ttl, exp, rttl,
                              (const char *)token_hash, gen, sn->impersonator_session_id};
    int lengths[10] = {0, 0, 0, 0, 0, 0, 0, STORE_HASH_BYTES, 0, 0},
        formats[10] = {0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
    cm_err err = CM_OK;

    snprintf(ttl, sizeof ttl, "%d", sn->access_ttl_s);
    snprintf(exp, sizeof exp, "%lld", (long long)sn->expires_at);
    snprintf(rttl, sizeof rttl, "%d", sn->refresh_ttl_s);
    snprintf(gen, sizeof gen, "%lld", (long long)sn->expect_gen);
    if (sn->activity) {
        const char *rv[3] = {sn->user_id, sn->activity, sn->locale};
        err = cm_pg_query_bin(
            pg,
            "WITH act AS (INSERT INTO user_activities (user_id, event_type, carium_employee) "
            "SELECT id, $2, classification = 'carium' FROM users WHERE id = $1::uuid), "
            "u AS (UPDATE users SET last_login_time = now(), locale = CASE WHEN "
            "$3::text IS NOT NULL AND NOT locale_explicit THEN $3 ELSE locale END "
            "WHERE id = $1::uuid RETURNING username) "
            "DELETE FROM login_attempts WHERE username IN (SELECT username FROM u)",
            3, rv, NULL, NULL, NULL);
    }
    if (err == CM_OK)
        err = cm_pg_query_bin(
            pg,
            "WITH org AS (SELECT CASE WHEN $2::uuid IS NOT NULL THEN (SELECT "
            "xm.organization_id FROM user_organizations xm WHERE xm.user_id = $1::uuid "
            "AND xm.organization_id = $2::uuid) ELSE coalesce("
            "(SELECT du.default_organization_id FROM users du JOIN user_organizations dm "
            "ON dm.user_id = du.id AND dm.organization_id = du.default_organization_id "
            "WHERE du.id = $1::uuid), "
            "(SELECT fm.organization_id FROM user_organizations fm WHERE fm.user_id = $1::uuid "
            "ORDER BY fm.created_at, fm.organization_id LIMIT 1)) END AS id), "
            "s AS (INSERT INTO sessions (user_id, organization_id, impersonator_id, "
            "impersonator_session_id, interactive, access_ttl_s, expires_at) "
            "SELECT $1::uuid, org.id, $3::uuid, $10::uuid, $4, $5, "
            "CASE WHEN $6::bigint > 0 THEN to_timestamp($6::bigint) "
            "ELSE now() + make_interval(secs => $7::int) END FROM org "
            "WHERE ($2::uuid IS NULL OR org.id IS NOT NULL) AND EXISTS (SELECT 1 FROM users "
            "gu WHERE gu.id = $1::uuid AND gu.enabled AND ($9::bigint = 0 OR "
            "gu.token_gen = $9::bigint)) RETURNING *), "
            "t AS (INSERT INTO refresh_tokens (token_hash, session_id, expires_at) "
            "SELECT $8, id, expires_at FROM s) "
            "SELECT " LOGIN_COLUMNS " FROM s" LOGIN_JOINS,
            10, values, lengths, formats, &res);
    return login_of(err, res, out);
}

cm_err store_refresh_rotate(PGconn *pg, const uint8_t old_hash[STORE_HASH_BYTES],
                            const uint8_t new_hash[STORE_HASH_BYTES], struct login_rec *out)
{
    PGresult *res = NULL;
    const char *values[2] = {(const char *)old_hash, (const char *)new_hash};
    int lengths[2] = {STORE_HASH_BYTES, STORE_HASH_BYTES}, formats[2] = {1, 1};
    cm_err err;

    /* One statement, so one transaction: the UPDATE locks the old token's
     * row, and a concurrent rotation of the same token re-checks
     * used_at IS NULL after the first commits, finding nothing. */
    err = cm_pg_query_bin(
        pg,
        "WITH old AS (UPDATE refresh_tokens rt SET used_at = now() "
        "FROM sessions s0 JOIN users u0 ON u0.id = s0.user_id "
        "WHERE rt.token_hash = $1 AND rt.used_at IS NULL AND rt.expires_at > now() "
        "AND s0.id = rt.session_id AND s0.revoked_at IS NULL AND u0.enabled "
        "AND (s0.organization_id IS NULL OR EXISTS (SELECT 1 FROM user_organizations m0 "
        "WHERE m0.user_id = s0.user_id AND m0.organization_id = s0.organization_id)) "
        "RETURNING rt.session_id, rt.expires_at, s0.user_id, s0.impersonator_id, "
        "u0.classification = 'carium' AS carium), "
        "nt AS (INSERT INTO refresh_tokens (token_hash, session_id, expires_at) "
        "SELECT $2, session_id, expires_at FROM old), "
        "act AS (INSERT INTO user_activities (user_id, event_type, carium_employee, "
        "impersonator_id, session_id) "
        "SELECT user_id, 'refr', carium, impersonator_id, session_id FROM old) "
        "SELECT " LOGIN_COLUMNS " FROM old JOIN sessions s ON s.id = old.session_id" LOGIN_JOINS,
        2, values, lengths, formats, &res);
    return login_of(err, res, out);
}

cm_err store_refresh_diagnose(PGconn *pg, const uint8_t hash[STORE_HASH_BYTES],
                              enum refresh_state *state, char *session_id, char *user_id)
{
    const char *values[1] = {(const char *)hash};
    int lengths[1] = {STORE_HASH_BYTES}, formats[1] = {1};
    PGresult *res = NULL;
    cm_err err = cm_pg_query_bin(
        pg,
        "SELECT rt.used_at IS NOT NULL AS used, rt.expires_at <= now() AS expired, "
        "(s.revoked_at IS NOT NULL OR (s.organization_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM user_organizations m WHERE m.user_id = s.user_id "
        "AND m.organization_id = s.organization_id))) AS revoked, "
        "u.enabled, s.id::text AS session_id, "
        "s.user_id::text AS user_id FROM refresh_tokens rt "
        "JOIN sessions s ON s.id = rt.session_id JOIN users u ON u.id = s.user_id "
        "WHERE rt.token_hash = $1 FOR UPDATE OF s",
        1, values, lengths, formats, &res);

    session_id[0] = user_id[0] = '\0';
    *state = REFRESH_UNKNOWN;
    if (err == CM_OK && PQntuples(res) == 1) {
        copy(session_id, 40, cm_pg_col(res, 0, "session_id"));
        copy(user_id, 40, cm_pg_col(res, 0, "user_id"));
        *state = cm_pg_bool(res, 0, "revoked")    ? REFRESH_REVOKED
                 : cm_pg_bool(res, 0, "expired")  ? REFRESH_EXPIRED
                 : cm_pg_bool(res, 0, "used")     ? REFRESH_REUSED
                 : !cm_pg_bool(res, 0, "enabled") ? REFRESH_DISABLED
                                                  : REFRESH_VALID;
    }
    PQclear(res);
    return err;
}

cm_err store_session_revoke(PGconn *pg, const char *id, const char *reason, int *revoked,
                            int64_t *at)
{
    const char *values[2] = {id, reason};
    PGresult *res = NULL;
    cm_err err =
        cm_pg_query_bin(pg,
                        "WITH r AS (UPDATE sessions SET revoked_at = now(), revoke_reason = $2 "
                        "WHERE id = $1::uuid AND revoked_at IS NULL RETURNING id) "
                        "SELECT (SELECT count(*) FROM r) AS n, "
                        "floor(extract(epoch FROM now()))::bigint AS at",
                        2, values, NULL, NULL, &res);

    if (err == CM_OK) {
        *revoked = atoi(cm_pg_col(res, 0, "n")) > 0;
        *at = strtoll(cm_pg_col(res, 0, "at"), NULL, 10);
    }
    PQclear(res);
    return err;
}

cm_err store_user_tokens_cut(PGconn *pg, const char *user_id, const char *reason,
                             enum revoke_sessions scope, const char *org, int64_t *gen,
                             int64_t *at)
{
    static const char *const scopes[] = {"none", "all", "org"};
    const char *values[4] = {user_id, reason, scopes[scope],
                             scope == REVOKE_SESSIONS_OF_ORG ? org : NULL};
    PGresult *res = NULL;
    cm_err err =
        cm_pg_query_bin(pg,
                        "WITH g AS (UPDATE users SET token_gen = token_gen + 1 WHERE id = $1::uuid "
                        "RETURNING token_gen), "
                        "r AS (UPDATE sessions SET revoked_at = now(), revoke_reason = $2 "
                        "WHERE user_id = $1::uuid AND revoked_at IS NULL AND ($3 = 'all' OR "
                        "($3 = 'org' AND organization_id = $4::uuid)) RETURNING id) "
                        "SELECT g.token_gen, (SELECT count(*) FROM r) AS n, "
                        "floor(extract(epoch FROM now()))::bigint AS at FROM g",
                        4, values, NULL, NULL, &res);

    err = cm_pg_one_row(err, &res);
    if (err == CM_OK) {
        *gen = strtoll(cm_pg_col(res, 0, "token_gen"), NULL, 10);
        *at = strtoll(cm_pg_col(res, 0, "at"), NULL, 10);
    }
    PQclear(res);
    return err;
}

cm_err store_session_get(PGconn *pg, const char *id, struct login_rec *out)
{
    const char *values[1] = {id};
    PGresult *res = NULL;
    cm_err err = cm_pg_query_bin(
        pg, "SELECT " LOGIN_COLUMNS " FROM sessions s" LOGIN_JOINS "WHERE s.id = $1::uuid", 1,
        values, NULL, NULL, &res);
    return login_of(err, res, out);
}

/* --- organizations --- */

cm_err store_membership_check(PGconn *pg, const char *user_id, const char *organization_id)
{
    const char *values[2] = {user_id, organization_id};
    PGresult *res = NULL;
    cm_err err = cm_pg_query_bin(pg,
                                 "SELECT 1 FROM user_organizations WHERE user_id = $1::uuid "
                                 "AND organization_id = $2::uuid",
                                 2, values, NULL, NULL, &res);

    if (err == CM_OK && PQntuples(res) != 1)
        err = CM_ENOTFOUND;
    PQclear(res);
    return err;
}

cm_err store_default_org_set(PGconn *pg, const char *user_id, const char *organization_id)
{
    const char *values[2] = {user_id, organization_id};
    return cm_pg_query_bin(
        pg,
        "UPDATE users SET default_organization_id = $2::uuid, last_modified_time = now() "
        "WHERE id = $1::uuid",
        2, values, NULL, NULL, NULL);
}

/* --- user activities --- */

#define F(col, kind, field) {col, kind, offsetof(struct activity_rec, field)}
static const struct cm_pg_field activity_fields[] = {
    F("id", CM_PG_STR, id),
    F("user_id", CM_PG_STR, user_id),
    F("event_type", CM_PG_STR, event_type),
    F("timestamp", CM_PG_STR, timestamp),
    F("impersonator_id", CM_PG_STR, impersonator_id),
    F("session_id", CM_PG_STR, session_id),
    F("carium_employee", CM_PG_BOOL, carium_employee),
};
#undef F

void store_activity_list_free(struct activity_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

cm_err store_activities_list(PGconn *pg, const struct activity_query *q,
                             struct activity_list *out)
{
    PGresult *res = NULL;
    cm_err err;
    char limit[24], offset[24];
    const char *values[10] = {cm_pg_opt(q->user_id),
                              cm_pg_opt(q->member_of),
                              cm_pg_opt(q->event_types),
                              q->exclude_carium ? "t" : "f",
                              cm_pg_opt(q->gt),
                              cm_pg_opt(q->ge),
                              cm_pg_opt(q->lt),
                              cm_pg_opt(q->le),
                              limit,
                              offset};

    snprintf(limit, sizeof limit, "%ld", q->limit);
    snprintf(offset, sizeof offset, "%ld", q->offset);
    err = cm_pg_query_bin(
        pg,
        "SELECT a.id::text AS id, a.user_id::text AS user_id, a.event_type, "
        "a.impersonator_id::text AS impersonator_id, a.session_id::text AS session_id, "
        "a.carium_employee, " TS(
            "a.occurred_at") " AS timestamp FROM user_activities a "
                             "WHERE ($1::uuid IS NULL OR a.user_id = $1::uuid) "
                             "AND ($2::uuid IS NULL OR a.user_id IN (SELECT m.user_id FROM "
                             "user_organizations m "
                             "WHERE m.organization_id = $2::uuid)) "
                             "AND ($3::text[] IS NULL OR a.event_type = ANY($3::text[])) "
                             "AND (NOT $4::bool OR NOT a.carium_employee) "
                             "AND ($5::timestamptz IS NULL OR a.occurred_at > $5::timestamptz) "
                             "AND ($6::timestamptz IS NULL OR a.occurred_at >= $6::timestamptz) "
                             "AND ($7::timestamptz IS NULL OR a.occurred_at < $7::timestamptz) "
                             "AND ($8::timestamptz IS NULL OR a.occurred_at <= $8::timestamptz) "
                             "ORDER BY a.occurred_at DESC, a.id LIMIT $9::bigint OFFSET "
                             "$10::bigint",
        10, values, NULL, NULL, &res);
    if (err == CM_OK)
        cm_pg_records(res, activity_fields, sizeof activity_fields / sizeof activity_fields[0],
                      sizeof *out->items, (void **)&out->items, &out->mem, &out->n);
    PQclear(res);
    return err;
}

/* --- failed logins --- */

cm_err store_attempts_get(PGconn *pg, const char *username, struct attempts *out)
{
    const char *values[1] = {username};
    PGresult *res = NULL;
    cm_err err = cm_pg_query_bin(
        pg,
        "SELECT failures, extract(epoch FROM now() - last_failure_at)::float8 AS since, "
        "coalesce(extract(epoch FROM locked_until - now()), 0)::float8 AS locked "
        "FROM login_attempts WHERE username = lower($1)",
        1, values, NULL, NULL, &res);

    memset(out, 0, sizeof *out);
    if (err == CM_OK && PQntuples(res) == 1) {
        out->failures = atoi(cm_pg_col(res, 0, "failures"));
        out->since_last_s = strtod(cm_pg_col(res, 0, "since"), NULL);
        out->locked_for_s = strtod(cm_pg_col(res, 0, "locked"), NULL);
    }
    PQclear(res);
    return err;
}

cm_err store_attempts_fail(PGconn *pg, const char *username, int forget_s, int lock_after,
                           int lock_s, int *failures)
{
    char f[16], la[16], ls[16];
    const char *values[4] = {username, f, la, ls};
    PGresult *res = NULL;
    cm_err err;

    snprintf(f, sizeof f, "%d", forget_s);
    snprintf(la, sizeof la, "%d", lock_after);
    snprintf(ls, sizeof ls, "%d", lock_s);
    err = cm_pg_query_bin(
        pg,
        "INSERT INTO login_attempts AS a (username, failures, last_failure_at, locked_until) "
        "VALUES (lower($1), 1, now(), CASE WHEN $3::int <= 1 "
        "THEN now() + make_interval(secs => $4::int) END) "
        "ON CONFLICT (username) DO UPDATE SET "
        "failures = CASE WHEN a.last_failure_at < now() - make_interval(secs => $2::int) "
        "THEN 1 ELSE a.failures + 1 END, "
        "locked_until = CASE WHEN (CASE WHEN a.last_failure_at < now() - "
        "make_interval(secs => $2::int) THEN 1 ELSE a.failures + 1 END) >= $3::int "
        "THEN now() + make_interval(secs => $4::int) "
        "WHEN a.locked_until > now() THEN a.locked_until END, "
        "last_failure_at = now() RETURNING failures",
        4, values, NULL, NULL, &res);
    if (err == CM_OK)
        *failures = PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    return err;
}

cm_err store_attempts_clear(PGconn *pg, const char *username)
{
    const char *values[1] = {username};
    return cm_pg_query_bin(pg, "DELETE FROM login_attempts WHERE username = lower($1)", 1, values,
                           NULL, NULL, NULL);
}
