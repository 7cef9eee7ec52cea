/* cm_feed.c: the thread that applies a durable JetStream consumer's events
 * to the service's database (cm_feed.h). */
#include "cm_feed.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cm_alloc.h"
#include "cm_jsonapi.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "cm_outbox.h"
#include "cm_pg.h"
#include "cm_time.h"

#define NS_PER_MS 1000000LL
#define LOG_EVERY_FAILURES 30 /* a streak of failures logs its 1st, 31st, ... */
#define SLICE_MS 50           /* sleeps look at the stop flag this often */

struct cm_feed {
    const struct cm_feed_spec *spec;
    const struct cm_config *cfg;
    natsConnection *nc; /* borrowed */
    jsCtx *js;
    natsSubscription *sub; /* bound to the durable consumer; NULL until then */
    PGconn *pg;            /* the thread's own */
    pthread_t thread;
    atomic_int stop;
    int failures; /* consecutive failed rounds */
    char why[256];
};

int cm_feed_backoff_ms(int failures)
{
    int ms = CM_FEED_BACKOFF_MIN_MS;

    for (int i = 1; i < failures && ms < CM_FEED_BACKOFF_MAX_MS; i++)
        ms *= 2;
    return ms < CM_FEED_BACKOFF_MAX_MS ? ms : CM_FEED_BACKOFF_MAX_MS;
}

void cm_feed_nap(struct cm_feed *f, int ms)
{
    int64_t until = cm_now_ms() + ms;

    while (!atomic_load(&f->stop) && cm_now_ms() < until)
        usleep(SLICE_MS * 1000);
}

const atomic_int *cm_feed_stop_flag(const struct cm_feed *f)
{
    return &f->stop;
}

static cm_err ensure_pg(struct cm_feed *f)
{
    cm_err err = f->pg ? cm_pg_ensure(f->cfg, &f->pg) : cm_pg_connect(f->cfg, &f->pg);

    if (err != CM_OK)
        snprintf(f->why, sizeof f->why, "postgres unavailable (%s)", cm_err_name(err));
    return err;
}

/* --- the consumer --- */

static void consumer_config(const struct cm_feed_spec *spec, jsConsumerConfig *cc)
{
    jsConsumerConfig_Init(cc);
    cc->Durable = spec->durable;
    cc->Description = spec->description;
    cc->DeliverPolicy = js_DeliverAll; /* applying is idempotent; stream order */
    cc->AckPolicy = js_AckExplicit;
    cc->AckWait = spec->ack_wait_ms * NS_PER_MS;
    cc->MaxAckPending = spec->max_ack_pending;
    cc->MaxDeliver = -1;
    cc->FilterSubject = spec->filter;
}

/* Creates the durable consumer, or (update_existing) brings an existing
 * one to our settings (the ones JetStream lets change). */
static natsStatus ensure_consumer(struct cm_feed *f)
{
    const struct cm_feed_spec *spec = f->spec;
    jsConsumerInfo *ci = NULL;
    jsConsumerConfig cc;
    jsErrCode jerr = 0;
    natsStatus s;

    consumer_config(spec, &cc);
    s = js_GetConsumerInfo(&ci, f->js, CM_OUTBOX_STREAM, spec->durable, NULL, &jerr);
    if (s == NATS_NOT_FOUND || jerr == JSConsumerNotFoundErr) {
        jerr = 0;
        s = js_AddConsumer(&ci, f->js, CM_OUTBOX_STREAM, &cc, NULL, &jerr);
        if (s == NATS_OK)
            cm_info("%s: created durable consumer %s on %s (%s)", spec->name, spec->durable,
                    CM_OUTBOX_STREAM, spec->filter);
    } else if (s == NATS_OK && spec->update_existing &&
               (ci->Config->MaxAckPending != cc.MaxAckPending ||
                ci->Config->AckWait != cc.AckWait)) {
        jsConsumerInfo_Destroy(ci);
        ci = NULL;
        s = js_UpdateConsumer(&ci, f->js, CM_OUTBOX_STREAM, &cc, NULL, &jerr);
    }
    jsConsumerInfo_Destroy(ci);
    if (s != NATS_OK)
        snprintf(f->why, sizeof f->why, "consumer %s on %s unavailable: %s (jetstream error %d)",
                 spec->durable, CM_OUTBOX_STREAM, natsStatus_GetText(s), (int)jerr);
    return s;
}

static cm_err subscribe(struct cm_feed *f)
{
    const struct cm_feed_spec *spec = f->spec;
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
    so.Consumer = spec->durable; /* bind: never created, so never deleted, by nats.c */
    s = js_PullSubscribe(&f->sub, f->js, spec->filter, spec->durable, NULL, &so, &jerr);
    if (s != NATS_OK) {
        f->sub = NULL;
        snprintf(f->why, sizeof f->why, "pull subscribe failed: %s (jetstream error %d)",
                 natsStatus_GetText(s), (int)jerr);
        return CM_EUNAVAIL;
    }
    cm_info("%s: consuming %s through durable consumer %s", spec->name, spec->filter,
            spec->durable);
    return CM_OK;
}

