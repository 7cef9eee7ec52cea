/* cm_outbox.c: the transactional outbox (DDL, cm_outbox_add) and the relay
 * thread that moves unsent rows to the JetStream stream EVENTS.
 *
 * The relay loop, one round at a time:
 *   1. make sure its Postgres connection is up and LISTENs on the schema's
 *      channel, and that the stream exists;
 *   2. BEGIN; claim up to CM_OUTBOX_BATCH unsent rows (FOR UPDATE SKIP
 *      LOCKED, oldest first); publish each asynchronously with Nats-Msg-Id =
 *      id; wait for the acks (bounded by ACK_TIMEOUT_MS); mark the acked rows
 *      sent and count an attempt on every claimed row; COMMIT;
 *   3. a full batch: go again at once. Otherwise sleep until a NOTIFY, the
 *      periodic rescan or stop. On any failure sleep cm_outbox_backoff_ms.
 * The acks arrive on nats.c's async-reply thread (on_ack), which marks the
 * claimed ids under the relay's mutex. */
#include "cm_outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_nats.h"
#include "cm_pg.h"
#include "cm_time.h"

#define ACK_TIMEOUT_MS 2000               /* per message, then the batch is retried */
#define RESCAN_MS 1000                    /* scan even without a NOTIFY */
#define GAUGE_EVERY_MS 1000               /* outbox_pending refresh */
#define PURGE_EVERY_MS (3600 * 1000)      /* deletion of old sent rows */
#define DUPLICATE_WINDOW_NS (120LL * 1000000000LL) /* EVENTS' Nats-Msg-Id window */
#define LOG_EVERY_FAILURES 30             /* a streak of failures logs its 1st, 31st, ... */
#define STUCK_ATTEMPTS 10                 /* warn each time a row reaches a multiple of this */
#define STR_(x) #x
#define STR(x) STR_(x)

const char cm_outbox_ddl[] =
    "-- 000_outbox_inbox.sql (built into libcommon/cm_outbox.c): events waiting\n"
    "-- for the relay, and events a consumer of this service has handled.\n"
    "CREATE TABLE outbox (\n"
    "    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(), -- also the Nats-Msg-Id\n"
    "    subject    text NOT NULL CHECK (subject LIKE 'evt.%'),\n"
    "    payload    bytea NOT NULL,                   -- the packed protobuf event\n"
    "    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
    "    sent_at    timestamptz,                      -- set after the JetStream ack\n"
    "    attempts   integer NOT NULL DEFAULT 0\n"
    ");\n"
    "CREATE INDEX outbox_unsent ON outbox (created_at) WHERE sent_at IS NULL;\n"
    "CREATE TABLE inbox (\n"
    "    consumer   text NOT NULL,\n"
    "    event_id   uuid NOT NULL,\n"
    "    handled_at timestamptz NOT NULL DEFAULT now(),\n"
    "    PRIMARY KEY (consumer, event_id)\n"
    ");\n";

struct cm_outbox_relay {
    const struct cm_config *cfg;
    natsConnection *nc;         /* borrowed */
    struct cm_metrics *metrics; /* borrowed, may be NULL */
    jsCtx *js;
    PGconn *pg;                 /* the relay thread's own */
    int listening;              /* LISTEN issued on the current pg */
    int listen_backend;         /* ... by this backend (cm_pg reconnects transparently) */
    pthread_t thread;
    int wake[2];                /* self-pipe: a byte means "stop" */
    atomic_int stop;
    atomic_int stream_ready;    /* 0: check or create EVENTS before publishing */
    int replicas;               /* EVENTS_REPLICAS */
    int failures;               /* consecutive failed rounds */
    char why[256];              /* cause of the last failure, for the log */
    double next_gauge_ms;
    double next_purge_ms;
    /* the batch in flight, shared with on_ack */
    pthread_mutex_t mu;
    int nbatch;
    char ids[CM_OUTBOX_BATCH][37];
    unsigned char acked[CM_OUTBOX_BATCH];
    char ack_error[128];        /* first publish error of the batch */
};

