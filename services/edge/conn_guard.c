/* conn_guard.c: the bufferevent filter between each client socket and
 * evhttp (see conn_guard.h): strict request framing, verdict requests for
 * what is refused, answers counted, idle connections closed on drain, and
 * the lingering close after a refusal. Loop thread only. */
#include "conn_guard.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cm_alloc.h"
#include "cm_http.h"
#include "cm_stream.h"
#include "cm_time.h"
#include "edge.h"
#include "http_guard.h"

#define LINGER_MS 5000      /* a refused client may go on sending this long at most */
#define LINGER_IDLE_MS 2000 /* ... and pause this long at most */
#define LEADING_CRLF_MAX 8  /* empty lines tolerated before a request line */
#define DRAIN_IDLE_MS 250   /* on drain, a connection quiet this long is closed */
#define STREAM_WINDOW (2 * CM_STREAM_CHUNK) /* a streamed body's bytes read ahead of the proxy */

enum guard_in {
    IN_HEAD,    /* reading a head (held bytes at the front of the socket buffer) */
    IN_LENGTH,  /* streaming a Content-Length body to evhttp */
    IN_CHUNKED, /* holding a chunked body until it is complete */
    IN_STREAM,  /* a streamed upload's body: left in the socket buffer, taken by the proxy */
    IN_REFUSED, /* a verdict was passed: the rest is discarded */
};

enum guard_out {
    OUT_HEAD,    /* waiting for a response head */
    OUT_LENGTH,  /* passing out_left body bytes */
    OUT_CHUNKED, /* passing a chunked body */
    OUT_CLOSE,   /* passing until the end */
};

struct conn_guard {
    struct edge_loop *loop;
    struct bufferevent *under; /* the socket */
    struct bufferevent *filt;  /* what evhttp owns */
    struct event *kick;        /* makes the filter look at evhttp's output */
    struct conn_guard *prev, *next;
    enum guard_in in;
    size_t held;        /* bytes of the socket buffer scanned but not passed on */
    size_t crlfs;       /* empty lines skipped before the current request */
    int line_checked;   /* the current request line was checked already */
    uint64_t body_left; /* IN_LENGTH */
    struct hg_chunks chunks;
    Envelope__Surface surface; /* IN_CHUNKED: of the request being read */
    unsigned passed, answered; /* requests handed to evhttp, final answers seen */
    enum guard_out out;
    uint64_t out_left;
    int out_status;
    struct hg_chunks out_chunks;
    int out_held;           /* the first byte of evhttp's output was scanned, not passed */
    uint64_t linger_budget; /* IN_REFUSED: bytes still to discard */
    int64_t linger_last_ms;     /* when the client last sent something */
    int64_t linger_deadline_ms; /* close by then at the latest */
    struct event *linger;       /* IN_REFUSED: checks whether to close */
    int shut;                   /* the sending side is shut down */
    int closing;            /* closed by conn_guard_close_idle */
    int64_t last_ms;        /* last byte from the client, or last answer out */
    uint64_t stream_left;   /* IN_STREAM: body bytes not yet taken */
    struct pending *stream; /* IN_STREAM: the request taking them, NULL until attached */
    struct event *stream_ev; /* IN_STREAM: tells the proxy that body bytes arrived */
};

/* --- lingering close --- */

/* Ends a refused connection: as if the client had closed, evhttp frees it
 * (and the socket bufferevent closes the socket). */
static void close_now(struct conn_guard *g)
{
    if (g->closing)
        return;
    g->closing = 1;
    bufferevent_trigger_event(g->filt, BEV_EVENT_EOF | BEV_EVENT_READING, 0);
}

/* The linger timer: close once the client has been quiet for LINGER_IDLE_MS
 * or LINGER_MS have passed, and every answer is out. */
