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

cm_err cm_wire_flush(struct cm_wire_conn *c)
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
}

static void sink_write(void *ctx, const char *data, size_t len)
{
    out_add(ctx, data, len);
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
    c->s.logging = CM_WIRE_LOG_REFUSALS; /* the worker logs its outages (cm_service.c) */
    c->s.handshake_ms = timeout_ms;
    /* one round: each server once; the caller waits cm_wire_retry_ms after it */
    for (;;) {
        const struct cm_wire_url *u = cm_wire_session_attempt(&c->s, cm_now_ms());
        const char *why = "cannot connect";
        c->fd = dial(u, timeout_ms);
        if (c->fd >= 0 && handshake(c, u, &why) == CM_OK) {
            *out = c;
            return CM_OK;
        }
        drop_socket(c);
        if (cm_wire_session_lost(&c->s, why, NULL) > 0)
            break;
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
