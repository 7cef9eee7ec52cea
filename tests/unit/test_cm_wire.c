/* test_cm_wire.c: the NATS protocol of the request path (cm_wire.h):
 * parsing server operations in place, writing client operations, reading
 * NATS_URL, and a blocking connection talking to a scripted fake server. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cm_time.h"
#include "cm_wire.h"
#include "envelope.pb-c.h"

static long parse(const char *s, struct cm_wire_msg *m)
{
    return cm_wire_parse(s, strlen(s), m);
}

Test(cm_wire, parses_a_msg_with_and_without_reply)
{
    struct cm_wire_msg m;
    const char *a = "MSG svc.http 7 _INBOX.x.3.1 5\r\nhello\r\nPING\r\n";
    long n = parse(a, &m);

    cr_assert(eq(long, n, (long)strlen("MSG svc.http 7 _INBOX.x.3.1 5\r\nhello\r\n")));
    cr_assert(eq(int, m.op, CM_WIRE_MSG));
    cr_assert(eq(int, (int)m.subject_len, 8));
    cr_assert(zero(strncmp(m.subject, "svc.http", 8)));
    cr_assert(eq(u64, m.sid, 7));
    cr_assert(zero(strncmp(m.reply, "_INBOX.x.3.1", m.reply_len)));
    cr_assert(eq(sz, m.len, 5));
    cr_assert(zero(memcmp(m.data, "hello", 5)));
    cr_assert(eq(int, m.status, 0));

    n = parse("MSG a.b 1 0\r\n\r\n", &m);
    cr_assert(eq(long, n, 15));
    cr_assert_null(m.reply);
    cr_assert(eq(sz, m.len, 0));
}

Test(cm_wire, parses_an_hmsg_and_its_status)
{
    struct cm_wire_msg m;
    const char *hdr = "NATS/1.0 503\r\n\r\n";
    char buf[256];
    long n;

    snprintf(buf, sizeof buf, "HMSG _INBOX.a.1.2 1 %zu %zu\r\n%s\r\n", strlen(hdr), strlen(hdr),
             hdr);
    n = parse(buf, &m);
    cr_assert(eq(long, n, (long)strlen(buf)));
    cr_assert(eq(int, m.status, 503));
    cr_assert(eq(sz, m.len, 0));
    cr_assert_null(m.reply);

    snprintf(buf, sizeof buf, "HMSG s 1 r 12 15\r\nNATS/1.0\r\n\r\nabc\r\n");
    n = parse(buf, &m);
    cr_assert(eq(long, n, (long)strlen(buf)));
    cr_assert(eq(int, m.status, 0));
    cr_assert(eq(sz, m.len, 3));
    cr_assert(zero(memcmp(m.data, "abc", 3)));
}

Test(cm_wire, waits_for_the_rest_of_a_partial_operation)
{
    struct cm_wire_msg m;
    const char *full = "MSG a 1 r 10\r\n0123456789\r\n";

    cr_assert(eq(long, cm_wire_parse(NULL, 0, &m), 0), "nothing read yet");
    for (size_t cut = 0; cut < strlen(full); cut++)
        cr_assert(eq(long, cm_wire_parse(full, cut, &m), 0), "cut at %zu", cut);
    cr_assert(eq(long, cm_wire_parse(full, strlen(full), &m), (long)strlen(full)));
}

Test(cm_wire, parses_the_small_operations)
{
    struct cm_wire_msg m;

    cr_assert(eq(long, parse("PING\r\n", &m), 6));
    cr_assert(eq(int, m.op, CM_WIRE_PING));
    cr_assert(eq(long, parse("pong\r\n", &m), 6));
    cr_assert(eq(int, m.op, CM_WIRE_PONG));
    cr_assert(eq(long, parse("+OK\r\n", &m), 5));
    cr_assert(eq(int, m.op, CM_WIRE_OK));
    cr_assert(eq(long, parse("-ERR 'Authorization Violation'\r\n", &m), 32));
    cr_assert(eq(int, m.op, CM_WIRE_ERR));
    cr_assert(zero(strncmp(m.text, "'Authorization Violation'", m.text_len)));
    cr_assert(eq(long, parse("INFO {\"max_payload\":1048576}\r\n", &m), 30));
    cr_assert(eq(int, m.op, CM_WIRE_INFO));
    cr_assert(eq(i64, cm_wire_info_max_payload(m.text, m.text_len), 1048576));
    cr_assert(eq(i64, cm_wire_info_max_payload("{}", 2), 0));
    cr_assert(eq(i64, cm_wire_info_max_payload("nonsense", 8), 0));
}

Test(cm_wire, refuses_what_is_not_the_protocol)
{
    struct cm_wire_msg m;
    char big[CM_WIRE_MAX_LINE + 10];

    cr_assert(eq(long, parse("HELLO\r\n", &m), -1));
    cr_assert(eq(long, parse("MSG a 1\r\n", &m), -1));             /* no size */
    cr_assert(eq(long, parse("MSG a x 3\r\nabc\r\n", &m), -1));    /* sid not a number */
    cr_assert(eq(long, parse("MSG a 1 -3\r\nabc\r\n", &m), -1));   /* negative size */
    cr_assert(eq(long, parse("MSG a 1 3\r\nabcd\r\n", &m), -1));   /* payload longer */
    cr_assert(eq(long, parse("HMSG a 1 9 3\r\nabc\r\n", &m), -1)); /* headers past total */
    cr_assert(eq(long, parse("MSG a 1 99999999999\r\n", &m), -1)); /* absurd */
    memset(big, 'A', sizeof big);
    cr_assert(eq(long, cm_wire_parse(big, sizeof big, &m), -1)); /* endless line */
}

