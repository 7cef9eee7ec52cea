/* main.c: the onboarding daemon. Everything but its tables and the sign-up
 * sweeper thread is the shared skeleton in libcommon/cm_service.c (which
 * also initialises libsodium, used for confirmation codes and ids). */
#include "handlers.h"
#include "sweeper.h"

static const struct cm_service_def onboarding_service = {
    .name = "onboarding",
    .ops = onboarding_ops,
    .rpcs = onboarding_rpcs,
    .on_serving = sweeper_start, /* finishes or undoes sign-ups left half done (sweeper.h) */
    .on_stop = sweeper_stop,
};

int main(void)
{
    return cm_service_main(&onboarding_service);
}
