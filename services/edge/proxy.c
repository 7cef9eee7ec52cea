/* proxy.c: one API request through the edge: route, limits, request id,
 * credentials (access tokens verified here; API keys cached, or asked of
 * identity), the envelope to the owning service over NATS, and its reply
 * back to HTTP. Runs on a loop thread only; nothing here blocks. */
#include "edge.h"

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_persons.h"
#include "cm_alloc.h"
#include "cm_err.h"
#include "cm_http.h"
#include "cm_log.h"
#include "cm_stream.h"
#include "cm_time.h"
#include "http_guard.h"
#include "identity.pb-c.h"

#define AUTH_SUBJECT "identity.rpc.AuthenticateApiKey"
#define DENIED_TTL_MS 2000  /* refusals are cached briefly: a new key works soon */
#define MAX_HEADERS 64
#define PATH_MAX_BYTES 2048
#define PIECE_MIN (64 * 1024) /* a pulled piece waits for this many bytes (or the body's end) */

_Static_assert(EDGE_CRED_TOKEN_MAX == CM_TOKEN_MAX_LEN, "a bearer header holds any token");

static const char *method_name(enum evhttp_cmd_type cmd)
{
    switch (cmd) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_PATCH: return "PATCH";
    case EVHTTP_REQ_DELETE: return "DELETE";
    default: return NULL;
    }
}

static uint64_t next_random(struct edge_loop *l)
{
    /* xorshift128+: request ids need to be unique, not secret */
    uint64_t x = l->rng[0], y = l->rng[1];
    l->rng[0] = y;
    x ^= x << 23;
    l->rng[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
    return l->rng[1] + y;
}

/* X-Request-Id of the client when it is sane (1..64 of [A-Za-z0-9._-]),
 * otherwise a new random one. */
static void take_request_id(struct edge_loop *l, struct evhttp_request *req, char *out, size_t cap)
{
    const char *given = evhttp_find_header(evhttp_request_get_input_headers(req), "X-Request-Id");
    size_t n = given ? strlen(given) : 0;
    int ok = n > 0 && n < cap && n <= 64;

    for (size_t i = 0; ok && i < n; i++) {
        char c = given[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.';
    }
    if (ok)
        memcpy(out, given, n + 1);
    else
        snprintf(out, cap, "%016llx%016llx", (unsigned long long)next_random(l),
                 (unsigned long long)next_random(l));
}

static void observe(struct edge_loop *l, const struct edge_route *route, int status, double start)
{
    cm_metrics_observe(l->edge->metrics, route ? route->family : "unrouted", status,
                       cm_now_s() - start);
}

/* Sends a complete reply: status, content type, request id, body. */
static void send_reply(struct evhttp_request *req, int status, const char *ctype,
                       const char *request_id, const void *body, size_t len)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    struct evbuffer *buf = evbuffer_new();

    if (!buf) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evhttp_add_header(out, "Content-Type", ctype);
    evhttp_add_header(out, "X-Request-Id", request_id);
    if (len)
        evbuffer_add(buf, body, len);
    evhttp_send_reply(req, status, cm_http_reason(status), buf);
    evbuffer_free(buf);
}

/* Sends an error in the style of surface. */
static void send_error(struct evhttp_request *req, Envelope__Surface surface, int status,
                       const char *request_id, const char *detail)
{
    size_t len;
    char *body = cm_http_error_body(surface, status, cm_err_name(cm_err_from_http_status(status)),
                                    detail, NULL, &len);
    if (status == 401 && surface == ENVELOPE__SURFACE__SURFACE_CUREATR)
        evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
                          "Basic realm=\"api\"");
    send_reply(req, status, "application/json", request_id, body, len);
    free(body);
}

/* While the loop drains, every answer closes its connection (evhttp closes
 * it once the answer is written), so no client sends another request on it. */
static void close_if_draining(const struct edge_loop *l, struct evhttp_request *req)
{
    if (l->draining)
        evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
}

