/* test_zz_resilience.c: the suite when parts of it stop, hang, multiply or
 * lose NATS: 503 with no responders, 504 when a service does not answer,
 * queue-group load sharing between two copies, reconnection after a NATS
 * restart, readiness that means "serving". Also what the edge forwards,
 * seen by a stand-in service on NATS.
 *
 * These tests disturb the shared stack; each test puts back what it changed
 * (in its .fini, which also runs when an assertion fails) and leaves the
 * stack whole and ready (it_stack_restore), so the suite may run in any
 * order (zz_ only groups the disturbing suites). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <curl/curl.h>
#include <nats/nats.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "envelope.pb-c.h"
#include "auth_fixtures.h"
#include "harness.h"

TestSuite(zz_resilience, .timeout = 90);

static double request_timeout_ms(void)
{
    const char *v = it_env("REQUEST_TIMEOUT_MS");
    return v[0] ? atof(v) : 2000.0;
}

static void stop(const char *svc, const char *inst)
{
    int rc = it_stack(NULL, 0, "stop", svc, inst, NULL);
    cr_assert(eq(int, rc, 0), "stack.sh stop %s %s failed", svc, inst ? inst : "");
}

static void start(const char *svc, const char *inst)
{
    int rc = it_stack(NULL, 0, "start", svc, inst, NULL);
    cr_assert(eq(int, rc, 0), "stack.sh start %s %s failed", svc, inst ? inst : "");
}

/* .fini helpers: put the stack back whatever happened; no asserts here. */
static void restore_privacy(void)
{
    it_stack(NULL, 0, "start", "privacy", NULL);
    it_stack_restore(30000);
}

static void restore_identity(void)
{
    it_stack(NULL, 0, "start", "identity", NULL);
    it_stack_restore(30000);
}

static void restore_messaging(void)
{
    it_stack(NULL, 0, "stop", "messaging", "2", NULL);
    it_stack_restore(30000);
}

static void restore_edge_and_privacy(void)
{
    it_stack(NULL, 0, "start", "edge", NULL);
    it_stack(NULL, 0, "start", "privacy", NULL);
    it_stack_restore(30000);
}

static void restore_nats(void)
{
    if (it_have_stack()) {
        it_stack(NULL, 0, "start-nats", NULL);
        it_stack_restore(30000);
    }
}

/* --- a stand-in for the privacy service on NATS --- */

struct fake {
    natsConnection *nc;
    natsSubscription *sub;
    pthread_mutex_t mu;
    int reply;                    /* 1: answer with a canned HttpResponse */
    int delay_ms;                 /* before answering */
    int seen;                     /* requests received */
    Envelope__HttpRequest *first; /* the first one, unpacked */
};

static void on_fake_msg(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    struct fake *f = closure;
    Envelope__HttpRequest *in = envelope__http_request__unpack(
        NULL, (size_t)natsMsg_GetDataLength(msg), (const uint8_t *)natsMsg_GetData(msg));
    (void)sub;

    pthread_mutex_lock(&f->mu);
    f->seen++;
    if (!f->first)
        f->first = in;
    else
        envelope__http_request__free_unpacked(in, NULL);
    pthread_mutex_unlock(&f->mu);
    if (f->reply && f->delay_ms)
        usleep((useconds_t)f->delay_ms * 1000);
    if (f->reply && natsMsg_GetReply(msg)) {
        Envelope__HttpResponse resp = ENVELOPE__HTTP_RESPONSE__INIT;
        Envelope__Header h[4] = {ENVELOPE__HEADER__INIT, ENVELOPE__HEADER__INIT,
                                 ENVELOPE__HEADER__INIT, ENVELOPE__HEADER__INIT};
        Envelope__Header *hs[4] = {&h[0], &h[1], &h[2], &h[3]};
        static const char body[] = "{\"fake\":true}";
        uint8_t buf[1024];
        size_t len;

        h[0].name = "content-type", h[0].value = "application/vnd.fake+json";
        h[1].name = "x-fake", h[1].value = "yes";
        h[2].name = "content-length", h[2].value = "999";
        h[3].name = "x-request-id", h[3].value = "forged-by-service";
        resp.status = 202;
        resp.headers = hs;
        resp.n_headers = 4;
        resp.body.data = (uint8_t *)body;
        resp.body.len = sizeof body - 1;
        len = envelope__http_response__pack(&resp, buf);
        natsConnection_Publish(nc, natsMsg_GetReply(msg), buf, (int)len);
    }
    natsMsg_Destroy(msg);
}

