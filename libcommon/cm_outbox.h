/* cm_outbox.h: the transactional outbox of a service and its relay to
 * JetStream (DESIGN.md §5, "nothing lost").
 *
 * A state change and the event announcing it commit together: the handler
 * calls cm_outbox_add inside its own transaction, which inserts the packed
 * event into the service schema's `outbox` table. The relay, a thread of the
 * daemon with its own Postgres connection, publishes unsent rows to the
 * JetStream stream EVENTS (subjects "evt.>") with the header Nats-Msg-Id set
 * to the row's id, and marks a row sent only after JetStream acknowledged
 * it. A row is therefore published at least once; the stream's duplicate
 * window drops a republished id, and consumers record handled ids in their
 * `inbox` table, so a redelivery changes nothing.
 *
 * Several copies of a service relay the same table safely: each batch is
 * claimed with SELECT ... FOR UPDATE SKIP LOCKED. The relay is woken by a
 * NOTIFY on channel "outbox_<schema>" that cm_outbox_add sends (delivered at
 * commit), and rescans once a second anyway. */
#ifndef CM_OUTBOX_H
#define CM_OUTBOX_H

#include <libpq-fe.h>
#include <nats/nats.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

#include "cm_config.h"
#include "cm_err.h"
#include "cm_metrics.h"

#define CM_OUTBOX_STREAM "EVENTS"
#define CM_OUTBOX_SUBJECTS "evt.>"
#define CM_OUTBOX_MIGRATION "000_outbox_inbox.sql"
#define CM_OUTBOX_MAX_SUBJECT 200
#define CM_OUTBOX_MAX_PAYLOAD (512 * 1024) /* well under NATS's 1 MiB max_payload */
#define CM_OUTBOX_BATCH 100                /* rows claimed and published at once */
#define CM_OUTBOX_BACKOFF_MIN_MS 250
#define CM_OUTBOX_BACKOFF_MAX_MS 2000

/* DDL of `outbox` and `inbox`, applied to every service schema as the
 * built-in migration CM_OUTBOX_MIGRATION (see cm_pg_migrate). Static. */
extern const char cm_outbox_ddl[];

/* Inserts event, packed, for subject into the outbox of conn's schema and
 * notifies the relay. Call it inside the caller's transaction (BEGIN ...
 * COMMIT on conn), so that the event exists exactly when the state change
 * does. subject must pass cm_outbox_subject_valid. On CM_OK the new event
 * id (a uuid, also the Nats-Msg-Id) goes to out_id when it is not NULL.
 * Returns CM_EINVAL for a bad subject, CM_ETOOBIG for a packed event over
 * CM_OUTBOX_MAX_PAYLOAD, or the database's error (the transaction is then
 * aborted: the caller rolls back). */
cm_err cm_outbox_add(PGconn *conn, const char *subject, const ProtobufCMessage *event,
                     char out_id[37]);

/* Length of the stamp cm_outbox_add_now writes: RFC 3339 UTC with
 * microseconds, "2024-05-01T12:00:00.000000Z". */
#define CM_OUTBOX_STAMP_LEN 27

/* As cm_outbox_add for the subject prefix followed by change (together at
 * most CM_OUTBOX_MAX_SUBJECT bytes), with event's string field
 * "occurred_at" stamped with the transaction's now() (CM_OUTBOX_STAMP_LEN
 * characters) by the INSERT itself: no extra statement. The caller leaves
 * occurred_at empty; event is not changed. Returns CM_EINVAL when event has
 * no string field occurred_at, else as cm_outbox_add. */
cm_err cm_outbox_add_now(PGconn *conn, const char *prefix, const char *change,
                         const ProtobufCMessage *event);

/* The bytes cm_outbox_add_now appends to a packed message before the stamp
 * text: the key of desc's string field "occurred_at" and the length
 * CM_OUTBOX_STAMP_LEN (protobuf: the last value of a field wins). Returns
 * their count (at most 11) in out, 0 when desc has no such field. Pure. */
size_t cm_outbox_stamp_key(const ProtobufCMessageDescriptor *desc, uint8_t out[11]);

/* True when subject is a publishable event subject: "evt." followed by
 * non-empty dot-separated tokens of printable ASCII without spaces or the
 * wildcards '*' and '>', at most CM_OUTBOX_MAX_SUBJECT bytes. */
int cm_outbox_subject_valid(const char *subject);

/* Delay before retry number `failures` (1, 2, ...) after consecutive
 * failures: CM_OUTBOX_BACKOFF_MIN_MS doubling up to CM_OUTBOX_BACKOFF_MAX_MS;
 * 0 when failures <= 0. */
int cm_outbox_backoff_ms(int failures);

struct cm_outbox_relay;

#define CM_OUTBOX_MAX_REPLICAS 5 /* JetStream's limit */

/* The replica count of EVENTS from EVENTS_REPLICAS's text: 1 when NULL or
 * empty, -1 unless a number from 1 to CM_OUTBOX_MAX_REPLICAS. */
int cm_outbox_replicas(const char *text);

/* Starts the relay thread of cfg's service: it opens its own Postgres
 * connection (cm_pg_connect), makes sure the stream EVENTS exists, then
 * publishes unsent outbox rows through nc (borrowed; it must outlive the
 * relay) until cm_outbox_relay_stop. NATS or Postgres being down is not an
 * error here: the relay retries with backoff. metrics (may be NULL) gets the
 * gauge outbox_pending, the count of unsent rows. On CM_OK *out is the relay
 * (stop it with cm_outbox_relay_stop); CM_EINTERNAL when the thread or the
 * JetStream context cannot be created. */
/* EVENTS_REPLICAS (environment, 1..5, default 1): the copies of EVENTS the
 * relay asks for when it creates the stream, and brings an existing stream
 * to (a refusal is logged, the stream used as it is); a bad value: CM_EINVAL. */
cm_err cm_outbox_relay_start(const struct cm_config *cfg, natsConnection *nc,
                             struct cm_metrics *metrics, struct cm_outbox_relay **out);

/* Asks the relay to stop, waits for its thread (at most the batch in
 * flight, bounded by the ack timeout), and frees it. NULL is a no-op.
 * Unsent rows stay in the outbox for the next start or another copy. */
void cm_outbox_relay_stop(struct cm_outbox_relay *relay);

#endif
