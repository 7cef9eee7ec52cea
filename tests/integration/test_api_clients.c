/* test_api_clients.c: suite "api_clients": API clients (service accounts)
 * of an organization over HTTP through the edge: the key shown once and
 * stored hashed, authenticating with HTTP Basic and x-api-key, the
 * client's organization and roles in its principal, rotate-key and revoke.
 *
 * The edge caches a positive API-key answer for AUTH_CACHE_TTL_MS (30 s by
 * default) but follows identity's ApiClientChanged events: a key it has
 * already accepted stops working there within about a second of a rotation
 * or revocation. The tests check both at identity
 * (identity.rpc.AuthenticateApiKey refuses at once) and at the edge, with a
 * key the edge had cached and with one it had not. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "identity.pb-c.h"
#include "test_users_fixtures.h"

#define CLIENTS "/v1/api-clients/"

/* A new client: its id, API user id and key. */
struct client {
    char id[UT_ID_LEN];
    char user[64];
    char key[64];
};

/* GET path with the API credential: Basic user:key when user is not NULL,
 * else x-api-key: key. Returns the status; the body to out when not NULL
 * (caller it_resp_release). */
static long api_get(const char *path, const char *user, const char *key, struct it_resp *out)
{
    char header[320], pair[160], b64[256];
    const char *headers[2] = {header, NULL};
    struct it_req rq = {.method = "GET", .path = path, .headers = headers};
    struct it_resp r;
    long status;

    if (user) {
        snprintf(pair, sizeof pair, "%s:%s", user, key);
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)pair, strlen(pair),
                          sodium_base64_VARIANT_ORIGINAL);
        snprintf(header, sizeof header, "Authorization: Basic %s", b64);
    } else {
        snprintf(header, sizeof header, "x-api-key: %s", key);
    }
    cr_assert(eq(int, it_http(&rq, &r), 0), "%s", r.error);
    status = r.status;
    if (out)
        *out = r;
    else
        it_resp_release(&r);
    return status;
}

/* identity.rpc.AuthenticateApiKey with key alone: the reply code. */
static int identity_accepts(const char *key)
{
    Identity__AuthenticateApiKeyRequest rq = IDENTITY__AUTHENTICATE_API_KEY_REQUEST__INIT;
    Envelope__RpcReply *r = NULL;
    int code;

    rq.api_key = (char *)key;
    code = ut_rpc("AuthenticateApiKey", &rq.base, &r);
    envelope__rpc_reply__free_unpacked(r, NULL);
    return code;
}

/* Reads a client with its api-key from a 201 response. */
static void client_of(const struct it_resp *r, struct client *c)
{
    json_t *doc = it_json(r), *d = json_object_get(doc, "data"),
           *a = json_object_get(d, "attributes");

    cr_assert(eq(str, (char *)json_string_value(json_object_get(d, "type")), "api-clients"));
    cr_assert(it_true(json_is_string(json_object_get(a, "api-key"))), "%.300s", r->body);
    snprintf(c->id, sizeof c->id, "%s", json_string_value(json_object_get(d, "id")));
    snprintf(c->user, sizeof c->user, "%s", json_string_value(json_object_get(a, "api-user-id")));
    snprintf(c->key, sizeof c->key, "%s", json_string_value(json_object_get(a, "api-key")));
    json_decref(doc);
}

/* POST /v1/api-clients/ with token for org with roles (a JSON array text);
 * asserts 201. */
static void client_create(const char *token, const char *org, const char *roles, struct client *c)
{
    char body[512], name[64];
    struct it_resp r;

    it_unique(name, sizeof name, "client-");
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"api-clients\",\"attributes\":{\"name\":\"%s\","
             "\"organization-id\":\"%s\",\"roles\":%s}},\"meta\":{}}",
             name, org, roles);
    it_call_token(&r, "POST", CLIENTS, token, body);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    client_of(&r, c);
    it_resp_release(&r);
}

/* An organization with an admin account. */
static void tenant(char *org, struct ut_user *admin)
{
    ut_org(org);
    ut_account(org, "admin", admin);
}