/* Subscribes f to "privacy.http" in queue group "privacy", as privacy would. */
static void fake_start(struct fake *f, int reply)
{
    natsStatus s;

    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    f->reply = reply;
    s = natsConnection_ConnectTo(&f->nc, it_env("TEST_NATS_URL"));
    if (s == NATS_OK)
        s = natsConnection_QueueSubscribe(&f->sub, f->nc, "privacy.http", "privacy", on_fake_msg,
                                          f);
    if (s == NATS_OK)
        s = natsConnection_Flush(f->nc);
    cr_assert(eq(int, s, NATS_OK), "fake privacy on %s: %s", it_env("TEST_NATS_URL"),
              natsStatus_GetText(s));
}

static void fake_stop(struct fake *f)
{
    if (f->sub) {
        natsSubscription_Unsubscribe(f->sub);
        natsSubscription_Destroy(f->sub);
    }
    if (f->nc) {
        natsConnection_Close(f->nc);
        natsConnection_Destroy(f->nc);
    }
    envelope__http_request__free_unpacked(f->first, NULL);
    pthread_mutex_destroy(&f->mu);
    nats_Close();
}

/* --- (a) no responders --- */

Test(zz_resilience, answers_503_at_once_when_privacy_is_down, .fini = restore_privacy)
{
    struct it_resp r;
    int ok = 0;

    IT_REQUIRE_STACK();
    it_call(&r, "POST", IT_PRIVACY_PATH, IT_AUTH_API_KEY, "application/json", "{}");
    cr_assert(eq(long, r.status, 404), "before: %ld %s", r.status, r.body); /* privacy answers */
    it_resp_release(&r);

    stop("privacy", NULL);
    it_call(&r, "POST", IT_PRIVACY_PATH, IT_AUTH_API_KEY, "application/json", "{}");
    it_assert_error_style(&r, "okaya", 503);
    cr_assert(r.ms < 1500, "503 took %.0f ms", r.ms);
    it_resp_release(&r);
    /* JSON:API surface of the same service */
    it_call(&r, "POST", "/v1/deletion-requests/", IT_AUTH_NONE, "application/json", "{}");
    it_assert_error_style(&r, "jsonapi", 503);
    cr_assert(r.ms < 1500, "503 took %.0f ms", r.ms);
    it_resp_release(&r);

    start("privacy", NULL);
    for (double end = it_now_ms() + 5000; !ok && it_now_ms() < end;) {
        it_call(&r, "POST", IT_PRIVACY_PATH, IT_AUTH_API_KEY, "application/json", "{}");
        ok = r.status == 404; /* privacy's answer to the bootstrap client */
        it_resp_release(&r);
        if (!ok)
            usleep(50 * 1000);
    }
    cr_assert(ok, "privacy did not answer 404 again within 5 s of its restart");
}

/* Credentials that are not cached cannot be checked without identity: that
 * is "unavailable", not "wrong". */
Test(zz_resilience, answers_503_for_unchecked_credentials_when_identity_is_down,
     .fini = restore_identity)
{
    const char *hs[] = {"Authorization: Basic aXQtbmV2ZXItY2FjaGVkOmtleS0wMTIzNDU2Nzg5",
                        NULL}; /* it-never-cached:key-0123456789 */
    struct it_req rq = {.path = IT_UTIL_TEST, .headers = hs};
    struct it_resp r;

    IT_REQUIRE_STACK();
    stop("identity", NULL);
    cr_assert(eq(int, it_http(&rq, &r), 0), "%s", r.error);
    it_assert_error_style(&r, "cureatr", 503);
    cr_assert(r.ms < 1500, "503 took %.0f ms", r.ms);
    it_resp_release(&r);
    start("identity", NULL);
    cr_assert(it_wait_util_test_ok(5000), "util/test does not work after identity's restart");
}

/* --- (b) a service that takes the request and never answers --- */