/* Refuses a request before it is forwarded, and counts it. */
static void reject(struct edge_loop *l, struct evhttp_request *req, const struct edge_route *route,
                   Envelope__Surface surface, int status, const char *request_id,
                   const char *detail, double start)
{
    close_if_draining(l, req);
    send_error(req, surface, status, request_id, detail);
    observe(l, route, status, start);
}

/* Ends p with an error reply (when the client is still there). */
static void fail_pending(struct pending *p, int status, const char *detail)
{
    if (p->req) {
        struct evhttp_request *req = p->req;
        evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL, NULL);
        p->req = NULL;
        close_if_draining(p->loop, req);
        if (p->guard) /* a streamed body not read to its end: as above (on_http_reply) */
            proxy_stream_cleanup(p);
        send_error(req, p->route->surface, status, p->request_id, detail);
    }
    observe(p->loop, p->route, status, p->start);
    pending_free(p);
}

/* Headers the services see: all but credentials, lower-cased names. */
static size_t collect_headers(struct evhttp_request *req, Envelope__Header *hs,
                              Envelope__Header **ptrs, char names[][64])
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    size_t n = 0;

    for (struct evkeyval *kv = in->tqh_first; kv && n < MAX_HEADERS; kv = kv->next.tqe_next) {
        size_t len = strlen(kv->key);
        if (len >= 64 || !strcasecmp(kv->key, "authorization") ||
            !strcasecmp(kv->key, "x-api-key") || !strcasecmp(kv->key, "proxy-authorization"))
            continue;
        for (size_t i = 0; i <= len; i++)
            names[n][i] = (char)((kv->key[i] >= 'A' && kv->key[i] <= 'Z') ? kv->key[i] + 32
                                                                           : kv->key[i]);
        envelope__header__init(&hs[n]);
        hs[n].name = names[n];
        hs[n].value = kv->value;
        ptrs[n] = &hs[n];
        n++;
    }
    return n;
}

/* Publishes msg to subject with p's reply subject: CM_ETOOBIG past the
 * server's max_payload, CM_EUNAVAIL while the NATS link is down. */
static cm_err publish_request(struct pending *p, const char *subject, const ProtobufCMessage *msg)
{
    return nats_link_publish(p->loop->link, subject, p->slot, p->gen, msg);
}

/* Why p gets a 503 when NATS cannot take or answer its request. */
static const char *unavailable_detail(const struct pending *p)
{
    return p->state == PENDING_AUTH ? "authentication unavailable, retry later"
                                    : "service unavailable, retry later";
}

/* The client's address as libevent holds it (borrowed, valid while req
 * is), "" when unknown. */
static char *peer_address(struct evhttp_request *req)
{
    char *addr = NULL;
    ev_uint16_t port = 0;

    evhttp_connection_get_peer(evhttp_request_get_connection(req), &addr, &port);
    return addr ? addr : "";
}

/* True when only API clients may make req on route: /api, except the few
 * operations a person makes with their own token (api_persons.h). */
static int api_clients_only(const struct edge_route *route, struct evhttp_request *req)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);

    return route->api_clients_only &&
           !edge_api_person_op(method_name(evhttp_request_get_command(req)),
                               uri ? evhttp_uri_get_path(uri) : NULL);
}

