/* store_sign_up.c: the SQL of sign-up requests (see store.h): the flow's
 * steps (pending → account_created → code_sent, migrations/002), codes,
 * wrong attempts and confirmation. All parameterized; results cleared where
 * read. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"

#define RFC3339(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* A hex column of CONFIRM_HASH_BYTES bytes into out; 0 when NULL. */
static int hash_at(const PGresult *res, int r, const char *name, uint8_t out[CONFIRM_HASH_BYTES])
{
    char hex[CONFIRM_HASH_BYTES * 2 + 1];
    unsigned ch;

    cm_pg_copy(res, r, name, hex, sizeof hex);
    if (strlen(hex) != CONFIRM_HASH_BYTES * 2)
        return 0;
    for (int i = 0; i < CONFIRM_HASH_BYTES; i++) {
        if (sscanf(hex + 2 * i, "%2x", &ch) != 1)
            return 0;
        out[i] = (uint8_t)ch;
    }
    return 1;
}

cm_err store_sign_up_insert(PGconn *pg, const struct sign_up_new *n, char out_id[37])
{
    char auto_sign_up[2] = {n->auto_sign_up ? 't' : 'f', '\0'};
    const char *values[22] = {n->user_id,
                              n->username,
                              n->organization_code_id,
                              n->organization_id,
                              n->account_type,
                              n->email,
                              n->first_name,
                              n->last_name,
                              cm_pg_opt(n->birth_date),
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
                              n->preferred_name,
                              n->gender};
    int lengths[22] = {0}, formats[22] = {0};
    PGresult *res;
    cm_err err;

    values[19] = (const char *)n->password_check;
    lengths[19] = CONFIRM_HASH_BYTES;
    formats[19] = 1;
    res = cm_pg_exec_params(
        pg,
        "INSERT INTO sign_up_requests (user_id, username, organization_code_id, organization_id, "
        "account_type, email, first_name, last_name, birth_date, locale, tz, phone, "
        "enrollment_data, notifications, service_document_agreements, referral_code, "
        "auto_sign_up, channel, recipient, password_check, preferred_name, gender, step, "
        "step_at) "
        "VALUES ($1::uuid, lower($2), $3, $4::uuid, $5, $6, $7, $8, $9::date, $10, $11, $12, "
        "$13::jsonb, ARRAY(SELECT jsonb_array_elements_text($14::jsonb)), "
        "ARRAY(SELECT jsonb_array_elements_text($15::jsonb)), $16, $17::boolean, $18, $19, $20, "
        "$21, $22, 'pending', now()) RETURNING id::text AS id",
        22, NULL, values, lengths, formats, 0);
    err = cm_pg_result_err(res);
    if (err == CM_OK && PQntuples(res) == 1)
        cm_pg_copy(res, 0, "id", out_id, 37);
    else if (err == CM_OK)
        err = CM_EINTERNAL;
    PQclear(res);
    return err;
}

#define SIGN_UP_COLUMNS                                                                            \
    "SELECT id::text AS id, user_id::text AS user_id, username, organization_code_id, "           \
    "organization_id::text AS organization_id, account_type, email, first_name, last_name, "      \
    "coalesce(birth_date::text, '') AS birth_date, locale, tz, phone, preferred_name, gender, "   \
    "channel, recipient, step, extract(epoch FROM now() - created_at) AS created_age_s, "         \
    "state = 'registered' AS registered, encode(password_check, 'hex') AS password_check, "      \
    "encode(code_hash, 'hex') AS code_hash, "                                                     \
    "coalesce(code_expires_at <= now(), true) AS code_expired, attempts "                        \
    "FROM sign_up_requests "

/* Runs sql, which returns one row when it acts, and copies its column col
 * into dst (cap bytes). CM_ENOTFOUND when it returned no row. */
static cm_err one_value(PGconn *pg, const char *sql, int n, const char *const *values,
                        const char *col, char *dst, size_t cap)
{
    PGresult *res = NULL;
    cm_err err = cm_pg_one_row(cm_pg_query(pg, sql, n, values, &res), &res);

    if (err == CM_OK)
        cm_pg_copy(res, 0, col, dst, cap);
    PQclear(res);
    return err;
}