Test(zz_resilience, answers_504_when_privacy_does_not_reply, .fini = restore_privacy)
{
    struct fake f;
    struct it_resp r;
    double t = request_timeout_ms();

    IT_REQUIRE_STACK();
    stop("privacy", NULL);
    fake_start(&f, 0);
    it_call(&r, "POST", IT_PRIVACY_PATH, IT_AUTH_API_KEY, "application/json", "{}");
    fake_stop(&f);
    it_assert_error_style(&r, "okaya", 504);
    cr_assert(r.ms >= t * 0.75 && r.ms <= t * 2, "504 after %.0f ms (REQUEST_TIMEOUT_MS %.0f)",
              r.ms, t);
    cr_assert(eq(int, f.seen, 1), "the stand-in saw %d requests", f.seen);
    it_resp_release(&r);
    start("privacy", NULL);
}

/* What reaches a service: the principal the edge authenticated, the request
 * id, the request itself, and no credentials. What comes back: the
 * service's status, body and headers, except the ones the edge owns. */
Test(zz_resilience, forwards_the_request_without_credentials, .fini = restore_privacy)
{
    const char *hs[] = {"Content-Type: application/json",
                        "X-Request-Id: it-forward-1",
                        "X-Api-Key: some-other-key-0123456789",
                        "Proxy-Authorization: Basic eDp5",
                        "X-Custom: kept",
                        NULL};
    struct it_req rq = {.method = "POST",
                        .path = IT_PRIVACY_PATH "?a=1&b=2",
                        .auth = IT_AUTH_BOOTSTRAP,
                        .headers = hs,
                        .body = "{\"k\":1}",
                        .body_len = 7};
    const Envelope__HttpRequest *in;
    struct fake f;
    struct it_resp r;

    IT_REQUIRE_STACK();
    stop("privacy", NULL);
    fake_start(&f, 1);
    cr_assert(eq(int, it_http(&rq, &r), 0), "%s", r.error);
    cr_assert(eq(long, r.status, 202), "%ld %s", r.status, r.body);
    cr_assert(eq(str, r.body, "{\"fake\":true}"));
    cr_assert(eq(str, (char *)it_header_str(&r, "X-Fake"), "yes"));
    cr_assert(eq(str, (char *)it_header_str(&r, "Content-Type"), "application/vnd.fake+json"));
    cr_assert(eq(str, (char *)it_header_str(&r, "X-Request-Id"), "it-forward-1"));
    cr_assert(eq(str, (char *)it_header_str(&r, "Content-Length"), "13"));
    it_resp_release(&r);

    pthread_mutex_lock(&f.mu);
    in = f.first;
    pthread_mutex_unlock(&f.mu);
    cr_assert(in != NULL, "the stand-in got nothing (or could not unpack it)");
    cr_assert(eq(str, in->request_id, "it-forward-1"));
    cr_assert(eq(str, in->method, "POST"));
    cr_assert(eq(str, in->path, IT_PRIVACY_PATH));
    cr_assert(eq(str, in->query, "a=1&b=2"));
    cr_assert(eq(int, in->surface, ENVELOPE__SURFACE__SURFACE_OKAYA));
    cr_assert(eq(sz, in->body.len, 7));
    cr_assert(eq(int, memcmp(in->body.data, "{\"k\":1}", 7), 0));
    cr_assert(in->principal != NULL, "no principal");
    cr_assert(eq(int, in->principal->kind, ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT));
    cr_assert(eq(str, in->principal->user_id, (char *)it_env("TEST_API_USER")));
    cr_assert(strlen(in->principal->client_id) > 0, "no client id");
    for (size_t i = 0; i < in->n_headers; i++) {
        const char *name = in->headers[i]->name;
        for (const char *c = name; *c; c++)
            cr_assert(it_true(*c < 'A' || *c > 'Z'), "header name %s is not lower-case", name);
        cr_assert(strcmp(name, "authorization") && strcmp(name, "x-api-key") &&
                      strcmp(name, "proxy-authorization"),
                  "credential header %s forwarded", name);
        cr_assert(strstr(in->headers[i]->value, it_env("TEST_API_KEY")) == NULL,
                  "the API key is forwarded in %s", name);
    }
    {
        int custom = 0;
        for (size_t i = 0; i < in->n_headers; i++)
            custom |=
                !strcmp(in->headers[i]->name, "x-custom") && !strcmp(in->headers[i]->value, "kept");
        cr_assert(custom, "x-custom not forwarded");
    }
    fake_stop(&f);
    start("privacy", NULL);
}

/* --- (c) two copies of a service share its queue group --- */

