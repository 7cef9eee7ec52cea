/* cm_service.c: the daemon skeleton: start-up, workers, HTTP and RPC
 * dispatch, readiness, and drain on SIGTERM. */
#include "cm_service.h"

#include <event2/thread.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cm_admin.h"
#include "cm_alloc.h"
#include "cm_batch.h"
#include "cm_body.h"
#include "cm_idempotency.h"
#include "cm_log.h"
#include "cm_metrics.h"
#include "cm_nats.h"
#include "cm_outbox.h"
#include "cm_pg.h"
#include "cm_pool.h"
#include "cm_signal.h"
#include "cm_stream.h"
#include "cm_time.h"
#include "cm_wire.h"

#define WORKER_SID 1
#define WIRE_CONNECT_TIMEOUT_MS 2000
#define WIRE_POLL_MS 200    /* how often an idle worker looks at the stop flag */
#define WIRE_DRAIN_MS 2000  /* at most this long finishing what arrived before UNSUB */
#define WORKER_BATCH_MAX 64 /* reads whose statements wait for one pipeline */

struct cm_service {
    const struct cm_service_def *def;
    struct cm_config cfg;
    struct cm_metrics *metrics;
    natsConnection *nc;
    struct cm_worker *workers;
    struct cm_wire_client **clients; /* each worker's NATS client (its wire) */
    int nworkers;           /* started */
    atomic_int connected;   /* workers whose NATS connection is up */
    char http_subject[64];
    char rpc_prefix[64];
    PGconn *ready_pg;   /* used by the admin thread only */
    atomic_int serving; /* 1 once every worker is subscribed, 0 again when draining */
    void *state;        /* def->state_new's, given to every worker */
    int state_made;
    struct cm_pool *pool;        /* slow work (def->pool_ops, pool_rpcs); NULL when none */
    struct cm_worker *pool_workers; /* the pool threads' contexts */
    int npool;
    atomic_ulong pipelined; /* statements sent in a pipeline of two or more (cm_batch.h) */
};

/* A request handed to the pool: the message as it arrived. */
struct pool_job {
    int rpc;          /* 0: HttpRequest; 1: RpcRequest for method */
    char reply[256];
    char method[80];
    size_t len;
    uint8_t data[];
};

const char *cm_req_param(const struct cm_req *rq, const char *name)
{
    for (int i = 0; i < rq->nparams; i++)
        if (!strcmp(rq->param_names[i], name))
            return rq->param_values[i];
    return NULL;
}

const char *cm_req_header(const struct cm_req *rq, const char *name)
{
    for (size_t i = 0; i < rq->http->n_headers; i++)
        if (!strcmp(rq->http->headers[i]->name, name))
            return rq->http->headers[i]->value;
    return NULL;
}

cm_err cm_fail(struct cm_req *rq, cm_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rq->detail, sizeof rq->detail, fmt, ap);
    va_end(ap);
    return err;
}

cm_err cm_rpc_fail(struct cm_worker *w, cm_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->rpc_detail, sizeof w->rpc_detail, fmt, ap);
    va_end(ap);
    return err;
}

cm_err cm_fail_at(struct cm_req *rq, cm_err err, const char *pointer, const char *parameter,
                  const char *fmt, ...)
{
    va_list ap;
    snprintf(rq->pointer, sizeof rq->pointer, "%s", pointer ? pointer : "");
    snprintf(rq->parameter, sizeof rq->parameter, "%s", parameter ? parameter : "");
    va_start(ap, fmt);
    vsnprintf(rq->detail, sizeof rq->detail, fmt, ap);
    va_end(ap);
    return err;
}

cm_err cm_fail_retry(struct cm_req *rq, cm_err err, int retry_after_s, const char *fmt, ...)
{
    va_list ap;
    rq->pointer[0] = rq->parameter[0] = '\0';
    rq->retry_after_s = retry_after_s;
    va_start(ap, fmt);
    vsnprintf(rq->detail, sizeof rq->detail, fmt, ap);
    va_end(ap);
    return err;
}

