/* test_edge_nats_link.c: the edge's own NATS link (services/edge/nats_link.c)
 * without a nats-server: the reply subjects it makes and reads, its retry
 * delay, and the whole life of a connection against a fake server on a
 * loopback socket (a thread speaking the protocol by hand): handshake,
 * publish in place, replies and "no responders" dispatched by slot and
 * generation, PING answered, the loss reported once and the reconnection. */
// links: services/edge/nats_link.c
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../services/edge/nats_link.h"
#include "cm_time.h"
#include "envelope.pb-c.h"

#define INBOX "_INBOX.abcDEF012"

/* --- reply subjects --- */

Test(edge_nats_link, reply_subject_round_trips)
{
    char buf[64];
    uint32_t slot = 0, gen = 0;
    int n = nats_link_reply_subject(INBOX, 4294967295u, 17, buf, sizeof buf);

    cr_assert(eq(str, buf, INBOX ".4294967295.17"));
    cr_assert(eq(int, n, (int)strlen(buf)));
    cr_assert(eq(int, nats_link_reply_parse(INBOX, buf, (size_t)n, &slot, &gen), 0));
    cr_assert(eq(u32, slot, 4294967295u));
    cr_assert(eq(u32, gen, 17));
}

Test(edge_nats_link, reply_subject_reports_a_small_buffer)
{
    char buf[10];
    cr_assert(eq(int, nats_link_reply_subject(INBOX, 1, 1, buf, sizeof buf), -1));
}

Test(edge_nats_link, reply_parse_reads_only_the_given_length)
{
    const char *s = INBOX ".12.34 trailing";
    uint32_t slot = 0, gen = 0;

    cr_assert(eq(int, nats_link_reply_parse(INBOX, s, strlen(INBOX ".12.34"), &slot, &gen), 0));
    cr_assert(eq(u32, slot, 12));
    cr_assert(eq(u32, gen, 34));
}

static const char *const bad_subjects[] = {
    INBOX,                  /* no slot */
    INBOX ".",              /* empty */
    INBOX ".1",             /* no generation */
    INBOX ".1.",            /* empty generation */
    INBOX "..1",            /* empty slot */
    INBOX ".1.2.3",         /* one token too many */
    INBOX ".-1.2",          /* sign */
    INBOX ".1.+2",          /* sign */
    INBOX ".1.2x",          /* junk */
    INBOX ".4294967296.1",  /* slot past 32 bits */
    INBOX ".1.99999999999", /* generation past 32 bits */
    INBOX "X.1.2",          /* another inbox sharing the prefix */
    "_INBOX.other.1.2",     /* another inbox */
    "svc.rpc.Method",       /* not an inbox at all */
};

#define NBAD (sizeof bad_subjects / sizeof *bad_subjects)

ParameterizedTestParameters(edge_nats_link, reply_parse_refuses)
{
    static size_t idx[NBAD];
    for (size_t i = 0; i < NBAD; i++)
        idx[i] = i;
    return cr_make_param_array(size_t, idx, NBAD);
}

ParameterizedTest(size_t *i, edge_nats_link, reply_parse_refuses)
{
    const char *s = bad_subjects[*i];
    uint32_t slot = 77, gen = 88;

    cr_assert(eq(int, nats_link_reply_parse(INBOX, s, strlen(s), &slot, &gen), -1), "%s", s);
    cr_assert(eq(u32, slot, 77));
    cr_assert(eq(u32, gen, 88));
}

/* --- against a fake server --- */

/* The server's side: a thread that accepts twice and speaks by hand. */
struct fake {
    int lfd;
    int port;
    pthread_t thread;
    char inbox[64];
    char pub_line[256];   /* the first PUB's control line */
    size_t pub_payload;   /* the payload bytes that followed it */
    int pong_seen;        /* the link answered our PING */
    int second_handshake; /* the link connected again after the close */
    char failure[128];    /* what went wrong on the server's side */
};

static char failure_of_say[32];

/* Reads from fd until buf[0..*have) holds needle; 0, or -1 on EOF. */
static int read_until(int fd, char *buf, size_t cap, size_t *have, const char *needle)
{
    while (!memmem(buf, *have, needle, strlen(needle))) {
        ssize_t n;
        if (*have + 1 >= cap)
            return -1;
        n = read(fd, buf + *have, cap - 1 - *have);
        if (n <= 0)
            return -1;
        *have += (size_t)n;
    }
    buf[*have] = '\0';
    return 0;
}

