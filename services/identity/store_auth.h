/* store_auth.h: identity's SQL for authentication: signing keys, the users
 * as login sees them, sessions and their rotating refresh tokens, user
 * activities and failed-login attempts (reset codes: store_codes.h). All
 * parameterized; nothing here knows about NATS, HTTP or tokens. Usernames
 * are lower-cased in SQL (lower($n)), the way they are stored. */
#ifndef IDENTITY_STORE_AUTH_H
#define IDENTITY_STORE_AUTH_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"
#include "password_hash.h"

#define STORE_HASH_BYTES 32 /* BLAKE2b-256 of refresh tokens and reset codes */

/* --- signing keys --- */

/* Under a transaction-level advisory lock (its own transaction): the seed
 * of the newest unretired signing key into seed_out; when there is none,
 * new_seed is stored under new_kid first and returned. */
cm_err store_signing_key_ensure(PGconn *pg, const unsigned char new_seed[32], const char *new_kid,
                                unsigned char seed_out[32]);

/* The 32-byte seeds of every unretired key, newest first, into *out (an
 * array of *out_n seeds, caller wipes and frees; rows of another length are
 * left out). Retried once on a lost connection (cm_pg_exec_params). */
cm_err store_signing_seeds(PGconn *pg, unsigned char (**out)[32], size_t *out_n);

/* --- users, as login sees them --- */

struct auth_user {
    char id[40];
    char email[256];
    char password_hash[PW_HASH_MAX]; /* "" when the user has no password */
    int enabled;
    int registered;
    int64_t token_gen; /* users.token_gen (revoke.h) */
};

/* The user whose username is lower(username). CM_ENOTFOUND when none. */
cm_err store_auth_user_by_name(PGconn *pg, const char *username, struct auth_user *out);

/* The same by id (a uuid). CM_ENOTFOUND when none. */
cm_err store_auth_user_by_id(PGconn *pg, const char *id, struct auth_user *out);

/* --- the bootstrap platform admin --- */

/* Call inside a transaction. Creates the platform admin lower(email)
 * (email as given, registered, email verified, enabled, no organization)
 * with password hash unless that username exists; the existing row is
 * then locked. Its id to id (40 bytes), whether it was created to
 * *created, its stored password hash to stored_hash (PW_HASH_MAX bytes,
 * "" when none). */
cm_err store_admin_upsert(PGconn *pg, const char *email, const char *hash, char *id,
                          int *created, char *stored_hash);

/* Makes user id a registered, verified, enabled platform admin and, when
 * hash is not NULL, sets its password hash; *changed says whether anything
 * was written. */
cm_err store_admin_fix(PGconn *pg, const char *id, const char *hash, int *changed);

/* --- sessions --- */

/* Everything the login response and the tokens need about one session and
 * its user, as the functions below read it. Strings are "" for SQL NULL and
 * live in mem (release with store_login_free; a zeroed record is empty). */
struct login_rec {
    const char *session_id;
    const char *organization_id; /* the session's organization, "" none */
    const char *impersonator_id;
    const char *impersonator_email;
    const char *impersonator_session_id; /* the impersonator's own session, "" none */
    const char *user_id;
    const char *username;
    const char *email;
    const char *first_name;
    const char *last_name;
    const char *locale;
    const char *tz;
    const char *organizations; /* JSON array text of the user's organization ids */
    const char *roles;         /* JSON array text of role names in organization_id */
    const char *expiration_time; /* the session's end, RFC 3339 UTC */
    int locale_explicit;
    int tz_explicit;
    int is_platform_admin;
    int interactive;
    int revoked;
    int access_ttl_s;
    int64_t expires_at; /* the session's end, unix seconds */
    /* the user's token generation, read in the same statement as the
     * roles: the tokens carry it (claim "gen"), and the edge refuses those
     * below the generation of the user's latest revocation */
    int64_t token_gen;
    char *mem; /* the block the strings point into */
};

/* Frees r's strings and zeroes r. */
void store_login_free(struct login_rec *r);

/* What a new session is. */
struct session_new {
    const char *user_id;
    const char *organization_id; /* NULL: the default organization when still a
                                  * member of it, else the first membership, else
                                  * none; else an organization the user belongs to */
    const char *impersonator_id; /* NULL: none */
    const char *impersonator_session_id; /* NULL: none (the impersonator's session) */
    int interactive;
    int access_ttl_s;
    int64_t expires_at;      /* 0: now + refresh_ttl_s */
    int refresh_ttl_s;
    const char *activity;    /* "login" records a login (activity, last_login_time,
                              * failed attempts cleared); NULL records nothing */
    const char *locale;      /* NULL, or the locale to keep when not explicit */
    int64_t expect_gen;      /* 0, or the user's token generation when the caller
                              * checked its credentials: a revocation since then
                              * (the generation moved) voids the new session */
};

/* Creates the session with its first refresh token (token_hash) and,
 * for activity "login", the login's records. Call inside a transaction. On
 * CM_OK *out holds the session (caller store_login_free).
 * CM_ENOTFOUND when the user or the organization is gone, the user is
 * disabled, its token generation is not sn->expect_gen (when set), or it is
 * not a member of the organization asked for: all checked in the statement
 * that reads the roles and the token generation, so a revocation or a
 * membership removed meanwhile cannot slip through. */