/* Wraps the HTTP request in an HttpRequest for the owning service. */
static void forward(struct pending *p, const Envelope__Principal *principal)
{
    struct evhttp_request *req = p->req;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    struct evbuffer *body = evhttp_request_get_input_buffer(req);
    Envelope__HttpRequest env = ENVELOPE__HTTP_REQUEST__INIT;
    Envelope__Principal anon = ENVELOPE__PRINCIPAL__INIT;
    Envelope__Header hs[MAX_HEADERS];
    Envelope__Header *ptrs[MAX_HEADERS];
    char names[MAX_HEADERS][64];
    const char *query = evhttp_uri_get_query(uri);
    size_t blen = evbuffer_get_length(body);

    if (api_clients_only(p->route, req) &&
        (!principal || principal->kind != ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_API_CLIENT)) {
        fail_pending(p, 401, "API client credentials required");
        return;
    }
    env.request_id = p->request_id;
    env.method = (char *)method_name(evhttp_request_get_command(req));
    env.path = (char *)evhttp_uri_get_path(uri);
    env.query = (char *)(query ? query : "");
    env.n_headers = collect_headers(req, hs, ptrs, names);
    env.headers = ptrs;
    env.body.len = blen;
    env.body.data = blen ? evbuffer_pullup(body, -1) : NULL;
    if (p->body_streamed && p->body_length > 0) { /* the body stays in the guard until pulled */
        p->guard = conn_guard_of(p->loop, req);
        if (!p->guard) {
            fail_pending(p, 400, "request body incomplete");
            return;
        }
        env.body_streamed = 1;
        env.body_length = p->body_length;
        env.body.len = 0;
        env.body.data = NULL;
    }
    env.principal = (Envelope__Principal *)(principal ? principal : &anon);
    env.surface = p->route->surface;
    env.remote_addr = peer_address(req); /* the TCP peer; services decide about X-Forwarded-For */
    p->state = PENDING_FORWARDED;
    switch (publish_request(p, p->route->subject, &env.base)) {
    case CM_OK:
        if (p->guard)
            conn_guard_stream_attach(p->guard, p);
        break;
    case CM_ETOOBIG:
        fail_pending(p, 413, "request too large");
        break;
    default:
        fail_pending(p, 503, unavailable_detail(p));
    }
}

/* Asks identity about a credential not in the cache. */
static void ask_identity(struct pending *p, const struct edge_cred *cred)
{
    Identity__AuthenticateApiKeyRequest in = IDENTITY__AUTHENTICATE_API_KEY_REQUEST__INIT;
    Envelope__RpcRequest rpc = ENVELOPE__RPC_REQUEST__INIT;
    uint8_t buf[1024];
    size_t len;

    in.user_id = (char *)cred->user;
    in.api_key = (char *)cred->secret;
    len = identity__authenticate_api_key_request__pack(&in, buf);
    rpc.request_id = p->request_id;
    rpc.payload.data = buf;
    rpc.payload.len = len;
    p->state = PENDING_AUTH;
    if (publish_request(p, AUTH_SUBJECT, &rpc.base) != CM_OK)
        fail_pending(p, 503, unavailable_detail(p));
}

/* A new in-flight request for route, with its request id. */
static struct pending *start_pending(struct edge_loop *l, struct evhttp_request *req,
                                     const struct edge_route *route, const char *request_id,
                                     double start)
{
    struct pending *p = pending_new(l, req, start);
    const char *streamed =
        evhttp_find_header(evhttp_request_get_input_headers(req), HG_STREAM_HEADER);
    p->route = route;
    if (streamed) { /* set by the guard only (a client's is refused) */
        p->body_streamed = 1;
        p->body_length = strtoull(streamed, NULL, 10);
    }
    snprintf(p->request_id, sizeof p->request_id, "%s", request_id);
    return p;
}

/* A request with a bearer token: checked here (token_check.h), no hop to
 * identity, then forwarded with the token's principal. */
static void forward_with_token(struct edge_loop *l, struct evhttp_request *req,
                               const struct edge_route *route, Envelope__Surface surface,
                               const char *request_id, const char *token, double start)
{
    const struct cm_token_claims *claims = NULL;
    Envelope__Principal principal;
    char *roles[CM_TOKEN_MAX_ROLES];

    switch (token_check(&l->tokens, l->edge->keys, l->edge->revoked, token, (int64_t)time(NULL),
                        &claims)) {
    case TOKEN_UNAVAILABLE:
        reject(l, req, route, surface, 503, request_id, "authentication unavailable, retry later",
               start);
        return;
    case TOKEN_REFUSED:
        reject(l, req, route, surface, 401, request_id, "invalid or expired access token", start);
        return;
    case TOKEN_OK:
        break;
    }
    token_principal(claims, &principal, roles);
    forward(start_pending(l, req, route, request_id, start), &principal);
}

