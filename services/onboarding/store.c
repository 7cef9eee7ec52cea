/* store.c: onboarding's SQL, all parameterized; results cleared where read
 * (see store.h). */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"

#define RFC3339(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* Copies column name of row r into dst (cap bytes); "" for NULL. */
static void text_at(const PGresult *res, int r, const char *name, char *dst, size_t cap)
{
    int c = PQfnumber(res, name);
    snprintf(dst, cap, "%s", c < 0 || PQgetisnull(res, r, c) ? "" : PQgetvalue(res, r, c));
}

/* Boolean column name of row r. */
static int bool_at(const PGresult *res, int r, const char *name)
{
    int c = PQfnumber(res, name);
    return c >= 0 && !PQgetisnull(res, r, c) && PQgetvalue(res, r, c)[0] == 't';
}

/* --- organization codes --- */

#define CODE_COLUMNS                                                                               \
    "c.id, c.organization_id::text AS organization_id, "                                           \
    "coalesce(c.individual_group_id::text, '') AS individual_group_id, "                           \
    "c.enrollment_schema::text AS enrollment_schema, "                                             \
    "coalesce(" RFC3339("c.expires_at") ", '') AS expires_at, "                                    \
    "coalesce(c.expires_at <= now(), false) AS expired, "                                          \
    "(SELECT count(*) FROM sign_up_requests s WHERE s.organization_code_id = c.id) AS sign_ups, "  \
    RFC3339("c.created_at") " AS created_at, " RFC3339("now()") " AS occurred_at"

void store_code_release(struct org_code *c)
{
    free(c->enrollment_schema);
    c->enrollment_schema = NULL;
}

static void read_code(const PGresult *res, int r, struct org_code *out)
{
    int cs = PQfnumber(res, "enrollment_schema");

    text_at(res, r, "id", out->id, sizeof out->id);
    text_at(res, r, "organization_id", out->organization_id, sizeof out->organization_id);
    text_at(res, r, "individual_group_id", out->individual_group_id,
            sizeof out->individual_group_id);
    out->enrollment_schema =
        PQgetisnull(res, r, cs) ? NULL : cm_xstrdup(PQgetvalue(res, r, cs));
    text_at(res, r, "expires_at", out->expires_at, sizeof out->expires_at);
    out->expired = bool_at(res, r, "expired");
    out->sign_up_count = atol(PQgetvalue(res, r, PQfnumber(res, "sign_ups")));
    text_at(res, r, "created_at", out->created_at, sizeof out->created_at);
    text_at(res, r, "occurred_at", out->occurred_at, sizeof out->occurred_at);
}

/* Runs sql, which returns at most one code row, into *out. */
static cm_err one_code(PGconn *pg, const char *sql, int n, const char *const *values,
                       struct org_code *out)
{
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg, sql, n, values, &res);

    if (err == CM_OK && PQntuples(res) != 1)
        err = CM_ENOTFOUND;
    if (err == CM_OK)
        read_code(res, 0, out);
    PQclear(res);
    return err;
}

cm_err store_code_insert(PGconn *pg, const struct code_fields *f, struct org_code *out)
{
    const char *values[6] = {f->id, f->organization_id, f->individual_group_id,
                             f->enrollment_schema, f->expires_at, f->created_by};
    return one_code(pg,
                    "INSERT INTO organization_codes AS c (id, organization_id, "
                    "individual_group_id, enrollment_schema, expires_at, created_by) "
                    "VALUES ($1, $2::uuid, $3::uuid, $4::jsonb, $5::timestamptz, $6) "
                    "RETURNING " CODE_COLUMNS,
                    6, values, out);
}

