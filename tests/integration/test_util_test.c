/* test_util_test.c: the clinical messaging API's util/test endpoint, end to
 * end through the edge, as the seed's "Testing" section shows it (form, JSON
 * and XML bodies, the "message" and "error" parameters, the id reflected),
 * with the seed's exact spacing, and the request id the edge adds. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

TestSuite(util_test, .timeout = 30);

/* One row of the seed's samples and their neighbours. */
struct exchange {
    const char *method;
    const char *path;
    const char *ctype; /* NULL: curl's default for a body (form) */
    const char *body;  /* NULL: no body */
    const char *want;  /* the exact reply body */
};

static const struct exchange exchanges[] = {
    /* the five curl samples of the seed, byte for byte */
    {"GET", IT_UTIL_TEST, NULL, NULL,
     "{\"status\": \"ok\", \"message\": \"GET OK\", \"id\": \"1\"}"},
    {"POST", IT_UTIL_TEST, NULL, "message=hello",
     "{\"status\": \"ok\", \"message\": \"hello\", \"id\": \"1\"}"},
    {"POST", IT_UTIL_TEST, NULL, "message=hello&error=1",
     "{\"status\": \"error\", \"message\": \"hello\", \"id\": \"1\"}"},
    {"POST", IT_UTIL_TEST, "application/json", "{\"message\": \"hello\"}",
     "{\"status\": \"ok\", \"message\": \"hello\", \"id\": \"1\"}"},
    {"POST", IT_UTIL_TEST, "application/xml", "<message>hello</message>",
     "{\"status\": \"ok\", \"message\": \"hello\", \"id\": \"1\"}"},
    /* PUT takes the same bodies */
    {"PUT", IT_UTIL_TEST, NULL, "message=hello",
     "{\"status\": \"ok\", \"message\": \"hello\", \"id\": \"1\"}"},
    {"PUT", IT_UTIL_TEST, "application/json", "{\"message\": \"hello\", \"error\": true}",
     "{\"status\": \"error\", \"message\": \"hello\", \"id\": \"1\"}"},
    {"PUT", IT_UTIL_TEST, "text/xml", "<r><message>hello</message><error>1</error></r>",
     "{\"status\": \"error\", \"message\": \"hello\", \"id\": \"1\"}"},
    /* no message: "<METHOD> OK" */
    {"POST", IT_UTIL_TEST, NULL, NULL,
     "{\"status\": \"ok\", \"message\": \"POST OK\", \"id\": \"1\"}"},
    {"PUT", IT_UTIL_TEST, NULL, NULL,
     "{\"status\": \"ok\", \"message\": \"PUT OK\", \"id\": \"1\"}"},
    {"POST", IT_UTIL_TEST, NULL, "error=1",
     "{\"status\": \"error\", \"message\": \"POST OK\", \"id\": \"1\"}"},
    {"POST", IT_UTIL_TEST, "application/json", "{}",
     "{\"status\": \"ok\", \"message\": \"POST OK\", \"id\": \"1\"}"},
    /* form decoding, charset parameter, UTF-8 */
    {"POST", IT_UTIL_TEST, "application/x-www-form-urlencoded; charset=utf-8",
     "message=hello+world%21",
     "{\"status\": \"ok\", \"message\": \"hello world!\", \"id\": \"1\"}"},
    {"POST", IT_UTIL_TEST, "application/json; charset=UTF-8", "{\"message\": \"gr\\u00fc\\u00df\"}",
     "{\"status\": \"ok\", \"message\": \"gr\xc3\xbc\xc3\x9f\", \"id\": \"1\"}"},
    /* the id is reflected, decoded */
    {"GET", "/api/2015-02-01/util/test/abc-42", NULL, NULL,
     "{\"status\": \"ok\", \"message\": \"GET OK\", \"id\": \"abc-42\"}"},
    {"GET", "/api/2015-02-01/util/test/a%20b", NULL, NULL,
     "{\"status\": \"ok\", \"message\": \"GET OK\", \"id\": \"a b\"}"},
    {"POST", "/api/2015-02-01/util/test/7/", NULL, "message=x",
     "{\"status\": \"ok\", \"message\": \"x\", \"id\": \"7\"}"},
};

ParameterizedTestParameters(util_test, replies_as_the_seed_shows)
{
    IT_INDEX_PARAMS(exchanges);
}

