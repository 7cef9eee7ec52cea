/* test_internal_auth.c: suite "internal_auth": internal-auth v1 (#53) and
 * v2 (#158) through the edge. The test plays the cluster: it makes RSA and
 * EC keys, publishes their public JWKs in the file identity reads
 * (INTERNAL_AUTH_JWKS_FILE, set by with-test-stack.sh) and signs
 * service-account tokens with them; identity must accept exactly the valid
 * ones and hand out a short-lived token of the service account's user. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "harness.h"
#include "it_jwt.h"
#include "test_users_fixtures.h"

TestSuite(internal_auth, .timeout = 60);

#define AUD "health-suite" /* INTERNAL_AUTH_AUDIENCE's default */

/* Adds jwk to the JWKS file, under a lock (tests of other processes add
 * theirs too). */
static void publish(json_t *jwk)
{
    const char *path = it_env("INTERNAL_AUTH_JWKS_FILE");
    char lock[1024], tmp[1024];
    json_t *set;
    int fd;

    snprintf(lock, sizeof lock, "%s.lock", path);
    snprintf(tmp, sizeof tmp, "%s.%d", path, (int)getpid());
    fd = open(lock, O_CREAT | O_RDWR, 0644);
    cr_assert(fd >= 0);
    cr_assert(eq(int, flock(fd, LOCK_EX), 0));
    set = json_load_file(path, 0, NULL);
    if (!json_is_array(json_object_get(set, "keys"))) {
        json_decref(set);
        set = json_pack("{s:[]}", "keys");
    }
    json_array_append_new(json_object_get(set, "keys"), jwk);
    cr_assert(eq(int, json_dump_file(set, tmp, JSON_COMPACT), 0));
    cr_assert(eq(int, rename(tmp, path), 0));
    json_decref(set);
    flock(fd, LOCK_UN);
    close(fd);
}

/* A published key (rsa or EC) with a fresh kid. */
static void key_published(struct it_jwt_key *k, int rsa)
{
    char kid[48];

    it_unique(kid, sizeof kid, rsa ? "rsa-" : "ec-");
    cr_assert(eq(int, it_jwt_key_new(k, rsa, kid), 0));
    publish(it_jwt_jwk(k));
}

/* A fresh lower-case namespace into ns (48 bytes). */
static void namespace_new(char *ns)
{
    it_unique(ns, 48, "ns-");
    for (char *p = ns; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
}

/* A token of ns/name for aud signed by k (caller frees). */
static char *sa_token(const struct it_jwt_key *k, const char *ns, const char *name, const char *aud,
                      long ttl)
{
    json_t *c = it_jwt_sa_claims(ns, name, aud, ttl);
    char *t = it_jwt_sign(k, NULL, 1, c);

    json_decref(c);
    cr_assert(t != NULL);
    return t;
}

/* POST /v2/internal-auth/ with token; the response in r. */
static void v2(struct it_resp *r, const char *token)
{
    char *body = malloc(strlen(token) + 200);

    sprintf(body, "{\"data\":{\"type\":\"internal-auths\",\"attributes\":{\"token\":\"%s\"}}}",
            token);
    it_call_token(r, "POST", "/v2/internal-auth/", NULL, body);
    free(body);
}

/* POST /v1/internal-auth/ for ns/name with token and its hash (sha NULL:
 * the right one). */
static void v1(struct it_resp *r, const char *ns, const char *name, const char *token,
               const char *sha)
{
    unsigned char d[crypto_hash_sha512_BYTES];
    char hex[sizeof d * 2 + 1];
    char *body = malloc(strlen(token) + 1024);

    crypto_hash_sha512(d, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    sprintf(body,
            "{\"namespace\":\"%s\",\"sa-name\":\"%s\",\"sa-token-sha512\":\"%s\","
            "\"self-token-name\":\"pod-x\",\"sa-token\":\"%s\"}",
            ns, name, sha ? sha : hex, token);
    it_call_token(r, "POST", "/v1/internal-auth/", NULL, body);
    free(body);
}

/* The user id the access token authenticates as (into id, UT_ID_LEN). */
static void whoami(const char *access, char *id)
{
    struct it_resp r;
    json_t *doc;

    it_call_token(&r, "POST", "/v1/authenticate/", access, "{}");
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    doc = it_json(&r);
    snprintf(id, UT_ID_LEN, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "user-id")));
    json_decref(doc);
    it_resp_release(&r);
}

Test(internal_auth, v2_exchanges_rs256_and_es256_tokens_for_one_service_user)
{
    struct it_jwt_key rsa, ec;
    char ns[48], first[UT_ID_LEN], second[UT_ID_LEN];
    struct it_resp r;
    json_t *doc, *d;
    char *t;

    IT_REQUIRE_STACK();
    key_published(&rsa, 1);
    key_published(&ec, 0);
    namespace_new(ns);
    t = sa_token(&rsa, ns, "worker", AUD, 600);
    v2(&r, t);
    free(t);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    doc = it_json(&r);
    d = json_object_get(doc, "data");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(d, "type")), "internal-auths"));
    cr_assert(it_true(json_string_value(json_object_get(d, "id")) != NULL));
    whoami(json_string_value(json_object_get(json_object_get(d, "attributes"), "access-token")),
           first);
    json_decref(doc);
    it_resp_release(&r);
    /* the same service account again, by its EC-signed token: the same user */
    t = sa_token(&ec, ns, "worker", AUD, 600);
    v2(&r, t);
    free(t);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    doc = it_json(&r);
    whoami(json_string_value(json_object_get(
               json_object_get(json_object_get(doc, "data"), "attributes"), "access-token")),
           second);
    json_decref(doc);
    it_resp_release(&r);
    cr_assert(eq(str, first, second));
    cr_assert(eq(long, ut_outbox_count("evt.identity.user.created", first), 1),
              "the account's creation was announced once");
    it_jwt_key_free(&rsa);
    it_jwt_key_free(&ec);
}

