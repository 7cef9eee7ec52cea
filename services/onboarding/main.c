/* main.c: the onboarding daemon. Everything but its tables is the shared skeleton
 * in libcommon/cm_service.c. */
#include "handlers.h"

static const struct cm_service_def onboarding_service = {
    .name = "onboarding",
    .ops = onboarding_ops,
    .rpcs = onboarding_rpcs,
};

int main(void)
{
    return cm_service_main(&onboarding_service);
}
