/* test_nats_ldm.c: suite "nats_ldm": requests made through a nats.c
 * connection (cm_nats_request, the path of every typed RPC) leave a server
 * in lame-duck mode without losing a reply (issue 15). A three-node cluster
 * of plain nats-servers (no stack needed); a responder on node 3 answers
 * each request at once, so a request is nearly always in flight; the
 * requester's connection names node 1 only. Node 1, then node 2, enter
 * lame-duck mode while requests go back to back: every request is answered,
 * although the leaving servers close the requester's own connection
 * meanwhile (before cm_nats_ldm.c the request in flight then was lost). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cm_nats.h"
#include "harness.h"
#include "it_nats_server.h"

#define NODES 3
#define ANSWER_MS 0 /* the responder's think time */

static struct it_nats g_n;
static int g_port[NODES], g_route[NODES];
static pid_t g_pid[NODES];

static void start_cluster(void)
{
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
            "lame_duck_grace_period: \"1s\"\nlame_duck_duration: \"30s\"\n"
            "cluster { name: itd, listen: 127.0.0.1:%d, routes: [ nats-route://127.0.0.1:%d, "
            "nats-route://127.0.0.1:%d, nats-route://127.0.0.1:%d ] }\n",
            name, g_port[i], g_route[i], g_route[0], g_route[1], g_route[2]);
    }
}

static void stop_cluster(void)
{
    for (int i = 0; i < NODES; i++)
        it_nats_stop(g_pid[i], SIGKILL);
    it_nats_cleanup(&g_n);
}

TestSuite(nats_ldm, .timeout = 120, .init = start_cluster, .fini = stop_cluster);

/* The responder: answers after ANSWER_MS with the request's own bytes. */
static void on_echo(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)sub;
    (void)closure;
    if (ANSWER_MS)
        usleep(ANSWER_MS * 1000);
    natsConnection_Publish(nc, natsMsg_GetReply(msg), natsMsg_GetData(msg),
                           natsMsg_GetDataLength(msg));
    natsMsg_Destroy(msg);
}

/* One request through nc; 1 when its own answer came back. */
static int ask(natsConnection *nc, int i)
{
    char body[32];
    natsMsg *reply = NULL;
    int n = snprintf(body, sizeof body, "q%d", i), ok;
    natsStatus s = cm_nats_request(&reply, nc, "it.ldm.echo", body, n, 3000);

    ok = s == NATS_OK && natsMsg_GetDataLength(reply) == n &&
         memcmp(natsMsg_GetData(reply), body, (size_t)n) == 0;
    if (!ok)
        cr_log_warn("nats_ldm: request %d: %s", i, natsStatus_GetText(s));
    natsMsg_Destroy(reply);
    return ok;
}

static uint64_t reconnects_of(natsConnection *nc)
{
    natsStatistics *st = NULL;
    uint64_t r = 0;

    if (natsStatistics_Create(&st) == NATS_OK && natsConnection_GetStats(nc, st) == NATS_OK)
        natsStatistics_GetCounts(st, NULL, NULL, NULL, NULL, &r);
    natsStatistics_Destroy(st);
    return r;
}

/* Requests back to back through nc until node `node` has exited (its
 * lame-duck period over) and 1 s more; counts into *asked, *answered. */
static void ask_through_lame_duck(natsConnection *nc, int node, int *asked, int *answered)
{
    double until = it_now_ms() + 20000, gone = 0;

    cr_assert(zero(kill(g_pid[node], SIGUSR2)), "n%d into lame-duck mode", node + 1);
    while (it_now_ms() < until && (!gone || it_now_ms() < gone + 1000)) {
        *answered += ask(nc, *asked);
        (*asked)++;
        if (!gone && waitpid(g_pid[node], NULL, WNOHANG) == g_pid[node]) {
            g_pid[node] = -1;
            gone = it_now_ms();
        }
    }
    cr_assert(gt(dbl, gone, 0.0), "n%d finished its lame-duck period and exited", node + 1);
}

Test(nats_ldm, requests_through_nats_c_leave_lame_duck_servers_without_a_loss)
{
    natsConnection *requester = NULL, *responder = NULL;
    natsSubscription *sub = NULL;
    char url1[64], url3[64];
    int asked = 0, answered = 0;
    uint64_t reconnects;

    snprintf(url1, sizeof url1, "nats://127.0.0.1:%d", g_port[0]);
    snprintf(url3, sizeof url3, "nats://127.0.0.1:%d", g_port[2]);
    cr_assert(eq(int, cm_nats_connect(url3, "it-ldm-responder", 1, NULL, &responder), CM_OK));
    cr_assert(
        eq(int, natsConnection_Subscribe(&sub, responder, "it.ldm.echo", on_echo, NULL), NATS_OK));
    cr_assert(eq(int, natsConnection_Flush(responder), NATS_OK));
    /* only node 1 named: the others are learnt from its INFO */
    cr_assert(eq(int, cm_nats_connect(url1, "it-ldm-requester", 1, NULL, &requester), CM_OK));
    for (double until = it_now_ms() + 10000; it_now_ms() < until; usleep(100 * 1000)) {
        if (ask(requester, asked++)) {
            answered++;
            break; /* the routes are up: node 1 reaches node 3's responder */
        }
    }
    cr_assert(eq(int, answered, 1), "the cluster routes requests from node 1 to node 3");
    asked = answered = 0;

    ask_through_lame_duck(requester, 0, &asked, &answered);
    reconnects = reconnects_of(requester);
    cr_log_info("nats_ldm: node 1 left: %d of %d requests answered, the connection held "
                "reconnected %llu times",
                answered, asked, (unsigned long long)reconnects);
    cr_assert(ge(u64, reconnects, 1),
              "node 1 closed the connection the caller holds (it reconnected elsewhere)");
    cr_assert(eq(int, answered, asked), "every request answered while node 1 left");

    /* the requests' connection is on node 2 or 3 now: node 2 leaves too */
    asked = answered = 0;
    ask_through_lame_duck(requester, 1, &asked, &answered);
    cr_log_info("nats_ldm: node 2 left: %d of %d requests answered", answered, asked);
    cr_assert(eq(int, answered, asked), "every request answered while node 2 left");
    cr_assert(gt(int, asked, 10), "requests ran");

    cm_nats_close(requester, 1000); /* closes the connections its requests moved to */
    natsSubscription_Destroy(sub);
    cm_nats_close(responder, 1000);
}
