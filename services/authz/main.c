/* main.c: the authz daemon. Everything but its tables, its state
 * (authz_state.h) and the projection thread (projection.h) is the shared skeleton in libcommon/cm_service.c. */
#include "authz_state.h"
#include "handlers.h"
#include "projection.h"

static const struct cm_service_def authz_service = {
    .name = "authz",
    .ops = authz_ops,
    .rpcs = authz_rpcs,
    .on_serving = projection_start, /* the projection of identity (projection.h) */
    .on_stop = projection_stop,
    .state_new = authz_state_new, /* the check cache (authz_state.h) */
    .state_free = authz_state_free,
};

int main(void)
{
    return cm_service_main(&authz_service);
}