/* The guard refused the request (conn_guard.h): its verdict, "<reason>
 * <surface>", becomes the error in that surface's style; the guard marks it
 * "Connection: close" on the wire and closes the connection after it. */
static void refuse_malformed(struct edge_loop *l, struct evhttp_request *req, const char *verdict,
                             const char *request_id, double start)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    int reason = HG_R_REQUEST_LINE, surface = ENVELOPE__SURFACE__SURFACE_UNKNOWN, status;

    if (sscanf(verdict, "%d %d", &reason, &surface) != 2 || reason <= HG_R_NONE ||
        reason >= HG_R_COUNT)
        reason = HG_R_REQUEST_LINE;
    status = hg_reason_status((enum hg_reason)reason);
    if (status == 405)
        evhttp_add_header(out, "Allow", "GET, POST, PUT, PATCH, DELETE");
    reject(l, req, NULL, (Envelope__Surface)surface, status, request_id,
           hg_reason_text((enum hg_reason)reason), start);
}

void proxy_on_request(struct evhttp_request *req, void *arg)
{
    struct edge_loop *l = arg;
    double start = cm_now_s();
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    const struct edge_route *route;
    Envelope__Surface surface;
    const struct auth_entry *hit;
    struct edge_cred cred;
    struct pending *p;
    char request_id[65];

    take_request_id(l, req, request_id, sizeof request_id);
    if (evhttp_find_header(in, HG_VERDICT_HEADER)) {
        refuse_malformed(l, req, evhttp_find_header(in, HG_VERDICT_HEADER), request_id, start);
        return;
    }
    if (!path || !*path || strlen(path) > PATH_MAX_BYTES) {
        reject(l, req, NULL, ENVELOPE__SURFACE__SURFACE_JSONAPI, 400, request_id, "malformed path",
               start);
        return;
    }
    surface = cm_http_surface_of(path);
    route = edge_route_lookup(path);
    if (!route) {
        reject(l, req, NULL, surface, 404, request_id, "no such endpoint", start);
        return;
    }
    if (evbuffer_get_length(evhttp_request_get_input_buffer(req)) > (size_t)l->cfg->max_body_bytes) {
        reject(l, req, route, surface, 413, request_id, "request body too large", start);
        return;
    }
    edge_cred_parse(evhttp_find_header(in, "Authorization"), evhttp_find_header(in, "x-api-key"),
                    &cred);
    if (cred.kind == EDGE_CRED_INVALID || (cred.kind == EDGE_CRED_NONE && route->auth_required)) {
        reject(l, req, route, surface, 401, request_id,
               cred.kind == EDGE_CRED_NONE ? "authentication required" : "invalid credentials",
               start);
        return;
    }
    if (cred.kind == EDGE_CRED_BEARER && api_clients_only(route, req)) {
        reject(l, req, route, surface, 401, request_id, "API client credentials required", start);
        return;
    }
    if (cred.kind == EDGE_CRED_BEARER) {
        forward_with_token(l, req, route, surface, request_id, cred.secret, start);
        return;
    }
    p = start_pending(l, req, route, request_id, start);
    if (cred.kind == EDGE_CRED_NONE) {
        forward(p, NULL);
        return;
    }
    auth_cache_key(&cred, p->cred_key);
    hit = auth_cache_get(&l->auth, p->cred_key, cm_now_ms());
    if (hit && !hit->denied && hit->client_id[0] &&
        revocations_api_client_stale(l->edge->revoked, hit->client_id, hit->stored_s,
                                     (int64_t)time(NULL)))
        hit = NULL; /* its key was rotated or revoked since: ask identity again */
    if (hit && hit->denied) {
        fail_pending(p, 401, "invalid credentials");
    } else if (hit) {
        Envelope__Principal principal;
        auth_entry_principal(hit, &principal);
        forward(p, &principal);
    } else {
        ask_identity(p, &cred);
    }
}

