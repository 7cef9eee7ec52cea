/* hello_server.c: the baseline of `make bench`: a plain libevent evhttp
 * server that answers every request with 200 and a fixed JSON body the size
 * of the edge's reply to GET /api/<date>/util/test/1. It copies the edge's
 * threading model so the two figures compare like with like: N loop threads,
 * each with its own event_base, evhttp and listening socket on the shared
 * port (SO_REUSEPORT, the kernel spreads connections), and
 * evthread_use_pthreads() called first, as the edge must.
 *
 * Usage: hello_server <port> [threads]
 *   threads defaults to HELLO_THREADS, else 2 (the edge's EDGE_THREADS
 *   default); HELLO_HOST (default 127.0.0.1) is the IPv4 address to bind.
 * SIGTERM or SIGINT: every loop leaves within 100 ms and the process exits 0.
 * Exit codes: 0 after a signal, 1 when a loop cannot start, 2 on bad usage. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define DEFAULT_THREADS 2 /* EDGE_THREADS default in libcommon/cm_config.c */
#define MAX_THREADS 64    /* EDGE_THREADS upper bound */
#define LISTEN_BACKLOG 1024

/* The edge's reply body to GET /api/2015-02-01/util/test/1, byte for byte. */
static const char hello_body[] = "{\"status\": \"ok\", \"message\": \"GET OK\", \"id\": \"1\"}";

static volatile sig_atomic_t stop_requested;

/* One loop thread: everything in it is touched by that thread only. */
struct hello_loop {
    int index;
    struct event_base *base;
    struct evhttp *http;
    struct event *tick; /* polls stop_requested */
    pthread_t thread;
    int started; /* thread is non-zero only when set */
};

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* evhttp callback, loop thread: must eventually call evhttp_send_reply() or
 * evhttp_send_error(); here it always answers at once. */
static void on_request(struct evhttp_request *req, void *arg)
{
    struct evbuffer *out = evhttp_request_get_output_buffer(req);

    (void)arg;
    if (!out || evbuffer_add(out, hello_body, sizeof hello_body - 1) != 0 ||
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                          "application/json") != 0) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evhttp_send_reply(req, 200, "OK", NULL);
}

/* Every 100 ms: leave the loop once a signal asked us to stop. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    struct hello_loop *l = arg;

    (void)fd;
    (void)what;
    if (stop_requested)
        event_base_loopexit(l->base, NULL);
}

static void *run(void *arg)
{
    struct hello_loop *l = arg;

    event_base_dispatch(l->base);
    return NULL;
}

/* Builds loop l listening on host:port and starts its thread. Returns 0, or
 * -1 after printing why; hello_loop_release() frees what was built either way. */
static int hello_loop_start(struct hello_loop *l, const char *host, int port)
{
    struct timeval tick = {0, 100 * 1000};
    struct sockaddr_in sin = {0};
    struct evconnlistener *lis;
    int rc;

    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
        fprintf(stderr, "hello_server: %s is not an IPv4 address\n", host);
        return -1;
    }
    l->base = event_base_new();
    if (!l->base)
        goto err_alloc;
    l->http = evhttp_new(l->base);
    l->tick = event_new(l->base, -1, EV_PERSIST, on_tick, l);
    if (!l->http || !l->tick || event_add(l->tick, &tick) != 0)
        goto err_alloc;
    evhttp_set_allowed_methods(l->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE);
    evhttp_set_gencb(l->http, on_request, l);
    lis = evconnlistener_new_bind(l->base, NULL, NULL,
                                  LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT |
                                      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
                                  LISTEN_BACKLOG, (struct sockaddr *)&sin, sizeof sin);
    if (!lis) {
        fprintf(stderr, "hello_server: cannot listen on %s:%d: %s\n", host, port, strerror(errno));
        return -1;
    }
    if (!evhttp_bind_listener(l->http, lis)) {
        evconnlistener_free(lis);
        goto err_alloc;
    }
    rc = pthread_create(&l->thread, NULL, run, l);
    if (rc != 0) {
        fprintf(stderr, "hello_server: cannot start loop %d: %s\n", l->index, strerror(rc));
        return -1;
    }
    l->started = 1;
    return 0;

err_alloc:
    fprintf(stderr, "hello_server: out of memory setting up loop %d\n", l->index);
    return -1;
}

/* Joins loop l's thread when it runs, then frees everything it owns. */
static void hello_loop_release(struct hello_loop *l)
{
    if (l->started)
        pthread_join(l->thread, NULL);
    if (l->http)
        evhttp_free(l->http); /* also frees the bound listener */
    if (l->tick)
        event_free(l->tick);
    if (l->base)
        event_base_free(l->base);
}

/* Parses a decimal integer in [lo, hi]; returns -1 when s is not one. */
static int parse_int(const char *s, int lo, int hi)
{
    char *end;
    long v;

    if (!s || !*s)
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    return (int)v;
}

int main(int argc, char **argv)
{
    const char *host = getenv("HELLO_HOST") ? getenv("HELLO_HOST") : "127.0.0.1";
    const char *threads_arg = argc > 2 ? argv[2] : getenv("HELLO_THREADS");
    struct hello_loop *loops;
    struct sigaction sa = {0};
    int port, nloops = DEFAULT_THREADS, rc = 0;

    if (argc < 2 || argc > 3 || (port = parse_int(argv[1], 1, 65535)) < 0) {
        fprintf(stderr, "usage: hello_server <port> [threads]\n");
        return 2;
    }
    if (threads_arg && *threads_arg && (nloops = parse_int(threads_arg, 1, MAX_THREADS)) < 0) {
        fprintf(stderr, "hello_server: threads must be 1..%d, not %s\n", MAX_THREADS, threads_arg);
        return 2;
    }
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (evthread_use_pthreads() != 0) { /* as the edge: locked event_bases */
        fprintf(stderr, "hello_server: evthread_use_pthreads failed\n");
        return 1;
    }
    loops = calloc((size_t)nloops, sizeof *loops);
    if (!loops) {
        fprintf(stderr, "hello_server: out of memory\n");
        return 1;
    }
    for (int i = 0; i < nloops; i++) {
        loops[i].index = i;
        if (hello_loop_start(&loops[i], host, port) != 0) {
            rc = 1;
            stop_requested = 1; /* the loops already running leave at their next tick */
            break;
        }
    }
    if (rc == 0)
        printf("hello_server listening on %s:%d with %d loops\n", host, port, nloops);
    fflush(stdout);
    for (int i = 0; i < nloops; i++)
        hello_loop_release(&loops[i]); /* returns once a signal stopped the loops */
    free(loops);
    return rc;
}
