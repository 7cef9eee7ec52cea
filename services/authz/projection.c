/* projection.c: the thread that feeds authz's projection of identity from
 * the durable JetStream consumer "authz" (projection.h), and the question
 * "has it caught up?".
 *
 * The loop, one round at a time:
 *   1. make sure its Postgres connection is up;
 *   2. until the projection has been populated once, try a full
 *      re-population (repopulate.h), again with backoff when it fails;
 *   3. make sure the consumer exists with our settings and a pull
 *      subscription is bound to it;
 *   4. fetch one message (waiting PROJECTION_FETCH_WAIT_MS) and handle it:
 *      decode, apply in one transaction (projection_store_apply), ack.
 *      While Postgres fails, retry the same message (telling JetStream it
 *      is in progress); at stop, nak it so that another copy gets it at
 *      once. On any failure sleep with backoff. */
#include "projection.h"

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
#include "projection_store.h"
#include "repopulate.h"

#define NS_PER_MS 1000000LL
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 5000
#define REPOPULATE_RETRY_MAX_MS 30000 /* between failed first populations */
#define REPOPULATE_BUSY_MS 2000       /* another copy holds the lock */
#define LOG_EVERY_FAILURES 30         /* a streak of failures logs its 1st, 31st, ... */
#define SLICE_MS 50                   /* sleeps look at the stop flag this often */

struct projection {
    const struct cm_config *cfg;
    natsConnection *nc; /* borrowed */
    jsCtx *js;
    natsSubscription *sub; /* bound to the durable consumer; NULL until then */
    PGconn *pg;            /* the thread's own */
    pthread_t thread;
    atomic_int stop;
    int populated; /* projection_state.last_populated_at seen set */
    int64_t next_repopulate_ms;
    int repopulate_failures;
    int failures; /* consecutive failed rounds */
    char why[256];
};

/* Sleeps ms, or less when stop is raised. */
static void nap(struct projection *p, int ms)
{
    int64_t until = cm_now_ms() + ms;

    while (!atomic_load(&p->stop) && cm_now_ms() < until)
        usleep(SLICE_MS * 1000);
}

static int backoff_ms(int failures)
{
    int ms = BACKOFF_MIN_MS;

    for (int i = 1; i < failures && ms < BACKOFF_MAX_MS; i++)
        ms *= 2;
    return ms < BACKOFF_MAX_MS ? ms : BACKOFF_MAX_MS;
}

static cm_err ensure_pg(struct projection *p)
{
    cm_err err = p->pg ? cm_pg_ensure(p->cfg, &p->pg) : cm_pg_connect(p->cfg, &p->pg);

    if (err != CM_OK)
        snprintf(p->why, sizeof p->why, "postgres unavailable (%s)", cm_err_name(err));
    return err;
}

/* --- the first population --- */

static void first_population(struct projection *p)
{
    struct repopulate_result r;
    int delay;
    cm_err err;

    if (p->populated || cm_now_ms() < p->next_repopulate_ms)
        return;
    err = projection_store_populated(p->pg, &p->populated);
    if (err == CM_OK && !p->populated) {
        cm_info("projection: never populated, re-populating from identity");
        err = repopulate_run(p->pg, p->nc, p->cfg, &p->stop, &r);
        p->populated = err == CM_OK;
    }
    if (err == CM_OK || atomic_load(&p->stop))
        return;
    if (err == CM_ECONFLICT) { /* another copy is at it: look again soon */
        p->next_repopulate_ms = cm_now_ms() + REPOPULATE_BUSY_MS;
        return;
    }
    delay = backoff_ms(++p->repopulate_failures) * 6;
    p->next_repopulate_ms =
        cm_now_ms() + (delay < REPOPULATE_RETRY_MAX_MS ? delay : REPOPULATE_RETRY_MAX_MS);
    cm_warn("projection: first population failed (%s); retrying in %d ms", cm_err_name(err),
            delay < REPOPULATE_RETRY_MAX_MS ? delay : REPOPULATE_RETRY_MAX_MS);
}

/* --- the consumer --- */

