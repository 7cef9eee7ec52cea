/* store_oauth2.h: SQL of OAuth2 / OpenID Connect sign-in (migration
 * 012_sso.sql): oauth2-client-settings, launches in progress, provider
 * subject links and the one-time codes of #67. Secrets go in as hashes
 * (hex of tokens_hash) except the provider's client secret, which the
 * suite must present to the provider. All parameterized. */
#ifndef IDENTITY_STORE_OAUTH2_H
#define IDENTITY_STORE_OAUTH2_H

#include <libpq-fe.h>

#include "cm_err.h"

#define OAUTH2_JSON_MAX 8192 /* redirect-uris or scopes as JSON text */
#define OAUTH2_URL_MAX 1025

/* One oauth2-client-settings row. */
struct oauth2_client_rec {
    char id[40], organization_id[40], name[1024], client_id[64], grant_type[32];
    char created[40], modified[40];
    char redirect_uris[OAUTH2_JSON_MAX]; /* JSON array text */
    char scopes[OAUTH2_JSON_MAX];        /* JSON array text */
    char issuer[OAUTH2_URL_MAX];         /* "" when none */
    char provider_client_id[256], provider_client_secret[256], account_policy[16];
};

/* Fields of a create or a patch; NULL = not given (patch) / default (create).
 * redirect_uris and scopes are JSON arrays of strings (text). */
struct oauth2_client_in {
    const char *organization_id, *name, *redirect_uris, *scopes, *issuer;
    const char *provider_client_id, *provider_client_secret, *account_policy;
    int clear_issuer; /* patch: issuer null given */
};

/* Inserts a client with client_id and secret_hash; the row to *out (caller
 * frees). CM_ECONFLICT when issuer is taken, CM_ENOTFOUND for an unknown
 * organization. */
cm_err store_oauth2_client_create(PGconn *pg, const struct oauth2_client_in *in,
                                  const char *client_id, const char *secret_hash,
                                  struct oauth2_client_rec **out);

/* The client by id (or, by_client_id, by its client-id; by_issuer, by its
 * issuer) to *out (caller frees); CM_ENOTFOUND when none. */
cm_err store_oauth2_client_get(PGconn *pg, const char *id, struct oauth2_client_rec **out);
cm_err store_oauth2_client_by_client_id(PGconn *pg, const char *client_id, const char *secret_hash,
                                        struct oauth2_client_rec **out);
cm_err store_oauth2_client_by_issuer(PGconn *pg, const char *issuer,
                                     struct oauth2_client_rec **out);

/* The clients of org (name filter when not ""), by name then id, one page:
 * *out an array of *n records (caller frees). */
cm_err store_oauth2_client_list(PGconn *pg, const char *org, const char *name, long limit,
                                long offset, struct oauth2_client_rec **out, int *n);

/* Applies in to client id; the row to *out (caller frees). */
cm_err store_oauth2_client_patch(PGconn *pg, const char *id, const struct oauth2_client_in *in,
                                 struct oauth2_client_rec **out);

/* Replaces the secret hash of client id; the row to *out. */
cm_err store_oauth2_client_reset(PGconn *pg, const char *id, const char *secret_hash,
                                 struct oauth2_client_rec **out);

/* A launch in progress: state (uuid) to state (40 bytes); lives ttl_s. */
cm_err store_oidc_flow_start(PGconn *pg, const char *client, const char *nonce,
                             const char *verifier, const char *redirect_uri, const char *launch,
                             int ttl_s, char *state);

/* A launch taken (deleted, so used once) by state, unexpired. */
struct oidc_flow_rec {
    char client[40], nonce[128], verifier[128], redirect_uri[OAUTH2_URL_MAX + 64],
        launch[1025];
};
cm_err store_oidc_flow_take(PGconn *pg, const char *state, struct oidc_flow_rec *out);

/* The user linked to (issuer, subject) to user_id (40 bytes), when that
 * user is still a member of org; CM_ENOTFOUND otherwise. */
cm_err store_oidc_link_user(PGconn *pg, const char *issuer, const char *subject, const char *org,
                            char *user_id);

/* The member of org whose email (case-insensitive) is email and verified,
 * to user_id; CM_ENOTFOUND when none, CM_ECONFLICT when several. */
cm_err store_oidc_member_by_email(PGconn *pg, const char *org, const char *email, char *user_id);

/* Links (issuer, subject) to user_id (replacing a former link). */
cm_err store_oidc_link(PGconn *pg, const char *issuer, const char *subject, const char *user_id);

/* A one-time code (its hash) for user_id through client, valid ttl_s. */
cm_err store_oauth2_code_add(PGconn *pg, const char *code_hash, const char *client,
                             const char *user_id, int ttl_s);

/* Takes (deletes) an unexpired code of client: its user to user_id (40
 * bytes); CM_ENOTFOUND when unknown, used, expired or another client's. */
cm_err store_oauth2_code_take(PGconn *pg, const char *code_hash, const char *client,
                              char *user_id);

#endif