static void on_linger(evutil_socket_t fd, short what, void *arg)
{
    struct conn_guard *g = arg;
    struct timeval again = {0, 100 * 1000};
    int64_t now = cm_now_ms();

    (void)fd;
    (void)what;
    if (g->answered >= g->passed && evbuffer_get_length(bufferevent_get_output(g->under)) == 0 &&
        (now - g->linger_last_ms >= LINGER_IDLE_MS || now >= g->linger_deadline_ms ||
         g->linger_budget == 0))
        close_now(g);
    else
        evtimer_add(g->linger, &again);
}

/* --- streamed upload bodies --- */

static void scan_input(struct conn_guard *g, struct evbuffer *src, struct evbuffer *dst);

/* Body bytes arrived while streaming: the proxy hears it from the loop (not
 * from inside the buffer's callback, since it drains that buffer). */
static void on_stream_ready(evutil_socket_t fd, short what, void *arg)
{
    struct conn_guard *g = arg;
    (void)fd;
    (void)what;
    if (g->in == IN_STREAM && g->stream)
        proxy_on_body_data(g->stream);
}

static void on_socket_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct conn_guard *g = arg;
    (void)buf;
    if (info->n_added && g->in == IN_STREAM && g->stream && g->stream_ev)
        event_active(g->stream_ev, EV_TIMEOUT, 0);
}

/* The streamed body is all taken: back to reading heads. */
static void stream_done(struct conn_guard *g)
{
    g->in = IN_HEAD;
    g->stream = NULL;
    bufferevent_setwatermark(g->under, EV_READ, 0, 0);
}

struct conn_guard *conn_guard_of(struct edge_loop *l, struct evhttp_request *req)
{
    struct bufferevent *bev =
        evhttp_connection_get_bufferevent(evhttp_request_get_connection(req));

    for (struct conn_guard *g = l->guards; g; g = g->next)
        if (g->filt == bev)
            return g->in == IN_STREAM ? g : NULL;
    return NULL;
}

void conn_guard_stream_attach(struct conn_guard *g, struct pending *p)
{
    g->stream = p;
    if (!g->stream_ev) {
        g->stream_ev = event_new(g->loop->base, -1, 0, on_stream_ready, g);
        if (g->stream_ev)
            evbuffer_add_cb(bufferevent_get_input(g->under), on_socket_input, g);
    }
    /* evhttp stops reading while it handles a request, which pauses the
     * socket under the filter too: the body must flow, and evhttp sees none
     * of it (nothing is passed to the filter's input while streaming) */
    bufferevent_enable(g->filt, EV_READ);
    if (evbuffer_get_length(bufferevent_get_input(g->under)))
        proxy_on_body_data(p);
}

void conn_guard_stream_detach(struct conn_guard *g, struct pending *p)
{
    if (g->stream == p)
        g->stream = NULL;
}

size_t conn_guard_stream_avail(const struct conn_guard *g)
{
    size_t avail = evbuffer_get_length(bufferevent_get_input(g->under));
    return (uint64_t)avail < g->stream_left ? avail : (size_t)g->stream_left;
}

uint64_t conn_guard_stream_left(const struct conn_guard *g)
{
    return g->stream_left;
}

const void *conn_guard_stream_peek(struct conn_guard *g, size_t n)
{
    return evbuffer_pullup(bufferevent_get_input(g->under), (ev_ssize_t)n);
}

void conn_guard_stream_take(struct conn_guard *g, size_t n)
{
    evbuffer_drain(bufferevent_get_input(g->under), n);
    g->stream_left -= n;
    g->last_ms = cm_now_ms();
    if (g->stream_left == 0) {
        stream_done(g);
        if (evbuffer_get_length(bufferevent_get_input(g->under))) /* a pipelined request */
            bufferevent_trigger(g->under, EV_READ, BEV_TRIG_IGNORE_WATERMARKS);
    }
}

