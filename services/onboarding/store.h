/* store.h: onboarding's SQL (tables in migrations/001_sign_up.sql): the
 * organization codes and the sign-up requests made with them. Nothing here
 * knows about NATS or HTTP. Usernames are compared lower-cased; times come
 * back as RFC 3339 UTC text. */
#ifndef ONBOARDING_STORE_H
#define ONBOARDING_STORE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "cm_err.h"
#include "cm_pg.h"
#include "codes.h"
#include "validate.h"

#define STORE_TIME_LEN 40

/* --- organization codes --- */

struct org_code {
    char id[CODE_ID_MAX + 1];
    char organization_id[37];
    char individual_group_id[37]; /* "" when none */
    char *enrollment_schema;      /* JSON text of an object, or NULL; owned */
    char expires_at[STORE_TIME_LEN]; /* "" when it never expires */
    int expired;                  /* expires_at is past */
    long sign_up_count;           /* sign-up requests made with it */
    char created_at[STORE_TIME_LEN];
    char occurred_at[STORE_TIME_LEN]; /* the statement's time (for events) */
};

/* Frees what c owns; c stays reusable. */
void store_code_release(struct org_code *c);

/* A new code, or the change to one. Strings are borrowed. */
struct code_fields {
    const char *id;
    const char *organization_id;     /* insert only */
    const char *created_by;          /* insert only */
    int set_expires_at;              /* update: change expires_at */
    const char *expires_at;          /* RFC 3339; NULL = never */
    int set_group;
    const char *individual_group_id; /* uuid; NULL = none */
    int set_schema;
    const char *enrollment_schema;   /* JSON text of an object; NULL = none */
};

/* Inserts f; the row as stored goes to *out (store_code_release it).
 * CM_ECONFLICT when the id exists, CM_EINVAL for a time Postgres refuses. */
cm_err store_code_insert(PGconn *pg, const struct code_fields *f, struct org_code *out);

/* Applies the set_* members of f to code f->id; the row after goes to
 * *out. CM_ENOTFOUND when there is no such code. */
cm_err store_code_update(PGconn *pg, const struct code_fields *f, struct org_code *out);

/* Code id into *out (store_code_release it). CM_ENOTFOUND when none. */
cm_err store_code_get(PGconn *pg, const char *id, struct org_code *out);

/* Calls fn for each code of organization_id ("" = every organization),
 * oldest first, skipping offset and at most limit; stops at fn's first
 * error and returns it. c is borrowed for the call. */
cm_err store_code_list(PGconn *pg, const char *organization_id, long limit, long offset,
                       cm_err (*fn)(void *ctx, const struct org_code *c), void *ctx);

/* --- sign-up requests --- */

/* A new sign-up request, recorded before identity is asked (step
 * "pending"). Strings are borrowed; "" for absent ones. */
struct sign_up_new {
    const char *user_id; /* the account's id, chosen here (identity creates it with it) */
    const char *username, *organization_code_id, *organization_id, *account_type;
    const char *email, *first_name, *last_name, *birth_date, *locale, *tz, *phone;
    const char *preferred_name, *gender;
    const char *enrollment_data;             /* JSON object text, or NULL */
    const char *notifications;               /* JSON array of strings text, or NULL */
    const char *service_document_agreements; /* JSON array of strings text, or NULL */
    const char *referral_code;
    int auto_sign_up;
    const char *channel, *recipient;         /* where codes go */
    const uint8_t *password_check;           /* CONFIRM_HASH_BYTES: codes_hash(password, user_id) */
};

/* How far a sign-up flow got (column step). */
enum sign_up_step { STEP_PENDING, STEP_ACCOUNT_CREATED, STEP_CODE_SENT };

/* A sign-up request as the flow and a confirmation need it. */
struct sign_up {
    char id[37];
    char user_id[37];
    char username[256];
    char organization_code_id[CODE_ID_MAX + 1];
    char organization_id[37];
    char account_type[64];
    char email[256], first_name[256], last_name[256], birth_date[16], locale[16], tz[65];
    char phone[32], preferred_name[256], gender[65];
    char channel[8];
    char recipient[321];
    enum sign_up_step step;
    double created_age_s;                 /* seconds since the request was recorded */
    int registered;                       /* state 'registered' */
    int has_password_check;
    uint8_t password_check[CONFIRM_HASH_BYTES];
    int has_code;                         /* a live code (not used, not invalidated) */
    uint8_t code_hash[CONFIRM_HASH_BYTES];
    int code_expired;
    int attempts;
};