Test(cm_wire, writes_client_operations)
{
    char line[512];
    long n;

    cr_assert(eq(long, cm_wire_sub_line(line, sizeof line, "svc.>", "svc", 1), 17));
    cr_assert(eq(str, line, "SUB svc.> svc 1\r\n"));
    cr_assert(eq(long, cm_wire_sub_line(line, sizeof line, "_INBOX.a.>", NULL, 9), 18));
    cr_assert(eq(str, line, "SUB _INBOX.a.> 9\r\n"));
    cr_assert(eq(long, cm_wire_unsub_line(line, sizeof line, 9), 9));
    cr_assert(eq(str, line, "UNSUB 9\r\n"));
    cr_assert(eq(long, cm_wire_pub_line(line, sizeof line, "a.b", "_INBOX.x.1.2", 42), 25));
    cr_assert(eq(str, line, "PUB a.b _INBOX.x.1.2 42\r\n"));
    cr_assert(eq(long, cm_wire_pub_line(line, sizeof line, "a.b", NULL, 0), 11));
    cr_assert(eq(str, line, "PUB a.b 0\r\n"));
    /* subjects that would break the framing are refused */
    cr_assert(eq(long, cm_wire_pub_line(line, sizeof line, "a b", NULL, 1), -1));
    cr_assert(eq(long, cm_wire_pub_line(line, sizeof line, "a\r\nPUB x 1", NULL, 1), -1));
    cr_assert(eq(long, cm_wire_pub_line(line, sizeof line, "", NULL, 1), -1));
    cr_assert(eq(long, cm_wire_sub_line(line, sizeof line, "a", "q q", 1), -1));
    cr_assert(eq(long, cm_wire_pub_line(line, 8, "a.b", NULL, 1), -1)); /* does not fit */

    n = cm_wire_connect_line(line, sizeof line, "edge", "u", "p\"w", NULL);
    cr_assert(eq(long, n, (long)strlen(line)), "returns the length written");
    cr_assert_not_null(strstr(line, "\"headers\":true"));
    cr_assert_not_null(strstr(line, "\"no_responders\":true"));
    cr_assert_not_null(strstr(line, "\"pass\":\"p\\\"w\""));
    cr_assert_not_null(strstr(line, "\r\nPING\r\n"));
    cr_assert(zero(strncmp(line, "CONNECT {", 9)));
}