int cm_outbox_backoff_ms(int failures)
{
    int ms = CM_OUTBOX_BACKOFF_MIN_MS;

    if (failures <= 0)
        return 0;
    for (int i = 1; i < failures && ms < CM_OUTBOX_BACKOFF_MAX_MS; i++)
        ms *= 2;
    return ms < CM_OUTBOX_BACKOFF_MAX_MS ? ms : CM_OUTBOX_BACKOFF_MAX_MS;
}

int cm_outbox_subject_valid(const char *subject)
{
    size_t n;
    int token_len = 0;

    if (!subject || strncmp(subject, "evt.", 4) != 0)
        return 0;
    n = strlen(subject);
    if (n > CM_OUTBOX_MAX_SUBJECT)
        return 0;
    for (size_t i = 4; i <= n; i++) {
        unsigned char c = (unsigned char)subject[i];
        if (c == '.' || c == '\0') {
            if (token_len == 0)
                return 0;
            token_len = 0;
        } else if (c <= ' ' || c >= 0x7f || c == '*' || c == '>') {
            return 0;
        } else {
            token_len++;
        }
    }
    return 1;
}

/* The insert of an event whose payload is the SQL expression payload, and
 * the notification of the relay; the new id comes back as column id. */
#define INSERT_EVENT(payload)                                                                      \
    "WITH ins AS (INSERT INTO outbox (subject, payload) VALUES ($1, " payload ") RETURNING id) "  \
    "SELECT ins.id::text AS id, "                                                                  \
    "pg_catalog.pg_notify('outbox_' || pg_catalog.current_schema(), '') FROM ins"
/* $2 followed by the transaction's now() as CM_OUTBOX_STAMP_LEN characters. */
#define STAMPED                                                                                    \
    "$2::bytea || pg_catalog.convert_to(pg_catalog.to_char(now() AT TIME ZONE 'UTC', "             \
    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'UTF8')"

/* Inserts payload (len bytes, followed in SQL by the stamp when stamp is
 * set) for subject and notifies the relay; see cm_outbox_add. */
static cm_err insert_event(PGconn *conn, const char *subject, const uint8_t *payload, size_t len,
                           int stamp, char out_id[37])
{
    static const uint8_t empty[1] = {0};
    const char *values[2] = {subject, len ? (const char *)payload : (const char *)empty};
    int lengths[2] = {0, (int)len}, formats[2] = {0, 1}; /* NULL would mean SQL NULL */
    PGresult *res;
    cm_err err;

    /* NOTIFY is transactional: the relay hears it when the caller commits. */
    res = PQexecParams(conn, stamp ? INSERT_EVENT(STAMPED) : INSERT_EVENT("$2"), 2, NULL, values,
                       lengths, formats, 0);
    err = cm_pg_result_err(res);
    if (err == CM_OK && PQntuples(res) != 1)
        err = CM_EINTERNAL;
    if (err == CM_OK && out_id)
        snprintf(out_id, 37, "%s", PQgetvalue(res, 0, PQfnumber(res, "id")));
    PQclear(res);
    return err;
}

cm_err cm_outbox_add(PGconn *conn, const char *subject, const ProtobufCMessage *event,
                     char out_id[37])
{
    uint8_t *buf;
    size_t len = 0;
    cm_err err;

    if (!conn || !event || !cm_outbox_subject_valid(subject))
        return CM_EINVAL;
    if (protobuf_c_message_get_packed_size(event) > CM_OUTBOX_MAX_PAYLOAD)
        return CM_ETOOBIG;
    buf = cm_pack(event, &len);
    err = insert_event(conn, subject, buf, len, 0, out_id);
    free(buf);
    return err;
}

size_t cm_outbox_stamp_key(const ProtobufCMessageDescriptor *desc, uint8_t out[11])
{
    const ProtobufCFieldDescriptor *f =
        desc ? protobuf_c_message_descriptor_get_field_by_name(desc, "occurred_at") : NULL;
    uint64_t key;
    size_t n = 0;

    if (!f || f->type != PROTOBUF_C_TYPE_STRING || f->label == PROTOBUF_C_LABEL_REPEATED)
        return 0;
    key = ((uint64_t)f->id << 3) | 2; /* wire type 2: length-delimited */
    do {
        out[n++] = (uint8_t)((key & 0x7f) | (key > 0x7f ? 0x80 : 0));
        key >>= 7;
    } while (key);
    out[n++] = CM_OUTBOX_STAMP_LEN; /* < 128: one byte */
    return n;
}

