/* edge.h: the edge daemon's shared types.
 *
 * The edge runs EDGE_THREADS loop threads. Each has its own event_base, its
 * own listening socket on the shared port (SO_REUSEPORT, so the kernel
 * spreads connections), its own NATS link driven by that loop alone
 * (nats_link.h: the publishes of one loop iteration leave in one write, and
 * replies are read and handed to their pending request on the loop thread),
 * its own reply inbox, table of in-flight requests and credential caches.
 * Nothing of a loop is touched by another thread, except that the admin
 * thread asks whether its link is up. The loops share, read-only, the
 * signing keys and the revocation set, which a background nats.c connection
 * (driven by nats.c's own threads, never by a loop) keeps current. */
#ifndef EDGE_H
#define EDGE_H

#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/http.h>
#include <nats/nats.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "auth_cache.h"
#include "auth_header.h"
#include "conn_guard.h"
#include "cm_config.h"
#include "cm_metrics.h"
#include "revocations.h"
#include "nats_link.h"
#include "routes.h"
#include "token_check.h"
#include "token_keys.h"

struct edge;

enum pending_state {
    PENDING_AUTH,      /* waiting for identity.rpc.AuthenticateApiKey */
    PENDING_FORWARDED, /* waiting for the owning service's HttpResponse */
    PENDING_STREAMING, /* chunked reply started, more chunks to come */
};

/* One request in flight, owned by its loop. */
struct pending {
    struct edge_loop *loop;
    struct evhttp_request *req; /* NULL once the client connection is gone */
    uint32_t slot;
    uint32_t gen;
    enum pending_state state;
    const struct edge_route *route;
    struct event timer;
    double start;
    uint8_t cred_key[AUTH_KEY_BYTES];
    char request_id[65];
    /* a streamed upload (conn_guard.h): its guard, and the service's pull */
    struct conn_guard *guard;
    uint64_t body_length;  /* announced by HG_STREAM_HEADER; 0 when not streamed */
    int body_streamed;
    char pull_to[128];     /* "" when no pull waits */
    uint32_t pull_max;
    /* a flow-controlled streamed reply (cm_stream.h) */
    char ack_to[128];      /* "" when the reply is not acknowledged */
    uint32_t written_seq;  /* the last chunk handed to evhttp */
};

struct edge_loop {
    struct edge *edge;
    const struct cm_config *cfg;
    int index;
    pthread_t thread;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct nats_link *link; /* replies arrive on "<inbox>.<slot>.<gen>" */
    /* loop-thread only */
    struct pending **slots;
    uint32_t *gens;
    uint32_t *free_slots;
    uint32_t nslots, nfree, inflight;
    const struct timeval *timeout_tv;
    struct event *tick;
    int draining;
    int drain_idle;   /* the last tick saw nothing in flight while draining */
    int64_t drain_deadline_ms;
    struct auth_cache auth;
    struct token_cache tokens;
    uint64_t rng[2];
    struct conn_guard *guards;    /* every client connection (conn_guard.c) */
    unsigned nguards;
};

struct edge {
    struct cm_config cfg;
    struct cm_metrics *metrics;
    struct edge_loop *loops;
    int nloops;
    struct token_keys *keys;       /* shared by the loops */
    struct revocations *revoked;   /* shared by the loops */
    natsConnection *bg_nc;         /* key fetches and the revocation feed */
    volatile sig_atomic_t *stop;
};

/* loop.c */
int edge_loop_start(struct edge_loop *l);   /* 0, or -1 with the reason logged */
void edge_loop_join(struct edge_loop *l);
/* A new in-flight request for req, received at start (cm_now_s), its
 * timeout armed. */
struct pending *pending_new(struct edge_loop *l, struct evhttp_request *req, double start);
void pending_free(struct pending *p);

/* proxy.c */
void proxy_on_request(struct evhttp_request *req, void *arg);  /* evhttp gencb, arg = loop */
/* The reply to p's request (m->status 503: nobody serves the subject); m
 * is borrowed, valid during the call. Loop thread. */
void proxy_on_reply(struct pending *p, const struct cm_wire_msg *m);
void proxy_on_timeout(struct pending *p); /* loop thread */
/* The NATS link was lost while p waited for its reply: 503 (or the end of
 * a stream already started). Loop thread. */
void proxy_on_link_lost(struct pending *p);
/* Body bytes of p's streamed upload wait in its guard. Loop thread. */
void proxy_on_body_data(struct pending *p);
/* p's guard is going away (the client closed). Loop thread. */
void proxy_on_body_gone(struct pending *p);
/* p's client closed its connection (p->req is NULL now): a service
 * streaming to or from it is told to stop. Loop thread. */
void proxy_on_client_gone(struct pending *p);
/* p ends (pending_free): a body still withheld is discarded and a service
 * still pulling or streaming is told to stop. Loop thread. */
void proxy_stream_cleanup(struct pending *p);

#endif
