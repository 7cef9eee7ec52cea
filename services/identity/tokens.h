/* tokens.h: what a login hands out, shared by login, refresh-token,
 * switch-organization, confirm-forgot-password and identity.rpc.IssueTokens:
 * opaque refresh tokens (32 random bytes, base64url; stored only as their
 * BLAKE2b-256 hash), the signed access and id tokens (cm_token.h), and the
 * login response body (LoginInfo of the catalogue §5 plus the tokens).
 * Tokens are never logged. */
#ifndef IDENTITY_TOKENS_H
#define IDENTITY_TOKENS_H

#include <jansson.h>
#include <stdint.h>

#include "cm_err.h"
#include "signing_keys.h"
#include "store_auth.h"

#define REFRESH_TOKEN_BYTES 32
#define REFRESH_TOKEN_LEN 43   /* base64url of 32 bytes, no padding */
#define REFRESH_TOKEN_MAX 2048 /* longest refresh-token the API accepts (#111) */

/* A new refresh token (text) and the hash it is stored under. */
void tokens_refresh_new(char token[REFRESH_TOKEN_LEN + 1], uint8_t hash[STORE_HASH_BYTES]);

/* The stored hash of a refresh token (or any secret text): BLAKE2b-256. */
void tokens_hash(const char *text, uint8_t hash[STORE_HASH_BYTES]);

/* LoginInfo of session r: email, first-name, last-name, locale,
 * locale-explicit, multi-organization, organizations, organization-id (the
 * session's, null when none), session-id, tz, tz-explicit, user-id,
 * username, individual (null: individuals are authz's) and impersonated-by
 * (null unless impersonated). A new object; NULL when r's JSON columns are
 * malformed. */
json_t *tokens_login_info(const struct login_rec *r);

/* The login response of session r at unix time now: LoginInfo plus
 * access-token, id-token, refresh-token (when refresh_token is not NULL),
 * expires-in (seconds the access token lives: the session's access TTL,
 * never past the session's end), token-type "Bearer" and redirect-url
 * null. The tokens carry the role names of r (in the session's
 * organization) plus "platform-admin" for a platform administrator. On
 * CM_OK *out is a new object; CM_EINTERNAL when signing fails or r is
 * malformed. */
cm_err tokens_response(const struct signing_key *key, const struct login_rec *r,
                       const char *refresh_token, int64_t now, json_t **out);

/* An access token of session r at unix time now with the members of extra
 * (may be NULL; cm_token_sign ignores those named like a standard claim);
 * its expiry to *exp_out. A new string (caller frees); NULL when signing
 * fails. */
char *tokens_access(const struct signing_key *key, const struct login_rec *r, const json_t *extra,
                    int64_t now, int64_t *exp_out);

/* Starts session sn (store_session_create) with a new refresh token and
 * builds its login response into *out, signed with key (borrowed; the one
 * in identity's state, identity_state.h). Call inside the caller's
 * transaction; errors as store_session_create's. */
cm_err tokens_issue(const struct signing_key *key, PGconn *pg, const struct session_new *sn,
                    json_t **out);

#endif