cm_err cm_outbox_add_now(PGconn *conn, const char *prefix, const char *change,
                         const ProtobufCMessage *event)
{
    char subject[CM_OUTBOX_MAX_SUBJECT + 1];
    uint8_t key[11], *buf;
    size_t len = 0, klen = event ? cm_outbox_stamp_key(event->descriptor, key) : 0;
    int n = snprintf(subject, sizeof subject, "%s%s", prefix ? prefix : "", change ? change : "");
    cm_err err;

    if (!conn || !klen || n < 0 || (size_t)n >= sizeof subject || !cm_outbox_subject_valid(subject))
        return CM_EINVAL;
    if (protobuf_c_message_get_packed_size(event) + klen + CM_OUTBOX_STAMP_LEN >
        CM_OUTBOX_MAX_PAYLOAD)
        return CM_ETOOBIG;
    buf = cm_pack(event, &len);
    buf = cm_xrealloc(buf, len + klen);
    memcpy(buf + len, key, klen);
    err = insert_event(conn, subject, buf, len + klen, 1, NULL);
    free(buf);
    return err;
}

/* --- the relay: Postgres side --- */

/* Makes sure the relay has a working connection that LISTENs on
 * "outbox_<schema>". The LISTEN statement comes from Postgres's format(%I),
 * never from string assembly here. */
static cm_err ensure_pg(struct cm_outbox_relay *r)
{
    PGresult *res = NULL;
    char *stmt = NULL;
    cm_err err = CM_OK;

    if (r->pg && PQstatus(r->pg) == CONNECTION_OK && r->listening &&
        PQbackendPID(r->pg) == r->listen_backend)
        return CM_OK;
    if (r->pg && PQstatus(r->pg) != CONNECTION_OK) {
        PQfinish(r->pg);
        r->pg = NULL;
    }
    r->listening = 0;
    if (!r->pg)
        err = cm_pg_connect(r->cfg, &r->pg);
    if (err == CM_OK) {
        res = PQexec(r->pg, "SELECT pg_catalog.format('LISTEN %I', "
                            "'outbox_' || pg_catalog.current_schema()) AS stmt");
        err = cm_pg_result_err(res);
    }
    if (err == CM_OK && (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)))
        err = CM_EINTERNAL; /* no schema on the search_path */
    if (err == CM_OK)
        stmt = cm_xstrdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    if (err == CM_OK)
        err = cm_pg_exec(r->pg, stmt);
    if (err == CM_OK) {
        r->listening = 1;
        r->listen_backend = PQbackendPID(r->pg);
    }
    else
        snprintf(r->why, sizeof r->why, "postgres unavailable (%s)", cm_err_name(err));
    free(stmt);
    return err;
}

/* Consumes input on the relay's connection and frees queued notifications.
 * Returns 1 when at least one arrived; marks the connection for reconnection
 * when it broke. */
static int take_notifies(struct cm_outbox_relay *r, int read_socket)
{
    PGnotify *n;
    int got = 0;

    if (!r->pg)
        return 0;
    if (read_socket && !PQconsumeInput(r->pg)) {
        r->listening = 0;
        return 0;
    }
    while ((n = PQnotifies(r->pg)) != NULL) {
        PQfreemem(n);
        got = 1;
    }
    return got;
}

/* Sleeps up to ms. Returns early on stop, and with on_notify also when a
 * NOTIFY arrives (already queued ones count). Notifications are consumed
 * either way. */
static void wait_for(struct cm_outbox_relay *r, int ms, int on_notify)
{
    double deadline = cm_now_ms() + ms;

    if (take_notifies(r, 0) && on_notify)
        return;
    while (!atomic_load(&r->stop)) {
        struct pollfd fds[2] = {{.fd = r->wake[0], .events = POLLIN}, {.fd = -1}};
        int left = (int)(deadline - cm_now_ms()), rc;

        if (left <= 0)
            break;
        if (r->pg && r->listening && PQsocket(r->pg) >= 0) {
            fds[1].fd = PQsocket(r->pg);
            fds[1].events = POLLIN;
        }
        rc = poll(fds, 2, left);
        if (rc < 0 && errno != EINTR)
            break;
        if (rc > 0 && fds[0].revents)
            break; /* stop */
        if (rc > 0 && fds[1].revents && take_notifies(r, 1) && on_notify)
            break;
    }
}

