/* store_users.c: identity's SQL for users and accounts (store_users.h).
 * Parameterized only; the one piece of SQL chosen at run time (the ORDER
 * BY of the list) comes from a constant table indexed by an enum. */
#include "store_users.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"
#include "cm_pg_pipe.h"
#include "cm_pg_select.h"

/* A timestamptz column as RFC 3339 UTC with microseconds; NULL stays NULL. */
#define TS(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* The columns store_user_row reads. role_org (an SQL uuid expression)
 * narrows roles to one organization when not NULL. The login lock is the
 * latest lock of the user from any address (login_attempts_pair, indexed by
 * username; login_throttle.h). */
#define USER_COLUMNS USER_COLUMNS_FOR("$1::uuid")
#define USER_COLUMNS_FOR(role_org)                                                                 \
    "u.id::text AS id, u.username, u.email, u.first_name, u.last_name, "                          \
    "to_char(u.birth_date, 'YYYY-MM-DD') AS birth_date, u.phone, u.phone_type, u.locale, u.tz, "  \
    "u.classification, u.communication_preferences::text AS comm_prefs, "                         \
    "u.default_organization_id::text AS default_org_id, " TS(                                     \
        "u.registration_completed_time") " AS registration_completed_time, " TS(                  \
        "u.last_login_time") " AS last_login_time, " TS("u.created_at") " AS created_at, " TS(    \
        "u.last_modified_time") " AS last_modified_time, "                                        \
    "(SELECT coalesce(json_agg(json_build_object('id', o.id, 'name', o.name, "                    \
    "'display-name', o.display_name, 'logo-url', o.logo_url) ORDER BY o.name, o.id), '[]') "      \
    "FROM user_organizations m JOIN organizations o ON o.id = m.organization_id "                \
    "WHERE m.user_id = u.id)::text AS organizations, "                                            \
    "(SELECT coalesce(json_agg(json_build_object('display-name', r.display_name, 'id', r.id, "    \
    "'name', r.name, 'organization-display-name', o.display_name, 'organization-id', o.id, "      \
    "'organization-name', o.name) ORDER BY o.name, r.name, r.id), '[]') "                         \
    "FROM role_users ru JOIN roles r ON r.id = ru.role_id "                                       \
    "JOIN organizations o ON o.id = r.organization_id "                                           \
    "WHERE ru.user_id = u.id AND (" role_org " IS NULL OR r.organization_id = " role_org          \
    "))::text AS roles, "                                                                          \
    "(SELECT " TS("max(la.locked_until)") " FROM login_attempts_pair la "                         \
    "WHERE la.username = u.username AND la.locked_until > now()) AS locked_until, "               \
    "(SELECT ec.email FROM email_changes ec WHERE ec.user_id = u.id AND ec.verified_at IS NULL "  \
    "AND ec.voided_at IS NULL AND ec.expires_at > now()) AS pending_email, "                      \
    "u.locale_explicit, u.tz_explicit, "                                                          \
    "u.email_verified, u.phone_verified, u.registered, u.enabled "

#define USER_FROM " FROM users u "

cm_err store_user_target(PGconn *pg, const char *id, const char *org, const char *caller_id,
                         struct user_target *out)
{
    const char *values[3] = {id, cm_pg_opt(org), cm_pg_opt(caller_id)};
    PGresult *res;
    cm_err err = cm_pg_query(pg,
                     "SELECT username, is_platform_admin, enabled, "
                     "coalesce(password_hash, '') AS password_hash, "
                     "EXISTS (SELECT 1 FROM user_organizations m "
                     "WHERE m.user_id = u.id AND m.organization_id = $2::uuid) AS in_org, "
                     "(SELECT count(*) FROM user_organizations m WHERE m.user_id = u.id "
                     "AND m.organization_id IS DISTINCT FROM $2::uuid AND NOT EXISTS ("
                     "SELECT 1 FROM role_users ru JOIN roles r ON r.id = ru.role_id "
                     "WHERE ru.user_id = $3::uuid AND r.organization_id = m.organization_id "
                     "AND r.name = 'admin')) AS foreign_orgs "
                     "FROM users u WHERE id = $1",
                     3, values, &res);

