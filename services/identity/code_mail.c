/* code_mail.c: the queue of identity's code and notice messages and the
 * thread that delivers them through messaging.rpc.Deliver (code_mail.h).
 * The queue is part of identity's state (identity_state.h), guarded by its
 * mutex; nothing here is a file static. */
#include "code_mail.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_peer.h"
#include "cm_time.h"
#include "messaging.pb-c.h"

#define DELIVER_TRIES 3        /* messaging unavailable: try again... */
#define DELIVER_RETRY_MS 500   /* ...this long after */
/* Each message waits a random 50..250 ms after it was queued before it is
 * handed over, so that the work of sending it (here and in messaging) does
 * not fall inside the answer that queued it, where a stranger could time it
 * (forgot-password must take as long for an unknown user). */
#define DELIVER_DELAY_MIN_MS 50
#define DELIVER_DELAY_SPAN_MS 200

/* The queue and its delivery thread. */
struct code_mailer {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct code_mail *items[CODE_MAIL_QUEUE_MAX];
    int head, n;
    int stopping;
    const struct cm_config *cfg; /* set by code_mailer_start */
    natsConnection *nc;
    pthread_t thread;
    int started;
};

struct code_mailer *code_mailer_new(void)
{
    struct code_mailer *q = cm_xcalloc(1, sizeof *q);

    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    return q;
}

cm_err code_mail_queue(struct code_mailer *q, struct code_mail *m)
{
    struct code_mail *copy = cm_xmalloc(sizeof *copy);
    unsigned char key[16];
    cm_err err = CM_OK;

    memcpy(copy, m, sizeof *copy);
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(copy->idempotency_key, sizeof copy->idempotency_key, key, sizeof key);
    copy->not_before_s = cm_now_s() +
                         (DELIVER_DELAY_MIN_MS + randombytes_uniform(DELIVER_DELAY_SPAN_MS)) / 1000.0;
    sodium_memzero(m->body, sizeof m->body);
    sodium_memzero(m->code, sizeof m->code);
    pthread_mutex_lock(&q->lock);
    if (q->n == CODE_MAIL_QUEUE_MAX) {
        err = CM_EUNAVAIL;
    } else {
        q->items[(q->head + q->n) % CODE_MAIL_QUEUE_MAX] = copy;
        q->n++;
        pthread_cond_signal(&q->wake);
    }
    pthread_mutex_unlock(&q->lock);
    if (err != CM_OK) {
        cm_warn("%s message dropped: the send queue is full", copy->kind);
        sodium_memzero(copy, sizeof *copy);
        free(copy);
    }
    return err;
}

int code_mail_waiting(struct code_mailer *q)
{
    int n;

    pthread_mutex_lock(&q->lock);
    n = q->n;
    pthread_mutex_unlock(&q->lock);
    return n;
}

/* Hands m to messaging once, as identity; CM_OK or why not. The packed
 * request (it holds the code) is wiped once sent (cm_peer_ask_secret_from). */
static cm_err deliver_once(const struct code_mailer *ml, const struct code_mail *m)
{
    Messaging__DeliverRequest d = MESSAGING__DELIVER_REQUEST__INIT;
    Messaging__DeliverRequest__VariablesEntry e[3], *ep[3] = {&e[0], &e[1], &e[2]};
    struct cm_peer_from self = {ml->nc, ml->cfg->service, m->request_id,
                                ml->cfg->rpc_timeout_ms};
    ProtobufCMessage *reply = NULL;
    char ttl[16];
    cm_err err;

    for (int i = 0; i < 3; i++)
        messaging__deliver_request__variables_entry__init(&e[i]);
    d.channel = m->sms ? "sms" : "email";
    d.to = (char *)m->to;
    d.subject = (char *)m->subject;
    d.body = (char *)m->body;
    d.kind = (char *)m->kind;
    d.organization_id = "";
    if (m->template_type[0]) { /* messaging renders it */
        d.template_type = (char *)m->template_type;
        e[0].key = "code";
        e[0].value = (char *)m->code;
        snprintf(ttl, sizeof ttl, "%d", m->ttl_minutes);
        e[1].key = "ttl_minutes";
        e[1].value = m->ttl_minutes > 0 ? ttl : "";
        e[2].key = "new_email";
        e[2].value = (char *)m->new_email;
        d.n_variables = 3;
        d.variables = ep;
        /* one send per queued message, even when a retry follows a lost reply */
        d.idempotency_key = (char *)m->idempotency_key;
    }
    err = cm_peer_ask_secret_from(&self, "messaging.rpc.Deliver", &d.base,
                                  &messaging__deliver_reply__descriptor, &reply, NULL, 0);
    if (err == CM_OK)
        protobuf_c_message_free_unpacked(reply, NULL);
    return err;
}

static int stopping(struct code_mailer *q)
{
    int s;

    pthread_mutex_lock(&q->lock);
    s = q->stopping;
    pthread_mutex_unlock(&q->lock);
    return s;
}

/* Delivers m, trying again while messaging is unavailable (not once
 * stopping); failures are logged without address or body. */
static void deliver(struct code_mailer *ml, const struct code_mail *m)
{
    cm_err err = CM_OK;

    cm_log_set_request_id(m->request_id);
    for (int i = 0; i < DELIVER_TRIES; i++) {
        struct timespec ts = {0, DELIVER_RETRY_MS * 1000000L};
        err = deliver_once(ml, m);
        if (err == CM_OK || (err != CM_EUNAVAIL && err != CM_ETIMEOUT) || stopping(ml))
            break;
        nanosleep(&ts, NULL);
    }
    if (err != CM_OK)
        cm_warn("%s message not delivered (%s): %s", m->kind, m->sms ? "sms" : "email",
                cm_err_name(err));
    cm_log_set_request_id(NULL);
}

static void *run(void *arg)
{
    struct code_mailer *q = arg;

    for (;;) {
        struct code_mail *m = NULL;
        pthread_mutex_lock(&q->lock);
        while (q->n == 0 && !q->stopping)
            pthread_cond_wait(&q->wake, &q->lock);
        if (q->n > 0) {
            m = q->items[q->head];
            q->head = (q->head + 1) % CODE_MAIL_QUEUE_MAX;
            q->n--;
        }
        pthread_mutex_unlock(&q->lock);
        if (!m)
            break; /* stopping and nothing left */
        if (!stopping(q) && m->not_before_s > cm_now_s()) {
            double wait = m->not_before_s - cm_now_s();
            struct timespec ts = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
            nanosleep(&ts, NULL);
        }
        deliver(q, m);
        sodium_memzero(m, sizeof *m);
        free(m);
    }
    return NULL;
}

cm_err code_mailer_start(struct code_mailer *q, const struct cm_config *cfg, natsConnection *nc)
{
    q->cfg = cfg;
    q->nc = nc;
    if (pthread_create(&q->thread, NULL, run, q) != 0) {
        cm_error("code mail thread could not start");
        return CM_EINTERNAL;
    }
    q->started = 1;
    return CM_OK;
}

void code_mailer_free(struct code_mailer *q)
{
    if (!q)
        return;
    if (q->started) {
        pthread_mutex_lock(&q->lock);
        q->stopping = 1;
        pthread_cond_broadcast(&q->wake);
        pthread_mutex_unlock(&q->lock);
        pthread_join(q->thread, NULL);
    }
    for (; q->n > 0; q->n--, q->head = (q->head + 1) % CODE_MAIL_QUEUE_MAX) {
        sodium_memzero(q->items[q->head], sizeof *q->items[q->head]);
        free(q->items[q->head]);
    }
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->wake);
    free(q);
}
