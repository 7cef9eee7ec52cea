/* test_cm_stream_side.c: a worker's stream side connection (cm_stream.c)
 * that the server closed while it was idle between two streams: the server
 * sends "-ERR 'Stale Connection'" (its PINGs went unanswered) and closes.
 * The next stream must not write into that connection (its chunks would be
 * lost and the edge answer 504): it goes over a new one. A scripted fake
 * server answers every PING and records what each connection sent. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cm_config.h"
#include "cm_service.h"
#include "cm_stream.h"
#include "cm_time.h"

struct fake {
    int listen_fd;
    int port;
    volatile int kill_first;  /* set by the test: "-ERR 'Stale Connection'", close */
    volatile int first_gone;  /* set by the server once done */
    volatile int stop;        /* set by the test: end */
    char got[2][8192];        /* what connection 1 and 2 sent */
    pthread_mutex_t mu;
};

static size_t count_of(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Serves one connection: INFO, a PONG for every PING, until killed (the
 * first connection, on kill_first) or stop. */
static void serve_one(struct fake *f, int fd, int which)
{
    const char *info = "INFO {\"server_id\":\"x\",\"max_payload\":1048576,\"headers\":true}\r\n";
    size_t pongs = 0, n = 0;

    send(fd, info, strlen(info), MSG_NOSIGNAL);
    while (!f->stop) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (which == 0 && f->kill_first) {
            const char *err = "-ERR 'Stale Connection'\r\n";
            send(fd, err, strlen(err), MSG_NOSIGNAL);
            break;
        }
        if (poll(&p, 1, 20) == 1) {
            char buf[4096];
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r <= 0)
                break;
            pthread_mutex_lock(&f->mu);
            if (n + (size_t)r < sizeof f->got[which] - 1) {
                memcpy(f->got[which] + n, buf, (size_t)r);
                n += (size_t)r;
                f->got[which][n] = '\0';
            }
            while (pongs < count_of(f->got[which], "PING\r\n")) {
                send(fd, "PONG\r\n", 6, MSG_NOSIGNAL);
                pongs++;
            }
            pthread_mutex_unlock(&f->mu);
        }
    }
    close(fd);
}

static void *serve(void *arg)
{
    struct fake *f = arg;

    serve_one(f, accept(f->listen_fd, NULL, NULL), 0);
    f->first_gone = 1;
    for (;;) {
        struct pollfd p = {.fd = f->listen_fd, .events = POLLIN};
        if (f->stop)
            return NULL;
        if (poll(&p, 1, 20) == 1)
            break;
    }
    serve_one(f, accept(f->listen_fd, NULL, NULL), 1);
    return NULL;
}

static void fake_start(struct fake *f, pthread_t *t)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sin;

    pthread_mutex_init(&f->mu, NULL);
    f->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(zero(bind(f->listen_fd, (struct sockaddr *)&sin, sizeof sin)));
    cr_assert(zero(listen(f->listen_fd, 2)));
    getsockname(f->listen_fd, (struct sockaddr *)&sin, &len);
    f->port = ntohs(sin.sin_port);
    pthread_create(t, NULL, serve, f);
}

/* Whether connection which sent needle within timeout_ms. */
static int sent(struct fake *f, int which, const char *needle, double timeout_ms)
{
    double until = cm_now_ms() + timeout_ms;
    int found = 0;

    while (!found && cm_now_ms() < until) {
        pthread_mutex_lock(&f->mu);
        found = strstr(f->got[which], needle) != NULL;
        pthread_mutex_unlock(&f->mu);
        if (!found)
            usleep(10 * 1000);
    }
    return found;
}

/* One whole streamed response ("abc") to reply. */
static cm_err one_stream(struct cm_worker *w, const char *reply)
{
    struct cm_req rq = {.w = w, .reply = reply};
    cm_err err = cm_stream_begin(&rq, 200, "text/plain");

    if (err == CM_OK)
        err = cm_stream_write(&rq, "abc", 3);
    if (err == CM_OK)
        err = cm_stream_end(&rq);
    cm_stream_release(&rq);
    return err;
}

Test(cm_stream_side, a_side_connection_closed_as_stale_while_idle_is_replaced)
{
    static struct fake f;
    struct cm_config cfg = {0};
    struct cm_worker w = {0};
    pthread_t t;
    char url[64];

    fake_start(&f, &t);
    snprintf(url, sizeof url, "nats://127.0.0.1:%d", f.port);
    cfg.nats_url = url;
    w.cfg = &cfg;

    cr_assert(eq(int, one_stream(&w, "_INBOX.e.1"), CM_OK));
    cr_assert(sent(&f, 0, "PUB _INBOX.e.1 ", 5000), "the first stream did not go out: %s",
              f.got[0]);
    /* idle: the server gives the connection up */
    f.kill_first = 1;
    for (double until = cm_now_ms() + 5000; !f.first_gone && cm_now_ms() < until;)
        usleep(10 * 1000);
    cr_assert(f.first_gone);

    /* the next stream goes out whole, over a new connection */
    one_stream(&w, "_INBOX.e.2");
    cr_assert(sent(&f, 1, "PUB _INBOX.e.2 ", 5000),
              "the second stream did not reach the server on a new connection "
              "(first: %s; second: %s)",
              f.got[0], f.got[1]);
    f.stop = 1;
    cm_stream_worker_close(&w);
    pthread_join(t, NULL);
    close(f.listen_fd);
}
