/* internal_auth_jwt.c: service-account token verification
 * (internal_auth_jwt.h). */
#include "internal_auth_jwt.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jose.h"

#define SKEW_S 60

/* The JWK of keys (a JWKS "keys" array) for kid (NULL: the only one of
 * kty), or NULL. */
static const json_t *jwk_find(const json_t *keys, const char *kid, const char *kty)
{
    const json_t *found = NULL, *k;
    size_t i, count = 0;

    json_array_foreach(keys, i, k)
    {
        const char *kk = json_string_value(json_object_get(k, "kid"));
        const char *t = json_string_value(json_object_get(k, "kty"));
        if (kid) {
            if (kk && !strcmp(kk, kid))
                return k;
        } else if (t && !strcmp(t, kty)) {
            found = k;
            count++;
        }
    }
    return count == 1 ? found : NULL;
}

/* The claims checks after the signature; the identity into out. */
static const char *claims_check(const json_t *c, const char *audience, const char *issuer,
                                int64_t now, struct sa_identity *out)
{
    const json_t *exp = json_object_get(c, "exp"), *nbf = json_object_get(c, "nbf"),
                 *iat = json_object_get(c, "iat"), *k8s = json_object_get(c, "kubernetes.io");
    const char *sub = json_string_value(json_object_get(c, "sub"));
    const char *iss = json_string_value(json_object_get(c, "iss"));
    const char *prefix = "system:serviceaccount:", *rest, *colon;

    if (!json_is_integer(exp) || json_integer_value(exp) <= now)
        return "the token has expired (or has no exp)";
    if (nbf && (!json_is_integer(nbf) || json_integer_value(nbf) > now + SKEW_S))
        return "the token is not valid yet";
    if (iat && (!json_is_integer(iat) || json_integer_value(iat) > now + SKEW_S))
        return "the token was issued in the future";
    if (!jose_aud_has(json_object_get(c, "aud"), audience))
        return "the token is not for this audience";
    if (issuer && issuer[0] && (!iss || strcmp(iss, issuer) != 0))
        return "the token's issuer is not trusted";
    if (!sub || strncmp(sub, prefix, strlen(prefix)) != 0)
        return "the token is not a service account's";
    rest = sub + strlen(prefix);
    colon = strchr(rest, ':');
    if (!colon || colon == rest || !colon[1] || strchr(colon + 1, ':') ||
        (size_t)(colon - rest) >= sizeof out->ns || strlen(colon + 1) >= sizeof out->name)
        return "the token's subject is malformed";
    snprintf(out->ns, sizeof out->ns, "%.*s", (int)(colon - rest), rest);
    snprintf(out->name, sizeof out->name, "%s", colon + 1);
    for (const char *p = sub + strlen(prefix); *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
              *p == ':'))
            return "the token's subject is malformed";
    if (k8s) {
        const char *ns = json_string_value(json_object_get(k8s, "namespace"));
        const char *name =
            json_string_value(json_object_get(json_object_get(k8s, "serviceaccount"), "name"));
        if ((ns && strcmp(ns, out->ns) != 0) || (name && strcmp(name, out->name) != 0))
            return "the token's kubernetes.io claim disagrees with its subject";
    }
    return NULL;
}

cm_err internal_auth_verify(const char *token, const char *jwks, const char *audience,
                            const char *issuer, int64_t now, struct sa_identity *out, char *why,
                            size_t whylen)
{
    const char *dot1, *dot2, *alg, *kid, *fail = NULL;
    json_t *set = NULL, *header = NULL, *claims = NULL;
    const json_t *jwk;
    unsigned char *sig = NULL;
    size_t siglen = 0, len = token ? strlen(token) : 0;
    EVP_PKEY *key = NULL;
    struct sa_identity id;
    int rsa = 0;

    set = jwks ? json_loads(jwks, 0, NULL) : NULL;
    if (!json_is_array(json_object_get(set, "keys"))) {
        json_decref(set);
        snprintf(why, whylen, "no JWKS is configured (or it is not a JWK Set)");
        return CM_EUNAVAIL;
    }
    dot1 = len && len <= SA_TOKEN_MAX ? strchr(token, '.') : NULL;
    dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot2 || strchr(dot2 + 1, '.'))
        fail = "the token is not a JWT";
    if (!fail && !(header = jose_b64url_json(token, (size_t)(dot1 - token))))
        fail = "the token's header is malformed";
    if (!fail && !(claims = jose_b64url_json(dot1 + 1, (size_t)(dot2 - dot1 - 1))))
        fail = "the token's claims are malformed";
    alg = header ? json_string_value(json_object_get(header, "alg")) : NULL;
    if (!fail && (!alg || (strcmp(alg, "RS256") != 0 && strcmp(alg, "ES256") != 0)))
        fail = "the token's alg is not RS256 or ES256";
    if (!fail) {
        rsa = !strcmp(alg, "RS256");
        kid = json_string_value(json_object_get(header, "kid"));
        jwk = jwk_find(json_object_get(set, "keys"), kid, rsa ? "RSA" : "EC");
        if (!jwk || !(key = jose_jwk_key(jwk, alg, 1)))
            fail = "no usable key of the JWKS signs this token";
    }
    if (!fail && !(sig = jose_b64url(dot2 + 1, strlen(dot2 + 1), &siglen)))
        fail = "the token's signature is malformed";
    if (!fail && !jose_sig_ok(key, alg, (const unsigned char *)token, (size_t)(dot2 - token), sig,
                             siglen))
        fail = "the token's signature is wrong";
    if (!fail)
        fail = claims_check(claims, audience, issuer, now, &id);
    EVP_PKEY_free(key);
    free(sig);
    json_decref(set);
    json_decref(header);
    json_decref(claims);
    if (fail) {
        snprintf(why, whylen, "%s", fail);
        return CM_EUNAUTH;
    }
    *out = id;
    return CM_OK;
}
