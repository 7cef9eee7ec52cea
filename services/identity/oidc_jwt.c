/* oidc_jwt.c: ID token verification with OpenSSL (oidc_jwt.h). */
#include "oidc_jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"

static cm_err refuse(char *detail, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static cm_err refuse(char *detail, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, cap, fmt, ap);
    va_end(ap);
    return CM_EUNAUTH;
}

/* base64url (no padding) of s[0..n) into a new buffer (caller frees) of
 * *out_len bytes; NULL when malformed. */
static unsigned char *b64url(const char *s, size_t n, size_t *out_len)
{
    unsigned char *buf = cm_xmalloc(n + 1);

    if (sodium_base642bin(buf, n + 1, s, n, NULL, out_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* A JSON object from base64url text; NULL when malformed. */
static json_t *b64url_json(const char *s, size_t n)
{
    size_t len;
    unsigned char *raw = b64url(s, n, &len);
    json_t *doc = raw ? json_loadb((const char *)raw, len, 0, NULL) : NULL;

    free(raw);
    if (doc && !json_is_object(doc)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* The big number of base64url member name of jwk; NULL when absent. */
static BIGNUM *jwk_bn(const json_t *jwk, const char *name)
{
    const char *s = json_string_value(json_object_get(jwk, name));
    size_t len;
    unsigned char *raw = s ? b64url(s, strlen(s), &len) : NULL;
    BIGNUM *bn = raw ? BN_bin2bn(raw, (int)len, NULL) : NULL;

    free(raw);
    return bn;
}

/* The public key of an RSA or P-256 jwk; NULL when it is neither. */
static EVP_PKEY *jwk_key(const json_t *jwk)
{
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;
    BIGNUM *a = NULL, *b = NULL;
    unsigned char point[65];
    const char *type = NULL;

    if (!bld || !kty)
        goto done;
    if (!strcmp(kty, "RSA")) {
        a = jwk_bn(jwk, "n");
        b = jwk_bn(jwk, "e");
        if (!a || !b || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, a) ||
            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, b))
            goto done;
        type = "RSA";
    } else if (!strcmp(kty, "EC")) {
        const char *crv = json_string_value(json_object_get(jwk, "crv"));
        a = jwk_bn(jwk, "x");
        b = jwk_bn(jwk, "y");
        if (!crv || strcmp(crv, "P-256") || !a || !b)
            goto done;
        point[0] = 4;
        if (BN_bn2binpad(a, point + 1, 32) != 32 || BN_bn2binpad(b, point + 33, 32) != 32)
            goto done;
        if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
            !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point))
            goto done;
        type = "EC";
    } else {
        goto done;
    }
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        key = NULL;
done:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(a);
    BN_free(b);
    return key;
}

/* The jwk of jwks for kid (the only signing key when kid is NULL). */
static const json_t *jwks_find(const json_t *jwks, const char *kid, const char *kty)
{
    const json_t *keys = json_object_get(jwks, "keys"), *k, *found = NULL;
    size_t i;
    int n = 0;

    json_array_foreach(keys, i, k)
    {
        const char *use = json_string_value(json_object_get(k, "use"));
        const char *t = json_string_value(json_object_get(k, "kty"));
        const char *id = json_string_value(json_object_get(k, "kid"));
        if ((use && strcmp(use, "sig")) || !t || strcmp(t, kty))
            continue;
        if (kid ? (id && !strcmp(id, kid)) : 1) {
            found = k;
            n++;
        }
    }
    return n == 1 ? found : NULL;
}

/* 1 when sig verifies over data with key for alg (RS256 or ES256). */
static int sig_ok(EVP_PKEY *key, int es256, const unsigned char *data, size_t len,
                  const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *der = NULL;
    int ok = 0, der_len = 0;

    if (!md)
        return 0;
    if (es256) { /* JOSE's r || s into DER */
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r, *s;
        if (!es || sig_len != 64) {
            ECDSA_SIG_free(es);
            goto done;
        }
        r = BN_bin2bn(sig, 32, NULL);
        s = BN_bin2bn(sig + 32, 32, NULL);
        if (!r || !s || !ECDSA_SIG_set0(es, r, s)) {
            BN_free(r);
            BN_free(s);
            ECDSA_SIG_free(es);
            goto done;
        }
        der_len = i2d_ECDSA_SIG(es, &der);
        ECDSA_SIG_free(es);
        if (der_len <= 0)
            goto done;
        sig = der;
        sig_len = (size_t)der_len;
    }
    ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
         EVP_DigestVerify(md, sig, sig_len, data, len) == 1;
done:
    OPENSSL_free(der);
    EVP_MD_CTX_free(md);
    return ok;
}

/* 1 when aud (a string or an array of strings) holds client_id. */
static int aud_has(const json_t *aud, const char *client_id)
{
    const json_t *v;
    size_t i;

    if (json_is_string(aud))
        return !strcmp(json_string_value(aud), client_id);
    json_array_foreach(aud, i, v)
    {
        if (json_is_string(v) && !strcmp(json_string_value(v), client_id))
            return 1;
    }
    return 0;
}

static void copy_claim(const json_t *claims, const char *name, char *dst, size_t cap)
{
    const char *s = json_string_value(json_object_get(claims, name));
    snprintf(dst, cap, "%s", s ? s : "");
}

cm_err oidc_id_token_verify(const char *token, const json_t *jwks, const char *issuer,
                            const char *client_id, const char *nonce, int64_t now,
                            struct oidc_claims *out, char *detail, size_t cap)
{
    const char *dot1, *dot2, *alg, *kid, *s;
    json_t *header = NULL, *claims = NULL, *aud, *exp, *iat, *ev;
    unsigned char *sig = NULL;
    size_t sig_len = 0, len = token ? strlen(token) : 0;
    const json_t *jwk;
    EVP_PKEY *key = NULL;
    cm_err err = CM_OK;
    int es256;

    dot1 = token ? strchr(token, '.') : NULL;
    dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot2 || strchr(dot2 + 1, '.') || len > OIDC_JWT_MAX)
        return refuse(detail, cap, "the id token is not a signed JWT");
    header = b64url_json(token, (size_t)(dot1 - token));
    claims = b64url_json(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    sig = b64url(dot2 + 1, strlen(dot2 + 1), &sig_len);
    if (!header || !claims || !sig) {
        err = refuse(detail, cap, "the id token is not a signed JWT");
        goto done;
    }
    alg = json_string_value(json_object_get(header, "alg"));
    kid = json_string_value(json_object_get(header, "kid"));
    if (!alg || (strcmp(alg, "RS256") && strcmp(alg, "ES256"))) {
        err = refuse(detail, cap, "the id token's algorithm is not RS256 or ES256");
        goto done;
    }
    es256 = !strcmp(alg, "ES256");
    jwk = jwks_find(jwks, kid, es256 ? "EC" : "RSA");
    key = jwk ? jwk_key(jwk) : NULL;
    if (!key) {
        err = refuse(detail, cap, "the id token's key is not among the provider's keys");
        goto done;
    }
    if (!sig_ok(key, es256, (const unsigned char *)token, (size_t)(dot2 - token), sig, sig_len)) {
        err = refuse(detail, cap, "the id token's signature is wrong");
        goto done;
    }
    s = json_string_value(json_object_get(claims, "iss"));
    if (!s || strcmp(s, issuer)) {
        err = refuse(detail, cap, "the id token's issuer is not the provider");
        goto done;
    }
    aud = json_object_get(claims, "aud");
    if (!aud_has(aud, client_id)) {
        err = refuse(detail, cap, "the id token is not for this client");
        goto done;
    }
    s = json_string_value(json_object_get(claims, "azp"));
    if (json_is_array(aud) && json_array_size(aud) > 1 && (!s || strcmp(s, client_id))) {
        err = refuse(detail, cap, "the id token's authorized party is not this client");
        goto done;
    }
    exp = json_object_get(claims, "exp");
    iat = json_object_get(claims, "iat");
    if (!json_is_number(exp) || json_number_value(exp) + OIDC_CLOCK_SKEW_S < (double)now) {
        err = refuse(detail, cap, "the id token has expired");
        goto done;
    }
    if (iat && (!json_is_number(iat) || json_number_value(iat) > (double)now + OIDC_CLOCK_SKEW_S)) {
        err = refuse(detail, cap, "the id token is issued in the future");
        goto done;
    }
    s = json_string_value(json_object_get(claims, "nonce"));
    if (!s || strcmp(s, nonce)) {
        err = refuse(detail, cap, "the id token's nonce is not the one sent");
        goto done;
    }
    s = json_string_value(json_object_get(claims, "sub"));
    if (!s || !*s || strlen(s) >= sizeof out->sub) {
        err = refuse(detail, cap, "the id token has no usable subject");
        goto done;
    }
    memset(out, 0, sizeof *out);
    copy_claim(claims, "sub", out->sub, sizeof out->sub);
    copy_claim(claims, "email", out->email, sizeof out->email);
    copy_claim(claims, "given_name", out->given_name, sizeof out->given_name);
    copy_claim(claims, "family_name", out->family_name, sizeof out->family_name);
    ev = json_object_get(claims, "email_verified");
    out->email_verified = json_is_true(ev) || (json_is_string(ev) && !strcmp(json_string_value(ev), "true"));
done:
    EVP_PKEY_free(key);
    free(sig);
    json_decref(header);
    json_decref(claims);
    return err;
}