Test(cm_wire, frames_a_message_in_place)
{
    Envelope__RpcReply m = ENVELOPE__RPC_REPLY__INIT;
    char buf[256], want[256];
    uint8_t packed[64];
    size_t len, room;
    long n, line;

    m.code = 4;
    m.message = "denied";
    len = protobuf_c_message_get_packed_size(&m.base);
    protobuf_c_message_pack(&m.base, packed);
    room = cm_wire_pub_room("a.b", "_INBOX.x.1.2", len);
    n = cm_wire_pub_frame(buf, room, "a.b", "_INBOX.x.1.2", &m.base, len);
    line = snprintf(want, sizeof want, "PUB a.b _INBOX.x.1.2 %zu\r\n", len);
    memcpy(want + line, packed, len);
    memcpy(want + line + len, "\r\n", 2);
    cr_assert(eq(long, n, line + (long)len + 2));
    cr_assert(le(sz, (size_t)n, room));
    cr_assert(zero(memcmp(buf, want, (size_t)n)));
    cr_assert(eq(long, cm_wire_pub_frame(buf, (size_t)n - 1, "a.b", "_INBOX.x.1.2", &m.base, len),
                 -1), "does not fit");
    cr_assert(eq(long, cm_wire_pub_frame(buf, room, "a b", NULL, &m.base, len), -1));
}

/* What a fleet of workers sees after an outage: each retries after 200 to
 * 300 ms, drawn from its own generator (cm_service.c, nats_link.c), so that
 * links cut at the same instant do not come back in lockstep. */
Test(cm_wire, retries_after_200_to_300_ms_spread_across_links)
{
    uint64_t a = cm_wire_rng_seed(1), b = cm_wire_rng_seed(2);
    int seen[101] = {0}, distinct = 0, same = 0;

    for (int k = 0; k < 1000; k++) {
        int ms = cm_wire_retry_ms(cm_wire_rng_next(&a));
        int other = cm_wire_retry_ms(cm_wire_rng_next(&b));

        cr_assert(ge(int, ms, 200), "draw %d: %d ms", k, ms);
        cr_assert(le(int, ms, 300), "draw %d: %d ms", k, ms);
        distinct += !seen[ms - 200]++;
        same += ms == other;
    }
    /* 1000 draws over 101 values: a fair generator misses almost none, and
     * two links agree about 1 time in 101 (10 expected, 60 is far out) */
    cr_assert(ge(int, distinct, 95), "only %d distinct delays in 1000 draws", distinct);
    cr_assert(le(int, same, 60), "two links drew the same delay %d times in 1000", same);
}

Test(cm_wire, reads_nats_urls)
{
    struct cm_wire_url u[4];
    char why[128];

    cr_assert(eq(int, cm_wire_urls_parse("nats://127.0.0.1:4223", u, 4, why, sizeof why), 1));
    cr_assert(eq(str, u[0].host, "127.0.0.1"));
    cr_assert(eq(int, u[0].port, 4223));
    cr_assert(eq(int, cm_wire_urls_parse(" nats://a:b@h1 , tok@h2:5, h3 ", u, 4, why, sizeof why),
                 3));
    cr_assert(eq(str, u[0].user, "a"));
    cr_assert(eq(str, u[0].pass, "b"));
    cr_assert(eq(int, u[0].port, 4222));
    cr_assert(eq(str, u[1].token, "tok"));
    cr_assert(eq(str, u[1].host, "h2"));
    cr_assert(eq(int, u[1].port, 5));
    cr_assert(eq(str, u[2].host, "h3"));
    cr_assert(eq(int, cm_wire_urls_parse("tls://h:1", u, 4, why, sizeof why), 1));
    cr_assert(eq(int, u[0].tls, 1));
    cr_assert(eq(int, cm_wire_urls_parse("nats://h:1", u, 4, why, sizeof why), 1));
    cr_assert(eq(int, u[0].tls, 0));
    cr_assert(eq(int, cm_wire_urls_parse("ws://h:1", u, 4, why, sizeof why), -1));
    cr_assert(eq(int, cm_wire_urls_parse("nats://h:99999", u, 4, why, sizeof why), -1));
    cr_assert(eq(int, cm_wire_urls_parse("nats://h:x", u, 4, why, sizeof why), -1));
    cr_assert(eq(int, cm_wire_urls_parse("", u, 4, why, sizeof why), -1));
    cr_assert(eq(int, cm_wire_urls_parse("a,b,c,d,e", u, 4, why, sizeof why), -1));
}

