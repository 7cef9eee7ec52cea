/* cm_feed.h: a thread that applies the events of one durable JetStream
 * consumer to its service's database, once each, in stream order.
 *
 * What authz's projection of identity and onboarding's delivery feed do
 * alike, written once. Each round the thread:
 *   1. makes sure of its own Postgres connection;
 *   2. calls spec->each_round (optional: work the service does between
 *      fetches, such as a first population);
 *   3. makes sure the durable consumer exists on CM_OUTBOX_STREAM with the
 *      spec's settings (with update_existing, an existing one is brought to
 *      the spec's MaxAckPending and AckWait) and a pull subscription is
 *      bound to it;
 *   4. fetches up to spec->batch messages (waiting spec->fetch_wait_ms) and
 *      handles each: a message without a uuid Nats-Msg-Id is acked and
 *      skipped (logged); otherwise spec->apply runs until it answers CM_OK
 *      (ack) or CM_EINVAL (refused for good: logged, acked); on any other
 *      answer the message is kept (InProgress) and retried with backoff,
 *      and at stop it is nakked so that another copy gets it at once.
 * A failed round sleeps with backoff (CM_FEED_BACKOFF_MIN_MS doubling up to
 * CM_FEED_BACKOFF_MAX_MS); a streak of failures logs its 1st, 31st, ...
 * Everything runs on the feed's thread; spec and ctx are borrowed for the
 * feed's life. */
#ifndef CM_FEED_H
#define CM_FEED_H

#include <libpq-fe.h>
#include <nats/nats.h>
#include <stdatomic.h>

#include "cm_config.h"
#include "cm_err.h"

#define CM_FEED_BACKOFF_MIN_MS 250
#define CM_FEED_BACKOFF_MAX_MS 5000

struct cm_feed;

struct cm_feed_spec {
    const char *name;        /* log prefix, e.g. "projection" */
    const char *durable;     /* durable consumer name */
    const char *description; /* the consumer's description */
    const char *filter;      /* subject filter on CM_OUTBOX_STREAM */
    int ack_wait_ms;         /* redelivery after a silent copy */
    int max_ack_pending;     /* 1: one at a time, stream order across copies */
    int batch;               /* messages per fetch */
    int fetch_wait_ms;       /* one pull; also the stop latency */
    int update_existing;     /* bring an existing consumer to these settings */
    /* Optional, once a round with pg up (borrowed, the feed's own). */
    void (*each_round)(struct cm_feed *f, void *ctx, PGconn *pg);
    /* One attempt at message msg (borrowed) with event id id (a uuid);
     * attempt counts from 0. CM_OK: done (acked); CM_EINVAL: refused for
     * good (acked, logged); anything else: retried. */
    cm_err (*apply)(struct cm_feed *f, void *ctx, PGconn *pg, const char *id, natsMsg *msg,
                    int attempt);
    void *ctx; /* passed to the callbacks */
};

/* Starts the feed's thread (spec, cfg and nc borrowed for the feed's life)
 * into *out. CM_OK; CM_EINTERNAL when the JetStream context or the thread
 * cannot be made (logged). */
cm_err cm_feed_start(const struct cm_feed_spec *spec, const struct cm_config *cfg,
                     natsConnection *nc, struct cm_feed **out);

/* Raises stop, joins the thread and frees f; the durable consumer stays.
 * NULL is a no-op. */
void cm_feed_stop(struct cm_feed *f);

/* The stop flag (borrowed, valid until cm_feed_stop), for long work in the
 * callbacks that must end early at stop. */
const atomic_int *cm_feed_stop_flag(const struct cm_feed *f);

/* Sleeps ms, or less when stop is raised. */
void cm_feed_nap(struct cm_feed *f, int ms);

/* Delay before retry number failures (1, 2, ...): CM_FEED_BACKOFF_MIN_MS
 * doubling up to CM_FEED_BACKOFF_MAX_MS; CM_FEED_BACKOFF_MIN_MS when
 * failures <= 1. */
int cm_feed_backoff_ms(int failures);

#endif
