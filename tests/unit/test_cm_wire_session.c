/* test_cm_wire_session.c: the NATS connection state machine both cm_wire
 * clients drive (cm_wire_session.h), fed scripted server operations and
 * times, with no socket: handshake, refusals, lame-duck mode, keepalive,
 * deadlines, server rounds, INFO updates and TLS. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "cm_wire_servers.h"
#include "cm_wire_session.h"

/* What the session wrote, as the driver's output buffer would hold it. */
struct written {
    char buf[8192];
    size_t len;
};

static void to_buffer(void *ctx, const char *data, size_t len)
{
    struct written *w = ctx;

    cr_assert(lt(sz, w->len + len, sizeof w->buf));
    memcpy(w->buf + w->len, data, len);
    w->len += len;
    w->buf[w->len] = '\0';
}

static struct written out;
static struct cm_wire_session s;

static void start(const char *urls)
{
    struct cm_wire_sink sink = {.write = to_buffer, .ctx = &out};

    memset(&out, 0, sizeof out);
    cm_wire_servers_forget();
    cr_assert(eq(int, cm_wire_session_init(&s, urls, "svc", &sink, 42), CM_OK));
}

static void stop(void)
{
    cm_wire_session_release(&s);
    cm_wire_servers_forget();
}

/* A session for urls whose first attempt's TCP connection is up. */
static void connected_to(const char *urls)
{
    start(urls);
    cm_wire_session_attempt(&s, 0);
    cm_wire_session_connected(&s);
}

/* Feeds one server operation written as the server would send it. */
static enum cm_wire_verdict feed(const char *op)
{
    struct cm_wire_msg m;
    long n = cm_wire_parse(op, strlen(op), &m);

    cr_assert(eq(long, n, (long)strlen(op)), "a whole operation: %s", op);
    return cm_wire_session_feed(&s, &m);
}

#define INFO "INFO {\"server_id\":\"x\",\"max_payload\":1024,\"headers\":true}\r\n"

/* Attempt, TCP up, INFO, PONG: the session is up at t = now_ms. */
static void bring_up(int64_t now_ms)
{
    cm_wire_session_attempt(&s, now_ms);
    cm_wire_session_connected(&s);
    cr_assert(eq(int, feed(INFO), CM_WIRE_NONE));
    cr_assert(eq(int, feed("PONG\r\n"), CM_WIRE_READY));
    out.len = 0;
}

TestSuite(cm_wire_session, .init = NULL, .fini = stop);

Test(cm_wire_session, a_handshake_sends_connect_then_the_subs_then_ping_and_is_up_on_pong)
{
    const struct cm_wire_url *u;

    start("nats://alice:secret@nats.example:4333");
    cr_assert(eq(int, cm_wire_session_subscribe(&s, "_INBOX.abc.>", NULL, 1), CM_OK));
    cr_assert(eq(int, s.state, CM_WIRE_WAITING));
    u = cm_wire_session_attempt(&s, 1000);
    cr_assert(eq(str, (char *)u->host, "nats.example"));
    cr_assert(eq(int, u->port, 4333));
    cr_assert(eq(int, s.state, CM_WIRE_CONNECTING));
    cm_wire_session_connected(&s);
    cr_assert(eq(int, s.state, CM_WIRE_HANDSHAKE));
    cr_assert(eq(int, feed("MSG _INBOX.abc.1.1 1 2\r\nhi\r\n"), CM_WIRE_NONE),
              "no message is delivered before the handshake is done");
    cr_assert(eq(sz, out.len, 0));

    cr_assert(eq(int, feed(INFO), CM_WIRE_NONE), "no TLS asked: nothing for the driver");
    cr_assert(eq(i64, s.max_payload, 1024));
    cr_assert(eq(int, strncmp(out.buf, "CONNECT {", 9), 0), "%s", out.buf);
    cr_assert_not_null(strstr(out.buf, "\"name\":\"svc\""));
    cr_assert_not_null(strstr(out.buf, "\"user\":\"alice\""));
    cr_assert_not_null(strstr(out.buf, "}\r\nSUB _INBOX.abc.> 1\r\nPING\r\n"),
                       "the SUB before the PING, so the PONG confirms it: %s", out.buf);
    cr_assert(eq(int, memcmp(out.buf + out.len - 6, "PING\r\n", 6), 0), "PING last");

    cr_assert(eq(int, feed("+OK\r\n"), CM_WIRE_NONE));
    cr_assert(eq(int, feed("PONG\r\n"), CM_WIRE_READY));
    cr_assert(eq(int, s.state, CM_WIRE_UP));
    cr_assert(eq(int, feed("MSG _INBOX.abc.1.1 1 2\r\nhi\r\n"), CM_WIRE_DELIVER));
    cr_assert(eq(int, feed("HMSG _INBOX.abc.2.1 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n"),
                 CM_WIRE_DELIVER));
}