/* Writes s to fd (a short write shows as a missing reply on the link's side). */
static void say(int fd, const char *s)
{
    size_t n = strlen(s);
    if (write(fd, s, n) != (ssize_t)n)
        snprintf(failure_of_say, sizeof failure_of_say, "short write");
}

/* Accepts one connection and runs the handshake up to the PONG; the fd. */
static int handshake(struct fake *f)
{
    char buf[4096], *sub;
    size_t have = 0;
    int fd = accept(f->lfd, NULL, NULL);

    if (fd < 0)
        return -1;
    say(fd, "INFO {\"server_id\":\"fake\",\"max_payload\":1024,\"headers\":true}\r\n");
    if (read_until(fd, buf, sizeof buf, &have, " 1\r\n") != 0 || strncmp(buf, "CONNECT {", 9) ||
        !strstr(buf, "\r\nPING\r\n") || !(sub = strstr(buf, "SUB "))) {
        snprintf(f->failure, sizeof f->failure, "bad handshake: %.80s", buf);
        close(fd);
        return -1;
    }
    sscanf(sub, "SUB %63s", f->inbox);
    f->inbox[strlen(f->inbox) - 2] = '\0'; /* "<inbox>.>" → "<inbox>" */
    say(fd, "PONG\r\n");
    return fd;
}

static void *serve(void *arg)
{
    struct fake *f = arg;
    char buf[8192], reply[512], *end;
    size_t have = 0;
    int fd = handshake(f);

    if (fd < 0)
        return NULL;
    if (read_until(fd, buf, sizeof buf, &have, "\r\n") != 0) {
        snprintf(f->failure, sizeof f->failure, "no PUB");
        return NULL;
    }
    end = strstr(buf, "\r\n");
    snprintf(f->pub_line, sizeof f->pub_line, "%.*s", (int)(end - buf), buf);
    /* the payload and its "\r\n" */
    {
        size_t len = strtoul(strrchr(f->pub_line, ' ') + 1, NULL, 10);
        size_t need = (size_t)(end + 2 - buf) + len + 2;
        while (have < need) {
            ssize_t n = read(fd, buf + have, sizeof buf - have);
            if (n <= 0)
                break;
            have += (size_t)n;
        }
        f->pub_payload = have >= need && !memcmp(buf + need - 2, "\r\n", 2) ? len : (size_t)-1;
    }
    /* a reply, a "no responders", a stranger's message, then a PING */
    snprintf(reply, sizeof reply,
             "MSG %s.3.7 1 5\r\nhello\r\n"
             "HMSG %s.4.1 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n"
             "MSG other.subject 1 2\r\nno\r\n"
             "PING\r\n",
             f->inbox, f->inbox);
    say(fd, reply);
    have = 0;
    f->pong_seen = read_until(fd, buf, sizeof buf, &have, "PONG\r\n") == 0;
    close(fd); /* the server goes away */
    fd = handshake(f);
    f->second_handshake = fd >= 0;
    if (fd >= 0) {
        while (read(fd, buf, sizeof buf) > 0) /* until the link closes */
            ;
        close(fd);
    }
    return NULL;
}

static void fake_start(struct fake *f)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    socklen_t len = sizeof sin;
    int one = 1;

    memset(f, 0, sizeof *f);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    f->lfd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(ge(int, f->lfd, 0));
    setsockopt(f->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    cr_assert(eq(int, bind(f->lfd, (struct sockaddr *)&sin, sizeof sin), 0));
    cr_assert(eq(int, listen(f->lfd, 4), 0));
    getsockname(f->lfd, (struct sockaddr *)&sin, &len);
    f->port = ntohs(sin.sin_port);
    cr_assert(eq(int, pthread_create(&f->thread, NULL, serve, f), 0));
}

/* The loop's side: what the link told it. */
struct seen {
    int replies;
    uint32_t slot[4], gen[4];
    int status[4];
    char data[4][16];
    int lost;
    struct nats_link *k;
    int up_when_lost;           /* nats_link_is_up inside on_lost */
    cm_err publish_when_lost;   /* a publish inside on_lost */
};

static void on_reply(void *ctx, uint32_t slot, uint32_t gen, const struct cm_wire_msg *m)
{
    struct seen *s = ctx;
    if (s->replies < 4) {
        s->slot[s->replies] = slot;
        s->gen[s->replies] = gen;
        s->status[s->replies] = m->status;
        snprintf(s->data[s->replies], sizeof s->data[0], "%.*s", (int)m->len, m->data);
    }
    s->replies++;
}

static void on_lost(void *ctx)
{
    struct seen *s = ctx;
    Envelope__RpcRequest rq = ENVELOPE__RPC_REQUEST__INIT;

    s->lost++;
    s->up_when_lost = nats_link_is_up(s->k);
    s->publish_when_lost = nats_link_publish(s->k, "svc.test", 5, 1, &rq.base);
}

