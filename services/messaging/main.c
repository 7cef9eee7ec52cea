/* main.c: the messaging daemon. Everything but its tables is the shared skeleton
 * in libcommon/cm_service.c (which also initialises libsodium, used for
 * message ids). */
#include "handlers.h"

static const struct cm_service_def messaging_service = {
    .name = "messaging",
    .ops = messaging_ops,
    .rpcs = messaging_rpcs,
};

int main(void)
{
    return cm_service_main(&messaging_service);
}
