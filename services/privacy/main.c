/* main.c: the privacy daemon. Everything but its tables is the shared skeleton
 * in libcommon/cm_service.c. */
#include "handlers.h"

static const struct cm_service_def privacy_service = {
    .name = "privacy",
    .ops = privacy_ops,
    .rpcs = privacy_rpcs,
};

int main(void)
{
    return cm_service_main(&privacy_service);
}
