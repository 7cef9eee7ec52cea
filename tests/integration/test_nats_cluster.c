/* test_nats_cluster.c: suite "nats_cluster": the request-path clients on a
 * three-node nats-server cluster with TLS, NKey users and JetStream (issue
 * 15). Given only node 1 in NATS_URL, a client learns the other nodes from
 * INFO connect_urls; when node 1 is killed it connects to a survivor; when
 * node 1 enters lame-duck mode (SIGUSR2) the blocking client sees it and the
 * edge's link moves to another node without losing its up state. The
 * EVENTS-like stream replicated 3 times keeps its messages when a node
 * dies. Needs no stack: nats-server and openssl from PATH. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cm_config.h"
#include "cm_nats.h"
#include "cm_wire.h"
#include "cm_wire_servers.h"
#include "envelope.pb-c.h"
#include "harness.h"
#include "it_nats_server.h"

TestSuite(nats_cluster, .timeout = 120);

#define NODES 3

static struct it_nats g_n;
static int g_port[NODES], g_route[NODES];
static pid_t g_pid[NODES];
static char g_url1[96];

static void start_cluster(void)
{
    struct cm_config cfg;
    char err[256];

    it_nats_prepare(&g_n);
    for (int i = 0; i < NODES; i++) {
        g_port[i] = it_nats_free_port();
        g_route[i] = it_nats_free_port();
    }
    for (int i = 0; i < NODES; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i + 1);
        g_pid[i] = it_nats_start(
            &g_n, name, g_port[i],
            "server_name: %s\nlisten: 127.0.0.1:%d\n"
            "tls { cert_file: \"%s\", key_file: \"%s\", ca_file: \"%s\", verify: true, "
            "timeout: 5 }\n"
            "authorization { users = [ { nkey: %s } ] }\n"
            "jetstream { store_dir: \"%s/js-%s\" }\n"
            "lame_duck_grace_period: \"1s\"\nlame_duck_duration: \"30s\"\n"
            "cluster { name: itc, listen: 127.0.0.1:%d, routes: [ nats-route://127.0.0.1:%d, "
            "nats-route://127.0.0.1:%d, nats-route://127.0.0.1:%d ] }\n",
            name, g_port[i], g_n.server_cert, g_n.server_key, g_n.ca, g_n.pub, g_n.dir, name,
            g_route[i], g_route[0], g_route[1], g_route[2]);
    }
    setenv("NATS_TLS_CA_FILE", g_n.ca, 1);
    setenv("NATS_TLS_CERT_FILE", g_n.cert, 1);
    setenv("NATS_TLS_KEY_FILE", g_n.key, 1);
    setenv("NATS_NKEY_SEED_FILE", g_n.seed_file, 1);
    cr_assert(eq(int, cm_config_load("identity", cm_config_env, &cfg, err, sizeof err), CM_OK),
              "config: %s", err);
    cm_config_release(&cfg);
    snprintf(g_url1, sizeof g_url1, "tls://127.0.0.1:%d", g_port[0]);
}

static void stop_cluster(void)
{
    for (int i = 0; i < NODES; i++)
        it_nats_stop(g_pid[i], SIGKILL);
    it_nats_cleanup(&g_n);
}

/* Connects through node 1 until its INFO announces the whole cluster (the
 * routes form in a moment); the count of servers then known. */
static int discover(double ms)
{
    double until = it_now_ms() + ms;
    struct cm_wire_url list[CM_WIRE_MAX_URLS];
    uint64_t rng = 42;
    char why[128];
    int n = 0;

    while (it_now_ms() < until) {
        struct cm_wire_conn *c = NULL;
        if (cm_wire_open(g_url1, "it-cluster", 3000, &c) == CM_OK) {
            cm_wire_pump(c, 200, NULL, NULL, NULL);
            cm_wire_close(c);
        }
        n = cm_wire_servers_round(g_url1, list, CM_WIRE_MAX_URLS, &rng, why, sizeof why);
        if (n >= NODES)
            break;
        usleep(200 * 1000);
    }
    return n;
}

