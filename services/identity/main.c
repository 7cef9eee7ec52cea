/* main.c: the identity daemon. Everything but its tables is the shared skeleton
 * in libcommon/cm_service.c. */
#include "code_mail.h"
#include "handlers.h"
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
 * normal priority, so the daemon is ready soon), and codes and notices are
 * sent off the request path (code_mail.h). */
static cm_err identity_on_serving(const struct cm_config *cfg, natsConnection *nc, void **state)
{
    cm_err err = pw_hashers_start(cfg);
    if (err == CM_OK && (err = code_mail_start(cfg, nc, state)) != CM_OK)
        pw_hashers_stop();
    return err;
}

/* Codes and notices still queued are sent first (code_mail_stop), then the
 * hashers stop (after the password pool answered its last request). */
static void identity_on_stop(void *state)
{
    code_mail_stop(state);
    pw_hashers_stop();
}

static const struct cm_service_def identity_service = {
    .name = "identity",
    .ops = identity_ops,
    .rpcs = identity_rpcs,
    .on_start = identity_on_start,
    .on_serving = identity_on_serving,
    .on_stop = identity_on_stop,
    .pool_ops = password_ops,
    .pool_rpcs = password_rpcs,
};

int main(void)
{
    return cm_service_main(&identity_service);
}
