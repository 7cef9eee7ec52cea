/* test_nats_sub_refused.c: suite "nats_sub_refused": the edge's link sends
 * its inbox SUB before the handshake's PING (cm_wire_session.h), so a
 * server that refuses the subscription says so (-ERR) before the PONG and
 * the connect fails, instead of a link that looks up but never gets a
 * reply (issue 15: "any -ERR before the post-SUB PONG treated as a failed
 * connect"). Runs the edge binary against its own nats-server, whose user
 * "denied" may not subscribe to _INBOX.>; needs no stack. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <unistd.h>

#include "harness.h"
#include "it_nats_server.h"

TestSuite(nats_sub_refused, .timeout = 90);

static struct it_nats g_n;
static int g_port;
static pid_t g_server = -1;

static void start_server(void)
{
    g_port = it_nats_free_port();
    it_nats_prepare(&g_n);
    g_server = it_nats_start(&g_n, "subrefused", g_port,
                             "listen: 127.0.0.1:%d\n"
                             "authorization { users = [\n"
                             "  { user: denied, password: \"pw-denied\",\n"
                             "    permissions: { subscribe: { deny: [\"_INBOX.>\"] } } },\n"
                             "  { user: allowed, password: \"pw-allowed\" }\n"
                             "] }\n",
                             g_port);
}

static void stop_server(void)
{
    it_nats_stop(g_server, 0);
    g_server = -1;
    it_nats_cleanup(&g_n);
}

/* Runs the edge as user:pass against the server; its pid, its log in log[cap]. */
static pid_t edge_as(const char *user, const char *pass, char *log, size_t cap)
{
    char url[128];

    snprintf(url, sizeof url, "nats://%s:%s@127.0.0.1:%d", user, pass, g_port);
    snprintf(log, cap, "%s/edge-%s.log", g_n.dir, user);
    return it_nats_edge_start(url, log, NULL);
}

static void edge_stop(pid_t pid, const char *log)
{
    it_nats_stop(pid, 0);
    cr_log_info("edge log: %s", log);
}

Test(nats_sub_refused, a_refused_inbox_sub_fails_the_edge_links_connect, .init = start_server,
     .fini = stop_server)
{
    char log[300];
    pid_t pid = edge_as("denied", "pw-denied", log, sizeof log);
    int refused = it_nats_wait_log(
        log, "refused by the server: 'Permissions Violation for Subscription", 15000);
    int connected;

    usleep(1000 * 1000); /* a few more attempts, ~250 ms apart */
    connected = it_nats_log_has(log, "connected to nats at 127.0.0.1");
    edge_stop(pid, log);
    cr_assert(refused, "the -ERR came before the PONG and failed the connect (log %s)", log);
    cr_assert(not(connected), "the link never counted itself up (log %s)", log);
    cr_assert(not(it_nats_log_has(log, "pw-denied")), "no password in the log");
}

Test(nats_sub_refused, an_allowed_user_connects, .init = start_server, .fini = stop_server)
{
    char log[300];
    pid_t pid = edge_as("allowed", "pw-allowed", log, sizeof log);
    int connected = it_nats_wait_log(log, "connected to nats at 127.0.0.1", 15000);

    edge_stop(pid, log);
    cr_assert(connected, "the same server admits a user that may subscribe (log %s)", log);
    cr_assert(not(it_nats_log_has(log, "Permissions Violation")));
}