Test(cm_wire_session, a_pong_before_connect_is_not_up)
{
    connected_to("nats://127.0.0.1:4222");
    cr_assert(eq(int, feed("PONG\r\n"), CM_WIRE_NONE));
    cr_assert(eq(int, s.state, CM_WIRE_HANDSHAKE));
}

Test(cm_wire_session, an_err_before_the_pong_is_a_failed_connect)
{
    int was_up = -1;

    connected_to("nats://127.0.0.1:4222");
    feed(INFO);
    cr_assert(eq(int, feed("-ERR 'Permissions Violation for Subscription to \"_INBOX.>\"'\r\n"),
                 CM_WIRE_LOST));
    cr_assert_not_null(strstr(s.why, "refused by the server: 'Permissions Violation"), "%s",
                       s.why);
    cm_wire_session_lost(&s, s.why, &was_up);
    cr_assert(eq(int, was_up, 0));
    cr_assert(eq(int, s.state, CM_WIRE_WAITING));
    cr_assert(eq(int, s.errors, 0), "counted only while up");
}

Test(cm_wire_session, an_err_while_up_is_counted_and_the_connection_kept)
{
    start("nats://127.0.0.1:4222");
    bring_up(0);
    cr_assert(eq(int, feed("-ERR 'Permissions Violation for Publish to \"x\"'\r\n"),
                 CM_WIRE_NONE));
    cr_assert(eq(int, feed("-ERR 'Maximum Payload Violation'\r\n"), CM_WIRE_NONE));
    cr_assert(eq(int, s.errors, 2));
    cr_assert(eq(int, s.state, CM_WIRE_UP));
}

Test(cm_wire_session, lame_duck_in_the_handshake_fails_the_attempt)
{
    connected_to("nats://127.0.0.1:4222");
    cr_assert(eq(int, feed("INFO {\"server_id\":\"x\",\"ldm\":true}\r\n"), CM_WIRE_LOST));
    cr_assert(eq(str, s.why, "server in lame-duck mode"));
    cr_assert(eq(sz, out.len, 0), "no CONNECT to a leaving server");
}

Test(cm_wire_session, lame_duck_while_up_is_a_move_said_once)
{
    start("nats://127.0.0.1:4222");
    bring_up(0);
    cr_assert(eq(int, feed("INFO {\"server_id\":\"x\",\"ldm\":true}\r\n"), CM_WIRE_MOVE));
    cr_assert(eq(int, s.lame_duck, 1));
    cr_assert(eq(int, s.state, CM_WIRE_UP), "the driver decides when to leave");
    cr_assert(eq(int, feed("INFO {\"server_id\":\"x\",\"ldm\":true}\r\n"), CM_WIRE_NONE));
    cm_wire_session_move(&s);
    cr_assert(eq(int, s.state, CM_WIRE_WAITING));
    cr_assert(eq(int, s.round_left, 1), "a new round, for an attempt at once");
    cm_wire_session_attempt(&s, 10);
    cr_assert(eq(int, s.lame_duck, 0), "a new connection starts clean");
}