cm_err cm_req_json_object(struct cm_req *rq, const char *const *allowed, json_t **out_obj)
{
    const char *ctype = cm_req_header(rq, "content-type");
    json_t *obj = NULL, *value;
    const char *key;
    char msg[128], pointer[128];
    cm_err err;

    if (ctype && cm_body_kind_of(ctype) != CM_BODY_JSON)
        return cm_fail_at(rq, CM_EINVAL, "", NULL, "body must be JSON (application/json)");
    err = cm_body_parse("application/json", (const char *)rq->http->body.data, rq->http->body.len,
                        &obj, msg, sizeof msg);
    if (err != CM_OK)
        return cm_fail_at(rq, err, "", NULL, "%s", msg);
    json_object_foreach(obj, key, value)
    {
        int known = !allowed; /* NULL: any member */
        for (const char *const *a = allowed; a && *a && !known; a++)
            known = !strcmp(*a, key);
        if (!known) {
            snprintf(pointer, sizeof pointer, "/%s", key);
            json_decref(obj);
            return cm_fail_at(rq, CM_EINVAL, pointer, NULL, "unknown field");
        }
    }
    *out_obj = obj;
    return CM_OK;
}

void cm_resp_json(struct cm_resp *out, const struct cm_req *rq, int status, json_t *doc)
{
    out->content_type = "application/json";
    if (!doc) { /* a failed json_pack: never answer it as success */
        cm_error("response document could not be built for %s", rq->op ? rq->op->name : "?");
        out->status = 500;
        out->body = cm_http_error_body(rq->http->surface, 500, cm_err_name(CM_EINTERNAL), NULL,
                                       NULL, &out->len);
        return;
    }
    out->status = status;
    out->body = cm_http_dump(rq->http->surface, doc, &out->len);
    json_decref(doc);
}

void cm_resp_redirect(struct cm_resp *out, const struct cm_req *rq, int status, const char *url)
{
    free(out->body);
    out->body = NULL;
    cm_resp_json(out, rq, status, json_pack("{s:n, s:{s:s}}", "data", "meta", "location", url));
    free(out->location);
    out->location = out->status == status ? cm_xstrdup(url) : NULL;
}

/* Percent-decodes a path segment into dst (cap bytes, NUL-terminated).
 * Returns -1 on a bad escape, a NUL byte, invalid UTF-8 or overflow; '+'
 * stays '+' (a path, not a form). */
static int decode_segment(const char *src, size_t n, char *dst, size_t cap)
{
    size_t len;

    if (n >= cap)
        return -1;
    len = cm_percent_decode(dst, src, n, 0);
    if (len == SIZE_MAX || memchr(dst, '\0', len) ||
        !cm_utf8_valid((const unsigned char *)dst, len))
        return -1;
    dst[len] = '\0';
    return 0;
}

/* Fills rq's parameters from m; returns CM_EINVAL on an undecodable one. */
static cm_err take_params(struct cm_req *rq, const struct cm_route_match *m)
{
    rq->nparams = m->nparams;
    for (int i = 0; i < m->nparams; i++) {
        size_t nl = m->name_lens[i] < sizeof rq->param_names[i] - 1 ? m->name_lens[i]
                                                                    : sizeof rq->param_names[i] - 1;
        memcpy(rq->param_names[i], m->names[i], nl);
        rq->param_names[i][nl] = '\0';
        if (decode_segment(m->values[i], m->value_lens[i], rq->param_values[i],
                           sizeof rq->param_values[i]) != 0)
            return cm_fail(rq, CM_EINVAL, "path parameter %s is malformed or too long",
                           rq->param_names[i]);
    }
    return CM_OK;
}

/* Publishes an HttpResponse to reply: in one message when it fits the
 * server's max_payload, otherwise as a stream of chunks (seq 0, 1, ...,
 * last) that the edge relays as a chunked HTTP reply. */
