/* nats_link.c: an edge loop's own NATS connection (see nats_link.h): the
 * libevent driver of the shared state machine (libcommon/cm_wire_session.h),
 * which owns the states, server rounds, handshake, keepalive and outage
 * logging. This file does the I/O: a bufferevent on the loop's event_base
 * (under a TLS filter once INFO asks for it), the retry timer, replies
 * dispatched on the loop thread, and the lame-duck move that keeps the
 * leaving server's connection for the replies it still carries.
 *
 * Output is written by a flush event activated by the first publish of a
 * loop iteration, which runs after that iteration's other callbacks: the
 * iteration's messages leave in one write. Only what that write leaves
 * behind (a full socket buffer) is left to the bufferevent, whose write
 * event is enabled for as long as that lasts. */
#include "nats_link.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_nats_tls.h"
#include "cm_time.h"
#include "cm_wire_session.h"

#define INBOX_SID 1
#define MAX_SINGLE_READ (256 * 1024)
#define OLD_DRAIN_MS 10000 /* a lame-duck server's connection is kept this long for replies */

struct nats_link {
    struct event_base *base;
    struct nats_link_handler h;
    struct cm_wire_session s; /* states, rounds, handshake, keepalive, outage logging */
    char inbox[32];
    atomic_int up; /* s.state == CM_WIRE_UP (or a lame-duck server still serving), for
                    * other threads */
    struct bufferevent *bev;
    struct event *retry;
    struct event *flush;
    int flush_pending;
    int tls; /* the current connection speaks TLS (a filter over the socket) */
    struct bufferevent *old; /* the lame-duck server's connection, kept for replies meanwhile */
    int64_t old_until_ms; /* when old is closed once the new connection is up */
};

static void attempt(struct nats_link *k);

/* --- pure helpers --- */

int nats_link_reply_subject(const char *inbox, uint32_t slot, uint32_t gen, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s.%u.%u", inbox, slot, gen);
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

/* Reads a decimal uint32 from s[0..n) up to stop (or the end); the bytes it
 * took, or 0 when there are none or it overflows. */
static size_t read_u32(const char *s, size_t n, char stop, uint32_t *out)
{
    uint64_t v = 0;
    size_t i = 0;

    for (; i < n && s[i] != stop; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > UINT32_MAX)
            return 0;
    }
    if (i == 0)
        return 0;
    *out = (uint32_t)v;
    return i;
}

int nats_link_reply_parse(const char *inbox, const char *subject, size_t len, uint32_t *slot,
                          uint32_t *gen)
{
    size_t n = strlen(inbox), a, b;
    uint32_t s, g;

    if (len < n + 4 || memcmp(subject, inbox, n) != 0 || subject[n] != '.')
        return -1;
    subject += n + 1;
    len -= n + 1;
    a = read_u32(subject, len, '.', &s);
    if (a == 0 || a >= len || subject[a] != '.')
        return -1;
    b = read_u32(subject + a + 1, len - a - 1, '\0', &g);
    if (b == 0 || a + 1 + b != len)
        return -1;
    *slot = s;
    *gen = g;
    return 0;
}

/* "_INBOX." and 22 random characters of [0-9A-Za-z]. */
static void make_inbox(struct nats_link *k)
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint8_t r[22];
    size_t n = strlen("_INBOX.");

    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        for (size_t i = 0; i < sizeof r; i++)
            r[i] = (uint8_t)cm_wire_rng_next(&k->s.rng);
    memcpy(k->inbox, "_INBOX.", n);
    for (size_t i = 0; i < sizeof r; i++)
        k->inbox[n + i] = digits[r[i] % 62];
    k->inbox[n + sizeof r] = '\0';
}

/* --- connection life cycle --- */

static void close_socket(struct nats_link *k)
{
    if (k->bev)
        bufferevent_free(k->bev);
    k->bev = NULL;
    k->tls = 0;
    k->flush_pending = 0;
    event_del(k->flush);
}

/* The connection or the attempt failed for why: close, tell the loop when
 * it was up, and try again when the session says (the next server at once
 * while this round has some left, else after ~250 ms). */
static void link_lost(struct nats_link *k, const char *why)
{
    struct timeval tv = {0, 0};
    int was_up;

    close_socket(k);
    tv.tv_usec = cm_wire_session_lost(&k->s, why, &was_up) * 1000;
    atomic_store(&k->up, k->old != NULL); /* a lame-duck server still serves meanwhile */
    if (was_up)
        k->h.on_lost(k->h.ctx);
    evtimer_add(k->retry, &tv);
}