Test(cm_wire, describes_servers_without_credentials)
{
    struct cm_wire_url u[4];
    char why[128], out[128], tiny[12];
    int n = cm_wire_urls_parse("nats://ops:s3cret@h1:4222, tok3n@h2:5,tls://h3:7", u, 4, why,
                               sizeof why);

    cr_assert(eq(int, n, 3));
    cr_assert(eq(str, (char *)cm_wire_urls_describe(u, n, out, sizeof out),
                 "nats://h1:4222,nats://h2:5,tls://h3:7"));
    cr_assert(eq(ptr, strstr(out, "s3cret"), NULL));
    cr_assert(eq(ptr, strstr(out, "tok3n"), NULL));
    /* cut short, still a C string */
    cm_wire_urls_describe(u, n, tiny, sizeof tiny);
    cr_assert(eq(sz, strlen(tiny), sizeof tiny - 1));
}

/* --- a blocking connection against a scripted server */

struct fake {
    int listen_fd;
    int port;
    char got[4096]; /* what the client sent, up to the script's end */
    const char *script; /* sent after INFO once CONNECT+PING arrived */
};

static void read_until(int fd, char *got, size_t cap, const char *marker)
{
    size_t n = strlen(got);
    while (!strstr(got, marker) && n + 1 < cap) {
        ssize_t r = recv(fd, got + n, cap - n - 1, 0);
        if (r <= 0)
            break;
        n += (size_t)r;
        got[n] = '\0';
    }
}

static void *serve(void *arg)
{
    struct fake *f = arg;
    int fd = accept(f->listen_fd, NULL, NULL);
    const char *info = "INFO {\"server_id\":\"x\",\"max_payload\":4096,\"headers\":true}\r\n";

    send(fd, info, strlen(info), 0);
    read_until(fd, f->got, sizeof f->got, "PING\r\n");
    send(fd, "PONG\r\n", 6, 0);
    read_until(fd, f->got, sizeof f->got, "SUB svc.> svc 1\r\nPING\r\n");
    send(fd, f->script, strlen(f->script), 0);
    read_until(fd, f->got, sizeof f->got, "PUB _INBOX.r.2 3\r\nbye\r\n");
    close(fd);
    return NULL;
}

static void fake_start(struct fake *f, pthread_t *t)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sin;

    f->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(zero(bind(f->listen_fd, (struct sockaddr *)&sin, sizeof sin)));
    cr_assert(zero(listen(f->listen_fd, 1)));
    getsockname(f->listen_fd, (struct sockaddr *)&sin, &len);
    f->port = ntohs(sin.sin_port);
    pthread_create(t, NULL, serve, f);
}

struct seen {
    int msgs;
    struct cm_wire_conn *c;
};

/* Echoes the first message's payload to its reply subject, "bye" to the next. */
static void echo(void *ctx, const struct cm_wire_msg *m)
{
    struct seen *s = ctx;
    char reply[64];

    snprintf(reply, sizeof reply, "%.*s", (int)m->reply_len, m->reply);
    s->msgs++;
    if (s->msgs == 1)
        cm_wire_pub(s->c, reply, NULL, m->data, m->len);
    else
        cm_wire_pub(s->c, reply, NULL, "bye", 3);
}

