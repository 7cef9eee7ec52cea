/* test_cm_config.c: the environment table: defaults, bounds, derived values. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "cm_config.h"

static const char *const *fake_env;

static const char *lookup(const char *name)
{
    for (const char *const *kv = fake_env; kv && kv[0]; kv += 2)
        if (!strcmp(kv[0], name))
            return kv[1];
    return NULL;
}

Test(cm_config, defaults_derive_from_the_service)
{
    struct cm_config cfg;
    char err[128];

    fake_env = NULL;
    cr_assert(eq(int, cm_config_load("authz", lookup, &cfg, err, sizeof err), CM_OK));
    cr_assert(eq(str, cfg.pg_user, "authz"));
    cr_assert(eq(str, cfg.migrations_dir, "services/authz/migrations"));
    cr_assert(eq(int, cfg.admin_port, 9102));
    cr_assert(eq(int, cfg.edge_port, 8080));
    cr_assert(eq(int, cfg.handler_threads, 4));
    cr_assert(cfg.edge_threads >= 1 && cfg.edge_threads <= 64, "edge threads %d", cfg.edge_threads);
    cr_assert(eq(str, cfg.nats_url, "nats://127.0.0.1:4222"));
    cm_config_release(&cfg);
}

Test(cm_config, environment_overrides_defaults)
{
    static const char *const env[] = {"EDGE_PORT", "18080", "PG_USER", "svc", "NATS_URL",
                                      "nats://a:1,nats://b:2", "ADMIN_PORT", "0", NULL};
    struct cm_config cfg;
    char err[128];

    fake_env = env;
    cr_assert(eq(int, cm_config_load("edge", lookup, &cfg, err, sizeof err), CM_OK));
    cr_assert(eq(int, cfg.edge_port, 18080));
    cr_assert(eq(str, cfg.pg_user, "svc"));
    cr_assert(eq(str, cfg.nats_url, "nats://a:1,nats://b:2"));
    cr_assert(eq(int, cfg.admin_port, 0));
    cm_config_release(&cfg);
}

/* By value: Criterion copies parameters into its worker processes. */
struct bad_value {
    char name[32];
    char value[32];
};

ParameterizedTestParameters(cm_config, rejects_bad_integers)
{
    static struct bad_value cases[] = {
        {"EDGE_PORT", "0"},          {"EDGE_PORT", "65536"},    {"EDGE_PORT", "80x"},
        {"EDGE_PORT", "-1"},         {"HANDLER_THREADS", "0"},  {"HANDLER_THREADS", "1000"},
        {"MAX_BODY_BYTES", "12"},    {"REQUEST_TIMEOUT_MS", ""}, {"PG_PORT", "99999999999999999999"},
    };
    return cr_make_param_array(struct bad_value, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bad_value *c, cm_config, rejects_bad_integers)
{
    const char *env[] = {c->name, c->value, NULL};
    struct cm_config cfg;
    char err[128] = "";

    fake_env = env;
    if (!c->value[0]) { /* empty means unset: the default applies */
        cr_assert(eq(int, cm_config_load("edge", lookup, &cfg, err, sizeof err), CM_OK));
        cm_config_release(&cfg);
        return;
    }
    cr_assert(eq(int, cm_config_load("edge", lookup, &cfg, err, sizeof err), CM_EINVAL));
    cr_assert(strstr(err, c->name) != NULL, "error names the variable: %s", err);
}
