/* cm_token.h: the access and id tokens identity signs and the edge verifies
 * (DESIGN.md §6): compact JWTs signed with Ed25519 ("alg": "EdDSA").
 *
 *   base64url({"alg":"EdDSA","typ":"JWT","kid":"<key id>"}) "."
 *   base64url({"typ":"access","sub":"<user id>","sid":"<session id>",
 *              "org":"<organization id>","roles":["admin",...],"imp":"<impersonator>",
 *              "iat":<unix s>,"exp":<unix s>,"gen":<n>, ...extra}) "."
 *   base64url(Ed25519 signature of the first two parts, as ASCII)
 *
 * base64url has no padding. "typ" is "access" for access tokens (the only
 * kind the edge accepts) and "id" for id tokens (identity facts for the
 * client, never accepted as credentials). roles are the role names the user
 * holds in "org", plus "platform-admin" for a platform administrator. gen
 * is the user's token generation when the token was issued: the edge
 * refuses a user's tokens below the generation of their latest revocation
 * (a token without "gen" is generation 0). */
#ifndef CM_TOKEN_H
#define CM_TOKEN_H

#include <jansson.h>
#include <stdint.h>

#include "cm_err.h"

#define CM_TOKEN_MAX_LEN 4096
#define CM_TOKEN_MAX_ROLES 16
#define CM_TOKEN_KID_MAX 32
#define CM_TOKEN_PK_BYTES 32 /* crypto_sign_PUBLICKEYBYTES */
#define CM_TOKEN_SK_BYTES 64 /* crypto_sign_SECRETKEYBYTES */

struct cm_token_claims {
    char typ[8];  /* "access" | "id" */
    char sub[40]; /* user id (uuid) */
    char sid[40]; /* session id (uuid) */
    char org[40]; /* current organization; "" when none */
    char imp[40]; /* impersonating user's id; "" when none */
    char roles[CM_TOKEN_MAX_ROLES][64];
    int nroles;
    int64_t iat; /* issued at, unix seconds */
    int64_t exp; /* expires at, unix seconds */
    int64_t gen; /* the user's token generation at issue; 0 when absent */
};

/* Signs claims (plus the members of extra, which may be NULL and is only
 * read; members named like a standard claim are ignored) with the Ed25519
 * secret key sk under key id kid. Returns the token as a new string (caller
 * frees), or NULL when the claims cannot be encoded. */
char *cm_token_sign(const struct cm_token_claims *claims, const json_t *extra, const char *kid,
                    const unsigned char sk[CM_TOKEN_SK_BYTES]);

/* Copies the key id of token's header into kid (CM_TOKEN_KID_MAX bytes).
 * CM_EUNAUTH when the token is not a well-formed EdDSA JWT. */
cm_err cm_token_kid(const char *token, char *kid);

/* Verifies token's signature with public key pk, then decodes its claims
 * into *out and checks now < exp and iat <= now + 60 (clock skew). Any
 * failure is CM_EUNAUTH (malformed, wrong key, tampered, expired); *out is
 * written only on CM_OK. Does not check typ: callers do. */
cm_err cm_token_verify(const char *token, const unsigned char pk[CM_TOKEN_PK_BYTES], int64_t now,
                       struct cm_token_claims *out);

#endif