Test(internal_auth, v1_answers_the_seed_shape_and_checks_the_hash)
{
    struct it_jwt_key k;
    char ns[48], want[128];
    struct it_resp r;
    json_t *doc;
    char *t;

    IT_REQUIRE_STACK();
    key_published(&k, 0);
    namespace_new(ns);
    t = sa_token(&k, ns, "api", AUD, 600);
    v1(&r, ns, "api", t, NULL);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    doc = it_json(&r);
    snprintf(want, sizeof want, "system:serviceaccount:%s:api", ns);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "username")), want));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "token-type")), "Bearer"));
    cr_assert(it_true(json_string_value(json_object_get(doc, "refresh-token")) != NULL));
    cr_assert(it_true(json_string_value(json_object_get(doc, "id-token")) != NULL));
    cr_assert(it_true(json_integer_value(json_object_get(doc, "expires-in")) <= 300 &&
                      json_integer_value(json_object_get(doc, "expires-in")) > 0),
              "short-lived: %.300s", r.body);
    json_decref(doc);
    it_resp_release(&r);
    /* a hash that is not the token's */
    v1(&r, ns, "api", t, "00");
    ut_assert_error(&r, 401, "/sa-token-sha512");
    it_resp_release(&r);
    /* the token names another service account */
    v1(&r, ns, "other", t, NULL);
    ut_assert_error(&r, 401, NULL);
    it_resp_release(&r);
    it_call_token(&r, "POST", "/v1/internal-auth/", NULL, "{\"namespace\":\"a\"}");
    ut_assert_error(&r, 400, "/sa-name");
    it_resp_release(&r);
    free(t);
    it_jwt_key_free(&k);
}

Test(internal_auth, tokens_that_do_not_verify_are_refused)
{
    struct it_jwt_key k, stranger;
    char ns[48];
    struct it_resp r;
    json_t *c;
    char *t;

    IT_REQUIRE_STACK();
    key_published(&k, 1);
    cr_assert(eq(int, it_jwt_key_new(&stranger, 1, k.kid), 0)); /* same kid, never published */
    namespace_new(ns);
    t = sa_token(&stranger, ns, "worker", AUD, 600);
    v2(&r, t);
    ut_assert_error(&r, 401, "/data/attributes/token");
    it_resp_release(&r);
    free(t);
    t = sa_token(&k, ns, "worker", AUD, -5);
    v2(&r, t);
    ut_assert_error(&r, 401, "/data/attributes/token");
    it_resp_release(&r);
    free(t);
    t = sa_token(&k, ns, "worker", "another-audience", 600);
    v2(&r, t);
    ut_assert_error(&r, 401, "/data/attributes/token");
    it_resp_release(&r);
    free(t);
    c = it_jwt_sa_claims(ns, "worker", AUD, 600);
    json_object_set_new(c, "sub", json_string("admin@example.com"));
    t = it_jwt_sign(&k, NULL, 1, c);
    json_decref(c);
    v2(&r, t);
    ut_assert_error(&r, 401, "/data/attributes/token");
    it_resp_release(&r);
    free(t);
    v2(&r, "abc.def.ghi");
    ut_assert_error(&r, 401, "/data/attributes/token");
    it_resp_release(&r);
    it_call_token(&r, "POST", "/v2/internal-auth/", NULL,
                  "{\"data\":{\"type\":\"internal-auths\",\"attributes\":{}}}");
    ut_assert_error(&r, 400, "/data/attributes/token");
    it_resp_release(&r);
    it_jwt_key_free(&k);
    it_jwt_key_free(&stranger);
}

Test(internal_auth, a_disabled_service_account_user_is_refused)
{
    struct it_jwt_key k;
    char ns[48], id[UT_ID_LEN], admin[4097];
    struct it_resp r;
    json_t *doc;
    char *t;

    IT_REQUIRE_STACK();
    key_published(&k, 0);
    namespace_new(ns);
    t = sa_token(&k, ns, "batch", AUD, 600);
    v2(&r, t);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    doc = it_json(&r);
    whoami(json_string_value(json_object_get(
               json_object_get(json_object_get(doc, "data"), "attributes"), "access-token")),
           id);
    json_decref(doc);
    it_resp_release(&r);
    it_admin_token(admin);
    ut_call(&r, "POST", admin, "{}", "/v1/users/%s/disable/", id);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
    v2(&r, t);
    ut_assert_error(&r, 403, NULL);
    cr_assert(strstr(r.body, "\"code\":\"forbidden\"") != NULL, "%.300s", r.body);
    cr_assert(strstr(r.body, "this service account's identity is disabled") != NULL, "%.300s",
              r.body);
    it_resp_release(&r);
    free(t);
    it_jwt_key_free(&k);
}
