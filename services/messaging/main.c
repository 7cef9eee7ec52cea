/* main.c: the messaging daemon. Everything but its tables is the shared skeleton
 * in libcommon/cm_service.c (which also initialises libsodium, used for
 * message ids). */
#include "delivery_sender.h"
#include "handlers.h"
#include "messaging_state.h"

static const struct cm_service_def messaging_service = {
    .name = "messaging",
    .ops = messaging_ops,
    .rpcs = messaging_rpcs,
    .state_new = messaging_state_new, /* the PHI keyring */
    .state_free = messaging_state_free,
    .on_serving = delivery_sender_start, /* sends queued email and SMS (delivery_sender.h) */
    .on_stop = delivery_sender_stop,
};

int main(void)
{
    return cm_service_main(&messaging_service);
}