cm_err store_code_update(PGconn *pg, const struct code_fields *f, struct org_code *out)
{
    const char *values[7] = {f->id,
                             f->set_expires_at ? "t" : "f",
                             f->expires_at,
                             f->set_group ? "t" : "f",
                             f->individual_group_id,
                             f->set_schema ? "t" : "f",
                             f->enrollment_schema};
    return one_code(pg,
                    "UPDATE organization_codes AS c SET "
                    "expires_at = CASE WHEN $2::boolean THEN $3::timestamptz ELSE expires_at END, "
                    "individual_group_id = CASE WHEN $4::boolean THEN $5::uuid "
                    "ELSE individual_group_id END, "
                    "enrollment_schema = CASE WHEN $6::boolean THEN $7::jsonb "
                    "ELSE enrollment_schema END, "
                    "last_modified_time = now() "
                    "WHERE id = $1 RETURNING " CODE_COLUMNS,
                    7, values, out);
}

cm_err store_code_get(PGconn *pg, const char *id, struct org_code *out)
{
    const char *values[1] = {id};
    return one_code(pg, "SELECT " CODE_COLUMNS " FROM organization_codes c WHERE c.id = $1", 1,
                    values, out);
}

cm_err store_code_list(PGconn *pg, const char *organization_id, long limit, long offset,
                       cm_err (*fn)(void *ctx, const struct org_code *c), void *ctx)
{
    char lim[24], off[24];
    const char *values[3] = {organization_id[0] ? organization_id : NULL, lim, off};
    PGresult *res = NULL;
    cm_err err;

    snprintf(lim, sizeof lim, "%ld", limit);
    snprintf(off, sizeof off, "%ld", offset);
    err = cm_pg_query(pg,
              "SELECT " CODE_COLUMNS " FROM organization_codes c "
              "WHERE $1::uuid IS NULL OR c.organization_id = $1::uuid "
              "ORDER BY c.created_at, c.id LIMIT $2::bigint OFFSET $3::bigint",
              3, values, &res);
    for (int r = 0; err == CM_OK && r < PQntuples(res); r++) {
        struct org_code c;
        read_code(res, r, &c);
        err = fn(ctx, &c);
        store_code_release(&c);
    }
    PQclear(res);
    return err;
}

/* --- sign-up requests --- */

cm_err store_sign_up_insert(PGconn *pg, const struct sign_up_new *n, char out_id[37],
                            char out_occurred_at[STORE_TIME_LEN])
{
    char ttl[16], auto_sign_up[2] = {n->auto_sign_up ? 't' : 'f', '\0'};
    const char *values[21] = {n->user_id,
                              n->username,
                              n->organization_code_id,
                              n->organization_id,
                              n->account_type,
                              n->email,
                              n->first_name,
                              n->last_name,
                              n->birth_date[0] ? n->birth_date : NULL,
                              n->locale,
                              n->tz,
                              n->phone,
                              n->enrollment_data,
                              n->notifications ? n->notifications : "[]",
                              n->service_document_agreements ? n->service_document_agreements
                                                             : "[]",
                              n->referral_code,
                              auto_sign_up,
                              n->channel,
                              n->recipient,
                              NULL,
                              ttl};
    int lengths[21] = {0}, formats[21] = {0};
    PGresult *res;
    cm_err err;

    snprintf(ttl, sizeof ttl, "%d", n->code_ttl_s);
    values[19] = (const char *)n->code_hash;
    lengths[19] = CONFIRM_HASH_BYTES;
    formats[19] = 1;
    res = cm_pg_exec_params(
        pg,
        "INSERT INTO sign_up_requests (user_id, username, organization_code_id, organization_id, "
        "account_type, email, first_name, last_name, birth_date, locale, tz, phone, "
        "enrollment_data, notifications, service_document_agreements, referral_code, "
        "auto_sign_up, channel, recipient, code_hash, code_expires_at, code_sent_at) "
        "VALUES ($1::uuid, lower($2), $3, $4::uuid, $5, $6, $7, $8, $9::date, $10, $11, $12, "
        "$13::jsonb, ARRAY(SELECT jsonb_array_elements_text($14::jsonb)), "
        "ARRAY(SELECT jsonb_array_elements_text($15::jsonb)), $16, $17::boolean, $18, $19, $20, "
        "now() + make_interval(secs => $21::int), now()) "
        "RETURNING id::text AS id, " RFC3339("now()") " AS occurred_at",
        21, NULL, values, lengths, formats, 0);
    err = cm_pg_result_err(res);
    if (err == CM_OK && PQntuples(res) == 1) {
        text_at(res, 0, "id", out_id, 37);
        text_at(res, 0, "occurred_at", out_occurred_at, STORE_TIME_LEN);
    } else if (err == CM_OK) {
        err = CM_EINTERNAL;
    }
    PQclear(res);
    return err;
}