/* Inserts n as a pending request; its id to *out_id. CM_ECONFLICT when the
 * username (or user id) has a request already. */
cm_err store_sign_up_insert(PGconn *pg, const struct sign_up_new *n, char out_id[37]);

/* The request of username (compared lower-cased), its row locked until the
 * transaction ends (call inside one). CM_ENOTFOUND when none. */
cm_err store_sign_up_lock(PGconn *pg, const char *username, struct sign_up *out);

/* As store_sign_up_lock, by request id. */
cm_err store_sign_up_lock_id(PGconn *pg, const char *id, struct sign_up *out);

/* Step pending → account_created for request id, with account_type; the
 * password check is dropped. The time to out_occurred_at. CM_ENOTFOUND
 * when the request is not pending (someone else moved it on). */
cm_err store_sign_up_account_created(PGconn *pg, const char *id, const char *account_type,
                                     char out_occurred_at[STORE_TIME_LEN]);

/* Step account_created → code_sent for request id (a no-op otherwise). */
cm_err store_sign_up_code_sent(PGconn *pg, const char *id);

/* Deletes request id when it is still pending (the account was refused or
 * never came). CM_ENOTFOUND otherwise. */
cm_err store_sign_up_undo(PGconn *pg, const char *id);

/* Claims the unfinished request (step pending or account_created, not
 * registered) idle longest, when idle more than idle_s: its step_at is set
 * to now, so no sweeper takes it again for idle_s. Its id to out_id;
 * CM_ENOTFOUND when there is none. */
cm_err store_sign_up_claim_unfinished(PGconn *pg, int idle_s, char out_id[37]);

/* Gives request id a new code (hash) valid for ttl_s seconds, with no
 * wrong attempts counted. */
cm_err store_sign_up_new_code(PGconn *pg, const char *id, const uint8_t hash[CONFIRM_HASH_BYTES],
                              int ttl_s);

/* Records a wrong code tried for username (sign_up_limits "wrong", whether
 * or not the username has a request) and counts it against request id
 * (NULL: none); at max_attempts that request's code is dropped. The same
 * statement runs either way, so that both take the same time. */
cm_err store_sign_up_wrong_code(PGconn *pg, const char *id, const char *username,
                                int max_attempts);

/* Marks request id registered (email verified when email_verified) and
 * drops its code; the time to out_occurred_at. */
cm_err store_sign_up_confirmed(PGconn *pg, const char *id, int email_verified,
                               char out_occurred_at[STORE_TIME_LEN]);

/* A person who signed up with a code, as onboarding knows them. */
struct code_user {
    char user_id[37];
    char organization_id[37];
    char username[256];
    char email[256];
    char first_name[256];
    char last_name[256];
    char birth_date[16];   /* "" when unknown */
    char locale[16];
    char tz[65];
    char phone[32];
    char state[16];        /* "init" | "registered" */
    int email_verified;
    int auto_sign_up;
    char created_at[STORE_TIME_LEN];
    char confirmed_at[STORE_TIME_LEN]; /* "" until confirmed */
};

/* Filters of store_code_users; "" / -1 mean "any". */
struct code_user_filter {
    const char *email;   /* equal, ignoring case */
    int email_verified;  /* 0, 1 or -1 */
    const char *state;
    const char *text;    /* in username, email, first or last name, ignoring case */
    long limit, offset;
};

/* Calls fn for each person who signed up with code_id and matches f,
 * oldest first; stops at fn's first error and returns it. */
cm_err store_code_users(PGconn *pg, const char *code_id, const struct code_user_filter *f,
                        cm_err (*fn)(void *ctx, const struct code_user *u), void *ctx);

/* Transactions: cm_pg_begin, cm_pg_end, cm_pg_rollback (cm_pg.h). */

#endif
