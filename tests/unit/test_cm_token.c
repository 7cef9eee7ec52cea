/* test_cm_token.c: the access/id token format (cm_token.h): signing and
 * verifying round trips, and every way a token must be refused: malformed,
 * tampered header, payload or signature, another key, expired, issued in the
 * future, and claims of the wrong shape (signed, so only the decoder stands
 * between them and the edge). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_token.h"

#define NOW 1700000000LL
#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

static unsigned char pk[CM_TOKEN_PK_BYTES], sk[CM_TOKEN_SK_BYTES];
static unsigned char pk2[CM_TOKEN_PK_BYTES], sk2[CM_TOKEN_SK_BYTES];

static void setup(void)
{
    cr_assert(sodium_init() >= 0);
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
}

TestSuite(cm_token, .init = setup, .timeout = 10);

static struct cm_token_claims claims_of(const char *typ)
{
    struct cm_token_claims c = {0};
    snprintf(c.typ, sizeof c.typ, "%s", typ);
    snprintf(c.sub, sizeof c.sub, "11111111-1111-4111-8111-111111111111");
    snprintf(c.sid, sizeof c.sid, "22222222-2222-4222-8222-222222222222");
    snprintf(c.org, sizeof c.org, "33333333-3333-4333-8333-333333333333");
    snprintf(c.roles[0], sizeof c.roles[0], "admin");
    snprintf(c.roles[1], sizeof c.roles[1], "platform-admin");
    c.nroles = 2;
    c.iat = NOW;
    c.exp = NOW + 300;
    return c;
}

/* base64url(text) into a new string. */
static char *b64(const void *data, size_t len)
{
    size_t cap = sodium_base64_ENCODED_LEN(len, B64);
    char *out = malloc(cap);
    sodium_bin2base64(out, cap, data, len, B64);
    return out;
}

/* A token with any header and payload text, signed with key (as identity
 * would sign it: Ed25519 over "<b64 header>.<b64 payload>"). Caller frees. */
static char *sign_raw(const char *header, const char *payload, const unsigned char *key)
{
    char *h = b64(header, strlen(header)), *p = b64(payload, strlen(payload)), *s, *out;
    unsigned char sig[crypto_sign_BYTES];
    size_t n = strlen(h) + 1 + strlen(p);

    out = malloc(n + 1 + sodium_base64_ENCODED_LEN(sizeof sig, B64));
    sprintf(out, "%s.%s", h, p);
    crypto_sign_detached(sig, NULL, (unsigned char *)out, n, key);
    s = b64(sig, sizeof sig);
    sprintf(out + n, ".%s", s);
    free(h);
    free(p);
    free(s);
    return out;
}

#define HEADER "{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":\"k1\"}"

Test(cm_token, round_trips_every_claim)
{
    struct cm_token_claims in = claims_of("access"), out;
    char kid[CM_TOKEN_KID_MAX];
    char *t;

    snprintf(in.imp, sizeof in.imp, "44444444-4444-4444-8444-444444444444");
    in.gen = 12;
    t = cm_token_sign(&in, NULL, "key-2024", sk);
    cr_assert(t != NULL);
    cr_assert(eq(int, cm_token_kid(t, kid), CM_OK));
    cr_assert(eq(str, kid, "key-2024"));
    cr_assert(eq(int, cm_token_verify(t, pk, NOW, &out), CM_OK));
    cr_assert(eq(str, out.typ, "access"));
    cr_assert(eq(str, out.sub, in.sub));
    cr_assert(eq(str, out.sid, in.sid));
    cr_assert(eq(str, out.org, in.org));
    cr_assert(eq(str, out.imp, in.imp));
    cr_assert(eq(int, out.nroles, 2));
    cr_assert(eq(str, out.roles[0], "admin"));
    cr_assert(eq(str, out.roles[1], "platform-admin"));
    cr_assert(eq(i64, out.iat, NOW));
    cr_assert(eq(i64, out.exp, NOW + 300));
    cr_assert(eq(i64, out.gen, 12));
    free(t);
}

Test(cm_token, leaves_out_empty_org_and_imp)
{
    struct cm_token_claims in = claims_of("id"), out;
    char *t;

    in.org[0] = '\0';
    in.nroles = 0;
    t = cm_token_sign(&in, NULL, "k1", sk);
    cr_assert(eq(int, cm_token_verify(t, pk, NOW, &out), CM_OK));
    cr_assert(eq(str, out.typ, "id"));
    cr_assert(eq(str, out.org, ""));
    cr_assert(eq(str, out.imp, ""));
    cr_assert(eq(int, out.nroles, 0));
    free(t);
}

