/* main.c: the edge daemon: the only HTTP listener of the API. Starts the
 * loop threads, the background NATS connection that fetches the signing keys
 * and follows revocations, the admin port, waits for SIGTERM, then drains:
 * no new connections, in-flight requests answered (or timed out), then exit. */
#include <event2/thread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_admin.h"
#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "body_limit.h"
#include "cm_signal.h"
#include "edge.h"

/* Admin thread: ready when every loop's NATS link is up and the signing
 * keys have been fetched once (until then every bearer token would get 503;
 * once loaded they are kept, so identity going away later does not make the
 * edge unready) and the revocations that may still matter have been
 * replayed (revocations_caught_up, sticky as well). */
static int check_ready(void *ctx, char *why, size_t whylen)
{
    struct edge *e = ctx;
    unsigned char pk[CM_TOKEN_PK_BYTES];
    if (token_keys_lookup(e->keys, "", pk) == TOKEN_KEYS_NOT_LOADED) {
        snprintf(why, whylen, "signing keys not loaded yet");
        return 0;
    }
    if (!revocations_caught_up(e->revoked)) {
        snprintf(why, whylen, "revocations not replayed yet");
        return 0;
    }
    for (int i = 0; i < e->nloops; i++)
        if (!e->loops[i].link || !nats_link_is_up(e->loops[i].link)) {
            snprintf(why, whylen, "nats not connected");
            return 0;
        }
    return 1;
}

int main(void)
{
    struct edge e = {0};
    struct cm_admin *admin = NULL;
    char errbuf[256];
    int rc = 0;

    cm_signals_install();
    /* Before any event_base: cm_admin_stop breaks the admin loop from this
     * thread. The loops themselves are touched by no other thread. */
    if (evthread_use_pthreads() != 0)
        return 1;
    if (sodium_init() < 0)
        return 1;
    if (cm_config_load("edge", cm_config_env, &e.cfg, errbuf, sizeof errbuf) != CM_OK) {
        cm_log_init("edge", "info");
        cm_error("config: %s", errbuf);
        return 2;
    }
    cm_log_init("edge", e.cfg.log_level);
    e.stop = &cm_stop_requested;
    e.metrics = cm_metrics_new("edge");
    e.keys = token_keys_new();
    e.revoked = revocations_new((int64_t)e.cfg.access_token_ttl_s + 60);
    e.nloops = e.cfg.edge_threads;
    e.loops = cm_xcalloc((size_t)e.nloops, sizeof *e.loops);
    for (int i = 0; i < e.nloops; i++) {
        e.loops[i].edge = &e;
        e.loops[i].cfg = &e.cfg;
        e.loops[i].index = i;
        if (edge_loop_start(&e.loops[i]) != 0) {
            cm_error("edge loop %d failed to start", i);
            rc = 1;
            cm_stop_requested = 1;
            break;
        }
    }
    if (rc == 0 && (cm_nats_connect(e.cfg.nats_url, "edge", 1, (volatile int *)e.stop,
                                    &e.bg_nc) != CM_OK ||
                    token_keys_start(e.keys, e.bg_nc, e.stop) != CM_OK ||
                    revocations_start(e.revoked, e.bg_nc, e.stop) != CM_OK)) {
        rc = 1;
        cm_stop_requested = 1;
    }
    if (rc == 0 && edge_body_limit_check(e.cfg.max_body_bytes, e.cfg.max_header_bytes,
                                         natsConnection_GetMaxPayload(e.bg_nc), errbuf,
                                         sizeof errbuf) != 0) {
        cm_error("config: %s", errbuf); /* refused: bodies near the limit could never be sent */
        rc = 2;
        cm_stop_requested = 1;
    }
    if (rc == 0 && cm_admin_start(e.cfg.admin_host, e.cfg.admin_port, e.metrics, check_ready, &e,
                                  &admin) != CM_OK) {
        rc = 1;
        cm_stop_requested = 1;
    }
    if (rc == 0)
        cm_info("edge listening on %s:%d with %d loops", e.cfg.edge_host, e.cfg.edge_port,
                e.nloops);
    while (!cm_stop_requested)
        usleep(100 * 1000);
    cm_info("draining");
    for (int i = 0; i < e.nloops; i++)
        edge_loop_join(&e.loops[i]);
    token_keys_free(e.keys); /* the loops are gone: nobody reads the set any more */
    revocations_free(e.revoked);
    cm_nats_close(e.bg_nc, 1000);
    cm_admin_stop(admin);
    cm_metrics_free(e.metrics);
    free(e.loops);
    cm_config_release(&e.cfg);
    cm_info("stopped");
    return rc;
}
