/* store_requests.c: SQL of onboarding requests (store_requests.h). */
#include "store_requests.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pg.h"
#include "cm_pg_select.h"

#define RFC3339(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#define REQ_COLUMNS                                                                                \
    "id::text AS id, code, organization_id::text AS organization_id, onboard_type, created_by, "   \
    "coalesce(patient::text, '') AS patient, patient_email, phone_number, username, "              \
    "individual_group_ids::text AS individual_group_ids, provider_roles::text AS provider_roles, " \
    "notifications::text AS notifications, "                                                       \
    "coalesce(communication_preferences::text, '') AS communication_preferences, account_step, "   \
    "status, coalesce(claimed_by::text, '') AS claimed_by, "                                       \
    "coalesce(" RFC3339(                                                                           \
        "claimed_time") ", '') AS claimed_time, "                                                  \
                        "coalesce(last_invite_email::text, '') AS last_invite_email, "             \
                        "coalesce(last_invite_sms::text, '') AS last_invite_sms, "                 \
                        "coalesce(email_dsn::text, '') AS email_dsn, " RFC3339(                    \
                            "created_at") " AS created_time, "                                     \
                                          "auto_sign_up, auto_confirm"

#define F(col, member)                                                                             \
    {                                                                                              \
        col, CM_PG_STR, offsetof(struct req_rec, member)                                           \
    }
#define B(col, member)                                                                             \
    {                                                                                              \
        col, CM_PG_BOOL, offsetof(struct req_rec, member)                                          \
    }
static const struct cm_pg_field req_fields[] = {
    F("id", id),
    F("code", code),
    F("organization_id", organization_id),
    F("onboard_type", onboard_type),
    F("created_by", created_by),
    F("patient", patient),
    F("patient_email", patient_email),
    F("phone_number", phone_number),
    F("username", username),
    F("individual_group_ids", individual_group_ids),
    F("provider_roles", provider_roles),
    F("notifications", notifications),
    F("communication_preferences", communication_preferences),
    F("account_step", account_step),
    F("status", status),
    F("claimed_by", claimed_by),
    F("claimed_time", claimed_time),
    F("last_invite_email", last_invite_email),
    F("last_invite_sms", last_invite_sms),
    F("email_dsn", email_dsn),
    F("created_time", created_time),
    B("auto_sign_up", auto_sign_up),
    B("auto_confirm", auto_confirm),
};
#undef F
#undef B

void store_req_list_free(struct req_list *l)
{
    free(l->items);
    free(l->mem);
    memset(l, 0, sizeof *l);
}

cm_err store_req_insert(PGconn *pg, const struct req_rec *n, struct req_list *out)
{
    const char *v[] = {n->code,
                       n->organization_id,
                       n->onboard_type,
                       n->created_by,
                       cm_pg_opt(n->patient),
                       n->patient_email,
                       n->phone_number,
                       n->username,
                       n->individual_group_ids,
                       n->provider_roles,
                       n->notifications,
                       cm_pg_opt(n->communication_preferences),
                       n->account_step,
                       n->auto_sign_up ? "true" : "false",
                       n->auto_confirm ? "true" : "false"};

    memset(out, 0, sizeof *out);
    return CM_PG_SELECT_ONE(pg,
                            "INSERT INTO onboarding_requests (code, organization_id, onboard_type, "
                            "created_by, patient, patient_email, phone_number, username, "
                            "individual_group_ids, provider_roles, notifications, "
                            "communication_preferences, account_step, auto_sign_up, auto_confirm) "
                            "VALUES ($1, $2::uuid, $3, $4, $5::uuid, $6, $7, $8, $9::jsonb, "
                            "$10::jsonb, $11::jsonb, $12::jsonb, $13, $14::boolean, $15::boolean) "
                            "RETURNING " REQ_COLUMNS,
                            15, v, req_fields, out);
}

cm_err store_req_get(PGconn *pg, const char *id, struct req_list *out)
{
    const char *v[] = {id};

    memset(out, 0, sizeof *out);
    return CM_PG_SELECT_ONE(pg,
                            "SELECT " REQ_COLUMNS " FROM onboarding_requests WHERE id = $1::uuid",
                            1, v, req_fields, out);
}

cm_err store_req_list(PGconn *pg, const struct req_filter *f, struct req_list *out)
{
    char lim[24], off[24];
    const char *v[] = {f->organization_id,
                       cm_pg_opt(f->email),
                       cm_pg_opt(f->onboard_type),
                       f->patient_ids,
                       lim,
                       off};

    snprintf(lim, sizeof lim, "%ld", f->limit);
    snprintf(off, sizeof off, "%ld", f->offset);
    memset(out, 0, sizeof *out);
    return CM_PG_SELECT(pg,
                        "SELECT " REQ_COLUMNS " FROM onboarding_requests "
                        "WHERE organization_id = $1::uuid "
                        "AND ($2::text IS NULL OR lower(patient_email) = lower($2)) "
                        "AND ($3::text IS NULL OR onboard_type = $3) "
                        "AND ($4::jsonb IS NULL OR patient::text IN "
                        "(SELECT jsonb_array_elements_text($4::jsonb))) "
                        "ORDER BY created_at, id LIMIT $5::bigint OFFSET $6::bigint",
                        6, v, req_fields, out);
}

cm_err store_req_update(PGconn *pg, const char *id, const char *email, const char *phone,
                        const char *notifications, struct req_list *out)
{
    const char *v[] = {id, email, phone, notifications};

    memset(out, 0, sizeof *out);
    return CM_PG_SELECT_ONE(pg,
                            "UPDATE onboarding_requests SET "
                            "patient_email = coalesce($2, patient_email), "
                            "phone_number = coalesce($3, phone_number), "
                            "notifications = coalesce($4::jsonb, notifications), "
                            "last_modified_time = now() WHERE id = $1::uuid RETURNING " REQ_COLUMNS,
                            4, v, req_fields, out);
}