    if (err != CM_OK)
        return err;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return CM_ENOTFOUND;
    }
    snprintf(out->username, sizeof out->username, "%s", cm_pg_col(res, 0, "username"));
    snprintf(out->password_hash, sizeof out->password_hash, "%s",
             cm_pg_col(res, 0, "password_hash"));
    out->is_platform_admin = cm_pg_bool(res, 0, "is_platform_admin");
    out->enabled = cm_pg_bool(res, 0, "enabled");
    out->in_org = cm_pg_bool(res, 0, "in_org");
    out->foreign_orgs = atoi(cm_pg_col(res, 0, "foreign_orgs"));
    PQclear(res);
    return CM_OK;
}

/* One user and its tenancy facts: $1 role_org (NULL: every role), $2 the
 * id, $3 the organization asked about (NULL: none, so in_org is false; an
 * equality on the membership's primary key, never `$3 IS NULL OR`, so the
 * generic plan Postgres keeps for the prepared statement is the good one). */
static const char select_sql[] =
    "SELECT " USER_COLUMNS ", u.is_platform_admin, EXISTS (SELECT 1 FROM user_organizations m "
    "WHERE m.user_id = u.id AND m.organization_id = $3::uuid) AS in_org" USER_FROM
    "WHERE u.id = $2";

static void user_record_row(const PGresult *res, int row, struct user_list *out);

/* select_sql for a whole batch (cm_pg_batch): $1..$3 are the arrays of the
 * batch's role_org, id and organization, in order; batch_n the position. */
static const char select_batch_sql[] =
    "SELECT q.n AS batch_n, " USER_COLUMNS_FOR(
        "q.role_org") ", u.is_platform_admin, EXISTS (SELECT 1 FROM user_organizations m "
                      "WHERE m.user_id = u.id AND m.organization_id = q.org) AS in_org "
                      "FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) WITH ORDINALITY "
                      "AS q(role_org, id, org, n) JOIN users u ON u.id = q.id";

/* cm_pg_stmt.take_row of select_batch_sql: row of res into a struct
 * user_read. */
static cm_err take_user_row(const PGresult *res, int row, void *dst)
{
    struct user_read *r = dst;

    r->tenancy.in_org = cm_pg_bool(res, row, "in_org");
    r->tenancy.is_platform_admin = cm_pg_bool(res, row, "is_platform_admin");
    user_record_row(res, row, &r->list);
    return CM_OK;
}

/* cm_pg_stmt.take of select_sql: the one user into a struct user_read. */
static cm_err take_user(const PGresult *res, void *dst)
{
    struct user_read *r = dst;

    if (PQntuples(res) != 1)
        return CM_ENOTFOUND;
    r->tenancy.in_org = cm_pg_bool(res, 0, "in_org");
    r->tenancy.is_platform_admin = cm_pg_bool(res, 0, "is_platform_admin");
    store_user_records(res, &r->list);
    return CM_OK;
}

void store_user_select_stmt(struct cm_pg_stmt *st, const char *id, const char *org,
                            const char *role_org, struct user_read *out)
{
    memset(st, 0, sizeof *st);
    st->sql = select_sql;
    st->n = 3;
    st->values[0] = cm_pg_opt(role_org);
    st->values[1] = id;
    st->values[2] = cm_pg_opt(org);
    st->take = take_user;
    st->dst = out;
    st->batch_sql = select_batch_sql;
    st->take_row = take_user_row;
}

cm_err store_user_select(PGconn *pg, const char *id, const char *org, const char *role_org,
                         struct user_list *out, struct user_tenancy *out_tenancy)
{
    struct user_read r = {0};
    struct cm_pg_stmt st;
    cm_err err;

    store_user_select_stmt(&st, id, org, role_org, &r);
    err = cm_pg_stmt_run(pg, &st);
    if (err != CM_OK)
        return err;
    *out = r.list;
    if (out_tenancy)
        *out_tenancy = r.tenancy;
    return CM_OK;
}

#define TEXT(name) {#name, CM_PG_STR, offsetof(struct user_rec, name)}
#define FLAG(name) {#name, CM_PG_BOOL, offsetof(struct user_rec, name)}

