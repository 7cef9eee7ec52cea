/* test_identity_tokens.c: what a login hands out (services/identity/tokens.c)
 * and the key that signs it (signing_keys.c): key ids, seeds, refresh
 * tokens and their hashes, the login response with its signed access and id
 * tokens, lifetimes and roles. */
// links: services/identity/tokens.c services/identity/signing_keys.c services/identity/store_auth.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../../services/identity/signing_keys.h"
#include "../../services/identity/tokens.h"
#include "cm_token.h"

#define NOW 1700000000LL
#define SEED_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static struct signing_key key;

/* For cr_assert on macros that expand to a parenthesised expression. */
static int it_true(int x)
{
    return x;
}

static void setup(void)
{
    unsigned char seed[SIGNING_SEED_BYTES];

    cr_assert(sodium_init() >= 0);
    cr_assert(eq(int, signing_seed_parse(SEED_HEX, seed), CM_OK));
    signing_key_from_seed(seed, &key);
}

TestSuite(identity_tokens, .init = setup, .timeout = 10);

/* A session of a user with two organizations and roles in the current one. */
static struct login_rec session(void)
{
    struct login_rec r = {0};
    r.session_id = "22222222-2222-4222-8222-222222222222";
    r.organization_id = "33333333-3333-4333-8333-333333333333";
    r.impersonator_id = "";
    r.impersonator_email = "";
    r.user_id = "11111111-1111-4111-8111-111111111111";
    r.username = "ann@example.com";
    r.email = "ann@example.com";
    r.first_name = "Ann";
    r.last_name = "Lee";
    r.locale = "en_US";
    r.tz = "Europe/Paris";
    r.organizations = "[\"33333333-3333-4333-8333-333333333333\", "
                      "\"44444444-4444-4444-8444-444444444444\"]";
    r.roles = "[\"admin\", \"provider\"]";
    r.expiration_time = "2023-11-28T22:13:20.000000Z";
    r.access_ttl_s = 600;
    r.expires_at = NOW + 86400;
    return r;
}

static const char *str_of(const json_t *o, const char *name)
{
    const json_t *v = json_object_get(o, name);
    cr_assert(it_true(json_is_string(v)), "%s is not a string", name);
    return json_string_value(v);
}