static double util_test_count(int port)
{
    return it_metric(port, "requests_total", "service=\"messaging\"", "route=\"util.test\"", NULL);
}

Test(zz_resilience, spreads_requests_over_two_messaging_copies, .fini = restore_messaging)
{
    int p1, p2;
    double b1, b2, d1 = 0, d2 = 0;

    IT_REQUIRE_STACK();
    p1 = it_admin_port("messaging", 1);
    p2 = it_admin_port("messaging", 2);
    cr_assert(ne(int, p1, p2));
    start("messaging", "2");
    b1 = util_test_count(p1);
    b2 = util_test_count(p2);
    cr_assert(b1 >= 0 && b2 >= 0, "metrics scrape failed");
    for (int i = 0; i < 200; i++) {
        struct it_resp r;
        it_call(&r, "GET", IT_UTIL_TEST, IT_AUTH_BOOTSTRAP, NULL, NULL);
        cr_assert(eq(long, r.status, 200), "request %d: %ld %s", i, r.status, r.body);
        it_resp_release(&r);
    }
    /* the counters move right after each reply is sent: allow them a moment */
    for (double end = it_now_ms() + 2000; it_now_ms() < end; usleep(50 * 1000)) {
        d1 = util_test_count(p1) - b1;
        d2 = util_test_count(p2) - b2;
        if (d1 + d2 >= 200)
            break;
    }
    cr_assert(d1 > 0, "instance 1 served none of 200 (instance 2: %g)", d2);
    cr_assert(d2 > 0, "instance 2 served none of 200 (instance 1: %g)", d1);
    cr_assert(d1 + d2 >= 200, "counted %g + %g of 200", d1, d2);
    stop("messaging", "2");
}

/* --- (d) NATS goes away and comes back --- */

Test(zz_resilience, reconnects_after_a_nats_restart, .fini = restore_nats)
{
    static const char *const daemons[] = {"edge",      "identity",   "authz",
                                          "messaging", "onboarding", "privacy"};
    long pids[6];
    double t0;
    int rc;

    IT_REQUIRE_STACK();
    for (int i = 0; i < 6; i++) {
        pids[i] = it_pid_of(daemons[i]);
        cr_assert(pids[i] > 0, "no pid file for %s", daemons[i]);
    }
    rc = it_stack(NULL, 0, "restart-nats", NULL);
    cr_assert(eq(int, rc, 0), "stack.sh restart-nats failed");
    t0 = it_now_ms();
    cr_assert(it_wait_util_test_ok(15000), "util/test not 200 within 15 s of the NATS restart");
    cr_assert(it_wait_all_ready(15000 - (it_now_ms() - t0)),
              "not every daemon is ready within 15 s of the NATS restart");
    for (int i = 0; i < 6; i++) {
        cr_assert(eq(long, it_pid_of(daemons[i]), pids[i]), "%s was restarted", daemons[i]);
        cr_assert(eq(int, kill((pid_t)pids[i], 0), 0), "%s (pid %ld) is gone", daemons[i], pids[i]);
    }
    /* and the privacy route answers again too */
    {
        struct it_resp r;
        it_call(&r, "POST", IT_PRIVACY_PATH, IT_AUTH_API_KEY, "application/json", "{}");
        cr_assert(eq(long, r.status, 404), "%ld %s", r.status, r.body); /* privacy answers */
        it_resp_release(&r);
    }
}

/* The edge's revocation feed survives a NATS restart: a session revoked
 * afterwards (a reused refresh token) is still refused at the edge. */
