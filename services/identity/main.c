/* main.c: the identity daemon. Everything but its tables is the shared skeleton
 * in libcommon/cm_service.c. */
#include "handlers.h"

static const struct cm_service_def identity_service = {
    .name = "identity",
    .ops = identity_ops,
    .rpcs = identity_rpcs,
    .on_start = identity_on_start,
};

int main(void)
{
    return cm_service_main(&identity_service);
}
