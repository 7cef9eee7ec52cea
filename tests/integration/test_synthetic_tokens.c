/* test_synthetic_tokens.c: suite "synthetic_tokens": POST
 * /v1/synthetic-user-tokens/ (#130) through the edge: only the platform
 * admin mints; the token acts as the user with the user's roles and
 * organization, says who minted it ("imp") and carries the additional
 * claims, none of which may name a reserved claim. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "test_users_fixtures.h"

TestSuite(synthetic_tokens, .timeout = 60);

static const char *platform(char *id_out)
{
    static char tok[4097], id[UT_ID_LEN];

    if (!tok[0])
        it_admin_session(tok, id, NULL);
    if (id_out)
        snprintf(id_out, UT_ID_LEN, "%s", id);
    return tok;
}

/* The payload of JWT token as JSON (caller json_decref). */
static json_t *payload_of(const char *token)
{
    const char *p = strchr(token, '.'), *q = p ? strchr(p + 1, '.') : NULL;
    unsigned char bin[4096];
    size_t len = 0;
    json_t *doc;

    cr_assert(p && q, "a JWT");
    cr_assert(eq(int,
                 sodium_base642bin(bin, sizeof bin, p + 1, (size_t)(q - p - 1), NULL, &len, NULL,
                                   sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                 0));
    doc = json_loadb((const char *)bin, len, 0, NULL);
    cr_assert(doc != NULL);
    return doc;
}

/* POST the synthetic-user-tokens body data (JSON object text) as token. */
static void mint(struct it_resp *r, const char *token, const char *data)
{
    char body[2048];

    snprintf(body, sizeof body, "{\"data\": %s}", data);
    ut_call(r, "POST", token, body, "/v1/synthetic-user-tokens/");
}

Test(synthetic_tokens, platform_admin_mints_a_token_that_acts_as_the_user)
{
    char org[UT_ID_LEN], pid[UT_ID_LEN], data[1024], access[4097];
    struct ut_user u;
    struct it_resp r;
    json_t *doc, *d, *claims;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "provider", &u);
    platform(pid);
    snprintf(data, sizeof data,
             "{\"user-id\": \"%s\", \"organization-id\": \"%s\", \"expiration-secs\": 900, "
             "\"additional-claims\": [{\"claim\": \"purpose\", \"value\": \"load-test\"}, "
             "{\"claim\": \"ticket\", \"value\": \"T-42\"}]}",
             u.id, org);
    mint(&r, platform(NULL), data);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    doc = it_json(&r);
    d = json_object_get(doc, "data");
    cr_assert(eq(int, (int)json_integer_value(json_object_get(d, "expiration-secs")), 900));
    cr_assert(it_true(json_string_value(json_object_get(d, "expiration-time")) != NULL));
    cr_assert(it_true(json_string_value(json_object_get(d, "session-id")) != NULL));
    snprintf(access, sizeof access, "%s", json_string_value(json_object_get(d, "access-token")));
    json_decref(doc);
    it_resp_release(&r);
    claims = payload_of(access);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(claims, "sub")), u.id));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(claims, "org")), org));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(claims, "imp")), pid));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(claims, "purpose")), "load-test"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(claims, "ticket")), "T-42"));
    cr_assert(it_true(json_is_true(json_object_get(claims, "synthetic"))));
    cr_assert(eq(str,
                 (char *)json_string_value(json_array_get(json_object_get(claims, "roles"), 0)),
                 "provider"));
    cr_assert(eq(long,
                 (long)(json_integer_value(json_object_get(claims, "exp")) -
                        json_integer_value(json_object_get(claims, "iat"))),
                 900));
    json_decref(claims);
    /* the edge accepts it as the user */
    it_call_token(&r, "POST", "/v1/authenticate/", access, "{}");
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    cr_assert(it_true(strstr(r.body, u.id) && strstr(r.body, "provider")), "%.300s", r.body);
    it_resp_release(&r);
    /* defaults: the user's default organization, 1800 s, no claims */
    snprintf(data, sizeof data, "{\"user-id\": \"%s\"}", u.id);
    mint(&r, platform(NULL), data);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    cr_assert(it_true(strstr(r.body, "\"expiration-secs\":1800") != NULL), "%.300s", r.body);
    it_resp_release(&r);
}

