/* jose.c: base64url, JWK keys, JWS signatures and aud for identity's JWT
 * verifiers (jose.h). */
#include "jose.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/param_build.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"

unsigned char *jose_b64url(const char *s, size_t n, size_t *out_len)
{
    unsigned char *buf = cm_xmalloc(n + 1);

    if (sodium_base642bin(buf, n + 1, s, n, NULL, out_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

json_t *jose_b64url_json(const char *s, size_t n)
{
    size_t len = 0;
    unsigned char *raw = jose_b64url(s, n, &len);
    json_t *doc = raw ? json_loadb((const char *)raw, len, 0, NULL) : NULL;

    free(raw);
    if (doc && !json_is_object(doc)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* The big number of base64url member name of jwk; NULL when absent,
 * malformed or empty. */
static BIGNUM *jwk_bn(const json_t *jwk, const char *name)
{
    const char *s = json_string_value(json_object_get(jwk, name));
    size_t len = 0;
    unsigned char *raw = s ? jose_b64url(s, strlen(s), &len) : NULL;
    BIGNUM *bn = raw && len ? BN_bin2bn(raw, (int)len, NULL) : NULL;

    free(raw);
    return bn;
}

EVP_PKEY *jose_jwk_key(const json_t *jwk, const char *alg, int strict)
{
    int rsa = !strcmp(alg, "RS256");
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    const char *kalg = json_string_value(json_object_get(jwk, "alg"));
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;
    BIGNUM *a = NULL, *b = NULL;
    unsigned char point[65];
    int ok = bld && kty && (rsa || !strcmp(alg, "ES256")) &&
             (!strict || !kalg || !strcmp(kalg, alg));

    if (ok && rsa) {
        a = jwk_bn(jwk, "n");
        b = jwk_bn(jwk, "e");
        ok = !strcmp(kty, "RSA") && a && b && (!strict || BN_num_bits(a) >= 2048) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, a) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, b);
    } else if (ok) {
        const char *crv = json_string_value(json_object_get(jwk, "crv"));
        a = jwk_bn(jwk, "x");
        b = jwk_bn(jwk, "y");
        ok = !strcmp(kty, "EC") && crv && !strcmp(crv, "P-256") && a && b;
        point[0] = 4;
        ok = ok && BN_bn2binpad(a, point + 1, 32) == 32 && BN_bn2binpad(b, point + 33, 32) == 32 &&
             OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
             OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point);
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
    BN_free(a);
    BN_free(b);
    return key;
}

int jose_sig_ok(EVP_PKEY *key, const char *alg, const unsigned char *data, size_t len,
                const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *der = NULL;
    int der_len = 0, ok = md != NULL;

    if (ok && !strcmp(alg, "ES256")) { /* JOSE's r || s, 32 bytes each; OpenSSL wants DER */
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = sig_len == 64 ? BN_bin2bn(sig, 32, NULL) : NULL;
        BIGNUM *s = sig_len == 64 ? BN_bin2bn(sig + 32, 32, NULL) : NULL;
        ok = es && r && s && ECDSA_SIG_set0(es, r, s) == 1;
        if (!ok) {
            BN_free(r);
            BN_free(s);
        }
        if (ok)
            ok = (der_len = i2d_ECDSA_SIG(es, &der)) > 0;
        ECDSA_SIG_free(es);
        sig = der;
        sig_len = (size_t)der_len;
    } else if (ok) {
        ok = !strcmp(alg, "RS256");
    }
    if (ok)
        ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestVerify(md, sig, sig_len, data, len) == 1;
    OPENSSL_free(der);
    EVP_MD_CTX_free(md);
    return ok;
}

int jose_aud_has(const json_t *aud, const char *audience)
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
