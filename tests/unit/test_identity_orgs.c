/* test_identity_orgs.c: the pure parts of organizations, roles and API
 * clients: API credentials (format, randomness, the stored hash) and the
 * store helpers every query goes through. */
// clang-format off
// links: services/identity/handlers_api_clients.c services/identity/handlers_orgs.c services/identity/store.c services/identity/store_orgs.c services/identity/store_roles.c services/identity/store_users.c services/identity/handlers_users_input.c services/identity/revoke.c services/identity/store_auth.c services/identity/org_json.c services/identity/role_json.c services/identity/api_client_json.c services/identity/clinical_orgs_rpc.c services/identity/store_clinical.c
// clang-format on
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sodium.h>
#include <string.h>

#include "../../services/identity/handlers_orgs.h"
#include "../../services/identity/store.h"

static void init(void)
{
    cr_assert(sodium_init() >= 0);
}

/* True when every character of s is in the base64url alphabet. */
static int base64url(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return 0;
    return 1;
}

Test(api_credentials, key_is_32_random_bytes_base64url, .init = init)
{
    char key[API_KEY_CHARS + 1], user[API_USER_ID_CHARS + 1];
    unsigned char raw[64];
    size_t len = 0;

    api_client_new_credentials(key, user);
    cr_assert(eq(sz, strlen(key), API_KEY_CHARS));
    cr_assert(base64url(key), "key %s is not base64url", key);
    cr_assert(eq(int,
                 sodium_base642bin(raw, sizeof raw, key, strlen(key), NULL, &len, NULL,
                                   sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                 0));
    cr_assert(eq(sz, len, API_KEY_BYTES));
    /* no ':' so that it travels in HTTP Basic after the user id */
    cr_assert(eq(ptr, strchr(key, ':'), NULL));
}

Test(api_credentials, user_id_is_api_and_hex, .init = init)
{
    char key[API_KEY_CHARS + 1], user[API_USER_ID_CHARS + 1];

    api_client_new_credentials(key, user);
    cr_assert(eq(sz, strlen(user), API_USER_ID_CHARS));
    cr_assert(eq(int, strncmp(user, "api-", 4), 0));
    for (const char *p = user + 4; *p; p++)
        cr_assert(strchr("0123456789abcdef", *p) != NULL, "user id %s", user);
}

Test(api_credentials, every_call_differs, .init = init)
{
    char k1[API_KEY_CHARS + 1], u1[API_USER_ID_CHARS + 1];
    char k2[API_KEY_CHARS + 1], u2[API_USER_ID_CHARS + 1];

    api_client_new_credentials(k1, u1);
    api_client_new_credentials(k2, u2);
    cr_assert(ne(str, k1, k2));
    cr_assert(ne(str, u1, u2));
}

Test(api_credentials, stored_hash_is_blake2b_256_of_the_key, .init = init)
{
    uint8_t a[API_KEY_HASH_BYTES], b[API_KEY_HASH_BYTES], c[API_KEY_HASH_BYTES];
    uint8_t want[API_KEY_HASH_BYTES];

    store_api_key_hash("abcdefghijklmnopqrstuvwxyz012345", a);
    store_api_key_hash("abcdefghijklmnopqrstuvwxyz012345", b);
    store_api_key_hash("abcdefghijklmnopqrstuvwxyz012346", c);
    crypto_generichash(want, sizeof want, (const unsigned char *)"abcdefghijklmnopqrstuvwxyz012345",
                       32, NULL, 0);
    cr_assert(eq(int, memcmp(a, b, sizeof a), 0));
    cr_assert(eq(int, memcmp(a, want, sizeof a), 0));
    cr_assert(ne(int, memcmp(a, c, sizeof a), 0));
}

/* cm_pg_opt (once store_opt) is tested in test_cm_pg.c. */

Test(store_helpers, scope_params)
{
    struct org_scope all = {1, "", ""}, user = {0, "11111111-1111-1111-1111-111111111111", ""},
                     client = {0, "", "22222222-2222-2222-2222-222222222222"};
    const char *v[3];

    store_scope_params(&all, v);
    cr_assert(eq(str, (char *)v[0], "t"));
    cr_assert(eq(ptr, (void *)v[1], NULL));
    cr_assert(eq(ptr, (void *)v[2], NULL));
    store_scope_params(&user, v);
    cr_assert(eq(str, (char *)v[0], "f"));
    cr_assert(eq(ptr, (void *)v[1], NULL));
    cr_assert(eq(str, (char *)v[2], "11111111-1111-1111-1111-111111111111"));
    store_scope_params(&client, v);
    cr_assert(eq(str, (char *)v[1], "22222222-2222-2222-2222-222222222222"));
    cr_assert(eq(ptr, (void *)v[2], NULL));
}