Test(api_clients, created_key_works_with_basic_and_x_api_key)
{
    char org[UT_ID_LEN], other[UT_ID_LEN], path[160];
    struct ut_user admin;
    struct client c;
    struct it_resp r;
    json_t *a;
    PGconn *pg;
    char *v;
    const char *params[2];

    IT_REQUIRE_STACK();
    tenant(org, &admin);
    ut_org(other);
    client_create(admin.token, org, "[\"admin\"]", &c);
    cr_assert(eq(int, strncmp(c.user, "api-", 4), 0));
    cr_assert(eq(sz, strlen(c.key), 43));

    /* The principal carries its organization and roles: with "admin" it
     * administers its organization's API clients. First use of the Basic
     * credential, so the edge asks identity (its cache keeps no roles yet:
     * see the report), and the answer reaches the service whole. */
    snprintf(path, sizeof path, CLIENTS "%s/", c.id);
    cr_assert(eq(long, api_get(path, c.user, c.key, &r), 200), "%.300s", r.body);
    a = ut_attrs_of(&r);
    /* the key is shown once only */
    cr_assert(it_true(json_object_get(a, "api-key") == NULL), "%.300s", r.body);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "organization-id")), org));
    cr_assert(eq(str, (char *)json_string_value(json_array_get(json_object_get(a, "roles"), 0)),
                 "admin"));
    cr_assert(it_true(json_is_null(json_object_get(a, "revoked-at"))));
    json_decref(a);
    it_resp_release(&r);

    cr_assert(eq(long, api_get(IT_UTIL_TEST, c.user, c.key, NULL), 200));
    cr_assert(eq(long, api_get(IT_UTIL_TEST, NULL, c.key, NULL), 200));
    cr_assert(eq(long, api_get(IT_UTIL_TEST, c.user, "wrong-key-wrong-key-wrong", NULL), 401));
    /* it sees its own organization and nothing of others */
    snprintf(path, sizeof path, "/v1/organizations/%s/", org);
    cr_assert(eq(long, api_get(path, NULL, c.key, NULL), 200));
    snprintf(path, sizeof path, "/v1/organizations/%s/", other);
    cr_assert(eq(long, api_get(path, NULL, c.key, NULL), 404));

    /* stored as its BLAKE2b-256 hash, never itself */
    pg = it_pg();
    params[0] = c.id;
    params[1] = c.key;
    v = it_pg_value(
        pg,
        "SELECT (length(key_hash) = 32 AND position(convert_to($2, 'UTF8') IN key_hash) "
        "= 0)::text FROM identity.api_clients WHERE id = $1",
        2, params);
    cr_assert(eq(str, v, "true"));
    free(v);
    v = it_pg_value(pg,
                    "SELECT count(*)::text FROM identity.outbox WHERE subject = "
                    "'evt.identity.api_client.changed' AND position(convert_to($1, 'UTF8') IN "
                    "payload) > 0",
                    1, params);
    cr_assert(eq(str, v, "1"), "one ApiClientChanged for the creation");
    free(v);
    PQfinish(pg);
}

Test(api_clients, list_and_read_are_per_tenant)
{
    char a[UT_ID_LEN], b[UT_ID_LEN];
    struct ut_user a_admin, b_admin, a_patient;
    struct client ca, cb;
    struct it_resp r;

    IT_REQUIRE_STACK();
    tenant(a, &a_admin);
    tenant(b, &b_admin);
    ut_account(a, "patient", &a_patient);
    client_create(a_admin.token, a, "[]", &ca);
    client_create(b_admin.token, b, "[\"provider\"]", &cb);

    it_call_token(&r, "GET", CLIENTS, a_admin.token, NULL);
    cr_assert(eq(long, r.status, 200));
    cr_assert(it_true(strstr(r.body, ca.id) && !strstr(r.body, cb.id)), "%.500s", r.body);
    it_resp_release(&r);
    /* another tenant's client: 404 with nothing of it */
    ut_call(&r, "GET", a_admin.token, NULL, CLIENTS "%s/", cb.id);
    ut_assert_error(&r, 404, NULL);
    cr_assert(it_true(strstr(r.body, cb.user) == NULL));
    it_resp_release(&r);
    ut_call(&r, "POST", a_admin.token, "{}", CLIENTS "%s/revoke/", cb.id);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    ut_call(&r, "POST", a_admin.token, NULL, CLIENTS "%s/rotate-key/", cb.id);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    cr_assert(eq(long, api_get(IT_UTIL_TEST, NULL, cb.key, NULL), 200), "b's key still works");
    /* a member who is not an admin manages none: the list is 403, a client 404 */
    it_call_token(&r, "GET", CLIENTS, a_patient.token, NULL);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    ut_call(&r, "GET", a_patient.token, NULL, CLIENTS "%s/", ca.id);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    /* the platform admin sees both */
    {
        char admin[4097];
        it_admin_token(admin);
        ut_call(&r, "GET", admin, NULL, CLIENTS "?filter[organization-id]=%s", b);
        cr_assert(eq(long, r.status, 200));
        cr_assert(it_true(strstr(r.body, cb.id) && !strstr(r.body, ca.id)), "%.500s", r.body);
        it_resp_release(&r);
    }
    ut_call(&r, "GET", a_admin.token, NULL, CLIENTS "%s/", "11111111-1111-1111-1111-111111111111");
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    it_call_token(&r, "GET", CLIENTS "?page[limit]=1001", a_admin.token, NULL);
    ut_assert_error(&r, 400, "page[limit]");
    it_resp_release(&r);
    it_call_token(&r, "GET", CLIENTS, NULL, NULL);
    ut_assert_error(&r, 401, NULL);
    it_resp_release(&r);
}