static void consumer_config(jsConsumerConfig *cc)
{
    jsConsumerConfig_Init(cc);
    cc->Durable = PROJECTION_CONSUMER;
    cc->Description = "authz's projection of identity's users, memberships and roles";
    cc->DeliverPolicy = js_DeliverAll;
    cc->AckPolicy = js_AckExplicit;
    cc->AckWait = PROJECTION_ACK_WAIT_MS * NS_PER_MS;
    cc->MaxAckPending = 1; /* one at a time: stream order across copies */
    cc->MaxDeliver = -1;
    cc->FilterSubject = PROJECTION_FILTER;
}

/* Creates the durable consumer, or brings an existing one to our settings
 * (the ones JetStream lets change). */
static natsStatus ensure_consumer(struct projection *p)
{
    jsConsumerInfo *ci = NULL;
    jsConsumerConfig cc;
    jsErrCode jerr = 0;
    natsStatus s;

    consumer_config(&cc);
    s = js_GetConsumerInfo(&ci, p->js, CM_OUTBOX_STREAM, PROJECTION_CONSUMER, NULL, &jerr);
    if (s == NATS_NOT_FOUND || jerr == JSConsumerNotFoundErr) {
        jerr = 0;
        s = js_AddConsumer(&ci, p->js, CM_OUTBOX_STREAM, &cc, NULL, &jerr);
        if (s == NATS_OK)
            cm_info("projection: created durable consumer %s on %s (%s)", PROJECTION_CONSUMER,
                    CM_OUTBOX_STREAM, PROJECTION_FILTER);
    } else if (s == NATS_OK && (ci->Config->MaxAckPending != cc.MaxAckPending ||
                                ci->Config->AckWait != cc.AckWait)) {
        jsConsumerInfo_Destroy(ci);
        ci = NULL;
        s = js_UpdateConsumer(&ci, p->js, CM_OUTBOX_STREAM, &cc, NULL, &jerr);
    }
    jsConsumerInfo_Destroy(ci);
    if (s != NATS_OK)
        snprintf(p->why, sizeof p->why, "consumer %s on %s unavailable: %s (jetstream error %d)",
                 PROJECTION_CONSUMER, CM_OUTBOX_STREAM, natsStatus_GetText(s), (int)jerr);
    return s;
}

static cm_err subscribe(struct projection *p)
{
    jsSubOptions so;
    jsErrCode jerr = 0;
    natsStatus s;

    if (!cm_nats_connected(p->nc)) {
        snprintf(p->why, sizeof p->why, "nats not connected");
        return CM_EUNAVAIL;
    }
    s = ensure_consumer(p);
    if (s != NATS_OK)
        return CM_EUNAVAIL;
    jsSubOptions_Init(&so);
    so.Stream = CM_OUTBOX_STREAM;
    so.Consumer = PROJECTION_CONSUMER; /* bind: never created, so never deleted, by nats.c */
    s = js_PullSubscribe(&p->sub, p->js, PROJECTION_FILTER, PROJECTION_CONSUMER, NULL, &so, &jerr);
    if (s != NATS_OK) {
        p->sub = NULL;
        snprintf(p->why, sizeof p->why, "pull subscribe failed: %s (jetstream error %d)",
                 natsStatus_GetText(s), (int)jerr);
        return CM_EUNAVAIL;
    }
    cm_info("projection: consuming %s through durable consumer %s", PROJECTION_FILTER,
            PROJECTION_CONSUMER);
    return CM_OK;
}

static void drop_subscription(struct projection *p)
{
    natsSubscription_Destroy(p->sub); /* the durable consumer stays */
    p->sub = NULL;
}

/* Applies change c of msg until it is committed (then acks it), refused
 * for good (logs, acks), or stop (naks: redelivered at once). */
static void apply_until_done(struct projection *p, natsMsg *msg, const char *id,
                             const struct projection_change *c)
{
    int failures = 0, applied = 0;

    if (p->cfg->projection_apply_delay_ms > 0)
        nap(p, p->cfg->projection_apply_delay_ms);
    for (;;) {
        cm_err err = atomic_load(&p->stop) ? CM_EUNAVAIL : ensure_pg(p);

        if (err == CM_OK)
            err = projection_store_apply(p->pg, id, c, &applied);
        if (err == CM_OK) {
            cm_debug("projection: event %s %s", id, applied ? "applied" : "already handled");
            natsMsg_Ack(msg, NULL);
            return;
        }
        if (err == CM_EINVAL) {
            cm_error("projection: event %s on %s refused by the database; skipped", id,
                     natsMsg_GetSubject(msg));
            natsMsg_Ack(msg, NULL);
            return;
        }
        if (atomic_load(&p->stop)) {
            natsMsg_Nak(msg, NULL);
            return;
        }
        if (failures++ % LOG_EVERY_FAILURES == 0)
            cm_warn("projection: event %s not applied (%s); retrying", id, cm_err_name(err));
        natsMsg_InProgress(msg, NULL); /* keep it ours meanwhile */
        nap(p, backoff_ms(failures));
    }
}