/* identity answered an AuthenticateApiKey. */
static void on_auth_reply(struct pending *p, const struct cm_wire_msg *m)
{
    struct edge_loop *l = p->loop;
    Envelope__RpcReply *rpc = envelope__rpc_reply__unpack(NULL, m->len, m->data);
    Identity__AuthenticateApiKeyReply *ok = NULL;
    cm_err err = rpc ? cm_err_from_wire(rpc->code) : CM_EINTERNAL;

    if (err == CM_OK) {
        ok = identity__authenticate_api_key_reply__unpack(NULL, rpc->payload.len,
                                                           rpc->payload.data);
        if (!ok || !ok->principal)
            err = CM_EINTERNAL;
    }
    if (err == CM_OK) {
        uint32_t ttl = ok->cache_ttl_ms < (uint32_t)l->cfg->auth_cache_ttl_ms
                           ? ok->cache_ttl_ms
                           : (uint32_t)l->cfg->auth_cache_ttl_ms;
        if (ttl)
            auth_cache_put(&l->auth, p->cred_key, ok->principal, cm_now_ms() + ttl);
        if (p->req)
            forward(p, ok->principal);
        else
            pending_free(p);
    } else if (err == CM_EDENIED || err == CM_EUNAUTH || err == CM_ENOTFOUND ||
               err == CM_EINVAL) {
        auth_cache_put(&l->auth, p->cred_key, NULL, cm_now_ms() + DENIED_TTL_MS);
        fail_pending(p, 401, "invalid credentials");
    } else {
        fail_pending(p, 503, "authentication unavailable, retry later");
    }
    identity__authenticate_api_key_reply__free_unpacked(ok, NULL);
    envelope__rpc_reply__free_unpacked(rpc, NULL);
}

/* Copies the service's headers to the HTTP reply. */
static void copy_headers(struct evhttp_request *req, const Envelope__HttpResponse *resp,
                         const char *request_id, int *has_ctype)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);

    *has_ctype = 0;
    for (size_t i = 0; i < resp->n_headers; i++) {
        const Envelope__Header *h = resp->headers[i];
        if (!strcasecmp(h->name, "content-type"))
            *has_ctype = 1;
        if (strcasecmp(h->name, "content-length") && strcasecmp(h->name, "x-request-id") &&
            strcasecmp(h->name, "connection") && strcasecmp(h->name, "transfer-encoding"))
            evhttp_add_header(out, h->name, h->value);
    }
    evhttp_add_header(out, "X-Request-Id", request_id);
}

/* Breaks off a chunked reply already started whose last chunk will not come
 * (the service stopped answering, broke off, or NATS went): the connection
 * is closed without the terminating chunk, so the client sees an incomplete
 * answer instead of a complete-looking short one. */
static void end_stream(struct pending *p)
{
    if (p->req) {
        struct evhttp_connection *evcon = evhttp_request_get_connection(p->req);
        evhttp_connection_set_closecb(evcon, NULL, NULL);
        p->req = NULL;
        evhttp_connection_free(evcon);
    }
    observe(p->loop, p->route, 502, p->start);
    pending_free(p);
}

/* Tells the service streaming p's reply that chunks up to p->written_seq
 * are written (aborted: that the client is gone). */
static void send_ack(struct pending *p, int aborted)
{
    Envelope__StreamAck ack = ENVELOPE__STREAM_ACK__INIT;

    if (!p->ack_to[0])
        return;
    ack.seq = p->written_seq;
    ack.aborted = aborted;
    if (nats_link_publish(p->loop->link, p->ack_to, p->slot, p->gen, &ack.base) != CM_OK)
        cm_warn("stream acknowledgement not sent");
    if (aborted)
        p->ack_to[0] = '\0';
}