cm_err store_sign_up_lock(PGconn *pg, const char *username, struct sign_up *out)
{
    const char *values[1] = {username};
    PGresult *res = NULL;
    int ch;
    cm_err err = cm_pg_query(pg,
                     "SELECT id::text AS id, user_id::text AS user_id, organization_code_id, "
                     "organization_id::text AS organization_id, account_type, channel, "
                     "recipient, state = 'registered' AS registered, "
                     "encode(code_hash, 'hex') AS code_hash, "
                     "coalesce(code_expires_at <= now(), true) AS code_expired, attempts "
                     "FROM sign_up_requests WHERE username = lower($1) FOR UPDATE",
                     1, values, &res);

    if (err == CM_OK && PQntuples(res) != 1)
        err = CM_ENOTFOUND;
    if (err == CM_OK) {
        char hex[CONFIRM_HASH_BYTES * 2 + 1];
        text_at(res, 0, "id", out->id, sizeof out->id);
        text_at(res, 0, "user_id", out->user_id, sizeof out->user_id);
        text_at(res, 0, "organization_code_id", out->organization_code_id,
                sizeof out->organization_code_id);
        text_at(res, 0, "organization_id", out->organization_id, sizeof out->organization_id);
        text_at(res, 0, "account_type", out->account_type, sizeof out->account_type);
        text_at(res, 0, "channel", out->channel, sizeof out->channel);
        text_at(res, 0, "recipient", out->recipient, sizeof out->recipient);
        out->registered = bool_at(res, 0, "registered");
        out->code_expired = bool_at(res, 0, "code_expired");
        out->attempts = atoi(PQgetvalue(res, 0, PQfnumber(res, "attempts")));
        text_at(res, 0, "code_hash", hex, sizeof hex);
        out->has_code = strlen(hex) == CONFIRM_HASH_BYTES * 2;
        for (int i = 0; out->has_code && i < CONFIRM_HASH_BYTES; i++) {
            sscanf(hex + 2 * i, "%2x", &ch);
            out->code_hash[i] = (uint8_t)ch;
        }
    }
    PQclear(res);
    return err;
}

cm_err store_sign_up_new_code(PGconn *pg, const char *id, const uint8_t hash[CONFIRM_HASH_BYTES],
                              int ttl_s)
{
    char ttl[16];
    const char *values[3] = {id, (const char *)hash, ttl};
    int lengths[3] = {0, CONFIRM_HASH_BYTES, 0}, formats[3] = {0, 1, 0};
    PGresult *res;
    cm_err err;

    snprintf(ttl, sizeof ttl, "%d", ttl_s);
    res = cm_pg_exec_params(pg,
                       "UPDATE sign_up_requests SET code_hash = $2, attempts = 0, "
                       "code_expires_at = now() + make_interval(secs => $3::int), "
                       "code_sent_at = now() WHERE id = $1::uuid",
                       3, NULL, values, lengths, formats, 0);
    err = cm_pg_result_err(res);
    PQclear(res);
    return err;
}

cm_err store_sign_up_wrong_code(PGconn *pg, const char *id, int max_attempts, int *out_attempts)
{
    char max[16];
    const char *values[2] = {id, max};
    PGresult *res = NULL;
    cm_err err;

    snprintf(max, sizeof max, "%d", max_attempts);
    err = cm_pg_query(pg,
              "UPDATE sign_up_requests SET attempts = attempts + 1, "
              "code_hash = CASE WHEN attempts + 1 >= $2::int THEN NULL ELSE code_hash END "
              "WHERE id = $1::uuid RETURNING attempts",
              2, values, &res);
    if (err == CM_OK && PQntuples(res) != 1)
        err = CM_ENOTFOUND;
    if (err == CM_OK)
        *out_attempts = atoi(PQgetvalue(res, 0, PQfnumber(res, "attempts")));
    PQclear(res);
    return err;
}

