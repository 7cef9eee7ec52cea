/* test_nats_nkey.c: suite "nats_nkey": NKey authentication (issue 15). The
 * test makes a user NKey with libsodium, starts its own nats-server that
 * admits only that key, and shows that both kinds of connection the daemons
 * make (the request path's cm_wire client and nats.c through cm_nats.c) sign
 * the server's nonce with the seed of NATS_NKEY_SEED_FILE and are let in,
 * and are refused without the seed or with another one. Needs no stack:
 * nats-server from PATH is enough. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_config.h"
#include "cm_nats.h"
#include "cm_nkey.h"
#include "cm_wire.h"
#include "harness.h"
#include "it_nats_server.h"

TestSuite(nats_nkey, .timeout = 60);

static struct it_nats g_n;
static char g_seed_file[200], g_other_file[200];
static char g_url[64];
static pid_t g_server = -1;

static void start_server(void)
{
    int port = it_nats_free_port();

    it_nats_prepare(&g_n);
    snprintf(g_seed_file, sizeof g_seed_file, "%s", g_n.seed_file);
    snprintf(g_other_file, sizeof g_other_file, "%s", g_n.other_seed_file);
    snprintf(g_url, sizeof g_url, "nats://127.0.0.1:%d", port);
    g_server =
        it_nats_start(&g_n, "nkey", port,
                      "listen: 127.0.0.1:%d\nauthorization { users = [ { nkey: %s, permissions: "
                      "{ subscribe: { deny: [\"denied.>\"] } } } ] }\n",
                      port, g_n.pub);
}

static void stop_server(void)
{
    it_nats_stop(g_server, 0);
    g_server = -1;
    it_nats_cleanup(&g_n);
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

/* cm_config settles the seed file once; the blocking client then signs
 * the nonce, is let in and its messages flow. */
Test(nats_nkey, wire_client_signs_the_nonce, .init = start_server, .fini = stop_server)
{
    struct cm_config cfg;
    char err[256], env[400];
    struct cm_wire_conn *c = NULL;
    struct seen s = {0};
    double until = it_now_ms() + 10000;

    snprintf(env, sizeof env, "%s", g_seed_file);
    setenv("NATS_NKEY_SEED_FILE", env, 1);
    cr_assert(eq(int, cm_config_load("identity", cm_config_env, &cfg, err, sizeof err), CM_OK),
              "config: %s", err);
    cr_assert(eq(str, cfg.nats_nkey_seed_file, g_seed_file));
    cr_assert(eq(int, cm_wire_open(g_url, "it-nkey", 5000, &c), CM_OK), "admitted with the NKey");
    cr_assert(eq(int, cm_wire_sub(c, "it.nkey", NULL, 7), CM_OK));
    cr_assert(eq(int, cm_wire_pub(c, "it.nkey", NULL, "hello", 5), CM_OK));
    cr_assert(eq(int, cm_wire_flush(c), CM_OK));
    while (s.n == 0 && it_now_ms() < until)
        cr_assert(eq(int, cm_wire_pump(c, 100, on_msg, &s, NULL), CM_OK));
    cr_assert(eq(int, s.n, 1), "the message came back through the authenticated connection");
    cr_assert(eq(str, s.data, "hello"));
    cm_wire_close(c);
    cm_config_release(&cfg);
    unsetenv("NATS_NKEY_SEED_FILE");
}

/* nats.c connections (RPCs, events, JetStream) get the same key. */
Test(nats_nkey, natsc_client_uses_the_same_key, .init = start_server, .fini = stop_server)
{
    natsConnection *nc = NULL;
    natsSubscription *sub = NULL;
    natsMsg *m = NULL;
    char why[128];

    cr_assert(eq(int, cm_nkey_configure(g_seed_file, NULL, why, sizeof why), 0), "%s", why);
    cr_assert(eq(int, cm_nats_connect(g_url, "it-nkey", 1, NULL, &nc), CM_OK));
    cr_assert(eq(int, natsConnection_SubscribeSync(&sub, nc, "it.natsc"), NATS_OK));
    cr_assert(eq(int, natsConnection_PublishString(nc, "it.natsc", "hi"), NATS_OK));
    cr_assert(eq(int, natsSubscription_NextMsg(&m, sub, 5000), NATS_OK));
    cr_assert(eq(str, (char *)natsMsg_GetData(m), "hi"));
    natsMsg_Destroy(m);
    natsSubscription_Destroy(sub);
    cm_nats_close(nc, 1000);
}