/* Activates the flush event once per loop iteration. */
static void want_flush(struct nats_link *k)
{
    if (!k->flush_pending) {
        k->flush_pending = 1;
        event_active(k->flush, EV_WRITE, 0);
    }
}

/* Flush event: one write of everything queued; a remainder is left to the
 * bufferevent's write event. */
static void on_flush(evutil_socket_t fd, short what, void *arg)
{
    struct nats_link *k = arg;
    struct evbuffer *out;

    (void)fd;
    (void)what;
    k->flush_pending = 0;
    if (!k->bev || k->s.state < CM_WIRE_HANDSHAKE)
        return;
    out = bufferevent_get_output(k->bev);
    if (evbuffer_get_length(out) == 0)
        return;
    if (k->tls) {
        bufferevent_enable(k->bev, EV_WRITE); /* the TLS filter encrypts and writes */
        return;
    }
    if (evbuffer_write(out, bufferevent_getfd(k->bev)) < 0 && errno != EAGAIN &&
        errno != EWOULDBLOCK && errno != EINTR) {
        link_lost(k, strerror(errno));
        return;
    }
    if (evbuffer_get_length(out))
        bufferevent_enable(k->bev, EV_WRITE);
}

/* The bufferevent wrote the remainder: writes go back to the flush event. */
static void on_drained(struct bufferevent *bev, void *arg)
{
    struct nats_link *k = arg;

    if (bev == k->bev && !k->tls)
        bufferevent_disable(bev, EV_WRITE);
}

/* The session's sink: control lines appended to the current connection. */
static void queue(void *ctx, const char *data, size_t len)
{
    struct nats_link *k = ctx;

    evbuffer_add(bufferevent_get_output(k->bev), data, len);
    want_flush(k);
}

/* A message on our inbox goes to the loop with the slot and generation its
 * subject names; anything else is dropped. */
static void deliver(struct nats_link *k, const struct cm_wire_msg *m)
{
    uint32_t slot, gen;

    if (m->sid == INBOX_SID &&
        nats_link_reply_parse(k->inbox, m->subject, m->subject_len, &slot, &gen) == 0)
        k->h.on_reply(k->h.ctx, slot, gen, m);
}

static void on_read(struct bufferevent *bev, void *arg);
static void on_event(struct bufferevent *bev, short what, void *arg);

/* Closes the lame-duck server's connection. When no new one is up, what
 * was published on it will not be answered: the loop hears it. */
static void drop_old(struct nats_link *k)
{
    if (!k->old)
        return;
    bufferevent_free(k->old);
    k->old = NULL;
    if (k->s.state != CM_WIRE_UP) {
        atomic_store(&k->up, 0);
        k->h.on_lost(k->h.ctx);
    } else {
        cm_info("nats server in lame-duck mode left for %s:%d", cm_wire_session_url(&k->s)->host,
                cm_wire_session_url(&k->s)->port);
    }
}

/* The server announced lame-duck mode: its connection becomes old (still
 * published to and read from) while a new one is made to another server
 * (the leaving server accepts none); once that is up, old is closed
 * OLD_DRAIN_MS later, after the replies it still carries. */
static void begin_move(struct nats_link *k)
{
    struct timeval now = {0, 0};

    k->old = k->bev;
    k->bev = NULL;
    k->tls = 0;
    k->flush_pending = 0;
    event_del(k->flush);
    bufferevent_enable(k->old, EV_READ | EV_WRITE); /* it writes what it is given */
    cm_wire_session_move(&k->s);
    evtimer_add(k->retry, &now);
}

/* What the lame-duck server's connection brings: replies, PINGs. */
static void old_read(struct nats_link *k)
{
    struct evbuffer *in = bufferevent_get_input(k->old);

    for (;;) {
        size_t total = evbuffer_get_length(in);
        const char *p;
        struct cm_wire_msg m;
        long n;

        if (total == 0)
            return;
        p = (const char *)evbuffer_pullup(in, -1);
        n = p ? cm_wire_parse(p, total, &m) : -1;
        if (n == 0)
            return;
        if (n < 0) {
            drop_old(k);
            return;
        }
        if (m.op == CM_WIRE_MSG)
            deliver(k, &m);
        else if (m.op == CM_WIRE_PING)
            evbuffer_add(bufferevent_get_output(k->old), "PONG\r\n", 6);
        if (!k->old)
            return; /* on_reply may not free the link, but stay safe */
        evbuffer_drain(in, (size_t)n);
    }
}

/* INFO came in the clear and the server (or we) want TLS: the socket's
 * bufferevent goes under a TLS filter, which takes the CONNECT and SUB
 * already queued out once its handshake (certificate and host name
 * verified) is done. 0, or -1. */
