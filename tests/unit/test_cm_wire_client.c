/* test_cm_wire_client.c: the workers' persistent NATS client
 * (cm_wire_client_*, cm_wire.h) against scripted fake servers: the
 * subscriptions go with the handshake, an -ERR before its PONG fails the
 * attempt and the next round comes after the session's wait, the lame-duck
 * move (new connection first, then UNSUB + PING on the old one, what the old
 * one still brings answered on the new one), and the drain on stop. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cm_time.h"
#include "cm_wire.h"

#define INFO "INFO {\"server_id\":\"x\",\"max_payload\":4096,\"headers\":true}\r\n"
#define INFO_LDM "INFO {\"server_id\":\"x\",\"ldm\":true}\r\n"

/* Appends what fd sends to got until marker is in it (or EOF). */
static void read_until(int fd, char *got, size_t cap, const char *marker)
{
    size_t n = strlen(got);
    while ((!marker || !strstr(got, marker)) && n + 1 < cap) {
        ssize_t r = recv(fd, got + n, cap - n - 1, 0);
        if (r <= 0)
            break;
        n += (size_t)r;
        got[n] = '\0';
    }
}

static void say(int fd, const char *s)
{
    send(fd, s, strlen(s), MSG_NOSIGNAL);
}

static int listener(int *port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sin;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    cr_assert(zero(bind(fd, (struct sockaddr *)&sin, sizeof sin)));
    cr_assert(zero(listen(fd, 4)));
    getsockname(fd, (struct sockaddr *)&sin, &len);
    *port = ntohs(sin.sin_port);
    return fd;
}

struct seen {
    int msgs;
    struct cm_wire_client *cl;
};

/* Answers each message with its payload, on the client's connection. */
static void echo(void *ctx, const struct cm_wire_msg *m)
{
    struct seen *s = ctx;
    char reply[64];

    snprintf(reply, sizeof reply, "%.*s", (int)m->reply_len, m->reply);
    s->msgs++;
    cm_wire_pub(cm_wire_client_conn(s->cl), reply, NULL, m->data, m->len);
}

/* --- an -ERR before the handshake's PONG, then a server that takes it */

struct refusing {
    int lfd, port;
    char got[2][4096];
    double accepted_at[2];
};

static void *serve_refusing(void *arg)
{
    struct refusing *r = arg;

    for (int k = 0; k < 2; k++) {
        int fd = accept(r->lfd, NULL, NULL);
        if (fd < 0)
            return NULL;
        r->accepted_at[k] = cm_now_s();
        say(fd, INFO);
        read_until(fd, r->got[k], sizeof r->got[k], "PING\r\n");
        if (k == 0) {
            say(fd, "-ERR 'Permissions Violation for Subscription to \"svc.>\"'\r\n");
            close(fd);
            continue;
        }
        say(fd, "PONG\r\nMSG svc.http 1 _INBOX.r.1 2\r\nhi\r\n");
        read_until(fd, r->got[k], sizeof r->got[k], "PUB _INBOX.r.1 2\r\nhi\r\n");
        read_until(fd, r->got[k], sizeof r->got[k], NULL); /* until the client closes */
        close(fd);
    }
    return NULL;
}

Test(cm_wire_client, a_refused_sub_fails_the_attempt_and_the_next_round_waits)
{
    struct refusing r = {0};
    struct seen s = {0};
    pthread_t t;
    char url[64];
    cm_err err;
    double end;

    r.lfd = listener(&r.port);
    pthread_create(&t, NULL, serve_refusing, &r);
    snprintf(url, sizeof url, "nats://127.0.0.1:%d", r.port);
    cr_assert(eq(int, cm_wire_client_new(url, "svc", "svc worker 0", &s.cl), CM_OK));
    cr_assert(eq(int, cm_wire_client_subscribe(s.cl, "svc.>", "svc", 1), CM_OK));
    cr_assert(not(cm_wire_client_up(s.cl)), "not connected before the first pump");
    err = cm_wire_client_pump(s.cl, 50, echo, &s);
    cr_assert(eq(int, err, CM_EUNAVAIL), "the -ERR before the PONG failed the connect");
    cr_assert(not(cm_wire_client_up(s.cl)));
    end = cm_now_s() + 5;
    while (s.msgs == 0 && cm_now_s() < end)
        cm_wire_client_pump(s.cl, 50, echo, &s);
    cr_assert(eq(int, s.msgs, 1), "connected again and the message answered");
    cr_assert(cm_wire_client_up(s.cl));
    cm_wire_client_free(s.cl);
    pthread_join(t, NULL);
    close(r.lfd);
    /* both attempts carried the SUB before the handshake's PING */
    for (int k = 0; k < 2; k++) {
        cr_assert_not_null(strstr(r.got[k], "\"name\":\"svc\""), "CONNECT says the service");
        cr_assert_not_null(strstr(r.got[k], "SUB svc.> svc 1\r\nPING\r\n"), "attempt %d", k);
    }
    cr_assert(ge(dbl, r.accepted_at[1] - r.accepted_at[0], 0.19),
              "the next round came after the session's wait (200..300 ms)");
    cr_assert_not_null(strstr(r.got[1], "PUB _INBOX.r.1 2\r\nhi\r\n"));
}

