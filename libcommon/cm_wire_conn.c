/* cm_wire_conn.c: a blocking NATS connection for one thread (cm_wire.h),
 * the I/O driver of the shared state machine (cm_wire_session.h): socket,
 * poll and SSL, an output buffer that publishes and the session's control
 * lines append to, and the pump that reads a batch, feeds it to the session
 * on the calling thread and writes the replies together. */
#include "cm_wire.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_nats_tls.h"
#include "cm_time.h"
#include "cm_wire_session.h"

#define READ_CHUNK 65536
#define FLUSH_AFTER_S 0.0005 /* replies held at most this long while a batch is handled */

struct cm_wire_conn {
    int fd;
    SSL *ssl; /* TLS over fd, or NULL */
    char *in;
    size_t in_len, in_cap;
    char *out;
    size_t out_len, out_cap;
    int broken; /* a write failed: the connection is lost */
    struct cm_wire_session s; /* states, rounds, handshake, keepalive, lame duck, -ERRs */
};

/* Room for n more bytes of output. */
static char *out_reserve(struct cm_wire_conn *c, size_t n)
{
    if (c->out_cap - c->out_len < n) {
        size_t cap = c->out_cap ? c->out_cap : 16384;
        while (cap - c->out_len < n)
            cap *= 2;
        c->out = cm_xrealloc(c->out, cap);
        c->out_cap = cap;
    }
    return c->out + c->out_len;
}

static void out_add(struct cm_wire_conn *c, const void *data, size_t n)
{
    memcpy(out_reserve(c, n), data, n);
    c->out_len += n;
}

/* Waits up to timeout_ms for events on fd; 1 when ready, 0 on timeout,
 * -1 on error. */
static int wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = events};
    int rc;

    do
        rc = poll(&p, 1, timeout_ms);
    while (rc < 0 && errno == EINTR);
    if (rc > 0 && (p.revents & (POLLERR | POLLNVAL)) && !(p.revents & events))
        return -1;
    return rc;
}

/* Writes c's output; CM_EUNAVAIL (c broken) when it cannot. */
static cm_err flush_out(struct cm_wire_conn *c)
{
    size_t off = 0;

    while (c->ssl && off < c->out_len) {
        size_t left = c->out_len - off;
        int n = SSL_write(c->ssl, c->out + off, left > INT32_MAX ? INT32_MAX : (int)left);
        int e = n > 0 ? SSL_ERROR_NONE : SSL_get_error(c->ssl, n);
        if (n > 0)
            off += (size_t)n;
        else if ((e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) ||
                 wait_fd(c->fd, e == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, 5000) <= 0)
            return CM_EUNAVAIL;
    }
    while (off < c->out_len) {
        ssize_t n = send(c->fd, c->out + off, c->out_len - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_fd(c->fd, POLLOUT, 5000) <= 0)
                return CM_EUNAVAIL;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return CM_EUNAVAIL;
        }
    }
    c->out_len = 0;
    return CM_OK;
}

cm_err cm_wire_flush(struct cm_wire_conn *c)
{
    if (c->fd < 0 || c->broken) {
        c->out_len = 0; /* no connection (a client between two): dropped */
        return CM_EUNAVAIL;
    }
    if (flush_out(c) != CM_OK) {
        c->broken = 1;
        return CM_EUNAVAIL;
    }
    return CM_OK;
}

/* Reads the TLS records there are (up to the room in the input buffer). */
static cm_err tls_read(struct cm_wire_conn *c)
{
    while (c->in_len < c->in_cap) {
        size_t room = c->in_cap - c->in_len;
        int n = SSL_read(c->ssl, c->in + c->in_len, room > INT32_MAX ? INT32_MAX : (int)room);
        int e = n > 0 ? SSL_ERROR_NONE : SSL_get_error(c->ssl, n);
        if (n > 0) {
            c->in_len += (size_t)n;
            continue;
        }
        return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? CM_OK : CM_EUNAVAIL;
    }
    return CM_OK;
}

/* Reads what is there into the input buffer (after waiting up to
 * timeout_ms). CM_OK also when nothing came; CM_EUNAVAIL on EOF or error. */