Test(cm_wire, a_connection_handshakes_reads_a_batch_and_replies_together)
{
    struct fake f = {.script = "PING\r\nMSG svc.http 1 _INBOX.r.1 2\r\nhi\r\n"
                               "MSG svc.rpc.X 1 _INBOX.r.2 0\r\n\r\nPONG\r\n"};
    struct seen s = {0};
    struct cm_wire_conn *c;
    pthread_t t;
    char url[64];
    int pongs = 0;

    fake_start(&f, &t);
    snprintf(url, sizeof url, "nats://127.0.0.1:%d", f.port);
    cr_assert(eq(int, cm_wire_open(url, "svc", 2000, &c), CM_OK));
    cr_assert(eq(i64, cm_wire_max_payload(c), 4096));
    s.c = c;
    cr_assert(eq(int, cm_wire_sub(c, "svc.>", "svc", 1), CM_OK));
    cr_assert(eq(int, cm_wire_ping(c), CM_OK));
    cr_assert(eq(int, cm_wire_flush(c), CM_OK));
    for (int i = 0; i < 50 && pongs == 0; i++)
        cr_assert(eq(int, cm_wire_pump(c, 100, echo, &s, &pongs), CM_OK));
    cr_assert(eq(int, s.msgs, 2));
    cr_assert(eq(int, pongs, 1));
    /* over max_payload: refused before anything is written */
    {
        static char blob[5000];
        cr_assert(eq(int, cm_wire_pub(c, "x", NULL, blob, sizeof blob), CM_ETOOBIG));
    }
    pthread_join(t, NULL);
    cr_assert_not_null(strstr(f.got, "CONNECT {"));
    cr_assert_not_null(strstr(f.got, "\"name\":\"svc\""));
    cr_assert_not_null(strstr(f.got, "PONG\r\n"), "the server's PING is answered");
    cr_assert_not_null(strstr(f.got, "PUB _INBOX.r.1 2\r\nhi\r\nPUB _INBOX.r.2 3\r\nbye\r\n"));
    /* the server is gone: the next pump says so */
    {
        cm_err err = CM_OK;
        for (int i = 0; i < 20 && err == CM_OK; i++)
            err = cm_wire_pump(c, 50, echo, &s, NULL);
        cr_assert(eq(int, err, CM_EUNAVAIL));
    }
    cm_wire_close(c);
    close(f.listen_fd);
}

Test(cm_wire, open_fails_when_nobody_listens)
{
    struct cm_wire_conn *c = (struct cm_wire_conn *)1;
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sin;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    char url[64];

    bind(fd, (struct sockaddr *)&sin, sizeof sin); /* a port nobody listens on */
    getsockname(fd, (struct sockaddr *)&sin, &len);
    snprintf(url, sizeof url, "nats://127.0.0.1:%d", ntohs(sin.sin_port));
    cr_assert(eq(int, cm_wire_open(url, "svc", 500, &c), CM_EUNAVAIL));
    cr_assert_null(c);
    close(fd);
}

/* --- keepalive: a server that answers PINGs, then one that stops */

struct pinged {
    int listen_fd;
    int port;
    int answer;    /* 1: PONG every PING; 0: silent after the handshake */
    int pings;     /* PINGs read after the handshake */
    int accepted;  /* connections taken */
};

/* Serves two connections one after the other: handshake, then reads until
 * the client closes, answering each PING when p->answer. */
static void *serve_pings(void *arg)
{
    struct pinged *p = arg;
    const char *info = "INFO {\"server_id\":\"x\",\"max_payload\":4096,\"headers\":true}\r\n";

    for (int k = 0; k < 2; k++) {
        char got[4096] = "";
        int fd = accept(p->listen_fd, NULL, NULL);
        ssize_t r;
        if (fd < 0)
            return NULL;
        p->accepted++;
        send(fd, info, strlen(info), 0);
        read_until(fd, got, sizeof got, "PING\r\n");
        send(fd, "PONG\r\n", 6, 0);
        while ((r = recv(fd, got, sizeof got - 1, 0)) > 0) {
            got[r] = '\0';
            for (char *s = strstr(got, "PING\r\n"); s; s = strstr(s + 1, "PING\r\n")) {
                p->pings++;
                if (p->answer)
                    send(fd, "PONG\r\n", 6, 0);
            }
        }
        close(fd);
    }
    return NULL;
}