Test(cm_token, extra_members_cannot_override_standard_claims)
{
    struct cm_token_claims in = claims_of("id"), out;
    json_t *extra = json_pack("{s:s, s:s, s:s}", "email", "a@example.com", "typ", "access",
                              "sub", "99999999-9999-4999-8999-999999999999");
    char *t = cm_token_sign(&in, extra, "k1", sk);

    cr_assert(eq(int, cm_token_verify(t, pk, NOW, &out), CM_OK));
    cr_assert(eq(str, out.typ, "id"));
    cr_assert(eq(str, out.sub, in.sub));
    json_decref(extra);
    free(t);
}

Test(cm_token, refuses_another_key)
{
    struct cm_token_claims in = claims_of("access"), out;
    char *t = cm_token_sign(&in, NULL, "k1", sk2);

    memset(&out, 0x5a, sizeof out);
    cr_assert(eq(int, cm_token_verify(t, pk, NOW, &out), CM_EUNAUTH));
    cr_assert(eq(int, (int)(unsigned char)out.typ[0], 0x5a), "out written on failure");
    free(t);
}

Test(cm_token, refuses_expired_and_future_tokens)
{
    struct cm_token_claims in = claims_of("access"), out;
    char *t = cm_token_sign(&in, NULL, "k1", sk);

    cr_assert(eq(int, cm_token_verify(t, pk, NOW + 299, &out), CM_OK));
    cr_assert(eq(int, cm_token_verify(t, pk, NOW + 300, &out), CM_EUNAUTH), "at exp");
    cr_assert(eq(int, cm_token_verify(t, pk, NOW + 10000, &out), CM_EUNAUTH));
    cr_assert(eq(int, cm_token_verify(t, pk, NOW - 60, &out), CM_OK), "60 s of skew");
    cr_assert(eq(int, cm_token_verify(t, pk, NOW - 61, &out), CM_EUNAUTH), "issued in the future");
    free(t);
}

/* Flips one character of part (0 header, 1 payload, 2 signature). */
static void flip(char *t, int part, size_t offset)
{
    char *p = t;
    for (int i = 0; i < part; i++)
        p = strchr(p, '.') + 1;
    p[offset] = p[offset] == 'A' ? 'B' : 'A';
}