static cm_err read_some(struct cm_wire_conn *c, int timeout_ms)
{
    ssize_t n;
    int ready = c->ssl && SSL_pending(c->ssl) > 0 ? 1 : wait_fd(c->fd, POLLIN, timeout_ms);

    if (ready < 0)
        return CM_EUNAVAIL;
    if (ready == 0)
        return CM_OK;
    if (c->in_cap - c->in_len < READ_CHUNK) {
        c->in_cap = c->in_len + READ_CHUNK * 2;
        c->in = cm_xrealloc(c->in, c->in_cap);
    }
    if (c->ssl)
        return tls_read(c);
    do
        n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        c->in_len += (size_t)n;
        return CM_OK;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return CM_OK;
    return CM_EUNAVAIL;
}

/* Drops the first n bytes of input. */
static void in_consume(struct cm_wire_conn *c, size_t n)
{
    if (n == 0)
        return; /* c->in may still be NULL */
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
}

/* A non-blocking TCP socket connected to u within timeout_ms, or -1. */
static int dial(const struct cm_wire_url *u, int timeout_ms)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    char port[16];
    int fd = -1;

    snprintf(port, sizeof port, "%d", u->port);
    if (getaddrinfo(u->host, port, &hints, &res) != 0)
        return -1;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        int one = 1, err = 0;
        socklen_t elen = sizeof err;
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 &&
            (errno != EINPROGRESS || wait_fd(fd, POLLOUT, timeout_ms) <= 0 ||
             getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0)) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

/* The TLS handshake on c's socket with u's host, within the attempt's
 * deadline; the certificate and the name are verified. */
static cm_err tls_start(struct cm_wire_conn *c, const struct cm_wire_url *u)
{
    c->ssl = cm_nats_tls_new(u->tls_name[0] ? u->tls_name : u->host);
    if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1)
        return CM_EUNAVAIL;
    for (;;) {
        int rc = SSL_connect(c->ssl), e, left = (int)(c->s.deadline_ms - cm_now_ms());
        if (rc == 1)
            return CM_OK;
        e = SSL_get_error(c->ssl, rc);
        if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || left <= 0 ||
            wait_fd(c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, left) <= 0) {
            long v = SSL_get_verify_result(c->ssl);
            cm_warn("nats tls handshake with %s:%d failed%s%s", u->host, u->port,
                    v != X509_V_OK ? ": " : "",
                    v != X509_V_OK ? X509_verify_cert_error_string(v) : "");
            return CM_EUNAVAIL;
        }
    }
}

/* Drives the session's handshake on the attempt's socket: reads, feeds
 * each operation, writes what it answers, until it is up. CM_OK, or
 * CM_EUNAVAIL with *why. */
static cm_err handshake(struct cm_wire_conn *c, const struct cm_wire_url *u, const char **why)
{
    cm_wire_session_connected(&c->s);
    for (;;) {
        struct cm_wire_msg m;
        long taken = cm_wire_parse(c->in, c->in_len, &m);
        enum cm_wire_verdict v;

        if (taken < 0) {
            *why = "protocol error";
            return CM_EUNAVAIL;
        }
        if (taken == 0) {
            int64_t now = cm_now_ms(), left = c->s.deadline_ms - now;
            if (cm_wire_session_tick(&c->s, now) == CM_WIRE_LOST) {
                *why = c->s.why;
                return CM_EUNAVAIL;
            }
            if (read_some(c, left > 1 ? (int)left : 1) != CM_OK) {
                *why = "closed by the server";
                return CM_EUNAVAIL;
            }
            continue;
        }
        v = cm_wire_session_feed(&c->s, &m);
        in_consume(c, (size_t)taken);
        if (v == CM_WIRE_LOST) {
            *why = c->s.why;
            return CM_EUNAVAIL;
        }
        /* INFO comes in the clear; with TLS everything after it is encrypted */
        if (v == CM_WIRE_TLS && (c->in_len != 0 || tls_start(c, u) != CM_OK)) {
            *why = "tls setup failed";
            return CM_EUNAVAIL;
        }
        if (c->out_len && cm_wire_flush(c) != CM_OK) {
            *why = "write failed";
            return CM_EUNAVAIL;
        }
        if (v == CM_WIRE_READY)
            return CM_OK;
    }
}

