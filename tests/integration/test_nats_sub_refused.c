/* test_nats_sub_refused.c: suite "nats_sub_refused": the edge's link sends
 * its inbox SUB before the handshake's PING (cm_wire_session.h), so a
 * server that refuses the subscription says so (-ERR) before the PONG and
 * the connect fails, instead of a link that looks up but never gets a
 * reply (issue 15: "any -ERR before the post-SUB PONG treated as a failed
 * connect"). Runs the edge binary against its own nats-server, whose user
 * "denied" may not subscribe to _INBOX.>; needs no stack. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
                             "  { user: denied, password: pw1,\n"
                             "    permissions: { subscribe: { deny: [\"_INBOX.>\"] } } },\n"
                             "  { user: allowed, password: pw2 }\n"
                             "] }\n",
                             g_port);
}

static void stop_server(void)
{
    it_nats_stop(g_server, 0);
    g_server = -1;
    it_nats_cleanup(&g_n);
}

/* Does file contain needle? */
static int file_has(const char *file, const char *needle)
{
    static char buf[1 << 20];
    FILE *f = fopen(file, "r");
    size_t n;

    if (!f)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

/* Starts the edge binary as user:pass; its pid, its log in log[cap]. */
static pid_t edge_start(const char *user, const char *pass, char *log, size_t cap)
{
    const char *build = getenv("BUILD") && *getenv("BUILD") ? getenv("BUILD") : "build";
    char bin[400], url[128], port[16], admin[16];
    pid_t pid;

    snprintf(bin, sizeof bin, "%s/bin/edge", build);
    snprintf(log, cap, "%s/edge-%s.log", g_n.dir, user);
    snprintf(url, sizeof url, "nats://%s:%s@127.0.0.1:%d", user, pass, g_port);
    snprintf(port, sizeof port, "%d", it_nats_free_port());
    snprintf(admin, sizeof admin, "%d", it_nats_free_port());
    fflush(NULL);
    pid = fork();
    cr_assert(ge(int, pid, 0));
    if (pid == 0) {
        setenv("NATS_URL", url, 1);
        setenv("EDGE_PORT", port, 1);
        setenv("ADMIN_PORT", admin, 1);
        setenv("EDGE_THREADS", "1", 1);
        setenv("LOG_LEVEL", "debug", 1);
        if (!freopen("/dev/null", "r", stdin) || !freopen(log, "w", stdout) ||
            !freopen(log, "a", stderr))
            _exit(126);
        execl(bin, "edge", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void edge_stop(pid_t pid, const char *log)
{
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    cr_log_info("edge log: %s", log);
}

/* Polls log for needle up to ms; 1 when it shows. */
static int log_shows(const char *log, const char *needle, double ms)
{
    double until = it_now_ms() + ms;

    while (it_now_ms() < until) {
        if (file_has(log, needle))
            return 1;
        usleep(50 * 1000);
    }
    return file_has(log, needle);
}

Test(nats_sub_refused, a_refused_inbox_sub_fails_the_edge_links_connect, .init = start_server,
     .fini = stop_server)
{
    char log[300];
    pid_t pid = edge_start("denied", "pw1", log, sizeof log);
    int refused = log_shows(log, "refused by the server: 'Permissions Violation for Subscription",
                            15000);
    int connected;

    usleep(1000 * 1000); /* a few more attempts, ~250 ms apart */
    connected = file_has(log, "connected to nats at 127.0.0.1");
    edge_stop(pid, log);
    cr_assert(refused, "the -ERR came before the PONG and failed the connect (log %s)", log);
    cr_assert(not(connected), "the link never counted itself up (log %s)", log);
    cr_assert(not(file_has(log, "pw1")), "no password in the log");
}

Test(nats_sub_refused, an_allowed_user_connects, .init = start_server, .fini = stop_server)
{
    char log[300];
    pid_t pid = edge_start("allowed", "pw2", log, sizeof log);
    int connected = log_shows(log, "connected to nats at 127.0.0.1", 15000);

    edge_stop(pid, log);
    cr_assert(connected, "the same server admits a user that may subscribe (log %s)", log);
    cr_assert(not(file_has(log, "Permissions Violation")));
}
