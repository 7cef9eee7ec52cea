/* test_edge_http.c: how strictly the edge reads HTTP/1.1 (RFC 9112; issue 9
 * finding 5) and how it refuses: raw bytes over TCP, since no HTTP library
 * sends them. Every refusal is a JSON error in the surface's style (picked
 * from the request target), says "Connection: close", and the edge closes
 * the connection after it; a request smuggled behind a refused one is never
 * answered. Also the lingering close after a 413 (issue 10 finding 6): a
 * client that writes a whole oversize body before reading gets the 413, not
 * a broken pipe. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "edge_raw.h"
#include "harness.h"

TestSuite(edge_http, .timeout = 60);

#define U "/api/2015-02-01/util/test/1"

struct bad_case {
    const char *name;
    const char *fmt; /* %s: the Authorization line */
    int status;
    const char *surface;
};

static const struct bad_case bad_cases[] = {
    {"two Content-Length values", "POST " U " HTTP/1.1\r\nHost: a\r\n%sContent-Length: 10\r\n"
     "Content-Length: 50\r\n\r\nmessage=hi", 400, "cureatr"},
    {"folded Transfer-Encoding", "POST " U " HTTP/1.1\r\nHost: a\r\n%sTransfer-Encoding:\r\n"
     " chunked\r\n\r\n0\r\n\r\n", 400, "cureatr"},
    {"HTTP/1.1 without Host", "GET " U " HTTP/1.1\r\n%s\r\n", 400, "cureatr"},
    {"Content-Length: +10", "POST " U " HTTP/1.1\r\nHost: a\r\n%sContent-Length: +10\r\n\r\n"
     "message=hi", 400, "cureatr"},
    {"Content-Length and Transfer-Encoding", "POST " U " HTTP/1.1\r\nHost: a\r\n%s"
     "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "cureatr"},
    {"Transfer-Encoding gzip", "POST " U " HTTP/1.1\r\nHost: a\r\n%sTransfer-Encoding: gzip\r\n"
     "\r\n", 400, "cureatr"},
    {"obs-fold in another header", "GET /v1/users/ HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\tmore\r\n"
     "%s\r\n", 400, "jsonapi"},
    {"bare LF", "GET /configure/groups/1/privacy HTTP/1.1\r\nHost: a\r\nX-A: 1\n%s\r\n", 400,
     "okaya"},
    {"bare CR", "GET /v1/users/ HTTP/1.1\r\nHost: a\r\nX-A: 1\r2\r\n%s\r\n", 400, "jsonapi"},
    {"space before colon", "GET " U " HTTP/1.1\r\nHost : a\r\n%s\r\n", 400, "cureatr"},
    {"malformed chunk size", "POST " U " HTTP/1.1\r\nHost: a\r\n%sTransfer-Encoding: chunked\r\n"
     "\r\nzz\r\n\r\n", 400, "cureatr"},
    {"CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n%s\r\n", 405,
     "jsonapi"},
    {"HEAD", "HEAD /v1/users/ HTTP/1.1\r\nHost: a\r\n%s\r\n", 405, "jsonapi"},
    {"unknown method", "BREW " U " HTTP/1.1\r\nHost: a\r\n%s\r\n", 501, "cureatr"},
    {"HTTP/2.0 request line", "GET /v1/users/ HTTP/2.0\r\nHost: a\r\n%s\r\n", 505, "jsonapi"},
    {"malformed request line", "GET  /v1/users/ HTTP/1.1\r\nHost: a\r\n%s\r\n", 400, "jsonapi"},
    {"unknown expectation", "POST " U " HTTP/1.1\r\nHost: a\r\n%sContent-Length: 2\r\n"
     "Expect: 200-ok\r\n\r\nhi", 417, "cureatr"},
    {"Content-Length over MAX_BODY_BYTES", "POST " U " HTTP/1.1\r\nHost: a\r\n%s"
     "Content-Length: 900000000\r\n\r\n", 413, "cureatr"},
};

ParameterizedTestParameters(edge_http, refuses_malformed_framing_in_the_surface_style)
{
    IT_INDEX_PARAMS(bad_cases);
}

/* Asserts that buf is one error response of status in surface's style,
 * marked Connection: close. */
static void assert_refusal(const char *name, const char *buf, int status, const char *surface)
{
    const char *body = raw_body(buf);
    json_error_t jerr;
    json_t *doc = json_loads(body, 0, &jerr);

    cr_assert(eq(int, raw_status(buf), status), "%s: %.400s", name, buf);
    cr_assert(strstr(buf, "Content-Type: application/json") != NULL, "%s: %.400s", name, buf);
    cr_assert(strstr(buf, "\r\nConnection: close\r\n") != NULL, "%s: %.400s", name, buf);
    cr_assert(it_true(json_is_object(doc)), "%s: body %s", name, body);
    if (!strcmp(surface, "cureatr")) {
        const char *st = json_string_value(json_object_get(doc, "status"));
        cr_assert(st != NULL && !strcmp(st, "error"), "%s: body %s", name, body);
        cr_assert(json_string_value(json_object_get(doc, "message")) != NULL, "%s", body);
    } else if (!strcmp(surface, "okaya")) {
        cr_assert(json_string_value(json_object_get(doc, "error")) != NULL, "%s", body);
    } else {
        json_t *e0 = json_array_get(json_object_get(doc, "errors"), 0);
        cr_assert(eq(i64, json_integer_value(json_object_get(e0, "status")), status), "%s", body);
    }
    json_decref(doc);
}

ParameterizedTest(size_t *i, edge_http, refuses_malformed_framing_in_the_surface_style)
{
    const struct bad_case *c = &bad_cases[*i];
    char req[2048], out[8192];
    int closed, len;
    double t0;

    IT_REQUIRE_STACK();
    len = snprintf(req, sizeof req, c->fmt, raw_basic_auth_line());
    t0 = it_now_ms();
    raw_exchange(req, (size_t)len, out, sizeof out, 8000, &closed);
    assert_refusal(c->name, out, c->status, c->surface);
    cr_assert(eq(int, raw_count_responses(out), 1), "%s: %s", c->name, out);
    cr_assert(eq(int, closed, 1), "%s: the connection stays open after the error", c->name);
    cr_assert(it_now_ms() - t0 < 3000, "%s: answered after %.0f ms", c->name, it_now_ms() - t0);
}

/* Content-Length 10 then 50: the rest of the body was once read as a second
 * request. Now one 400 and nothing else: the smuggled request is not run. */
Test(edge_http, does_not_run_a_request_smuggled_in_a_body)
{
    char req[2048], out[8192];
    int closed, len;

    IT_REQUIRE_STACK();
    len = snprintf(req, sizeof req,
                   "POST " U " HTTP/1.1\r\nHost: a\r\n%sContent-Length: 10\r\n"
                   "Content-Length: 50\r\n\r\nmessage=hi"
                   "GET /api/2015-02-01/util/test/smuggled HTTP/1.1\r\nHost: a\r\n%s\r\n",
                   raw_basic_auth_line(), raw_basic_auth_line());
    raw_exchange(req, (size_t)len, out, sizeof out, 8000, &closed);
    assert_refusal("smuggling", out, 400, "cureatr");
    cr_assert(eq(int, raw_count_responses(out), 1), "%s", out);
    cr_assert(strstr(out, "smuggled") == NULL, "%s", out);
    cr_assert(eq(int, closed, 1));
}

/* A CONNECT is refused at once, not after evhttp's 5 s. */
Test(edge_http, refuses_connect_at_once)
{
    const char *req = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n";
    char out[4096];
    int closed;
    double t0 = it_now_ms();

    IT_REQUIRE_STACK();
    raw_exchange(req, strlen(req), out, sizeof out, 8000, &closed);
    assert_refusal("CONNECT", out, 405, "jsonapi");
    cr_assert(strstr(out, "\r\nAllow: GET, POST, PUT, PATCH, DELETE\r\n") != NULL, "%s", out);
    cr_assert(it_now_ms() - t0 < 1000, "took %.0f ms", it_now_ms() - t0);
    cr_assert(eq(int, closed, 1));
}

/* A header block over MAX_HEADER_BYTES: 431 in the surface's style. */
Test(edge_http, refuses_an_oversize_header_block_with_431)
{
    size_t n = 40000;
    char *req = malloc(n + 512), out[8192];
    int closed, len;

    IT_REQUIRE_STACK();
    cr_assert(req != NULL);
    len = snprintf(req, n + 512, "GET /v1/users/ HTTP/1.1\r\nHost: a\r\nX-Big: ");
    memset(req + len, 'b', n);
    len += (int)n;
    len += snprintf(req + len, 64, "\r\n\r\n");
    raw_exchange(req, (size_t)len, out, sizeof out, 8000, &closed);
    assert_refusal("oversize head", out, 431, "jsonapi");
    cr_assert(eq(int, closed, 1));
    free(req);
}

/* What is valid still works: keep-alive, pipelining, chunked bodies, and a
 * refusal after good requests comes after their answers. */
Test(edge_http, answers_pipelined_and_chunked_requests_in_order)
{
    char req[2048], out[16384];
    int closed, len;
    const char *second;

    IT_REQUIRE_STACK();
    len = snprintf(req, sizeof req,
                   "GET " U "?message=first HTTP/1.1\r\nHost: a\r\n%s\r\n"
                   "POST " U " HTTP/1.1\r\nHost: a\r\n%sTransfer-Encoding: chunked\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
                   "8\r\nmessage=\r\n6\r\nsecond\r\n0\r\n\r\n"
                   "GET " U " HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n%s\r\n",
                   raw_basic_auth_line(), raw_basic_auth_line(), raw_basic_auth_line());
    raw_exchange(req, (size_t)len, out, sizeof out, 8000, &closed);
    cr_assert(eq(int, raw_count_responses(out), 3), "%s", out);
    cr_assert(eq(int, raw_status(out), 200), "%s", out);
    second = strstr(out + 1, "HTTP/1.1 ");
    cr_assert(second != NULL && raw_status(second) == 200, "%s", out);
    cr_assert(strstr(second, "\"message\": \"second\"") != NULL, "%s", out);
    cr_assert(strstr(second + 1, "HTTP/1.1 400") != NULL, "%s", out);
    cr_assert(eq(int, closed, 1));
}

/* Sends a head announcing size bytes, then the whole body without reading
 * (as Python's urllib does), then reads. Returns the bytes of the body the
 * edge took before the client could read (all, when it lingers). */
static size_t send_oversize(size_t size, char *out, size_t cap)
{
    int fd = raw_connect();
    struct timeval tv = {20, 0};
    char head[1024], *chunk = malloc(65536);
    size_t sent = 0, got = 0;
    int hl = snprintf(head, sizeof head,
                      "POST " U " HTTP/1.1\r\nHost: a\r\n%sContent-Type: "
                      "application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n",
                      raw_basic_auth_line(), size);

    cr_assert(chunk != NULL);
    memset(chunk, 'x', 65536);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    cr_assert(eq(long, (long)send(fd, head, (size_t)hl, MSG_NOSIGNAL), hl));
    while (sent < size) {
        size_t n = size - sent < 65536 ? size - sent : 65536;
        ssize_t w = send(fd, chunk, n, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        sent += (size_t)w;
    }
    while (got + 1 < cap) {
        ssize_t n = recv(fd, out + got, cap - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    out[got] = '\0';
    close(fd);
    free(chunk);
    return sent;
}

/* 6 MB, over MAX_BODY_BYTES and over evhttp's own cap: the edge answers 413
 * at the head and reads the body away until the client is done. */
Test(edge_http, a_client_writing_an_oversize_body_reads_the_413)
{
    char out[8192];
    size_t size = 6 * 1024 * 1024, sent;

    IT_REQUIRE_STACK();
    sent = send_oversize(size, out, sizeof out);
    cr_assert(eq(sz, sent, size), "the edge closed while the client was sending (%zu of %zu)",
              sent, size);
    assert_refusal("oversize body", out, 413, "cureatr");
}

/* The same with Python's urllib, which got BrokenPipeError (issue 10). */
Test(edge_http, python_urllib_reads_the_413_of_an_oversize_body)
{
    char cmd[2048], out[4096] = "";
    FILE *p;
    size_t n;

    IT_REQUIRE_STACK();
    if (system("python3 -c 'import urllib.request' 2>/dev/null") != 0)
        cr_skip_test("no python3");
    snprintf(cmd, sizeof cmd,
             "python3 - <<'PY' 2>&1\n"
             "import urllib.request, urllib.error, base64\n"
             "auth = base64.b64encode(b'%s:%s').decode()\n"
             "rq = urllib.request.Request('%s" U "', data=b'x' * 6000000,\n"
             "    headers={'Authorization': 'Basic ' + auth})\n"
             "try:\n"
             "    urllib.request.urlopen(rq, timeout=30)\n"
             "    print('no error')\n"
             "except urllib.error.HTTPError as e:\n"
             "    print(e.code, e.read().decode())\n"
             "except Exception as e:\n"
             "    print('failed', type(e).__name__, e)\n"
             "PY",
             it_env("TEST_API_USER"), it_env("TEST_API_KEY"), it_env("TEST_EDGE_URL"));
    p = popen(cmd, "r");
    cr_assert(p != NULL);
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    pclose(p);
    cr_assert(eq(int, strncmp(out, "413 {\"status\": \"error\"", 22), 0), "urllib: %s", out);
}