static void send_http(struct cm_worker *w, const char *reply, int status, const char *ctype,
                      const char *body, size_t len, int retry_after_s, const char *location)
{
    Envelope__HttpResponse resp = ENVELOPE__HTTP_RESPONSE__INIT;
    Envelope__Header h = ENVELOPE__HEADER__INIT, ra = ENVELOPE__HEADER__INIT;
    Envelope__Header loc = ENVELOPE__HEADER__INIT, nc = ENVELOPE__HEADER__INIT;
    Envelope__Header *hs[4] = {&h, &ra, &loc, &nc};
    int64_t max_payload = cm_wire_max_payload(w->wire);
    size_t room, off = 0;
    char secs[16];

    room = max_payload > 16384 ? (size_t)max_payload - 8192 : 8192; /* envelope, headers */

    resp.status = status;
    h.name = "content-type";
    h.value = (char *)ctype;
    resp.headers = hs;
    resp.n_headers = 1;
    if (retry_after_s > 0) {
        snprintf(secs, sizeof secs, "%d", retry_after_s);
        ra.name = "retry-after";
        ra.value = secs;
        hs[resp.n_headers++] = &ra;
    }
    if (location) { /* a redirect: never cached (it carries one-time codes) */
        loc.name = "location";
        loc.value = (char *)location;
        nc.name = "cache-control";
        nc.value = "no-store";
        hs[resp.n_headers++] = &loc;
        hs[resp.n_headers++] = &nc;
    }
    resp.chunked = len > room;
    do {
        size_t n = len - off < room ? len - off : room;
        resp.body.data = (uint8_t *)body + off;
        resp.body.len = n;
        off += n;
        resp.last = resp.chunked && off == len;
        if (cm_wire_pub_msg(w->wire, reply, NULL, &resp.base) != CM_OK) {
            cm_warn("reply publish failed");
            return;
        }
        resp.seq++;
        resp.n_headers = 0; /* headers travel with the first chunk */
    } while (off < len);
}

/* 1 when name is in the NULL-terminated list (NULL: empty). */
static int listed(const char *const *list, const char *name)
{
    for (; list && *list; list++)
        if (!strcmp(*list, name))
            return 1;
    return 0;
}

/* Hands the message to the slow-work pool: CM_OK when the pool took it (a
 * pool thread answers), CM_ELIMIT when it is full. */
static cm_err pool_hand_over(struct cm_service *svc, const struct cm_wire_msg *msg,
                             const char *reply, const char *rpc_method)
{
    struct pool_job *job = cm_xmalloc(sizeof *job + msg->len);

    job->rpc = rpc_method != NULL;
    snprintf(job->reply, sizeof job->reply, "%s", reply);
    snprintf(job->method, sizeof job->method, "%s", rpc_method ? rpc_method : "");
    job->len = msg->len;
    memcpy(job->data, msg->data, msg->len);
    if (cm_pool_submit(svc->pool, job) != CM_OK) {
        free(job);
        return CM_ELIMIT;
    }
    return CM_OK;
}

static cm_err batch_flush(struct cm_worker *w);

/* Answers rq with out, or with err in the surface's error style, then frees
 * rq, its request and out. */
static void http_answer(struct cm_worker *w, struct cm_req *rq, struct cm_resp *out, cm_err err,
                        struct cm_idem *idem, const char *route, double start)
{
    const Envelope__HttpRequest *http = rq->http;

    if (err != CM_OK) {
        struct cm_http_source src = {rq->pointer[0] ? rq->pointer : NULL,
                                     rq->parameter[0] ? rq->parameter : NULL};
        free(out->body);
        out->status = cm_err_http_status(err);
        out->body = cm_http_error_body(http->surface, out->status, cm_err_name(err),
                                       rq->detail[0] ? rq->detail : NULL, &src, &out->len);
        out->content_type = "application/json";
    }
    cm_idem_after(rq, idem, out); /* keeps the answer for repeats of its key */
    send_http(w, rq->reply, out->status,
              out->content_type ? out->content_type : "application/json", out->body, out->len,
              out->status >= 400 ? rq->retry_after_s : 0, out->status < 400 ? out->location : NULL);
    cm_metrics_observe(w->svc->metrics, route, out->status, cm_now_s() - start);
    cm_stream_release(rq);
    free(out->body);
    free(out->location);
    free(rq);
    envelope__http_request__free_unpacked((Envelope__HttpRequest *)http, NULL);
    cm_log_set_request_id(NULL);
}

/* cm_batch_run's answer for a read that waited (arg: the worker). */
static void batch_answer(void *arg, struct cm_req *rq, cm_err err, struct cm_resp *out)
{
    struct cm_idem none = {0}; /* a GET: no Idempotency-Key claim */
    http_answer(arg, rq, out, err, &none, rq->route, rq->start_s);
}

