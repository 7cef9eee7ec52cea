/* main.c: the messaging daemon. Everything but its tables is the shared skeleton
 * in libcommon/cm_service.c. */
#include <sodium.h>

#include "cm_log.h"
#include "handlers.h"

/* libsodium (message ids) must be ready before the first handler runs. */
static cm_err messaging_on_start(const struct cm_config *cfg, PGconn *pg)
{
    (void)cfg;
    (void)pg;
    if (sodium_init() < 0) {
        cm_error("libsodium init failed");
        return CM_EINTERNAL;
    }
    return CM_OK;
}

static const struct cm_service_def messaging_service = {
    .name = "messaging",
    .ops = messaging_ops,
    .rpcs = messaging_rpcs,
    .on_start = messaging_on_start,
};

int main(void)
{
    return cm_service_main(&messaging_service);
}
