/* test_nats_tls.c: suite "nats_tls": NATS over TLS with NKey users (issue
 * 15). The test makes a CA, a server certificate (IP:127.0.0.1,
 * DNS:nats.it.test) and a client certificate with openssl, starts its own
 * nats-server that requires TLS with client certificates and admits one
 * NKey, and shows that the three kinds of NATS connection the daemons make
 * (the workers' cm_wire client, nats.c through cm_nats.c, and the edge's
 * libevent link, run as the edge binary) verify the server and are let in,
 * while a wrong CA or a name the certificate does not carry is refused.
 * Needs no stack: nats-server and openssl from PATH. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_config.h"
#include "cm_nats.h"
#include "cm_nats_tls.h"
#include "cm_nkey.h"
#include "cm_wire.h"
#include "harness.h"
#include "it_nats_server.h"

TestSuite(nats_tls, .timeout = 90);

static struct it_nats g_n;
static int g_port;
static pid_t g_server = -1;

static void start_server(void)
{
    g_port = it_nats_free_port();
    it_nats_prepare(&g_n);
    g_server = it_nats_start(&g_n, "tls", g_port,
                             "listen: 127.0.0.1:%d\n"
                             "tls { cert_file: \"%s\", key_file: \"%s\", ca_file: \"%s\", "
                             "verify: true, timeout: 5 }\n"
                             "authorization { users = [ { nkey: %s } ] }\n",
                             g_port, g_n.server_cert, g_n.server_key, g_n.ca, g_n.pub);
}

static void stop_server(void)
{
    it_nats_stop(g_server, 0);
    g_server = -1;
    it_nats_cleanup(&g_n);
}

/* The process's NATS settings as a daemon loads them (cm_config). */
static void configure(const char *ca)
{
    struct cm_config cfg;
    char err[256];

    setenv("NATS_TLS_CA_FILE", ca, 1);
    setenv("NATS_TLS_CERT_FILE", g_n.cert, 1);
    setenv("NATS_TLS_KEY_FILE", g_n.key, 1);
    setenv("NATS_NKEY_SEED_FILE", g_n.seed_file, 1);
    cr_assert(eq(int, cm_config_load("identity", cm_config_env, &cfg, err, sizeof err), CM_OK),
              "config: %s", err);
    cm_config_release(&cfg);
}

struct seen {
    int n;
    char data[32];
};

static void on_msg(void *ctx, const struct cm_wire_msg *m)
{
    struct seen *s = ctx;
    s->n++;
    snprintf(s->data, sizeof s->data, "%.*s", (int)m->len, (const char *)m->data);
}

/* A round trip through c: SUB, PUB, the message back. */
static void round_trip(struct cm_wire_conn *c)
{
    struct seen s = {0};
    double until = it_now_ms() + 10000;

    cr_assert(eq(int, cm_wire_sub(c, "it.tls", NULL, 3), CM_OK));
    cr_assert(eq(int, cm_wire_pub(c, "it.tls", NULL, "sealed", 6), CM_OK));
    cr_assert(eq(int, cm_wire_flush(c), CM_OK));
    while (s.n == 0 && it_now_ms() < until)
        cr_assert(eq(int, cm_wire_pump(c, 100, on_msg, &s, NULL), CM_OK));
    cr_assert(eq(int, s.n, 1), "the message came back over TLS");
    cr_assert(eq(str, s.data, "sealed"));
}

Test(nats_tls, wire_and_natsc_verify_the_server_and_are_let_in, .init = start_server,
     .fini = stop_server)
{
    char url[96];
    struct cm_wire_conn *c = NULL;
    natsConnection *nc = NULL;
    natsSubscription *sub = NULL;
    natsMsg *m = NULL;

    configure(g_n.ca);
    snprintf(url, sizeof url, "tls://127.0.0.1:%d", g_port);
    cr_assert(eq(int, cm_wire_open(url, "it-tls", 5000, &c), CM_OK), "tls:// with the NKey");
    round_trip(c);
    cm_wire_close(c);
    /* a CA configured means TLS also to a server given as nats:// */
    snprintf(url, sizeof url, "nats://127.0.0.1:%d", g_port);
    cr_assert(eq(int, cm_wire_open(url, "it-tls", 5000, &c), CM_OK), "nats:// upgraded to TLS");
    round_trip(c);
    cm_wire_close(c);

    snprintf(url, sizeof url, "tls://127.0.0.1:%d", g_port);
    cr_assert(eq(int, cm_nats_connect(url, "it-tls", 1, NULL, &nc), CM_OK), "nats.c over TLS");
    cr_assert(eq(int, natsConnection_SubscribeSync(&sub, nc, "it.tls.c"), NATS_OK));
    cr_assert(eq(int, natsConnection_PublishString(nc, "it.tls.c", "hi"), NATS_OK));
    cr_assert(eq(int, natsSubscription_NextMsg(&m, sub, 5000), NATS_OK));
    cr_assert(eq(str, (char *)natsMsg_GetData(m), "hi"));
    natsMsg_Destroy(m);
    natsSubscription_Destroy(sub);
    cm_nats_close(nc, 1000);
}

Test(nats_tls, wrong_ca_or_wrong_name_is_refused, .init = start_server, .fini = stop_server)
{
    char url[96];
    struct cm_wire_conn *c = NULL;
    natsConnection *nc = NULL;
    volatile int stop = 1;

    configure(g_n.other_ca);
    snprintf(url, sizeof url, "tls://127.0.0.1:%d", g_port);
    cr_assert(eq(int, cm_wire_open(url, "it-tls", 3000, &c), CM_EUNAVAIL), "unknown CA");
    cr_assert(eq(int, cm_nats_connect(url, "it-tls", 1, &stop, &nc), CM_EUNAVAIL),
              "nats.c: unknown CA");
    configure(g_n.ca);
    /* "localhost" resolves to the server, but its certificate does not name it */
    snprintf(url, sizeof url, "tls://localhost:%d", g_port);
    cr_assert(eq(int, cm_wire_open(url, "it-tls", 3000, &c), CM_EUNAVAIL), "name mismatch");
    cr_assert(zero(ptr, c));
}

/* Runs the edge binary against the server with ca; 1 when its request-path
 * link logs a connection within 15 s. */
static int edge_link_comes_up(const char *ca)
{
    char log[300], url[96];
    const char *env[] = {"NATS_TLS_CA_FILE",    ca,
                         "NATS_TLS_CERT_FILE",  g_n.cert,
                         "NATS_TLS_KEY_FILE",   g_n.key,
                         "NATS_NKEY_SEED_FILE", g_n.seed_file,
                         NULL};
    int up;
    pid_t pid;

    snprintf(log, sizeof log, "%s/edge-%d.log", g_n.dir, (int)(it_now_ms()) % 100000);
    snprintf(url, sizeof url, "tls://127.0.0.1:%d", g_port);
    pid = it_nats_edge_start(url, log, env);
    up = it_nats_wait_log(log, "connected to nats at 127.0.0.1", 15000);
    it_nats_stop(pid, 0);
    cr_log_info("edge log: %s", log);
    return up;
}

Test(nats_tls, edge_link_speaks_tls_with_the_nkey, .init = start_server, .fini = stop_server)
{
    cr_assert(edge_link_comes_up(g_n.ca), "the edge's link connects over TLS with the NKey");
    cr_assert(not(edge_link_comes_up(g_n.other_ca)), "and not when the CA is wrong");
}
