/* store_threads.c: clinical threads, messages and receipts in Postgres
 * (store_threads.h). Lists travel to Postgres as one JSON parameter; the
 * sealed patient name as hex. */
#include "store_threads.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_alloc.h"
#include "cm_outbox.h"
#include "cm_pg.h"
#include "messaging.pb-c.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"

#define THREAD_COLS                                                                                \
    "t.id, t.organization_id, t.ou, t.kind, t.subject, t.creator_id, t.phi_key_id, "               \
    "encode(t.patient_name_box, 'hex') AS box, t.pid, t.patient_event_id, t.urgent, " TS(          \
        "t.created_at") " AS created_at, "                                                         \
                        "EXISTS (SELECT 1 FROM clinical_participants p WHERE p.thread_id = t.id "  \
                        "        AND p.user_id = $2) AS viewer_participant"

#define MESSAGE_COLS                                                                               \
    "m.id AS m_id, m.thread_id AS m_thread_id, m.seq AS m_seq, m.author_id AS m_author_id, "       \
    "m.content AS m_content, m.attachment_ids::text AS m_attachments, " TS(                        \
        "m.created_at") " AS m_created_at"

static char *dup_col(const PGresult *res, int row, const char *name)
{
    return cm_xstrdup(cm_pg_col(res, row, name));
}

static void thread_from_row(const PGresult *res, int row, struct thread_rec *t)
{
    const char *hex = cm_pg_col(res, row, "box");
    size_t hexlen = strlen(hex), binlen = 0;

    memset(t, 0, sizeof *t);
    cm_pg_copy(res, row, "id", t->id, sizeof t->id);
    cm_pg_copy(res, row, "organization_id", t->organization_id, sizeof t->organization_id);
    cm_pg_copy(res, row, "ou", t->ou, sizeof t->ou);
    cm_pg_copy(res, row, "kind", t->kind, sizeof t->kind);
    t->subject = dup_col(res, row, "subject");
    cm_pg_copy(res, row, "creator_id", t->creator_id, sizeof t->creator_id);
    cm_pg_copy(res, row, "phi_key_id", t->phi_key_id, sizeof t->phi_key_id);
    if (hexlen) {
        t->patient_box = cm_xmalloc(hexlen / 2 + 1);
        if (sodium_hex2bin(t->patient_box, hexlen / 2 + 1, hex, hexlen, NULL, &binlen, NULL) != 0)
            binlen = 0;
        t->patient_box_len = binlen;
    }
    cm_pg_copy(res, row, "pid", t->pid, sizeof t->pid);
    cm_pg_copy(res, row, "patient_event_id", t->patient_event_id, sizeof t->patient_event_id);
    t->urgent = cm_pg_bool(res, row, "urgent");
    cm_pg_copy(res, row, "created_at", t->created_at, sizeof t->created_at);
    t->viewer_participant = cm_pg_bool(res, row, "viewer_participant");
}

static void message_from_row(const PGresult *res, int row, struct message_rec *m)
{
    memset(m, 0, sizeof *m);
    cm_pg_copy(res, row, "m_id", m->id, sizeof m->id);
    cm_pg_copy(res, row, "m_thread_id", m->thread_id, sizeof m->thread_id);
    m->seq = atoi(cm_pg_col(res, row, "m_seq"));
    cm_pg_copy(res, row, "m_author_id", m->author_id, sizeof m->author_id);
    m->content = dup_col(res, row, "m_content");
    m->attachments_json = dup_col(res, row, "m_attachments");
    cm_pg_copy(res, row, "m_created_at", m->created_at, sizeof m->created_at);
}

static void participant_from_row(const PGresult *res, int row, struct participant_rec *p)
{
    memset(p, 0, sizeof *p);
    cm_pg_copy(res, row, "user_id", p->user_id, sizeof p->user_id);
    cm_pg_copy(res, row, "username", p->username, sizeof p->username);
    cm_pg_copy(res, row, "email", p->email, sizeof p->email);
    cm_pg_copy(res, row, "ou", p->ou, sizeof p->ou);
    p->person = cm_pg_bool(res, row, "person");
}

