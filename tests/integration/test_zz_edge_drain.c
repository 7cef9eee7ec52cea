/* test_zz_edge_drain.c: the edge's drain on SIGTERM with keep-alive clients
 * (issue 10 finding 5). Many keep-alive connections send requests back to
 * back while the edge is stopped: every request gets a whole answer, or its
 * connection was closed before the request was sent (the client sees the end
 * of the connection, with no byte of an answer, before it sends); every
 * answer during the drain says "Connection: close". The edge is started
 * again afterwards (also when an assertion fails). Most clients pause 0-20 ms
 * between requests (their last answer says Connection: close), every fourth
 * 400-800 ms (the edge closes its idle connection). The .fini starts the
 * edge again and leaves the stack whole (it_stack_restore), so the suite may
 * run in any order (zz_ only groups the disturbing suites). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "edge_raw.h"
#include "harness.h"

TestSuite(zz_edge_drain, .timeout = 120);

#define CLIENTS 24

struct client {
    int fd;
    unsigned seed;
    volatile int *stop;
    int slow;            /* pauses long enough to be closed idle */
    int answered;        /* whole answers read */
    int closing_answers; /* of them, with Connection: close */
    int closed_before;   /* the edge closed the connection between requests */
    int lost;            /* a request sent, the connection ended without its answer */
    int bad;             /* an answer that was not 200 or 503 */
    char last[512];
};

/* Reads one whole answer (head + Content-Length body). Returns 1, 0 when the
 * connection ended before any byte of it, -1 when it ended in the middle. */
static int read_answer(struct client *c, int *close_after)
{
    char buf[8192];
    size_t got = 0;
    long clen = -1;
    char *end = NULL;

    for (;;) {
        ssize_t n = recv(c->fd, buf + got, sizeof buf - 1 - got, 0);
        if (n <= 0)
            return got ? -1 : 0;
        got += (size_t)n;
        buf[got] = '\0';
        if (!end && (end = strstr(buf, "\r\n\r\n")) != NULL) {
            const char *cl = strcasestr(buf, "\r\nContent-Length:");
            clen = cl && cl < end ? atol(cl + 17) : 0;
        }
        if (end && (long)(got - (size_t)(end + 4 - buf)) >= clen)
            break;
    }
    *close_after = strcasestr(buf, "\r\nConnection: close\r\n") != NULL;
    buf[sizeof c->last - 1] = '\0';
    memcpy(c->last, buf, sizeof c->last);
    return 1;
}

/* Whether the edge has closed the connection (nothing of an answer pending). */
static int closed_by_edge(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char b;
    return poll(&p, 1, 0) == 1 && recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
}

static void *run_client(void *arg)
{
    struct client *c = arg;
    char req[1024];
    int len = snprintf(req, sizeof req, "GET /api/2015-02-01/util/test/1 HTTP/1.1\r\nHost: a\r\n%s\r\n",
                       raw_basic_auth_line());

    while (!*c->stop) {
        int close_after = 0, r;
        /* a pause: most clients 0-20 ms, every fourth 400-800 ms (idle, so
         * the edge closes its connection between two requests) */
        usleep((useconds_t)(c->slow ? 400000 + rand_r(&c->seed) % 400000
                                    : rand_r(&c->seed) % 20000));
        if (closed_by_edge(c->fd)) {
            c->closed_before = 1;
            return NULL;
        }
        if (send(c->fd, req, (size_t)len, MSG_NOSIGNAL) != len) {
            c->closed_before = 1; /* refused at once: nothing was taken */
            return NULL;
        }
        r = read_answer(c, &close_after);
        if (r <= 0) {
            c->lost++;
            return NULL;
        }
        c->answered++;
        if (raw_status(c->last) != 200 && raw_status(c->last) != 503)
            c->bad++;
        if (close_after) {
            c->closing_answers++;
            return NULL;
        }
    }
    return NULL;
}

static void restore_edge(void)
{
    it_stack(NULL, 0, "start", "edge", NULL);
    it_stack_restore(30000);
}

Test(zz_edge_drain, answers_every_request_of_keep_alive_clients, .fini = restore_edge)
{
    static struct client cs[CLIENTS];
    pthread_t t[CLIENTS];
    volatile int stop = 0;
    int lost = 0, answered = 0, closing = 0, ended = 0, bad = 0, rc;

    IT_REQUIRE_STACK();
    cr_assert(it_wait_util_test_ok(10000));
    for (int i = 0; i < CLIENTS; i++) {
        struct timeval tv = {15, 0};
        cs[i] = (struct client){.fd = raw_connect(), .seed = (unsigned)(i * 7919 + 1),
                                .stop = &stop, .slow = i % 4 == 0};
        setsockopt(cs[i].fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        cr_assert(eq(int, pthread_create(&t[i], NULL, run_client, &cs[i]), 0));
    }
    usleep(1000 * 1000);                         /* traffic on every connection */
    rc = it_stack(NULL, 0, "stop", "edge", NULL); /* SIGTERM, waits for the exit */
    stop = 1;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(t[i], NULL);
        close(cs[i].fd);
        lost += cs[i].lost;
        answered += cs[i].answered;
        closing += cs[i].closing_answers;
        ended += cs[i].closing_answers + cs[i].closed_before;
        bad += cs[i].bad;
        if (cs[i].lost)
            cr_log_error("client %d lost a request after %d answers; last answer: %.200s", i,
                         cs[i].answered, cs[i].last);
    }
    cr_assert(eq(int, rc, 0), "stack.sh stop edge failed");
    cr_log_info("drain: %d answers, %d with Connection: close, %d connections closed idle",
                answered, closing, ended - closing);
    cr_assert(eq(int, lost, 0), "%d requests got no answer", lost);
    cr_assert(eq(int, bad, 0), "%d answers were neither 200 nor 503", bad);
    cr_assert(eq(int, ended, CLIENTS), "a connection neither got Connection: close nor was closed");
    cr_assert(answered > CLIENTS, "too little traffic: %d answers", answered);
    cr_assert(eq(int, it_stack(NULL, 0, "start", "edge", NULL), 0));
    cr_assert(it_wait_util_test_ok(10000), "util/test does not work after the edge's restart");
}