static void handle_http(struct cm_worker *w, const struct cm_wire_msg *msg, const char *reply)
{
    struct cm_service *svc = w->svc;
    double start = cm_now_s();
    Envelope__HttpRequest *http;
    struct cm_route_match m;
    struct cm_req *rq;
    struct cm_resp out = {0};
    struct cm_idem idem = {0};
    const char *route = "unmatched";
    int answered = 0; /* by cm_idem_before: a repeat, or a refused key */
    cm_err err;

    http = envelope__http_request__unpack(NULL, msg->len, msg->data);
    if (!http) {
        cm_warn("malformed HttpRequest on %s", svc->http_subject);
        return;
    }
    /* reads wait together; anything else sees the reads before it done */
    if (cm_batch_pending(w->batch) && (strcmp(http->method, "GET") || cm_batch_full(w->batch)))
        batch_flush(w);
    cm_log_set_request_id(http->request_id);
    rq = cm_xcalloc(1, sizeof *rq);
    rq->w = w;
    rq->http = http;
    rq->reply = reply;
    if (w->batch && !strcmp(http->method, "GET")) {
        rq->can_defer = 1;
        snprintf(rq->reply_buf, sizeof rq->reply_buf, "%s", reply);
        rq->reply = rq->reply_buf;
    }
    err = cm_router_match(svc->def->ops, http->method, http->path, &m);
    if (err == CM_ENOTFOUND)
        cm_fail(rq, err, "no operation at this path");
    else if (err == CM_EMETHOD)
        cm_fail(rq, err, "method %s is not allowed here", http->method);
    if (err == CM_OK) {
        rq->op = m.op;
        route = m.op->name;
        err = take_params(rq, &m);
    }
    if (err == CM_OK && !m.op->handler)
        err = cm_fail(rq, CM_ENOTIMPL, "operation %s is not implemented yet", m.op->name);
    if (err == CM_OK && !w->pooled && svc->pool && listed(svc->def->pool_ops, m.op->name)) {
        if (pool_hand_over(svc, msg, reply, NULL) == CM_OK)
            goto handed_over; /* a pool thread answers */
        rq->retry_after_s = 1;
        err = cm_fail(rq, CM_EUNAVAIL, "too many password operations in progress; retry in 1 s");
    }
    if (err == CM_OK && cm_pg_ensure(&svc->cfg, &w->pg) != CM_OK)
        err = cm_fail(rq, CM_EUNAVAIL, "database unavailable, retry later");
    if (err == CM_OK)
        answered = cm_idem_before(rq, &idem, &out, &err);
    if (err == CM_OK && !answered)
        err = m.op->handler(rq, &out);
    if (err == CM_OK && rq->deferred) { /* its statement waits: batch_flush answers it */
        rq->start_s = start;
        rq->route = route;
        cm_log_set_request_id(NULL);
        return;
    }
    if (cm_stream_started(rq)) { /* the status is out: end the stream, whatever err says */
        if (err != CM_OK) {
            cm_warn("streamed response of %s broken off: %s", route, cm_err_name(err));
            cm_stream_abort(rq);
        }
        cm_stream_end(rq); /* a no-op after the abort */
        cm_metrics_observe(svc->metrics, route, cm_err_http_status(CM_OK), cm_now_s() - start);
        goto handed_over;
    }
    http_answer(w, rq, &out, err, &idem, route, start);
    return;
handed_over:
    cm_stream_release(rq);
    free(out.body);
    free(out.location);
    free(rq);
    envelope__http_request__free_unpacked(http, NULL);
    cm_log_set_request_id(NULL);
}

static void handle_rpc(struct cm_worker *w, const struct cm_wire_msg *msg, const char *reply_to,
                       const char *method)
{
    struct cm_service *svc = w->svc;
    double start = cm_now_s();
    Envelope__RpcReply reply = ENVELOPE__RPC_REPLY__INIT;
    Envelope__RpcRequest *req;
    const struct cm_rpc *rpc = NULL;
    uint8_t *payload = NULL;
    size_t len = 0;
    char route[96];
    cm_err err = CM_OK;

    req = envelope__rpc_request__unpack(NULL, msg->len, msg->data);
    if (!req)
        err = CM_EINVAL;
    if (req)
        cm_log_set_request_id(req->request_id);
    for (const struct cm_rpc *r = svc->def->rpcs; err == CM_OK && r && r->method; r++)
        if (!strcmp(r->method, method))
            rpc = r;
    if (err == CM_OK && !rpc)
        err = CM_ENOTIMPL;
    if (err == CM_OK)
        err = cm_pg_ensure(&svc->cfg, &w->pg);
    w->rpc_detail[0] = '\0';
    if (err == CM_OK)
        err = rpc->handler(w, req, &payload, &len);
    reply.code = (int32_t)err;
    if (err == CM_OK) {
        reply.payload.data = payload;
        reply.payload.len = len;
    } else {
        reply.message = w->rpc_detail[0] ? w->rpc_detail : (char *)cm_err_name(err);
    }
    if (cm_wire_pub_msg(w->wire, reply_to, NULL, &reply.base) != CM_OK)
        cm_warn("rpc reply publish failed");
    snprintf(route, sizeof route, "rpc.%s", rpc ? rpc->method : "unknown");
    cm_metrics_observe(svc->metrics, route, cm_err_http_status(err), cm_now_s() - start);
    free(payload);
    envelope__rpc_request__free_unpacked(req, NULL);
    cm_log_set_request_id(NULL);
}

