/* test_identity_internal_auth_jwt.c: service-account token verification
 * (internal_auth_jwt.h) with keys made here: RS256 and ES256 accepted,
 * and each check refusing what it must (signature, key, alg, expiry,
 * audience, issuer, subject). */
// links: services/identity/internal_auth_jwt.c services/identity/jose.c tests/integration/it_jwt.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../services/identity/internal_auth_jwt.h"
#include "../integration/it_jwt.h"

static struct it_jwt_key rsa, ec, other;
static char *jwks;

static void setup(void)
{
    json_t *set;

    cr_assert(sodium_init() >= 0);
    cr_assert(eq(int, it_jwt_key_new(&rsa, 1, "rsa-1"), 0));
    cr_assert(eq(int, it_jwt_key_new(&ec, 0, "ec-1"), 0));
    cr_assert(eq(int, it_jwt_key_new(&other, 1, "rsa-1"), 0)); /* same kid, not published */
    set = json_pack("{s:[o, o]}", "keys", it_jwt_jwk(&rsa), it_jwt_jwk(&ec));
    jwks = json_dumps(set, JSON_COMPACT);
    json_decref(set);
}

static void teardown(void)
{
    it_jwt_key_free(&rsa);
    it_jwt_key_free(&ec);
    it_jwt_key_free(&other);
    free(jwks);
}

TestSuite(internal_auth_jwt, .init = setup, .fini = teardown, .timeout = 30);

/* Verifies token against the suite's JWKS for audience "suite", issuer any. */
static cm_err check(const char *token, struct sa_identity *sa, char *why)
{
    return internal_auth_verify(token, jwks, "suite", "", (int64_t)time(NULL), sa, why, 160);
}

/* A token of claims signed by k (alg NULL: its own; with its kid). */
static char *token_of(const struct it_jwt_key *k, const char *alg, json_t *claims)
{
    char *t = it_jwt_sign(k, alg, 1, claims);

    json_decref(claims);
    cr_assert(t != NULL);
    return t;
}

Test(internal_auth_jwt, rs256_and_es256_verify)
{
    struct sa_identity sa;
    char why[160];
    char *t = token_of(&rsa, NULL, it_jwt_sa_claims("billing", "worker", "suite", 600));

    cr_assert(eq(int, check(t, &sa, why), CM_OK), "%s", why);
    cr_expect(eq(str, sa.ns, "billing"));
    cr_expect(eq(str, sa.name, "worker"));
    free(t);
    t = token_of(&ec, NULL, it_jwt_sa_claims("ns-2", "api", "suite", 600));
    cr_assert(eq(int, check(t, &sa, why), CM_OK), "%s", why);
    cr_expect(eq(str, sa.name, "api"));
    free(t);
}

Test(internal_auth_jwt, a_wrong_signature_or_key_is_refused)
{
    struct sa_identity sa;
    char why[160];
    char *t = token_of(&other, NULL, it_jwt_sa_claims("a", "b", "suite", 600));

    cr_expect(eq(int, check(t, &sa, why), CM_EUNAUTH));
    free(t);
    /* tampered claims: a payload of another token under this signature */
    {
        char *good = token_of(&rsa, NULL, it_jwt_sa_claims("a", "b", "suite", 600));
        char *evil = token_of(&rsa, NULL, it_jwt_sa_claims("kube-system", "admin", "suite", 600));
        char *d1 = strchr(good, '.'), *d2 = strchr(d1 + 1, '.');
        char *e1 = strchr(evil, '.'), *e2 = strchr(e1 + 1, '.');
        char mixed[8192];
        snprintf(mixed, sizeof mixed, "%.*s%.*s%s", (int)(d1 - good), good, (int)(e2 - e1), e1, d2);
        cr_expect(eq(int, check(mixed, &sa, why), CM_EUNAUTH));
        free(good);
        free(evil);
    }
    /* an ES256 header on the RSA key's kid */
    t = token_of(&rsa, "ES256", it_jwt_sa_claims("a", "b", "suite", 600));
    cr_expect(eq(int, check(t, &sa, why), CM_EUNAUTH));
    free(t);
}

Test(internal_auth_jwt, alg_none_and_hmac_are_refused)
{
    struct sa_identity sa;
    char why[160];
    /* {"alg":"none"} . claims . "" */
    const char *none = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YTpiIn0.";
    char *t = token_of(&rsa, "HS256", it_jwt_sa_claims("a", "b", "suite", 600));

    cr_expect(eq(int, check(none, &sa, why), CM_EUNAUTH));
    cr_expect(eq(int, check(t, &sa, why), CM_EUNAUTH));
    cr_expect(eq(int, check("not a jwt", &sa, why), CM_EUNAUTH));
    cr_expect(eq(int, check("", &sa, why), CM_EUNAUTH));
    free(t);
}

Test(internal_auth_jwt, claims_are_checked)
{
    struct sa_identity sa;
    char why[160];
    json_t *c;
    char *t;

    t = token_of(&ec, NULL, it_jwt_sa_claims("a", "b", "suite", -5));
    cr_expect(eq(int, check(t, &sa, why), CM_EUNAUTH), "expired");
    free(t);
    t = token_of(&ec, NULL, it_jwt_sa_claims("a", "b", "other-audience", 600));
    cr_expect(eq(int, check(t, &sa, why), CM_EUNAUTH), "audience");
    free(t);
    c = it_jwt_sa_claims("a", "b", "suite", 600);
    json_object_set_new(c, "sub", json_string("alice"));
    t = token_of(&ec, NULL, c);
    cr_expect(eq(int, check(t, &sa, why), CM_EUNAUTH), "not a service account");
    free(t);
    c = it_jwt_sa_claims("a", "b", "suite", 600);
    json_object_set_new(json_object_get(c, "kubernetes.io"), "namespace", json_string("z"));
    t = token_of(&ec, NULL, c);
    cr_expect(eq(int, check(t, &sa, why), CM_EUNAUTH), "kubernetes.io disagrees");
    free(t);
    c = it_jwt_sa_claims("a", "b", "suite", 600);
    json_object_set_new(c, "nbf", json_integer((json_int_t)time(NULL) + 3600));
    t = token_of(&ec, NULL, c);
    cr_expect(eq(int, check(t, &sa, why), CM_EUNAUTH), "not yet valid");
    free(t);
    t = token_of(&ec, NULL, it_jwt_sa_claims("a", "b", "suite", 600));
    cr_expect(eq(int,
                 internal_auth_verify(t, jwks, "suite", "https://issuer.example",
                                      (int64_t)time(NULL), &sa, why, sizeof why),
                 CM_EUNAUTH),
              "issuer");
    cr_expect(
        eq(int,
           internal_auth_verify(t, jwks, "suite", "https://kubernetes.default.svc.cluster.local",
                                (int64_t)time(NULL), &sa, why, sizeof why),
           CM_OK),
        "%s", why);
    cr_expect(
        eq(int, internal_auth_verify(t, "{}", "suite", "", 0, &sa, why, sizeof why), CM_EUNAVAIL));
    cr_expect(
        eq(int, internal_auth_verify(t, NULL, "suite", "", 0, &sa, why, sizeof why), CM_EUNAVAIL));
    free(t);
}

Test(internal_auth_jwt, without_kid_the_only_key_of_its_type)
{
    struct sa_identity sa;
    char why[160];
    json_t *c = it_jwt_sa_claims("a", "b", "suite", 600);
    char *t = it_jwt_sign(&ec, NULL, 0, c);

    cr_expect(eq(int, check(t, &sa, why), CM_OK), "%s", why);
    free(t);
    json_decref(c);
}