cm_err store_req_account_created(PGconn *pg, const char *id, int *out_changed)
{
    const char *v[] = {id};
    long rows = 0;
    cm_err err = cm_pg_command(pg,
                               "UPDATE onboarding_requests SET account_step = 'created', "
                               "last_modified_time = now() WHERE id = $1::uuid "
                               "AND account_step = 'pending'",
                               1, v, &rows);

    *out_changed = err == CM_OK && rows > 0;
    return err;
}

cm_err store_req_undo(PGconn *pg, const char *id, int *out_changed)
{
    const char *v[] = {id};
    long rows = 0;
    cm_err err = cm_pg_command(pg,
                               "DELETE FROM onboarding_requests WHERE id = $1::uuid "
                               "AND account_step = 'pending'",
                               1, v, &rows);

    *out_changed = err == CM_OK && rows > 0;
    return err;
}

cm_err store_req_invite(PGconn *pg, const char *id, const char *channel, const char *invite)
{
    const char *v[] = {id, invite};

    return cm_pg_command(pg,
                         !strcmp(channel, "sms")
                             ? "UPDATE onboarding_requests SET last_invite_sms = $2::jsonb "
                               "WHERE id = $1::uuid"
                             : "UPDATE onboarding_requests SET last_invite_email = $2::jsonb "
                               "WHERE id = $1::uuid",
                         2, v, NULL);
}

cm_err store_req_claim_by_sign_up(PGconn *pg, const char *sign_up_id, struct req_list *out)
{
    const char *v[] = {sign_up_id};

    memset(out, 0, sizeof *out);
    return CM_PG_SELECT(pg,
                        "UPDATE onboarding_requests o SET status = 'claimed', "
                        "claimed_by = s.user_id, claimed_time = now(), "
                        "last_modified_time = now() FROM sign_up_requests s "
                        "WHERE s.id = $1::uuid AND s.referral_code <> '' "
                        "AND o.code = s.referral_code "
                        "AND o.organization_id = s.organization_id "
                        "AND o.status <> 'claimed' "
                        "RETURNING o.id::text AS id, o.organization_id::text AS organization_id, "
                        "o.claimed_by::text AS claimed_by",
                        1, v, req_fields, out);
}

cm_err store_req_find(PGconn *pg, const char *code, const char *email, const char *phone,
                      struct req_list *out)
{
    const char *v[] = {code, email, phone};

    memset(out, 0, sizeof *out);
    return CM_PG_SELECT_ONE(pg,
                            "SELECT " REQ_COLUMNS " FROM onboarding_requests "
                            "WHERE ($1 <> '' AND code = $1) "
                            "OR ($1 = '' AND $2 <> '' AND lower(patient_email) = lower($2)) "
                            "OR ($1 = '' AND $2 = '' AND $3 <> '' AND phone_number = $3) "
                            "ORDER BY created_at DESC LIMIT 1",
                            3, v, req_fields, out);
}

cm_err store_req_find_open(PGconn *pg, const char *who, struct req_list *out)
{
    const char *v[] = {who};

    memset(out, 0, sizeof *out);
    return CM_PG_SELECT_ONE(pg,
                            "SELECT " REQ_COLUMNS " FROM onboarding_requests "
                            "WHERE status <> 'claimed' AND (lower(username) = lower($1) "
                            "OR lower(patient_email) = lower($1)) "
                            "ORDER BY created_at DESC LIMIT 1",
                            1, v, req_fields, out);
}

cm_err store_req_by_sms(PGconn *pg, const char *msg_id, struct req_list *out)
{
    const char *v[] = {msg_id};

    memset(out, 0, sizeof *out);
    return CM_PG_SELECT_ONE(pg,
                            "SELECT " REQ_COLUMNS " FROM onboarding_requests "
                            "WHERE last_invite_sms->>'id' = $1 LIMIT 1",
                            1, v, req_fields, out);
}

cm_err store_req_sms_status(PGconn *pg, const char *id, const char *msg_id, const char *status,
                            const char *error)
{
    const char *v[] = {id, msg_id, status, cm_pg_opt(error)};

    return cm_pg_command(
        pg,
        "UPDATE onboarding_requests SET last_invite_sms = last_invite_sms || "
        "jsonb_build_object('status', $3::text, 'error', $4::text, "
        "'respond-time', " RFC3339("now()") ") "
                                            "WHERE id = $1::uuid AND last_invite_sms->>'id' = $2",
        4, v, NULL);
}

cm_err store_req_claim_pending(PGconn *pg, int idle_s, char out_id[37], double *out_age_s)
{
    char idle[24];
    const char *v[] = {idle};
    PGresult *res = NULL;
    cm_err err;

    snprintf(idle, sizeof idle, "%d", idle_s);
    err = cm_pg_one_row(
        cm_pg_query(pg,
                    "UPDATE onboarding_requests SET last_modified_time = now() WHERE id = "
                    "(SELECT id FROM onboarding_requests WHERE account_step = 'pending' "
                    "AND last_modified_time < now() - make_interval(secs => $1::int) "
                    "ORDER BY last_modified_time LIMIT 1 FOR UPDATE SKIP LOCKED) "
                    "RETURNING id::text AS id, "
                    "extract(epoch FROM now() - created_at)::float8 AS age",
                    1, v, &res),
        &res);
    if (err != CM_OK)
        return err;
    cm_pg_copy(res, 0, "id", out_id, 37);
    *out_age_s = atof(cm_pg_col(res, 0, "age"));
    PQclear(res);
    return CM_OK;
}