/* The columns of USER_COLUMNS and where each goes in struct user_rec. */
static const struct cm_pg_field user_fields[] = {
    TEXT(id), TEXT(username), TEXT(email), TEXT(first_name), TEXT(last_name), TEXT(birth_date),
    TEXT(phone), TEXT(phone_type), TEXT(locale), TEXT(tz), TEXT(classification),
    TEXT(comm_prefs), TEXT(default_org_id), TEXT(registration_completed_time),
    TEXT(last_login_time), TEXT(created_at), TEXT(last_modified_time), TEXT(organizations),
    TEXT(roles), TEXT(locked_until), TEXT(pending_email), FLAG(locale_explicit),
    FLAG(tz_explicit), FLAG(email_verified), FLAG(phone_verified), FLAG(registered),
    FLAG(enabled),
};

_Static_assert(sizeof user_fields / sizeof user_fields[0] == USER_TEXT_COLS + USER_FLAG_COLS,
               "user columns");

/* Row row of res (USER_COLUMNS) as a one-record list. */
static void user_record_row(const PGresult *res, int row, struct user_list *out)
{
    cm_pg_records_rows(res, (size_t)row, 1, user_fields, sizeof user_fields / sizeof user_fields[0],
                       sizeof *out->items, (void **)&out->items, &out->mem, &out->n);
}

void store_user_records(const PGresult *res, struct user_list *out)
{
    cm_pg_records(res, user_fields, sizeof user_fields / sizeof user_fields[0],
                  sizeof *out->items, (void **)&out->items, &out->mem, &out->n);
}