Test(cm_wire_session, a_ping_is_answered_with_a_pong_in_any_state)
{
    connected_to("nats://127.0.0.1:4222");
    cr_assert(eq(int, feed("PING\r\n"), CM_WIRE_NONE));
    cr_assert(eq(str, out.buf, "PONG\r\n"));
    feed(INFO);
    feed("PONG\r\n");
    out.len = 0;
    cr_assert(eq(int, feed("PING\r\n"), CM_WIRE_NONE));
    cr_assert(eq(str, out.buf, "PONG\r\n"));
}

Test(cm_wire_session, two_unanswered_pings_lose_the_connection_at_the_third_interval)
{
    int was_up = 0;

    start("nats://127.0.0.1:4222");
    bring_up(0);
    cr_assert(eq(int, cm_wire_session_tick(&s, 100), CM_WIRE_NONE), "schedules the first PING");
    cr_assert(eq(sz, out.len, 0));
    cr_assert(eq(int, cm_wire_session_tick(&s, 100 + CM_WIRE_PING_MS - 1), CM_WIRE_NONE));
    cr_assert(eq(sz, out.len, 0), "not before the interval");
    cr_assert(eq(int, cm_wire_session_tick(&s, 100 + CM_WIRE_PING_MS), CM_WIRE_NONE));
    cr_assert(eq(str, out.buf, "PING\r\n"));
    cr_assert(eq(int, cm_wire_session_tick(&s, 100 + 2 * CM_WIRE_PING_MS), CM_WIRE_NONE));
    cr_assert(eq(str, out.buf, "PING\r\nPING\r\n"));
    cr_assert(eq(int, CM_WIRE_PINGS_MISSED, 2));
    cr_assert(eq(int, cm_wire_session_tick(&s, 100 + 3 * CM_WIRE_PING_MS), CM_WIRE_LOST));
    cr_assert(eq(str, s.why, "no answer to PING"));
    cr_assert(eq(int, cm_wire_session_lost(&s, s.why, &was_up), 0),
                 "a lost connection tries the next server at once");
    cr_assert(eq(int, was_up, 1));
}

Test(cm_wire_session, a_pong_clears_the_unanswered_pings)
{
    start("nats://127.0.0.1:4222");
    cm_wire_session_keepalive(&s, 50, 2);
    bring_up(0);
    cm_wire_session_tick(&s, 0);
    for (int64_t t = 50; t <= 1000; t += 50) {
        cr_assert(eq(int, cm_wire_session_tick(&s, t), CM_WIRE_NONE), "at %ld ms", (long)t);
        feed("PONG\r\n");
    }
    cr_assert(eq(int, s.state, CM_WIRE_UP));
}

Test(cm_wire_session, an_attempt_past_its_deadline_is_given_up)
{
    start("nats://127.0.0.1:4222");
    cm_wire_session_attempt(&s, 1000);
    cr_assert(eq(int, cm_wire_session_tick(&s, 3000), CM_WIRE_NONE), "connecting, 2 s allowed");
    cr_assert(eq(int, cm_wire_session_tick(&s, 3001), CM_WIRE_LOST));
    cr_assert(eq(str, s.why, "no answer in time"));
    cm_wire_session_lost(&s, s.why, NULL);

    s.handshake_ms = 500;
    cm_wire_session_attempt(&s, 5000);
    cm_wire_session_connected(&s);
    feed(INFO);
    cr_assert(eq(int, cm_wire_session_tick(&s, 5400), CM_WIRE_NONE));
    cr_assert(eq(int, cm_wire_session_tick(&s, 5501), CM_WIRE_LOST), "the PONG never came");
    cr_assert(eq(int, cm_wire_session_tick(&s, 99999), CM_WIRE_LOST));
}