/* An RPC of def->pool_rpcs on a request worker: to the pool, or refused at
 * once with CM_EUNAVAIL when the pool is full. */
static void pool_rpc(struct cm_worker *w, const struct cm_wire_msg *m, const char *reply,
                     const char *method)
{
    Envelope__RpcReply busy = ENVELOPE__RPC_REPLY__INIT;
    char route[96];

    if (pool_hand_over(w->svc, m, reply, method) == CM_OK)
        return;
    busy.code = (int32_t)CM_EUNAVAIL;
    busy.message = "too many password operations in progress; retry later";
    if (cm_wire_pub_msg(w->wire, reply, NULL, &busy.base) != CM_OK)
        cm_warn("rpc reply publish failed");
    snprintf(route, sizeof route, "rpc.%s", method);
    cm_metrics_observe(w->svc->metrics, route, 503, 0);
}

/* One message read by a worker's connection (cm_wire_pump callback). */
static void on_msg(void *ctx, const struct cm_wire_msg *m)
{
    struct cm_worker *w = ctx;
    struct cm_service *svc = w->svc;
    size_t hlen = strlen(svc->http_subject), plen = strlen(svc->rpc_prefix);
    char reply[256], method[80];

    if (!m->reply || m->reply_len >= sizeof reply)
        return; /* nobody (sane) to answer: drop */
    memcpy(reply, m->reply, m->reply_len);
    reply[m->reply_len] = '\0';
    if (m->subject_len == hlen && !memcmp(m->subject, svc->http_subject, hlen)) {
        handle_http(w, m, reply);
    } else if (m->subject_len > plen && m->subject_len - plen < sizeof method &&
               !memcmp(m->subject, svc->rpc_prefix, plen)) {
        memcpy(method, m->subject + plen, m->subject_len - plen);
        method[m->subject_len - plen] = '\0';
        batch_flush(w); /* the reads before it are answered first */
        if (!w->pooled && svc->pool && listed(svc->def->pool_rpcs, method))
            pool_rpc(w, m, reply, method);
        else
            handle_rpc(w, m, reply, method);
    }
}

/* Runs the reads waiting on w's batch (their statements in one pipeline),
 * answers them and flushes the replies. */
static cm_err batch_flush(struct cm_worker *w)
{
    struct cm_service *svc = w->svc;
    size_t n;

    if (!cm_batch_pending(w->batch))
        return CM_OK;
    n = cm_batch_run(w->batch, w->pg, batch_answer, w);
    if (n > 1)
        cm_metrics_gauge_set(svc->metrics, "pg_pipelined_statements",
                             (double)(atomic_fetch_add(&svc->pipelined, n) + n));
    return cm_wire_flush(w->wire);
}

/* The client's after-read hook: the reads a read queued (batch_flush). */
static void after_read(void *ctx)
{
    batch_flush(ctx);
}

/* w's persistent NATS client (cm_wire_client_*): the service's subjects as
 * the handshake's SUB, in the service's queue group; outages logged as
 * "<service> worker <index>". Not connected yet. */
static cm_err worker_client(struct cm_worker *w)
{
    struct cm_service *svc = w->svc;
    char wildcard[80], log_name[64];
    struct cm_wire_client *cl;
    cm_err err;

    snprintf(wildcard, sizeof wildcard, "%s.>", svc->def->name);
    snprintf(log_name, sizeof log_name, "%s worker %d", svc->def->name, w->index);
    err = cm_wire_client_new(svc->cfg.nats_url, svc->def->name, log_name, &cl);
    if (err != CM_OK)
        return err;
    if (cm_wire_client_subscribe(cl, wildcard, svc->def->name, WORKER_SID) != CM_OK) {
        cm_wire_client_free(cl);
        return CM_EINVAL;
    }
    cm_wire_client_after_read(cl, after_read, w);
    svc->clients[w->index] = cl;
    w->wire = cm_wire_client_conn(cl);
    return CM_OK;
}