Test(zz_resilience, revocations_reach_the_edge_after_a_nats_restart, .fini = restore_nats)
{
    char username[128], id[40], refresh[AF_TOKEN_MAX], access[AF_TOKEN_MAX], body[AF_TOKEN_MAX + 64];
    char self[80];
    PGconn *pg = it_pg();
    json_t *doc = NULL;
    double t0, waited = -1;
    int rc;

    IT_REQUIRE_STACK();
    af_user(pg, "it-revnats", 1, 1, username, id);
    PQfinish(pg);
    snprintf(self, sizeof self, "/v1/users/%s/", id);
    cr_assert(eq(long, af_login(username, AF_PASSWORD, NULL, &doc), 201));
    snprintf(access, sizeof access, "%s", af_str(doc, "access-token"));
    snprintf(refresh, sizeof refresh, "%s", af_str(doc, "refresh-token"));
    json_decref(doc);
    rc = it_stack(NULL, 0, "restart-nats", NULL);
    cr_assert(eq(int, rc, 0), "stack.sh restart-nats failed");
    cr_assert(it_wait_all_ready(15000), "not every daemon is ready after the NATS restart");
    cr_assert(eq(long, af_call("GET", self, access, NULL, NULL), 200),
              "the access token works after the restart");
    snprintf(body, sizeof body, "{\"refresh-token\":\"%s\"}", refresh);
    cr_assert(eq(long, af_call("POST", "/v1/refresh-token/", NULL, body, NULL), 201));
    cr_assert(eq(long, af_call("POST", "/v1/refresh-token/", NULL, body, &doc), 401),
              "reusing a rotated refresh token is refused");
    cr_assert(it_true(strstr(af_error(doc, 401, "/refresh-token"), "already used") != NULL));
    json_decref(doc);
    doc = NULL;
    t0 = it_now_ms();
    while (it_now_ms() - t0 < 5000) {
        if (af_call("GET", self, access, NULL, NULL) == 401) {
            waited = it_now_ms() - t0;
            break;
        }
        usleep(50 * 1000);
    }
    cr_assert(ge(dbl, waited, 0.0), "the revoked session's token was still accepted 5 s later");
    cr_log_info("revocation after a NATS restart reached the edge in %.0f ms", waited);
}

/* While NATS is down the edge answers at once, in style, and does not hang. */
Test(zz_resilience, answers_503_while_nats_is_down, .fini = restore_nats)
{
    struct it_resp r;
    json_t *doc;
    int rc;

    IT_REQUIRE_STACK();
    rc = it_stack(NULL, 0, "stop-nats", NULL);
    cr_assert(eq(int, rc, 0), "stack.sh stop-nats failed");
    it_call(&r, "POST", "/v1/deletion-requests/", IT_AUTH_NONE, "application/json", "{}");
    /* a stopped nats-server closes its connections: the edge's link is down
     * (or drops while the request is in flight), never a timeout */
    it_assert_error_style(&r, "jsonapi", 503);
    doc = it_json(&r);
    cr_assert(eq(str, (char *)af_error(doc, 503, NULL), "service unavailable, retry later"), "%s", r.body);
    json_decref(doc);
    cr_assert(r.ms <= request_timeout_ms() * 2, "took %.0f ms", r.ms);
    it_resp_release(&r);
    rc = it_stack(NULL, 0, "start-nats", NULL);
    cr_assert(eq(int, rc, 0), "stack.sh start-nats failed");
    cr_assert(it_wait_util_test_ok(15000), "util/test not 200 within 15 s of NATS coming back");
}

/* --- readiness means serving --- */

#define MAX_PROBES 20000
#define PROBERS 4

/* Requests sent back to back, over one kept-alive connection, while a
 * service starts: when each left, and what it got. */
struct prober {
    volatile int *stop;
    int n;
    double sent_ms[MAX_PROBES];
    long status[MAX_PROBES];
};

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
    (void)data;
    (void)arg;
    return size * n;
}

