/* main.c: the onboarding daemon. Everything but its tables and the sign-up
 * sweeper thread is the shared skeleton in libcommon/cm_service.c. */
#include <sodium.h>

#include "cm_log.h"
#include "handlers.h"
#include "sweeper.h"

/* libsodium (confirmation codes, generated ids) must be ready before the
 * first handler runs. */
static cm_err onboarding_on_start(const struct cm_config *cfg, PGconn *pg)
{
    (void)cfg;
    (void)pg;
    if (sodium_init() < 0) {
        cm_error("libsodium init failed");
        return CM_EINTERNAL;
    }
    return CM_OK;
}

static const struct cm_service_def onboarding_service = {
    .name = "onboarding",
    .ops = onboarding_ops,
    .rpcs = onboarding_rpcs,
    .on_start = onboarding_on_start,
    .on_serving = sweeper_start, /* finishes or undoes sign-ups left half done (sweeper.h) */
    .on_stop = sweeper_stop,
};

int main(void)
{
    return cm_service_main(&onboarding_service);
}