static void drop_subscription(struct cm_feed *f)
{
    natsSubscription_Destroy(f->sub); /* the durable consumer stays */
    f->sub = NULL;
}

/* --- the messages --- */

/* One message (owned by the caller): applied until done (acked), refused
 * for good (logged, acked), or stop (nakked: redelivered at once). */
static void handle(struct cm_feed *f, natsMsg *msg)
{
    const struct cm_feed_spec *spec = f->spec;
    const char *id = NULL;
    int failures = 0;

    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || !cm_uuid_valid(id)) {
        cm_warn("%s: event on %s without a uuid Nats-Msg-Id; skipped", spec->name,
                natsMsg_GetSubject(msg));
        natsMsg_Ack(msg, NULL);
        return;
    }
    for (int attempt = 0;; attempt++) {
        cm_err err = atomic_load(&f->stop) ? CM_EUNAVAIL : ensure_pg(f);

        if (err == CM_OK)
            err = spec->apply(f, spec->ctx, f->pg, id, msg, attempt);
        if (err == CM_OK) {
            natsMsg_Ack(msg, NULL);
            return;
        }
        if (err == CM_EINVAL) {
            cm_error("%s: event %s on %s refused by the database; skipped", spec->name, id,
                     natsMsg_GetSubject(msg));
            natsMsg_Ack(msg, NULL);
            return;
        }
        if (atomic_load(&f->stop)) {
            natsMsg_Nak(msg, NULL);
            return;
        }
        if (failures++ % LOG_EVERY_FAILURES == 0)
            cm_warn("%s: event %s not applied (%s); retrying", spec->name, id, cm_err_name(err));
        natsMsg_InProgress(msg, NULL); /* keep it ours meanwhile */
        cm_feed_nap(f, cm_feed_backoff_ms(failures));
    }
}

/* One round; CM_OK when nothing failed (a fetch that found nothing too). */
static cm_err round_once(struct cm_feed *f)
{
    natsMsgList list = {0};
    jsErrCode jerr = 0;
    natsStatus s;
    cm_err err = ensure_pg(f);

    if (err == CM_OK && f->spec->each_round)
        f->spec->each_round(f, f->spec->ctx, f->pg);
    if (err == CM_OK && !f->sub)
        err = subscribe(f);
    if (err != CM_OK || atomic_load(&f->stop))
        return err;
    s = natsSubscription_Fetch(&list, f->sub, f->spec->batch, f->spec->fetch_wait_ms, &jerr);
    if (s == NATS_TIMEOUT)
        return CM_OK;
    if (s != NATS_OK) {
        snprintf(f->why, sizeof f->why, "fetch failed: %s (jetstream error %d)",
                 natsStatus_GetText(s), (int)jerr);
        drop_subscription(f); /* bind again: the consumer may have gone */
        return CM_EUNAVAIL;
    }
    for (int i = 0; i < list.Count; i++)
        handle(f, list.Msgs[i]);
    natsMsgList_Destroy(&list);
    return CM_OK;
}

static void *run(void *arg)
{
    struct cm_feed *f = arg;

    cm_info("%s thread started", f->spec->name);
    while (!atomic_load(&f->stop)) {
        if (round_once(f) == CM_OK) {
            if (f->failures)
                cm_info("%s resumed after %d failed rounds", f->spec->name, f->failures);
            f->failures = 0;
            continue;
        }
        if (atomic_load(&f->stop))
            break;
        if (f->failures++ % LOG_EVERY_FAILURES == 0)
            cm_warn("%s: %s; retrying with backoff", f->spec->name, f->why);
        cm_feed_nap(f, cm_feed_backoff_ms(f->failures));
    }
    cm_info("%s thread stopped", f->spec->name);
    return NULL;
}

static void feed_free(struct cm_feed *f)
{
    drop_subscription(f);
    jsCtx_Destroy(f->js);
    PQfinish(f->pg);
    free(f);
}

cm_err cm_feed_start(const struct cm_feed_spec *spec, const struct cm_config *cfg,
                     natsConnection *nc, struct cm_feed **out)
{
    struct cm_feed *f = cm_xcalloc(1, sizeof *f);
    jsOptions jo;

    f->spec = spec;
    f->cfg = cfg;
    f->nc = nc;
    jsOptions_Init(&jo);
    jo.Wait = 5000;
    if (natsConnection_JetStream(&f->js, nc, &jo) != NATS_OK) {
        cm_error("%s: jetstream context: %s", spec->name, nats_GetLastError(NULL));
        feed_free(f);
        return CM_EINTERNAL;
    }
    if (pthread_create(&f->thread, NULL, run, f) != 0) {
        cm_error("%s: cannot start its thread", spec->name);
        feed_free(f);
        return CM_EINTERNAL;
    }
    *out = f;
    return CM_OK;
}

void cm_feed_stop(struct cm_feed *f)
{
    if (!f)
        return;
    atomic_store(&f->stop, 1);
    pthread_join(f->thread, NULL);
    feed_free(f);
}