/* Polls util/test with user/key until the edge refuses it; the ms that
 * took, or -1 when it still worked after 3 s. */
static double ms_until_refused(const char *user, const char *key)
{
    double t0 = it_now_ms();

    while (it_now_ms() - t0 < 3000) {
        if (api_get(IT_UTIL_TEST, user, key, NULL) == 401)
            return it_now_ms() - t0;
        usleep(50 * 1000);
    }
    return -1;
}

Test(api_clients, revoke_stops_the_key)
{
    char org[UT_ID_LEN];
    struct ut_user admin;
    struct client used, unused;
    struct it_resp r;
    json_t *a;

    IT_REQUIRE_STACK();
    tenant(org, &admin);
    client_create(admin.token, org, "[]", &used);
    client_create(admin.token, org, "[]", &unused);
    cr_assert(eq(long, api_get(IT_UTIL_TEST, used.user, used.key, NULL), 200));

    ut_call(&r, "POST", admin.token, NULL, CLIENTS "%s/revoke/", used.id);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    a = ut_attrs_of(&r);
    cr_assert(it_true(json_is_string(json_object_get(a, "revoked-at"))));
    json_decref(a);
    it_resp_release(&r);
    /* identity refuses it at once; the edge, which had cached it, within a second */
    cr_assert(eq(int, identity_accepts(used.key), 4 /* CM_EDENIED */));
    {
        double waited = ms_until_refused(used.user, used.key);
        cr_assert(ge(dbl, waited, 0.0), "the revoked key still works at the edge after 3 s");
        cr_assert(lt(dbl, waited, 1500.0), "refused at the edge only after %.0f ms", waited);
    }

    ut_call(&r, "POST", admin.token, "{}", CLIENTS "%s/revoke/", unused.id);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
    cr_assert(eq(long, api_get(IT_UTIL_TEST, NULL, unused.key, NULL), 401));
    cr_assert(eq(long, api_get(IT_UTIL_TEST, unused.user, unused.key, NULL), 401));
    /* again: still 201, nothing changes; a revoked client cannot rotate */
    ut_call(&r, "POST", admin.token, NULL, CLIENTS "%s/revoke/", unused.id);
    cr_assert(eq(long, r.status, 201));
    it_resp_release(&r);
    ut_call(&r, "POST", admin.token, NULL, CLIENTS "%s/rotate-key/", unused.id);
    ut_assert_error(&r, 409, NULL);
    it_resp_release(&r);
    /* listed only with filter[include-revoked] */
    it_call_token(&r, "GET", CLIENTS, admin.token, NULL);
    cr_assert(it_true(strstr(r.body, unused.id) == NULL), "%.500s", r.body);
    it_resp_release(&r);
    it_call_token(&r, "GET", CLIENTS "?filter[include-revoked]=true", admin.token, NULL);
    cr_assert(it_true(strstr(r.body, unused.id) != NULL), "%.500s", r.body);
    it_resp_release(&r);
}

Test(api_clients, rotate_gives_a_new_key_and_the_old_one_stops)
{
    char org[UT_ID_LEN];
    struct ut_user admin;
    struct client c, fresh, rotated;
    struct it_resp r;

    IT_REQUIRE_STACK();
    tenant(org, &admin);
    client_create(admin.token, org, "[]", &c);
    cr_assert(eq(long, api_get(IT_UTIL_TEST, NULL, c.key, NULL), 200));
    ut_call(&r, "POST", admin.token, "{}", CLIENTS "%s/rotate-key/", c.id);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    client_of(&r, &rotated);
    it_resp_release(&r);
    cr_assert(eq(str, rotated.id, c.id));
    cr_assert(eq(str, rotated.user, c.user));
    cr_assert(ne(str, rotated.key, c.key));
    cr_assert(eq(long, api_get(IT_UTIL_TEST, c.user, rotated.key, NULL), 200));
    cr_assert(eq(long, api_get(IT_UTIL_TEST, NULL, rotated.key, NULL), 200));
    cr_assert(eq(int, identity_accepts(c.key), 4 /* CM_EDENIED */));
    cr_assert(eq(int, identity_accepts(rotated.key), 0));
    /* the old key, cached by the edge, stops there within a second */
    {
        double waited = ms_until_refused(NULL, c.key);
        cr_assert(ge(dbl, waited, 0.0), "the rotated-out key still works at the edge after 3 s");
        cr_assert(lt(dbl, waited, 1500.0), "refused at the edge only after %.0f ms", waited);
    }
    cr_assert(eq(long, api_get(IT_UTIL_TEST, c.user, rotated.key, NULL), 200));

    /* an old key the edge never saw is refused there at once */
    client_create(admin.token, org, "[]", &fresh);
    ut_call(&r, "POST", admin.token, NULL, CLIENTS "%s/rotate-key/", fresh.id);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    client_of(&r, &rotated);
    it_resp_release(&r);
    cr_assert(eq(long, api_get(IT_UTIL_TEST, fresh.user, fresh.key, NULL), 401));
    cr_assert(eq(long, api_get(IT_UTIL_TEST, fresh.user, rotated.key, NULL), 200));
}

