/* main.c: the identity daemon. Everything but its tables is the shared skeleton
 * in libcommon/cm_service.c. */
#include "code_mail.h"
#include "handlers.h"

static const struct cm_service_def identity_service = {
    .name = "identity",
    .ops = identity_ops,
    .rpcs = identity_rpcs,
    .on_start = identity_on_start,
    .on_serving = code_mail_start, /* codes and notices sent off the request path */
    .on_stop = code_mail_stop,
};

int main(void)
{
    return cm_service_main(&identity_service);
}
