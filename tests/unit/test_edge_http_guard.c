/* test_edge_http_guard.c: the strict HTTP/1.1 framing scanner of the edge
 * (services/edge/http_guard.c): what it accepts, what it refuses and why,
 * chunked bodies, and the response heads it reads to count answers. */
// links: services/edge/http_guard.c
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "../../services/edge/http_guard.h"

#define MAX_BODY 1000

/* By value: Criterion copies parameters into its worker processes. */
struct head_case {
    char head[256];
    int reason; /* enum hg_reason */
};

static const struct head_case cases[] = {
    {"GET /v1/users/ HTTP/1.1\r\nHost: a\r\n\r\n", HG_R_NONE},
    {"GET /v1/users/?x=1 HTTP/1.0\r\n\r\n", HG_R_NONE},
    {"POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n", HG_R_NONE},
    {"POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\nContent-Length: 10\r\n\r\n",
     HG_R_NONE},
    {"POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", HG_R_NONE},
    {"GET http://a/v1/users/ HTTP/1.1\r\nHost: a\r\n\r\n", HG_R_NONE},
    {"GET / HTTP/1.1\r\nHost: a\r\nX-Tab:\tv \r\n\r\n", HG_R_NONE},
    /* the findings of issue 9 */
    {"POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\nContent-Length: 50\r\n\r\n",
     HG_R_LENGTHS},
    {"POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n", HG_R_OBS_FOLD},
    {"GET /api/x HTTP/1.1\r\n\r\n", HG_R_HOST},
    {"POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: +10\r\n\r\n", HG_R_LENGTH},
    {"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", HG_R_METHOD},
    /* the rest of RFC 9112 framing */
    {"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
     HG_R_LENGTH_AND_TE},
    {"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", HG_R_TE},
    {"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", HG_R_TE},
    {"POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", HG_R_TE},
    {"GET /x HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", HG_R_OBS_FOLD},
    {"GET /x HTTP/1.1\nHost: a\n\n", HG_R_BARE_LF},
    {"GET /x HTTP/1.1\r\nHost: a\nX: y\r\n\r\n", HG_R_BARE_LF},
    {"GET /x HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", HG_R_BARE_CR},
    {"GET /x HTTP/1.1\r\nHost : a\r\n\r\n", HG_R_NAME_SPACE},
    {"GET /x HTTP/1.1\r\nHost: a\r\nBad Name: y\r\n\r\n", HG_R_NAME_SPACE},
    {"GET /x HTTP/1.1\r\nHost: a\r\n: y\r\n\r\n", HG_R_HEADER},
    {"GET /x HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", HG_R_HEADER},
    {"GET /x HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n", HG_R_HEADER},
    {"GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", HG_R_HOST},
    {"GET /x HTTP/1.1\r\nHost: a/b\r\n\r\n", HG_R_HOST},
    {"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", HG_R_LENGTH},
    {"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", HG_R_LENGTH},
    {"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1,1\r\n\r\n", HG_R_LENGTH},
    {"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", HG_R_LENGTH},
    {"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n", HG_R_BODY_TOO_LARGE},
    {"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nExpect: magic\r\n\r\n", HG_R_EXPECT},
    {"GET /x HTTP/1.1\r\nHost: a\r\nX-Edge-Guard: 1 1\r\n\r\n", HG_R_RESERVED},
    {"POST /x HTTP/1.1\r\nHost: a\r\nx-edge-guard-stream: 9\r\n\r\n", HG_R_RESERVED},
    {"HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n", HG_R_METHOD},
    {"TRACE /x HTTP/1.1\r\nHost: a\r\n\r\n", HG_R_METHOD},
    {"BREW /x HTTP/1.1\r\nHost: a\r\n\r\n", HG_R_UNKNOWN_METHOD},
    {"get /x HTTP/1.1\r\nHost: a\r\n\r\n", HG_R_UNKNOWN_METHOD},
    {"GET /x HTTP/2.0\r\nHost: a\r\n\r\n", HG_R_VERSION},
    {"GET /x HTTP/1.1 \r\nHost: a\r\n\r\n", HG_R_REQUEST_LINE},
    {"GET  /x HTTP/1.1\r\nHost: a\r\n\r\n", HG_R_REQUEST_LINE},
    {"GET /x\r\nHost: a\r\n\r\n", HG_R_REQUEST_LINE},
    {"GET x HTTP/1.1\r\nHost: a\r\n\r\n", HG_R_TARGET},
    {"GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", HG_R_TARGET},
    {"GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", HG_R_TARGET},
    {"GET * HTTP/1.1\r\nHost: a\r\n\r\n", HG_R_TARGET},
};