static cm_err lock_one(PGconn *pg, const char *sql, const char *key, struct sign_up *out)
{
    const char *values[1] = {key};
    PGresult *res = NULL;
    char step[24];
    cm_err err = cm_pg_one_row(cm_pg_query(pg, sql, 1, values, &res), &res);

    if (err == CM_OK) {
        memset(out, 0, sizeof *out);
        cm_pg_copy(res, 0, "id", out->id, sizeof out->id);
        cm_pg_copy(res, 0, "user_id", out->user_id, sizeof out->user_id);
        cm_pg_copy(res, 0, "username", out->username, sizeof out->username);
        cm_pg_copy(res, 0, "organization_code_id", out->organization_code_id,
                   sizeof out->organization_code_id);
        cm_pg_copy(res, 0, "organization_id", out->organization_id, sizeof out->organization_id);
        cm_pg_copy(res, 0, "account_type", out->account_type, sizeof out->account_type);
        cm_pg_copy(res, 0, "email", out->email, sizeof out->email);
        cm_pg_copy(res, 0, "first_name", out->first_name, sizeof out->first_name);
        cm_pg_copy(res, 0, "last_name", out->last_name, sizeof out->last_name);
        cm_pg_copy(res, 0, "birth_date", out->birth_date, sizeof out->birth_date);
        cm_pg_copy(res, 0, "locale", out->locale, sizeof out->locale);
        cm_pg_copy(res, 0, "tz", out->tz, sizeof out->tz);
        cm_pg_copy(res, 0, "phone", out->phone, sizeof out->phone);
        cm_pg_copy(res, 0, "preferred_name", out->preferred_name, sizeof out->preferred_name);
        cm_pg_copy(res, 0, "gender", out->gender, sizeof out->gender);
        cm_pg_copy(res, 0, "channel", out->channel, sizeof out->channel);
        cm_pg_copy(res, 0, "recipient", out->recipient, sizeof out->recipient);
        cm_pg_copy(res, 0, "step", step, sizeof step);
        out->step = !strcmp(step, "pending")           ? STEP_PENDING
                    : !strcmp(step, "account_created") ? STEP_ACCOUNT_CREATED
                                                       : STEP_CODE_SENT;
        out->created_age_s = atof(cm_pg_col(res, 0, "created_age_s"));
        out->registered = cm_pg_bool(res, 0, "registered");
        out->has_password_check = hash_at(res, 0, "password_check", out->password_check);
        out->has_code = hash_at(res, 0, "code_hash", out->code_hash);
        out->code_expired = cm_pg_bool(res, 0, "code_expired");
        out->attempts = atoi(cm_pg_col(res, 0, "attempts"));
    }
    PQclear(res);
    return err;
}

cm_err store_sign_up_lock(PGconn *pg, const char *username, struct sign_up *out)
{
    return lock_one(pg, SIGN_UP_COLUMNS "WHERE username = lower($1) FOR UPDATE", username, out);
}

cm_err store_sign_up_lock_id(PGconn *pg, const char *id, struct sign_up *out)
{
    return lock_one(pg, SIGN_UP_COLUMNS "WHERE id = $1::uuid FOR UPDATE", id, out);
}

cm_err store_sign_up_account_created(PGconn *pg, const char *id, const char *account_type,
                                     char out_occurred_at[STORE_TIME_LEN])
{
    const char *values[2] = {id, account_type};

    return one_value(pg,
                     "UPDATE sign_up_requests SET step = 'account_created', account_type = $2, "
                     "password_check = NULL, step_at = now() "
                     "WHERE id = $1::uuid AND step = 'pending' "
                     "RETURNING " RFC3339("now()") " AS occurred_at",
                     2, values, "occurred_at", out_occurred_at, STORE_TIME_LEN);
}

cm_err store_sign_up_code_sent(PGconn *pg, const char *id)
{
    const char *values[1] = {id};

    return cm_pg_command(pg,
                         "UPDATE sign_up_requests SET step = 'code_sent', step_at = now() "
                         "WHERE id = $1::uuid AND step = 'account_created'",
                         1, values, NULL);
}

cm_err store_sign_up_undo(PGconn *pg, const char *id)
{
    const char *values[1] = {id};
    long rows = 0;
    cm_err err = cm_pg_command(pg,
                               "DELETE FROM sign_up_requests WHERE id = $1::uuid "
                               "AND step = 'pending'",
                               1, values, &rows);

    return err == CM_OK && rows != 1 ? CM_ENOTFOUND : err;
}

cm_err store_sign_up_claim_unfinished(PGconn *pg, int idle_s, char out_id[37])
{
    char idle[16];
    const char *values[1] = {idle};

    snprintf(idle, sizeof idle, "%d", idle_s);
    return one_value(pg,
                     "UPDATE sign_up_requests SET step_at = now() WHERE id = ("
                     "SELECT id FROM sign_up_requests WHERE step <> 'code_sent' AND state = 'init' "
                     "AND step_at < now() - make_interval(secs => $1::int) "
                     "ORDER BY step_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id::text AS id",
                     1, values, "id", out_id, 37);
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
                       "code_sent_at = now(), step_at = now() WHERE id = $1::uuid",
                       3, NULL, values, lengths, formats, 0);
    err = cm_pg_result_err(res);
    PQclear(res);
    return err;
}

cm_err store_sign_up_wrong_code(PGconn *pg, const char *id, const char *username,
                                int max_attempts)
{
    char max[16];
    const char *values[3] = {id, max, username};
    PGresult *res = NULL;
    cm_err err;

    snprintf(max, sizeof max, "%d", max_attempts);
    err = cm_pg_query(pg,
              "WITH l AS (INSERT INTO sign_up_limits (kind, key) VALUES ('wrong', lower($3))) "
              "UPDATE sign_up_requests SET attempts = attempts + 1, "
              "code_hash = CASE WHEN attempts + 1 >= $2::int THEN NULL ELSE code_hash END "
              "WHERE id = $1::uuid AND code_hash IS NOT NULL RETURNING attempts",
              3, values, &res);
    PQclear(res);
    return err;
}

cm_err store_sign_up_confirmed(PGconn *pg, const char *id, int email_verified,
                               char out_occurred_at[STORE_TIME_LEN])
{
    const char *values[2] = {id, email_verified ? "t" : "f"};

    return one_value(pg,
                     "UPDATE sign_up_requests SET state = 'registered', code_hash = NULL, "
                     "email_verified = email_verified OR $2::boolean, confirmed_at = now() "
                     "WHERE id = $1::uuid RETURNING " RFC3339("now()") " AS occurred_at",
                     2, values, "occurred_at", out_occurred_at, STORE_TIME_LEN);
}