/* evhttp wrote a chunk of a flow-controlled reply to the client. */
static void on_chunk_written(struct evhttp_connection *evcon, void *arg)
{
    struct pending *p = arg;
    (void)evcon;
    send_ack(p, 0);
}

/* Answers the service's waiting pull when enough of the body is there: one
 * BodyChunk of what waits (at least PIECE_MIN bytes or the rest of the body,
 * at most pull_max), or aborted when the client is gone. */
static void answer_pull(struct pending *p)
{
    Envelope__BodyChunk chunk = ENVELOPE__BODY_CHUNK__INIT;
    uint64_t left;
    size_t n = 0, avail;

    if (!p->pull_to[0])
        return;
    if (!p->req || !p->guard) {
        chunk.aborted = 1;
    } else {
        left = conn_guard_stream_left(p->guard);
        avail = conn_guard_stream_avail(p->guard);
        n = left < p->pull_max ? (size_t)left : p->pull_max;
        if (avail < n && avail < PIECE_MIN)
            return; /* wait for more (proxy_on_body_data) */
        if (avail < n)
            n = avail;
        chunk.data.data = n ? (uint8_t *)conn_guard_stream_peek(p->guard, n) : NULL;
        chunk.data.len = n;
        chunk.last = (uint64_t)n == left;
    }
    if (nats_link_publish(p->loop->link, p->pull_to, p->slot, p->gen, &chunk.base) != CM_OK) {
        cm_warn("body piece not sent");
        return; /* the service times out */
    }
    if (n)
        conn_guard_stream_take(p->guard, n);
    if (chunk.last && p->guard) {
        conn_guard_stream_detach(p->guard, p);
        p->guard = NULL;
    }
    p->pull_to[0] = '\0';
    evtimer_add(&p->timer, p->loop->timeout_tv); /* each piece restarts the clock */
}

static void on_pull(struct pending *p, const Envelope__HttpResponse *pull)
{
    if (!p->body_streamed || pull->pull_max == 0) {
        cm_warn("unexpected pull from %s", p->route->service);
        return;
    }
    snprintf(p->pull_to, sizeof p->pull_to, "%s", pull->pull_to);
    p->pull_max = pull->pull_max < CM_STREAM_CHUNK ? pull->pull_max : CM_STREAM_CHUNK;
    answer_pull(p);
}

void proxy_on_body_data(struct pending *p)
{
    answer_pull(p);
}

void proxy_on_body_gone(struct pending *p)
{
    p->guard = NULL;
    answer_pull(p); /* aborted, when a pull waits */
}

void proxy_stream_cleanup(struct pending *p)
{
    if (p->guard) { /* ends before its body was read: discard the rest, then close */
        conn_guard_stream_abandon(p->guard);
        conn_guard_stream_detach(p->guard, p);
        p->guard = NULL;
    }
    answer_pull(p); /* a waiting pull hears "aborted" */
    send_ack(p, 1);
}

void proxy_on_client_gone(struct pending *p)
{
    answer_pull(p);
    send_ack(p, 1);
}