/* The participants as a JSON array text (caller frees). */
static char *participants_json(const struct participant_rec *creator,
                               const struct participant_rec *rs, size_t n)
{
    json_t *a = json_array();
    char *s;

    for (size_t i = 0; i <= n; i++) {
        const struct participant_rec *p = i == 0 ? creator : &rs[i - 1];
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:b}", "user_id", p->user_id,
                                           "username", p->username, "email", p->email, "ou", p->ou,
                                           "person", p->person));
    }
    s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    if (!s)
        abort(); /* out of memory: cm_xmalloc's policy */
    return s;
}

static const char insert_participants_sql[] =
    "INSERT INTO clinical_participants (thread_id, user_id, username, email, ou, person) "
    "SELECT $1::uuid, x->>'user_id', x->>'username', x->>'email', x->>'ou', "
    "       (x->>'person')::boolean FROM jsonb_array_elements($2::jsonb) x "
    "ON CONFLICT (thread_id, user_id) DO NOTHING";

static const char insert_receipts_sql[] =
    "INSERT INTO clinical_receipts (message_id, thread_id, user_id, kind) "
    "SELECT $1::uuid, $2::uuid, p.user_id, $4 FROM clinical_participants p "
    "WHERE p.thread_id = $2::uuid AND p.person AND p.user_id <> $3 "
    "ORDER BY p.user_id"; /* users' counter rows locked in one order (006) */

