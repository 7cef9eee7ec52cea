/* store_threads.h: messaging's clinical threads, participants, messages and
 * read receipts (002_clinical_threads.sql). The only place with their SQL;
 * callers pass and get records. Every write commits together with its event
 * (evt.messaging.thread.created, .message.posted, .message.read).
 *
 * Ids are uuids, except participants' and authors' user ids, which are
 * account uuids or an API client's API user id. Times are UTC, as
 * "2015-04-02T22:42:59.848000+00:00". */
#ifndef MESSAGING_STORE_THREADS_H
#define MESSAGING_STORE_THREADS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"

#define ST_ID 64
#define ST_NAME 256
#define ST_TIME 40

#define EVT_THREAD_CREATED "evt.messaging.thread.created"
#define EVT_MESSAGE_POSTED "evt.messaging.message.posted"
#define EVT_MESSAGE_READ "evt.messaging.message.read"

struct participant_rec {
    char user_id[ST_ID];
    char username[ST_NAME];
    char email[ST_NAME];
    char ou[ST_NAME];
    int person; /* 0 for an API client */
};

/* A thread to create with its first message. Strings borrowed. */
struct thread_new {
    const char *organization_id;
    const char *ou; /* the organization's name */
    const char *subject;
    const char *phi_key_id;     /* "" when there is no patient name */
    const uint8_t *patient_box; /* sealed patient_name, or NULL */
    size_t patient_box_len;
    const char *pid;
    const char *patient_event_id;
    int urgent;
    const char *services_json;             /* JSON array text */
    const struct participant_rec *creator; /* also the first message's author */
    const struct participant_rec *recipients;
    size_t n_recipients;
    const char *content;
    const char *attachments_json; /* JSON array text */
};

struct thread_rec {
    char id[ST_ID];
    char organization_id[ST_ID];
    char ou[ST_NAME];
    char kind[8];
    char *subject; /* owned: thread_rec_release */
    char creator_id[ST_ID];
    char phi_key_id[ST_ID];
    uint8_t *patient_box; /* owned; NULL when none */
    size_t patient_box_len;
    char pid[ST_NAME];
    char patient_event_id[ST_NAME];
    int urgent;
    char created_at[ST_TIME];
    int viewer_participant; /* the viewer asked about is a participant */
};

struct message_rec {
    char id[ST_ID];
    char thread_id[ST_ID];
    int seq;
    char author_id[ST_ID];
    char *content;          /* owned */
    char *attachments_json; /* owned */
    char created_at[ST_TIME];
};

/* A thread with its messages (seq order) and participants. */
struct thread_view {
    struct thread_rec thread;
    size_t n_messages;
    struct message_rec *messages;
    size_t n_participants;
    struct participant_rec *participants;
};

struct receipt_rec {
    char user_id[ST_ID];
    char username[ST_NAME];
    char email[ST_NAME];
    char read_at[ST_TIME]; /* "" while unread */
};

struct receipt_list {
    size_t n;
    struct receipt_rec *items;
};

struct counters_rec {
    long unseen_msg, unseen_ctn; /* threads with unread messages */
    long unread_msg, unread_ctn; /* unread messages */
};

/* Creates t: the thread, its participants (creator and recipients), its
 * first message (seq 1), a receipt for every person but the author, and
 * the events thread.created and message.posted, in one transaction. On
 * CM_OK the ids go to thread_id and message_id (ST_ID bytes each). */
cm_err store_thread_create(PGconn *pg, const struct thread_new *t, char *thread_id,
                           char *message_id);

/* Thread id of organization_id (any when NULL); viewer_participant says
 * whether viewer_id (may be NULL) takes part. CM_ENOTFOUND when absent. */
cm_err store_thread_get(PGconn *pg, const char *id, const char *viewer_id, struct thread_rec *out);
void thread_rec_release(struct thread_rec *t);

/* The thread (already checked by the caller) with its messages and
 * participants. When reader_id is not NULL, every message shown that the
 * reader had not read becomes read, with one message.read event, in the
 * same transaction as the reading: a message posted meanwhile stays
 * unread. */
cm_err store_thread_view(PGconn *pg, const struct thread_rec *t, const char *reader_id,
                         struct thread_view *out);
void thread_view_release(struct thread_view *v);

/* Posts content into thread t as author (added to the participants when
 * new): the next seq under the thread's row lock, a receipt for every
 * person of the thread but the author, and a message.posted event. */
cm_err store_message_post(PGconn *pg, const struct thread_rec *t,
                          const struct participant_rec *author, const char *content,
                          const char *attachments_json, char *message_id, int *out_seq);

/* Message id with its thread (viewer_participant as store_thread_get).
 * CM_ENOTFOUND when absent. */
cm_err store_message_get(PGconn *pg, const char *id, const char *viewer_id, struct message_rec *out,
                         struct thread_rec *out_thread);
void message_rec_release(struct message_rec *m);

/* Marks message m of thread t read by reader_id (a message.read event when
 * it was unread). */
cm_err store_message_mark_read(PGconn *pg, const struct thread_rec *t, const struct message_rec *m,
                               const char *reader_id);

/* The participant user_id of thread_id; CM_ENOTFOUND when not one. */
cm_err store_participant_get(PGconn *pg, const char *thread_id, const char *user_id,
                             struct participant_rec *out);

/* The receipts of message_id, by username. */
cm_err store_message_receipts(PGconn *pg, const char *message_id, struct receipt_list *out);
void receipt_list_release(struct receipt_list *l);

/* user_id's unread and unseen counts in organization_id's threads: one
 * read of clinical_counters, which a trigger on the receipts keeps exact
 * (migration 006); zeros for a user without a row. */
cm_err store_counters(PGconn *pg, const char *organization_id, const char *user_id,
                      struct counters_rec *out);

#endif
