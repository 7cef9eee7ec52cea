/* main.c: the privacy daemon. Everything but its tables and the deletion
 * saga's runner is the shared skeleton in libcommon/cm_service.c. */
#include "handlers.h"
#include "saga.h"

static const struct cm_service_def privacy_service = {
    .name = "privacy",
    .ops = privacy_ops,
    .rpcs = privacy_rpcs,
    .on_serving = saga_start, /* the deletion saga's runner (saga.h) */
    .on_stop = saga_stop,
};

int main(void)
{
    return cm_service_main(&privacy_service);
}