static int start_tls(struct nats_link *k)
{
    const struct cm_wire_url *u = cm_wire_session_url(&k->s);
    SSL *ssl = cm_nats_tls_new(u->tls_name[0] ? u->tls_name : u->host);
    struct evbuffer *pending = evbuffer_new();
    struct bufferevent *f;

    if (!ssl || !pending) {
        if (ssl)
            SSL_free(ssl);
        evbuffer_free(pending);
        return -1;
    }
    /* the CONNECT and SUB queued in the clear move to the filter */
    evbuffer_add_buffer(pending, bufferevent_get_output(k->bev));
    f = bufferevent_openssl_filter_new(k->base, k->bev, ssl, BUFFEREVENT_SSL_CONNECTING,
                                       BEV_OPT_CLOSE_ON_FREE);
    if (!f) {
        SSL_free(ssl);
        evbuffer_free(pending);
        return -1;
    }
    k->bev = f;
    k->tls = 1;
    bufferevent_setcb(f, on_read, on_drained, on_event, k);
    bufferevent_enable(f, EV_READ | EV_WRITE);
    evbuffer_add_buffer(bufferevent_get_output(f), pending);
    evbuffer_free(pending);
    return 0;
}

/* Everything readable: each complete operation is parsed where it lies,
 * pulling up (making contiguous) only as much as one operation needs. */