Test(identity_tokens, kid_is_16_hex_chars_of_the_blake2b_of_the_public_key)
{
    unsigned char h[32];
    char hex[65];

    crypto_generichash(h, sizeof h, key.pk, sizeof key.pk, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    hex[SIGNING_KID_LEN] = '\0';
    cr_assert(eq(str, key.kid, hex));
    cr_assert(eq(sz, strlen(key.kid), (size_t)SIGNING_KID_LEN));
}

Test(identity_tokens, the_same_seed_gives_the_same_key)
{
    unsigned char seed[SIGNING_SEED_BYTES];
    struct signing_key again;

    cr_assert(eq(int, signing_seed_parse(SEED_HEX, seed), CM_OK));
    signing_key_from_seed(seed, &again);
    cr_assert(eq(str, again.kid, key.kid));
    cr_assert(eq(int, memcmp(again.pk, key.pk, sizeof key.pk), 0));
}

Test(identity_tokens, refuses_malformed_seeds)
{
    unsigned char seed[SIGNING_SEED_BYTES];
    const char *bad[] = {"", "00", SEED_HEX "00",
                         "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                         "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert(eq(int, signing_seed_parse(bad[i], seed), CM_EINVAL), "seed %zu", i);
    cr_assert(eq(int, signing_seed_parse(NULL, seed), CM_EINVAL));
}

Test(identity_tokens, refresh_tokens_are_random_base64url_and_stored_hashed)
{
    char a[REFRESH_TOKEN_LEN + 1], b[REFRESH_TOKEN_LEN + 1];
    uint8_t ha[STORE_HASH_BYTES], hb[STORE_HASH_BYTES], check[STORE_HASH_BYTES];

    tokens_refresh_new(a, ha);
    tokens_refresh_new(b, hb);
    cr_assert(eq(sz, strlen(a), (size_t)REFRESH_TOKEN_LEN));
    cr_assert(eq(sz, strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                 (size_t)REFRESH_TOKEN_LEN));
    cr_assert(ne(str, a, b));
    tokens_hash(a, check);
    cr_assert(eq(int, memcmp(check, ha, sizeof ha), 0));
    cr_assert(ne(int, memcmp(ha, hb, sizeof ha), 0));
}

Test(identity_tokens, login_response_has_login_info_and_verifiable_tokens)
{
    struct login_rec r = session();
    struct cm_token_claims c;
    json_t *body = NULL, *orgs;

    cr_assert(eq(int, tokens_response(&key, &r, "refresh-me", NOW, &body), CM_OK));
    cr_assert(eq(str, (char *)str_of(body, "user-id"), (char *)r.user_id));
    cr_assert(eq(str, (char *)str_of(body, "session-id"), (char *)r.session_id));
    cr_assert(eq(str, (char *)str_of(body, "organization-id"), (char *)r.organization_id));
    cr_assert(eq(str, (char *)str_of(body, "username"), "ann@example.com"));
    cr_assert(eq(str, (char *)str_of(body, "first-name"), "Ann"));
    cr_assert(eq(str, (char *)str_of(body, "token-type"), "Bearer"));
    cr_assert(eq(str, (char *)str_of(body, "refresh-token"), "refresh-me"));
    cr_assert(it_true(json_is_true(json_object_get(body, "multi-organization"))));
    cr_assert(it_true(json_is_null(json_object_get(body, "redirect-url"))));
    cr_assert(it_true(json_is_null(json_object_get(body, "impersonated-by"))));
    cr_assert(it_true(json_is_null(json_object_get(body, "individual"))));
    orgs = json_object_get(body, "organizations");
    cr_assert(eq(sz, json_array_size(orgs), (size_t)2));
    cr_assert(eq(i64, (int64_t)json_integer_value(json_object_get(body, "expires-in")), 600));

    cr_assert(eq(int, cm_token_verify(str_of(body, "access-token"), key.pk, NOW + 1, &c), CM_OK));
    cr_assert(eq(str, c.typ, "access"));
    cr_assert(eq(str, c.sub, (char *)r.user_id));
    cr_assert(eq(str, c.sid, (char *)r.session_id));
    cr_assert(eq(str, c.org, (char *)r.organization_id));
    cr_assert(eq(int, c.nroles, 2));
    cr_assert(eq(str, c.roles[0], "admin"));
    cr_assert(eq(str, c.roles[1], "provider"));
    cr_assert(eq(i64, c.iat, NOW));
    cr_assert(eq(i64, c.exp, NOW + 600));
    cr_assert(eq(int, cm_token_verify(str_of(body, "access-token"), key.pk, NOW + 600, &c),
                 CM_EUNAUTH), "expired at exp");

    cr_assert(eq(int, cm_token_verify(str_of(body, "id-token"), key.pk, NOW + 1, &c), CM_OK));
    cr_assert(eq(str, c.typ, "id"));
    json_decref(body);
}

Test(identity_tokens, platform_admin_role_is_added_and_refresh_token_omitted_when_null)
{
    struct login_rec r = session();
    struct cm_token_claims c;
    json_t *body = NULL;

    r.roles = "[]";
    r.organization_id = "";
    r.organizations = "[]";
    r.is_platform_admin = 1;
    cr_assert(eq(int, tokens_response(&key, &r, NULL, NOW, &body), CM_OK));
    cr_assert(it_true(json_is_null(json_object_get(body, "organization-id"))));
    cr_assert(it_true(json_object_get(body, "refresh-token") == NULL));
    cr_assert(it_true(json_is_false(json_object_get(body, "multi-organization"))));
    cr_assert(eq(int, cm_token_verify(str_of(body, "access-token"), key.pk, NOW, &c), CM_OK));
    cr_assert(eq(int, c.nroles, 1));
    cr_assert(eq(str, c.roles[0], "platform-admin"));
    cr_assert(eq(str, c.org, ""));
    json_decref(body);
}

Test(identity_tokens, access_token_never_outlives_its_session)
{
    struct login_rec r = session();
    struct cm_token_claims c;
    json_t *body = NULL;

    r.expires_at = NOW + 100;
    cr_assert(eq(int, tokens_response(&key, &r, NULL, NOW, &body), CM_OK));
    cr_assert(eq(int, cm_token_verify(str_of(body, "access-token"), key.pk, NOW, &c), CM_OK));
    cr_assert(eq(i64, c.exp, NOW + 100));
    cr_assert(eq(i64, (int64_t)json_integer_value(json_object_get(body, "expires-in")), 100));
    json_decref(body);
}

Test(identity_tokens, tokens_carry_the_users_token_generation_and_the_real_time)
{
    struct login_rec r = session();
    struct cm_token_claims c;
    json_t *body = NULL;

    r.token_gen = 42;
    cr_assert(eq(int, tokens_response(&key, &r, NULL, NOW, &body), CM_OK));
    cr_assert(eq(int, cm_token_verify(str_of(body, "access-token"), key.pk, NOW, &c), CM_OK));
    cr_assert(eq(i64, c.gen, 42));
    cr_assert(eq(i64, c.iat, NOW), "no second shifted to get past a revocation");
    cr_assert(eq(int, cm_token_verify(str_of(body, "id-token"), key.pk, NOW, &c), CM_OK));
    cr_assert(eq(i64, c.gen, 42));
    json_decref(body);
}

Test(identity_tokens, impersonation_is_shown)
{
    struct login_rec r = session();
    json_t *body = NULL, *imp;

    r.impersonator_id = "55555555-5555-4555-8555-555555555555";
    r.impersonator_email = "boss@example.com";
    r.impersonator_session_id = "66666666-6666-4666-8666-666666666666";
    cr_assert(eq(int, tokens_response(&key, &r, NULL, NOW, &body), CM_OK));
    imp = json_object_get(body, "impersonated-by");
    cr_assert(eq(str, (char *)str_of(imp, "id"), (char *)r.impersonator_id));
    cr_assert(eq(str, (char *)str_of(imp, "email"), "boss@example.com"));
    cr_assert(eq(str, (char *)str_of(imp, "session-id"), (char *)r.impersonator_session_id));
    json_decref(body);
}

Test(identity_tokens, malformed_rows_are_refused)
{
    struct login_rec r = session();
    json_t *body = NULL;

    r.roles = "not json";
    cr_assert(eq(int, tokens_response(&key, &r, NULL, NOW, &body), CM_EINTERNAL));
    r = session();
    r.organizations = "{}";
    cr_assert(eq(int, tokens_response(&key, &r, NULL, NOW, &body), CM_EINTERNAL));
    cr_assert(it_true(tokens_login_info(&r) == NULL));
}
