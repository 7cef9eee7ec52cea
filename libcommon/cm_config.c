/* cm_config.c: the table of environment variables, their bounds and
 * defaults, and the loader that validates them. */
#include "cm_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_alloc.h"
#include "cm_nats_tls.h"
#include "cm_nkey.h"

enum kind { K_STR, K_INT };

struct entry {
    const char *name;
    enum kind kind;
    size_t offset;
    long min, max;      /* K_INT bounds */
    long def_int;       /* K_INT default */
    const char *def_str; /* K_STR default; NULL means "" */
};

#define S(name, field, def) {name, K_STR, offsetof(struct cm_config, field), 0, 0, 0, def}
#define I(name, field, lo, hi, def) {name, K_INT, offsetof(struct cm_config, field), lo, hi, def, NULL}

static const struct entry table[] = {
    S("NATS_URL", nats_url, "nats://127.0.0.1:4222"),
    I("NATS_SEND_ASAP", nats_send_asap, 0, 1, 1),
    S("PG_HOST", pg_host, "127.0.0.1"),
    I("PG_PORT", pg_port, 1, 65535, 5432),
    S("PG_DATABASE", pg_database, "health"),
    S("PG_USER", pg_user, NULL),           /* empty → service name */
    S("PG_PASSWORD", pg_password, NULL),
    S("PG_ADMIN_USER", pg_admin_user, NULL),
    S("PG_ADMIN_PASSWORD", pg_admin_password, NULL),
    I("PG_CONNECT_TIMEOUT_S", pg_connect_timeout_s, 1, 300, 5),
    S("MIGRATIONS_DIR", migrations_dir, NULL), /* empty → services/<svc>/migrations */
    I("HANDLER_THREADS", handler_threads, 1, 64, 4),
    S("ADMIN_HOST", admin_host, "127.0.0.1"),
    I("ADMIN_PORT", admin_port, 0, 65535, -1), /* -1 → per-service default */
    S("LOG_LEVEL", log_level, "info"),
    I("RPC_TIMEOUT_MS", rpc_timeout_ms, 10, 600000, 5000),
    S("EDGE_HOST", edge_host, "127.0.0.1"),
    I("EDGE_PORT", edge_port, 1, 65535, 8080),
    I("EDGE_THREADS", edge_threads, 1, 64, -1), /* -1 → half the online cores */
    I("MAX_BODY_BYTES", max_body_bytes, 1024, 256 * 1024 * 1024, 1000000), /* fits NATS's 1 MiB max_payload */
    I("MAX_HEADER_BYTES", max_header_bytes, 1024, 1024 * 1024, 16 * 1024),
    I("REQUEST_TIMEOUT_MS", request_timeout_ms, 10, 600000, 10000),
    I("AUTH_CACHE_TTL_MS", auth_cache_ttl_ms, 0, 3600000, 30000),
    I("AUTH_CACHE_SIZE", auth_cache_size, 16, 1 << 20, 4096),
    S("BOOTSTRAP_API_USER", bootstrap_api_user, NULL),
    S("BOOTSTRAP_API_KEY", bootstrap_api_key, NULL),
    S("BOOTSTRAP_ADMIN_EMAIL", bootstrap_admin_email, NULL),
    S("BOOTSTRAP_ADMIN_PASSWORD", bootstrap_admin_password, NULL),
    I("PWHASH_OPSLIMIT", pwhash_opslimit, 1, 100, 2),         /* libsodium's INTERACTIVE */
    I("PWHASH_MEMLIMIT_KIB", pwhash_memlimit_kib, 8, 4 * 1024 * 1024, 65536), /* 64 MiB */
    I("ACCESS_TOKEN_TTL_S", access_token_ttl_s, 1, 3600, 3600), /* the seed's upper bound */
    I("REFRESH_TOKEN_TTL_S", refresh_token_ttl_s, 60, 90 * 86400, 14 * 86400),
    S("SIGNING_KEY_SEED", signing_key_seed, NULL),
    I("LOGIN_THROTTLE_AFTER", login_throttle_after, 1, 1000, 5),
    I("LOGIN_LOCK_AFTER", login_lock_after, 1, 1000, 10),
    I("LOGIN_LOCK_S", login_lock_s, 1, 86400, 900),
    I("CODE_TTL_S", code_ttl_s, 60, 7 * 86400, 86400),
    S("SPOOL_DIR", spool_dir, "var/spool"),
    I("TOKEN_CACHE_SIZE", token_cache_size, 16, 1 << 20, 8192),
    I("PROJECTION_APPLY_DELAY_MS", projection_apply_delay_ms, 0, 60000, 0), /* tests only */
    I("SIGN_UP_SWEEP_AFTER_S", sign_up_sweep_after_s, 1, 86400, 30),
    I("SIGN_UP_UNDO_AFTER_S", sign_up_undo_after_s, 60, 30 * 86400, 3600),
    I("SIGN_UP_ADDR_LIMIT", sign_up_addr_limit, 1, 1000000, 60),
    S("ONBOARDING_TEST_DROP_CREATE_REPLY", onboarding_test_drop_create_reply, NULL), /* tests only */
    I("PWHASH_THREADS", pwhash_threads, 1, 64, -1), /* -1 → the online cores less one */
    I("PWHASH_QUEUE", pwhash_queue, 0, 100000, -1), /* -1 → 4 per pool thread */
    I("PWHASH_NICE", pwhash_nice, 0, 19, 19), /* the lowest: hashing takes what reads leave */
    I("LOGIN_ADDR_LOCK_AFTER", login_addr_lock_after, 1, 1000000, 100),
    I("LOGIN_USER_THROTTLE_AFTER", login_user_throttle_after, 1, 1000000, 20),
    S("TRUSTED_PROXIES", trusted_proxies, NULL),
    S("TOTP_KEYS", totp_keys, NULL),
    S("PHI_KEYS", phi_keys, NULL),
    I("MAX_UPLOAD_BYTES", max_upload_bytes, 1024, 1 << 30, 64 * 1024 * 1024), /* streamed: any size */
    S("MAIL_FROM", mail_from, "no-reply@localhost"),
    S("SMTP_URL", smtp_url, NULL),
    S("SMTP_USER", smtp_user, NULL),
    S("SMTP_PASSWORD", smtp_password, NULL),
    S("SMTP_STARTTLS", smtp_starttls, "required"),
    S("SMTP_CA_FILE", smtp_ca_file, NULL),
    S("SMS_URL", sms_url, NULL),
    S("SMS_TOKEN", sms_token, NULL),
    I("DELIVERY_RETRIES", delivery_retries, 1, 100, 5),
    I("DELIVERY_BACKOFF_MS", delivery_backoff_ms, 10, 3600000, 1000),
    S("SHORT_LINK_BASE", short_link_base, "http://127.0.0.1:8080"),
    S("INTERNAL_AUTH_JWKS", internal_auth_jwks, NULL),
    S("INTERNAL_AUTH_JWKS_FILE", internal_auth_jwks_file, NULL),
    S("INTERNAL_AUTH_AUDIENCE", internal_auth_audience, "health-suite"),
    S("INTERNAL_AUTH_ISSUER", internal_auth_issuer, NULL),
    I("INTERNAL_AUTH_TOKEN_TTL_S", internal_auth_token_ttl_s, 30, 3600, 300),
    S("NATS_NKEY_SEED_FILE", nats_nkey_seed_file, NULL), /* empty: no NKey */
    S("NATS_CREDS_FILE", nats_creds_file, NULL),         /* empty: no user JWT */
    S("NATS_TLS_CA_FILE", nats_tls_ca_file, NULL),       /* empty: the system's CAs */
    S("NATS_TLS_CERT_FILE", nats_tls_cert_file, NULL),   /* empty: no client certificate */
    S("NATS_TLS_KEY_FILE", nats_tls_key_file, NULL),
};