Test(nats_cluster, learns_the_cluster_and_survives_a_killed_node, .init = start_cluster,
     .fini = stop_cluster)
{
    struct cm_wire_conn *c = NULL;
    double t0, window;

    cr_assert(ge(int, discover(20000), NODES), "node 1's INFO announced the other nodes");
    it_nats_stop(g_pid[0], SIGKILL);
    g_pid[0] = -1;
    t0 = it_now_ms();
    while (cm_wire_open(g_url1, "it-cluster", 1000, &c) != CM_OK && it_now_ms() - t0 < 10000)
        usleep(50 * 1000);
    window = it_now_ms() - t0;
    cr_log_info("nats_cluster: connected to a survivor %.0f ms after node 1 was killed", window);
    cr_assert(not(zero(ptr, c)), "a survivor took the connection (NATS_URL names only node 1)");
    cr_assert(lt(dbl, window, 2000.0), "within 2 s");
    cm_wire_close(c);
}

Test(nats_cluster, blocking_client_sees_lame_duck_and_moves, .init = start_cluster,
     .fini = stop_cluster)
{
    struct cm_wire_conn *c = NULL, *next = NULL;
    double until;

    cr_assert(ge(int, discover(20000), NODES));
    /* a connection on node 1 itself: with what was learnt forgotten, only
     * node 1 is tried (its INFO teaches the cluster again) */
    cm_wire_servers_forget();
    cr_assert(eq(int, cm_wire_open(g_url1, "it-cluster", 3000, &c), CM_OK));
    until = it_now_ms() + 10000;
    cr_assert(zero(kill(g_pid[0], SIGUSR2)), "node 1 into lame-duck mode");
    while (!cm_wire_lame_duck(c) && it_now_ms() < until)
        cr_assert(eq(int, cm_wire_pump(c, 100, NULL, NULL, NULL), CM_OK));
    cr_assert(cm_wire_lame_duck(c), "the client heard INFO ldm");
    /* the INFO also named the survivors: a new connection goes there */
    cr_assert(eq(int, cm_wire_open(g_url1, "it-cluster", 3000, &next), CM_OK),
              "a new connection lands on another node");
    cr_assert(not(cm_wire_lame_duck(next)));
    cm_wire_close(next);
    cm_wire_close(c);
}

