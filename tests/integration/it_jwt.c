/* it_jwt.c: test keys, JWKs and JWTs (it_jwt.h). */
#include "it_jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* base64url of bin (len bytes) as a new string. */
static char *b64(const unsigned char *bin, size_t len)
{
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(cap);

    if (out)
        sodium_bin2base64(out, cap, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

int it_jwt_key_new(struct it_jwt_key *k, int rsa, const char *kid)
{
    memset(k, 0, sizeof *k);
    k->rsa = rsa;
    snprintf(k->kid, sizeof k->kid, "%s", kid);
    k->pkey = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
    return k->pkey ? 0 : -1;
}

void it_jwt_key_free(struct it_jwt_key *k)
{
    EVP_PKEY_free(k->pkey);
    k->pkey = NULL;
}

/* base64url of a BIGNUM parameter of k, in pad bytes when pad > 0. */
static char *bn_param(const struct it_jwt_key *k, const char *name, int pad)
{
    BIGNUM *bn = NULL;
    unsigned char buf[512];
    int n;
    char *out = NULL;

    if (EVP_PKEY_get_bn_param(k->pkey, name, &bn) != 1)
        return NULL;
    n = pad > 0 ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);
    if (n > 0)
        out = b64(buf, (size_t)n);
    BN_free(bn);
    return out;
}

json_t *it_jwt_jwk(const struct it_jwt_key *k)
{
    json_t *jwk = NULL;
    char *a, *b;

    if (k->rsa) {
        a = bn_param(k, OSSL_PKEY_PARAM_RSA_N, 0);
        b = bn_param(k, OSSL_PKEY_PARAM_RSA_E, 0);
        if (a && b)
            jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "RSA", "kid", k->kid, "alg",
                            "RS256", "use", "sig", "n", a, "e", b);
    } else {
        a = bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, 32);
        b = bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
        if (a && b)
            jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "kid", k->kid,
                            "alg", "ES256", "use", "sig", "crv", "P-256", "x", a, "y", b);
    }
    free(a);
    free(b);
    return jwk;
}

char *it_jwt_sign(const struct it_jwt_key *k, const char *alg, int with_kid, const json_t *claims)
{
    json_t *header = json_pack("{s:s, s:s}", "alg",
                               alg      ? alg
                               : k->rsa ? "RS256"
                                        : "ES256",
                               "typ", "JWT");
    char *h = NULL, *c = NULL, *hb = NULL, *cb = NULL, *input = NULL, *sb = NULL, *out = NULL;
    unsigned char sig[512], raw[64];
    size_t siglen = sizeof sig;
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    if (with_kid)
        json_object_set_new(header, "kid", json_string(k->kid));
    h = json_dumps(header, JSON_COMPACT);
    c = json_dumps(claims, JSON_COMPACT);
    hb = h ? b64((const unsigned char *)h, strlen(h)) : NULL;
    cb = c ? b64((const unsigned char *)c, strlen(c)) : NULL;
    if (!hb || !cb || !md)
        goto done;
    input = malloc(strlen(hb) + strlen(cb) + 2);
    sprintf(input, "%s.%s", hb, cb);
    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k->pkey) != 1 ||
        EVP_DigestSign(md, sig, &siglen, (const unsigned char *)input, strlen(input)) != 1)
        goto done;
    if (k->rsa) {
        sb = b64(sig, siglen);
    } else { /* DER → JOSE r || s */
        const unsigned char *p = sig;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)siglen);
        if (!es)
            goto done;
        BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
        ECDSA_SIG_free(es);
        sb = b64(raw, sizeof raw);
    }
    if (sb) {
        out = malloc(strlen(input) + strlen(sb) + 2);
        sprintf(out, "%s.%s", input, sb);
    }
done:
    EVP_MD_CTX_free(md);
    json_decref(header);
    free(h);
    free(c);
    free(hb);
    free(cb);
    free(input);
    free(sb);
    return out;
}

json_t *it_jwt_sa_claims(const char *ns, const char *name, const char *aud, long ttl)
{
    char sub[600];
    long now = (long)time(NULL);

    snprintf(sub, sizeof sub, "system:serviceaccount:%s:%s", ns, name);
    return json_pack("{s:s, s:s, s:[s], s:I, s:I, s:I, s:{s:s, s:{s:s, s:s}}}", "iss",
                     "https://kubernetes.default.svc.cluster.local", "sub", sub, "aud", aud, "iat",
                     (json_int_t)(now - 10), "nbf", (json_int_t)(now - 10), "exp",
                     (json_int_t)(now + ttl), "kubernetes.io", "namespace", ns, "serviceaccount",
                     "name", name, "uid", "0b3d7c8e-0000-4000-8000-000000000001");
}
