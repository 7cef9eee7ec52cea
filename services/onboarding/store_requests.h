/* store_requests.h: onboarding's SQL for onboarding requests (table in
 * migrations/004_onboarding_requests.sql). Records only; times RFC 3339
 * UTC; JSON columns come back as JSON text ("" for NULL). */
#ifndef ONBOARDING_STORE_REQUESTS_H
#define ONBOARDING_STORE_REQUESTS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "cm_err.h"

struct req_rec {
    const char *id, *code, *organization_id, *onboard_type, *created_by;
    const char *patient; /* "" none */
    const char *patient_email, *phone_number, *username;
    const char *individual_group_ids, *provider_roles, *notifications; /* JSON arrays */
    const char *communication_preferences;                             /* JSON or "" */
    const char *account_step, *status, *claimed_by, *claimed_time;
    const char *last_invite_email, *last_invite_sms, *email_dsn; /* JSON or "" */
    const char *created_time;
    int auto_sign_up, auto_confirm;
};

/* Requests; owned (store_req_list_free). */
struct req_list {
    size_t n;
    struct req_rec *items;
    char *mem;
};

void store_req_list_free(struct req_list *l);

/* A new request: the fields of struct req_rec that are set at creation
 * (id, status, claim, invites and times are the store's). Borrowed. */
cm_err store_req_insert(PGconn *pg, const struct req_rec *n, struct req_list *out);

/* Request id (a uuid); CM_ENOTFOUND when none. */
cm_err store_req_get(PGconn *pg, const char *id, struct req_list *out);

struct req_filter {
    const char *organization_id;
    const char *email;        /* "" any; compared ignoring case */
    const char *onboard_type; /* "" any */
    const char *patient_ids;  /* JSON array text of uuids, NULL any */
    long limit, offset;
};

/* Requests matching f, oldest first. */
cm_err store_req_list(PGconn *pg, const struct req_filter *f, struct req_list *out);

/* Changes the given (non-NULL) fields of request id; the row after to out.
 * CM_ENOTFOUND when none. */
cm_err store_req_update(PGconn *pg, const char *id, const char *email, const char *phone,
                        const char *notifications, struct req_list *out);

/* account_step pending → created for request id (a no-op otherwise);
 * *out_changed says whether it moved. */
cm_err store_req_account_created(PGconn *pg, const char *id, int *out_changed);

/* Deletes request id while its account step is pending (identity refused
 * the account, or none came); *out_changed says whether it was. */
cm_err store_req_undo(PGconn *pg, const char *id, int *out_changed);

/* Sets last_invite_<channel> ("email" | "sms") of request id to invite
 * (JSON object text). */
cm_err store_req_invite(PGconn *pg, const char *id, const char *channel, const char *invite);

/* Claims the unclaimed request whose code is sign-up sign_up_id's
 * referral code, in the sign-up's organization, for the sign-up's user;
 * the claimed request (id, organization_id, claimed_by only) goes to out,
 * n 0 when none. Call in the confirmation's transaction. */
cm_err store_req_claim_by_sign_up(PGconn *pg, const char *sign_up_id, struct req_list *out);

/* The newest request with code, or else patient email (ignoring case),
 * or else phone number (each "" when not asked). CM_ENOTFOUND when none. */
cm_err store_req_find(PGconn *pg, const char *code, const char *email, const char *phone,
                      struct req_list *out);

/* Claims the request whose account step is pending and whose last change
 * is older than idle_s (oldest first): its last_modified_time is set to
 * now, so no sweeper takes it again for idle_s. Its id to out_id and its
 * age in seconds to *out_age_s; CM_ENOTFOUND when there is none. */
cm_err store_req_claim_pending(PGconn *pg, int idle_s, char out_id[37], double *out_age_s);

/* The newest unclaimed request whose username or patient email is who
 * (ignoring case). CM_ENOTFOUND when none. */
cm_err store_req_find_open(PGconn *pg, const char *who, struct req_list *out);

/* The request whose last SMS invitation has messaging id msg_id (a uuid).
 * CM_ENOTFOUND when none. */
cm_err store_req_by_sms(PGconn *pg, const char *msg_id, struct req_list *out);

/* Sets status (and error, "" none) and respond-time of the last SMS
 * invitation of request id, when its id is msg_id. */
cm_err store_req_sms_status(PGconn *pg, const char *id, const char *msg_id, const char *status,
                            const char *error);

#endif
