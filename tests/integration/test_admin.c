/* test_admin.c: every daemon's admin port (DESIGN.md §2): /healthz, /readyz
 * and /metrics in Prometheus text, as Kubernetes probes and scrapers use
 * them. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "harness.h"

TestSuite(admin, .timeout = 30);

static const char *const daemons[] = {"edge",      "identity",   "authz",
                                      "messaging", "onboarding", "privacy"};

ParameterizedTestParameters(admin, reports_live_and_ready)
{
    IT_INDEX_PARAMS(daemons);
}

ParameterizedTest(size_t *i, admin, reports_live_and_ready)
{
    int port;

    IT_REQUIRE_STACK();
    port = it_admin_port(daemons[*i], 1);
    cr_assert(eq(long, it_admin_status(port, "healthz"), 200), "%s /healthz", daemons[*i]);
    cr_assert(eq(long, it_admin_status(port, "readyz"), 200), "%s /readyz", daemons[*i]);
    cr_assert(eq(long, it_admin_status(port, "no-such-page"), 404), "%s /no-such-page",
              daemons[*i]);
}

ParameterizedTestParameters(admin, serves_prometheus_text)
{
    IT_INDEX_PARAMS(daemons);
}

ParameterizedTest(size_t *i, admin, serves_prometheus_text)
{
    char url[128], label[64];
    struct it_req rq = {.url = url};
    struct it_resp r;

    IT_REQUIRE_STACK();
    snprintf(url, sizeof url, "http://127.0.0.1:%d/metrics", it_admin_port(daemons[*i], 1));
    cr_assert(eq(int, it_http(&rq, &r), 0), "%s", r.error);
    cr_assert(eq(long, r.status, 200));
    cr_assert(eq(int, strncmp(it_header_str(&r, "Content-Type"), "text/plain", 10), 0),
              "Content-Type %s", it_header_str(&r, "Content-Type"));
    cr_assert(strstr(r.body, "# TYPE requests_total counter\n") != NULL, "%.300s", r.body);
    snprintf(label, sizeof label, "service=\"%s\"", daemons[*i]);
    if (strstr(r.body, "requests_total{"))
        cr_assert(strstr(r.body, label) != NULL, "no %s label in %.300s", label, r.body);
    it_resp_release(&r);
}

/* A request through the edge shows in both the edge's and the service's
 * counters. */
Test(admin, counts_a_request_at_the_edge_and_the_service)
{
    int edge = 0, msg = 0;
    double e0, m0, e1 = 0, m1 = 0;
    struct it_resp r;

    IT_REQUIRE_STACK();
    edge = it_admin_port("edge", 1);
    msg = it_admin_port("messaging", 1);
    e0 = it_metric(edge, "requests_total", "status=\"200\"", NULL);
    m0 = it_metric(msg, "requests_total", "route=\"util.test\"", "status=\"200\"", NULL);
    it_call(&r, "GET", IT_UTIL_TEST, IT_AUTH_BOOTSTRAP, NULL, NULL);
    cr_assert(eq(long, r.status, 200));
    it_resp_release(&r);
    for (double end = it_now_ms() + 1000; it_now_ms() < end;) {
        e1 = it_metric(edge, "requests_total", "status=\"200\"", NULL);
        m1 = it_metric(msg, "requests_total", "route=\"util.test\"", "status=\"200\"", NULL);
        if (e1 > e0 && m1 > m0)
            break;
    }
    cr_assert(e1 > e0, "edge 200s: %g then %g", e0, e1);
    cr_assert(m1 > m0, "messaging util.test 200s: %g then %g", m0, m1);
}