Test(nats_cluster, edge_link_leaves_a_lame_duck_node, .init = start_cluster, .fini = stop_cluster)
{
    char log[300], port[16], admin[16], bin[300];
    const char *build = getenv("BUILD") && *getenv("BUILD") ? getenv("BUILD") : "build";
    pid_t pid;
    int moved, left, lost;

    snprintf(bin, sizeof bin, "%s/bin/edge", build);
    snprintf(log, sizeof log, "%s/edge.log", g_n.dir);
    snprintf(port, sizeof port, "%d", it_nats_free_port());
    snprintf(admin, sizeof admin, "%d", it_nats_free_port());
    fflush(NULL);
    pid = fork();
    cr_assert(ge(int, pid, 0));
    if (pid == 0) {
        setenv("NATS_URL", g_url1, 1); /* only node 1: the rest is discovered */
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
    cr_assert(it_nats_wait_log(log, "connected to nats at 127.0.0.1", 15000),
              "edge link up on node 1");
    kill(g_pid[0], SIGUSR2);
    moved = it_nats_wait_log(log, "entering lame-duck mode: moving", 10000);
    left = moved && it_nats_wait_log(log, "lame-duck mode left for", 25000);
    lost = it_nats_log_has(log, "lost (");
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    cr_assert(moved, "the edge's link heard ldm and moved");
    cr_assert(left, "and left node 1 for a survivor");
    cr_assert(not(lost), "without ever losing its connection");
}

/* --- a service daemon on the cluster (needs the stack's Postgres) */

/* The stack's secret file name, read into out. */
static void read_secret(const char *name, char *out, size_t cap)
{
    char path[400];
    FILE *f;

    snprintf(path, sizeof path, "%s/secrets/%s", it_env("TEST_VAR_DIR"), name);
    f = fopen(path, "r");
    cr_assert(not(zero(ptr, f)), "%s", path);
    cr_assert(not(zero(ptr, fgets(out, (int)cap, f))));
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
}

/* One request to privacy.http through nc (an unbuilt operation: 501 comes
 * back); 1 when a reply came. */
static int ask(natsConnection *nc)
{
    Envelope__HttpRequest req = ENVELOPE__HTTP_REQUEST__INIT;
    natsMsg *reply = NULL;
    uint8_t *buf;
    size_t len;
    natsStatus s;

    req.request_id = "it-ldm";
    req.method = "POST";
    req.path = "/v1/purge-data/";
    buf = cm_pack(&req.base, &len);
    s = natsConnection_Request(&reply, nc, "privacy.http", buf, (int)len, 3000);
    free(buf);
    natsMsg_Destroy(reply);
    return s == NATS_OK;
}

/* The workers of a service connected through node 1 move when it enters
 * lame-duck mode: requests sent all along (from a client on node 2) are
 * all answered, and the daemon is not restarted. */
Test(nats_cluster, service_workers_leave_a_lame_duck_node_without_losing_requests,
     .init = start_cluster, .fini = stop_cluster)
{
    char log[300], admin[16], bin[300], pgpw[128], url2[96], pg_port[16];
    const char *build = getenv("BUILD") && *getenv("BUILD") ? getenv("BUILD") : "build";
    natsConnection *nc = NULL;
    int asked = 0, answered = 0;
    double t0;
    pid_t pid;

    IT_REQUIRE_STACK();
    read_secret("pg_password.privacy", pgpw, sizeof pgpw);
    snprintf(pg_port, sizeof pg_port, "%s", it_env("PG_PORT"));
    snprintf(bin, sizeof bin, "%s/bin/privacy", build);
    snprintf(log, sizeof log, "%s/privacy.log", g_n.dir);
    snprintf(admin, sizeof admin, "%d", it_nats_free_port());
    fflush(NULL);
    pid = fork();
    cr_assert(ge(int, pid, 0));
    if (pid == 0) {
        setenv("NATS_URL", g_url1, 1);
        setenv("ADMIN_PORT", admin, 1);
        setenv("HANDLER_THREADS", "2", 1);
        setenv("PG_HOST", "127.0.0.1", 1);
        setenv("PG_PORT", pg_port, 1);
        setenv("PG_USER", "privacy", 1);
        setenv("PG_PASSWORD", pgpw, 1);
        unsetenv("PG_ADMIN_USER");
        setenv("LOG_LEVEL", "info", 1);
        if (!freopen("/dev/null", "r", stdin) || !freopen(log, "w", stdout) ||
            !freopen(log, "a", stderr))
            _exit(126);
        execl(bin, "privacy", (char *)NULL);
        _exit(127);
    }
    t0 = it_now_ms();
    while (it_admin_status(atoi(admin), "readyz") != 200 && it_now_ms() - t0 < 30000)
        usleep(100 * 1000);
    cr_assert(eq(long, it_admin_status(atoi(admin), "readyz"), 200), "privacy ready on node 1");
    snprintf(url2, sizeof url2, "tls://127.0.0.1:%d", g_port[1]);
    cr_assert(eq(int, cm_nats_connect(url2, "it-ldm", 1, NULL, &nc), CM_OK));
    for (int i = 0; i < 20; i++, asked++)
        answered += ask(nc);
    kill(g_pid[0], SIGUSR2);
    t0 = it_now_ms();
    while (it_now_ms() - t0 < 4000) {
        answered += ask(nc);
        asked++;
    }
    cm_nats_close(nc, 1000);
    cr_assert(it_nats_wait_log(log, "lame-duck mode left", 5000), "the workers moved off node 1");
    cr_assert(eq(int, kill(pid, 0), 0), "privacy still runs (no restart)");
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    cr_log_info("nats_cluster: %d of %d requests answered across lame duck", answered, asked);
    cr_assert(eq(int, answered, asked), "every request answered");
}
