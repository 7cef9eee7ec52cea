/* edge.h: the edge daemon's shared types.
 *
 * The edge runs EDGE_THREADS loop threads. Each has its own event_base, its
 * own listening socket on the shared port (SO_REUSEPORT, so the kernel
 * spreads connections), its own NATS connection driven by that loop (nats.c's
 * libevent adapter: publishes of one loop iteration leave together), its own
 * reply inbox, table of in-flight requests and credential caches. Nothing of
 * a loop is touched by another thread except its reply queue: nats.c's
 * delivery thread appends replies there and wakes the loop with
 * event_active(). The loops share, read-only, the signing keys and the
 * revocation set, which a background NATS connection (driven by nats.c's own
 * threads, never by a loop) keeps current. */
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
#include "cm_config.h"
#include "cm_metrics.h"
#include "revocations.h"
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
};

struct reply_node {
    struct reply_node *next;
    natsMsg *msg;
};

struct edge_loop {
    struct edge *edge;
    const struct cm_config *cfg;
    int index;
    pthread_t thread;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    natsConnection *nc;
    natsSubscription *inbox_sub;
    char inbox[64]; /* replies arrive on "<inbox>.<slot>.<gen>" */
    int64_t max_payload; /* the server's, refreshed by the tick (reading it locks nc) */
    /* reply queue, shared with nats.c's delivery thread */
    pthread_mutex_t mu;
    struct reply_node *q_head, *q_tail;
    int wake_pending;
    struct event *wake;
    /* loop-thread only */
    struct pending **slots;
    uint32_t *gens;
    uint32_t *free_slots;
    uint32_t nslots, nfree, inflight;
    const struct timeval *timeout_tv;
    struct event *tick;
    int draining;
    int64_t drain_deadline_ms;
    struct auth_cache auth;
    struct token_cache tokens;
    uint64_t rng[2];
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
/* Reply subject of p into buf (cap bytes). */
void pending_reply_subject(const struct pending *p, char *buf, size_t cap);

/* proxy.c */
void proxy_on_request(struct evhttp_request *req, void *arg);  /* evhttp gencb, arg = loop */
void proxy_on_reply(struct pending *p, natsMsg *msg);          /* loop thread, owns msg */
void proxy_on_timeout(struct pending *p);                      /* loop thread */

#endif
