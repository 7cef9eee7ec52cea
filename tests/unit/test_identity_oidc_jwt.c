/* test_identity_oidc_jwt.c: ID token verification (services/identity/oidc_jwt.c)
 * with tokens signed here by fresh RSA (RS256) and P-256 (ES256) keys: a
 * good token passes and gives its claims; a changed payload, alg none, an
 * unknown kid, another issuer, audience or nonce, an expired or future
 * token, several audiences without azp, and malformed text are refused
 * with their reason. */
// links: services/identity/oidc_jwt.c services/identity/jose.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/identity/oidc_jwt.h"

#define ISS "https://idp.test"
#define AUD "rp-1"
#define NONCE "n-0123456789"
#define NOW 1700000000

static EVP_PKEY *rsa, *ec;
static json_t *jwks;

static char *b64(const unsigned char *p, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(cap);
    sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

static json_t *jwk_bn(json_t *k, const char *name, const BIGNUM *bn, int pad)
{
    unsigned char buf[512];
    int n = pad ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);
    char *s = b64(buf, (size_t)n);
    json_object_set_new(k, name, json_string(s));
    free(s);
    return k;
}

static void setup(void)
{
    BIGNUM *n = NULL, *e = NULL, *x = NULL, *y = NULL;
    json_t *rk = json_pack("{s:s, s:s, s:s, s:s}", "kty", "RSA", "kid", "r1", "use", "sig", "alg", "RS256");
    json_t *ek = json_pack("{s:s, s:s, s:s}", "kty", "EC", "kid", "e1", "crv", "P-256");

    rsa = EVP_RSA_gen(2048);
    ec = EVP_EC_gen("P-256");
    cr_assert(rsa != NULL && ec != NULL);
    EVP_PKEY_get_bn_param(rsa, OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(rsa, OSSL_PKEY_PARAM_RSA_E, &e);
    EVP_PKEY_get_bn_param(ec, OSSL_PKEY_PARAM_EC_PUB_X, &x);
    EVP_PKEY_get_bn_param(ec, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
    jwk_bn(jwk_bn(rk, "n", n, 0), "e", e, 0);
    jwk_bn(jwk_bn(ek, "x", x, 32), "y", y, 32);
    jwks = json_pack("{s:[o, o]}", "keys", rk, ek);
    BN_free(n);
    BN_free(e);
    BN_free(x);
    BN_free(y);
}

static void teardown(void)
{
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
    json_decref(jwks);
}

/* A token of header and claims (stolen) signed by the key of alg. */
static char *sign(json_t *header, json_t *claims)
{
    char *h = json_dumps(header, JSON_COMPACT), *c = json_dumps(claims, JSON_COMPACT);
    char *hb = b64((unsigned char *)h, strlen(h)), *cb = b64((unsigned char *)c, strlen(c));
    const char *alg = json_string_value(json_object_get(header, "alg"));
    size_t cap = strlen(hb) + strlen(cb) + 1024, siglen = 512;
    char *tok = malloc(cap), *sb;
    unsigned char sig[512];
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    snprintf(tok, cap, "%s.%s", hb, cb);
    if (!strcmp(alg, "none")) {
        strcat(tok, ".");
    } else {
        int es = !strcmp(alg, "ES256");
        cr_assert(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, es ? ec : rsa) == 1);
        cr_assert(EVP_DigestSign(md, sig, &siglen, (unsigned char *)tok, strlen(tok)) == 1);
        if (es) { /* DER → r || s */
            const unsigned char *p = sig;
            ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)siglen);
            BN_bn2binpad(ECDSA_SIG_get0_r(s), sig, 32);
            BN_bn2binpad(ECDSA_SIG_get0_s(s), sig + 32, 32);
            siglen = 64;
            ECDSA_SIG_free(s);
        }
        sb = b64(sig, siglen);
        strcat(tok, ".");
        strcat(tok, sb);
        free(sb);
    }
    EVP_MD_CTX_free(md);
    free(h);
    free(c);
    free(hb);
    free(cb);
    json_decref(header);
    json_decref(claims);
    return tok;
}

static json_t *claims(void)
{
    return json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:b}", "iss", ISS, "aud", AUD, "sub",
                     "s-1", "iat", NOW - 10, "exp", NOW + 600, "nonce", NONCE, "email",
                     "a@b.test", "email_verified", 1);
}

