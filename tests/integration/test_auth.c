/* test_auth.c: API-client authentication at the edge: HTTP Basic on the
 * clinical messaging surface and x-api-key on the privacy surface, answered
 * by identity (keys stored as BLAKE2b-256 hashes) and cached by the edge.
 * Refusals are 401 in the surface's error style. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

TestSuite(auth, .timeout = 30);

static void basic_header(char *out, size_t cap, const char *user, const char *key)
{
    char plain[512], b64[800];

    snprintf(plain, sizeof plain, "%s:%s", user, key);
    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)plain, strlen(plain),
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, cap, "Authorization: Basic %s", b64);
}

/* GET util/test with the given header lines (NULL-terminated). */
static void get_with(struct it_resp *r, const char *path, const char *const *hs)
{
    struct it_req rq = {.path = path, .headers = hs};
    cr_assert(eq(int, it_http(&rq, r), 0), "no response: %s", r->error);
}

Test(auth, refuses_a_request_without_credentials)
{
    struct it_resp r;
    const char *www;

    IT_REQUIRE_STACK();
    it_call(&r, "GET", IT_UTIL_TEST, IT_AUTH_NONE, NULL, NULL);
    it_assert_error_style(&r, "cureatr", 401);
    www = it_header(&r, "WWW-Authenticate");
    cr_assert(www != NULL, "401 without WWW-Authenticate");
    cr_assert(eq(int, strncmp(www, "Basic", 5), 0), "WWW-Authenticate: %s", www);
    it_resp_release(&r);
}

Test(auth, refuses_a_wrong_key)
{
    char h[1024];
    const char *hs[] = {h, NULL};
    struct it_resp r;

    IT_REQUIRE_STACK();
    basic_header(h, sizeof h, it_env("TEST_API_USER"), "not-the-key-0123456789");
    get_with(&r, IT_UTIL_TEST, hs);
    it_assert_error_style(&r, "cureatr", 401);
    it_resp_release(&r);
}

Test(auth, refuses_an_unknown_user)
{
    char h[1024];
    const char *hs[] = {h, NULL};
    struct it_resp r;

    IT_REQUIRE_STACK();
    basic_header(h, sizeof h, "no-such-api-user", it_env("TEST_API_KEY"));
    get_with(&r, IT_UTIL_TEST, hs);
    it_assert_error_style(&r, "cureatr", 401);
    it_resp_release(&r);
}

static const char *const malformed[] = {
    "Authorization: Basic !!!",          "Authorization: Digest x", "Authorization: Basic",
    "Authorization: Basic dXNlcg==",     /* "user": no colon */
    "Authorization: Basic OmtleQ==",     /* ":key": no user */
    "Authorization: Basic dXNlcjo=",     /* "user:": no key */
    "Authorization: Basic dXNlcjprZXk",  /* unpadded */
    "Authorization: Bearer not-a-token", /* no bearer tokens on this surface */
    "Authorization: Negotiate abc",
};

ParameterizedTestParameters(auth, refuses_a_malformed_authorization_header)
{
    IT_INDEX_PARAMS(malformed);
}

ParameterizedTest(size_t *i, auth, refuses_a_malformed_authorization_header)
{
    const char *hs[] = {malformed[*i], NULL};
    struct it_resp r;

    IT_REQUIRE_STACK();
    get_with(&r, IT_UTIL_TEST, hs);
    it_assert_error_style(&r, "cureatr", 401);
    it_resp_release(&r);
}

/* The edge caches a good answer; a wrong key for the same user must still be
 * asked about (and refused), on whichever loop thread takes the connection. */
Test(auth, refuses_a_wrong_key_after_the_right_one_was_cached)
{
    char h[1024];
    const char *hs[] = {h, NULL};

    IT_REQUIRE_STACK();
    basic_header(h, sizeof h, it_env("TEST_API_USER"), "wrong-key-after-cache-0000");
    for (int i = 0; i < 6; i++) {
        struct it_resp ok, bad;
        it_call(&ok, "GET", IT_UTIL_TEST, IT_AUTH_BOOTSTRAP, NULL, NULL);
        cr_assert(eq(long, ok.status, 200), "round %d: %s", i, ok.body);
        get_with(&bad, IT_UTIL_TEST, hs);
        it_assert_error_style(&bad, "cureatr", 401);
        it_resp_release(&ok);
        it_resp_release(&bad);
    }
}

/* And the reverse: a cached refusal does not lock out the right key. */
Test(auth, accepts_the_right_key_after_a_wrong_one_was_refused)
{
    char h[1024];
    const char *hs[] = {h, NULL};
    struct it_resp bad, ok;

    IT_REQUIRE_STACK();
    basic_header(h, sizeof h, it_env("TEST_API_USER"), "wrong-key-before-right-000");
    get_with(&bad, IT_UTIL_TEST, hs);
    cr_assert(eq(long, bad.status, 401));
    it_call(&ok, "GET", IT_UTIL_TEST, IT_AUTH_BOOTSTRAP, NULL, NULL);
    cr_assert(eq(long, ok.status, 200), "%s", ok.body);
    it_resp_release(&bad);
    it_resp_release(&ok);
}