/* Inserts the message and its receipts, then message.posted. */
static cm_err insert_message(PGconn *pg, const char *thread_id, const char *org, const char *kind,
                             int seq, const char *author, const char *content,
                             const char *attachments, char *message_id)
{
    Messaging__MessagePosted ev = MESSAGING__MESSAGE_POSTED__INIT;
    char seqs[16];
    const char *v[5] = {thread_id, seqs, author, content, attachments};
    const char *r[4];
    PGresult *res = NULL;
    cm_err err;

    snprintf(seqs, sizeof seqs, "%d", seq);
    err = cm_pg_one_row(cm_pg_query(pg,
                                    "INSERT INTO clinical_messages (thread_id, seq, author_id, "
                                    "content, attachment_ids) VALUES ($1::uuid, $2::int, $3, $4, "
                                    "$5::jsonb) RETURNING id",
                                    5, v, &res),
                        &res);
    if (err != CM_OK)
        return err;
    snprintf(message_id, ST_ID, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    r[0] = message_id;
    r[1] = thread_id;
    r[2] = author;
    r[3] = kind;
    err = cm_pg_command(pg, insert_receipts_sql, 4, r, NULL);
    ev.message_id = message_id;
    ev.thread_id = (char *)thread_id;
    ev.organization_id = (char *)org;
    ev.author_id = (char *)author;
    ev.seq = seq;
    if (err == CM_OK)
        err = cm_outbox_add_now(pg, "evt.messaging.message.", "posted", &ev.base);
    return err;
}

cm_err store_thread_create(PGconn *pg, const struct thread_new *t, char *thread_id,
                           char *message_id)
{
    Messaging__ThreadCreated ev = MESSAGING__THREAD_CREATED__INIT;
    char *hex = NULL, *parts = participants_json(t->creator, t->recipients, t->n_recipients);
    char **ids = cm_xcalloc(t->n_recipients + 1, sizeof *ids);
    const char *v[10];
    const char *pv[2];
    PGresult *res = NULL;
    cm_err err;

    if (t->patient_box) {
        hex = cm_xmalloc(2 * t->patient_box_len + 1);
        sodium_bin2hex(hex, 2 * t->patient_box_len + 1, t->patient_box, t->patient_box_len);
    }
    v[0] = t->organization_id;
    v[1] = t->subject;
    v[2] = t->creator->user_id;
    v[3] = t->phi_key_id;
    v[4] = hex;
    v[5] = t->pid;
    v[6] = t->patient_event_id;
    v[7] = t->urgent ? "true" : "false";
    v[8] = t->services_json;
    v[9] = t->ou;
    err = cm_pg_begin(pg);
    if (err == CM_OK)
        err = cm_pg_one_row(
            cm_pg_query(pg,
                        "INSERT INTO clinical_threads (organization_id, subject, creator_id, "
                        "phi_key_id, patient_name_box, pid, patient_event_id, urgent, services, "
                        "last_seq, ou) VALUES ($1::uuid, $2, $3, $4, decode($5, 'hex'), $6, $7, "
                        "$8::boolean, $9::jsonb, 1, $10) RETURNING id",
                        10, v, &res),
            &res);
    if (err == CM_OK) {
        snprintf(thread_id, ST_ID, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        pv[0] = thread_id;
        pv[1] = parts;
        err = cm_pg_command(pg, insert_participants_sql, 2, pv, NULL);
    }
    if (err == CM_OK)
        err = insert_message(pg, thread_id, t->organization_id, "msg", 1, t->creator->user_id,
                             t->content, t->attachments_json, message_id);
    if (err == CM_OK) {
        for (size_t i = 0; i < t->n_recipients; i++)
            ids[i] = (char *)t->recipients[i].user_id;
        ev.thread_id = thread_id;
        ev.organization_id = (char *)t->organization_id;
        ev.creator_id = (char *)t->creator->user_id;
        ev.n_recipient_ids = t->n_recipients;
        ev.recipient_ids = ids;
        ev.message_id = message_id;
        err = cm_outbox_add_now(pg, "evt.messaging.thread.", "created", &ev.base);
    }
    err = cm_pg_end(pg, err);
    free(ids);
    free(hex);
    free(parts);
    return err;
}

cm_err store_thread_get(PGconn *pg, const char *id, const char *viewer_id, struct thread_rec *out)
{
    const char *v[2] = {id, viewer_id ? viewer_id : ""};
    PGresult *res = NULL;
    cm_err err = cm_pg_one_row(
        cm_pg_query(pg, "SELECT " THREAD_COLS " FROM clinical_threads t WHERE t.id = $1::uuid", 2,
                    v, &res),
        &res);

    if (err != CM_OK)
        return err;
    thread_from_row(res, 0, out);
    PQclear(res);
    return CM_OK;
}

void thread_rec_release(struct thread_rec *t)
{
    free(t->subject);
    free(t->patient_box);
    t->subject = NULL;
    t->patient_box = NULL;
}

/* Marks read, for reader, the messages of thread t up to seq max_seq; one
 * message.read event naming them. */
static cm_err mark_read(PGconn *pg, const struct thread_rec *t, const char *reader, int max_seq,
                        const char *only_message)
{
    Messaging__MessageRead ev = MESSAGING__MESSAGE_READ__INIT;
    char seqs[16];
    const char *v[4] = {t->id, reader, seqs, only_message ? only_message : ""};
    PGresult *res = NULL;
    char **ids;
    int n;
    cm_err err;

    snprintf(seqs, sizeof seqs, "%d", max_seq);
    err = cm_pg_query(pg,
                      "UPDATE clinical_receipts SET read_at = now() "
                      "WHERE thread_id = $1::uuid AND user_id = $2 AND read_at IS NULL "
                      "AND message_id IN (SELECT id FROM clinical_messages "
                      "  WHERE thread_id = $1::uuid AND seq <= $3::int "
                      "  AND ($4 = '' OR id::text = $4)) "
                      "RETURNING message_id",
                      4, v, &res);
    if (err != CM_OK)
        return err;
    n = PQntuples(res);
    if (n == 0) {
        PQclear(res);
        return CM_OK;
    }
    ids = cm_xcalloc((size_t)n, sizeof *ids);
    for (int i = 0; i < n; i++)
        ids[i] = PQgetvalue(res, i, 0);
    ev.thread_id = (char *)t->id;
    ev.organization_id = (char *)t->organization_id;
    ev.user_id = (char *)reader;
    ev.n_message_ids = (size_t)n;
    ev.message_ids = ids;
    err = cm_outbox_add_now(pg, "evt.messaging.message.", "read", &ev.base);
    free(ids);
    PQclear(res);
    return err;
}

cm_err store_thread_view(PGconn *pg, const struct thread_rec *t, const char *reader_id,
                         struct thread_view *out)
{
    const char *v[1] = {t->id};
    PGresult *res = NULL;
    int max_seq = 0;
    cm_err err = cm_pg_begin(pg);

    memset(out, 0, sizeof *out);
    if (err == CM_OK)
        err = cm_pg_query(pg,
                          "SELECT " MESSAGE_COLS " FROM clinical_messages m "
                          "WHERE m.thread_id = $1::uuid ORDER BY m.seq",
                          1, v, &res);
    if (err == CM_OK) {
        out->n_messages = (size_t)PQntuples(res);
        out->messages = cm_xcalloc(out->n_messages + 1, sizeof *out->messages);
        for (size_t i = 0; i < out->n_messages; i++) {
            message_from_row(res, (int)i, &out->messages[i]);
            if (out->messages[i].seq > max_seq)
                max_seq = out->messages[i].seq;
        }
        PQclear(res);
        err = cm_pg_query(pg,
                          "SELECT user_id, username, email, ou, person FROM clinical_participants "
                          "WHERE thread_id = $1::uuid ORDER BY username",
                          1, v, &res);
    }
    if (err == CM_OK) {
        out->n_participants = (size_t)PQntuples(res);
        out->participants = cm_xcalloc(out->n_participants + 1, sizeof *out->participants);
        for (size_t i = 0; i < out->n_participants; i++)
            participant_from_row(res, (int)i, &out->participants[i]);
        PQclear(res);
    }
    if (err == CM_OK && reader_id)
        err = mark_read(pg, t, reader_id, max_seq, NULL);
    err = cm_pg_end(pg, err);
    if (err != CM_OK)
        thread_view_release(out);
    return err;
}

void thread_view_release(struct thread_view *v)
{
    for (size_t i = 0; i < v->n_messages; i++)
        message_rec_release(&v->messages[i]);
    free(v->messages);
    free(v->participants);
    v->messages = NULL;
    v->participants = NULL;
    v->n_messages = v->n_participants = 0;
}

cm_err store_message_post(PGconn *pg, const struct thread_rec *t,
                          const struct participant_rec *author, const char *content,
                          const char *attachments_json, char *message_id, int *out_seq)
{
    const char *v[1] = {t->id};
    const char *pv[2];
    char *parts = participants_json(author, NULL, 0);
    char kind[8] = "msg";
    PGresult *res = NULL;
    int seq = 0;
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = cm_pg_one_row(cm_pg_query(pg,
                                        "UPDATE clinical_threads SET last_seq = last_seq + 1 "
                                        "WHERE id = $1::uuid RETURNING last_seq, kind",
                                        1, v, &res),
                            &res);
    if (err == CM_OK) {
        seq = atoi(PQgetvalue(res, 0, 0));
        snprintf(kind, sizeof kind, "%s", PQgetvalue(res, 0, 1));
        PQclear(res);
        pv[0] = t->id;
        pv[1] = parts;
        err = cm_pg_command(pg, insert_participants_sql, 2, pv, NULL);
    }
    if (err == CM_OK)
        err = insert_message(pg, t->id, t->organization_id, kind, seq, author->user_id, content,
                             attachments_json, message_id);
    err = cm_pg_end(pg, err);
    free(parts);
    if (err == CM_OK && out_seq)
        *out_seq = seq;
    return err;
}

cm_err store_message_get(PGconn *pg, const char *id, const char *viewer_id, struct message_rec *out,
                         struct thread_rec *out_thread)
{
    const char *v[2] = {id, viewer_id ? viewer_id : ""};
    PGresult *res = NULL;
    cm_err err = cm_pg_one_row(
        cm_pg_query(pg,
                    "SELECT " MESSAGE_COLS ", " THREAD_COLS " FROM clinical_messages m "
                    "JOIN clinical_threads t ON t.id = m.thread_id WHERE m.id = $1::uuid",
                    2, v, &res),
        &res);

    if (err != CM_OK)
        return err;
    message_from_row(res, 0, out);
    thread_from_row(res, 0, out_thread);
    PQclear(res);
    return CM_OK;
}

void message_rec_release(struct message_rec *m)
{
    free(m->content);
    free(m->attachments_json);
    m->content = m->attachments_json = NULL;
}

cm_err store_message_mark_read(PGconn *pg, const struct thread_rec *t, const struct message_rec *m,
                               const char *reader_id)
{
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = mark_read(pg, t, reader_id, m->seq, m->id);
    return cm_pg_end(pg, err);
}

cm_err store_participant_get(PGconn *pg, const char *thread_id, const char *user_id,
                             struct participant_rec *out)
{
    const char *v[2] = {thread_id, user_id};
    PGresult *res = NULL;
    cm_err err = cm_pg_one_row(
        cm_pg_query(pg,
                    "SELECT user_id, username, email, ou, person FROM clinical_participants "
                    "WHERE thread_id = $1::uuid AND user_id = $2",
                    2, v, &res),
        &res);

    if (err != CM_OK)
        return err;
    participant_from_row(res, 0, out);
    PQclear(res);
    return CM_OK;
}

cm_err store_message_receipts(PGconn *pg, const char *message_id, struct receipt_list *out)
{
    const char *v[1] = {message_id};
    PGresult *res = NULL;
    cm_err err =
        cm_pg_query(pg,
                    "SELECT r.user_id, p.username, p.email, "
                    "CASE WHEN r.read_at IS NULL THEN '' ELSE " TS(
                        "r.read_at") " END AS read_at FROM clinical_receipts r "
                                     "JOIN clinical_participants p ON p.thread_id = r.thread_id "
                                     "AND p.user_id = r.user_id WHERE r.message_id = $1::uuid "
                                     "ORDER BY p.username",
                    1, v, &res);

    if (err != CM_OK)
        return err;
    out->n = (size_t)PQntuples(res);
    out->items = cm_xcalloc(out->n + 1, sizeof *out->items);
    for (size_t i = 0; i < out->n; i++) {
        struct receipt_rec *r = &out->items[i];
        cm_pg_copy(res, (int)i, "user_id", r->user_id, sizeof r->user_id);
        cm_pg_copy(res, (int)i, "username", r->username, sizeof r->username);
        cm_pg_copy(res, (int)i, "email", r->email, sizeof r->email);
        cm_pg_copy(res, (int)i, "read_at", r->read_at, sizeof r->read_at);
    }
    PQclear(res);
    return CM_OK;
}

void receipt_list_release(struct receipt_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

cm_err store_counters(PGconn *pg, const char *organization_id, const char *user_id,
                      struct counters_rec *out)
{
    const char *v[2] = {user_id, organization_id};
    PGresult *res = NULL;
    cm_err err = cm_pg_query(pg,
                             "SELECT coalesce(sum(unread) FILTER (WHERE kind = 'msg'), 0) "
                             "AS unread_msg, "
                             "coalesce(sum(unread) FILTER (WHERE kind = 'ctn'), 0) AS unread_ctn, "
                             "coalesce(sum(unseen) FILTER (WHERE kind = 'msg'), 0) AS unseen_msg, "
                             "coalesce(sum(unseen) FILTER (WHERE kind = 'ctn'), 0) AS unseen_ctn "
                             "FROM clinical_counters "
                             "WHERE user_id = $1 AND organization_id = $2::uuid",
                             2, v, &res);

    err = cm_pg_one_row(err, &res);
    if (err != CM_OK)
        return err;
    out->unread_msg = atol(cm_pg_col(res, 0, "unread_msg"));
    out->unread_ctn = atol(cm_pg_col(res, 0, "unread_ctn"));
    out->unseen_msg = atol(cm_pg_col(res, 0, "unseen_msg"));
    out->unseen_ctn = atol(cm_pg_col(res, 0, "unseen_ctn"));
    PQclear(res);
    return CM_OK;
}