/* The owning service answered (a whole reply, or one chunk of a stream). */
static void on_http_reply(struct pending *p, const struct cm_wire_msg *m)
{
    Envelope__HttpResponse *resp = envelope__http_response__unpack(NULL, m->len, m->data);
    struct evhttp_request *req = p->req;
    struct evbuffer *buf;
    int has_ctype, status;

    if (resp && resp->pull_to[0]) { /* not a reply: the service asks for body bytes */
        on_pull(p, resp);
        envelope__http_response__free_unpacked(resp, NULL);
        return;
    }

    if (!resp || resp->status < 100 || resp->status > 599) {
        cm_warn("malformed reply from %s", p->route->service);
        envelope__http_response__free_unpacked(resp, NULL);
        if (p->state == PENDING_STREAMING)
            end_stream(p);
        else
            fail_pending(p, 500, "internal error");
        return;
    }
    status = resp->status;
    if (!req) { /* the client left; drop the reply (and the rest of a stream) */
        if (resp->ack_to[0] && !resp->last) {
            snprintf(p->ack_to, sizeof p->ack_to, "%s", resp->ack_to);
            send_ack(p, 1);
        }
        if (!resp->chunked || resp->last)
            pending_free(p);
        envelope__http_response__free_unpacked(resp, NULL);
        return;
    }
    buf = evbuffer_new();
    if (buf && resp->body.len)
        evbuffer_add(buf, resp->body.data, resp->body.len);
    if (p->state == PENDING_FORWARDED) {
        copy_headers(req, resp, p->request_id, &has_ctype);
        close_if_draining(p->loop, req);
        if (!has_ctype)
            evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                              "application/json");
    }
    if (p->guard && conn_guard_stream_left(p->guard) > 0 && p->state == PENDING_FORWARDED) {
        /* answered before the whole body was read: the guard marks the answer
         * "Connection: close", discards the rest and closes after lingering
         * (evhttp closing at once would reset the connection under the answer) */
        conn_guard_stream_abandon(p->guard);
        conn_guard_stream_detach(p->guard, p);
        p->guard = NULL;
    }
    if (!resp->chunked) {
        evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL, NULL);
        p->req = NULL;
        evhttp_send_reply(req, status, cm_http_reason(status), buf);
        observe(p->loop, p->route, status, p->start);
        pending_free(p);
    } else {
        if (p->state == PENDING_FORWARDED) {
            evhttp_send_reply_start(req, status, cm_http_reason(status));
            p->state = PENDING_STREAMING;
        }
        if (resp->ack_to[0]) { /* flow-controlled: acknowledge once written */
            snprintf(p->ack_to, sizeof p->ack_to, "%s", resp->ack_to);
            p->written_seq = resp->seq;
            if (!resp->last && buf && evbuffer_get_length(buf))
                evhttp_send_reply_chunk_with_cb(req, buf, on_chunk_written, p);
            else if (!resp->last)
                send_ack(p, 0); /* nothing to write: acknowledged at once */
            else if (buf && evbuffer_get_length(buf))
                evhttp_send_reply_chunk(req, buf);
        } else if (buf && evbuffer_get_length(buf)) {
            evhttp_send_reply_chunk(req, buf);
        }
        if (resp->last && resp->ack_to[0] && resp->status >= 500 && resp->seq > 0) {
            /* the service broke its flow-controlled stream off (cm_stream_abort) */
            if (buf)
                evbuffer_free(buf);
            envelope__http_response__free_unpacked(resp, NULL);
            p->ack_to[0] = '\0';
            end_stream(p);
            return;
        }
        if (resp->last) {
            p->ack_to[0] = '\0'; /* complete: nothing to acknowledge or abort */
            evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL, NULL);
            p->req = NULL;
            evhttp_send_reply_end(req);
            observe(p->loop, p->route, status, p->start);
            pending_free(p);
        } else {
            evtimer_add(&p->timer, p->loop->timeout_tv); /* each chunk restarts the clock */
        }
    }
    if (buf)
        evbuffer_free(buf);
    envelope__http_response__free_unpacked(resp, NULL);
}

void proxy_on_reply(struct pending *p, const struct cm_wire_msg *m)
{
    if (m->status == 503)
        fail_pending(p, 503, unavailable_detail(p));
    else if (p->state == PENDING_AUTH)
        on_auth_reply(p, m);
    else
        on_http_reply(p, m);
}

void proxy_on_timeout(struct pending *p)
{
    if (p->state == PENDING_STREAMING)
        end_stream(p);
    else
        fail_pending(p, 504, "the service did not answer in time");
}

void proxy_on_link_lost(struct pending *p)
{
    if (p->state == PENDING_STREAMING)
        end_stream(p);
    else
        fail_pending(p, 503, unavailable_detail(p));
}