Test(synthetic_tokens, claims_never_override_identity_roles_or_organization)
{
    static const char *const reserved[] = {"sub", "roles", "org", "ORG",       "imp",
                                           "exp", "gen",   "iss", "synthetic", "email"};
    char org[UT_ID_LEN], data[1024];
    struct ut_user u;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, NULL, &u);
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        snprintf(data, sizeof data,
                 "{\"user-id\": \"%s\", \"additional-claims\": [{\"claim\": \"ok\", \"value\": "
                 "\"1\"}, {\"claim\": \"%s\", \"value\": \"x\"}]}",
                 u.id, reserved[i]);
        mint(&r, platform(NULL), data);
        ut_assert_error(&r, 400, "/data/additional-claims/1/claim");
        it_resp_release(&r);
    }
    snprintf(data, sizeof data,
             "{\"user-id\": \"%s\", \"additional-claims\": [{\"claim\": \"n\", \"value\": 3}]}",
             u.id);
    mint(&r, platform(NULL), data);
    ut_assert_error(&r, 400, "/data/additional-claims/0/value");
    it_resp_release(&r);
    snprintf(data, sizeof data,
             "{\"user-id\": \"%s\", \"additional-claims\": [{\"claim\": \"a\", \"value\": \"1\"}, "
             "{\"claim\": \"a\", \"value\": \"2\"}]}",
             u.id);
    mint(&r, platform(NULL), data);
    ut_assert_error(&r, 400, "/data/additional-claims/1/claim");
    it_resp_release(&r);
    snprintf(data, sizeof data, "{\"user-id\": \"%s\", \"additional-claims\": {}}", u.id);
    mint(&r, platform(NULL), data);
    ut_assert_error(&r, 400, "/data/additional-claims");
    it_resp_release(&r);
}

Test(synthetic_tokens, who_and_what_is_refused)
{
    char org[UT_ID_LEN], other[UT_ID_LEN], data[512];
    struct ut_user admin, u;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_org(other);
    ut_account(org, "admin", &admin);
    ut_account(org, NULL, &u);
    snprintf(data, sizeof data, "{\"user-id\": \"%s\"}", u.id);
    mint(&r, admin.token, data);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    mint(&r, u.token, data);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    it_call_token(&r, "POST", "/v1/synthetic-user-tokens/", NULL, "{\"data\": {}}");
    ut_assert_error(&r, 401, NULL);
    it_resp_release(&r);
    mint(&r, platform(NULL), "{\"user-id\": \"11111111-1111-1111-1111-111111111111\"}");
    ut_assert_error(&r, 404, "/data/user-id");
    it_resp_release(&r);
    snprintf(data, sizeof data, "{\"user-id\": \"%s\", \"organization-id\": \"%s\"}", u.id, other);
    mint(&r, platform(NULL), data);
    ut_assert_error(&r, 404, "/data/organization-id");
    it_resp_release(&r);
    snprintf(data, sizeof data, "{\"user-id\": \"%s\", \"expiration-secs\": 3601}", u.id);
    mint(&r, platform(NULL), data);
    ut_assert_error(&r, 400, "/data/expiration-secs");
    it_resp_release(&r);
    snprintf(data, sizeof data, "{\"user-id\": \"%s\", \"roles\": [\"admin\"]}", u.id);
    mint(&r, platform(NULL), data);
    ut_assert_error(&r, 400, "/data/roles");
    it_resp_release(&r);
    ut_call(&r, "POST", platform(NULL), "{\"user-id\": \"x\"}", "/v1/synthetic-user-tokens/");
    ut_assert_error(&r, 400, "/user-id");
    it_resp_release(&r);
    ut_call(&r, "POST", platform(NULL), "{\"data\": 1}", "/v1/synthetic-user-tokens/");
    ut_assert_error(&r, 400, "/data");
    it_resp_release(&r);
}