/* Sets outbox_pending at most every GAUGE_EVERY_MS. */
static void update_gauge(struct cm_outbox_relay *r)
{
    PGresult *res;

    if (!r->metrics || !r->pg || PQstatus(r->pg) != CONNECTION_OK || cm_now_ms() < r->next_gauge_ms)
        return;
    r->next_gauge_ms = cm_now_ms() + GAUGE_EVERY_MS;
    res = PQexec(r->pg, "SELECT count(*) FROM outbox WHERE sent_at IS NULL");
    if (cm_pg_result_err(res) == CM_OK && PQntuples(res) == 1)
        cm_metrics_gauge_set(r->metrics, "outbox_pending", atof(PQgetvalue(res, 0, 0)));
    PQclear(res);
}

/* Deletes rows sent more than 7 days ago, at most hourly and 10000 at a
 * time: the stream, not the outbox, is the history. */
static void purge_sent(struct cm_outbox_relay *r)
{
    PGresult *res;

    if (!r->pg || PQstatus(r->pg) != CONNECTION_OK || cm_now_ms() < r->next_purge_ms)
        return;
    r->next_purge_ms = cm_now_ms() + PURGE_EVERY_MS;
    res = PQexec(r->pg, "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox "
                        "WHERE sent_at < now() - interval '7 days' LIMIT 10000)");
    if (cm_pg_result_err(res) == CM_OK && atoi(PQcmdTuples(res)) > 0)
        cm_info("outbox: purged %s events sent over 7 days ago", PQcmdTuples(res));
    PQclear(res);
}

/* --- the relay: NATS side --- */

/* Async publish result, on nats.c's reply thread; owns msg. Marks the id
 * acked when it belongs to the batch in flight (a late ack of an earlier
 * batch finds nothing, or finds the same id claimed again: stored either
 * way). A duplicate is an ack too: the stream holds the event. */
static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
    struct cm_outbox_relay *r = closure;
    const char *id = NULL;

    (void)js;
    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK)
        id = NULL;
    pthread_mutex_lock(&r->mu);
    for (int i = 0; pa && id && i < r->nbatch; i++)
        if (!strcmp(r->ids[i], id))
            r->acked[i] = 1;
    if (!pa && pae && !r->ack_error[0])
        snprintf(r->ack_error, sizeof r->ack_error, "%s (jetstream error %d)",
                 pae->ErrText ? pae->ErrText : natsStatus_GetText(pae->Err), (int)pae->ErrCode);
    pthread_mutex_unlock(&r->mu);
    if (pae && (pae->Err == NATS_NO_RESPONDERS || pae->ErrCode == JSStreamNotFoundErr))
        atomic_store(&r->stream_ready, 0);
    natsMsg_Destroy(msg);
}

/* Brings an existing EVENTS to r->replicas copies (a JetStream cluster
 * changes a stream's replica count in place). A refusal (a single server
 * asked for 3) is logged and the stream used as it is: events still flow. */
static void update_replicas(struct cm_outbox_relay *r, const jsStreamInfo *si)
{
    jsStreamInfo *after = NULL;
    jsStreamConfig sc;
    jsErrCode jerr = 0;
    natsStatus s;

    if (!si || !si->Config || si->Config->Replicas == r->replicas ||
        (si->Config->Replicas <= 1 && r->replicas <= 1))
        return;
    sc = *si->Config;
    sc.Replicas = r->replicas;
    s = js_UpdateStream(&after, r->js, &sc, NULL, &jerr);
    if (s == NATS_OK)
        cm_info("outbox: stream %s now has %d replicas (was %d)", CM_OUTBOX_STREAM, r->replicas,
                (int)si->Config->Replicas);
    else
        cm_warn("outbox: stream %s keeps %d replicas (EVENTS_REPLICAS=%d refused: %s, jetstream "
                "error %d)",
                CM_OUTBOX_STREAM, (int)si->Config->Replicas, r->replicas, natsStatus_GetText(s),
                (int)jerr);
    jsStreamInfo_Destroy(after);
}