void conn_guard_stream_abandon(struct conn_guard *g)
{
    if (g->in != IN_STREAM)
        return;
    g->stream = NULL;
    bufferevent_setwatermark(g->under, EV_READ, 0, 0);
    /* the rest of the body is read and discarded, as after a refusal, and the
     * connection closes once the answer is out */
    g->in = IN_REFUSED;
    g->linger_budget = g->stream_left;
    g->linger_last_ms = cm_now_ms();
    g->linger_deadline_ms = g->linger_last_ms + LINGER_MS;
    if (!g->linger)
        g->linger = evtimer_new(g->loop->base, on_linger, g);
    if (g->linger) {
        struct timeval tick = {0, 100 * 1000};
        evtimer_add(g->linger, &tick);
    }
    if (evbuffer_get_length(bufferevent_get_input(g->under)))
        bufferevent_trigger(g->under, EV_READ, BEV_TRIG_IGNORE_WATERMARKS);
}

/* --- the request side --- */

/* Passes the first n bytes of src to evhttp. */
static void pass(struct conn_guard *g, struct evbuffer *src, struct evbuffer *dst, size_t n)
{
    evbuffer_remove_buffer(src, dst, n);
    g->held = 0;
}

/* Replaces the request being read with a verdict request for reason, in the
 * style of the surface of path (NULL: unknown), and discards the rest. */
static Envelope__Surface surface_of(const char *path, size_t path_len)
{
    char p[64];
    size_t n = path_len < sizeof p - 1 ? path_len : sizeof p - 1;

    if (!path)
        return ENVELOPE__SURFACE__SURFACE_UNKNOWN;
    memcpy(p, path, n);
    p[n] = '\0';
    return cm_http_surface_of(p);
}

static void refuse(struct conn_guard *g, struct evbuffer *src, struct evbuffer *dst,
                   enum hg_reason reason, const char *path, size_t path_len)
{
    Envelope__Surface surface = path ? surface_of(path, path_len) : g->surface;

    evbuffer_drain(src, evbuffer_get_length(src));
    g->held = 0;
    evbuffer_add_printf(dst,
                        "GET /.edge-guard HTTP/1.1\r\nHost: edge\r\n"
                        "%s: %d %d\r\n\r\n",
                        HG_VERDICT_HEADER, (int)reason, (int)surface);
    g->passed++;
    g->in = IN_REFUSED;
    g->linger_budget = 16 * (uint64_t)g->loop->cfg->max_body_bytes;
    g->linger_last_ms = cm_now_ms();
    g->linger_deadline_ms = g->linger_last_ms + LINGER_MS;
    if (!g->linger)
        g->linger = evtimer_new(g->loop->base, on_linger, g);
    if (g->linger) {
        struct timeval tick = {0, 100 * 1000};
        evtimer_add(g->linger, &tick);
    }
}

/* 1 when the request line at p (a head of n bytes) names a streamed upload. */
static int line_streams_body(const char *p, size_t n)
{
    const char *sp = memchr(p, ' ', n), *target, *end;

    if (!sp)
        return 0;
    target = sp + 1;
    end = memchr(target, ' ', n - (size_t)(target - p));
    if (!end)
        return 0;
    for (const char *q = target; q < end; q++)
        if (*q == '?') {
            end = q;
            break;
        }
    return edge_route_streams_body(p, (size_t)(sp - p), target, (size_t)(end - target));
}

static int streams_body(const char *p, const struct hg_head *h)
{
    return line_streams_body(p, h->len);
}

/* Passes the head p[0..end) of a streamed upload to evhttp without its body:
 * Content-Length and Expect are replaced by "Content-Length: 0" and
 * HG_STREAM_HEADER with the real length; the body stays in the socket
 * buffer, whose reading stops at STREAM_WINDOW bytes until the proxy takes
 * some (conn_guard_stream_take). */
