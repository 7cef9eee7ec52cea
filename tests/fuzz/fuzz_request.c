/* fuzz_request.c: libFuzzer entry point for the edge's request handling.
 *
 * data[0] picks the target, the rest is its input:
 *   0, 1  request bodies: cm_body_parse of form / JSON / XML (fuzz_body.inc,
 *         which reads its own selector byte next)
 *   2     paths: edge_route_lookup, cm_http_surface_of and cm_router_match
 *   3     credentials: edge_cred_parse of "authorization\nx-api-key" and the
 *         cache key of what it accepts
 *   4     what a NATS server sends: cm_wire_parse over the whole stream
 *   5     what a client sends: the edge's HTTP/1.1 framing guard (http_guard.c)
 *         over a stream of pipelined requests, as conn_guard.c reads it
 * Build and run: `make fuzz` (FUZZ_TIME seconds, default 60). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/edge/auth_cache.h"
#include "../../services/edge/auth_header.h"
#include "../../services/edge/http_guard.h"
#include "../../services/edge/routes.h"
#include "cm_http.h"
#include "cm_router.h"
#include "cm_wire.h"
#include "fuzz_body.inc"

static cm_err nop(struct cm_req *rq, struct cm_resp *out)
{
    (void)rq;
    (void)out;
    return CM_OK;
}

static const struct cm_op fuzz_ops[] = {
    {"GET", "/api/2015-02-01/util/test/{id}", "util.test", nop},
    {"GET", "/v1/users/{id}/", "users.read", nop},
    {"POST", "/v1/users/{id}/disable/", "users.disable", nop},
    {"GET", "/x/{a}/{b}/{c}/{d}", "four", nop},
    {NULL, NULL, NULL, NULL},
};

static void fuzz_path(const char *path)
{
    struct cm_route_match m;
    const struct edge_route *r = edge_route_lookup(path);

    if (r)
        FUZZ_BODY_CHECK(r->subject && r->service && r->family);
    (void)cm_http_surface_of(path);
    if (cm_router_match(fuzz_ops, "GET", path, &m) == CM_OK) {
        FUZZ_BODY_CHECK(m.nparams <= CM_MAX_PARAMS);
        for (int i = 0; i < m.nparams; i++)
            FUZZ_BODY_CHECK(m.values[i] >= path && m.values[i] + m.value_lens[i] <= path + strlen(path));
    }
}

static void fuzz_cred(char *s)
{
    char *nl = strchr(s, '\n');
    struct edge_cred c;
    uint8_t key[AUTH_KEY_BYTES];

    if (nl)
        *nl = '\0';
    if (edge_cred_parse(s, nl ? nl + 1 : NULL, &c) != EDGE_CRED_INVALID &&
        c.kind != EDGE_CRED_NONE) {
        FUZZ_BODY_CHECK(strlen(c.secret) > 0 &&
                        strlen(c.secret) <= (c.kind == EDGE_CRED_BEARER ? EDGE_CRED_TOKEN_MAX
                                                                        : EDGE_CRED_SECRET_MAX));
        auth_cache_key(&c, key);
    }
}

/* Parses a server's byte stream (an exact-size copy, so a read past it
 * is caught) operation by operation, as the request path does. */
static void fuzz_wire(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    size_t off = 0;
    struct cm_wire_msg m;
    long n;

    if (!buf)
        return;
    memcpy(buf, data, size);
    while (off < size && (n = cm_wire_parse(buf + off, size - off, &m)) > 0) {
        FUZZ_BODY_CHECK((size_t)n <= size - off);
        if (m.op == CM_WIRE_MSG) {
            FUZZ_BODY_CHECK(m.subject >= buf + off && m.subject + m.subject_len <= buf + off + n);
            FUZZ_BODY_CHECK((const char *)m.data + m.len <= buf + off + n);
            FUZZ_BODY_CHECK(!m.reply || m.reply + m.reply_len <= buf + off + n);
        }
        if (m.op == CM_WIRE_INFO)
            (void)cm_wire_info_max_payload(m.text, m.text_len);
        off += (size_t)n;
    }
    free(buf);
}

/* Reads a client's byte stream (an exact-size copy) request by request:
 * request line and head checked, Content-Length bodies skipped, chunked ones
 * fed in pieces of varying size; also reads it as response heads. */
static void fuzz_guard(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    size_t off = 0;
    struct hg_head h;

    if (!buf)
        return;
    memcpy(buf, data, size);
    while (off < size) {
        size_t end = hg_head_end(buf + off, size - off), le = hg_line_end(buf + off, size - off);
        enum hg_reason r;

        if (le)
            (void)hg_request_line(buf + off, le);
        if (end == 0)
            break;
        FUZZ_BODY_CHECK(end <= size - off);
        (void)hg_response_head(buf + off, end, &h);
        r = hg_request_head(buf + off, end, 4096, &h);
        FUZZ_BODY_CHECK(!h.path || (h.path >= buf + off && h.path + h.path_len <= buf + off + end));
        FUZZ_BODY_CHECK(hg_reason_status(r) >= 200 && hg_reason_text(r) != NULL);
        off += end;
        if (r != HG_R_NONE)
            break;
        if (h.body == HG_BODY_LENGTH) {
            FUZZ_BODY_CHECK(h.content_length <= 4096);
            off += h.content_length < size - off ? (size_t)h.content_length : size - off;
        } else if (h.body == HG_BODY_CHUNKED) {
            struct hg_chunks c;
            enum hg_reason why;
            int rc = 0;
            size_t step = 1 + (size - off) % 7;

            hg_chunks_init(&c);
            while (rc == 0 && off < size) {
                size_t n = size - off < step ? size - off : step, used = 0;
                rc = hg_chunks_feed(&c, buf + off, n, 4096, &used, &why);
                FUZZ_BODY_CHECK(used <= n && c.total <= 4096);
                off += used;
                if (rc == 0 && used < n)
                    break;
            }
            if (rc < 0)
                break;
        }
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s;

    if (size < 1)
        return 0;
    switch (data[0] % 6) {
    case 0:
    case 1:
        fuzz_body(data + 1, size - 1);
        return 0;
    case 4:
        fuzz_wire(data + 1, size - 1);
        return 0;
    case 5:
        fuzz_guard(data + 1, size - 1);
        return 0;
    default:
        break;
    }
    s = malloc(size); /* NUL-terminated copy of data[1..] */
    if (!s)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    if (data[0] % 6 == 2)
        fuzz_path(s);
    else
        fuzz_cred(s);
    free(s);
    return 0;
}
