/* it_jwt.h: what the internal-auth tests need to play a Kubernetes cluster:
 * an RSA (RS256) or EC P-256 (ES256) key pair made with OpenSSL, its public
 * JWK, and JWTs signed with it. No test framework inside: the unit and the
 * integration suites both use it. */
#ifndef IT_JWT_H
#define IT_JWT_H

#include <jansson.h>

struct it_jwt_key {
    void *pkey; /* EVP_PKEY */
    int rsa;    /* 1: RSA 2048 / RS256, 0: EC P-256 / ES256 */
    char kid[48];
};

/* A new key pair (rsa or EC) named kid. Returns 0, -1 on failure. */
int it_jwt_key_new(struct it_jwt_key *k, int rsa, const char *kid);

void it_jwt_key_free(struct it_jwt_key *k);

/* The public JWK of k (kty, kid, alg, use and n/e or crv/x/y); a new
 * object, NULL on failure. */
json_t *it_jwt_jwk(const struct it_jwt_key *k);

/* A compact JWT of claims signed with k; the header's alg is alg (NULL:
 * k's own) and kid k's unless with_kid is 0. A new string (caller frees),
 * NULL on failure. */
char *it_jwt_sign(const struct it_jwt_key *k, const char *alg, int with_kid, const json_t *claims);

/* Claims of a service-account token of ns/name for aud, valid from now - 10
 * to now + ttl seconds (a new object). */
json_t *it_jwt_sa_claims(const char *ns, const char *name, const char *aud, long ttl);

#endif