static void stream_head(struct conn_guard *g, struct evbuffer *src, struct evbuffer *dst,
                        const char *p, size_t end, const struct hg_head *h)
{
    size_t off = hg_line_end(p, end); /* the request line, kept */

    evbuffer_add(dst, p, off);
    while (off < end) {
        size_t n = hg_line_end(p + off, end - off);
        if (n <= 2) /* the empty line */
            break;
        if (strncasecmp(p + off, "content-length:", 15) && strncasecmp(p + off, "expect:", 7))
            evbuffer_add(dst, p + off, n);
        off += n;
    }
    evbuffer_add_printf(dst, "Content-Length: 0\r\n%s: %llu\r\n\r\n", HG_STREAM_HEADER,
                        (unsigned long long)h->content_length);
    evbuffer_drain(src, end);
    g->held = 0;
    g->passed++;
    g->in = IN_STREAM;
    g->stream_left = h->content_length;
    g->stream = NULL;
    if (h->expect_continue)
        bufferevent_write(g->under, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    bufferevent_setwatermark(g->under, EV_READ, 0, STREAM_WINDOW);
    if (g->stream_left == 0)
        stream_done(g);
}

/* Scans what the client sent in src; passes what is valid to dst. */
static void scan_input(struct conn_guard *g, struct evbuffer *src, struct evbuffer *dst)
{
    const struct cm_config *cfg = g->loop->cfg;
    size_t max_head = (size_t)cfg->max_header_bytes;
    uint64_t max_body = (uint64_t)cfg->max_body_bytes;
    uint64_t max_upload = (uint64_t)cfg->max_upload_bytes;

    for (;;) {
        size_t avail = evbuffer_get_length(src);

        if (g->in == IN_STREAM) { /* the proxy takes the body (conn_guard_stream_take) */
            if (g->stream && avail)
                proxy_on_body_data(g->stream);
            return;
        }
        if (g->in == IN_REFUSED) {
            if (avail > g->linger_budget)
                avail = (size_t)g->linger_budget;
            evbuffer_drain(src, avail);
            g->linger_budget -= avail;
            if (avail)
                g->linger_last_ms = cm_now_ms();
            if (g->linger_budget == 0 && g->answered >= g->passed)
                close_now(g);
            else if (g->linger_budget == 0)
                bufferevent_disable(g->under, EV_READ); /* the linger timer closes it */
            return;
        }
        if (avail <= g->held)
            return;
        if (g->in == IN_HEAD) {
            size_t look = avail < max_head + 1 ? avail : max_head + 1, end;
            const char *p;
            struct hg_head h;
            enum hg_reason r;

            if (g->held == 0) {
                unsigned char c2[2];
                if (evbuffer_copyout(src, c2, 2) == 2 && c2[0] == '\r' && c2[1] == '\n' &&
                    g->crlfs < LEADING_CRLF_MAX) {
                    evbuffer_drain(src, 2);
                    g->crlfs += 2;
                    continue;
                }
            }
            p = (const char *)evbuffer_pullup(src, (ev_ssize_t)look);
            if (!p)
                return;
            end = hg_head_end(p, look);
            if (end == 0) {
                size_t le = hg_line_end(p, look);
                memset(&h, 0, sizeof h);
                if (le && !g->line_checked) {
                    g->line_checked = 1;
                    r = hg_request_line(p, le);
                    if (r != HG_R_NONE) {
                        hg_request_head(p, le, max_body, &h); /* for the path */
                        refuse(g, src, dst, r, h.path, h.path_len);
                        continue;
                    }
                }
                if (look > max_head) {
                    if (le)
                        hg_request_head(p, le, max_body, &h);
                    refuse(g, src, dst, HG_R_HEAD_TOO_LARGE, h.path, h.path_len);
                    continue;
                }
                g->held = look;
                return;
            }
            r = hg_request_head(p, end, line_streams_body(p, end) ? max_upload : max_body, &h);
            if (r != HG_R_NONE) {
                refuse(g, src, dst, r, h.path, h.path_len);
                continue;
            }
            g->line_checked = 0;
            g->crlfs = 0;
            if (h.body == HG_BODY_LENGTH && streams_body(p, &h)) {
                if (h.content_length > (uint64_t)cfg->max_upload_bytes) {
                    refuse(g, src, dst, HG_R_BODY_TOO_LARGE, h.path, h.path_len);
                    continue;
                }
                stream_head(g, src, dst, p, end, &h);
                return;
            }
            switch (h.body) {
            case HG_BODY_LENGTH:
                pass(g, src, dst, end);
                g->body_left = h.content_length;
                g->in = IN_LENGTH;
                break;
            case HG_BODY_CHUNKED:
                g->surface = surface_of(h.path, h.path_len); /* for a refusal of the body */
                g->held = end;
                hg_chunks_init(&g->chunks);
                g->in = IN_CHUNKED;
                if (h.expect_continue)
                    bufferevent_write(g->under, "HTTP/1.1 100 Continue\r\n\r\n", 25);
                break;
            default:
                pass(g, src, dst, end);
                g->passed++;
            }
        } else if (g->in == IN_LENGTH) {
            size_t take = avail < g->body_left ? avail : (size_t)g->body_left;
            pass(g, src, dst, take);
            g->body_left -= take;
            if (g->body_left == 0) {
                g->passed++;
                g->in = IN_HEAD;
            }
        } else { /* IN_CHUNKED: feed the bytes after held */
            struct evbuffer_ptr pos;
            struct evbuffer_iovec v[16];
            enum hg_reason why = HG_R_NONE;
            int n, rc = 0;

            if (avail > 2 * max_body + max_head + 65536) {
                refuse(g, src, dst, HG_R_BODY_TOO_LARGE, NULL, 0);
                continue;
            }
            if (evbuffer_ptr_set(src, &pos, g->held, EVBUFFER_PTR_SET) != 0)
                return;
            n = evbuffer_peek(src, -1, &pos, v, 16);
            if (n > 16)
                n = 16;
            for (int i = 0; i < n && rc == 0; i++) {
                size_t used = 0;
                rc = hg_chunks_feed(&g->chunks, v[i].iov_base, v[i].iov_len, max_body, &used, &why);
                g->held += used;
            }
            if (rc < 0) {
                refuse(g, src, dst, why, NULL, 0);
            } else if (rc > 0) {
                pass(g, src, dst, g->held);
                g->passed++;
                g->in = IN_HEAD;
            } else if (n < 16) {
                return;
            }
        }
    }
}

static enum bufferevent_filter_result guard_input(struct evbuffer *src, struct evbuffer *dst,
                                                  ev_ssize_t limit,
                                                  enum bufferevent_flush_mode mode, void *ctx)
{
    struct conn_guard *g = ctx;
    size_t before = evbuffer_get_length(dst);

    (void)limit;
    (void)mode;
    if (evbuffer_get_length(src) > g->held)
        g->last_ms = cm_now_ms();
    scan_input(g, src, dst);
    return evbuffer_get_length(dst) > before ? BEV_OK : BEV_NEED_MORE;
}

/* --- the response side: count evhttp's final answers --- */

static void answer_done(struct conn_guard *g)
{
    if (g->out_status >= 200)
        g->answered++;
    g->last_ms = cm_now_ms();
    g->out = OUT_HEAD;
}

static void scan_output(struct conn_guard *g, struct evbuffer *src, struct evbuffer *dst)
{
    for (;;) {
        size_t avail = evbuffer_get_length(src);

        if (avail == 0)
            return;
        if (g->out == OUT_HEAD) {
            struct hg_head h;
            size_t look = avail < 65536 ? avail : 65536, end;
            const char *p = (const char *)evbuffer_pullup(src, (ev_ssize_t)look);

            end = p ? hg_head_end(p, look) : 0;
            if (end == 0) {
                if (look < 65536)
                    return; /* evhttp is still writing the head */
                g->out = OUT_CLOSE;
                continue;
            }
            if (hg_response_head(p, end, &h) != 0) {
                g->out = OUT_CLOSE;
                continue;
            }
            if (g->in == IN_REFUSED && h.status >= 200 && g->answered + 1 == g->passed) {
                /* the answer to the verdict: the client is told the connection
                 * ends (evhttp keeps it open: the guard closes it after lingering) */
                evbuffer_remove_buffer(src, dst, end - 2);
                evbuffer_add(dst, "Connection: close\r\n", 19);
                evbuffer_remove_buffer(src, dst, 2);
            } else {
                evbuffer_remove_buffer(src, dst, end);
            }
            g->out_status = h.status;
            if (h.body == HG_BODY_LENGTH) {
                g->out = OUT_LENGTH;
                g->out_left = h.content_length;
            } else if (h.body == HG_BODY_CHUNKED) {
                g->out = OUT_CHUNKED;
                hg_chunks_init(&g->out_chunks);
            } else if (h.body == HG_BODY_CLOSE) {
                g->out = OUT_CLOSE;
            } else {
                answer_done(g);
            }
        } else if (g->out == OUT_LENGTH) {
            size_t take = avail < g->out_left ? avail : (size_t)g->out_left;
            evbuffer_remove_buffer(src, dst, take);
            g->out_left -= take;
            if (g->out_left == 0)
                answer_done(g);
        } else if (g->out == OUT_CHUNKED) {
            struct evbuffer_iovec v;
            enum hg_reason why;
            size_t used = 0;
            int rc;

            if (evbuffer_peek(src, -1, NULL, &v, 1) < 1)
                return;
            rc = hg_chunks_feed(&g->out_chunks, v.iov_base, v.iov_len, UINT64_MAX / 2, &used, &why);
            evbuffer_remove_buffer(src, dst, rc < 0 ? v.iov_len : used);
            if (rc > 0)
                answer_done(g);
            else if (rc < 0)
                g->out = OUT_CLOSE;
        } else {
            evbuffer_add_buffer(dst, src);
        }
    }
}

/* evhttp takes an empty output buffer (ours) as "written" and may then
 * close the socket at once: so the bytes are written to the socket here,
 * and while the kernel does not take them all, the last byte stays behind in
 * evhttp's buffer until the socket has drained (the socket's write callback
 * calls this filter again). */
static enum bufferevent_filter_result guard_output(struct evbuffer *src, struct evbuffer *dst,
                                                   ev_ssize_t limit,
                                                   enum bufferevent_flush_mode mode, void *ctx)
{
    struct conn_guard *g = ctx;
    evutil_socket_t fd = bufferevent_getfd(g->under);
    size_t left;

    (void)limit;
    if (mode == BEV_FINISHED) {
        evbuffer_add_buffer(dst, src); /* the end: no more counting */
        return BEV_OK;
    }
    if (mode == BEV_NORMAL)
        return BEV_NEED_MORE; /* only on_kick moves bytes (see there) */
    if (evbuffer_get_length(dst) > 0)
        return BEV_NEED_MORE; /* the socket has not taken the last bytes yet */
    if (g->out_held) {
        evbuffer_remove_buffer(src, dst, 1); /* scanned already */
        g->out_held = 0;
    }
    scan_output(g, src, dst);
    while (fd >= 0 && evbuffer_get_length(dst) > 0 && evbuffer_write(dst, fd) > 0)
        ;
    left = evbuffer_get_length(dst);
    if (left == 0 && g->in == IN_REFUSED && g->answered >= g->passed && !g->shut && fd >= 0) {
        shutdown(fd, SHUT_WR); /* the verdict is out: the client sees the end */
        g->shut = 1;
    }
    if (left > 0 && evbuffer_get_length(src) == 0) {
        struct evbuffer *front = evbuffer_new();
        if (front) { /* move dst's last byte back to src */
            evbuffer_remove_buffer(dst, front, left - 1);
            evbuffer_prepend_buffer(src, dst);
            evbuffer_add_buffer(dst, front);
            evbuffer_free(front);
            g->out_held = 1;
        }
    }
    return BEV_OK;
}

/* --- life cycle --- */

/* evhttp's output is moved to the socket only here, from an event of its
 * own, never inside evhttp's own call that adds it: evhttp adds a response
 * before it enables writing and sets what to do once it is written, and the
 * filter would otherwise report it written (evhttp's write callback) at the
 * wrong moment, or not look at it at all. Every addition by evhttp, and the
 * socket's buffer running empty while a byte is held back, schedule it. */
static void on_kick(evutil_socket_t fd, short what, void *arg)
{
    struct conn_guard *g = arg;
    (void)fd;
    (void)what;
    if (evbuffer_get_length(bufferevent_get_output(g->filt)) > 0)
        bufferevent_flush(g->filt, EV_WRITE, BEV_FLUSH);
}

static void on_output_added(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct conn_guard *g = arg;
    (void)buf;
    if (info->n_added)
        event_active(g->kick, EV_TIMEOUT, 0);
}

static void on_socket_drained(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct conn_guard *g = arg;
    if (info->n_deleted && evbuffer_get_length(buf) == 0 &&
        evbuffer_get_length(bufferevent_get_output(g->filt)) > 0)
        event_active(g->kick, EV_TIMEOUT, 0);
}

static void guard_free(void *ctx)
{
    struct conn_guard *g = ctx;
    struct edge_loop *l = g->loop;

    if (g->prev)
        g->prev->next = g->next;
    else
        l->guards = g->next;
    if (g->next)
        g->next->prev = g->prev;
    l->nguards--;
    if (g->stream)
        proxy_on_body_gone(g->stream);
    event_free(g->kick);
    if (g->stream_ev)
        event_free(g->stream_ev);
    if (g->linger)
        event_free(g->linger);
    free(g);
}

struct bufferevent *conn_guard_bevcb(struct event_base *base, void *arg)
{
    struct edge_loop *l = arg;
    struct conn_guard *g = cm_xcalloc(1, sizeof *g);

    g->loop = l;
    g->last_ms = cm_now_ms();
    g->under = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!g->under) {
        free(g);
        return NULL;
    }
    g->kick = event_new(base, -1, 0, on_kick, g);
    g->filt = g->kick ? bufferevent_filter_new(g->under, guard_input, guard_output,
                                               BEV_OPT_CLOSE_ON_FREE, guard_free, g)
                      : NULL;
    if (!g->filt) {
        if (g->kick)
            event_free(g->kick);
        bufferevent_free(g->under);
        free(g);
        return NULL;
    }
    evbuffer_add_cb(bufferevent_get_output(g->filt), on_output_added, g);
    evbuffer_add_cb(bufferevent_get_output(g->under), on_socket_drained, g);
    g->next = l->guards;
    if (l->guards)
        l->guards->prev = g;
    l->guards = g;
    l->nguards++;
    return g->filt;
}

