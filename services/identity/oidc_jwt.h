/* oidc_jwt.h: verification of an OpenID Connect ID token (a compact JWS)
 * against the provider's JWKS with OpenSSL: RS256 and ES256 signatures, the
 * key named by "kid", then iss, aud (and azp), exp, iat and nonce. Pure:
 * no I/O, the JWKS is given. Tokens and claims are never logged. */
#ifndef IDENTITY_OIDC_JWT_H
#define IDENTITY_OIDC_JWT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

#define OIDC_JWT_MAX 16384   /* longest ID token accepted */
#define OIDC_CLOCK_SKEW_S 60 /* leeway on exp and iat */

/* What identity takes from a verified ID token. */
struct oidc_claims {
    char sub[256];
    char email[256]; /* "" when absent */
    int email_verified;
    char given_name[256], family_name[256];
};

/* Verifies token against jwks ({"keys": [...]}) for a provider issuer and
 * a client client_id, with the nonce of the launch, at unix time now. On
 * CM_OK *out holds the claims. CM_EUNAUTH when anything is wrong (a
 * malformed token, an unknown key, an algorithm other than RS256 and
 * ES256, a bad signature, another issuer or audience, an expired or future
 * token, another nonce, no subject): the reason, safe to show, goes to
 * detail (cap bytes). */
cm_err oidc_id_token_verify(const char *token, const json_t *jwks, const char *issuer,
                            const char *client_id, const char *nonce, int64_t now,
                            struct oidc_claims *out, char *detail, size_t cap);

#endif
