/* main.c: the onboarding daemon. Everything but its tables, the sign-up
 * sweeper thread and the delivery-events consumer is the shared skeleton in
 * libcommon/cm_service.c (which also initialises libsodium, used for
 * confirmation codes and ids). */
#include <stdlib.h>

#include "cm_alloc.h"
#include "delivery_feed.h"
#include "handlers.h"
#include "sweeper.h"

struct background {
    void *sweeper, *feed;
};

/* The sweeper (finishes or undoes sign-ups left half done, sweeper.h) and
 * the delivery feed (delivery_feed.h). */
static cm_err background_start(const struct cm_config *cfg, natsConnection *nc, void **state)
{
    struct background *b = cm_xcalloc(1, sizeof *b);
    cm_err err = sweeper_start(cfg, nc, &b->sweeper);

    if (err == CM_OK && (err = delivery_feed_start(cfg, nc, &b->feed)) != CM_OK)
        sweeper_stop(b->sweeper);
    if (err != CM_OK) {
        free(b);
        return err;
    }
    *state = b;
    return CM_OK;
}

static void background_stop(void *state)
{
    struct background *b = state;

    if (!b)
        return;
    delivery_feed_stop(b->feed);
    sweeper_stop(b->sweeper);
    free(b);
}

static const struct cm_service_def onboarding_service = {
    .name = "onboarding",
    .ops = onboarding_ops,
    .rpcs = onboarding_rpcs,
    .on_serving = background_start,
    .on_stop = background_stop,
};

int main(void)
{
    return cm_service_main(&onboarding_service);
}
