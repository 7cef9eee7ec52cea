/* internal_auth.h: service-to-service authentication (#53 v1, #158 v2,
 * internal_auth.c). A pod proves itself with its Kubernetes projected
 * service-account token, verified against the configured JWKS and audience
 * (internal_auth_jwt.h), and gets a short-lived access token of the
 * identity account that stands for its service account (username
 * "system:serviceaccount:<namespace>:<name>", made on first use, no
 * organization, no roles; disabling it refuses the exchange). */
#ifndef IDENTITY_INTERNAL_AUTH_H
#define IDENTITY_INTERNAL_AUTH_H

#include "cm_service.h"

/* POST /v1/internal-auth/ (#53): flat body namespace, sa-name,
 * sa-token-sha512 (hex SHA-512 of the token), self-token-hash,
 * self-token-name (both ignored) and sa-token (the token itself, not in the
 * seed: a hash alone cannot be verified offline); the token must hash to
 * sa-token-sha512 and name namespace and sa-name. 201 with access-token,
 * id-token, refresh-token, expires-in, token-type, user-id, username,
 * email. 401 for a token that does not verify (also when no JWKS is
 * configured), 403 for a disabled account, 503 for a JWKS that is there
 * but not a JWK Set. */
cm_err internal_auth_v1(struct cm_req *rq, struct cm_resp *out);

/* POST /v2/internal-auth/ (#158): JSON:API type "internal-auths" with
 * attribute token; 201 with an internal-auths resource (id = the session)
 * whose attribute is access-token. Errors as v1. */
cm_err internal_auth_v2(struct cm_req *rq, struct cm_resp *out);

#endif
