/* store.c: onboarding's SQL, all parameterized; results cleared where read
 * (see store.h). */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_pg.h"

#define RFC3339(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

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

    cm_pg_copy(res, r, "id", out->id, sizeof out->id);
    cm_pg_copy(res, r, "organization_id", out->organization_id, sizeof out->organization_id);
    cm_pg_copy(res, r, "individual_group_id", out->individual_group_id,
               sizeof out->individual_group_id);
    out->enrollment_schema =
        PQgetisnull(res, r, cs) ? NULL : cm_xstrdup(PQgetvalue(res, r, cs));
    cm_pg_copy(res, r, "expires_at", out->expires_at, sizeof out->expires_at);
    out->expired = cm_pg_bool(res, r, "expired");
    out->sign_up_count = atol(cm_pg_col(res, r, "sign_ups"));
    cm_pg_copy(res, r, "created_at", out->created_at, sizeof out->created_at);
    cm_pg_copy(res, r, "occurred_at", out->occurred_at, sizeof out->occurred_at);
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
    const char *values[3] = {cm_pg_opt(organization_id), lim, off};
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

/* --- who signed up with a code (sign-up requests: store_sign_up.c) --- */

static void read_user(const PGresult *res, int r, struct code_user *u)
{
    cm_pg_copy(res, r, "user_id", u->user_id, sizeof u->user_id);
    cm_pg_copy(res, r, "organization_id", u->organization_id, sizeof u->organization_id);
    cm_pg_copy(res, r, "username", u->username, sizeof u->username);
    cm_pg_copy(res, r, "email", u->email, sizeof u->email);
    cm_pg_copy(res, r, "first_name", u->first_name, sizeof u->first_name);
    cm_pg_copy(res, r, "last_name", u->last_name, sizeof u->last_name);
    cm_pg_copy(res, r, "birth_date", u->birth_date, sizeof u->birth_date);
    cm_pg_copy(res, r, "locale", u->locale, sizeof u->locale);
    cm_pg_copy(res, r, "tz", u->tz, sizeof u->tz);
    cm_pg_copy(res, r, "phone", u->phone, sizeof u->phone);
    cm_pg_copy(res, r, "state", u->state, sizeof u->state);
    u->email_verified = cm_pg_bool(res, r, "email_verified");
    u->auto_sign_up = cm_pg_bool(res, r, "auto_sign_up");
    cm_pg_copy(res, r, "created_at", u->created_at, sizeof u->created_at);
    cm_pg_copy(res, r, "confirmed_at", u->confirmed_at, sizeof u->confirmed_at);
}

cm_err store_code_users(PGconn *pg, const char *code_id, const struct code_user_filter *f,
                        cm_err (*fn)(void *ctx, const struct code_user *u), void *ctx)
{
    char lim[24], off[24];
    const char *values[7] = {code_id,
                             cm_pg_opt(f->email),
                             f->email_verified < 0 ? NULL
                             : f->email_verified   ? "t"
                                                   : "f",
                             cm_pg_opt(f->state),
                             cm_pg_opt(f->text),
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
              "FROM sign_up_requests WHERE organization_code_id = $1 AND step <> 'pending' "
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