/* A worker's thread: requests until SIGTERM, then those already sent to it
 * (UNSUB, and what came before the server's PONG). The client reconnects,
 * keeps alive and leaves a lame-duck server on its own. */
static void *worker_main(void *arg)
{
    struct cm_worker *w = arg;
    struct cm_service *svc = w->svc;
    struct cm_wire_client *cl = svc->clients[w->index];
    int up = 1; /* start_workers saw it connected */

    while (!cm_stop_requested) {
        int now_up = cm_wire_client_pump(cl, WIRE_POLL_MS, on_msg, w) == CM_OK;
        if (now_up != up)
            atomic_fetch_add(&svc->connected, now_up ? 1 : -1);
        up = now_up;
    }
    cm_wire_client_drain(cl, WIRE_DRAIN_MS, on_msg, w);
    if (up)
        atomic_fetch_sub(&svc->connected, 1);
    cm_stream_worker_close(w);
    return NULL;
}

/* --- the slow-work pool (def->pool_ops, pool_rpcs) --- */

static void ignore_msg(void *ctx, const struct cm_wire_msg *m)
{
    (void)ctx;
    (void)m; /* a pool connection subscribes to nothing */
}

/* Reads what the server sent a pool connection (PINGs, INFO); closes it when
 * it is lost or its server is in lame-duck mode (it subscribes to nothing,
 * so nothing is lost): the next answer goes through another server, not one
 * that may close the connection with the answer unread (issue 15). */
static void pool_check(struct cm_worker *w)
{
    if (w->wire && cm_wire_pump(w->wire, 0, ignore_msg, w, NULL) != CM_OK) {
        cm_wire_close(w->wire);
        w->wire = NULL;
    }
    if (w->wire && cm_wire_lame_duck(w->wire)) {
        cm_info("pool %d: nats server in lame-duck mode left", w->index);
        cm_wire_close(w->wire);
        w->wire = NULL;
    }
}

/* Runs one handed-over request on a pool thread and sends its answer on the
 * thread's own connection (opened when needed: never subscribed). */
static void pool_run(void *ctx, void *arg)
{
    struct cm_worker *w = ctx;
    struct pool_job *job = arg;
    struct cm_wire_msg m = {.op = CM_WIRE_MSG, .data = job->data, .len = job->len};

    pool_check(w);

    if (!w->wire && cm_wire_open(w->svc->cfg.nats_url, w->svc->def->name,
                                 WIRE_CONNECT_TIMEOUT_MS, &w->wire) != CM_OK) {
        cm_warn("pool %d: no nats connection, request dropped", w->index);
        free(job);
        return;
    }
    if (job->rpc)
        handle_rpc(w, &m, job->reply, job->method);
    else
        handle_http(w, &m, job->reply);
    if (cm_wire_flush(w->wire) != CM_OK) {
        cm_warn("pool %d: nats connection lost, answer dropped", w->index);
        cm_wire_close(w->wire);
        w->wire = NULL;
    }
    free(job);
}

/* An idle pool thread answers the server's PINGs, so that it keeps its
 * connection. */
static void pool_idle(void *ctx)
{
    pool_check(ctx);
}

/* Starts the pool when the service names slow operations. */
static cm_err start_pool(struct cm_service *svc)
{
    struct cm_pool_def def = {0};
    void **ctxs;
    cm_err err;

    if (!svc->def->pool_ops && !svc->def->pool_rpcs)
        return CM_OK;
    svc->npool = svc->cfg.pwhash_threads;
    svc->pool_workers = cm_xcalloc((size_t)svc->npool, sizeof *svc->pool_workers);
    ctxs = cm_xcalloc((size_t)svc->npool, sizeof *ctxs);
    for (int i = 0; i < svc->npool; i++) {
        struct cm_worker *w = &svc->pool_workers[i];
        w->svc = svc;
        w->cfg = &svc->cfg;
        w->state = svc->state;
        w->nc = svc->nc;
        w->index = i;
        w->pooled = 1;
        ctxs[i] = w; /* PGconn and NATS connection come with the first job */
    }
    def.nthreads = svc->npool;
    def.queue_cap = svc->cfg.pwhash_queue;
    def.nice = 0; /* the service's hashing lowers itself (PWHASH_NICE), not its DB work */
    def.ctxs = ctxs;
    def.run = pool_run;
    def.idle = pool_idle;
    err = cm_pool_start(&def, &svc->pool);
    free(ctxs);
    if (err == CM_OK)
        cm_info("slow-work pool: %d threads, %d may wait", svc->npool, svc->cfg.pwhash_queue);
    return err;
}

