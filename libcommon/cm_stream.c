/* cm_stream.c: streamed request bodies (pulled from the edge in BodyChunk
 * pieces) and streamed, flow-controlled responses (chunks acknowledged by
 * the edge), over the worker's side connection. See cm_stream.h. */
#include "cm_stream.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_service.h"
#include "cm_time.h"
#include "cm_wire.h"

#define SIDE_SID 1
#define SIDE_CONNECT_MS 2000

struct cm_stream {
    char body_subject[112]; /* where the edge sends BodyChunk */
    char ack_subject[112];  /* where the edge sends StreamAck */
    /* request body */
    int whole_given;                /* not streamed: the one piece was handed out */
    int pull_out;                   /* a pull is unanswered */
    int body_done;                  /* the last piece was handed out */
    Envelope__BodyChunk *arrived;   /* received, not yet handed out */
    Envelope__BodyChunk *handed;    /* handed out, freed at the next call */
    /* response */
    int started, ended, aborted;
    int status;
    char ctype[128];
    uint8_t *buf;
    size_t len;
    uint32_t seq;   /* of the next chunk */
    int64_t acked;  /* highest acknowledged seq, -1 before any */
};

int cm_body_streamed(const struct cm_req *rq)
{
    return rq->http->body_streamed;
}

uint64_t cm_body_length(const struct cm_req *rq)
{
    return rq->http->body_streamed ? rq->http->body_length : (uint64_t)rq->http->body.len;
}

int cm_stream_started(const struct cm_req *rq)
{
    return rq->stream && rq->stream->started;
}

static void ignore(void *ctx, const struct cm_wire_msg *m)
{
    (void)ctx;
    (void)m;
}

/* One PING round trip on w's side connection: 1 when the server answers.
 * Between streams nobody reads the side connection, so the server's PINGs
 * go unanswered and it closes the connection as stale after a few minutes
 * ("-ERR 'Stale Connection'", then the close): reading what waits is not
 * enough to know (the -ERR can come before the end of the connection shows),
 * a PONG is. */
static int side_alive(struct cm_worker *w)
{
    double deadline = cm_now_s() + SIDE_CONNECT_MS / 1000.0;
    int pongs = 0;
    cm_err err = cm_wire_ping(w->side);

    if (err == CM_OK)
        err = cm_wire_flush(w->side);
    while (err == CM_OK && pongs == 0 && cm_now_s() < deadline)
        err = cm_wire_pump(w->side, 100, ignore, NULL, &pongs);
    return err == CM_OK && pongs > 0;
}

