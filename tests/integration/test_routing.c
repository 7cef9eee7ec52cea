/* test_routing.c: what the edge and the services answer for paths and
 * methods they do not serve: 404 (edge: no owner; service: no operation),
 * 405 for a known path with
 * another method, each in the error style of its surface. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "harness.h"

TestSuite(routing, .timeout = 30);

struct miss {
    const char *method;
    const char *path;
    enum it_auth auth;
    const char *surface; /* "jsonapi", "cureatr", "okaya" */
    long status;
    const char *code; /* JSON:API errors[0].code, or NULL */
};

static const struct miss misses[] = {
    /* no service owns these: the edge answers */
    {"GET", "/nope", IT_AUTH_NONE, "jsonapi", 404, "not_found"},
    {"GET", "/", IT_AUTH_NONE, "jsonapi", 404, "not_found"},
    {"GET", "/v1/no-such-resource/", IT_AUTH_NONE, "jsonapi", 404, "not_found"},
    {"POST", "/v2/no-such-resource/", IT_AUTH_NONE, "jsonapi", 404, "not_found"},
    {"GET", "/v3/users/", IT_AUTH_NONE, "jsonapi", 404, "not_found"},
    /* owned surfaces, no such operation: the service answers */
    {"GET", "/api/2015-02-01/nope", IT_AUTH_BOOTSTRAP, "cureatr", 404, NULL},
    {"GET", "/api/2015-02-01/util/test", IT_AUTH_BOOTSTRAP, "cureatr", 404, NULL},
    {"GET", "/api/1999-01-01/util/test/1", IT_AUTH_BOOTSTRAP, "cureatr", 404, NULL},
    {"POST", "/configure/nope", IT_AUTH_API_KEY, "okaya", 404, NULL},
    {"GET", "/v1/users/1/no-such-action/", IT_AUTH_NONE, "jsonapi", 404, "not_found"},
    /* a built operation without credentials: the service answers 401 */
    {"GET", "/v1/email-logs/", IT_AUTH_NONE, "jsonapi", 401, "unauthorized"},
    /* known path, other method */
    {"DELETE", IT_UTIL_TEST, IT_AUTH_BOOTSTRAP, "cureatr", 405, NULL},
    {"PATCH", IT_UTIL_TEST, IT_AUTH_BOOTSTRAP, "cureatr", 405, NULL},
    {"DELETE", "/v1/users/", IT_AUTH_NONE, "jsonapi", 405, "method_not_allowed"},
    {"GET", "/v1/onboarding-info/", IT_AUTH_NONE, "jsonapi", 405, "method_not_allowed"},
    {"PUT", IT_PRIVACY_PATH, IT_AUTH_API_KEY, "okaya", 405, NULL},
};

ParameterizedTestParameters(routing, answers_unserved_paths_in_the_surface_style)
{
    IT_INDEX_PARAMS(misses);
}

ParameterizedTest(size_t *i, routing, answers_unserved_paths_in_the_surface_style)
{
    const struct miss *m = &misses[*i];
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_call(&r, m->method, m->path, m->auth, NULL, NULL);
    cr_assert(eq(long, r.status, m->status), "%s %s: %ld %s", m->method, m->path, r.status, r.body);
    it_assert_error_style(&r, m->surface, m->status);
    if (m->code) {
        json_t *doc = it_json(&r);
        json_t *e0 = json_array_get(json_object_get(doc, "errors"), 0);
        cr_assert(eq(str, (char *)json_string_value(json_object_get(e0, "code")), (char *)m->code),
                  "%s %s: %s", m->method, m->path, r.body);
        json_decref(doc);
    }
    it_resp_release(&r);
}

/* A method HTTP has but the edge does not take. */
Test(routing, refuses_methods_outside_the_allowed_set)
{
    struct it_resp r;
    json_t *doc;

    IT_REQUIRE_STACK();
    it_call(&r, "OPTIONS", IT_UTIL_TEST, IT_AUTH_BOOTSTRAP, NULL, NULL);
    /* a method HTTP defines is 405 with the methods the edge takes (RFC 9110
     * §15.5.6), in the clinical API's style; only unknown methods are 501 */
    it_assert_error_style(&r, "cureatr", 405);
    cr_assert(eq(str, (char *)it_header_str(&r, "Allow"), "GET, POST, PUT, PATCH, DELETE"), "%s", r.body);
    doc = it_json(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "message")), "method not allowed"),
              "%s", r.body);
    json_decref(doc);
    it_resp_release(&r);
}

/* The edge's own 404 is counted on its admin port. */
Test(routing, edge_counts_unrouted_requests)
{
    int port;
    double before, after;
    struct it_resp r;

    IT_REQUIRE_STACK();
    port = it_admin_port("edge", 1);
    before = it_metric(port, "requests_total", "route=\"unrouted\"", "status=\"404\"", NULL);
    it_call(&r, "GET", "/nope/counted", IT_AUTH_NONE, NULL, NULL);
    cr_assert(eq(long, r.status, 404));
    it_resp_release(&r);
    after = it_metric(port, "requests_total", "route=\"unrouted\"", "status=\"404\"", NULL);
    cr_assert(before >= 0 && after >= 0, "metrics scrape failed");
    cr_assert(eq(dbl, after - before, 1.0), "before %g after %g", before, after);
}
