/* delivery_feed.c: the consumer of messaging's delivery events
 * (delivery_feed.h). Each round: make sure of Postgres and the durable
 * consumer, fetch a few events, apply each until it commits (then ack),
 * skip malformed ones (ack, logged), and back off on any failure. */
#include "delivery_feed.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "cm_outbox.h"
#include "cm_pg.h"
#include "cm_time.h"
#include "messaging.pb-c.h"
#include "store_delivery_results.h"

#define NS_PER_MS 1000000LL
#define ACK_WAIT_MS 30000
#define FETCH_WAIT_MS 500
#define FETCH_BATCH 16
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 5000
#define LOG_EVERY_FAILURES 30
#define SLICE_MS 50

struct delivery_feed {
    const struct cm_config *cfg;
    natsConnection *nc;
    jsCtx *js;
    natsSubscription *sub;
    PGconn *pg;
    pthread_t thread;
    atomic_int stop;
    int failures;
    char why[200];
};

static void nap(struct delivery_feed *f, int ms)
{
    int64_t until = cm_now_ms() + ms;

    while (!atomic_load(&f->stop) && cm_now_ms() < until)
        usleep(SLICE_MS * 1000);
}

static int backoff_ms(int failures)
{
    int ms = BACKOFF_MIN_MS;

    for (int i = 1; i < failures && ms < BACKOFF_MAX_MS; i++)
        ms *= 2;
    return ms < BACKOFF_MAX_MS ? ms : BACKOFF_MAX_MS;
}

static cm_err ensure_pg(struct delivery_feed *f)
{
    cm_err err = f->pg ? cm_pg_ensure(f->cfg, &f->pg) : cm_pg_connect(f->cfg, &f->pg);

    if (err != CM_OK)
        snprintf(f->why, sizeof f->why, "postgres unavailable (%s)", cm_err_name(err));
    return err;
}

static natsStatus ensure_consumer(struct delivery_feed *f)
{
    jsConsumerInfo *ci = NULL;
    jsConsumerConfig cc;
    jsErrCode jerr = 0;
    natsStatus s;

    jsConsumerConfig_Init(&cc);
    cc.Durable = DELIVERY_FEED_CONSUMER;
    cc.Description = "onboarding: delivery results of invitations";
    cc.DeliverPolicy = js_DeliverAll; /* applying is idempotent; stream order */
    cc.MaxAckPending = 1;
    cc.AckPolicy = js_AckExplicit;
    cc.AckWait = ACK_WAIT_MS * NS_PER_MS;
    cc.MaxDeliver = -1;
    cc.FilterSubject = DELIVERY_FEED_FILTER;
    s = js_GetConsumerInfo(&ci, f->js, CM_OUTBOX_STREAM, DELIVERY_FEED_CONSUMER, NULL, &jerr);
    if (s == NATS_NOT_FOUND || jerr == JSConsumerNotFoundErr) {
        jerr = 0;
        s = js_AddConsumer(&ci, f->js, CM_OUTBOX_STREAM, &cc, NULL, &jerr);
        if (s == NATS_OK)
            cm_info("delivery feed: created durable consumer %s", DELIVERY_FEED_CONSUMER);
    }
    jsConsumerInfo_Destroy(ci);
    if (s != NATS_OK)
        snprintf(f->why, sizeof f->why, "consumer %s unavailable: %s (jetstream error %d)",
                 DELIVERY_FEED_CONSUMER, natsStatus_GetText(s), (int)jerr);
    return s;
}

static cm_err subscribe(struct delivery_feed *f)
{
    jsSubOptions so;
    jsErrCode jerr = 0;
    natsStatus s;

    if (!cm_nats_connected(f->nc)) {
        snprintf(f->why, sizeof f->why, "nats not connected");
        return CM_EUNAVAIL;
    }
    if (ensure_consumer(f) != NATS_OK)
        return CM_EUNAVAIL;
    jsSubOptions_Init(&so);
    so.Stream = CM_OUTBOX_STREAM;
    so.Consumer = DELIVERY_FEED_CONSUMER;
    s = js_PullSubscribe(&f->sub, f->js, DELIVERY_FEED_FILTER, DELIVERY_FEED_CONSUMER, NULL, &so,
                         &jerr);
    if (s != NATS_OK) {
        f->sub = NULL;
        snprintf(f->why, sizeof f->why, "pull subscribe failed: %s (jetstream error %d)",
                 natsStatus_GetText(s), (int)jerr);
        return CM_EUNAVAIL;
    }
    return CM_OK;
}