void store_user_list_free(struct user_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

/* Roles of user u named (or not named) something, in organization $3 when
 * given. */
#define HAS_ROLE(cond)                                                                             \
    "EXISTS (SELECT 1 FROM role_users ru JOIN roles r ON r.id = ru.role_id "                      \
    "WHERE ru.user_id = u.id AND " cond " AND ($3::uuid IS NULL OR r.organization_id = $3))"

/* The list: $1 is NULL (every role is shown), $2..$19 the filters. A
 * participant holds the role "patient" and no other (in the organization
 * filtered on, if any); a tester has classification customer_test;
 * registration-invite is "accepted" once registered, else "none";
 * primary individuals and sharing are not known to identity, so those
 * filters match nobody. */
static const char list_sql[] =
    "SELECT " USER_COLUMNS USER_FROM
    "WHERE ($2::uuid IS NULL OR u.id = $2) "
    "AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM user_organizations m "
    "WHERE m.user_id = u.id AND m.organization_id = $3)) "
    "AND ($4::text IS NULL OR lower(u.email) = lower($4)) "
    "AND ($5::text IS NULL OR u.classification = $5) "
    "AND ($6::timestamptz IS NULL OR u.last_modified_time < $6) "
    "AND ($7::timestamptz IS NULL OR u.last_modified_time > $7) "
    "AND ($8::boolean IS NULL OR u.email_verified = $8) "
    "AND ($9::boolean IS NULL OR u.enabled = $9) "
    "AND ($10::boolean OR NOT (" HAS_ROLE("r.name = 'patient'") " AND NOT " HAS_ROLE(
        "r.name <> 'patient'") ")) "
    "AND ($11::boolean IS NULL OR $11 OR u.classification <> 'customer_test') "
    "AND ($12::boolean OR u.registered) "
    "AND (NOT $13::boolean OR " HAS_ROLE("r.name = 'admin'") ") "
    "AND ($14::text IS NULL OR u.phone = $14) "
    "AND ($15::uuid[] IS NULL) "
    "AND ($16::text[] IS NULL OR (CASE WHEN u.registered THEN 'accepted' ELSE 'none' END) "
    "= ANY ($16)) "
    "AND ($17::text IS NULL OR u.username = lower($17)) "
    "AND ($18::uuid IS NULL) "
    "AND ($19::text IS NULL OR strpos(lower(u.username), lower($19)) > 0 "
    "OR strpos(lower(u.email), lower($19)) > 0 OR strpos(lower(u.first_name), lower($19)) > 0 "
    "OR strpos(lower(u.last_name), lower($19)) > 0) "
    "ORDER BY ";

/* ORDER BY of each enum user_sort, ties by id. */
static const char *const sort_sql[USER_SORT__COUNT] = {
    [USER_SORT_LAST_NAME] = "lower(u.last_name), lower(u.first_name), u.id",
    [USER_SORT_LAST_NAME_DESC] = "lower(u.last_name) DESC, lower(u.first_name) DESC, u.id DESC",
    [USER_SORT_FIRST_NAME] = "lower(u.first_name), lower(u.last_name), u.id",
    [USER_SORT_FIRST_NAME_DESC] = "lower(u.first_name) DESC, lower(u.last_name) DESC, u.id DESC",
    [USER_SORT_EMAIL] = "lower(u.email), u.id",
    [USER_SORT_EMAIL_DESC] = "lower(u.email) DESC, u.id DESC",
    [USER_SORT_ID] = "u.id",
    [USER_SORT_ID_DESC] = "u.id DESC",
};

cm_err store_users_list(PGconn *pg, const struct user_list_query *q, struct user_list *out)
{
    char sql[sizeof list_sql + 128], limit[24], offset[24];
    const char *values[21];

    if ((unsigned)q->sort >= USER_SORT__COUNT)
        return CM_EINVAL;
    snprintf(sql, sizeof sql, "%s%s LIMIT $20 OFFSET $21", list_sql, sort_sql[q->sort]);
    snprintf(limit, sizeof limit, "%ld", q->limit);
    snprintf(offset, sizeof offset, "%ld", q->offset);
    values[0] = NULL;
    values[1] = cm_pg_opt(q->only_user);
    values[2] = cm_pg_opt(q->organization);
    values[3] = cm_pg_opt(q->email);
    values[4] = cm_pg_opt(q->classification);
    values[5] = cm_pg_opt(q->modified_before);
    values[6] = cm_pg_opt(q->modified_after);
    values[7] = cm_pg_opt_bool(q->email_verified);
    values[8] = cm_pg_opt_bool(q->enabled);
    values[9] = q->include_participants ? "true" : "false";
    values[10] = cm_pg_opt_bool(q->include_tester);
    values[11] = q->include_unverified ? "true" : "false";
    values[12] = q->organization_admin ? "true" : "false";
    values[13] = cm_pg_opt(q->phone);
    values[14] = cm_pg_opt(q->primary_individual_ids);
    values[15] = cm_pg_opt(q->registration_invite);
    values[16] = cm_pg_opt(q->username);
    values[17] = cm_pg_opt(q->shared_with);
    values[18] = cm_pg_opt(q->text);
    values[19] = limit;
    values[20] = offset;
    return cm_pg_select(pg, sql, 21, values, user_fields,
                        sizeof user_fields / sizeof user_fields[0], sizeof *out->items,
                        (void **)&out->items, &out->mem, &out->n);
}

cm_err store_user_patch(PGconn *pg, const char *id, const struct user_patch *p)
{
    const char *values[11] = {id,           p->classification, p->comm_prefs, p->default_org,
                              p->email,     p->first_name,     p->last_name,  p->locale,
                              p->phone,     p->tz,             p->username};
    long rows = 0;
    cm_err err;

    if (p->default_org) {
        const char *m[2] = {id, p->default_org};
        err = cm_pg_command(pg,
                            "SELECT 1 FROM user_organizations WHERE user_id = $1 "
                            "AND organization_id = $2",
                            2, m, &rows);
        if (err == CM_OK && rows != 1)
            err = CM_EINVAL;
        if (err != CM_OK)
            return err;
    }
    err = cm_pg_command(pg,
                        "UPDATE users SET "
                        "classification = coalesce($2, classification), "
                        "communication_preferences = communication_preferences || "
                        "coalesce($3::jsonb, '{}'), "
                        "default_organization_id = coalesce($4::uuid, default_organization_id), "
                        "email_verified = email_verified AND ($5::text IS NULL OR $5 = email), "
                        "email = coalesce($5, email), "
                        "first_name = coalesce($6, first_name), "
                        "last_name = coalesce($7, last_name), "
                        "locale_explicit = locale_explicit OR $8::text IS NOT NULL, "
                        "locale = coalesce($8, locale), "
                        "phone_verified = phone_verified AND ($9::text IS NULL OR $9 = phone), "
                        "phone = coalesce($9, phone), "
                        "tz_explicit = tz_explicit OR $10::text IS NOT NULL, "
                        "tz = coalesce($10, tz), "
                        "username = coalesce(lower($11), username), "
                        "last_modified_time = now() "
                        "WHERE id = $1",
                        11, values, &rows);
    if (err == CM_OK && rows != 1)
        err = CM_ENOTFOUND;
    return err;
}

/* Runs a one-user UPDATE whose $1 is the id; CM_ENOTFOUND when no row. */
static cm_err update_user(PGconn *pg, const char *sql, int n, const char *const *values)
{
    long rows = 0;
    cm_err err = cm_pg_command(pg, sql, n, values, &rows);
    return err == CM_OK && rows != 1 ? CM_ENOTFOUND : err;
}

cm_err store_user_set_password(PGconn *pg, const char *id, const char *hash)
{
    const char *values[2] = {id, hash};
    return update_user(pg,
                       "UPDATE users SET password_hash = $2, last_modified_time = now() "
                       "WHERE id = $1",
                       2, values);
}

cm_err store_user_confirm_phone(PGconn *pg, const char *id, const char *phone)
{
    const char *values[2] = {id, phone};
    return update_user(pg,
                       "UPDATE users SET phone = $2, phone_verified = true, "
                       "last_modified_time = now() WHERE id = $1",
                       2, values);
}

cm_err store_user_set_enabled(PGconn *pg, const char *id, int enabled)
{
    const char *values[2] = {id, enabled ? "true" : "false"};
    cm_err err = update_user(pg,
                             "UPDATE users SET enabled = $2, last_modified_time = now() "
                             "WHERE id = $1",
                             2, values);

    if (err == CM_OK && enabled)
        err = cm_pg_command(pg,
                            "DELETE FROM login_attempts WHERE username = "
                            "(SELECT username FROM users WHERE id = $1)",
                            1, values, NULL);
    if (err == CM_OK && enabled) /* and the locks of the account's pairs (login_throttle.h) */
        err = cm_pg_command(pg,
                            "DELETE FROM login_attempts_pair WHERE username = "
                            "(SELECT username FROM users WHERE id = $1)",
                            1, values, NULL);
    return err;
}

#define F(col, kind, field) {col, kind, offsetof(struct user_facts_rec, field)}
static const struct cm_pg_field facts_fields[] = {
    F("username", CM_PG_STR, username),
    F("email", CM_PG_STR, email),
    F("first_name", CM_PG_STR, first_name),
    F("last_name", CM_PG_STR, last_name),
    F("organization_ids", CM_PG_STR, organization_ids),
    F("occurred_at", CM_PG_STR, occurred_at),
    F("enabled", CM_PG_BOOL, enabled),
};
#undef F

void store_user_facts_free(struct user_facts *f)
{
    free(f->items);
    free(f->mem);
    memset(f, 0, sizeof *f);
}

cm_err store_user_facts(PGconn *pg, const char *user_id, struct user_facts *out)
{
    const char *values[1] = {user_id};
    cm_err err = CM_PG_SELECT(pg,
                     "SELECT username, email, first_name, last_name, enabled, "
                     "(SELECT coalesce(json_agg(m.organization_id ORDER BY m.organization_id), "
                     "'[]') FROM user_organizations m WHERE m.user_id = u.id)::text "
                     "AS organization_ids, " TS("now()") " AS occurred_at "
                     "FROM users u WHERE id = $1",
                     1, values, facts_fields, out);

    if (err == CM_OK && out->n != 1) {
        store_user_facts_free(out);
        return CM_ENOTFOUND;
    }
    return err;
}

cm_err store_tz_valid(PGconn *pg, const char *tz)
{
    const char *values[1] = {tz};
    PGresult *res = cm_pg_exec_params(pg, "SELECT now() AT TIME ZONE $1", 1, NULL, values, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    cm_err err = CM_OK;

    /* 22023: invalid parameter value, the answer for an unknown zone. */
    if (st != PGRES_TUPLES_OK)
        err = state && !strcmp(state, "22023") ? CM_EINVAL : cm_pg_result_err(res);
    PQclear(res);
    return err;
}

cm_err store_org_role(PGconn *pg, const char *org, const char *role, char *role_id)
{
    const char *values[2] = {org, role};
    PGresult *res;
    cm_err err = cm_pg_query(pg,
                     "SELECT o.id, r.id::text AS role_id FROM organizations o "
                     "LEFT JOIN roles r ON r.organization_id = o.id AND r.name = $2 "
                     "WHERE o.id = $1",
                     2, values, &res);

    if (err != CM_OK)
        return err;
    if (PQntuples(res) != 1)
        err = CM_ENOTFOUND;
    else if (PQgetisnull(res, 0, PQfnumber(res, "role_id")))
        err = CM_EINVAL;
    else
        snprintf(role_id, 40, "%s", cm_pg_col(res, 0, "role_id"));
    PQclear(res);
    return err;
}

cm_err store_account_create(PGconn *pg, const struct account_new *a, char *user_id)
{
    const char *values[14] = {a->username,        a->password_hash,
                              a->email,           a->first_name,
                              a->last_name,       a->phone,
                              a->locale,          a->tz,
                              a->organization_id, cm_pg_opt(a->birth_date),
                              a->preferred_name,  a->gender,
                              a->role_id,         cm_pg_opt(a->id)};
    PGresult *res;
    cm_err err = cm_pg_query(pg,
                     "WITH u AS (INSERT INTO users (id, username, password_hash, email, "
                     "first_name, last_name, phone, locale, tz, default_organization_id, "
                     "birth_date, preferred_name, gender, registered) VALUES "
                     "(coalesce($14::uuid, gen_random_uuid()), lower($1), $2, $3, $4, $5, $6, "
                     "$7, $8, $9, $10::date, $11, $12, false) RETURNING id), "
                     "m AS (INSERT INTO user_organizations (user_id, organization_id) "
                     "SELECT id, $9::uuid FROM u), "
                     "r AS (INSERT INTO role_users (role_id, user_id) SELECT $13::uuid, id FROM u) "
                     "SELECT id::text FROM u",
                     14, values, &res);

    if (err != CM_OK)
        return err;
    snprintf(user_id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return CM_OK;
}

cm_err store_account_by_id(PGconn *pg, const char *user_id, char *username, char *account_type)
{
    const char *values[1] = {user_id};
    PGresult *res;
    cm_err err = cm_pg_query(pg,
                     "SELECT u.username, (SELECT r.name FROM role_users ru JOIN roles r ON "
                     "r.id = ru.role_id WHERE ru.user_id = u.id AND r.organization_id = "
                     "u.default_organization_id ORDER BY ru.created_at, ru.id LIMIT 1) "
                     "AS account_type FROM users u WHERE u.id = $1::uuid",
                     1, values, &res);

    if (err != CM_OK)
        return err;
    if (PQntuples(res) != 1) {
        err = CM_ENOTFOUND;
    } else {
        snprintf(username, 256, "%s", cm_pg_col(res, 0, "username"));
        snprintf(account_type, 256, "%s", cm_pg_col(res, 0, "account_type"));
    }
    PQclear(res);
    return err;
}

cm_err store_account_confirm(PGconn *pg, const char *user_id, const char *tz, int *changed,
                             char *account_type)
{
    const char *values[2] = {user_id, tz};
    PGresult *res;
    long rows = 0;
    cm_err err =
        cm_pg_command(pg,
                      "UPDATE users SET registered = true, email_verified = true, "
                      "registration_completed_time = coalesce(registration_completed_time, "
                      "now()), tz = CASE WHEN $2::text <> '' THEN $2 ELSE tz END, "
                      "last_modified_time = now() WHERE id = $1 AND NOT registered",
                      2, values, &rows);

    if (err == CM_OK && rows == 1)
        err = cm_pg_command(pg,
                            "INSERT INTO user_activities (user_id, event_type) VALUES ($1, 'sreg')",
                            1, values, NULL);
    if (err != CM_OK)
        return err;
    *changed = rows == 1;
    err = cm_pg_query(pg,
              "SELECT (SELECT r.name FROM role_users ru JOIN roles r ON r.id = ru.role_id "
              "WHERE ru.user_id = u.id AND r.organization_id = u.default_organization_id "
              "ORDER BY ru.created_at, ru.id LIMIT 1) AS account_type "
              "FROM users u WHERE id = $1",
              1, values, &res);
    if (err != CM_OK)
        return err;
    if (PQntuples(res) != 1)
        err = CM_ENOTFOUND;
    else
        snprintf(account_type, 256, "%s", cm_pg_col(res, 0, "account_type"));
    PQclear(res);
    return err;
}
