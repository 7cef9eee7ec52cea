/* test_edge_callers.c: which callers the clinical API (/api/<date>/...)
 * accepts at the edge (issue 9, finding 8): API clients only (Basic
 * user:key or x-api-key); a person's Bearer token from login, valid on /v1,
 * gets 401 in the /api style on util/test and on every administrative
 * operation, whatever the method. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "harness.h"

TestSuite(edge_callers, .timeout = 30);

struct api_call {
    const char *method;
    const char *path;
};

static const struct api_call api_calls[] = {
    {"GET", IT_UTIL_TEST},
    {"POST", IT_UTIL_TEST},
    {"PUT", IT_UTIL_TEST},
    {"GET", "/api/2015-02-01/admin/users"},
    {"POST", "/api/2015-02-01/admin/users"},
    {"GET", "/api/2015-02-01/services"},
    {"GET", "/api/2015-02-01/patients"},
    {"GET", "/api/2015-02-01/pagers"},
    {"GET", "/api/2015-02-01/recipient_groups"},
    {"GET", "/api/2016-10-01/user/search"},
    {"DELETE", "/api/2015-02-01/admin/users/1"},
};

ParameterizedTestParameters(edge_callers, api_refuses_a_users_bearer_token)
{
    IT_INDEX_PARAMS(api_calls);
}

/* A plain user logs in; the token works on /v1 and gets 401 on /api. */
ParameterizedTest(size_t *i, edge_callers, api_refuses_a_users_bearer_token)
{
    const struct api_call *c = &api_calls[*i];
    char username[128], id[40], token[AF_TOKEN_MAX], path[128];
    json_t *doc = NULL;
    struct it_resp r;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "caller", 1, 1, username, id);
    PQfinish(pg);
    cr_assert(eq(long, it_login(username, AF_PASSWORD, NULL, token, NULL), 201));
    snprintf(path, sizeof path, "/v1/users/%s/", id);
    /* the edge may still be fetching identity's keys (503) just after the stack started */
    for (double end = it_now_ms() + 10000;;) {
        long st = af_call("GET", path, token, NULL, &doc);
        json_decref(doc);
        doc = NULL;
        if (st != 503 || it_now_ms() > end) {
            cr_assert(eq(long, st, 200), "the token works on /v1");
            break;
        }
        usleep(100 * 1000);
    }
    it_call_token(&r, c->method, c->path, token, NULL);
    it_assert_error_style(&r, "cureatr", 401);
    cr_assert(it_header(&r, "WWW-Authenticate") != NULL, "%s %s: no WWW-Authenticate", c->method,
              c->path);
    it_resp_release(&r);
}

/* The platform admin's token too: on /api only API clients are callers. */
Test(edge_callers, api_refuses_the_platform_admins_bearer_token)
{
    char token[4097];
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token(token);
    it_call_token(&r, "GET", IT_UTIL_TEST, token, NULL);
    it_assert_error_style(&r, "cureatr", 401);
    it_resp_release(&r);
}

/* API clients still get through, with either credential form. */
Test(edge_callers, api_accepts_api_clients)
{
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_call(&r, "GET", IT_UTIL_TEST, IT_AUTH_BOOTSTRAP, NULL, NULL);
    cr_assert(eq(long, r.status, 200), "Basic: %ld %s", r.status, r.body);
    it_resp_release(&r);
    it_call(&r, "GET", IT_UTIL_TEST, IT_AUTH_API_KEY, NULL, NULL);
    cr_assert(eq(long, r.status, 200), "x-api-key: %ld %s", r.status, r.body);
    it_resp_release(&r);
}