/* Without a seed, or with a key the server does not know, the server's
 * -ERR refuses the connection: CM_EUNAVAIL, never a half-open success. */
Test(nats_nkey, refused_without_or_with_another_key, .init = start_server, .fini = stop_server)
{
    struct cm_wire_conn *c = NULL;
    natsConnection *nc = NULL;
    volatile int stop = 1; /* one attempt */
    char why[128];

    cr_assert(eq(int, cm_nkey_configure("", "", why, sizeof why), 0));
    cr_assert(eq(int, cm_wire_open(g_url, "it-nkey", 3000, &c), CM_EUNAVAIL), "no key: refused");
    cr_assert(zero(ptr, c));
    cr_assert(eq(int, cm_nkey_configure(g_other_file, NULL, why, sizeof why), 0), "%s", why);
    cr_assert(eq(int, cm_wire_open(g_url, "it-nkey", 3000, &c), CM_EUNAVAIL), "unknown key");
    cr_assert(eq(int, cm_nats_connect(g_url, "it-nkey", 1, &stop, &nc), CM_EUNAVAIL));
}

/* A seed file that is not one stops the daemon at start with a message
 * naming the variable (no secret in it). */
Test(nats_nkey, bad_seed_file_is_a_config_error, .init = start_server, .fini = stop_server)
{
    struct cm_config cfg;
    char err[256], path[300];
    FILE *f;

    snprintf(path, sizeof path, "%s/bad.nk", g_n.dir);
    f = fopen(path, "w");
    cr_assert(not(zero(ptr, f)));
    fprintf(f, "SUNOTAVALIDSEED\n");
    fclose(f);
    setenv("NATS_NKEY_SEED_FILE", path, 1);
    cr_assert(eq(int, cm_config_load("edge", cm_config_env, &cfg, err, sizeof err), CM_EINVAL));
    cr_assert(not(zero(ptr, strstr(err, "NKey"))), "%s", err);
    setenv("NATS_NKEY_SEED_FILE", "/nonexistent/seed", 1);
    cr_assert(eq(int, cm_config_load("edge", cm_config_env, &cfg, err, sizeof err), CM_EINVAL));
    cr_assert(not(zero(ptr, strstr(err, "NATS_NKEY_SEED_FILE"))), "%s", err);
    unsetenv("NATS_NKEY_SEED_FILE");
}

/* A SUB the server refuses answers -ERR before the PONG that follows it:
 * the client counts it (a worker then treats its connect as failed). */
Test(nats_nkey, an_err_before_the_pong_is_counted, .init = start_server, .fini = stop_server)
{
    struct cm_wire_conn *c = NULL;
    char why[128];
    int pongs = 0;
    double until = it_now_ms() + 10000;

    cr_assert(eq(int, cm_nkey_configure(g_seed_file, NULL, why, sizeof why), 0), "%s", why);
    cr_assert(eq(int, cm_wire_open(g_url, "it-nkey", 5000, &c), CM_OK));
    cr_assert(eq(int, cm_wire_sub(c, "allowed.x", NULL, 1), CM_OK));
    cr_assert(eq(int, cm_wire_ping(c), CM_OK));
    cr_assert(eq(int, cm_wire_flush(c), CM_OK));
    while (pongs == 0 && it_now_ms() < until)
        cr_assert(eq(int, cm_wire_pump(c, 100, on_msg, NULL, &pongs), CM_OK));
    cr_assert(eq(int, cm_wire_errors(c), 0), "an allowed SUB: no -ERR");
    pongs = 0;
    cr_assert(eq(int, cm_wire_sub(c, "denied.x", NULL, 2), CM_OK));
    cr_assert(eq(int, cm_wire_ping(c), CM_OK));
    cr_assert(eq(int, cm_wire_flush(c), CM_OK));
    while (pongs == 0 && it_now_ms() < until)
        cr_assert(eq(int, cm_wire_pump(c, 100, on_msg, NULL, &pongs), CM_OK));
    cr_assert(eq(int, pongs, 1));
    cr_assert(ge(int, cm_wire_errors(c), 1), "the refused SUB's -ERR came before the PONG");
    cm_wire_close(c);
}