/* Opens (or, when it went stale while idle, reopens) w's side connection. */
static cm_err side_ensure(struct cm_worker *w)
{
    char sub[64];
    unsigned char rnd[8];
    int pongs = 0;
    double deadline;
    cm_err err;

    if (w->side && side_alive(w))
        return CM_OK;
    cm_wire_close(w->side);
    w->side = NULL;
    randombytes_buf(rnd, sizeof rnd);
    snprintf(w->side_prefix, sizeof w->side_prefix, "_STREAM.%02x%02x%02x%02x%02x%02x%02x%02x",
             rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
    snprintf(sub, sizeof sub, "%s.>", w->side_prefix);
    err = cm_wire_open(w->cfg->nats_url, "stream", SIDE_CONNECT_MS, &w->side);
    if (err == CM_OK)
        err = cm_wire_sub(w->side, sub, NULL, SIDE_SID);
    if (err == CM_OK)
        err = cm_wire_ping(w->side);
    if (err == CM_OK)
        err = cm_wire_flush(w->side);
    deadline = cm_now_s() + SIDE_CONNECT_MS / 1000.0;
    while (err == CM_OK && pongs == 0 && cm_now_s() < deadline)
        err = cm_wire_pump(w->side, 100, ignore, NULL, &pongs);
    if (err == CM_OK && pongs == 0)
        err = CM_EUNAVAIL;
    if (err != CM_OK) {
        cm_warn("stream side connection failed");
        cm_wire_close(w->side);
        w->side = NULL;
    }
    return err;
}

/* rq's stream state, made with its subjects at the first use. */
static cm_err stream_of(struct cm_req *rq, struct cm_stream **out)
{
    struct cm_worker *w = rq->w;
    struct cm_stream *st = rq->stream;
    cm_err err;

    if (st) {
        *out = st;
        return CM_OK;
    }
    err = side_ensure(w);
    if (err != CM_OK)
        return cm_fail(rq, err, "streaming unavailable, retry later");
    st = cm_xcalloc(1, sizeof *st);
    w->side_seq++;
    snprintf(st->body_subject, sizeof st->body_subject, "%s.%u.b", w->side_prefix, w->side_seq);
    snprintf(st->ack_subject, sizeof st->ack_subject, "%s.%u.a", w->side_prefix, w->side_seq);
    st->acked = -1;
    rq->stream = st;
    *out = st;
    return CM_OK;
}

/* What arrives on the side connection for the current stream. */
static void on_side(void *ctx, const struct cm_wire_msg *m)
{
    struct cm_stream *st = ctx;
    size_t bl = strlen(st->body_subject), al = strlen(st->ack_subject);

    if (m->subject_len == bl && !memcmp(m->subject, st->body_subject, bl)) {
        Envelope__BodyChunk *c = envelope__body_chunk__unpack(NULL, m->len, m->data);
        if (!c || st->arrived) { /* unreadable, or more than asked: treat as a lost client */
            envelope__body_chunk__free_unpacked(c, NULL);
            st->aborted = 1;
            return;
        }
        st->arrived = c;
        st->pull_out = 0;
    } else if (m->subject_len == al && !memcmp(m->subject, st->ack_subject, al)) {
        Envelope__StreamAck *a = envelope__stream_ack__unpack(NULL, m->len, m->data);
        if (!a || a->aborted)
            st->aborted = 1;
        else if ((int64_t)a->seq > st->acked)
            st->acked = a->seq;
        envelope__stream_ack__free_unpacked(a, NULL);
    } /* else: a late message of an earlier stream of this worker */
}

/* Reads the side connection until done(st) or CM_STREAM_WAIT_MS without it. */
static cm_err side_wait(struct cm_req *rq, struct cm_stream *st, int (*done)(const struct cm_stream *))
{
    double deadline = cm_now_s() + CM_STREAM_WAIT_MS / 1000.0;
    cm_err err = CM_OK;

    while (err == CM_OK && !done(st) && !st->aborted && cm_now_s() < deadline)
        err = cm_wire_pump(rq->w->side, 100, on_side, st, NULL);
    if (err != CM_OK) {
        cm_wire_close(rq->w->side);
        rq->w->side = NULL;
        st->aborted = 1;
        return cm_fail(rq, CM_EUNAVAIL, "stream connection lost");
    }
    if (st->aborted)
        return cm_fail(rq, CM_EUNAVAIL, "the client went away");
    if (!done(st))
        return cm_fail(rq, CM_ETIMEOUT, "the stream stalled");
    return CM_OK;
}

/* Asks the edge for the next piece of the body. */
static cm_err send_pull(struct cm_req *rq, struct cm_stream *st)
{
    Envelope__HttpResponse pull = ENVELOPE__HTTP_RESPONSE__INIT;
    cm_err err;

    pull.pull_to = st->body_subject;
    pull.pull_max = CM_STREAM_CHUNK;
    err = cm_wire_pub_msg(rq->w->side, rq->reply, NULL, &pull.base);
    if (err == CM_OK)
        err = cm_wire_flush(rq->w->side);
    if (err != CM_OK)
        return cm_fail(rq, CM_EUNAVAIL, "stream connection lost");
    st->pull_out = 1;
    return CM_OK;
}

static int piece_arrived(const struct cm_stream *st)
{
    return st->arrived != NULL;
}

cm_err cm_body_next(struct cm_req *rq, const uint8_t **data, size_t *len)
{
    struct cm_stream *st;
    cm_err err;

    if (!rq->http->body_streamed) {
        if (!rq->stream)
            rq->stream = cm_xcalloc(1, sizeof *rq->stream);
        *data = rq->stream->whole_given ? NULL : rq->http->body.data;
        *len = rq->stream->whole_given ? 0 : rq->http->body.len;
        rq->stream->whole_given = 1;
        return CM_OK;
    }
    err = stream_of(rq, &st);
    if (err != CM_OK)
        return err;
    envelope__body_chunk__free_unpacked(st->handed, NULL);
    st->handed = NULL;
    if (st->body_done) {
        *data = NULL;
        *len = 0;
        return CM_OK;
    }
    if (st->aborted)
        return cm_fail(rq, CM_EUNAVAIL, "the client went away");
    if (!st->arrived && !st->pull_out && (err = send_pull(rq, st)) != CM_OK)
        return err;
    if ((err = side_wait(rq, st, piece_arrived)) != CM_OK)
        return err;
    st->handed = st->arrived;
    st->arrived = NULL;
    if (st->handed->aborted) {
        st->aborted = 1;
        return cm_fail(rq, CM_EUNAVAIL, "the client went away");
    }
    if (st->handed->last)
        st->body_done = 1;
    else if ((err = send_pull(rq, st)) != CM_OK) /* one ahead: the edge reads while we work */
        return err;
    *data = st->handed->data.data;
    *len = st->handed->data.len;
    if (*len == 0 && !st->body_done) /* an empty piece mid-body: ask again */
        return cm_body_next(rq, data, len);
    return CM_OK;
}

cm_err cm_stream_begin(struct cm_req *rq, int status, const char *content_type)
{
    struct cm_stream *st;
    cm_err err = stream_of(rq, &st);

    if (err != CM_OK)
        return err;
    st->started = 1;
    st->status = status;
    snprintf(st->ctype, sizeof st->ctype, "%s", content_type);
    st->buf = cm_xmalloc(CM_STREAM_CHUNK);
    return CM_OK;
}

static int window_open(const struct cm_stream *st)
{
    return (int64_t)st->seq - st->acked - 1 < CM_STREAM_WINDOW;
}

/* Sends the buffered bytes as chunk st->seq, once the window allows. */
static cm_err send_chunk(struct cm_req *rq, struct cm_stream *st, int last, int broken)
{
    Envelope__HttpResponse resp = ENVELOPE__HTTP_RESPONSE__INIT;
    Envelope__Header h = ENVELOPE__HEADER__INIT;
    Envelope__Header *hs[1] = {&h};
    cm_err err;

    if (!window_open(st) && (err = side_wait(rq, st, window_open)) != CM_OK)
        return err;
    resp.status = broken ? 500 : st->status;
    if (st->seq == 0) {
        h.name = "content-type";
        h.value = st->ctype;
        resp.headers = hs;
        resp.n_headers = 1;
    }
    resp.body.data = st->buf;
    resp.body.len = st->len;
    resp.chunked = 1;
    resp.seq = st->seq;
    resp.last = last;
    resp.ack_to = st->ack_subject;
    err = cm_wire_pub_msg(rq->w->side, rq->reply, NULL, &resp.base);
    if (err == CM_OK)
        err = cm_wire_flush(rq->w->side);
    if (err != CM_OK) {
        st->aborted = 1;
        return cm_fail(rq, CM_EUNAVAIL, "stream connection lost");
    }
    st->seq++;
    st->len = 0;
    return CM_OK;
}

cm_err cm_stream_write(struct cm_req *rq, const void *data, size_t len)
{
    struct cm_stream *st = rq->stream;
    const uint8_t *p = data;

    if (!st || !st->started || st->ended)
        return cm_fail(rq, CM_EINTERNAL, "stream not started");
    if (st->aborted)
        return CM_EUNAVAIL;
    while (len > 0) {
        size_t n = CM_STREAM_CHUNK - st->len < len ? CM_STREAM_CHUNK - st->len : len;
        memcpy(st->buf + st->len, p, n);
        st->len += n;
        p += n;
        len -= n;
        if (st->len == CM_STREAM_CHUNK) {
            cm_err err = send_chunk(rq, st, 0, 0);
            if (err != CM_OK)
                return err;
        }
    }
    return CM_OK;
}

cm_err cm_stream_end(struct cm_req *rq)
{
    struct cm_stream *st = rq->stream;

    if (!st || !st->started || st->ended)
        return CM_OK;
    st->ended = 1;
    if (st->aborted)
        return CM_EUNAVAIL;
    return send_chunk(rq, st, 1, 0);
}

cm_err cm_stream_abort(struct cm_req *rq)
{
    struct cm_stream *st = rq->stream;

    if (!st || !st->started || st->ended)
        return CM_OK;
    st->ended = 1;
    if (st->aborted) /* the client is gone already */
        return CM_OK;
    st->len = 0;
    if (st->seq == 0) { /* nothing went out yet: one empty chunk first, then the break */
        cm_err err = send_chunk(rq, st, 0, 0);
        if (err != CM_OK)
            return err;
    }
    return send_chunk(rq, st, 1, 1);
}

void cm_stream_release(struct cm_req *rq)
{
    struct cm_stream *st = rq->stream;

    if (!st)
        return;
    envelope__body_chunk__free_unpacked(st->arrived, NULL);
    envelope__body_chunk__free_unpacked(st->handed, NULL);
    free(st->buf);
    free(st);
    rq->stream = NULL;
}

void cm_stream_worker_close(struct cm_worker *w)
{
    cm_wire_close(w->side);
    w->side = NULL;
}