static const struct {
    const char *service;
    int port;
} admin_ports[] = {
    {"edge", 9100}, {"identity", 9101}, {"authz", 9102},
    {"messaging", 9103}, {"onboarding", 9104}, {"privacy", 9105},
};

const char *cm_config_env(const char *name)
{
    return getenv(name);
}

int cm_config_default_admin_port(const char *service)
{
    for (size_t i = 0; i < sizeof admin_ports / sizeof admin_ports[0]; i++)
        if (strcmp(admin_ports[i].service, service) == 0)
            return admin_ports[i].port;
    return 9199;
}

static int parse_int(const char *s, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

cm_err cm_config_load(const char *service, cm_config_lookup lookup, struct cm_config *out,
                      char *err, size_t errlen)
{
    char path[256];

    memset(out, 0, sizeof *out);
    out->service = service;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const struct entry *e = &table[i];
        const char *v = lookup(e->name);
        char *field = (char *)out + e->offset;

        if (e->kind == K_STR) {
            *(char **)field = cm_xstrdup(v ? v : e->def_str ? e->def_str : "");
            continue;
        }
        long n = e->def_int;
        if (v && *v) {
            if (parse_int(v, &n) != 0 || n < e->min || n > e->max) {
                snprintf(err, errlen, "invalid %s: want an integer in %ld..%ld", e->name, e->min,
                         e->max);
                cm_config_release(out);
                return CM_EINVAL;
            }
        }
        *(int *)field = (int)n;
    }
    if (!out->pg_user[0]) {
        free(out->pg_user);
        out->pg_user = cm_xstrdup(service);
    }
    if (!out->migrations_dir[0]) {
        snprintf(path, sizeof path, "services/%s/migrations", service);
        free(out->migrations_dir);
        out->migrations_dir = cm_xstrdup(path);
    }
    if (out->admin_port < 0)
        out->admin_port = cm_config_default_admin_port(service);
    if (out->edge_threads < 0) {
        /* The edge shares the machine with NATS and the services: on 2 cores one
         * loop serves more than two (make bench), on bigger machines loops scale. */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        out->edge_threads = cores >= 4 ? (int)(cores / 2 > 64 ? 64 : cores / 2) : 1;
    }
    if (out->pwhash_threads < 0) {
        /* One core stays with the request workers (make bench: on 2 cores
         * one hashing thread leaves reads more and loses logins little). */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        out->pwhash_threads = cores <= 2 ? 1 : cores > 65 ? 64 : (int)cores - 1;
    }
    if (out->pwhash_queue < 0)
        out->pwhash_queue = 4 * out->pwhash_threads; /* at most ~4 hashes' wait */
    /* NATS authentication is settled here once, for every NATS connection
     * of the process (both cm_wire clients and nats.c, cm_nkey.h) */
    if (cm_nkey_configure(out->nats_nkey_seed_file, out->nats_creds_file, err, errlen) != 0 ||
        cm_nats_tls_configure(out->nats_tls_ca_file, out->nats_tls_cert_file,
                              out->nats_tls_key_file, err, errlen) != 0) {
        cm_config_release(out);
        return CM_EINVAL;
    }
    return CM_OK;
}

void cm_config_release(struct cm_config *cfg)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].kind != K_STR)
            continue;
        char **field = (char **)((char *)cfg + table[i].offset);
        free(*field);
        *field = NULL;
    }
}