/* Makes sure the stream EVENTS exists; creates it (file storage, subjects
 * "evt.>", a 2-minute duplicate window, EVENTS_REPLICAS copies) when
 * missing. Copies of services racing to create it are fine: an existing
 * stream is taken as it is, its replica count brought to EVENTS_REPLICAS. */
static cm_err ensure_stream(struct cm_outbox_relay *r)
{
    const char *subjects[1] = {CM_OUTBOX_SUBJECTS};
    jsStreamInfo *si = NULL;
    jsStreamConfig sc;
    jsErrCode jerr = 0;
    natsStatus s;

    s = js_GetStreamInfo(&si, r->js, CM_OUTBOX_STREAM, NULL, &jerr);
    if (s == NATS_OK) {
        update_replicas(r, si);
    } else if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) {
        jsStreamConfig_Init(&sc);
        sc.Name = CM_OUTBOX_STREAM;
        sc.Description = "domain events of every service, from their outboxes";
        sc.Subjects = subjects;
        sc.SubjectsLen = 1;
        sc.Storage = js_FileStorage;
        sc.Duplicates = DUPLICATE_WINDOW_NS;
        sc.Replicas = r->replicas;
        jerr = 0;
        s = js_AddStream(&si, r->js, &sc, NULL, &jerr);
        if (s == NATS_OK)
            cm_info("outbox: created stream %s (%s, %d replicas)", CM_OUTBOX_STREAM,
                    CM_OUTBOX_SUBJECTS, r->replicas);
        else if (jerr == JSStreamNameExistErr)
            s = js_GetStreamInfo(&si, r->js, CM_OUTBOX_STREAM, NULL, &jerr);
    }
    jsStreamInfo_Destroy(si);
    if (s != NATS_OK) {
        snprintf(r->why, sizeof r->why, "stream %s unavailable: %s (jetstream error %d)",
                 CM_OUTBOX_STREAM, natsStatus_GetText(s), (int)jerr);
        return CM_EUNAVAIL;
    }
    atomic_store(&r->stream_ready, 1);
    return CM_OK;
}

/* Publishes the n claimed rows of res and waits for their acks. Returns how
 * many were acknowledged; r->acked says which. */
static int publish_rows(struct cm_outbox_relay *r, PGresult *res, int n)
{
    int c_id = PQfnumber(res, "id"), c_subject = PQfnumber(res, "subject"),
        c_payload = PQfnumber(res, "payload");
    jsPubOptions po, wait;
    natsStatus s = NATS_OK;
    int acked = 0;

    jsPubOptions_Init(&po);
    po.MaxWait = ACK_TIMEOUT_MS;
    jsPubOptions_Init(&wait);
    wait.MaxWait = ACK_TIMEOUT_MS + 500;
    pthread_mutex_lock(&r->mu);
    r->nbatch = n;
    r->ack_error[0] = '\0';
    for (int i = 0; i < n; i++) {
        snprintf(r->ids[i], sizeof r->ids[i], "%s", PQgetvalue(res, i, c_id));
        r->acked[i] = 0;
    }
    pthread_mutex_unlock(&r->mu);

    for (int i = 0; i < n && s == NATS_OK; i++) {
        natsMsg *msg = NULL;
        s = natsMsg_Create(&msg, PQgetvalue(res, i, c_subject), NULL,
                           PQgetvalue(res, i, c_payload), PQgetlength(res, i, c_payload));
        if (s == NATS_OK)
            s = natsMsgHeader_Set(msg, "Nats-Msg-Id", r->ids[i]);
        if (s == NATS_OK)
            s = js_PublishMsgAsync(r->js, &msg, &po); /* takes msg on success */
        natsMsg_Destroy(msg);
    }
    if (s != NATS_OK)
        snprintf(r->why, sizeof r->why, "publish failed: %s", natsStatus_GetText(s));
    if (js_PublishAsyncComplete(r->js, &wait) != NATS_OK) {
        natsMsgList pending; /* abandon what is left: the rows stay unsent */
        if (js_PublishAsyncGetPendingList(&pending, r->js) == NATS_OK)
            natsMsgList_Destroy(&pending);
    }

    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < n; i++)
        acked += r->acked[i];
    if (acked < n && s == NATS_OK)
        snprintf(r->why, sizeof r->why, "%d of %d events not acknowledged: %s", n - acked, n,
                 r->ack_error[0] ? r->ack_error : "timeout");
    pthread_mutex_unlock(&r->mu);
    return acked;
}

