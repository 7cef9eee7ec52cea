/* loop.c: an edge loop thread: listener (each connection behind its guard,
 * conn_guard.h), NATS link (replies dispatched to their pending request, all
 * of them failed when the link is lost), the table of in-flight requests,
 * timeouts and the drain on shutdown. */
#include "edge.h"

#include <arpa/inet.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_time.h"

/* --- the table of in-flight requests: slot + generation tokens --- */

static void grow_slots(struct edge_loop *l)
{
    uint32_t old = l->nslots, n = old ? old * 2 : 256;

    l->slots = cm_xrealloc(l->slots, n * sizeof *l->slots);
    l->gens = cm_xrealloc(l->gens, n * sizeof *l->gens);
    l->free_slots = cm_xrealloc(l->free_slots, n * sizeof *l->free_slots);
    for (uint32_t i = old; i < n; i++) {
        l->slots[i] = NULL;
        l->gens[i] = 0;
    }
    for (uint32_t i = n; i > old; i--)
        l->free_slots[l->nfree++] = i - 1;
    l->nslots = n;
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    proxy_on_timeout(arg);
}

/* evhttp closes the client connection: forget its request. When the client
 * went (EOF, error, timeout) while the request waited for its answer, evhttp
 * has already taken the request off the connection (its connection is NULL)
 * and leaves it to us: nobody will answer it now, so it is freed here
 * (libevent 2.1, evhttp_connection_incoming_fail). A request still on the
 * connection (the edge frees the connection, e.g. at shut-down) is freed by
 * evhttp with it. */
static void on_conn_close(struct evhttp_connection *evcon, void *arg)
{
    struct pending *p = arg;
    struct evhttp_request *req = p->req;

    (void)evcon;
    p->req = NULL;
    if (req && evhttp_request_get_connection(req) == NULL)
        evhttp_request_free(req);
    proxy_on_client_gone(p);
}

struct pending *pending_new(struct edge_loop *l, struct evhttp_request *req, double start)
{
    struct pending *p = cm_xcalloc(1, sizeof *p);

    if (l->nfree == 0)
        grow_slots(l);
    p->slot = l->free_slots[--l->nfree];
    p->gen = ++l->gens[p->slot];
    l->slots[p->slot] = p;
    l->inflight++;
    p->loop = l;
    p->req = req;
    p->start = start;
    evtimer_assign(&p->timer, l->base, on_timeout, p);
    evtimer_add(&p->timer, l->timeout_tv);
    evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_conn_close, p);
    return p;
}

void pending_free(struct pending *p)
{
    struct edge_loop *l = p->loop;

    if (p->req)
        evhttp_connection_set_closecb(evhttp_request_get_connection(p->req), NULL, NULL);
    proxy_stream_cleanup(p);
    evtimer_del(&p->timer);
    l->slots[p->slot] = NULL;
    l->free_slots[l->nfree++] = p->slot;
    l->inflight--;
    free(p);
}

/* --- the link's callbacks --- */

/* A reply on "<inbox>.<slot>.<gen>": to its request, when still there. */
static void on_link_reply(void *ctx, uint32_t slot, uint32_t gen, const struct cm_wire_msg *m)
{
    struct edge_loop *l = ctx;

    if (slot < l->nslots && l->slots[slot] && l->slots[slot]->gen == gen)
        proxy_on_reply(l->slots[slot], m);
}

/* The link is lost: no request in flight will get its reply. */
static void on_link_lost(void *ctx)
{
    struct edge_loop *l = ctx;

    for (uint32_t i = 0; i < l->nslots; i++)
        if (l->slots[i])
            proxy_on_link_lost(l->slots[i]);
}

/* Every 100 ms: keep the link alive, start draining on stop, and leave
 * once drained. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    struct edge_loop *l = arg;

    (void)fd;
    (void)what;
    nats_link_tick(l->link, cm_now_ms());
    if (!l->draining && *l->edge->stop) {
        l->draining = 1;
        l->drain_deadline_ms = cm_now_ms() + l->cfg->request_timeout_ms + 1000;
        if (l->bound)
            evhttp_del_accept_socket(l->http, l->bound);
        l->bound = NULL;
    }
    /* Draining: every answer says "Connection: close" (proxy.c) and evhttp
     * closes its connection once it is written; a connection with nothing to
     * answer is closed here. Exit when no connection is left (each closed
     * after its last answer was written), or at the deadline. */
    if (l->draining)
        conn_guard_close_idle(l);
    if (l->draining && ((l->inflight == 0 && conn_guard_count(l) == 0 && l->drain_idle) ||
                        cm_now_ms() > l->drain_deadline_ms))
        event_base_loopexit(l->base, NULL);
    l->drain_idle = l->draining && l->inflight == 0 && conn_guard_count(l) == 0;
}