/* Inserts an API client straight into identity's table, as identity would
 * store it (BLAKE2b-256 of the key); revoked when revoked is set. */
static void insert_client(PGconn *pg, const char *user, const char *key, int revoked)
{
    unsigned char hash[32];
    char hex[65], lit[80];
    const char *params[2] = {user, lit};
    PGresult *res;

    crypto_generichash(hash, sizeof hash, (const unsigned char *)key, strlen(key), NULL, 0);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    snprintf(lit, sizeof lit, "\\x%s", hex);
    res = PQexecParams(pg,
                       revoked ? "INSERT INTO identity.api_clients (api_user_id, key_hash, name, "
                                 "revoked_at) VALUES ($1, $2::bytea, 'integration', now())"
                               : "INSERT INTO identity.api_clients (api_user_id, key_hash, name) "
                                 "VALUES ($1, $2::bytea, 'integration')",
                       2, NULL, params, NULL, NULL, 0);
    cr_assert(eq(int, PQresultStatus(res), PGRES_COMMAND_OK), "insert: %s", PQerrorMessage(pg));
    PQclear(res);
}

/* Another API user's key does not open the bootstrap user's account. */
Test(auth, refuses_the_key_of_another_api_user)
{
    char user[64], key[64], h[1024];
    const char *hs[] = {h, NULL};
    struct it_resp mine, theirs;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    snprintf(user, sizeof user, "it-other-%ld", (long)getpid());
    snprintf(key, sizeof key, "it-other-key-%ld-0123456789", (long)getpid());
    insert_client(pg, user, key, 0);
    PQfinish(pg);

    basic_header(h, sizeof h, user, key);
    get_with(&mine, IT_UTIL_TEST, hs);
    cr_assert(eq(long, mine.status, 200), "the new client itself: %ld %s", mine.status, mine.body);
    basic_header(h, sizeof h, it_env("TEST_API_USER"), key);
    get_with(&theirs, IT_UTIL_TEST, hs);
    it_assert_error_style(&theirs, "cureatr", 401);
    it_resp_release(&mine);
    it_resp_release(&theirs);
}

Test(auth, refuses_a_revoked_client)
{
    char user[64], key[64], h[1024], xk[128];
    const char *hs[] = {h, NULL};
    const char *xhs[] = {xk, NULL};
    struct it_resp r, x;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    snprintf(user, sizeof user, "it-revoked-%ld", (long)getpid());
    snprintf(key, sizeof key, "it-revoked-key-%ld-0123456789", (long)getpid());
    insert_client(pg, user, key, 1);
    PQfinish(pg);

    basic_header(h, sizeof h, user, key);
    get_with(&r, IT_UTIL_TEST, hs);
    it_assert_error_style(&r, "cureatr", 401);
    snprintf(xk, sizeof xk, "x-api-key: %s", key);
    get_with(&x, IT_PRIVACY_PATH, xhs);
    it_assert_error_style(&x, "okaya", 401);
    it_resp_release(&r);
    it_resp_release(&x);
}

/* The key gets through to privacy, which answers for the bootstrap client
 * (of no organization, so with no groups). */
Test(auth, x_api_key_reaches_the_privacy_service)
{
    struct it_resp r;
    json_t *doc;

    IT_REQUIRE_STACK();
    it_call(&r, "POST", IT_PRIVACY_PATH, IT_AUTH_API_KEY, "application/json", "{}");
    it_assert_error_style(&r, "okaya", 404);
    doc = it_json(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "error")), "group not found"));
    json_decref(doc);
    it_resp_release(&r);
}

Test(auth, refuses_a_wrong_x_api_key)
{
    const char *hs[] = {"x-api-key: not-a-key-0123456789abcdef", "Content-Type: application/json",
                        NULL};
    struct it_req rq = {
        .method = "POST", .path = IT_PRIVACY_PATH, .headers = hs, .body = "{}", .body_len = 2};
    struct it_resp r;

    IT_REQUIRE_STACK();
    cr_assert(eq(int, it_http(&rq, &r), 0), "%s", r.error);
    it_assert_error_style(&r, "okaya", 401);
    it_resp_release(&r);
}

Test(auth, refuses_the_privacy_surface_without_a_key)
{
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_call(&r, "POST", IT_PRIVACY_PATH, IT_AUTH_NONE, "application/json", "{}");
    it_assert_error_style(&r, "okaya", 401);
    it_resp_release(&r);
}
