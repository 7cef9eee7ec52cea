/* main.c: the identity daemon. Everything but its tables and its state
 * (identity_state.h: keys, the code-mail queue and its thread, the password
 * hashers) is the shared skeleton in libcommon/cm_service.c. */
#include "handlers.h"
#include "identity_state.h"

/* What checks or hashes a password (argon2id): run on the slow-work pool,
 * never on a request worker (cm_service.h), so that reads do not wait
 * behind a hash. */
static const char *const password_ops[] = {
    "login",           "users.change-password", "confirm-forgot-password",
    "mfa-totp.enable", "mfa-totp.disable",      NULL,
};
static const char *const password_rpcs[] = {"CreateAccount", "VerifyPassword", NULL};

static const struct cm_service_def identity_service = {
    .name = "identity",
    .ops = identity_ops,
    .rpcs = identity_rpcs,
    .on_start = identity_on_start,
    .state_new = identity_state_new, /* keys, code mail, hashers (identity_state.h) */
    .state_free = identity_state_free,
    .pool_ops = password_ops,
    .pool_rpcs = password_rpcs,
};

int main(void)
{
    return cm_service_main(&identity_service);
}