cm_err store_session_create(PGconn *pg, const struct session_new *sn,
                            const uint8_t token_hash[STORE_HASH_BYTES], struct login_rec *out);

/* Rotates refresh token old_hash in one statement: when it is unused,
 * unexpired, its session unrevoked, its user enabled and still a member of
 * the session's organization (if any), it is marked used,
 * new_hash is stored for the same session (same end), a 'refr' activity is
 * recorded, and *out holds the session (caller store_login_free).
 * CM_ENOTFOUND when any condition fails (nothing written): then
 * store_refresh_diagnose tells why. */
cm_err store_refresh_rotate(PGconn *pg, const uint8_t old_hash[STORE_HASH_BYTES],
                            const uint8_t new_hash[STORE_HASH_BYTES], struct login_rec *out);

/* Why a refresh token does not rotate. */
enum refresh_state {
    REFRESH_UNKNOWN = 0,   /* no such token */
    REFRESH_REUSED,        /* already used: the session must be revoked */
    REFRESH_EXPIRED,
    REFRESH_REVOKED,       /* its session is revoked, or its organization lost */
    REFRESH_DISABLED,      /* its user is disabled */
    REFRESH_VALID,         /* rotatable (a concurrent rotation lost the race) */
};

/* Reads token hash's state, locking its session row (call inside a
 * transaction); its session and user ids into session_id and user_id (40
 * bytes each, "" when unknown). */
cm_err store_refresh_diagnose(PGconn *pg, const uint8_t hash[STORE_HASH_BYTES],
                              enum refresh_state *state, char *session_id, char *user_id);

/* Revokes session id with reason unless it already is; *revoked says
 * whether this call did, *at is the moment (unix seconds). */
cm_err store_session_revoke(PGconn *pg, const char *id, const char *reason, int *revoked,
                            int64_t *at);

/* Which sessions of a user a revocation ends (revoke.h). */
enum revoke_sessions {
    REVOKE_SESSIONS_NONE,   /* none: tokens only, a refresh issues new ones */
    REVOKE_SESSIONS_ALL,    /* every session: the user logs in again */
    REVOKE_SESSIONS_OF_ORG, /* the sessions whose organization is org */
};

/* Raises user_id's token generation by one and revokes its unrevoked
 * sessions that scope names (org used by REVOKE_SESSIONS_OF_ORG only) with
 * reason, in one statement. The new generation goes to *gen, the moment
 * (unix seconds, the transaction's now()) to *at. CM_ENOTFOUND when the
 * user does not exist. */
cm_err store_user_tokens_cut(PGconn *pg, const char *user_id, const char *reason,
                             enum revoke_sessions scope, const char *org, int64_t *gen,
                             int64_t *at);

/* Session id (a uuid) with its login facts, revoked or not, to *out
 * (caller store_login_free). CM_ENOTFOUND when there is none. */
cm_err store_session_get(PGconn *pg, const char *id, struct login_rec *out);

/* --- organizations --- */

/* CM_OK when user_id is a member of organization_id, CM_ENOTFOUND if not. */
cm_err store_membership_check(PGconn *pg, const char *user_id, const char *organization_id);

/* Sets the user's default organization. */
cm_err store_default_org_set(PGconn *pg, const char *user_id, const char *organization_id);

/* --- user activities --- */

/* A query of GET /v1/user-activities/ (#135). "" / 0 = no condition. */
struct activity_query {
    char user_id[40];       /* only this user */
    char member_of[40];     /* only users of this organization */
    char event_types[64];   /* Postgres array literal "{login,refr}" or "" */
    int exclude_carium;
    char gt[40], ge[40], lt[40], le[40]; /* RFC 3339 bounds */
    long limit, offset;
};

/* One user activity ("" for SQL NULL; timestamp RFC 3339 UTC). */
struct activity_rec {
    const char *id;
    const char *user_id;
    const char *event_type;
    const char *timestamp;
    const char *impersonator_id; /* who impersonated the user then ("" none) */
    const char *session_id;      /* the session it happened in ("" unknown) */
    int carium_employee;
};

/* Activities read (release with store_activity_list_free; zeroed is empty). */
struct activity_list {
    size_t n;
    struct activity_rec *items;
    char *mem;
};

void store_activity_list_free(struct activity_list *l);

/* The page of activities, newest first. */
cm_err store_activities_list(PGconn *pg, const struct activity_query *q,
                             struct activity_list *out);

/* --- failed logins --- */

struct attempts {
    int failures;         /* 0 when no row */
    double since_last_s;  /* seconds since the last failure */
    double locked_for_s;  /* seconds the lock still lasts; <= 0 when none */
};

/* The failed-login record of lower(username). */
cm_err store_attempts_get(PGconn *pg, const char *username, struct attempts *out);

/* Records one failure of lower(username): failures older than forget_s
 * are forgotten first; reaching lock_after locks it for lock_s. The new
 * count goes to *failures. */
cm_err store_attempts_fail(PGconn *pg, const char *username, int forget_s, int lock_after,
                           int lock_s, int *failures);

/* Forgets the failures (and lock) of lower(username). */
cm_err store_attempts_clear(PGconn *pg, const char *username);

/* Password-reset codes: store_codes.h. */

#endif