/* --- lame duck: two servers; the first to be connected goes lame duck */

struct pair {
    int lfd[2], port[2];
    pthread_mutex_t mu;
    int ldm;         /* the server in lame-duck mode, or -1 */
    int taken;       /* a connection was accepted (the first plays the leaving server) */
    int refused;     /* attempts the lame-duck server turned away */
    char got_old[8192], got_new[8192];
};

struct node {
    struct pair *p;
    int idx;
    int fd;      /* one accepted connection */
    pthread_t conns[8];
    int nconns;
};

/* One connection to a node: turned away while the node is in lame-duck
 * mode; the first of the test plays the leaving server, the next one the
 * server it moves to. */
static void *serve_conn(void *arg)
{
    struct node *c = arg;
    struct pair *p = c->p;
    int fd = c->fd, first;

    pthread_mutex_lock(&p->mu);
    if (p->ldm == c->idx) {
        p->refused++;
        pthread_mutex_unlock(&p->mu);
        say(fd, INFO_LDM); /* a server in lame-duck mode takes no one */
        close(fd);
        free(c);
        return NULL;
    }
    first = !p->taken;
    p->taken = 1;
    pthread_mutex_unlock(&p->mu);
    say(fd, INFO);
    if (first) {
        read_until(fd, p->got_old, sizeof p->got_old, "PING\r\n");
        say(fd, "PONG\r\nMSG svc.http 1 _INBOX.a 1\r\na\r\n");
        read_until(fd, p->got_old, sizeof p->got_old, "PUB _INBOX.a 1\r\na\r\n");
        pthread_mutex_lock(&p->mu);
        p->ldm = c->idx;
        pthread_mutex_unlock(&p->mu);
        say(fd, INFO_LDM);
        read_until(fd, p->got_old, sizeof p->got_old, "UNSUB 1\r\nPING\r\n");
        /* in flight when the UNSUB came: still ours */
        say(fd, "MSG svc.http 1 _INBOX.b 1\r\nb\r\nPONG\r\n");
        read_until(fd, p->got_old, sizeof p->got_old, NULL);
    } else {
        read_until(fd, p->got_new, sizeof p->got_new, "PING\r\n");
        say(fd, "PONG\r\n");
        read_until(fd, p->got_new, sizeof p->got_new, "UNSUB 1\r\nPING\r\n");
        say(fd, "MSG svc.http 1 _INBOX.c 1\r\nc\r\nPONG\r\n");
        read_until(fd, p->got_new, sizeof p->got_new, NULL);
    }
    close(fd);
    free(c);
    return NULL;
}

/* A node: each connection served on its own thread (joined at the end). */
static void *serve_node(void *arg)
{
    struct node *n = arg;

    while (n->nconns < 8) {
        struct node *c = malloc(sizeof *c);
        *c = *n;
        c->fd = accept(n->p->lfd[n->idx], NULL, NULL);
        if (c->fd < 0) {
            free(c);
            break;
        }
        pthread_create(&n->conns[n->nconns++], NULL, serve_conn, c);
    }
    for (int i = 0; i < n->nconns; i++)
        pthread_join(n->conns[i], NULL);
    return NULL;
}