static void *probe_privacy(void *arg)
{
    struct prober *p = arg;
    struct curl_slist *hs = curl_slist_append(NULL, "Content-Type: application/json");
    char url[256];
    CURL *c = curl_easy_init();

    snprintf(url, sizeof url, "%s/v1/deletion-requests/", it_env("TEST_EDGE_URL"));
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    while (!*p->stop && p->n < MAX_PROBES) {
        long status = 0;
        double t = it_now_ms();
        if (curl_easy_perform(c) == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        p->sent_ms[p->n] = t;
        p->status[p->n] = status;
        p->n++;
        if (status == 401) /* privacy's answer to an anonymous deletion request */
            break;
    }
    curl_easy_cleanup(c);
    curl_slist_free_all(hs);
    return NULL;
}

/* One restart of privacy under PROBERS threads of requests; returns when
 * /readyz first said 200 (0: never). */
static double restart_under_probe(int port, struct prober *p)
{
    double deadline, ready_ms = 0;
    volatile int stop_probes = 0;
    pthread_t t[PROBERS];
    pid_t child;
    int status;

    memset(p, 0, PROBERS * sizeof *p);
    stop("privacy", NULL);
    child = fork(); /* before the threads: the child runs stack.sh and nothing else */
    cr_assert(child >= 0);
    if (child == 0)
        _exit(it_stack(NULL, 0, "start", "privacy", NULL) == 0 ? 0 : 1);
    for (int i = 0; i < PROBERS; i++) {
        p[i].stop = &stop_probes;
        cr_assert(eq(int, pthread_create(&t[i], NULL, probe_privacy, &p[i]), 0));
    }
    deadline = it_now_ms() + 30000;
    while (it_now_ms() < deadline) {
        if (it_admin_status(port, "readyz") == 200) {
            ready_ms = it_now_ms();
            break;
        }
    }
    waitpid(child, &status, 0);
    usleep(200 * 1000);
    stop_probes = 1;
    for (int i = 0; i < PROBERS; i++)
        pthread_join(t[i], NULL);
    cr_assert(it_true(WIFEXITED(status) && WEXITSTATUS(status) == 0),
              "stack.sh start privacy failed");
    return ready_ms;
}

/* /readyz 200 is the signal Kubernetes and stack.sh route traffic on: from
 * then on the service must answer its subjects, not "no responders". While
 * privacy starts, threads send requests back to back (anonymous, so no
 * identity round trip) and this one polls /readyz; no request sent after
 * /readyz first said 200 may get a 503. The gap, where there is one, lasts
 * about a Postgres connection, so this takes a few starts to see it. */
Test(zz_resilience, serves_as_soon_as_it_reports_ready, .fini = restore_privacy)
{
    static struct prober p[PROBERS];
    int port;

    IT_REQUIRE_STACK();
    curl_global_init(CURL_GLOBAL_ALL); /* before any thread uses libcurl */
    port = it_admin_port("privacy", 1);
    for (int round = 0; round < 3; round++) {
        double ready_ms = restart_under_probe(port, p);
        int served = 0;
        cr_assert(ready_ms > 0, "privacy never reported ready");
        for (int k = 0; k < PROBERS; k++) {
            for (int i = 0; i < p[k].n; i++)
                cr_assert(p[k].sent_ms[i] < ready_ms || p[k].status[i] == 401,
                          "start %d: request sent %.2f ms after /readyz turned 200 got %ld (503: "
                          "not subscribed yet)",
                          round + 1, p[k].sent_ms[i] - ready_ms, p[k].status[i]);
            served |= p[k].n > 0 && p[k].status[p[k].n - 1] == 401;
        }
        cr_assert(served, "privacy never answered 401");
    }
}

/* --- SIGTERM drains: no new connections, in-flight requests answered --- */

struct inflight {
    struct it_req rq;
    struct it_resp r;
};

static void *send_inflight(void *arg)
{
    struct inflight *in = arg;
    it_http(&in->rq, &in->r);
    return NULL;
}

Test(zz_resilience, edge_answers_in_flight_requests_when_stopped, .fini = restore_edge_and_privacy)
{
    const char *hs[] = {"Content-Type: application/json", NULL};
    struct inflight in = {.rq = {.method = "POST",
                                 .path = IT_PRIVACY_PATH,
                                 .auth = IT_AUTH_API_KEY,
                                 .headers = hs,
                                 .body = "{}",
                                 .body_len = 2}};
    struct fake f;
    pthread_t t;
    int rc;

    IT_REQUIRE_STACK();
    stop("privacy", NULL);
    fake_start(&f, 1);
    f.delay_ms = 1000; /* the stand-in answers 1 s late */
    cr_assert(eq(int, pthread_create(&t, NULL, send_inflight, &in), 0));
    usleep(300 * 1000);
    rc = it_stack(NULL, 0, "stop", "edge", NULL); /* SIGTERM, waits for the exit */
    pthread_join(t, NULL);
    cr_assert(eq(int, rc, 0), "stack.sh stop edge failed");
    cr_assert(eq(long, in.r.status, 202), "in-flight request got %ld (%s) %s", in.r.status,
              in.r.error, in.r.body ? in.r.body : "");
    cr_assert(eq(str, in.r.body, "{\"fake\":true}"));
    it_resp_release(&in.r);
    fake_stop(&f);
    start("edge", NULL);
    start("privacy", NULL);
    cr_assert(it_wait_util_test_ok(5000), "util/test does not work after the edge's restart");
}
