/* sweeper.c: the thread that finishes or undoes unfinished sign-ups and
 * onboarding requests' accounts (see sweeper.h, request_flow.h). */
#include "sweeper.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_pg.h"
#include "cm_time.h"
#include "request_flow.h"
#include "sign_up_flow.h"
#include "store.h"
#include "store_limits.h"

#define SWEEP_EVERY_MS 1000
#define SWEEP_BATCH 20             /* requests per round at most */
#define PRUNE_EVERY_MS (600 * 1000)
#define SLICE_MS 50                /* naps look at the stop flag this often */

struct sweeper {
    const struct cm_config *cfg;
    struct cm_worker w; /* what the flow's steps need: cfg, nc, pg */
    pthread_t thread;
    atomic_int stop;
    int64_t next_prune_ms;
};

static void nap(struct sweeper *sw, int ms)
{
    int64_t until = cm_now_ms() + ms;

    while (!atomic_load(&sw->stop) && cm_now_ms() < until)
        usleep(SLICE_MS * 1000);
}

/* Finishes or undoes request id, claimed. */
static void sweep_one(struct sweeper *sw, const char *id)
{
    PGconn *pg = sw->w.pg;
    struct sign_up s;
    char account_type[64], detail[PEER_DETAIL_MAX];
    cm_err err = cm_pg_begin(pg);

    if (err == CM_OK)
        err = store_sign_up_lock_id(pg, id, &s);
    cm_pg_rollback(pg);
    if (err != CM_OK)
        return;
    if (s.step == STEP_ACCOUNT_CREATED) {
        err = flow_send_code(&sw->w, id);
        cm_info("sweeper: sign-up %s: code %s", id, err == CM_OK ? "sent" : cm_err_name(err));
        return;
    }
    err = flow_create_account(&sw->w, &s, NULL, 0, account_type, detail);
    if (err == CM_OK) {
        err = flow_account_created(&sw->w, id, account_type);
        cm_info("sweeper: sign-up %s: account found, finished (%s)", id, cm_err_name(err));
    } else if (err == CM_ENOTFOUND && s.created_age_s > sw->cfg->sign_up_undo_after_s) {
        err = store_sign_up_undo(pg, id);
        cm_info("sweeper: sign-up %s: no account came, undone (%s)", id, cm_err_name(err));
    } else if (err != CM_ENOTFOUND) {
        cm_warn("sweeper: sign-up %s: identity did not answer (%s)", id, cm_err_name(err));
    }
}

static void round_of(struct sweeper *sw)
{
    char id[37];
    long pruned = 0;

    for (int i = 0; i < SWEEP_BATCH && !atomic_load(&sw->stop); i++) {
        if (store_sign_up_claim_unfinished(sw->w.pg, sw->cfg->sign_up_sweep_after_s, id) != CM_OK)
            break;
        sweep_one(sw, id);
    }
    if (!atomic_load(&sw->stop)) /* onboarding requests' accounts (request_flow.h) */
        request_flow_sweep(&sw->w, SWEEP_BATCH);
    if (cm_now_ms() >= sw->next_prune_ms) {
        sw->next_prune_ms = cm_now_ms() + PRUNE_EVERY_MS;
        if (store_limits_prune(sw->w.pg, LIMIT_KEEP_S, &pruned) == CM_OK && pruned > 0)
            cm_info("sweeper: %ld old limit events pruned", pruned);
    }
}

static void *run(void *arg)
{
    struct sweeper *sw = arg;

    while (!atomic_load(&sw->stop)) {
        cm_err err = sw->w.pg ? cm_pg_ensure(sw->cfg, &sw->w.pg)
                              : cm_pg_connect(sw->cfg, &sw->w.pg);
        if (err == CM_OK)
            round_of(sw);
        nap(sw, SWEEP_EVERY_MS);
    }
    return NULL;
}

cm_err sweeper_start(const struct cm_config *cfg, natsConnection *nc, void **out_state)
{
    struct sweeper *sw = cm_xcalloc(1, sizeof *sw);

    sw->cfg = cfg;
    sw->w.cfg = cfg;
    sw->w.nc = nc;
    sw->w.index = -1;
    if (pthread_create(&sw->thread, NULL, run, sw) != 0) {
        cm_error("sweeper: cannot start its thread");
        free(sw);
        return CM_EINTERNAL;
    }
    *out_state = sw;
    return CM_OK;
}

void sweeper_stop(void *state)
{
    struct sweeper *sw = state;

    if (!sw)
        return;
    atomic_store(&sw->stop, 1);
    pthread_join(sw->thread, NULL);
    if (sw->w.pg)
        PQfinish(sw->w.pg);
    free(sw);
}