static void on_read(struct bufferevent *bev, void *arg)
{
    struct nats_link *k = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    const char *why = NULL;

    if (bev == k->old) {
        old_read(k);
        return;
    }
    for (;;) {
        size_t total = evbuffer_get_length(in), have;
        struct evbuffer_iovec v;
        struct cm_wire_msg m;
        enum cm_wire_verdict verdict;
        long n;

        if (total == 0 || evbuffer_peek(in, -1, NULL, &v, 1) < 1)
            break;
        have = v.iov_len;
        n = cm_wire_parse(v.iov_base, have, &m);
        while (n == 0 && have < total) {
            const char *p;
            have = have * 2 < total ? have * 2 : total;
            p = (const char *)evbuffer_pullup(in, (ev_ssize_t)have);
            if (!p) {
                why = "out of memory";
                break;
            }
            n = cm_wire_parse(p, have, &m);
        }
        if (n == 0 && !why)
            break; /* the rest is still on its way */
        if (n < 0 && !why)
            why = "protocol error";
        if (why)
            break;
        verdict = cm_wire_session_feed(&k->s, &m);
        if (verdict == CM_WIRE_DELIVER) {
            deliver(k, &m);
        } else if (verdict == CM_WIRE_READY) {
            atomic_store(&k->up, 1);
            k->old_until_ms = cm_now_ms() + OLD_DRAIN_MS;
        } else if (verdict == CM_WIRE_LOST) {
            why = k->s.why;
            break;
        }
        evbuffer_drain(in, (size_t)n);
        if (verdict == CM_WIRE_TLS) {
            if (evbuffer_get_length(in) != 0 || start_tls(k) != 0)
                why = "tls setup failed";
            break; /* what follows arrives through the TLS filter */
        }
        if (verdict == CM_WIRE_MOVE && !k->old) {
            begin_move(k);
            old_read(k); /* the rest came from the server now leaving */
            return;
        }
    }
    if (why)
        link_lost(k, why);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    struct nats_link *k = arg;

    if (bev == k->old) {
        if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
            drop_old(k);
        return;
    }

    if (what & BEV_EVENT_CONNECTED) {
        int one = 1;
        if (k->tls)
            return; /* the TLS handshake is done; CONNECT leaves now */
        setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        cm_wire_session_connected(&k->s);
        return;
    }
    if ((what & BEV_EVENT_ERROR) && k->tls) {
        SSL *ssl = bufferevent_openssl_get_ssl(bev);
        long v = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
        char err[160] = "tls error";
        unsigned long e = bufferevent_get_openssl_error(bev);
        if (v != X509_V_OK)
            snprintf(err, sizeof err, "tls: %s", X509_verify_cert_error_string(v));
        else if (e)
            ERR_error_string_n(e, err, sizeof err);
        link_lost(k, err);
        return;
    }
    if (what & BEV_EVENT_EOF)
        link_lost(k, "closed by the server");
    else if (what & BEV_EVENT_ERROR)
        link_lost(k, evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

/* One connection attempt to the next server. Names are resolved here, by a
 * blocking lookup: this runs only while the link is down. */
static void attempt(struct nats_link *k)
{
    const struct cm_wire_url *u = cm_wire_session_attempt(&k->s, cm_now_ms());
    struct addrinfo hints = {0}, *ai = NULL;
    char port[8];
    int rc;

    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(port, sizeof port, "%d", u->port);
    rc = getaddrinfo(u->host, port, &hints, &ai);
    if (rc != 0 || !ai) {
        link_lost(k, rc ? gai_strerror(rc) : "no address");
        return;
    }
    k->bev = bufferevent_socket_new(k->base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!k->bev) {
        freeaddrinfo(ai);
        link_lost(k, "out of memory");
        return;
    }
    bufferevent_setcb(k->bev, on_read, on_drained, on_event, k);
    bufferevent_set_max_single_read(k->bev, MAX_SINGLE_READ);
    bufferevent_enable(k->bev, EV_READ);
    bufferevent_disable(k->bev, EV_WRITE);
    rc = bufferevent_socket_connect(k->bev, ai->ai_addr, (int)ai->ai_addrlen);
    freeaddrinfo(ai);
    if (rc != 0)
        link_lost(k, "connect failed");
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    attempt(arg);
}

/* --- public --- */

cm_err nats_link_new(struct event_base *base, const char *urls, const char *name,
                     const struct nats_link_handler *h, struct nats_link **out)
{
    struct nats_link *k = cm_xcalloc(1, sizeof *k);
    struct cm_wire_sink sink = {.write = queue, .ctx = k};
    struct timeval now = {0, 0};
    char sub[64];

    if (cm_wire_session_init(&k->s, urls, name, &sink, cm_wire_rng_seed((uint64_t)(uintptr_t)k)) !=
        CM_OK) {
        cm_wire_session_release(&k->s);
        free(k);
        return CM_EINVAL;
    }
    k->base = base;
    k->h = *h;
    make_inbox(k);
    snprintf(sub, sizeof sub, "%s.>", k->inbox);
    cm_wire_session_subscribe(&k->s, sub, NULL, INBOX_SID); /* sent with CONNECT */
    atomic_init(&k->up, 0);
    k->retry = evtimer_new(base, on_retry, k);
    k->flush = event_new(base, -1, 0, on_flush, k);
    if (!k->retry || !k->flush) {
        nats_link_free(k);
        return CM_ENOMEM;
    }
    evtimer_add(k->retry, &now); /* the first attempt, once base runs */
    *out = k;
    return CM_OK;
}

void nats_link_free(struct nats_link *k)
{
    if (!k)
        return;
    if (k->flush) {
        close_socket(k);
        event_free(k->flush);
    }
    if (k->retry)
        event_free(k->retry);
    if (k->old)
        bufferevent_free(k->old);
    cm_wire_session_release(&k->s);
    free(k);
}

int nats_link_is_up(const struct nats_link *k)
{
    return atomic_load(&((struct nats_link *)k)->up);
}

int64_t nats_link_max_payload(const struct nats_link *k)
{
    return k->s.max_payload;
}

cm_err nats_link_publish(struct nats_link *k, const char *subject, uint32_t slot, uint32_t gen,
                         const ProtobufCMessage *msg)
{
    struct evbuffer_iovec v;
    char reply[64];
    size_t len, room;
    long n;

    struct bufferevent *to = k->s.state == CM_WIRE_UP ? k->bev : k->old;

    if (!to)
        return CM_EUNAVAIL; /* while moving, the leaving server still carries requests */
    len = protobuf_c_message_get_packed_size(msg);
    if (k->s.max_payload > 0 && len > (size_t)k->s.max_payload)
        return CM_ETOOBIG;
    if (nats_link_reply_subject(k->inbox, slot, gen, reply, sizeof reply) < 0)
        return CM_EINTERNAL;
    room = cm_wire_pub_room(subject, reply, len);
    if (evbuffer_reserve_space(bufferevent_get_output(to), (ev_ssize_t)room, &v, 1) != 1)
        return CM_ENOMEM;
    n = cm_wire_pub_frame(v.iov_base, room, subject, reply, msg, len);
    if (n < 0)
        return CM_EINVAL; /* the reservation is dropped uncommitted */
    v.iov_len = (size_t)n;
    if (evbuffer_commit_space(bufferevent_get_output(to), &v, 1) != 0)
        return CM_EINTERNAL;
    if (to == k->bev)
        want_flush(k);
    return CM_OK;
}

void nats_link_tick(struct nats_link *k, int64_t now_ms)
{
    if (k->old && k->s.state == CM_WIRE_UP && now_ms > k->old_until_ms)
        drop_old(k);
    if (cm_wire_session_tick(&k->s, now_ms) == CM_WIRE_LOST)
        link_lost(k, k->s.why);
}