ParameterizedTest(size_t *i, util_test, replies_as_the_seed_shows)
{
    const struct exchange *x = &exchanges[*i];
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_call(&r, x->method, x->path, IT_AUTH_BOOTSTRAP, x->ctype, x->body);
    cr_assert(eq(long, r.status, 200), "%s %s: %ld %s", x->method, x->path, r.status, r.body);
    cr_assert(eq(str, r.body, (char *)x->want), "%s %s body %s", x->method, x->path,
              x->body ? x->body : "(none)");
    it_resp_release(&r);
}

Test(util_test, replies_with_json_content_type)
{
    struct it_resp r;
    const char *ctype;

    IT_REQUIRE_STACK();
    it_call(&r, "GET", IT_UTIL_TEST, IT_AUTH_BOOTSTRAP, NULL, NULL);
    ctype = it_header(&r, "Content-Type");
    cr_assert(eq(long, r.status, 200));
    cr_assert(ctype != NULL, "no Content-Type");
    cr_assert(eq(int, strncmp(ctype, "application/json", 16), 0), "Content-Type %s", ctype);
    it_resp_release(&r);
}

Test(util_test, echoes_the_client_request_id)
{
    const char *hs[] = {"X-Request-Id: it-req.0042_abc", NULL};
    struct it_req rq = {.path = IT_UTIL_TEST, .auth = IT_AUTH_BOOTSTRAP, .headers = hs};
    struct it_resp r;

    IT_REQUIRE_STACK();
    cr_assert(eq(int, it_http(&rq, &r), 0), "%s", r.error);
    cr_assert(eq(long, r.status, 200));
    cr_assert(it_header(&r, "X-Request-Id") != NULL, "no X-Request-Id");
    cr_assert(eq(str, (char *)it_header_str(&r, "X-Request-Id"), "it-req.0042_abc"));
    it_resp_release(&r);
}

/* The id of an error reply is the client's too, so a failure can be traced. */
Test(util_test, echoes_the_request_id_on_edge_errors)
{
    const char *hs[] = {"X-Request-Id: it-404-trace", NULL};
    struct it_req rq = {.path = "/nope", .headers = hs};
    struct it_resp r;

    IT_REQUIRE_STACK();
    cr_assert(eq(int, it_http(&rq, &r), 0), "%s", r.error);
    cr_assert(eq(long, r.status, 404));
    cr_assert(it_header(&r, "X-Request-Id") != NULL, "no X-Request-Id");
    cr_assert(eq(str, (char *)it_header_str(&r, "X-Request-Id"), "it-404-trace"));
    it_resp_release(&r);
}

Test(util_test, generates_a_request_id_when_absent)
{
    struct it_resp a, b;
    const char *ida, *idb;

    IT_REQUIRE_STACK();
    it_call(&a, "GET", IT_UTIL_TEST, IT_AUTH_BOOTSTRAP, NULL, NULL);
    it_call(&b, "GET", IT_UTIL_TEST, IT_AUTH_BOOTSTRAP, NULL, NULL);
    ida = it_header(&a, "X-Request-Id");
    idb = it_header(&b, "X-Request-Id");
    cr_assert(ida != NULL && idb != NULL, "no X-Request-Id");
    cr_assert(strlen(ida) >= 16, "short id %s", ida);
    cr_assert(ne(str, (char *)ida, (char *)idb), "two requests share id %s", ida);
    it_resp_release(&a);
    it_resp_release(&b);
}

/* An id the edge will not trust (spaces, too long) is replaced, not echoed. */
static const char *const unsafe_ids[] = {
    "X-Request-Id: has space", "X-Request-Id: semi;colon",
    "X-Request-Id: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 */
};

ParameterizedTestParameters(util_test, replaces_an_unsafe_request_id)
{
    IT_INDEX_PARAMS(unsafe_ids);
}