/* One message: owned by the caller. */
static void handle(struct projection *p, natsMsg *msg)
{
    struct projection_change c;
    const char *id = NULL;
    char why[160];
    cm_err err;

    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || !cm_uuid_valid(id)) {
        cm_warn("projection: event on %s without a uuid Nats-Msg-Id; skipped",
                natsMsg_GetSubject(msg));
        natsMsg_Ack(msg, NULL);
        return;
    }
    err = projection_decode(natsMsg_GetSubject(msg), (const uint8_t *)natsMsg_GetData(msg),
                            (size_t)natsMsg_GetDataLength(msg), &c, why, sizeof why);
    if (err != CM_OK)
        cm_warn("projection: malformed event %s on %s (%s); skipped", id, natsMsg_GetSubject(msg),
                why);
    if (err != CM_OK || c.kind == PROJECTION_IGNORE)
        natsMsg_Ack(msg, NULL);
    else
        apply_until_done(p, msg, id, &c);
    projection_change_release(&c);
}

/* One round; CM_OK when nothing failed (a fetch that found nothing too). */
static cm_err round_once(struct projection *p)
{
    natsMsgList list = {0};
    jsErrCode jerr = 0;
    natsStatus s;
    cm_err err = ensure_pg(p);

    if (err == CM_OK)
        first_population(p);
    if (err == CM_OK && !p->sub)
        err = subscribe(p);
    if (err != CM_OK || atomic_load(&p->stop))
        return err;
    s = natsSubscription_Fetch(&list, p->sub, 1, PROJECTION_FETCH_WAIT_MS, &jerr);
    if (s == NATS_TIMEOUT)
        return CM_OK;
    if (s != NATS_OK) {
        snprintf(p->why, sizeof p->why, "fetch failed: %s (jetstream error %d)",
                 natsStatus_GetText(s), (int)jerr);
        drop_subscription(p); /* bind again: the consumer may have gone */
        return CM_EUNAVAIL;
    }
    for (int i = 0; i < list.Count; i++)
        handle(p, list.Msgs[i]);
    natsMsgList_Destroy(&list);
    return CM_OK;
}

static void *run(void *arg)
{
    struct projection *p = arg;

    cm_info("projection thread started");
    while (!atomic_load(&p->stop)) {
        if (round_once(p) == CM_OK) {
            if (p->failures)
                cm_info("projection resumed after %d failed rounds", p->failures);
            p->failures = 0;
            continue;
        }
        if (atomic_load(&p->stop))
            break;
        if (p->failures++ % LOG_EVERY_FAILURES == 0)
            cm_warn("projection: %s; retrying with backoff", p->why);
        nap(p, backoff_ms(p->failures));
    }
    cm_info("projection thread stopped");
    return NULL;
}

static void projection_free(struct projection *p)
{
    drop_subscription(p);
    jsCtx_Destroy(p->js);
    PQfinish(p->pg);
    free(p);
}

cm_err projection_start(const struct cm_config *cfg, natsConnection *nc, void **out_state)
{
    struct projection *p = cm_xcalloc(1, sizeof *p);
    jsOptions jo;

    p->cfg = cfg;
    p->nc = nc;
    jsOptions_Init(&jo);
    jo.Wait = 5000;
    if (natsConnection_JetStream(&p->js, nc, &jo) != NATS_OK) {
        cm_error("projection: jetstream context: %s", nats_GetLastError(NULL));
        projection_free(p);
        return CM_EINTERNAL;
    }
    if (pthread_create(&p->thread, NULL, run, p) != 0) {
        cm_error("projection: cannot start its thread");
        projection_free(p);
        return CM_EINTERNAL;
    }
    *out_state = p;
    return CM_OK;
}

void projection_stop(void *state)
{
    struct projection *p = state;

    if (!p)
        return;
    atomic_store(&p->stop, 1);
    pthread_join(p->thread, NULL);
    projection_free(p);
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
