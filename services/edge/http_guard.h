/* http_guard.h: a strict HTTP/1.1 message-framing scanner (RFC 9112), pure:
 * no I/O, no allocation. The edge's connection guard (conn_guard.c) runs every
 * request through it before evhttp sees a byte, so that what evhttp would
 * accept loosely (two Content-Lengths, obs-fold, bare LF, a missing Host) or
 * answer itself in HTML is refused in the surface's JSON style. It also reads
 * evhttp's own responses, to count the answers on a connection. Fuzzed by
 * tests/fuzz/fuzz_request.c; unit tests in tests/unit/test_edge_http_guard.c. */
#ifndef EDGE_HTTP_GUARD_H
#define EDGE_HTTP_GUARD_H

#include <stddef.h>
#include <stdint.h>

/* Why a request is refused; hg_reason_text gives the detail the client sees. */
enum hg_reason {
    HG_R_NONE,
    HG_R_REQUEST_LINE,   /* 400: not "method SP target SP HTTP/1.x" */
    HG_R_METHOD,         /* 405: a method the API does not take (CONNECT, HEAD, ...) */
    HG_R_UNKNOWN_METHOD, /* 501: not an HTTP method at all */
    HG_R_TARGET,         /* 400: request target not origin- or absolute-form */
    HG_R_VERSION,        /* 505: not HTTP/1.x */
    HG_R_BARE_LF,        /* 400: a line ends in LF without CR */
    HG_R_BARE_CR,        /* 400: CR not followed by LF */
    HG_R_OBS_FOLD,       /* 400: a header line continued on the next line */
    HG_R_HEADER,         /* 400: malformed header line (name, colon, value bytes) */
    HG_R_NAME_SPACE,     /* 400: whitespace between a header name and its colon */
    HG_R_HOST,           /* 400: HTTP/1.1 without exactly one valid Host */
    HG_R_LENGTH,         /* 400: Content-Length not a plain decimal number */
    HG_R_LENGTHS,        /* 400: several Content-Length values that differ */
    HG_R_LENGTH_AND_TE,  /* 400: both Content-Length and Transfer-Encoding */
    HG_R_TE,             /* 400: a Transfer-Encoding other than "chunked" (or in HTTP/1.0) */
    HG_R_EXPECT,         /* 417: an Expect other than 100-continue */
    HG_R_RESERVED,       /* 400: a header only the edge itself may set */
    HG_R_HEAD_TOO_LARGE, /* 431: request line and headers over the limit */
    HG_R_BODY_TOO_LARGE, /* 413: body over the limit */
    HG_R_CHUNK,          /* 400: malformed chunked body */
    HG_R_COUNT
};

/* The HTTP status of reason r, and its detail text (static). */
int hg_reason_status(enum hg_reason r);
const char *hg_reason_text(enum hg_reason r);

/* Name of the header the guard uses to hand its verdict to the proxy; a
 * client sending it is refused (HG_R_RESERVED). */
#define HG_VERDICT_HEADER "X-Edge-Guard"
/* Header the guard puts on a request whose body it withholds for streaming
 * (conn_guard_stream_*), with the body's length; reserved the same way. */
#define HG_STREAM_HEADER "X-Edge-Guard-Stream"

enum hg_body {
    HG_BODY_NONE,    /* no body */
    HG_BODY_LENGTH,  /* content_length bytes */
    HG_BODY_CHUNKED, /* chunked */
    HG_BODY_CLOSE,   /* responses only: until the connection closes */
};

/* What a valid head says. The slices point into the caller's buffer. */
struct hg_head {
    size_t len;            /* bytes of the head, the empty line included */
    const char *path;      /* request: path of the target (no query), may be empty */
    size_t path_len;
    int minor;             /* HTTP/1.<minor> */
    int status;            /* response: status code */
    enum hg_body body;
    uint64_t content_length;
    int expect_continue;   /* request: Expect: 100-continue */
    int close;             /* Connection: close */
};

/* Length of the head at the start of p[0..n) including the line that ends
 * it (CRLF CRLF, or a bare-LF form of it, which hg_request_head refuses), 0
 * while incomplete. */
size_t hg_head_end(const char *p, size_t n);

/* Length of the first line of p[0..n) including its LF, 0 while incomplete. */
size_t hg_line_end(const char *p, size_t n);

/* Checks a request line (its bytes, CRLF included). Returns HG_R_NONE, or
 * why it is refused. */
enum hg_reason hg_request_line(const char *p, size_t n);

/* Checks a complete request head p[0..n) (n = hg_head_end) against the
 * limits and fills out. Returns HG_R_NONE, or why it is refused; out->path
 * is set as soon as the request line was read, so the caller can pick the
 * surface of its error. */
enum hg_reason hg_request_head(const char *p, size_t n, uint64_t max_body, struct hg_head *out);

/* Reads a response head p[0..n) as evhttp writes it. Returns 0, or -1 when
 * it is not one. */
int hg_response_head(const char *p, size_t n, struct hg_head *out);

/* A chunked body being read. Zero it (or hg_chunks_init) before the first
 * byte. */
struct hg_chunks {
    int state;
    uint64_t left;  /* bytes of chunk data still to come */
    uint64_t total; /* chunk data so far */
    size_t line;    /* bytes of the current size, extension or trailer line */
    size_t trailer; /* bytes of trailers so far */
};

void hg_chunks_init(struct hg_chunks *c);

/* Feeds p[0..n) of a chunked body. *used gets how many bytes belong to the
 * body (all of them unless it ended). Returns 1 when the body ended (after
 * *used bytes), 0 when more is needed, or -1 with *why on a malformed body or
 * one whose data exceeds max_body. */
int hg_chunks_feed(struct hg_chunks *c, const char *p, size_t n, uint64_t max_body, size_t *used,
                   enum hg_reason *why);

#endif
