/* test_edge_callers.c: which callers the clinical API (/api/<date>/...)
 * accepts at the edge (issue 9, finding 8): API clients (Basic user:key or
 * x-api-key); a person's Bearer token from login, valid on /v1, gets 401 in
 * the /api style on util/test and on every administrative operation,
 * whatever the method, and reaches messaging only on the five operations a
 * person makes in their own threads (issue 11: services/edge/api_persons.h),
 * where messaging decides. */
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
    {"POST", "/api/2014-08-01/thread/create"},
    {"POST", "/api/2014-08-01/page"},
    {"POST", "/api/2014-08-01/patients"},
    {"PUT", "/api/2014-08-01/message/1/status"},
    {"GET", "/api/2014-08-01/thread/1/messages/x"},
};

/* The operations of a person in their own threads (api_persons.h). */
static const struct api_call person_calls[] = {
    {"GET", "/api/2014-08-01/thread/1/messages"},
    {"POST", "/api/2014-08-01/message"},
    {"GET", "/api/2017-09-01/message/1/contents"},
    {"GET", "/api/2014-08-01/message/1/status"},
    {"GET", "/api/2016-11-01/user/counters/someone"},
};

ParameterizedTestParameters(edge_callers, api_refuses_a_users_bearer_token)
{
    IT_INDEX_PARAMS(api_calls);
}

/* A plain user (no organization) logged in, whose token works on /v1. */
static void logged_in_user(char *token)
{
    char username[128], id[40], path[128];
    json_t *doc = NULL;
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
}

/* A plain user logs in; the token works on /v1 and gets 401 on /api. */
ParameterizedTest(size_t *i, edge_callers, api_refuses_a_users_bearer_token)
{
    const struct api_call *c = &api_calls[*i];
    char token[AF_TOKEN_MAX];
    struct it_resp r;

    IT_REQUIRE_STACK();
    logged_in_user(token);
    it_call_token(&r, c->method, c->path, token, NULL);
    it_assert_error_style(&r, "cureatr", 401);
    cr_assert(it_header(&r, "WWW-Authenticate") != NULL, "%s %s: no WWW-Authenticate", c->method,
              c->path);
    it_resp_release(&r);
}

ParameterizedTestParameters(edge_callers, api_lets_a_persons_token_reach_their_operations)
{
    IT_INDEX_PARAMS(person_calls);
}

/* On a person's own operations the edge forwards the token's principal and
 * messaging decides: this user belongs to no organization, so 403 "not
 * authorized" (not the edge's 401). */
ParameterizedTest(size_t *i, edge_callers, api_lets_a_persons_token_reach_their_operations)
{
    const struct api_call *c = &person_calls[*i];
    char token[AF_TOKEN_MAX];
    struct it_resp r;
    json_t *doc;

    IT_REQUIRE_STACK();
    logged_in_user(token);
    it_call_token(&r, c->method, c->path, token, !strcmp(c->method, "POST") ? "{}" : NULL);
    doc = it_json(&r);
    cr_assert(r.status == 403 || r.status == 400, "%s %s: %ld %s", c->method, c->path, r.status,
              r.body);
    it_assert_error_style(&r, "cureatr", r.status);
    cr_assert(strcmp(json_string_value(json_object_get(doc, "message")) ?: "",
                     "API client credentials required") != 0);
    json_decref(doc);
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
