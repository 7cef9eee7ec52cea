/* projection.c: authz's projection of identity (projection.h): the event
 * feed (cm_feed.h: a durable JetStream consumer "authz" applied one message
 * at a time on its own thread and PGconn), the first population it runs
 * between fetches until it has worked once, and the question "has it
 * caught up?".
 *
 * Each message is decoded and applied in one transaction
 * (projection_store_apply); subjects the projection does not hold and
 * malformed events are acked and skipped. While Postgres fails the feed
 * retries the same message; at stop it is nakked (cm_feed.h). */
#include "projection.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "cm_alloc.h"
#include "cm_feed.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "cm_outbox.h"
#include "cm_time.h"
#include "projection_store.h"
#include "repopulate.h"

#define REPOPULATE_RETRY_MAX_MS 30000 /* between failed first populations */
#define REPOPULATE_BUSY_MS 2000       /* another copy holds the lock */

struct projection {
    const struct cm_config *cfg;
    natsConnection *nc; /* borrowed */
    struct cm_feed_spec spec;
    struct cm_feed *feed;
    int populated; /* projection_state.last_populated_at seen set */
    int64_t next_repopulate_ms;
    int repopulate_failures;
};

/* The first population: each round until it has worked once (cm_feed's
 * each_round hook). */
static void first_population(struct cm_feed *f, void *ctx, PGconn *pg)
{
    struct projection *p = ctx;
    struct repopulate_result r;
    int delay;
    cm_err err;

    if (p->populated || cm_now_ms() < p->next_repopulate_ms)
        return;
    err = projection_store_populated(pg, &p->populated);
    if (err == CM_OK && !p->populated) {
        cm_info("projection: never populated, re-populating from identity");
        err = repopulate_run(pg, p->nc, p->cfg, cm_feed_stop_flag(f), &r);
        p->populated = err == CM_OK;
    }
    if (err == CM_OK || atomic_load(cm_feed_stop_flag(f)))
        return;
    if (err == CM_ECONFLICT) { /* another copy is at it: look again soon */
        p->next_repopulate_ms = cm_now_ms() + REPOPULATE_BUSY_MS;
        return;
    }
    delay = cm_feed_backoff_ms(++p->repopulate_failures) * 6;
    if (delay > REPOPULATE_RETRY_MAX_MS)
        delay = REPOPULATE_RETRY_MAX_MS;
    p->next_repopulate_ms = cm_now_ms() + delay;
    cm_warn("projection: first population failed (%s); retrying in %d ms", cm_err_name(err),
            delay);
}

/* One attempt at one event (cm_feed's apply hook): decoded, then applied in
 * one transaction. Malformed events and subjects the projection does not
 * hold are done (acked). */
static cm_err apply(struct cm_feed *f, void *ctx, PGconn *pg, const char *id, natsMsg *msg,
                    int attempt)
{
    struct projection *p = ctx;
    struct projection_change c;
    char why[160];
    int applied = 0;
    cm_err err;

    err = projection_decode(natsMsg_GetSubject(msg), (const uint8_t *)natsMsg_GetData(msg),
                            (size_t)natsMsg_GetDataLength(msg), &c, why, sizeof why);
    if (err != CM_OK) {
        cm_warn("projection: malformed event %s on %s (%s); skipped", id, natsMsg_GetSubject(msg),
                why);
        projection_change_release(&c);
        return CM_OK;
    }
    if (c.kind == PROJECTION_IGNORE) {
        projection_change_release(&c);
        return CM_OK;
    }
    if (attempt == 0 && p->cfg->projection_apply_delay_ms > 0)
        cm_feed_nap(f, p->cfg->projection_apply_delay_ms);
    err = atomic_load(cm_feed_stop_flag(f)) ? CM_EUNAVAIL
                                              : projection_store_apply(pg, id, &c, &applied);
    if (err == CM_OK)
        cm_debug("projection: event %s %s", id, applied ? "applied" : "already handled");
    projection_change_release(&c);
    return err;
}

cm_err projection_start(const struct cm_config *cfg, natsConnection *nc, void **out_state)
{
    struct projection *p = cm_xcalloc(1, sizeof *p);
    cm_err err;

    p->cfg = cfg;
    p->nc = nc;
    p->spec = (struct cm_feed_spec){
        .name = "projection",
        .durable = PROJECTION_CONSUMER,
        .description = "authz's projection of identity's users, memberships and roles",
        .filter = PROJECTION_FILTER,
        .ack_wait_ms = PROJECTION_ACK_WAIT_MS,
        .max_ack_pending = 1, /* one at a time: stream order across copies */
        .batch = 1,
        .fetch_wait_ms = PROJECTION_FETCH_WAIT_MS,
        .update_existing = 1,
        .each_round = first_population,
        .apply = apply,
        .ctx = p,
    };
    err = cm_feed_start(&p->spec, cfg, nc, &p->feed);
    if (err != CM_OK) {
        free(p);
        return err;
    }
    *out_state = p;
    return CM_OK;
}

void projection_stop(void *state)
{
    struct projection *p = state;

    if (!p)
        return;
    cm_feed_stop(p->feed);
    free(p);
}

cm_err projection_caught_up(natsConnection *nc, int timeout_ms, int *out_caught_up)
{
    jsCtx *js = NULL;
    jsConsumerInfo *ci = NULL;
    jsOptions jo;
    jsErrCode jerr = 0;
    natsStatus s;

    if (!cm_nats_connected(nc))
        return CM_EUNAVAIL;
    jsOptions_Init(&jo);
    jo.Wait = timeout_ms;
    s = natsConnection_JetStream(&js, nc, &jo);
    if (s == NATS_OK)
        s = js_GetConsumerInfo(&ci, js, CM_OUTBOX_STREAM, PROJECTION_CONSUMER, NULL, &jerr);
    if (s == NATS_OK)
        *out_caught_up = ci->NumPending == 0 && ci->NumAckPending == 0;
    jsConsumerInfo_Destroy(ci);
    jsCtx_Destroy(js);
    return s == NATS_OK ? CM_OK : CM_EUNAVAIL;
}