/* Closes the attempt's socket and forgets its buffered bytes. */
static void drop_socket(struct cm_wire_conn *c)
{
    if (c->ssl)
        SSL_free(c->ssl);
    c->ssl = NULL;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->in_len = c->out_len = 0;
    c->broken = 0;
}

static void sink_write(void *ctx, const char *data, size_t len)
{
    out_add(ctx, data, len);
}

/* One round of attempts on c, the session's servers each once, until one
 * is up: CM_OK; else CM_EUNAVAIL and *wait_ms (may be NULL), the session's
 * wait before the next round. */
static cm_err connect_round(struct cm_wire_conn *c, int *wait_ms)
{
    for (;;) {
        const struct cm_wire_url *u = cm_wire_session_attempt(&c->s, cm_now_ms());
        const char *why = "cannot connect";
        int wait;
        c->fd = dial(u, c->s.handshake_ms);
        if (c->fd >= 0 && handshake(c, u, &why) == CM_OK)
            return CM_OK;
        drop_socket(c);
        wait = cm_wire_session_lost(&c->s, why, NULL);
        if (wait > 0) {
            if (wait_ms)
                *wait_ms = wait;
            return CM_EUNAVAIL;
        }
    }
}

cm_err cm_wire_open(const char *urls, const char *name, int timeout_ms, struct cm_wire_conn **out)
{
    static _Thread_local uint64_t rng;
    struct cm_wire_conn *c = cm_xcalloc(1, sizeof *c);
    struct cm_wire_sink sink = {.write = sink_write, .ctx = c};

    *out = NULL;
    if (!rng)
        rng = cm_wire_rng_seed((uint64_t)(uintptr_t)&rng);
    c->fd = -1;
    if (cm_wire_session_init(&c->s, urls, name, &sink, cm_wire_rng_next(&rng)) != CM_OK) {
        cm_wire_close(c);
        return CM_EINVAL;
    }
    c->s.logging = CM_WIRE_LOG_REFUSALS; /* its user logs its outages */
    c->s.handshake_ms = timeout_ms;
    /* one round: each server once; the caller waits cm_wire_retry_ms after it */
    if (connect_round(c, NULL) == CM_OK) {
        *out = c;
        return CM_OK;
    }
    cm_wire_close(c);
    return CM_EUNAVAIL;
}

void cm_wire_close(struct cm_wire_conn *c)
{
    if (!c)
        return;
    drop_socket(c);
    cm_wire_session_release(&c->s);
    free(c->in);
    free(c->out);
    free(c);
}

int cm_wire_lame_duck(const struct cm_wire_conn *c)
{
    return c->s.lame_duck;
}

int cm_wire_errors(const struct cm_wire_conn *c)
{
    return c->s.errors;
}

int64_t cm_wire_max_payload(const struct cm_wire_conn *c)
{
    return c->s.max_payload;
}

cm_err cm_wire_sub(struct cm_wire_conn *c, const char *subject, const char *queue, uint64_t sid)
{
    char line[2200];
    long n = cm_wire_sub_line(line, sizeof line, subject, queue, sid);

    if (n < 0)
        return CM_EINVAL;
    out_add(c, line, (size_t)n);
    return CM_OK;
}

cm_err cm_wire_unsub(struct cm_wire_conn *c, uint64_t sid)
{
    char line[64];
    long n = cm_wire_unsub_line(line, sizeof line, sid);

    if (n < 0)
        return CM_EINVAL;
    out_add(c, line, (size_t)n);
    return CM_OK;
}

cm_err cm_wire_ping(struct cm_wire_conn *c)
{
    out_add(c, "PING\r\n", 6);
    return CM_OK;
}

cm_err cm_wire_keepalive(struct cm_wire_conn *c, int interval_ms, int max_missed)
{
    size_t queued = c->out_len;

    cm_wire_session_keepalive(&c->s, interval_ms, max_missed);
    if (cm_wire_session_tick(&c->s, cm_now_ms()) == CM_WIRE_LOST)
        return CM_EUNAVAIL;
    return c->out_len != queued ? cm_wire_flush(c) : CM_OK; /* a PING was due */
}