Test(cm_wire_client, a_lame_duck_server_is_left_without_losing_a_message)
{
    struct pair p = {.ldm = -1, .mu = PTHREAD_MUTEX_INITIALIZER};
    struct node nodes[2] = {{.p = &p, .idx = 0}, {.p = &p, .idx = 1}};
    struct seen s = {0};
    pthread_t t[2];
    char url[128];
    double start, end;

    for (int i = 0; i < 2; i++) {
        p.lfd[i] = listener(&p.port[i]);
        pthread_create(&t[i], NULL, serve_node, &nodes[i]);
    }
    snprintf(url, sizeof url, "nats://127.0.0.1:%d,nats://127.0.0.1:%d", p.port[0], p.port[1]);
    cr_assert(eq(int, cm_wire_client_new(url, "svc", "svc worker 1", &s.cl), CM_OK));
    cr_assert(eq(int, cm_wire_client_subscribe(s.cl, "svc.>", "svc", 1), CM_OK));
    start = cm_now_s();
    end = start + 10;
    while (s.msgs < 2 && cm_now_s() < end)
        cm_wire_client_pump(s.cl, 50, echo, &s);
    cr_assert(eq(int, s.msgs, 2), "the message before the notice and the one in flight");
    cr_assert(lt(dbl, cm_now_s() - start, 1.5), "moved at once (no round's wait)");
    cr_assert(cm_wire_client_up(s.cl), "up on the other server");
    /* stop: UNSUB, and what came before the PONG is still answered */
    cm_wire_client_drain(s.cl, 2000, echo, &s);
    cr_assert(eq(int, s.msgs, 3));
    cm_wire_client_free(s.cl);
    for (int i = 0; i < 2; i++) {
        shutdown(p.lfd[i], SHUT_RDWR);
        pthread_join(t[i], NULL);
        close(p.lfd[i]);
    }
    cr_assert_not_null(strstr(p.got_new, "SUB svc.> svc 1\r\nPING\r\n"), "the same SUB on the new");
    cr_assert_not_null(strstr(p.got_old, "UNSUB 1\r\nPING\r\n"), "the old one drained");
    cr_assert_not_null(strstr(p.got_new, "PUB _INBOX.b 1\r\nb\r\n"),
                       "what the old one brought answered on the new one");
    cr_assert_null(strstr(p.got_old, "PUB _INBOX.b"));
    cr_assert_not_null(strstr(p.got_new, "UNSUB 1\r\nPING\r\n"), "drain on stop");
    cr_assert_not_null(strstr(p.got_new, "PUB _INBOX.c 1\r\nc\r\n"));
}

/* --- keepalive: a server that goes silent after the handshake, then one
 * that answers */

struct silent {
    int lfd, port;
    int pings[2]; /* PINGs read after each handshake */
    char got[2][4096];
};

static void *serve_silent(void *arg)
{
    struct silent *q = arg;

    for (int k = 0; k < 2; k++) {
        char buf[4096];
        ssize_t r;
        int fd = accept(q->lfd, NULL, NULL);
        if (fd < 0)
            return NULL;
        say(fd, INFO);
        read_until(fd, q->got[k], sizeof q->got[k], "PING\r\n");
        say(fd, "PONG\r\n");
        while ((r = recv(fd, buf, sizeof buf - 1, 0)) > 0) {
            buf[r] = '\0';
            for (char *s = strstr(buf, "PING\r\n"); s; s = strstr(s + 1, "PING\r\n")) {
                q->pings[k]++;
                if (k == 1)
                    say(fd, "PONG\r\n");
            }
        }
        close(fd);
    }
    return NULL;
}

Test(cm_wire_client, a_silent_server_is_left_by_the_sessions_keepalive_and_the_client_comes_back)
{
    struct silent q = {0};
    struct seen s = {0};
    pthread_t t;
    char url[64];
    double start, lost_after = -1, end;
    int was_up = 1;

    q.lfd = listener(&q.port);
    pthread_create(&t, NULL, serve_silent, &q);
    snprintf(url, sizeof url, "nats://127.0.0.1:%d", q.port);
    cr_assert(eq(int, cm_wire_client_new(url, "svc", "svc worker 3", &s.cl), CM_OK));
    cr_assert(eq(int, cm_wire_client_subscribe(s.cl, "svc.>", "svc", 1), CM_OK));
    cm_wire_client_keepalive(s.cl, 50, 2);
    cr_assert(eq(int, cm_wire_client_pump(s.cl, 10, echo, &s), CM_OK), "up at the first pump");
    start = cm_now_s();
    end = start + 5;
    while (cm_now_s() < end) {
        int up = cm_wire_client_pump(s.cl, 10, echo, &s) == CM_OK;
        if (!up && was_up && lost_after < 0)
            lost_after = cm_now_s() - start;
        if (up && !was_up)
            break; /* back */
        was_up = up;
    }
    cr_assert(ge(dbl, lost_after, 0.14), "given up at the third interval, not sooner (%f)",
              lost_after);
    cr_assert(lt(dbl, lost_after, 2.0));
    cr_assert(cm_wire_client_up(s.cl), "connected again");
    /* the second server answers: it stays up */
    end = cm_now_s() + 0.5;
    while (cm_now_s() < end)
        cr_assert(eq(int, cm_wire_client_pump(s.cl, 10, echo, &s), CM_OK));
    cm_wire_client_free(s.cl);
    pthread_join(t, NULL);
    close(q.lfd);
    cr_assert(eq(int, q.pings[0], 2), "two PINGs went unanswered before giving up");
    cr_assert(ge(int, q.pings[1], 4), "PINGs kept going on the new connection");
    cr_assert_not_null(strstr(q.got[1], "SUB svc.> svc 1\r\nPING\r\n"), "the SUB again");
}
