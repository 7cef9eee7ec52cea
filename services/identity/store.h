/* store.h: identity's SQL. Nothing here knows about NATS or HTTP. */
#ifndef IDENTITY_STORE_H
#define IDENTITY_STORE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "cm_err.h"
#include "cm_pg.h"

#define STORE_TIME_LEN 32 /* "YYYY-MM-DDTHH:MM:SS.ffffffZ" + NUL */

/* SQL rendering a timestamptz expression as RFC 3339 UTC with microseconds. */
#define STORE_TS(expr)                                                                             \
    "to_char((" expr ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#define API_KEY_HASH_BYTES 32
#define API_CLIENT_MAX_ROLES 16  /* as many as an access token carries */
#define API_CLIENT_ROLE_CHARS 64 /* longest role name an API client may hold */

/* An active API client, as authentication needs it. */
struct api_client {
    char id[40];              /* uuid */
    char api_user_id[129];
    char organization_id[40]; /* "" when none */
    uint8_t key_hash[API_KEY_HASH_BYTES];
    char roles[API_CLIENT_MAX_ROLES][API_CLIENT_ROLE_CHARS * 4 + 1]; /* role names */
    int nroles;
};

/* Hash under which an API key is stored (BLAKE2b-256). */
void store_api_key_hash(const char *key, uint8_t out[API_KEY_HASH_BYTES]);

/* Active (not revoked) API client by its API user id. CM_ENOTFOUND if none. */
cm_err store_api_client_by_user(PGconn *pg, const char *api_user_id, struct api_client *out);

/* Active API client by key hash. CM_ENOTFOUND if none. */
cm_err store_api_client_by_hash(PGconn *pg, const uint8_t hash[API_KEY_HASH_BYTES],
                                struct api_client *out);

/* One API client as the API shows it; strings owned by the list holding
 * the record ("" for SQL NULL). Times RFC 3339 UTC. */
struct api_client_rec {
    const char *id;
    const char *api_user_id;
    const char *name;
    const char *organization_id;
    const char *roles; /* JSON array text of role names */
    const char *created_at;
    const char *revoked_at; /* "" while active */
    const char *created_by; /* user or API client id, "" when unknown */
    const char *occurred_at; /* the transaction's now(), for events */
};

/* API clients read (release with store_api_client_list_free; a zeroed list
 * is empty). The functions returning one client put it in items[0]. */
struct api_client_list {
    size_t n;
    struct api_client_rec *items;
    char *mem;
};

void store_api_client_list_free(struct api_client_list *l);

/* A new API client: every string given (roles_json a JSON array of role
 * names; created_by may be ""). */
struct api_client_new {
    const char *api_user_id;
    const uint8_t *key_hash; /* API_KEY_HASH_BYTES */
    const char *name;
    const char *organization_id;
    const char *roles_json;
    const char *created_by;
};

/* Inserts c, refusing (CM_ECONFLICT) when an active client of the same
 * organization already has its name; the new one to *out.
 * Call inside a transaction: the name check holds a transaction-level
 * advisory lock on the organization. */
cm_err store_api_client_create(PGconn *pg, const struct api_client_new *c,
                               struct api_client_list *out);

/* API client id (a uuid), when org is "" or its organization, to *out.
 * CM_ENOTFOUND otherwise. */
cm_err store_api_client_get(PGconn *pg, const char *id, const char *org,
                            struct api_client_list *out);

/* A parsed list request: scope_org limits to one organization ("" for all,
 * the platform admin), filter_org too ("" when not given). */
struct api_client_query {
    char scope_org[40];
    char filter_org[40];
    int include_revoked;
    long limit;
    long offset;
};

/* The matching API clients, newest first. */
cm_err store_api_clients_list(PGconn *pg, const struct api_client_query *q,
                              struct api_client_list *out);

/* Gives active API client id the key whose hash is hash; it to *out.
 * CM_ENOTFOUND when there is no such client, CM_ECONFLICT when it is
 * revoked. */
cm_err store_api_client_set_key(PGconn *pg, const char *id, const uint8_t hash[API_KEY_HASH_BYTES],
                                struct api_client_list *out);

/* Revokes API client id (*changed 0 when it already was); it to *out.
 * CM_ENOTFOUND when there is none. */
cm_err store_api_client_revoke(PGconn *pg, const char *id, int *changed,
                               struct api_client_list *out);

/* What store_api_client_upsert changed. */
enum api_client_change {
    API_CLIENT_UNCHANGED = 0, /* same key, not revoked: nothing written */
    API_CLIENT_CREATED,       /* a new API user */
    API_CLIENT_KEY_ROTATED,   /* an existing API user got a different key */
    API_CLIENT_RESTORED,      /* a revoked API user was un-revoked with its key */
};

struct api_client_upsert {
    enum api_client_change change;
    char id[40];          /* api_clients.id; "" when unchanged */
    char occurred_at[40]; /* RFC 3339 UTC time of the change; "" when unchanged */
};

/* Creates api_user_id with key, or gives the existing one this key and
 * un-revokes it; writes nothing when it already has this key and is active.
 * Call inside a transaction (cm_pg_begin): the existing row is locked
 * until commit, so that the caller's event matches what was written. What
 * changed goes to *out on CM_OK. */
cm_err store_api_client_upsert(PGconn *pg, const char *api_user_id, const char *key,
                               const char *name, struct api_client_upsert *out);

/* Takes a row that may be used once: sql is a DELETE of it with n
 * parameters v, RETURNING column and a boolean "ok" (still valid, and the
 * caller's). column into out (cap bytes) when the row existed and ok;
 * CM_ENOTFOUND when it did not, or was expired or another's (spent all the
 * same). The SSO stores' one-time states and codes (store_saml.c,
 * store_oauth2.c). */
cm_err store_take_once(PGconn *pg, const char *sql, int n, const char *const *v,
                       const char *column, char *out, size_t cap);

/* Helpers of every store_*.c: cm_pg_opt, cm_pg_col, cm_pg_command,
 * cm_pg_one_row (cm_pg.h); events are stamped by cm_outbox_add_now. */

#endif