unsigned conn_guard_count(const struct edge_loop *l)
{
    return l->nguards;
}

/* Idle: nothing in flight, nothing to write, and quiet for DRAIN_IDLE_MS (a
 * client that was just answered is likely sending its next request, which
 * will then be answered with "Connection: close" instead: closing under it
 * is the one race HTTP/1.1 leaves, see README). */
static int is_idle(struct conn_guard *g, int64_t now)
{
    return !g->closing && now - g->last_ms >= DRAIN_IDLE_MS && g->in == IN_HEAD && g->held == 0 && g->passed == g->answered &&
           g->out == OUT_HEAD && !g->out_held && evbuffer_get_length(bufferevent_get_input(g->under)) == 0 &&
           evbuffer_get_length(bufferevent_get_input(g->filt)) == 0 &&
           evbuffer_get_length(bufferevent_get_output(g->filt)) == 0 &&
           evbuffer_get_length(bufferevent_get_output(g->under)) == 0;
}

void conn_guard_close_idle(struct edge_loop *l)
{
    int64_t now = cm_now_ms();

    for (struct conn_guard *g = l->guards, *next; g; g = next) {
        next = g->next;
        if (is_idle(g, now)) {
            g->closing = 1;
            /* as if the client had closed: evhttp frees the connection */
            bufferevent_trigger_event(g->filt, BEV_EVENT_EOF | BEV_EVENT_READING, 0);
        }
    }
}