ParameterizedTestParameters(cm_token, refuses_any_tampered_part)
{
    static int cases[][2] = {{0, 3}, {1, 0}, {1, 10}, {1, 40}, {2, 0}, {2, 20}, {2, 84}};
    static int idx[sizeof cases / sizeof cases[0]];
    for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++)
        idx[i] = (int)i;
    return cr_make_param_array(int, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(int *i, cm_token, refuses_any_tampered_part)
{
    static const int cases[][2] = {{0, 3}, {1, 0}, {1, 10}, {1, 40}, {2, 0}, {2, 20}, {2, 84}};
    struct cm_token_claims in = claims_of("access"), out;
    char *t = cm_token_sign(&in, NULL, "k1", sk);

    flip(t, cases[*i][0], (size_t)cases[*i][1]);
    cr_assert(eq(int, cm_token_verify(t, pk, NOW, &out), CM_EUNAUTH), "part %d offset %d",
              cases[*i][0], cases[*i][1]);
    free(t);
}

/* A payload swapped for another one (here: a different subject), signature
 * kept: the classic forgery. */
Test(cm_token, refuses_a_swapped_payload)
{
    struct cm_token_claims a = claims_of("access"), b = claims_of("access"), out;
    char *ta, *tb, *forged;
    const char *sa, *pb, *pb_end;

    snprintf(b.sub, sizeof b.sub, "99999999-9999-4999-8999-999999999999");
    ta = cm_token_sign(&a, NULL, "k1", sk);
    tb = cm_token_sign(&b, NULL, "k1", sk);
    pb = strchr(tb, '.') + 1;
    pb_end = strchr(pb, '.');
    sa = strrchr(ta, '.');
    forged = malloc(strlen(ta) + strlen(tb));
    sprintf(forged, "%.*s.%.*s%s", (int)(strchr(ta, '.') - ta), ta, (int)(pb_end - pb), pb, sa);
    cr_assert(eq(int, cm_token_verify(forged, pk, NOW, &out), CM_EUNAUTH));
    free(ta);
    free(tb);
    free(forged);
}

static const char *const malformed[] = {
    "",
    "abc",
    "a.b",
    "a.b.c.d",
    ".b.c",
    "a..c",
    "a.b.",
    "!!!.b.c",
    "eyJhbGciOiJFZERTQSJ9.e30.AAAA",
};

ParameterizedTestParameters(cm_token, refuses_malformed_tokens)
{
    static size_t idx[sizeof malformed / sizeof malformed[0]];
    for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++)
        idx[i] = i;
    return cr_make_param_array(size_t, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(size_t *i, cm_token, refuses_malformed_tokens)
{
    struct cm_token_claims out;
    char kid[CM_TOKEN_KID_MAX];

    cr_assert(eq(int, cm_token_kid(malformed[*i], kid), CM_EUNAUTH), "%s", malformed[*i]);
    cr_assert(eq(int, cm_token_verify(malformed[*i], pk, NOW, &out), CM_EUNAUTH), "%s",
              malformed[*i]);
}

Test(cm_token, refuses_tokens_over_the_length_limit)
{
    struct cm_token_claims in = claims_of("access"), out;
    char *t = cm_token_sign(&in, NULL, "k1", sk), *big;
    size_t n = strlen(t);
    char kid[CM_TOKEN_KID_MAX];

    /* Same token with the header's base64 padded out by a huge kid: too long. */
    big = malloc(CM_TOKEN_MAX_LEN + 2);
    memset(big, 'A', CM_TOKEN_MAX_LEN + 1);
    memcpy(big + CM_TOKEN_MAX_LEN + 1 - n, t, n);
    big[CM_TOKEN_MAX_LEN + 1] = '\0';
    cr_assert(eq(int, cm_token_kid(big, kid), CM_EUNAUTH));
    cr_assert(eq(int, cm_token_verify(big, pk, NOW, &out), CM_EUNAUTH));
    free(big);
    free(t);
}

Test(cm_token, kid_requires_eddsa_and_a_sane_kid)
{
    char kid[CM_TOKEN_KID_MAX];
    char *none = sign_raw("{\"alg\":\"none\",\"kid\":\"k1\"}", "{}", sk);
    char *hs = sign_raw("{\"alg\":\"HS256\",\"kid\":\"k1\"}", "{}", sk);
    char *nokid = sign_raw("{\"alg\":\"EdDSA\"}", "{}", sk);
    char *numkid = sign_raw("{\"alg\":\"EdDSA\",\"kid\":7}", "{}", sk);
    char *longkid = sign_raw("{\"alg\":\"EdDSA\",\"kid\":\"0123456789012345678901234567890123\"}",
                             "{}", sk);
    char *array = sign_raw("[\"EdDSA\"]", "{}", sk);
    char *ok = sign_raw(HEADER, "{}", sk);

    cr_assert(eq(int, cm_token_kid(none, kid), CM_EUNAUTH));
    cr_assert(eq(int, cm_token_kid(hs, kid), CM_EUNAUTH));
    cr_assert(eq(int, cm_token_kid(nokid, kid), CM_EUNAUTH));
    cr_assert(eq(int, cm_token_kid(numkid, kid), CM_EUNAUTH));
    cr_assert(eq(int, cm_token_kid(longkid, kid), CM_EUNAUTH));
    cr_assert(eq(int, cm_token_kid(array, kid), CM_EUNAUTH));
    cr_assert(eq(int, cm_token_kid(ok, kid), CM_OK));
    cr_assert(eq(str, kid, "k1"));
    free(none);
    free(hs);
    free(nokid);
    free(numkid);
    free(longkid);
    free(array);
    free(ok);
}

/* Well signed, badly shaped claims. */
static const char *const bad_claims[] = {
    "[]",
    "\"access\"",
    "{\"sub\":\"u\",\"iat\":1700000000,\"exp\":1700000300}",                 /* no typ */
    "{\"typ\":\"access\",\"iat\":1700000000,\"exp\":1700000300}",            /* no sub */
    "{\"typ\":\"access\",\"sub\":\"u\",\"exp\":1700000300}",                 /* no iat */
    "{\"typ\":\"access\",\"sub\":\"u\",\"iat\":1700000000}",                 /* no exp */
    "{\"typ\":\"access\",\"sub\":\"u\",\"iat\":\"1700000000\",\"exp\":1700000300}",
    "{\"typ\":\"access\",\"sub\":\"u\",\"iat\":1700000000,\"exp\":1700000300.5}",
    "{\"typ\":\"access\",\"sub\":7,\"iat\":1700000000,\"exp\":1700000300}",
    "{\"typ\":\"access\",\"sub\":\"u\",\"iat\":1700000000,\"exp\":1700000300,\"roles\":\"admin\"}",
    "{\"typ\":\"access\",\"sub\":\"u\",\"iat\":1700000000,\"exp\":1700000300,\"roles\":[1]}",
    "{\"typ\":\"access\",\"sub\":\"u\",\"iat\":1700000000,\"exp\":1700000300,"
    "\"roles\":[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\","
    "\"a\",\"a\",\"a\"]}",                                                      /* 17 roles */
    "{\"typ\":\"access\",\"sub\":\"u\",\"iat\":1700000000,\"exp\":1700000300,\"sid\":null}",
    "{\"typ\":\"accessaccess\",\"sub\":\"u\",\"iat\":1700000000,\"exp\":1700000300}",
    "{\"typ\":\"access\",\"sub\":\"0123456789012345678901234567890123456789\","
    "\"iat\":1700000000,\"exp\":1700000300}",                                   /* sub too long */
    "{\"typ\":\"access\",\"sub\":\"u\",\"sub\":\"v\",\"iat\":1700000000,\"exp\":1700000300}",
    "{\"typ\":\"access\",\"sub\":\"u\",\"iat\":1700000000,\"exp\":1700000300",  /* truncated */
    "{\"typ\":\"access\",\"sub\":\"u\",\"iat\":1700000000,\"exp\":1700000300,\"gen\":\"9\"}",
    "{\"typ\":\"access\",\"sub\":\"u\",\"iat\":1700000000,\"exp\":1700000300,\"gen\":-1}",
    "{\"typ\":\"access\",\"sub\":\"u\",\"iat\":1700000000,\"exp\":1700000300,\"gen\":1.5}",
};

ParameterizedTestParameters(cm_token, refuses_badly_shaped_claims)
{
    static size_t idx[sizeof bad_claims / sizeof bad_claims[0]];
    for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++)
        idx[i] = i;
    return cr_make_param_array(size_t, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(size_t *i, cm_token, refuses_badly_shaped_claims)
{
    struct cm_token_claims out;
    char *t = sign_raw(HEADER, bad_claims[*i], sk);

    cr_assert(eq(int, cm_token_verify(t, pk, NOW, &out), CM_EUNAUTH), "%s", bad_claims[*i]);
    free(t);
}

Test(cm_token, accepts_minimal_well_shaped_claims)
{
    struct cm_token_claims out;
    char *t = sign_raw(HEADER, "{\"typ\":\"access\",\"sub\":\"u\",\"iat\":1700000000,"
                               "\"exp\":1700000300,\"other\":{\"x\":[1,2]}}",
                       sk);

    cr_assert(eq(int, cm_token_verify(t, pk, NOW, &out), CM_OK));
    cr_assert(eq(str, out.sub, "u"));
    cr_assert(eq(str, out.sid, ""));
    cr_assert(eq(int, out.nroles, 0));
    cr_assert(eq(i64, out.gen, 0), "no gen claim: generation 0");
    free(t);
}

/* The signature must be exactly 64 bytes of canonical base64url. */
Test(cm_token, refuses_signatures_of_the_wrong_size)
{
    struct cm_token_claims in = claims_of("access"), out;
    char *t = cm_token_sign(&in, NULL, "k1", sk);
    char *shorter = strdup(t), *longer = malloc(strlen(t) + 8);

    shorter[strlen(shorter) - 4] = '\0';
    sprintf(longer, "%sAAAA", t);
    cr_assert(eq(int, cm_token_verify(shorter, pk, NOW, &out), CM_EUNAUTH));
    cr_assert(eq(int, cm_token_verify(longer, pk, NOW, &out), CM_EUNAUTH));
    free(t);
    free(shorter);
    free(longer);
}

Test(cm_token, sign_refuses_claims_it_cannot_encode)
{
    struct cm_token_claims in = claims_of("access");

    in.sub[0] = (char)0xff; /* not UTF-8 */
    cr_assert(cm_token_sign(&in, NULL, "k1", sk) == NULL);
}
