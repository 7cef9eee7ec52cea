/* main.c: the identity daemon. Everything but its tables, its state
 * (identity_state.h: the signing key, the code-mail queue and its thread)
 * and its password hashers is the shared skeleton in libcommon/cm_service.c. */
#include "handlers.h"
#include "identity_state.h"
#include "password_hash.h"

/* What checks or hashes a password (argon2id): run on the slow-work pool,
 * never on a request worker (cm_service.h), so that reads do not wait
 * behind a hash. */
static const char *const password_ops[] = {
    "login",           "users.change-password", "confirm-forgot-password",
    "mfa-totp.enable", "mfa-totp.disable",      NULL,
};
static const char *const password_rpcs[] = {"CreateAccount", NULL};

/* Once serving: the argon2id computations go to low-priority hasher threads
 * (password_hash.h; start-up work, the bootstrap admin, hashes inline at
 * normal priority, so the daemon is ready soon). */
static cm_err identity_on_serving(const struct cm_config *cfg, natsConnection *nc, void **state)
{
    (void)nc;
    (void)state;
    return pw_hashers_start(cfg);
}

/* The hashers stop after the password pool answered its last request; codes
 * and notices still queued are sent after that, by identity_state_free. */
static void identity_on_stop(void *state)
{
    (void)state;
    pw_hashers_stop();
}

static const struct cm_service_def identity_service = {
    .name = "identity",
    .ops = identity_ops,
    .rpcs = identity_rpcs,
    .on_start = identity_on_start,
    .on_serving = identity_on_serving,
    .on_stop = identity_on_stop,
    .state_new = identity_state_new, /* signing key, code-mail queue (identity_state.h) */
    .state_free = identity_state_free,
    .pool_ops = password_ops,
    .pool_rpcs = password_rpcs,
};

int main(void)
{
    return cm_service_main(&identity_service);
}
