/* saga.c: the deletion saga's runner thread (saga.h). */
#include "saga.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_peer.h"
#include "cm_pg.h"
#include "events_erase.h"
#include "privacy.pb-c.h"
#include "store_deletion.h"

const char *const saga_apps[] = {"identity", "authz", "onboarding", "messaging",
                                 "privacy",  "events", NULL};

int saga_app_known(const char *app)
{
    for (const char *const *a = saga_apps; *a; a++)
        if (!strcmp(*a, app))
            return 1;
    return 0;
}

void saga_steps_with(char (*replicas)[64], size_t n, const char **out, size_t max)
{
    size_t k = 0;

    for (const char *const *a = saga_apps; *a && k + 1 < max; a++) {
        if (!strcmp(*a, "events"))
            for (size_t i = 0; i < n && k + 2 < max; i++) {
                int dup = saga_app_known(replicas[i]);
                for (size_t j = 0; j < i && !dup; j++)
                    dup = !strcmp(replicas[j], replicas[i]);
                if (!dup)
                    out[k++] = replicas[i];
            }
        out[k++] = *a;
    }
    out[k] = NULL;
}

struct saga {
    const struct cm_config *cfg;
    natsConnection *nc;
    PGconn *pg;
    pthread_t thread;
    atomic_int stop;
};

/* Asks app to purge the person of rec (step s): *out_done on success. */
static cm_err purge_app(natsConnection *nc, int timeout_ms, const struct deletion_rec *rec,
                        const struct deletion_step_rec *s, int *out_done)
{
    Privacy__PurgeRequest req = PRIVACY__PURGE_REQUEST__INIT;
    struct cm_peer_from self = {nc, "privacy", rec->id, timeout_ms};
    ProtobufCMessage *m = NULL;
    char subject[96], *needles[DELETION_NEEDLES_MAX];
    cm_err err;

    for (size_t i = 0; i < rec->nneedles; i++)
        needles[i] = (char *)rec->needles[i];
    req.request_id = (char *)rec->id;
    req.reference_id = (char *)s->reference_id;
    req.user_id = (char *)rec->user_id;
    req.needles = needles;
    req.n_needles = rec->nneedles;
    req.archive = rec->archive;
    snprintf(subject, sizeof subject, "%s.rpc.Purge", s->app);
    err = cm_peer_ask_from(&self, subject, &req.base, &privacy__purge_reply__descriptor, &m, NULL,
                           0);
    if (err != CM_OK)
        return err;
    *out_done = ((Privacy__PurgeReply *)m)->done;
    protobuf_c_message_free_unpacked(m, NULL);
    return CM_OK;
}

cm_err saga_run_step(natsConnection *nc, int timeout_ms, const struct deletion_rec *rec,
                     const struct deletion_step_rec *s, int *out_done)
{
    long erased = 0;
    cm_err err;

    *out_done = 0;
    if (strcmp(s->app, "events"))
        return purge_app(nc, timeout_ms, rec, s, out_done);
    err = events_erase(nc, "EVENTS", (char(*)[256])rec->needles, rec->nneedles, &erased);
    *out_done = err == CM_OK;
    return err;
}

/* Runs the pending steps of rec in order until one is not done. */
static void run_request(struct saga *sg, struct deletion_rec *rec)
{
    for (size_t i = 0; i < rec->nsteps; i++) {
        struct deletion_step_rec *s = &rec->steps[i];
        int done = 0;
        cm_err err;

        if (!strcmp(s->state, "done"))
            continue;
        if (!saga_app_known(s->app))
            continue; /* an outside replica: done when it reports through update-status */
        err = saga_run_step(sg->nc, sg->cfg->rpc_timeout_ms, rec, s, &done);
        if (err != CM_OK || !done) {
            if (err != CM_OK)
                cm_warn("deletion %s: step %s: %s (retried)", rec->id, s->app, cm_err_name(err));
            return;
        }
        if (store_deletion_step_done(sg->pg, rec->id, s->reference_id) != CM_OK)
            return;
        cm_info("deletion %s: step %s done", rec->id, s->app);
    }
    {
        int finished = 0;
        if (store_deletion_finish(sg->pg, rec->id, &finished) == CM_OK && finished)
            cm_info("deletion %s: done", rec->id);
    }
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *saga_main(void *arg)
{
    struct saga *sg = arg;
    struct deletion_rec *rec = cm_xmalloc(sizeof *rec);

    while (!atomic_load(&sg->stop)) {
        if (!sg->pg && cm_pg_connect(sg->cfg, &sg->pg) != CM_OK)
            sg->pg = NULL;
        if (sg->pg && cm_pg_ensure(sg->cfg, &sg->pg) == CM_OK) {
            /* every request waiting, one after another */
            while (!atomic_load(&sg->stop) &&
                   store_deletion_claim(sg->pg, SAGA_LEASE_S, rec) == CM_OK)
                run_request(sg, rec);
        }
        sleep_ms(SAGA_TICK_MS);
    }
    free(rec);
    return NULL;
}

cm_err saga_start(const struct cm_config *cfg, natsConnection *nc, void **state)
{
    struct saga *sg = cm_xcalloc(1, sizeof *sg);

    sg->cfg = cfg;
    sg->nc = nc;
    atomic_init(&sg->stop, 0);
    if (pthread_create(&sg->thread, NULL, saga_main, sg) != 0) {
        free(sg);
        cm_error("cannot start the deletion saga thread");
        return CM_EINTERNAL;
    }
    *state = sg;
    return CM_OK;
}

void saga_stop(void *state)
{
    struct saga *sg = state;
    if (!sg)
        return;
    atomic_store(&sg->stop, 1);
    pthread_join(sg->thread, NULL);
    if (sg->pg)
        PQfinish(sg->pg);
    free(sg);
}
