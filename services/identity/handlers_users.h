/* handlers_users.h: the users resource (#146-#154 but #152) and the account
 * RPCs onboarding calls (handlers_users*.c, accounts_rpc.c).
 *
 * Tenancy: a user reads and updates themselves; an organization admin
 * (role "admin" in the token's current organization) reads the members of
 * that organization, and updates, disables and enables those whose every
 * organization they administer (403 for the others); the platform admin
 * everything. Anyone else gets 404 for the user, as if it did not exist. */
#ifndef IDENTITY_HANDLERS_USERS_H
#define IDENTITY_HANDLERS_USERS_H

#include <stdint.h>

#include "cm_service.h"
#include "store_users.h"

/* GET /v1/users/ (#146): the users the caller may see, filtered, sorted and
 * paged in SQL; 200. */
cm_err users_list(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/users/{id}/ (#147): one user with organizations and the
 * onboarding records (empty: onboarding owns them); 200. One statement,
 * sent with those of the other reads of the worker's batch (cm_batch.h). */
cm_err users_read(struct cm_req *rq, struct cm_resp *out);

/* PATCH /v1/users/{id}/ (#148): JSON:API envelope of type "users"; 200 with
 * the user. 409 for a taken username, 403 for classification unless the
 * platform admin. */
cm_err users_update(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/users/{id}/change-email/ (#149, deprecated): {"email"}; the new
 * address is pending (users.email unchanged) until verify-email gets the
 * code sent to it, and the old address is told; 201 null. 429 with
 * Retry-After past 5 changes per user an hour (handlers_users_email.c). */
cm_err users_change_email(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/users/{id}/verify-email/ (not in the seed):
 * {"confirmation-code"}; the user's pending address becomes its verified
 * email (UserChanged "updated"); 201 null. 400 at /confirmation-code for a
 * wrong, expired or absent code (5 wrong codes void a change); 429 with
 * Retry-After past 10 codes checked for the user in an hour. The user or an
 * admin who may change the user (users_require_write). */
cm_err users_verify_email(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/users/{id}/change-password/ (#150): new-password (policy of
 * password_policy.h), old-password (required unless the platform admin
 * changes another user's), maintain-active-sessions (default false: every
 * session of the user is revoked); 201 null, 403 for a wrong old password. */
cm_err users_change_password(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/users/{id}/confirm-phone/ (#151): {"phone-number"} in E.164
 * becomes the user's verified phone; 201 null. */
cm_err users_confirm_phone(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/users/{id}/disable/ (#153): {}; the user is disabled and every
 * session revoked; 201 with the user. Nobody disables themselves, only the
 * platform admin disables a platform admin (403). */
cm_err users_disable(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/users/{id}/enable/ (#154): {}; enabled, login lock cleared; 201
 * with the user. */
cm_err users_enable(struct cm_req *rq, struct cm_resp *out);

/* identity.rpc.CreateAccount: CreateAccountRequest → CreateAccountReply (see
 * proto/identity.proto). */
cm_err rpc_create_account(struct cm_worker *w, const Envelope__RpcRequest *req,
                          uint8_t **out_payload, size_t *out_len);

/* identity.rpc.ConfirmAccount: ConfirmAccountRequest → ConfirmAccountReply. */
cm_err rpc_confirm_account(struct cm_worker *w, const Envelope__RpcRequest *req,
                           uint8_t **out_payload, size_t *out_len);

/* ---- shared by handlers_users*.c and accounts_rpc.c ---- */

/* The caller's relation to one user, after users_access (users_read loads
 * only target.in_org and target.is_platform_admin). */
struct users_access {
    char id[40];
    struct user_target target;
    int self;  /* the caller is this user */
    int admin; /* the caller administers this user (platform or organization admin) */
};

/* Authenticates the caller (401) and loads the user of the path's {id},
 * answering CM_ENOTFOUND (404) when it does not exist or the caller may
 * neither be it nor administer it (without a query when the caller is not
 * the user and administers nobody). For the write paths; the read (#147)
 * takes the same decision from the one statement that reads the user. */
cm_err users_access(struct cm_req *rq, struct users_access *out);

/* Answers status with the user id as a JSON:API document, as the caller
 * sees it (locks shown to admins). flags: USER_JSON_DETAIL or 0; role_org
 * narrows roles ("" for all). */
cm_err users_respond(struct cm_req *rq, struct cm_resp *out, const struct users_access *a,
                     int status, unsigned flags, const char *role_org);

/* CM_OK when the caller may change the user of a (after users_access): the
 * user themselves when allow_self, else an admin of the user; a platform
 * admin's account only by the platform admin; an organization admin only
 * an account all of whose organizations they administer. Otherwise 403. */
cm_err users_require_write(struct cm_req *rq, const struct users_access *a, int allow_self);

/* The start of an action on the path's user that the user themselves or
 * an admin of theirs may take, with a plain JSON object body: users_access,
 * users_require_write(allow_self) and cm_req_json_object(allowed) in turn.
 * On CM_OK *body is the caller's to json_decref. */
cm_err users_begin_write(struct cm_req *rq, const char *const *allowed, struct users_access *a,
                         json_t **body);

/* A change to user a->id, made by write(rq, a->id, ctx), and its UserChanged
 * event (IDENTITY_EVT_USER + change, unless change is NULL), in one
 * transaction; when revoke_reason is not NULL every session of the user is
 * revoked in it too (users_revoke_sessions). write records its own error
 * detail (cm_fail_at). */
cm_err users_change(struct cm_req *rq, const struct users_access *a,
                    cm_err (*write)(struct cm_req *rq, const char *id, void *ctx), void *ctx,
                    const char *change, const char *revoke_reason);

/* Answers 201 with a null document. */
void users_respond_null(struct cm_req *rq, struct cm_resp *out);

/* The events of a new account, inside its transaction: UserChanged
 * "created", MembershipChanged "added" (org), RoleMembershipChanged "added"
 * (role_id, named role) (accounts_rpc.c). */
cm_err accounts_created_events(PGconn *pg, const char *user_id, const char *org,
                               const char *role_id, const char *role);

/* Writes UserChanged for user_id on IDENTITY_EVT_USER + change to the
 * outbox. Call inside the transaction of the change. */
cm_err users_event(PGconn *pg, const char *user_id, const char *change);

/* Revokes every session of user_id (reason "disabled", "password_changed",
 * ...) and stops its tokens (revoke_user_tokens: SessionRevoked with the
 * user's new token generation). Call inside the transaction of the change. */
cm_err users_revoke_sessions(PGconn *pg, const char *user_id, const char *reason);

/* A change of a user's email address in progress (handlers_users_email.c). */
struct users_email_change {
    const char *email;    /* the new address (borrowed) */
    char code[8];         /* its verification code, wiped once mailed */
    char old_email[256];  /* the address it replaces, "" none */
    int unchanged;        /* email is the verified address already */
    int retry_after_s;
};

/* Inside users_change's transaction: records ec->email as user id's
 * pending address with a fresh code (store_email_change_put); 429 with
 * Retry-After past the hourly bound. */
cm_err users_email_change_begin(struct cm_req *rq, const char *id, struct users_email_change *ec);

/* After the commit: queues the code to the new address and a notice to the
 * old one (code_mail.h), and wipes the code; nothing when unchanged. */
void users_email_change_mail(struct cm_req *rq, struct users_email_change *ec);

/* ---- input (handlers_users_input.c); the pure ones are unit-tested ---- */

/* sort-by value → enum; CM_EINVAL when not one of the 8 of #146. */
cm_err users_sort_parse(const char *s, enum user_sort *out);


/* True for "+" and 7 to 15 digits, the first not 0. */
int users_e164_valid(const char *s);

/* True for local@domain, both non-empty, no spaces or control characters. */
int users_email_valid(const char *s);

/* True for a locale like "en" or "en_US". */
int users_locale_valid(const char *s);

/* True for a username without spaces or control characters. */
int users_username_valid(const char *s);

/* Reads every query parameter of #146 into q (tenancy fields left ""),
 * refusing unknown ones and values past their limits (400 naming the
 * parameter). */
cm_err users_list_query_read(struct cm_req *rq, struct user_list_query *q);

#endif