Test(api_clients, create_refuses_bad_input_and_non_admins)
{
    static const struct {
        const char *attrs, *source;
    } bad[] = {
        {"{}", "/data/attributes/name"},
        {"{\"name\":7}", "/data/attributes/name"},
        {"{\"name\":\"x\",\"roles\":\"admin\"}", "/data/attributes/roles"},
        {"{\"name\":\"x\",\"roles\":[1]}", "/data/attributes/roles/0"},
        {"{\"name\":\"x\",\"roles\":[\"admin\",\"admin\"]}", "/data/attributes/roles/1"},
        {"{\"name\":\"x\",\"roles\":[\"wizard\"]}", "/data/attributes/roles"},
        {"{\"name\":\"x\",\"roles\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\","
         "\"j\",\"k\",\"l\",\"m\",\"n\",\"o\",\"p\",\"q\"]}",
         "/data/attributes/roles"},
        {"{\"name\":\"x\",\"organization-id\":\"x\"}", "/data/attributes/organization-id"},
        {"{\"name\":\"x\",\"api-key\":\"mine\"}", "/data/attributes/api-key"},
    };
    char org[UT_ID_LEN], other[UT_ID_LEN], body[1024], name[64];
    struct ut_user admin, patient;
    struct client c;
    struct it_resp r;

    IT_REQUIRE_STACK();
    tenant(org, &admin);
    ut_org(other);
    ut_account(org, "patient", &patient);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(body, sizeof body, "{\"data\":{\"type\":\"api-clients\",\"attributes\":%s}}",
                 bad[i].attrs);
        it_call_token(&r, "POST", CLIENTS, admin.token, body);
        ut_assert_error(&r, 400, bad[i].source);
        it_resp_release(&r);
    }
    it_call_token(&r, "POST", CLIENTS, admin.token, "{\"data\":{\"type\":\"users\"}}");
    ut_assert_error(&r, 400, "/data/type");
    it_resp_release(&r);
    it_call_token(&r, "POST", CLIENTS, admin.token, "{");
    ut_assert_error(&r, 400, NULL);
    it_resp_release(&r);
    /* the organization defaults to the caller's current one */
    it_unique(name, sizeof name, "svc-");
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"api-clients\",\"attributes\":{\"name\":\"%s\"}}}", name);
    it_call_token(&r, "POST", CLIENTS, admin.token, body);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    client_of(&r, &c);
    cr_assert(it_true(strstr(r.body, org) != NULL));
    it_resp_release(&r);
    /* the same name again while active: 409 */
    it_call_token(&r, "POST", CLIENTS, admin.token, body);
    ut_assert_error(&r, 409, "/data/attributes/name");
    it_resp_release(&r);
    /* a member who is not an admin: 403; another tenant's organization: 404 */
    it_call_token(&r, "POST", CLIENTS, patient.token, body);
    ut_assert_error(&r, 403, "/data/attributes/organization-id");
    it_resp_release(&r);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"api-clients\",\"attributes\":{\"name\":\"%s\","
             "\"organization-id\":\"%s\"}}}",
             name, other);
    it_call_token(&r, "POST", CLIENTS, admin.token, body);
    ut_assert_error(&r, 404, "/data/attributes/organization-id");
    it_resp_release(&r);
    it_call_token(&r, "POST", CLIENTS, NULL, body);
    ut_assert_error(&r, 401, NULL);
    it_resp_release(&r);
    /* actions take no input */
    ut_call(&r, "POST", admin.token, "{\"force\":true}", CLIENTS "%s/revoke/", c.id);
    ut_assert_error(&r, 400, "/force");
    it_resp_release(&r);
}
