/* delivery_sender.c: the sender thread of queued messages
 * (delivery_sender.h). */
#include "delivery_sender.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_pg.h"
#include "smtp_message.h"
#include "smtp_send.h"
#include "store_deliveries.h"

#define MAX_BACKOFF_MS 3600000L

struct delivery_sender {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    const struct cm_config *cfg;
    PGconn *pg;
};

int delivery_remote(const struct cm_config *cfg, const char *channel)
{
    if (!strcmp(channel, "email"))
        return cfg->smtp_url[0] != '\0';
    return !strcmp(channel, "sms") && cfg->sms_url[0] != '\0';
}

long delivery_backoff_ms(long backoff_ms, long attempts)
{
    long ms = backoff_ms;

    for (long i = 1; i < attempts && ms < MAX_BACKOFF_MS; i++)
        ms *= 2;
    return ms < MAX_BACKOFF_MS ? ms : MAX_BACKOFF_MS;
}

/* Sends d once through its transport; why on failure. */
static cm_err send_one(const struct cm_config *cfg, const struct delivery_rec *d, char *why,
                       size_t whylen)
{
    char *msg = NULL;
    size_t len = 0;
    cm_err err;

    if (!strcmp(d->channel, "sms"))
        return sms_send(cfg, d->id, d->recipient, d->body, why, whylen);
    smtp_message_build(cfg->mail_from, d->recipient, d->subject, d->body,
                       !strcmp(d->format, "html"), d->id, time(NULL), &msg, &len);
    err = smtp_send(cfg, d->recipient, msg, len, why, whylen);
    free(msg);
    return err;
}

/* One round: claims due messages and sends them. Returns how many it
 * claimed (0 when none or Postgres is down). */
static size_t round_once(struct delivery_sender *s)
{
    struct delivery_list l = {0, NULL, NULL};
    char why[256];
    cm_err err = s->pg ? cm_pg_ensure(s->cfg, &s->pg) : cm_pg_connect(s->cfg, &s->pg);
    size_t n;

    if (err == CM_OK)
        err = store_delivery_claim(s->pg, DELIVERY_BATCH, &l);
    if (err != CM_OK)
        return 0;
    for (size_t i = 0; i < l.n; i++) {
        const struct delivery_rec *d = &l.items[i];
        long attempts = d->attempts + 1;
        why[0] = '\0';
        err = send_one(s->cfg, d, why, sizeof why);
        if (err == CM_OK) {
            err = store_delivery_sent(s->pg, d->id);
            cm_info("message %s sent (%s, %s, attempt %ld)", d->id, d->channel, d->kind, attempts);
        } else {
            int final = err == CM_EINVAL || attempts >= s->cfg->delivery_retries;
            cm_warn("message %s (%s, %s) attempt %ld failed%s: %s", d->id, d->channel, d->kind,
                    attempts, final ? " for good" : "", why);
            err = store_delivery_retry(s->pg, d->id, attempts, why,
                                       delivery_backoff_ms(s->cfg->delivery_backoff_ms, attempts),
                                       final);
        }
        if (err != CM_OK) /* the lease ends and it is tried again */
            cm_warn("message %s: its state could not be recorded", d->id);
    }
    n = l.n;
    store_delivery_list_free(&l);
    return n;
}

static void *run(void *arg)
{
    struct delivery_sender *s = arg;
    struct timespec until;
    int stop;

    for (;;) {
        pthread_mutex_lock(&s->lock);
        stop = s->stopping;
        pthread_mutex_unlock(&s->lock);
        if (stop)
            break;
        if (round_once(s) == DELIVERY_BATCH)
            continue; /* more may be due */
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += DELIVERY_POLL_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_mutex_lock(&s->lock);
        while (!s->stopping && pthread_cond_timedwait(&s->wake, &s->lock, &until) != ETIMEDOUT)
            ;
        pthread_mutex_unlock(&s->lock);
    }
    if (s->pg)
        PQfinish(s->pg);
    s->pg = NULL;
    return NULL;
}

cm_err delivery_sender_start(const struct cm_config *cfg, natsConnection *nc, void **state)
{
    struct delivery_sender *s;

    (void)nc;
    *state = NULL;
    if (!delivery_remote(cfg, "email") && !delivery_remote(cfg, "sms"))
        return CM_OK;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        cm_error("delivery sender: libcurl could not start");
        return CM_EINTERNAL;
    }
    s = cm_xcalloc(1, sizeof *s);
    s->cfg = cfg;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    if (pthread_create(&s->thread, NULL, run, s) != 0) {
        cm_error("delivery sender: the thread could not start");
        free(s);
        return CM_EINTERNAL;
    }
    cm_info("delivery sender started (email: %s, sms: %s)",
            delivery_remote(cfg, "email") ? "smtp" : "spool",
            delivery_remote(cfg, "sms") ? "http" : "spool");
    *state = s;
    return CM_OK;
}

void delivery_sender_stop(void *state)
{
    struct delivery_sender *s = state;

    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    free(s);
}