/* The PUB line for len bytes, appended; CM_ETOOBIG past max_payload. */
static cm_err pub_head(struct cm_wire_conn *c, const char *subject, const char *reply, size_t len)
{
    char line[2200];
    long n;

    if (c->s.max_payload > 0 && len > (size_t)c->s.max_payload)
        return CM_ETOOBIG;
    n = cm_wire_pub_line(line, sizeof line, subject, reply, len);
    if (n < 0)
        return CM_EINVAL;
    out_add(c, line, (size_t)n);
    return CM_OK;
}

cm_err cm_wire_pub(struct cm_wire_conn *c, const char *subject, const char *reply,
                   const void *data, size_t len)
{
    cm_err err = pub_head(c, subject, reply, len);

    if (err != CM_OK)
        return err;
    if (len)
        out_add(c, data, len);
    out_add(c, "\r\n", 2);
    return CM_OK;
}

cm_err cm_wire_pub_msg(struct cm_wire_conn *c, const char *subject, const char *reply,
                       const ProtobufCMessage *msg)
{
    size_t len = protobuf_c_message_get_packed_size(msg), room;
    long n;

    if (c->s.max_payload > 0 && len > (size_t)c->s.max_payload)
        return CM_ETOOBIG;
    room = cm_wire_pub_room(subject, reply, len);
    n = cm_wire_pub_frame(out_reserve(c, room), room, subject, reply, msg, len);
    if (n < 0)
        return CM_EINVAL;
    c->out_len += (size_t)n;
    return CM_OK;
}

cm_err cm_wire_pump(struct cm_wire_conn *c, int timeout_ms, cm_wire_on_msg on_msg, void *ctx,
                    int *pongs)
{
    size_t off = 0;
    double held_since = 0;
    cm_err err = read_some(c, timeout_ms);

    while (err == CM_OK) {
        struct cm_wire_msg m;
        enum cm_wire_verdict v;
        long taken = cm_wire_parse(c->in + off, c->in_len - off, &m);
        if (taken < 0) {
            cm_warn("nats server sent something that is not the protocol; reconnecting");
            err = CM_EUNAVAIL;
            break;
        }
        if (taken == 0)
            break;
        off += (size_t)taken;
        v = cm_wire_session_feed(&c->s, &m);
        if (v == CM_WIRE_DELIVER) {
            if (on_msg)
                on_msg(ctx, &m);
        } else if (v == CM_WIRE_LOST) {
            err = CM_EUNAVAIL; /* the session gave the connection up */
            break;
        } else if (m.op == CM_WIRE_PONG && pongs) {
            (*pongs)++;
        }
        /* a batch's replies leave together, but none waits long behind a
         * slow request */
        if (c->out_len && !held_since)
            held_since = cm_now_s();
        if (c->out_len && cm_now_s() - held_since > FLUSH_AFTER_S) {
            err = cm_wire_flush(c);
            held_since = 0;
        }
    }
    in_consume(c, off);
    if (err == CM_OK && c->out_len)
        err = cm_wire_flush(c);
    return err;
}

/* --- the persistent client (cm_wire_client_*): one connection object and
 * one session for the thread's whole life; sockets come and go under it. */

#define CLIENT_SIDS 8
#define MOVE_DRAIN_MS 2000 /* the leaving server's connection: at most this long */
#define DRAIN_READ_MS 100

struct cm_wire_client {
    struct cm_wire_conn *c; /* publishes queue here; its socket is replaced on reconnect */
    uint64_t sids[CLIENT_SIDS];
    int nsids;
    int64_t retry_at_ms; /* down: the next round not before this */
    cm_wire_after_read after;
    void *after_ctx;
};

cm_err cm_wire_client_new(const char *urls, const char *name, const char *log_name,
                          struct cm_wire_client **out)
{
    static _Thread_local uint64_t rng;
    struct cm_wire_client *cl = cm_xcalloc(1, sizeof *cl);
    struct cm_wire_conn *c = cm_xcalloc(1, sizeof *c);
    struct cm_wire_sink sink = {.write = sink_write, .ctx = c};

    *out = NULL;
    cl->c = c;
    c->fd = -1;
    if (!rng)
        rng = cm_wire_rng_seed((uint64_t)(uintptr_t)&rng);
    if (cm_wire_session_init(&c->s, urls, name, &sink, cm_wire_rng_next(&rng)) != CM_OK) {
        cm_wire_client_free(cl);
        return CM_EINVAL;
    }
    cm_wire_session_log_as(&c->s, log_name);
    *out = cl;
    return CM_OK;
}

