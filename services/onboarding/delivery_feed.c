/* delivery_feed.c: the consumer of messaging's delivery events
 * (delivery_feed.h), a cm_feed (cm_feed.h): fetch a few events, apply each
 * until it commits (then ack), skip malformed ones (ack, logged), and back
 * off on any failure. */
#include "delivery_feed.h"

#include <stdlib.h>

#include "cm_alloc.h"
#include "cm_feed.h"
#include "cm_jsonapi.h"
#include "cm_log.h"
#include "messaging.pb-c.h"
#include "store_delivery_results.h"

#define ACK_WAIT_MS 30000
#define FETCH_WAIT_MS 500
#define FETCH_BATCH 16

struct delivery_feed {
    struct cm_feed_spec spec;
    struct cm_feed *feed;
};

/* One attempt at one event (cm_feed's apply hook); malformed events are
 * done (acked). */
static cm_err apply(struct cm_feed *f, void *ctx, PGconn *pg, const char *id, natsMsg *msg,
                    int attempt)
{
    Messaging__DeliveryChanged *ev;
    int applied = 0;
    cm_err err;

    (void)f;
    (void)ctx;
    (void)attempt;
    ev = messaging__delivery_changed__unpack(NULL, (size_t)natsMsg_GetDataLength(msg),
                                             (const uint8_t *)natsMsg_GetData(msg));
    if (!ev || !cm_uuid_valid(ev->message_id)) {
        cm_warn("delivery feed: malformed event %s; skipped", id);
        if (ev)
            messaging__delivery_changed__free_unpacked(ev, NULL);
        return CM_OK;
    }
    struct delivery_result r = {id,
                                ev->change,
                                ev->message_id,
                                ev->error,
                                ev->bounce_type,
                                ev->bounce_subtype,
                                ev->occurred_at};
    err = store_delivery_result_apply(pg, &r, &applied);
    messaging__delivery_changed__free_unpacked(ev, NULL);
    return err;
}

cm_err delivery_feed_start(const struct cm_config *cfg, natsConnection *nc, void **out_state)
{
    struct delivery_feed *d = cm_xcalloc(1, sizeof *d);
    cm_err err;

    d->spec = (struct cm_feed_spec){
        .name = "delivery feed",
        .durable = DELIVERY_FEED_CONSUMER,
        .description = "onboarding: delivery results of invitations",
        .filter = DELIVERY_FEED_FILTER,
        .ack_wait_ms = ACK_WAIT_MS,
        .max_ack_pending = 1,
        .batch = FETCH_BATCH,
        .fetch_wait_ms = FETCH_WAIT_MS,
        .apply = apply,
        .ctx = d,
    };
    err = cm_feed_start(&d->spec, cfg, nc, &d->feed);
    if (err != CM_OK) {
        free(d);
        return err;
    }
    *out_state = d;
    return CM_OK;
}

void delivery_feed_stop(void *state)
{
    struct delivery_feed *d = state;

    if (!d)
        return;
    cm_feed_stop(d->feed);
    free(d);
}
