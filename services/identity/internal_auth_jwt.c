/* internal_auth_jwt.c: service-account token verification
 * (internal_auth_jwt.h). */
#include "internal_auth_jwt.h"

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SKEW_S 60

/* Decodes base64url text (len bytes) into a new buffer (caller frees),
 * its size to *out_len; NULL when malformed. */
static unsigned char *b64url(const char *text, size_t len, size_t *out_len)
{
    unsigned char *buf = malloc(len + 1);

    if (!buf)
        return NULL;
    if (sodium_base642bin(buf, len + 1, text, len, NULL, out_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* A JSON object from base64url text; NULL when malformed. */
static json_t *b64url_json(const char *text, size_t len)
{
    size_t n = 0;
    unsigned char *bin = b64url(text, len, &n);
    json_t *doc = bin ? json_loadb((const char *)bin, n, 0, NULL) : NULL;

    free(bin);
    if (doc && !json_is_object(doc)) {
        json_decref(doc);
        doc = NULL;
    }
    return doc;
}

/* BIGNUM of JWK member name (base64url); NULL when absent or malformed. */
static BIGNUM *jwk_bn(const json_t *jwk, const char *name)
{
    const char *s = json_string_value(json_object_get(jwk, name));
    size_t n = 0;
    unsigned char *bin = s ? b64url(s, strlen(s), &n) : NULL;
    BIGNUM *bn = bin && n ? BN_bin2bn(bin, (int)n, NULL) : NULL;

    free(bin);
    return bn;
}

/* The public key of jwk for alg ("RS256" or "ES256"); NULL when it is not
 * one of the right type and strength. */
static EVP_PKEY *jwk_key(const json_t *jwk, const char *alg)
{
    int rsa = !strcmp(alg, "RS256");
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    const char *kalg = json_string_value(json_object_get(jwk, "alg"));
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;
    BIGNUM *n = NULL, *e = NULL;
    unsigned char pub[65], *x = NULL, *y = NULL;
    size_t xl = 0, yl = 0;
    int ok = bld && kty && (!kalg || !strcmp(kalg, alg));

    if (ok && rsa) {
        n = jwk_bn(jwk, "n");
        e = jwk_bn(jwk, "e");
        ok = !strcmp(kty, "RSA") && n && e && BN_num_bits(n) >= 2048 &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
    } else if (ok) {
        const char *crv = json_string_value(json_object_get(jwk, "crv"));
        const char *xs = json_string_value(json_object_get(jwk, "x"));
        const char *ys = json_string_value(json_object_get(jwk, "y"));
        x = xs ? b64url(xs, strlen(xs), &xl) : NULL;
        y = ys ? b64url(ys, strlen(ys), &yl) : NULL;
        ok = !strcmp(kty, "EC") && crv && !strcmp(crv, "P-256") && x && y && xl == 32 && yl == 32;
        if (ok) {
            pub[0] = 0x04;
            memcpy(pub + 1, x, 32);
            memcpy(pub + 33, y, 32);
            ok =
                OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
                OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub);
        }
    }
    if (ok)
        ok = (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
             (ctx = EVP_PKEY_CTX_new_from_name(NULL, rsa ? "RSA" : "EC", NULL)) != NULL &&
             EVP_PKEY_fromdata_init(ctx) == 1 &&
             EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
    if (!ok) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    free(x);
    free(y);
    return key;
}

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

/* Verifies sig (siglen bytes, JOSE form) of input (len bytes) with key. */
static int sig_ok(EVP_PKEY *key, int rsa, const unsigned char *sig, size_t siglen,
                  const char *input, size_t len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *der = NULL;
    int derlen = 0, ok = md != NULL;

    if (ok && !rsa) { /* JOSE ES256 is r || s, 32 bytes each; OpenSSL wants DER */
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = siglen == 64 ? BN_bin2bn(sig, 32, NULL) : NULL;
        BIGNUM *s = siglen == 64 ? BN_bin2bn(sig + 32, 32, NULL) : NULL;
        ok = es && r && s && ECDSA_SIG_set0(es, r, s) == 1;
        if (!ok) {
            BN_free(r);
            BN_free(s);
        }
        if (ok)
            ok = (derlen = i2d_ECDSA_SIG(es, &der)) > 0;
        ECDSA_SIG_free(es);
    }
    if (ok)
        ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestVerify(md, rsa ? sig : der, rsa ? siglen : (size_t)derlen,
                              (const unsigned char *)input, len) == 1;
    OPENSSL_free(der);
    EVP_MD_CTX_free(md);
    return ok;
}

/* 1 when aud (a string or an array of strings) holds audience. */
static int aud_ok(const json_t *aud, const char *audience)
{
    const json_t *v;
    size_t i;

    if (json_is_string(aud))
        return !strcmp(json_string_value(aud), audience);
    json_array_foreach(aud, i, v)
    {
        if (json_is_string(v) && !strcmp(json_string_value(v), audience))
            return 1;
    }
    return 0;
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
    if (!aud_ok(json_object_get(c, "aud"), audience))
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
    if (!fail && !(header = b64url_json(token, (size_t)(dot1 - token))))
        fail = "the token's header is malformed";
    if (!fail && !(claims = b64url_json(dot1 + 1, (size_t)(dot2 - dot1 - 1))))
        fail = "the token's claims are malformed";
    alg = header ? json_string_value(json_object_get(header, "alg")) : NULL;
    if (!fail && (!alg || (strcmp(alg, "RS256") != 0 && strcmp(alg, "ES256") != 0)))
        fail = "the token's alg is not RS256 or ES256";
    if (!fail) {
        rsa = !strcmp(alg, "RS256");
        kid = json_string_value(json_object_get(header, "kid"));
        jwk = jwk_find(json_object_get(set, "keys"), kid, rsa ? "RSA" : "EC");
        if (!jwk || !(key = jwk_key(jwk, alg)))
            fail = "no usable key of the JWKS signs this token";
    }
    if (!fail && !(sig = b64url(dot2 + 1, strlen(dot2 + 1), &siglen)))
        fail = "the token's signature is malformed";
    if (!fail && !sig_ok(key, rsa, sig, siglen, token, (size_t)(dot2 - token)))
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