cm_err store_sign_up_confirmed(PGconn *pg, const char *id, int email_verified,
                               char out_occurred_at[STORE_TIME_LEN])
{
    const char *values[2] = {id, email_verified ? "t" : "f"};
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg,
                     "UPDATE sign_up_requests SET state = 'registered', code_hash = NULL, "
                     "email_verified = email_verified OR $2::boolean, confirmed_at = now() "
                     "WHERE id = $1::uuid RETURNING " RFC3339("now()") " AS occurred_at",
                     2, values, &res);

    if (err == CM_OK && PQntuples(res) != 1)
        err = CM_ENOTFOUND;
    if (err == CM_OK)
        text_at(res, 0, "occurred_at", out_occurred_at, STORE_TIME_LEN);
    PQclear(res);
    return err;
}

static void read_user(const PGresult *res, int r, struct code_user *u)
{
    text_at(res, r, "user_id", u->user_id, sizeof u->user_id);
    text_at(res, r, "organization_id", u->organization_id, sizeof u->organization_id);
    text_at(res, r, "username", u->username, sizeof u->username);
    text_at(res, r, "email", u->email, sizeof u->email);
    text_at(res, r, "first_name", u->first_name, sizeof u->first_name);
    text_at(res, r, "last_name", u->last_name, sizeof u->last_name);
    text_at(res, r, "birth_date", u->birth_date, sizeof u->birth_date);
    text_at(res, r, "locale", u->locale, sizeof u->locale);
    text_at(res, r, "tz", u->tz, sizeof u->tz);
    text_at(res, r, "phone", u->phone, sizeof u->phone);
    text_at(res, r, "state", u->state, sizeof u->state);
    u->email_verified = bool_at(res, r, "email_verified");
    u->auto_sign_up = bool_at(res, r, "auto_sign_up");
    text_at(res, r, "created_at", u->created_at, sizeof u->created_at);
    text_at(res, r, "confirmed_at", u->confirmed_at, sizeof u->confirmed_at);
}

cm_err store_code_users(PGconn *pg, const char *code_id, const struct code_user_filter *f,
                        cm_err (*fn)(void *ctx, const struct code_user *u), void *ctx)
{
    char lim[24], off[24];
    const char *values[7] = {code_id,
                             f->email[0] ? f->email : NULL,
                             f->email_verified < 0 ? NULL : f->email_verified ? "t" : "f",
                             f->state[0] ? f->state : NULL,
                             f->text[0] ? f->text : NULL,
                             lim,
                             off};
    PGresult *res = NULL;
    cm_err err;

    snprintf(lim, sizeof lim, "%ld", f->limit);
    snprintf(off, sizeof off, "%ld", f->offset);
    err = cm_pg_query(pg,
              "SELECT user_id::text AS user_id, organization_id::text AS organization_id, "
              "username, email, first_name, last_name, birth_date::text AS birth_date, locale, "
              "tz, phone, state, email_verified, auto_sign_up, " RFC3339("created_at")
              " AS created_at, " RFC3339("confirmed_at") " AS confirmed_at "
              "FROM sign_up_requests WHERE organization_code_id = $1 "
              "AND ($2::text IS NULL OR lower(email) = lower($2)) "
              "AND ($3::boolean IS NULL OR email_verified = $3::boolean) "
              "AND ($4::text IS NULL OR state = $4) "
              "AND ($5::text IS NULL OR position(lower($5) IN lower(username || ' ' || email || "
              "' ' || first_name || ' ' || last_name)) > 0) "
              "ORDER BY created_at, user_id LIMIT $6::bigint OFFSET $7::bigint",
              7, values, &res);
    for (int r = 0; err == CM_OK && r < PQntuples(res); r++) {
        struct code_user u;
        read_user(res, r, &u);
        err = fn(ctx, &u);
    }
    PQclear(res);
    return err;
}