/* Appends "{id,id,...}" of the rows whose acked flag equals want (or all
 * rows when want < 0) to buf: a uuid[] literal for a $n parameter. The ids
 * come from the database as uuid text. */
static void id_array(const struct cm_outbox_relay *r, int n, int want, char *buf, size_t cap)
{
    size_t off = 0;

    buf[off++] = '{';
    for (int i = 0; i < n && off + 40 < cap; i++) {
        if (want >= 0 && r->acked[i] != want)
            continue;
        off += (size_t)snprintf(buf + off, cap - off, "%s%s", off > 1 ? "," : "", r->ids[i]);
    }
    buf[off++] = '}';
    buf[off] = '\0';
}

/* Marks the acked rows of the batch sent and counts an attempt on all of
 * them; warns about rows that keep failing. */
static cm_err mark_rows(struct cm_outbox_relay *r, int n)
{
    char all[CM_OUTBOX_BATCH * 38 + 4], acked[CM_OUTBOX_BATCH * 38 + 4];
    const char *values[2] = {all, acked};
    PGresult *res;
    cm_err err;

    /* with nbatch 0, a late ack no longer touches this batch */
    pthread_mutex_lock(&r->mu);
    id_array(r, n, -1, all, sizeof all);
    id_array(r, n, 1, acked, sizeof acked);
    r->nbatch = 0;
    pthread_mutex_unlock(&r->mu);
    res = PQexecParams(r->pg,
                       "UPDATE outbox SET attempts = attempts + 1, "
                       "sent_at = CASE WHEN id = ANY($2::uuid[]) THEN now() END "
                       "WHERE id = ANY($1::uuid[]) "
                       "RETURNING id::text AS id, attempts, sent_at IS NULL AS unsent",
                       2, NULL, values, NULL, NULL, 0);
    err = cm_pg_result_err(res);
    for (int i = 0; err == CM_OK && i < PQntuples(res); i++) {
        int attempts = atoi(PQgetvalue(res, i, PQfnumber(res, "attempts")));
        if (PQgetvalue(res, i, PQfnumber(res, "unsent"))[0] == 't' &&
            attempts % STUCK_ATTEMPTS == 0)
            cm_warn("outbox: event %s still not acknowledged after %d attempts",
                    PQgetvalue(res, i, PQfnumber(res, "id")), attempts);
    }
    PQclear(res);
    return err;
}

/* One round: claim, publish, mark, commit. *out_claimed gets the number of
 * rows claimed. Returns CM_EUNAVAIL when some claimed row was not
 * acknowledged (the acked ones are still marked sent). */
static cm_err relay_round(struct cm_outbox_relay *r, int *out_claimed)
{
    PGresult *res = NULL;
    int n = 0, acked = 0;
    cm_err err;

    err = cm_pg_exec(r->pg, "BEGIN");
    if (err == CM_OK) {
        /* binary results: payload arrives as raw bytes */
        res = PQexecParams(r->pg,
                           "SELECT id::text AS id, subject, payload FROM outbox "
                           "WHERE sent_at IS NULL ORDER BY created_at "
                           "LIMIT " STR(CM_OUTBOX_BATCH) " FOR UPDATE SKIP LOCKED",
                           0, NULL, NULL, NULL, NULL, 1);
        err = cm_pg_result_err(res);
    }
    if (err == CM_OK)
        n = PQntuples(res);
    if (err == CM_OK && n > 0) {
        acked = publish_rows(r, res, n);
        err = mark_rows(r, n);
    }
    PQclear(res);
    if (err == CM_OK)
        err = cm_pg_exec(r->pg, "COMMIT");
    if (err != CM_OK) {
        if (r->pg && PQtransactionStatus(r->pg) != PQTRANS_IDLE)
            cm_pg_exec(r->pg, "ROLLBACK");
        snprintf(r->why, sizeof r->why, "postgres error in a relay round (%s)", cm_err_name(err));
    } else if (n > 0) {
        cm_debug("outbox: published %d of %d events", acked, n);
    }
    *out_claimed = n;
    return err == CM_OK && acked < n ? CM_EUNAVAIL : err;
}