/* Runs base until *flag is true (non-zero) or ms pass; the flag's value. */
static int run_until(struct event_base *base, struct nats_link *k, const int *flag, int want,
                     int ms)
{
    int64_t deadline = cm_now_ms() + ms;
    struct timeval tick = {0, 10 * 1000};

    while (*flag != want && cm_now_ms() < deadline) {
        event_base_loopexit(base, &tick);
        event_base_dispatch(base);
        nats_link_tick(k, cm_now_ms());
    }
    return *flag == want;
}

Test(edge_nats_link, lives_through_a_server_that_goes_away, .timeout = 20)
{
    struct nats_link_handler h = {.on_reply = on_reply, .on_lost = on_lost};
    Envelope__RpcRequest rq = ENVELOPE__RPC_REQUEST__INIT;
    static uint8_t big[2000];
    struct event_base *base = event_base_new();
    struct nats_link *k = NULL;
    struct seen seen = {0};
    struct fake f;
    char url[64], want[128];
    int up = 0;
    int64_t lost_at;

    cr_assert(not(eq(ptr, base, NULL)));
    fake_start(&f);
    h.ctx = &seen;
    snprintf(url, sizeof url, "nats://127.0.0.1:%d", f.port);
    cr_assert(eq(int, nats_link_new(base, url, "test", &h, &k), CM_OK));
    seen.k = k;
    cr_assert(eq(int, nats_link_publish(k, "svc.test", 3, 7, &rq.base), CM_EUNAVAIL),
              "refused before the handshake");

    /* handshake */
    for (int64_t end = cm_now_ms() + 5000; !(up = nats_link_is_up(k)) && cm_now_ms() < end;)
        run_until(base, k, &seen.lost, -1, 10);
    cr_assert(up, "link up (%s)", f.failure);
    cr_assert(eq(i64, nats_link_max_payload(k), 1024));

    /* publish: too big, then one that fits */
    rq.payload.data = big;
    rq.payload.len = sizeof big;
    cr_assert(eq(int, nats_link_publish(k, "svc.test", 3, 7, &rq.base), CM_ETOOBIG));
    rq.request_id = "r1";
    rq.payload.len = 10;
    cr_assert(eq(int, nats_link_publish(k, "bad subject", 3, 7, &rq.base), CM_EINVAL));
    cr_assert(eq(int, nats_link_publish(k, "svc.test", 3, 7, &rq.base), CM_OK));

    /* the replies, dispatched by slot and generation; the stranger ignored */
    cr_assert(run_until(base, k, &seen.replies, 2, 5000), "%d replies (%s)", seen.replies,
              f.failure);
    cr_assert(eq(u32, seen.slot[0], 3));
    cr_assert(eq(u32, seen.gen[0], 7));
    cr_assert(eq(int, seen.status[0], 0));
    cr_assert(eq(str, seen.data[0], "hello"));
    cr_assert(eq(u32, seen.slot[1], 4));
    cr_assert(eq(u32, seen.gen[1], 1));
    cr_assert(eq(int, seen.status[1], 503));

    /* the server closes: lost once, refused at once, then back */
    cr_assert(run_until(base, k, &seen.lost, 1, 5000), "loss reported");
    lost_at = cm_now_ms();
    cr_assert(not(seen.up_when_lost));
    cr_assert(eq(int, seen.publish_when_lost, CM_EUNAVAIL));
    for (int64_t end = cm_now_ms() + 5000; !(up = nats_link_is_up(k)) && cm_now_ms() < end;)
        run_until(base, k, &seen.lost, -1, 10);
    cr_assert(up, "reconnected (%s)", f.failure);
    cr_assert(lt(i64, cm_now_ms() - lost_at, 1000), "reconnected within a second");
    cr_assert(eq(int, seen.lost, 1));

    nats_link_free(k);
    event_base_free(base); /* runs the socket's finalizer: the server's read ends */
    pthread_join(f.thread, NULL);
    close(f.lfd);

    snprintf(want, sizeof want, "PUB svc.test %s.3.7 %zu", f.inbox,
             envelope__rpc_request__get_packed_size(&rq));
    cr_assert(eq(str, f.pub_line, want));
    cr_assert(eq(sz, f.pub_payload, envelope__rpc_request__get_packed_size(&rq)));
    cr_assert(f.pong_seen, "the link answered the server's PING");
    cr_assert(f.second_handshake);
    cr_assert(eq(str, failure_of_say, ""));
}