Test(cm_wire_session, a_round_tries_each_server_once_then_waits_200_to_300_ms)
{
    int seen_first[3] = {0};

    start("nats://h0:1,nats://h1:2,nats://h2:3");
    for (int round = 0; round < 30; round++) {
        int tried[3] = {0};
        for (int i = 0; i < 3; i++) {
            const struct cm_wire_url *u = cm_wire_session_attempt(&s, round * 1000);
            int k = u->host[1] - '0', wait;
            cr_assert(eq(int, u->port, k + 1));
            tried[k]++;
            if (i == 0)
                seen_first[k]++;
            wait = cm_wire_session_lost(&s, "connection refused", NULL);
            if (i < 2) {
                cr_assert(eq(int, wait, 0), "the next server at once");
            } else {
                cr_assert(ge(int, wait, 200), "round %d", round);
                cr_assert(le(int, wait, 300), "round %d", round);
            }
        }
        cr_assert(eq(int, tried[0] * tried[1] * tried[2], 1), "each server once a round");
    }
    for (int k = 0; k < 3; k++)
        cr_assert(gt(int, seen_first[k], 0), "rounds are shuffled: h%d came first sometimes", k);
    cr_assert(eq(int, s.outage_logged, 1), "the outage is logged once");
    bring_up(99000);
    cr_assert(eq(int, s.outage_logged, 0), "and its recovery");
}

Test(cm_wire_session, servers_the_cluster_announces_join_the_next_round)
{
    int seen = 0;

    connected_to("nats://seed:4222");
    feed("INFO {\"server_id\":\"x\",\"connect_urls\":[\"10.0.0.7:4223\",\"10.0.0.8:4224\"]}\r\n");
    feed("PONG\r\n");
    cm_wire_session_lost(&s, "closed by the server", NULL);
    for (int i = 0; i < 3; i++) {
        const struct cm_wire_url *u = cm_wire_session_attempt(&s, 0);
        seen |= !strcmp(u->host, "seed") ? 1 : !strcmp(u->host, "10.0.0.7") ? 2 : 4;
        cr_assert(eq(int, cm_wire_session_lost(&s, "connection refused", NULL) > 0, i == 2));
    }
    cr_assert(eq(int, seen, 7), "three servers in the round");
}

Test(cm_wire_session, info_while_up_updates_max_payload)
{
    start("nats://127.0.0.1:4222");
    bring_up(0);
    cr_assert(eq(i64, s.max_payload, 1024));
    cr_assert(eq(int, feed("INFO {\"server_id\":\"x\",\"max_payload\":2048}\r\n"), CM_WIRE_NONE));
    cr_assert(eq(i64, s.max_payload, 2048));
    cr_assert(eq(int, feed("INFO {\"server_id\":\"x\"}\r\n"), CM_WIRE_NONE));
    cr_assert(eq(i64, s.max_payload, 2048), "kept when INFO does not say");
    cr_assert(eq(sz, out.len, 0), "no second CONNECT");
}

Test(cm_wire_session, tls_is_started_when_info_requires_it_or_the_url_says_tls)
{
    connected_to("nats://127.0.0.1:4222");
    cr_assert(eq(int, feed("INFO {\"server_id\":\"x\",\"tls_required\":true}\r\n"), CM_WIRE_TLS));
    cr_assert(eq(int, strncmp(out.buf, "CONNECT {", 9), 0),
              "CONNECT is queued, to leave once TLS is up");
    cr_assert(eq(int, feed("PONG\r\n"), CM_WIRE_READY));
    stop();

    connected_to("tls://127.0.0.1:4222");
    cr_assert(eq(int, feed(INFO), CM_WIRE_TLS));
    stop();

    connected_to("nats://127.0.0.1:4222");
    cr_assert(eq(int, feed("INFO {\"server_id\":\"x\",\"tls_available\":true}\r\n"), CM_WIRE_NONE),
              "offered but neither required nor configured: in the clear");
}

Test(cm_wire_session, refuses_a_malformed_url_list_and_a_bad_subject)
{
    struct cm_wire_sink sink = {.write = to_buffer, .ctx = &out};

    cr_assert(eq(int, cm_wire_session_init(&s, "nats://host:notaport", "svc", &sink, 1),
                 CM_EINVAL));
    cm_wire_session_release(&s);
    start("nats://127.0.0.1:4222");
    cr_assert(eq(int, cm_wire_session_subscribe(&s, "bad subject", NULL, 1), CM_EINVAL));
    cr_assert(eq(sz, s.subs_len, 0));
}
