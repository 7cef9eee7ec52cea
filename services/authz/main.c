/* main.c: the authz daemon. Everything but its tables is the shared skeleton
 * in libcommon/cm_service.c. */
#include "handlers.h"

static const struct cm_service_def authz_service = {
    .name = "authz",
    .ops = authz_ops,
    .rpcs = authz_rpcs,
};

int main(void)
{
    return cm_service_main(&authz_service);
}