static void *relay_main(void *arg)
{
    struct cm_outbox_relay *r = arg;

    cm_info("outbox relay started (stream %s)", CM_OUTBOX_STREAM);
    while (!atomic_load(&r->stop)) {
        int claimed = 0;
        cm_err err = ensure_pg(r);

        if (err == CM_OK && !cm_nats_connected(r->nc)) {
            snprintf(r->why, sizeof r->why, "nats not connected");
            err = CM_EUNAVAIL;
        }
        if (err == CM_OK && !atomic_load(&r->stream_ready))
            err = ensure_stream(r);
        if (err == CM_OK)
            err = relay_round(r, &claimed);
        update_gauge(r);
        purge_sent(r);
        if (err == CM_OK) {
            if (r->failures)
                cm_info("outbox relay resumed after %d failed rounds", r->failures);
            r->failures = 0;
            if (claimed < CM_OUTBOX_BATCH)
                wait_for(r, RESCAN_MS, 1);
            continue;
        }
        if (r->failures++ % LOG_EVERY_FAILURES == 0)
            cm_warn("outbox relay: %s; retrying with backoff", r->why);
        wait_for(r, cm_outbox_backoff_ms(r->failures), 0);
    }
    cm_info("outbox relay stopped");
    return NULL;
}

static void relay_free(struct cm_outbox_relay *r)
{
    jsCtx_Destroy(r->js);
    PQfinish(r->pg);
    if (r->wake[0] >= 0)
        close(r->wake[0]);
    if (r->wake[1] >= 0)
        close(r->wake[1]);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

int cm_outbox_replicas(const char *text)
{
    char *end;
    long n;

    if (!text || !*text)
        return 1;
    errno = 0;
    n = strtol(text, &end, 10);
    if (errno || *end || n < 1 || n > CM_OUTBOX_MAX_REPLICAS)
        return -1;
    return (int)n;
}

cm_err cm_outbox_relay_start(const struct cm_config *cfg, natsConnection *nc,
                             struct cm_metrics *metrics, struct cm_outbox_relay **out)
{
    struct cm_outbox_relay *r;
    jsOptions jo;
    cm_err err = CM_OK;
    int replicas = cm_outbox_replicas(getenv("EVENTS_REPLICAS"));

    if (replicas < 0) {
        cm_error("EVENTS_REPLICAS must be a number from 1 to %d", CM_OUTBOX_MAX_REPLICAS);
        return CM_EINVAL;
    }
    r = cm_xcalloc(1, sizeof *r);
    r->replicas = replicas;

    r->cfg = cfg;
    r->nc = nc;
    r->metrics = metrics;
    r->wake[0] = r->wake[1] = -1;
    pthread_mutex_init(&r->mu, NULL);
    if (pipe2(r->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        cm_error("outbox relay: pipe: %s", strerror(errno));
        err = CM_EINTERNAL;
    }
    if (err == CM_OK) {
        jsOptions_Init(&jo);
        jo.Wait = 5000;
        jo.PublishAsync.MaxPending = 2 * CM_OUTBOX_BATCH;
        jo.PublishAsync.AckHandler = on_ack;
        jo.PublishAsync.AckHandlerClosure = r;
        if (natsConnection_JetStream(&r->js, nc, &jo) != NATS_OK) {
            cm_error("outbox relay: jetstream context: %s", nats_GetLastError(NULL));
            err = CM_EINTERNAL;
        }
    }
    if (err == CM_OK && pthread_create(&r->thread, NULL, relay_main, r) != 0) {
        cm_error("outbox relay: cannot start its thread");
        err = CM_EINTERNAL;
    }
    if (err != CM_OK) {
        relay_free(r);
        return err;
    }
    *out = r;
    return CM_OK;
}

void cm_outbox_relay_stop(struct cm_outbox_relay *relay)
{
    ssize_t w;

    if (!relay)
        return;
    atomic_store(&relay->stop, 1);
    w = write(relay->wake[1], "x", 1); /* else the flag is seen within RESCAN_MS */
    (void)w;
    pthread_join(relay->thread, NULL);
    relay_free(relay);
}