/* After the request workers stopped: runs what the pool still holds, then
 * closes its connections. */
static void stop_pool(struct cm_service *svc)
{
    cm_pool_stop(svc->pool);
    svc->pool = NULL;
    for (int i = 0; i < svc->npool; i++) {
        cm_wire_close(svc->pool_workers[i].wire);
        cm_stream_worker_close(&svc->pool_workers[i]);
        PQfinish(svc->pool_workers[i].pg);
    }
    free(svc->pool_workers);
    svc->pool_workers = NULL;
    svc->npool = 0;
}

/* Readiness, on the admin thread: NATS connected and Postgres answering. */
static int check_ready(void *ctx, char *why, size_t whylen)
{
    struct cm_service *svc = ctx;
    int ok;

    if (!atomic_load(&svc->serving)) {
        snprintf(why, whylen, "not serving");
        return 0;
    }
    if (!cm_nats_connected(svc->nc) || atomic_load(&svc->connected) < svc->nworkers) {
        snprintf(why, whylen, "nats not connected");
        return 0;
    }
    if (cm_pg_ensure(&svc->cfg, &svc->ready_pg) != CM_OK) {
        snprintf(why, whylen, "postgres unreachable");
        return 0;
    }
    ok = cm_pg_exec(svc->ready_pg, "SELECT 1") == CM_OK;
    if (!ok)
        snprintf(why, whylen, "postgres not answering");
    return ok;
}

/* Role, schema, migrations and on_start, retried while Postgres comes up. */
static cm_err prepare_database(struct cm_service *svc)
{
    PGconn *conn = NULL;
    cm_err err = CM_EUNAVAIL;

    for (int attempt = 0; attempt < 120 && !cm_stop_requested; attempt++) {
        err = cm_pg_bootstrap(&svc->cfg);
        if (err == CM_OK)
            err = cm_pg_connect(&svc->cfg, &conn);
        if (err != CM_EUNAVAIL)
            break;
        if (attempt % 10 == 0)
            cm_warn("waiting for postgres at %s:%d", svc->cfg.pg_host, svc->cfg.pg_port);
        usleep(500 * 1000);
    }
    if (err == CM_OK)
        err = cm_pg_migrate(&svc->cfg, conn);
    if (err == CM_OK && svc->def->on_start)
        err = svc->def->on_start(&svc->cfg, conn);
    PQfinish(conn);
    return err;
}

/* Connects and subscribes every worker, then starts their threads. */
static cm_err start_workers(struct cm_service *svc)
{
    int n = svc->cfg.handler_threads;

    svc->workers = cm_xcalloc((size_t)n, sizeof *svc->workers);
    svc->clients = cm_xcalloc((size_t)n, sizeof *svc->clients);
    for (int i = 0; i < n; i++) {
        struct cm_worker *w = &svc->workers[i];
        cm_err err;
        w->svc = svc;
        w->cfg = &svc->cfg;
        w->nc = svc->nc;
        w->state = svc->state;
        w->index = i;
        w->batch = cm_batch_new(WORKER_BATCH_MAX);
        if (cm_pg_connect(&svc->cfg, &w->pg) != CM_OK)
            return CM_EUNAVAIL;
        err = worker_client(w);
        while (err == CM_OK && !cm_stop_requested &&
               cm_wire_client_pump(svc->clients[i], WIRE_POLL_MS, on_msg, w) != CM_OK)
            ;
        if (err == CM_OK && cm_stop_requested)
            err = CM_EUNAVAIL;
        if (err == CM_OK)
            atomic_fetch_add(&svc->connected, 1);
        if (err == CM_OK && pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            atomic_fetch_sub(&svc->connected, 1);
            err = CM_EINTERNAL;
        }
        if (err != CM_OK) {
            PQfinish(w->pg);
            return err;
        }
        svc->nworkers++;
    }
    return CM_OK;
}