static void pinged_start(struct pinged *p, pthread_t *t)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sin;

    p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(zero(bind(p->listen_fd, (struct sockaddr *)&sin, sizeof sin)));
    cr_assert(zero(listen(p->listen_fd, 2)));
    getsockname(p->listen_fd, (struct sockaddr *)&sin, &len);
    p->port = ntohs(sin.sin_port);
    pthread_create(t, NULL, serve_pings, p);
}

static void ignore_msg(void *ctx, const struct cm_wire_msg *m)
{
    (void)ctx;
    (void)m;
}

/* Pumps and keeps c alive for up to seconds; the first error, or CM_OK. */
static cm_err pump_alive(struct cm_wire_conn *c, double seconds)
{
    double end = cm_now_s() + seconds;
    cm_err err = CM_OK;

    while (err == CM_OK && cm_now_s() < end) {
        err = cm_wire_pump(c, 10, ignore_msg, NULL, NULL);
        if (err == CM_OK)
            err = cm_wire_keepalive(c, 50, 2);
    }
    return err;
}

Test(cm_wire, a_connection_whose_server_answers_pings_stays_up)
{
    struct pinged p = {.answer = 1};
    struct cm_wire_conn *c;
    pthread_t t;
    char url[64];

    pinged_start(&p, &t);
    snprintf(url, sizeof url, "nats://127.0.0.1:%d", p.port);
    cr_assert(eq(int, cm_wire_open(url, "svc", 2000, &c), CM_OK));
    cr_assert(eq(int, pump_alive(c, 0.6), CM_OK), "PONGs keep it up");
    cm_wire_close(c);
    shutdown(p.listen_fd, SHUT_RDWR); /* the second accept gives up */
    pthread_join(t, NULL);
    cr_assert(ge(int, p.pings, 4), "%d PINGs in 0.6 s at a 50 ms interval", p.pings);
    close(p.listen_fd);
}

Test(cm_wire, a_server_that_stops_answering_pings_is_left_after_two_and_reconnected)
{
    struct pinged p = {.answer = 0};
    struct cm_wire_conn *c;
    pthread_t t;
    char url[64];
    double start;

    pinged_start(&p, &t);
    snprintf(url, sizeof url, "nats://127.0.0.1:%d", p.port);
    cr_assert(eq(int, cm_wire_open(url, "svc", 2000, &c), CM_OK));
    start = cm_now_s();
    cr_assert(eq(int, pump_alive(c, 5), CM_EUNAVAIL), "the silent server is given up");
    cr_assert(ge(dbl, cm_now_s() - start, 0.14), "after the 3rd interval, not sooner");
    cr_assert(lt(dbl, cm_now_s() - start, 2.0), "and not much later");
    cm_wire_close(c);
    /* a worker then opens a new connection: the server takes it */
    cr_assert(eq(int, cm_wire_open(url, "svc", 2000, &c), CM_OK));
    cm_wire_close(c);
    pthread_join(t, NULL);
    cr_assert(eq(int, p.pings, 2), "two PINGs went unanswered before giving up");
    cr_assert(eq(int, p.accepted, 2));
    close(p.listen_fd);
}

Test(cm_wire, per_thread_generators_differ_and_never_stick_at_zero)
{
    uint64_t a = cm_wire_rng_seed(1), b = cm_wire_rng_seed(1), z = 0;
    int same = 0;

    for (int i = 0; i < 100; i++)
        same += cm_wire_rng_next(&a) == cm_wire_rng_next(&b);
    cr_assert(lt(int, same, 5), "two seeds give two sequences");
    cr_assert(ne(u64, cm_wire_rng_next(&z), 0));
    cr_assert(ne(u64, z, 0));
}