static json_t *rs_header(void)
{
    return json_pack("{s:s, s:s}", "alg", "RS256", "kid", "r1");
}

/* Verifies tok (freed) and returns the error; the detail to detail. */
static cm_err check(char *tok, char *detail, struct oidc_claims *out)
{
    struct oidc_claims k;
    cm_err err = oidc_id_token_verify(tok, jwks, ISS, AUD, NONCE, NOW, out ? out : &k, detail, 160);
    free(tok);
    return err;
}

TestSuite(oidc_jwt, .init = setup, .fini = teardown);

Test(oidc_jwt, good_rs256_and_es256_tokens_pass_with_their_claims)
{
    char d[160] = "";
    struct oidc_claims k;

    cr_assert(eq(int, check(sign(rs_header(), claims()), d, &k), CM_OK), "%s", d);
    cr_assert(eq(str, k.sub, "s-1"));
    cr_assert(eq(str, k.email, "a@b.test"));
    cr_assert(eq(int, k.email_verified, 1));
    cr_assert(eq(int, check(sign(json_pack("{s:s, s:s}", "alg", "ES256", "kid", "e1"), claims()), d, &k), CM_OK), "%s", d);
}

Test(oidc_jwt, every_wrong_part_is_refused_with_its_reason)
{
    char d[160];
    json_t *c;
    char *tok;

    tok = sign(rs_header(), claims());
    tok[strlen(tok) / 2] ^= 1; /* inside the payload or signature */
    cr_assert(eq(int, check(tok, d, NULL), CM_EUNAUTH));
    cr_assert(eq(int, check(sign(json_pack("{s:s}", "alg", "none"), claims()), d, NULL), CM_EUNAUTH));
    cr_assert(eq(str, d, "the id token's algorithm is not RS256 or ES256"));
    cr_assert(eq(int, check(sign(json_pack("{s:s, s:s}", "alg", "RS256", "kid", "zz"), claims()), d, NULL), CM_EUNAUTH));
    cr_assert(eq(str, d, "the id token's key is not among the provider's keys"));
    c = claims();
    json_object_set_new(c, "iss", json_string("https://evil.test"));
    cr_assert(eq(int, check(sign(rs_header(), c), d, NULL), CM_EUNAUTH));
    cr_assert(eq(str, d, "the id token's issuer is not the provider"));
    c = claims();
    json_object_set_new(c, "aud", json_string("rp-2"));
    cr_assert(eq(int, check(sign(rs_header(), c), d, NULL), CM_EUNAUTH));
    cr_assert(eq(str, d, "the id token is not for this client"));
    c = claims();
    json_object_set_new(c, "aud", json_pack("[s, s]", AUD, "rp-2"));
    cr_assert(eq(int, check(sign(rs_header(), c), d, NULL), CM_EUNAUTH));
    cr_assert(eq(str, d, "the id token's authorized party is not this client"));
    c = claims();
    json_object_set_new(c, "exp", json_integer(NOW - OIDC_CLOCK_SKEW_S - 1));
    cr_assert(eq(int, check(sign(rs_header(), c), d, NULL), CM_EUNAUTH));
    cr_assert(eq(str, d, "the id token has expired"));
    c = claims();
    json_object_set_new(c, "iat", json_integer(NOW + 3600));
    cr_assert(eq(int, check(sign(rs_header(), c), d, NULL), CM_EUNAUTH));
    cr_assert(eq(str, d, "the id token is issued in the future"));
    c = claims();
    json_object_set_new(c, "nonce", json_string("other"));
    cr_assert(eq(int, check(sign(rs_header(), c), d, NULL), CM_EUNAUTH));
    cr_assert(eq(str, d, "the id token's nonce is not the one sent"));
    c = claims();
    json_object_del(c, "sub");
    cr_assert(eq(int, check(sign(rs_header(), c), d, NULL), CM_EUNAUTH));
    cr_assert(eq(str, d, "the id token has no usable subject"));
    cr_assert(eq(int, check(strdup("not.a-token"), d, NULL), CM_EUNAUTH));
    cr_assert(eq(int, check(strdup("a.b.c.d"), d, NULL), CM_EUNAUTH));
    cr_assert(eq(str, d, "the id token is not a signed JWT"));
}
