/* store_users.h: identity's SQL for users and accounts: reading users with
 * their organizations, roles and login lock, the filtered list of #146,
 * updates, passwords, enable/disable with session revocation, and the
 * accounts onboarding creates and confirms. All parameterized; nothing here
 * knows about NATS or HTTP. Writes that go with an event are meant to run
 * inside the caller's transaction (cm_pg_begin, store.h). */
#ifndef IDENTITY_STORE_USERS_H
#define IDENTITY_STORE_USERS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"
#include "cm_pg_pipe.h"
#include "password_hash.h"
#include "user_json.h"

/* --- reading --- */

/* What the access rules need to know about one user. */
struct user_target {
    char username[1024];
    int is_platform_admin;
    int enabled;
    int in_org;                  /* member of the organization asked about */
    int foreign_orgs;            /* its organizations the caller does not administer */
    char password_hash[PW_HASH_MAX]; /* "" when the user has no password */
};

/* Loads user id (a uuid) into out; in_org tells whether the user belongs to
 * org (a uuid, or "" for none: in_org 0). foreign_orgs counts the user's
 * organizations other than org in which caller_id (a user's uuid, or "" /
 * NULL for none) does not hold the role "admin": the organizations whose
 * admins an organization admin of org would be acting over. CM_ENOTFOUND
 * when there is none. */
cm_err store_user_target(PGconn *pg, const char *id, const char *org, const char *caller_id,
                         struct user_target *out);

/* Who a user is to the tenancy rules, read with the user by
 * store_user_select. */
struct user_tenancy {
    int in_org;            /* member of the organization asked about */
    int is_platform_admin;
};

/* Users as records: items[0..n) point into mem; store_user_list_free
 * frees both. */
struct user_list {
    size_t n;
    struct user_rec *items;
    char *mem;
};

void store_user_list_free(struct user_list *l);

/* One user with everything user_json needs, as a one-record list (caller
 * store_user_list_free), and in the same statement (one round trip) the
 * tenancy facts of user id: in_org tells whether the user belongs to org (a
 * uuid, or "" for none: in_org 0); they go to *out_tenancy unless it is
 * NULL. role_org, when not "", narrows the roles to that organization.
 * CM_ENOTFOUND when there is no such user (nothing written). The record is
 * the user's data whoever asks: the caller decides from the tenancy facts
 * whether it may be shown. */
cm_err store_user_select(PGconn *pg, const char *id, const char *org, const char *role_org,
                         struct user_list *out, struct user_tenancy *out_tenancy);

/* A user and its tenancy facts, as read by store_user_select_stmt's
 * statement (release list with store_user_list_free). */
struct user_read {
    struct user_list list;     /* one record on CM_OK */
    struct user_tenancy tenancy;
};

/* store_user_select as a statement to run later, alone or in a pipeline
 * (cm_pg_pipe.h): on success the user lands in *out; its outcome is
 * CM_ENOTFOUND when there is no such user. id, org and role_org are
 * borrowed and must stay valid until it ran. */
void store_user_select_stmt(struct cm_pg_stmt *st, const char *id, const char *org,
                            const char *role_org, struct user_read *out);

#define USER_TEXT_COLS 21
#define USER_FLAG_COLS 6

/* Copies the user rows of res (a result of USER_COLUMNS, columns found by
 * name in any order; absent ones and SQL NULLs read as "" and false) into
 * *out (caller store_user_list_free). Pure. */
void store_user_records(const PGresult *res, struct user_list *out);

/* --- the list (#146) --- */

/* sort-by of #146; each sorts ties by id. */
enum user_sort {
    USER_SORT_LAST_NAME = 0, /* the default */
    USER_SORT_LAST_NAME_DESC,
    USER_SORT_FIRST_NAME,
    USER_SORT_FIRST_NAME_DESC,
    USER_SORT_EMAIL,
    USER_SORT_EMAIL_DESC,
    USER_SORT_ID,
    USER_SORT_ID_DESC,
    USER_SORT__COUNT
};

/* A tri-state boolean filter. */
enum user_tri { USER_ANY = -1, USER_FALSE = 0, USER_TRUE = 1 };

#define USER_TIME_LEN 32 /* "YYYY-MM-DDTHH:MM:SS.ffffffZ" + NUL */

/* A parsed list request. Strings are "" when not given; text values are
 * NUL-terminated and bounded by the readers. */