/* Waits for every worker to finish what it took (they see the stop flag). */
static void stop_workers(struct cm_service *svc)
{
    for (int i = 0; i < svc->nworkers; i++)
        pthread_join(svc->workers[i].thread, NULL);
}

static void free_service(struct cm_service *svc)
{
    for (int i = 0; i < svc->nworkers; i++) {
        PQfinish(svc->workers[i].pg);
        cm_batch_free(svc->workers[i].batch);
    }
    if (svc->workers && svc->nworkers < svc->cfg.handler_threads)
        cm_batch_free(svc->workers[svc->nworkers].batch); /* the one that failed to start */
    for (int i = 0; svc->clients && i < svc->cfg.handler_threads; i++)
        cm_wire_client_free(svc->clients[i]);
    free(svc->clients);
    free(svc->workers);
    cm_metrics_free(svc->metrics);
    cm_config_release(&svc->cfg);
}

int cm_service_main(const struct cm_service_def *def)
{
    struct cm_service svc = {0};
    struct cm_admin *admin = NULL;
    struct cm_outbox_relay *relay = NULL;
    void *hook_state = NULL; /* def->on_serving's */
    int hook_started = 0, failed = 0;
    char errbuf[256];
    cm_err err;

    svc.def = def;
    cm_signals_install();
    evthread_use_pthreads();

    if (cm_config_load(def->name, cm_config_env, &svc.cfg, errbuf, sizeof errbuf) != CM_OK) {
        cm_log_init(def->name, "info");
        cm_error("config: %s", errbuf);
        return 2;
    }
    cm_log_init(def->name, svc.cfg.log_level);
    snprintf(svc.http_subject, sizeof svc.http_subject, "%s.http", def->name);
    snprintf(svc.rpc_prefix, sizeof svc.rpc_prefix, "%s.rpc.", def->name);
    svc.metrics = cm_metrics_new(def->name);

    /* libsodium (ids, codes, keys) is ready before any service code runs */
    err = sodium_init() < 0 ? CM_EINTERNAL : CM_OK;
    if (err != CM_OK)
        cm_error("libsodium init failed");
    if (err == CM_OK)
        err = prepare_database(&svc);
    if (err == CM_OK)
        err = cm_admin_start(svc.cfg.admin_host, svc.cfg.admin_port, svc.metrics, check_ready, &svc,
                             &admin);
    if (err == CM_OK)
        err = cm_nats_connect(svc.cfg.nats_url, def->name, svc.cfg.nats_send_asap,
                              (volatile int *)&cm_stop_requested, &svc.nc);
    if (err == CM_OK)
        err = cm_outbox_relay_start(&svc.cfg, svc.nc, svc.metrics, &relay);
    if (err == CM_OK && def->state_new) {
        err = def->state_new(&svc.cfg, svc.nc, &svc.state);
        svc.state_made = err == CM_OK;
    }
    if (err == CM_OK)
        err = start_pool(&svc);
    if (err == CM_OK)
        err = start_workers(&svc);
    if (err == CM_OK && def->on_serving) {
        err = def->on_serving(&svc.cfg, svc.nc, &hook_state);
        hook_started = err == CM_OK;
    }
    if (err == CM_OK) {
        cm_info("%s serving %s and %s* with %d workers", def->name, svc.http_subject,
                svc.rpc_prefix, svc.cfg.handler_threads);
        atomic_store(&svc.serving, 1);
        while (!cm_stop_requested)
            usleep(100 * 1000);
        atomic_store(&svc.serving, 0);
        cm_info("draining");
    } else if (!cm_stop_requested) {
        cm_error("start failed: %s", cm_err_name(err));
        failed = 1;
        cm_stop_requested = 1; /* the workers started so far end too */
    }
    stop_workers(&svc);
    stop_pool(&svc); /* what the workers handed over is answered */
    if (hook_started && def->on_stop)
        def->on_stop(hook_state); /* uses svc.nc: before the relay and NATS go */
    if (svc.state_made && def->state_free)
        def->state_free(svc.state); /* may hold subscriptions on svc.nc */
    cm_outbox_relay_stop(relay); /* publishes through svc.nc: before it closes */
    cm_admin_stop(admin);        /* before the connection it reads goes away */
    cm_nats_close(svc.nc, 10000);
    svc.nc = NULL;
    PQfinish(svc.ready_pg);
    free_service(&svc);
    cm_info("stopped");
    return failed ? 1 : 0;
}
