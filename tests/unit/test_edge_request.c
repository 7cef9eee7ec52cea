/* test_edge_request.c: the edge's pure request pieces: route table,
 * credential parsing and the credential cache. */
// links: services/edge/routes.c services/edge/auth_header.c services/edge/auth_cache.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "../../services/edge/auth_cache.h"
#include "../../services/edge/auth_header.h"
#include "../../services/edge/routes.h"

/* By value: Criterion copies parameters into its worker processes. */
struct route_case {
    char path[64];
    char service[16]; /* "": no route */
};

ParameterizedTestParameters(edge_routes, sends_each_family_to_its_owner)
{
    static struct route_case cases[] = {
        {"/api/2015-02-01/util/test/1", "messaging"},
        {"/configure/groups/1/privacy", "privacy"},
        {"/v1/users/", "identity"},
        {"/v1/users/abc/disable/", "identity"},
        {"/v1/users", "identity"},
        {"/v1/login/", "identity"},
        {"/v1/individual-groups/1/", "authz"},
        {"/v2/individual-groups/", "authz"},
        {"/v2/internal-auth/", "identity"},
        {"/v1/individuals/", "authz"},
        {"/v1/sign-up/", "onboarding"},
        {"/v1/service-documents/", "onboarding"},
        {"/v1/user-checkins/", "onboarding"},
        {"/v1/anonymous-accesses/", "privacy"},
        {"/v1/deletion-requests/", "privacy"},
        {"/v1/email-logs/", "messaging"},
        {"/v1/user", ""},
        {"/v1/users-x/", ""},
        {"/v1/", ""},
        {"/v3/users/", ""},
        {"/", ""},
        {"/apix/", ""},
        {"/configure", ""},
    };
    return cr_make_param_array(struct route_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct route_case *c, edge_routes, sends_each_family_to_its_owner)
{
    const struct edge_route *r = edge_route_lookup(c->path);
    if (!c->service[0]) {
        cr_assert(r == NULL, "%s should have no route", c->path);
        return;
    }
    cr_assert(r != NULL, "%s should be routed", c->path);
    cr_assert(eq(str, (char *)r->service, c->service));
}

Test(edge_routes, only_the_api_and_configure_surfaces_demand_credentials)
{
    cr_assert(eq(int, edge_route_lookup("/api/x")->auth_required, 1));
    cr_assert(eq(int, edge_route_lookup("/configure/x")->auth_required, 1));
    cr_assert(eq(int, edge_route_lookup("/v1/login/")->auth_required, 0));
}

Test(edge_cred, reads_basic_credentials)
{
    struct edge_cred c;
    /* "user-1:secret:with:colons" */
    cr_assert(eq(int, edge_cred_parse("Basic dXNlci0xOnNlY3JldDp3aXRoOmNvbG9ucw==", NULL, &c),
                 EDGE_CRED_BASIC));
    cr_assert(eq(str, c.user, "user-1"));
    cr_assert(eq(str, c.secret, "secret:with:colons"));
}

Test(edge_cred, reads_api_keys_and_bearer_tokens)
{
    struct edge_cred c;
    cr_assert(eq(int, edge_cred_parse(NULL, "k-123", &c), EDGE_CRED_API_KEY));
    cr_assert(eq(str, c.secret, "k-123"));
    cr_assert(eq(int, edge_cred_parse("Bearer abc.def", NULL, &c), EDGE_CRED_BEARER));
    cr_assert(eq(str, c.secret, "abc.def"));
    cr_assert(eq(int, edge_cred_parse(NULL, NULL, &c), EDGE_CRED_NONE));
}

struct header_case {
    char value[48];
};

ParameterizedTestParameters(edge_cred, refuses_malformed_credentials)
{
    static struct header_case cases[] = {
        {"Basic !!!"},            /* not base64 */
        {"Basic dXNlcg=="},       /* "user": no colon */
        {"Basic OnNlY3JldA=="},   /* ":secret": empty user */
        {"Basic dXNlcjo="},       /* "user:": empty key */
        {"Basic dQl6aw=="},       /* "u\tzk"... control character in user */
        {"Digest abc"},
        {"Bearer "},
        {""},
    };
    return cr_make_param_array(struct header_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct header_case *c, edge_cred, refuses_malformed_credentials)
{
    struct edge_cred cred;
    cr_assert(eq(int, edge_cred_parse(c->value, NULL, &cred), EDGE_CRED_INVALID), "%s", c->value);
}

Test(edge_cred, refuses_oversized_keys)
{
    char key[EDGE_CRED_SECRET_MAX + 2];
    struct edge_cred c;

    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    cr_assert(eq(int, edge_cred_parse(NULL, key, &c), EDGE_CRED_INVALID));
}

Test(auth_cache, remembers_answers_until_they_expire)
{
    struct auth_cache cache;
    struct edge_cred a, b;
    uint8_t ka[AUTH_KEY_BYTES], kb[AUTH_KEY_BYTES];
    Envelope__Principal p = ENVELOPE__PRINCIPAL__INIT, out;
    const struct auth_entry *e;

    auth_cache_init(&cache, 64);
    edge_cred_parse(NULL, "key-a", &a);
    edge_cred_parse(NULL, "key-b", &b);
    auth_cache_key(&a, ka);
    auth_cache_key(&b, kb);
    cr_assert(memcmp(ka, kb, AUTH_KEY_BYTES) != 0);
    char *roles[] = {"admin", "provider"};
    p.kind = ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT;
    p.user_id = "api-user";
    p.organization_id = "11111111-1111-1111-1111-111111111111";
    p.roles = roles;
    p.n_roles = 2;
    auth_cache_put(&cache, ka, &p, 1000);
    auth_cache_put(&cache, kb, NULL, 1000);
    e = auth_cache_get(&cache, ka, 999);
    cr_assert(e != NULL && !e->denied);
    auth_entry_principal(e, &out);
    cr_assert(eq(str, out.user_id, "api-user"));
    cr_assert(eq(int, out.kind, ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT));
    cr_assert(eq(str, out.organization_id, "11111111-1111-1111-1111-111111111111"));
    cr_assert(eq(sz, out.n_roles, 2), "a cached answer keeps the client's roles");
    cr_assert(eq(str, out.roles[0], "admin"));
    cr_assert(eq(str, out.roles[1], "provider"));
    e = auth_cache_get(&cache, kb, 999);
    cr_assert(e != NULL && e->denied);
    cr_assert(auth_cache_get(&cache, ka, 1000) == NULL, "expired");
    auth_cache_release(&cache);
}

Test(auth_cache, basic_and_api_key_with_the_same_secret_differ)
{
    struct edge_cred a, b;
    uint8_t ka[AUTH_KEY_BYTES], kb[AUTH_KEY_BYTES];

    edge_cred_parse("Basic dTpr", NULL, &a); /* u:k */
    edge_cred_parse(NULL, "k", &b);
    auth_cache_key(&a, ka);
    auth_cache_key(&b, kb);
    cr_assert(memcmp(ka, kb, AUTH_KEY_BYTES) != 0);
}