ParameterizedTestParameters(edge_http_guard, judges_each_head)
{
    return cr_make_param_array(struct head_case, (struct head_case *)cases,
                               sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct head_case *c, edge_http_guard, judges_each_head)
{
    size_t n = strlen(c->head), end = hg_head_end(c->head, n);
    struct hg_head h;

    cr_assert(eq(sz, end, n), "head end of %s", c->head);
    cr_assert(eq(int, (int)hg_request_head(c->head, n, MAX_BODY, &h), c->reason), "%s", c->head);
}

Test(edge_http_guard, head_end_waits_for_the_empty_line)
{
    const char *h = "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET";
    cr_assert(eq(sz, hg_head_end(h, 10), 0));
    cr_assert(eq(sz, hg_head_end(h, strlen(h) - 4), 0));
    cr_assert(eq(sz, hg_head_end(h, strlen(h)), strlen(h) - 3));
}

Test(edge_http_guard, reads_the_body_framing_and_path)
{
    const char *h = "POST /api/2015-02-01/util/test/1?x=1 HTTP/1.1\r\nHost: a\r\n"
                    "Content-Length: 12\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n";
    struct hg_head out;

    cr_assert(eq(int, (int)hg_request_head(h, strlen(h), MAX_BODY, &out), HG_R_NONE));
    cr_assert(eq(int, (int)out.body, HG_BODY_LENGTH));
    cr_assert(eq(u64, out.content_length, 12));
    cr_assert(eq(int, out.expect_continue, 1));
    cr_assert(eq(int, out.close, 1));
    cr_assert(eq(sz, out.path_len, strlen("/api/2015-02-01/util/test/1")));
    cr_assert(eq(int, strncmp(out.path, "/api/2015-02-01/util/test/1", out.path_len), 0));
}

Test(edge_http_guard, keeps_the_path_of_a_refused_request)
{
    const char *h = "GET /configure/x HTTP/1.1\r\nHost: a\r\nX: y\nZ: w\r\n\r\n";
    struct hg_head out;

    cr_assert(eq(int, (int)hg_request_head(h, strlen(h), MAX_BODY, &out), HG_R_BARE_LF));
    cr_assert(eq(sz, out.path_len, 12));
}

Test(edge_http_guard, gives_each_reason_its_status)
{
    cr_assert(eq(int, hg_reason_status(HG_R_LENGTHS), 400));
    cr_assert(eq(int, hg_reason_status(HG_R_METHOD), 405));
    cr_assert(eq(int, hg_reason_status(HG_R_UNKNOWN_METHOD), 501));
    cr_assert(eq(int, hg_reason_status(HG_R_VERSION), 505));
    cr_assert(eq(int, hg_reason_status(HG_R_EXPECT), 417));
    cr_assert(eq(int, hg_reason_status(HG_R_HEAD_TOO_LARGE), 431));
    cr_assert(eq(int, hg_reason_status(HG_R_BODY_TOO_LARGE), 413));
    for (int r = HG_R_NONE + 1; r < HG_R_COUNT; r++)
        cr_assert(strlen(hg_reason_text((enum hg_reason)r)) > 0);
}

/* Feeds s in pieces of step bytes; returns the final result, *used_total. */
static int feed(const char *s, size_t n, size_t step, size_t *used_total, enum hg_reason *why)
{
    struct hg_chunks c;
    int rc = 0;

    hg_chunks_init(&c);
    *used_total = 0;
    for (size_t off = 0; off < n && rc == 0; off += step) {
        size_t len = n - off < step ? n - off : step, used = 0;
        rc = hg_chunks_feed(&c, s + off, len, MAX_BODY, &used, why);
        *used_total += used;
    }
    return rc;
}

Test(edge_http_guard, reads_chunked_bodies_in_any_pieces)
{
    const char *b = "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
    size_t body = strlen(b) - 4, used;
    enum hg_reason why;

    for (size_t step = 1; step <= strlen(b); step++) {
        cr_assert(eq(int, feed(b, strlen(b), step, &used, &why), 1), "step %zu", step);
        cr_assert(eq(sz, used, body), "step %zu", step);
    }
}

Test(edge_http_guard, refuses_malformed_chunked_bodies)
{
    static const char *const bad[] = {
        "x\r\n", "5\nhello\r\n", "5\r\nhelloX\r\n", "5 \r\nhello\r\n0\r\n\r\n",
        "-1\r\n", "0\r\nTrailer: x\n\r\n", "0\r\n\r", "0\r\n x\r\n\r\n",
        "ffffffffffffffffff\r\n",
    };
    size_t used;
    enum hg_reason why;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = feed(bad[i], strlen(bad[i]), strlen(bad[i]), &used, &why);
        if (rc == 0) /* "0\r\n\r" waits for its LF: give it a wrong one */
            rc = feed("0\r\n\rX", 5, 5, &used, &why);
        cr_assert(eq(int, rc, -1), "%s", bad[i]);
    }
}

Test(edge_http_guard, refuses_chunked_bodies_over_the_limit)
{
    size_t used;
    enum hg_reason why = HG_R_NONE;

    cr_assert(eq(int, feed("3e9\r\n", 5, 5, &used, &why), -1)); /* 1001 */
    cr_assert(eq(int, (int)why, HG_R_BODY_TOO_LARGE));
}

Test(edge_http_guard, reads_response_heads)
{
    const char *a = "HTTP/1.1 200 OK\r\nContent-Length: 48\r\nConnection: close\r\n\r\n";
    const char *b = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const char *c = "HTTP/1.1 100 Continue\r\n\r\n";
    const char *d = "HTTP/1.1 204 No Content\r\n\r\n";
    struct hg_head h;

    cr_assert(eq(int, hg_response_head(a, strlen(a), &h), 0));
    cr_assert(eq(int, h.status, 200));
    cr_assert(eq(int, (int)h.body, HG_BODY_LENGTH));
    cr_assert(eq(u64, h.content_length, 48));
    cr_assert(eq(int, h.close, 1));
    cr_assert(eq(int, hg_response_head(b, strlen(b), &h), 0));
    cr_assert(eq(int, (int)h.body, HG_BODY_CHUNKED));
    cr_assert(eq(int, hg_response_head(c, strlen(c), &h), 0));
    cr_assert(eq(int, h.status, 100));
    cr_assert(eq(int, (int)h.body, HG_BODY_NONE));
    cr_assert(eq(int, hg_response_head(d, strlen(d), &h), 0));
    cr_assert(eq(int, (int)h.body, HG_BODY_NONE));
    cr_assert(eq(int, hg_response_head("HTTP/2 200\r\n\r\n", 14, &h), -1));
}