struct user_list_query {
    char only_user[40];     /* tenancy: only this user ("" any) */
    char organization[40];  /* members of this organization ("" any) */
    char email[1024];
    char classification[64];
    char modified_before[USER_TIME_LEN]; /* last-modified-time < this */
    char modified_after[USER_TIME_LEN];  /* last-modified-time > this */
    int email_verified;     /* enum user_tri */
    int enabled;            /* enum user_tri; include-inactive folded in */
    int include_participants;
    int include_tester;     /* enum user_tri */
    int include_unverified;
    int organization_admin;
    char phone[128];
    char primary_individual_ids[2048]; /* Postgres array literal "{...}" or "" */
    char registration_invite[64];      /* Postgres array literal "{...}" or "" */
    char username[1024];
    char shared_with[40];
    char text[1024];
    enum user_sort sort;
    long limit;
    long offset;
};

/* The users matching q, in q->sort order, one page (caller
 * store_user_list_free). */
cm_err store_users_list(PGconn *pg, const struct user_list_query *q, struct user_list *out);

/* --- writing --- */

/* Attributes of PATCH #148; NULL = not given. */
struct user_patch {
    const char *classification;
    const char *comm_prefs; /* JSON object text, merged over the stored one */
    const char *default_org;
    const char *email;      /* a change marks the email unverified */
    const char *first_name;
    const char *last_name;
    const char *locale;     /* sets locale_explicit */
    const char *phone;      /* a change marks the phone unverified */
    const char *tz;         /* sets tz_explicit */
    const char *username;   /* lower-cased here */
};

/* Applies p to user id and bumps last_modified_time. CM_ECONFLICT when the
 * new username is taken, CM_EINVAL when default_org is not one of the
 * user's organizations, CM_ENOTFOUND when the user is gone. */
cm_err store_user_patch(PGconn *pg, const char *id, const struct user_patch *p);

/* Sets the password hash (argon2id string). */
cm_err store_user_set_password(PGconn *pg, const char *id, const char *hash);

/* Sets phone (E.164) and marks it verified. */
cm_err store_user_confirm_phone(PGconn *pg, const char *id, const char *phone);

/* Sets users.enabled. Enabling also clears the login failures and lock of
 * the user's username. */
cm_err store_user_set_enabled(PGconn *pg, const char *id, int enabled);

/* Facts of a user for its UserChanged event ("" for SQL NULL). */
struct user_facts_rec {
    const char *username;
    const char *email;
    const char *first_name;
    const char *last_name;
    const char *organization_ids; /* a JSON array of uuids */
    const char *occurred_at;      /* RFC 3339 UTC, the transaction's now() */
    int enabled;
};

/* Where a user_facts_rec lives (release with store_user_facts_free). */
struct user_facts {
    size_t n;
    struct user_facts_rec *items;
    char *mem;
};

void store_user_facts_free(struct user_facts *f);

/* The facts of user_id into out->items[0]. CM_ENOTFOUND when there is none
 * (out then empty). */
cm_err store_user_facts(PGconn *pg, const char *user_id, struct user_facts *out);

/* --- accounts (identity.rpc.CreateAccount / ConfirmAccount) --- */

/* CM_OK when tz is a time zone Postgres knows, CM_EINVAL otherwise. Run it
 * outside a transaction (a refusal is an SQL error). */
cm_err store_tz_valid(PGconn *pg, const char *tz);

/* The role named role of organization org: its id to role_id (40 bytes).
 * CM_ENOTFOUND when the organization does not exist, CM_EINVAL when it has
 * no such role. */
cm_err store_org_role(PGconn *pg, const char *org, const char *role, char *role_id);

struct account_new {
    const char *username, *password_hash, *email, *first_name, *last_name, *phone, *locale,
        *tz, *organization_id, *role_id, *birth_date, *preferred_name, *gender;
    const char *id; /* the new user's id (a uuid), or NULL / "" for a generated one */
};

/* Inserts an unconfirmed user (registered false) who is a member of
 * a->organization_id (also their default) with role a->role_id, with id
 * a->id when given; the new id to user_id (40 bytes). CM_ECONFLICT when the
 * username (or the id) is taken, CM_EINVAL
 * for a birth date Postgres refuses. */
cm_err store_account_create(PGconn *pg, const struct account_new *a, char *user_id);

/* Marks user_id registered and its email verified (registration time
 * set, a 'sreg' user activity recorded, tz set when not "") unless it
 * already is: *changed says whether it was. The name of the user's first
 * role in their default organization goes to account_type (256 bytes, ""
 * when none). CM_ENOTFOUND when there is no such user. */
cm_err store_account_confirm(PGconn *pg, const char *user_id, const char *tz, int *changed,
                             char *account_type);

/* The account user_id, if any: its username to username (256 bytes) and the
 * name of its first role in its default organization to account_type (256
 * bytes, "" when none). CM_ENOTFOUND when there is no such user (idempotent
 * identity.rpc.CreateAccount). */
cm_err store_account_by_id(PGconn *pg, const char *user_id, char *username, char *account_type);

#endif