ParameterizedTest(size_t *i, util_test, replaces_an_unsafe_request_id)
{
    const char *const *line = &unsafe_ids[*i];
    const char *hs[] = {*line, NULL};
    struct it_req rq = {.path = IT_UTIL_TEST, .auth = IT_AUTH_BOOTSTRAP, .headers = hs};
    const char *given = strchr(*line, ':') + 2;
    const char *got;
    struct it_resp r;

    IT_REQUIRE_STACK();
    cr_assert(eq(int, it_http(&rq, &r), 0), "%s", r.error);
    cr_assert(eq(long, r.status, 200));
    got = it_header(&r, "X-Request-Id");
    cr_assert(got != NULL, "no X-Request-Id");
    cr_assert(ne(str, (char *)got, (char *)given));
    cr_assert(strlen(got) >= 16 && strlen(got) <= 64, "id %s", got);
    it_resp_release(&r);
}

/* A request well under MAX_BODY_BYTES whose reflected reply is larger than
 * one NATS message (control characters grow sixfold as \u00XX): the client
 * must still get its reply, not a 504 after REQUEST_TIMEOUT_MS. */
Test(util_test, reflects_a_message_whose_reply_outgrows_a_nats_message)
{
    size_t n = 200000;
    char *body = malloc(8 + n);
    struct it_req rq = {.method = "POST",
                        .path = IT_UTIL_TEST,
                        .auth = IT_AUTH_BOOTSTRAP,
                        .body = body,
                        .body_len = 8 + n};
    struct it_resp r;

    IT_REQUIRE_STACK();
    cr_assert(body != NULL);
    memcpy(body, "message=", 8);
    memset(body + 8, 0x01, n);
    cr_assert(eq(int, it_http(&rq, &r), 0), "%s", r.error);
    free(body);
    cr_assert(eq(long, r.status, 200), "after %.0f ms: %ld %.200s", r.ms, r.status, r.body);
    cr_assert(
        eq(sz, r.len, n * 6 + strlen("{\"status\": \"ok\", \"message\": \"\", \"id\": \"1\"}")));
    it_resp_release(&r);
}

/* --- many requests at once: every reply goes to its own request --- */

#define PARALLEL 100

struct slot {
    char url[256];
    char body[64];
    char reply[256];
    size_t len;
};

static size_t on_slot_body(char *data, size_t size, size_t n, void *arg)
{
    struct slot *s = arg;
    size_t len = size * n, room = sizeof s->reply - 1 - s->len;
    size_t take = len < room ? len : room;

    memcpy(s->reply + s->len, data, take);
    s->len += take;
    s->reply[s->len] = '\0';
    return len;
}

Test(util_test, answers_concurrent_requests_each_with_its_own_reply)
{
    static struct slot slots[PARALLEL];
    CURL *easy[PARALLEL];
    CURLM *multi;
    char userpwd[512];
    int running = 1;

    IT_REQUIRE_STACK();
    snprintf(userpwd, sizeof userpwd, "%s:%s", it_env("TEST_API_USER"), it_env("TEST_API_KEY"));
    multi = curl_multi_init();
    cr_assert(multi != NULL);
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)PARALLEL);
    for (int i = 0; i < PARALLEL; i++) {
        struct slot *s = &slots[i];
        snprintf(s->url, sizeof s->url, "%s/api/2015-02-01/util/test/c%d", it_env("TEST_EDGE_URL"),
                 i);
        snprintf(s->body, sizeof s->body, "message=m%d", i);
        easy[i] = curl_easy_init();
        cr_assert(easy[i] != NULL);
        curl_easy_setopt(easy[i], CURLOPT_URL, s->url);
        curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, s->body);
        curl_easy_setopt(easy[i], CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(easy[i], CURLOPT_USERPWD, userpwd);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, on_slot_body);
        curl_easy_setopt(easy[i], CURLOPT_WRITEDATA, s);
        curl_easy_setopt(easy[i], CURLOPT_TIMEOUT_MS, 10000L);
        curl_multi_add_handle(multi, easy[i]);
    }
    while (running) {
        cr_assert(eq(int, curl_multi_perform(multi, &running), CURLM_OK));
        if (running)
            curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    for (int i = 0; i < PARALLEL; i++) {
        char want[128];
        long status = 0;
        curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status);
        snprintf(want, sizeof want, "{\"status\": \"ok\", \"message\": \"m%d\", \"id\": \"c%d\"}",
                 i, i);
        cr_assert(eq(long, status, 200), "request %d: %ld %s", i, status, slots[i].reply);
        cr_assert(eq(str, slots[i].reply, want), "request %d", i);
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    curl_multi_cleanup(multi);
}
