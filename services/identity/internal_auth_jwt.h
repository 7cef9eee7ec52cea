/* internal_auth_jwt.h: verifying a Kubernetes projected service-account
 * token (a JWT signed RS256 or ES256 by the cluster) against a configured
 * JWKS with OpenSSL, for internal-auth (#53, #158). Pure apart from
 * OpenSSL: no I/O; unit-tested with keys the test makes.
 *
 * Checked: the header's alg is RS256 or ES256 (never "none" or an HMAC);
 * the key is the JWKS entry named by the header's kid (or the only key of
 * the right type when the token names none), of the same type (RSA of at
 * least 2048 bits; EC on P-256); the signature; exp in the future; nbf
 * and iat not more than 60 s ahead; aud (a string or an array) holds the
 * configured audience; iss equals the configured issuer when one is set;
 * sub is "system:serviceaccount:<namespace>:<name>" and agrees with the
 * "kubernetes.io" claim when the token has one. */
#ifndef IDENTITY_INTERNAL_AUTH_JWT_H
#define IDENTITY_INTERNAL_AUTH_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

#define SA_TOKEN_MAX 8192 /* longest token accepted */

/* Who a verified token says the caller is. */
struct sa_identity {
    char ns[254];   /* the namespace */
    char name[254]; /* the service account's name */
};

/* Verifies token against jwks (the JSON text of a JWK Set) for audience
 * (required) and issuer ("" or NULL: any) at unix time now. On CM_OK fills
 * *out. Any failure is CM_EUNAUTH with the reason in why (whylen bytes; no
 * token content); a JWKS that cannot be read is CM_EUNAVAIL. */
cm_err internal_auth_verify(const char *token, const char *jwks, const char *audience,
                            const char *issuer, int64_t now, struct sa_identity *out, char *why,
                            size_t whylen);

#endif