/* One event (owned by the caller): applied until committed, then acked. */
static void handle(struct delivery_feed *f, natsMsg *msg)
{
    const char *id = NULL;
    Messaging__DeliveryChanged *ev;
    int failures = 0, applied = 0;

    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || !cm_uuid_valid(id)) {
        cm_warn("delivery feed: event on %s without a uuid id; skipped", natsMsg_GetSubject(msg));
        natsMsg_Ack(msg, NULL);
        return;
    }
    ev = messaging__delivery_changed__unpack(NULL, (size_t)natsMsg_GetDataLength(msg),
                                             (const uint8_t *)natsMsg_GetData(msg));
    if (!ev || !cm_uuid_valid(ev->message_id)) {
        cm_warn("delivery feed: malformed event %s; skipped", id);
        if (ev)
            messaging__delivery_changed__free_unpacked(ev, NULL);
        natsMsg_Ack(msg, NULL);
        return;
    }
    struct delivery_result r = {id,
                                ev->change,
                                ev->message_id,
                                ev->error,
                                ev->bounce_type,
                                ev->bounce_subtype,
                                ev->occurred_at};
    for (;;) {
        cm_err err = atomic_load(&f->stop) ? CM_EUNAVAIL : ensure_pg(f);

        if (err == CM_OK)
            err = store_delivery_result_apply(f->pg, &r, &applied);
        if (err == CM_OK || err == CM_EINVAL) {
            if (err == CM_EINVAL)
                cm_error("delivery feed: event %s refused by the database; skipped", id);
            natsMsg_Ack(msg, NULL);
            break;
        }
        if (atomic_load(&f->stop)) {
            natsMsg_Nak(msg, NULL);
            break;
        }
        if (failures++ % LOG_EVERY_FAILURES == 0)
            cm_warn("delivery feed: event %s not applied (%s); retrying", id, cm_err_name(err));
        natsMsg_InProgress(msg, NULL);
        nap(f, backoff_ms(failures));
    }
    messaging__delivery_changed__free_unpacked(ev, NULL);
}

static cm_err round_once(struct delivery_feed *f)
{
    natsMsgList list = {0};
    jsErrCode jerr = 0;
    natsStatus s;
    cm_err err = ensure_pg(f);

    if (err == CM_OK && !f->sub)
        err = subscribe(f);
    if (err != CM_OK || atomic_load(&f->stop))
        return err;
    s = natsSubscription_Fetch(&list, f->sub, FETCH_BATCH, FETCH_WAIT_MS, &jerr);
    if (s == NATS_TIMEOUT)
        return CM_OK;
    if (s != NATS_OK) {
        snprintf(f->why, sizeof f->why, "fetch failed: %s (jetstream error %d)",
                 natsStatus_GetText(s), (int)jerr);
        natsSubscription_Destroy(f->sub);
        f->sub = NULL;
        return CM_EUNAVAIL;
    }
    for (int i = 0; i < list.Count; i++)
        handle(f, list.Msgs[i]);
    natsMsgList_Destroy(&list);
    return CM_OK;
}

static void *run(void *arg)
{
    struct delivery_feed *f = arg;

    while (!atomic_load(&f->stop)) {
        if (round_once(f) == CM_OK) {
            f->failures = 0;
            continue;
        }
        if (atomic_load(&f->stop))
            break;
        if (f->failures++ % LOG_EVERY_FAILURES == 0)
            cm_warn("delivery feed: %s; retrying with backoff", f->why);
        nap(f, backoff_ms(f->failures));
    }
    return NULL;
}

static void feed_free(struct delivery_feed *f)
{
    natsSubscription_Destroy(f->sub); /* the durable consumer stays */
    jsCtx_Destroy(f->js);
    PQfinish(f->pg);
    free(f);
}

cm_err delivery_feed_start(const struct cm_config *cfg, natsConnection *nc, void **out_state)
{
    struct delivery_feed *f = cm_xcalloc(1, sizeof *f);
    jsOptions jo;

    f->cfg = cfg;
    f->nc = nc;
    jsOptions_Init(&jo);
    jo.Wait = 5000;
    if (natsConnection_JetStream(&f->js, nc, &jo) != NATS_OK) {
        cm_error("delivery feed: jetstream context: %s", nats_GetLastError(NULL));
        feed_free(f);
        return CM_EINTERNAL;
    }
    if (pthread_create(&f->thread, NULL, run, f) != 0) {
        cm_error("delivery feed: cannot start its thread");
        feed_free(f);
        return CM_EINTERNAL;
    }
    *out_state = f;
    return CM_OK;
}

void delivery_feed_stop(void *state)
{
    struct delivery_feed *f = state;

    if (!f)
        return;
    atomic_store(&f->stop, 1);
    pthread_join(f->thread, NULL);
    feed_free(f);
}