void cm_wire_client_free(struct cm_wire_client *cl)
{
    if (!cl)
        return;
    cm_wire_close(cl->c);
    free(cl);
}

cm_err cm_wire_client_subscribe(struct cm_wire_client *cl, const char *subject, const char *queue,
                                uint64_t sid)
{
    if (cl->nsids >= CLIENT_SIDS ||
        cm_wire_session_subscribe(&cl->c->s, subject, queue, sid) != CM_OK)
        return CM_EINVAL;
    cl->sids[cl->nsids++] = sid;
    return CM_OK;
}

void cm_wire_client_after_read(struct cm_wire_client *cl, cm_wire_after_read after, void *ctx)
{
    cl->after = after;
    cl->after_ctx = ctx;
}

void cm_wire_client_keepalive(struct cm_wire_client *cl, int interval_ms, int max_missed)
{
    cm_wire_session_keepalive(&cl->c->s, interval_ms, max_missed);
}

struct cm_wire_conn *cm_wire_client_conn(struct cm_wire_client *cl)
{
    return cl->c;
}

int cm_wire_client_up(const struct cm_wire_client *cl)
{
    return cl->c->fd >= 0 && cl->c->s.state == CM_WIRE_UP;
}

/* The connection is gone (why): the socket closed, the session told, the
 * next round scheduled after its wait. */
static void client_lost(struct cm_wire_client *cl, const char *why)
{
    int wait;

    drop_socket(cl->c);
    wait = cm_wire_session_lost(&cl->c->s, why, NULL);
    cl->retry_at_ms = cm_now_ms() + wait;
}

/* A round of attempts when the session's wait is over (sleeping at most
 * timeout_ms for it). CM_OK once up. */
static cm_err client_connect(struct cm_wire_client *cl, int timeout_ms)
{
    int64_t left = cl->retry_at_ms - cm_now_ms();
    int wait = 0;

    if (left > 0) {
        poll(NULL, 0, (int)(left < timeout_ms ? left : timeout_ms));
        if (cl->retry_at_ms > cm_now_ms())
            return CM_EUNAVAIL;
    }
    if (connect_round(cl->c, &wait) == CM_OK)
        return CM_OK;
    cl->retry_at_ms = cm_now_ms() + wait;
    return CM_EUNAVAIL;
}

static void after_read(struct cm_wire_client *cl)
{
    if (cl->after)
        cl->after(cl->after_ctx);
}

/* UNSUB of every subscription and a PING on c; the PONGs that answer it
 * (after the keepalive's PINGs still out), or 0 when it cannot be sent. */
static int unsub_all(struct cm_wire_client *cl, struct cm_wire_conn *c)
{
    for (int i = 0; i < cl->nsids; i++)
        cm_wire_unsub(c, cl->sids[i]);
    out_add(c, "PING\r\n", 6);
    return cm_wire_flush(c) == CM_OK ? 1 + cl->c->s.pings_out : 0;
}

/* The leaving server's connection old, after UNSUB + PING: what it still
 * delivers goes to on_msg until the PONG (or MOVE_DRAIN_MS); the replies
 * leave through cl's connection (the new one, or old's socket lent). Its
 * PINGs are answered; nothing else of it reaches the session. */
static void drain_old(struct cm_wire_client *cl, struct cm_wire_conn *old, int pongs,
                      cm_wire_on_msg on_msg, void *ctx)
{
    struct cm_wire_conn *c = cl->c;
    int64_t deadline = cm_now_ms() + MOVE_DRAIN_MS;

    while (pongs > 0) {
        int64_t left = deadline - cm_now_ms();
        size_t off = 0;
        if (left <= 0 || read_some(old, left < DRAIN_READ_MS ? (int)left : DRAIN_READ_MS) != CM_OK)
            break;
        for (;;) {
            struct cm_wire_msg m;
            long taken = cm_wire_parse(old->in + off, old->in_len - off, &m);
            if (taken <= 0) {
                if (taken < 0)
                    pongs = 0; /* not the protocol: give it up */
                break;
            }
            off += (size_t)taken;
            if (m.op == CM_WIRE_MSG && on_msg)
                on_msg(ctx, &m);
            else if (m.op == CM_WIRE_PING)
                out_add(old, "PONG\r\n", 6);
            else if (m.op == CM_WIRE_PONG && --pongs == 0)
                break;
        }
        in_consume(old, off);
        after_read(cl);
        if (old->out_len && cm_wire_flush(old) != CM_OK)
            break;
        if (c->out_len)
            cm_wire_flush(c);
    }
}