static int listen_shared(struct edge_loop *l)
{
    struct sockaddr_in sin = {0};
    struct evconnlistener *lis;

    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)l->cfg->edge_port);
    if (inet_pton(AF_INET, l->cfg->edge_host, &sin.sin_addr) != 1) {
        cm_error("EDGE_HOST %s is not an IPv4 address", l->cfg->edge_host);
        return -1;
    }
    lis = evconnlistener_new_bind(l->base, NULL, NULL,
                                  LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT |
                                      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
                                  1024, (struct sockaddr *)&sin, sizeof sin);
    if (!lis) {
        cm_error("cannot listen on %s:%d", l->cfg->edge_host, l->cfg->edge_port);
        return -1;
    }
    l->bound = evhttp_bind_listener(l->http, lis);
    return l->bound ? 0 : -1;
}

/* The loop's event_base. With epoll's changelist, the changes to one fd
 * during a loop iteration (evhttp turns reading and writing on and off
 * around each request) cost one epoll_ctl at most, or none when they cancel
 * out. Its one caveat, fds shared through dup(), does not arise here. */
static struct event_base *new_base(void)
{
    struct event_config *ec = event_config_new();
    struct event_base *base;

    if (!ec)
        return NULL;
    event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    base = event_base_new_with_config(ec);
    event_config_free(ec);
    return base;
}

static void *run(void *arg)
{
    struct edge_loop *l = arg;
    event_base_dispatch(l->base);
    return NULL;
}

int edge_loop_start(struct edge_loop *l)
{
    const struct cm_config *cfg = l->cfg;
    struct timeval tv = {cfg->request_timeout_ms / 1000, (cfg->request_timeout_ms % 1000) * 1000};
    struct timeval tick = {0, 100 * 1000};
    struct nats_link_handler h = {.on_reply = on_link_reply, .on_lost = on_link_lost, .ctx = l};
    char name[32];

    if (getrandom(l->rng, sizeof l->rng, 0) != sizeof l->rng)
        l->rng[0] = (uint64_t)cm_now_ms() ^ (uint64_t)(uintptr_t)l,
        l->rng[1] = 0x9e3779b97f4a7c15u;
    auth_cache_init(&l->auth, (size_t)cfg->auth_cache_size);
    token_cache_init(&l->tokens, (size_t)cfg->token_cache_size);
    l->base = new_base();
    if (!l->base)
        return -1;
    l->timeout_tv = event_base_init_common_timeout(l->base, &tv);
    l->tick = event_new(l->base, -1, EV_PERSIST, on_tick, l);
    l->http = evhttp_new(l->base);
    if (!l->tick || !l->http)
        return -1;
    event_add(l->tick, &tick);
    /* evhttp's own cap is a backstop: the guard refuses a body over
     * MAX_BODY_BYTES (413 in the surface's style) before evhttp reads it. */
    evhttp_set_max_body_size(l->http, (ev_ssize_t)cfg->max_body_bytes * 4);
    /* The guard (conn_guard.c) enforces MAX_HEADER_BYTES on the whole head
     * first and answers in the surface's style; evhttp's cap is a backstop. */
    evhttp_set_max_headers_size(l->http, (ev_ssize_t)cfg->max_header_bytes * 2 + 1024);
    evhttp_set_bevcb(l->http, conn_guard_bevcb, l);
    evhttp_set_timeout(l->http, (cfg->request_timeout_ms + 999) / 1000 + 20);
    evhttp_set_allowed_methods(l->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE);
    evhttp_set_default_content_type(l->http, "application/json");
    evhttp_set_gencb(l->http, proxy_on_request, l);
    if (listen_shared(l) != 0)
        return -1;
    snprintf(name, sizeof name, "edge-%d", l->index);
    if (nats_link_new(l->base, cfg->nats_url, name, &h, &l->link) != CM_OK)
        return -1;
    if (pthread_create(&l->thread, NULL, run, l) != 0)
        return -1;
    return 0;
}

void edge_loop_join(struct edge_loop *l)
{
    if (l->thread)
        pthread_join(l->thread, NULL);
    for (uint32_t i = 0; i < l->nslots; i++)
        if (l->slots[i])
            pending_free(l->slots[i]);
    nats_link_free(l->link);
    if (l->http)
        evhttp_free(l->http);
    if (l->tick)
        event_free(l->tick);
    if (l->base)
        event_base_free(l->base);
    free(l->slots);
    free(l->gens);
    free(l->free_slots);
    auth_cache_release(&l->auth);
    token_cache_release(&l->tokens);
}