/* The server is entering lame-duck mode: its socket set aside, a new
 * connection (the session's new round; the leaving server refuses) with
 * the same SUBs, then UNSUB + PING on the old one, drained. No request
 * sent to this client is lost. When no other server takes it, the old
 * connection is still drained (replies on it) and the session waits for
 * its next round. */
static void client_move(struct cm_wire_client *cl, cm_wire_on_msg on_msg, void *ctx)
{
    struct cm_wire_conn *c = cl->c, old = {.fd = c->fd, .ssl = c->ssl};
    int pongs = 0, wait = 0, lent = 0;

    if (c->out_len)
        cm_wire_flush(c);
    old.in = c->in;
    old.in_len = c->in_len;
    old.in_cap = c->in_cap;
    c->in = NULL;
    c->in_len = c->in_cap = 0;
    c->fd = -1;
    c->ssl = NULL;
    pongs = 1 + c->s.pings_out;
    cm_wire_session_move(&c->s);
    if (connect_round(c, &wait) != CM_OK) {
        cl->retry_at_ms = cm_now_ms() + wait;
        c->fd = old.fd; /* no new connection: the replies go out on the old one */
        c->ssl = old.ssl;
        lent = 1;
    }
    for (int i = 0; i < cl->nsids; i++)
        cm_wire_unsub(&old, cl->sids[i]);
    out_add(&old, "PING\r\n", 6);
    if (cm_wire_flush(&old) == CM_OK)
        drain_old(cl, &old, pongs, on_msg, ctx);
    if (lent) {
        c->fd = -1;
        c->ssl = NULL;
        c->out_len = 0;
        c->broken = 0;
    }
    drop_socket(&old);
    free(old.in);
    free(old.out);
    cm_info("%s: nats server in lame-duck mode left%s", c->s.log_name[0] ? c->s.log_name : c->s.name,
            c->fd >= 0 ? "" : " (no other server yet)");
}

cm_err cm_wire_client_pump(struct cm_wire_client *cl, int timeout_ms, cm_wire_on_msg on_msg,
                           void *ctx)
{
    struct cm_wire_conn *c = cl->c;
    cm_err err;

    if (c->fd < 0 && client_connect(cl, timeout_ms) != CM_OK)
        return CM_EUNAVAIL;
    if (c->broken) {
        client_lost(cl, "write failed");
        return CM_EUNAVAIL;
    }
    err = cm_wire_pump(c, timeout_ms, on_msg, ctx, NULL);
    after_read(cl);
    if (err != CM_OK || c->broken) {
        client_lost(cl, c->broken ? "write failed" : "closed by the server");
        return CM_EUNAVAIL;
    }
    if (c->s.lame_duck) {
        client_move(cl, on_msg, ctx);
        return c->fd >= 0 ? CM_OK : CM_EUNAVAIL;
    }
    if (cm_wire_session_tick(&c->s, cm_now_ms()) == CM_WIRE_LOST) {
        client_lost(cl, c->s.why);
        return CM_EUNAVAIL;
    }
    if (c->out_len && cm_wire_flush(c) != CM_OK) {
        client_lost(cl, "write failed");
        return CM_EUNAVAIL;
    }
    return CM_OK;
}

void cm_wire_client_drain(struct cm_wire_client *cl, int timeout_ms, cm_wire_on_msg on_msg,
                          void *ctx)
{
    struct cm_wire_conn *c = cl->c;
    int64_t deadline = cm_now_ms() + timeout_ms;
    int want, pongs = 0;

    if (c->fd < 0)
        return;
    want = unsub_all(cl, c);
    while (pongs < want && cm_now_ms() < deadline &&
           cm_wire_pump(c, DRAIN_READ_MS, on_msg, ctx, &pongs) == CM_OK)
        after_read(cl);
    after_read(cl);
}
