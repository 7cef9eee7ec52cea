/* cm_config.h: configuration of every daemon, read once from the environment.
 *
 * One declarative table (cm_config.c) gives each variable its name, bounds
 * and default, as Redis's config.c does; cm_config_load validates all of it
 * at start. Handlers never call getenv: they read the const struct. */
#ifndef CM_CONFIG_H
#define CM_CONFIG_H

#include <stddef.h>

#include "cm_err.h"

struct cm_config {
    const char *service;      /* "edge", "identity", ... (not from the environment) */
    /* shared by all daemons */
    char *nats_url;           /* NATS_URL: comma-separated server URLs */
    int nats_send_asap;       /* NATS_SEND_ASAP (services' nats.c): 1 publish at once, 0 batch ~1 ms */
    char *pg_host;            /* PG_HOST */
    int pg_port;              /* PG_PORT */
    char *pg_database;        /* PG_DATABASE */
    char *pg_user;            /* PG_USER: default is the service name */
    char *pg_password;        /* PG_PASSWORD */
    char *pg_admin_user;      /* PG_ADMIN_USER: when set, creates the service role and schema */
    char *pg_admin_password;  /* PG_ADMIN_PASSWORD */
    int pg_connect_timeout_s; /* PG_CONNECT_TIMEOUT_S */
    char *migrations_dir;     /* MIGRATIONS_DIR: default services/<svc>/migrations */
    int handler_threads;      /* HANDLER_THREADS: NATS handlers, each with its own PGconn */
    char *admin_host;         /* ADMIN_HOST */
    int admin_port;           /* ADMIN_PORT: /healthz /readyz /metrics; default per service */
    char *log_level;          /* LOG_LEVEL */
    int rpc_timeout_ms;       /* RPC_TIMEOUT_MS: typed RPC calls between services */
    /* edge */
    char *edge_host;          /* EDGE_HOST */
    int edge_port;            /* EDGE_PORT */
    int edge_threads;         /* EDGE_THREADS: event loops sharing the port; default half the cores */
    int max_body_bytes;       /* MAX_BODY_BYTES */
    int max_header_bytes;     /* MAX_HEADER_BYTES */
    int request_timeout_ms;   /* REQUEST_TIMEOUT_MS: edge → service, then 504 */
    int auth_cache_ttl_ms;    /* AUTH_CACHE_TTL_MS: API-key answers reused this long */
    int auth_cache_size;      /* AUTH_CACHE_SIZE: entries per edge thread */
    /* identity */
    char *bootstrap_api_user; /* BOOTSTRAP_API_USER: API user ensured at start */
    char *bootstrap_api_key;  /* BOOTSTRAP_API_KEY */
    char *bootstrap_admin_email;    /* BOOTSTRAP_ADMIN_EMAIL: platform admin ensured at start */
    char *bootstrap_admin_password; /* BOOTSTRAP_ADMIN_PASSWORD */
    int pwhash_opslimit;      /* PWHASH_OPSLIMIT: argon2id passes */
    int pwhash_memlimit_kib;  /* PWHASH_MEMLIMIT_KIB: argon2id memory per hash */
    int access_token_ttl_s;   /* ACCESS_TOKEN_TTL_S: longest access-token life */
    int refresh_token_ttl_s;  /* REFRESH_TOKEN_TTL_S: longest refresh-token (session) life */
    char *signing_key_seed;   /* SIGNING_KEY_SEED: 64 hex chars (Ed25519 seed); empty → kept in the database */
    int login_throttle_after; /* LOGIN_THROTTLE_AFTER: failures before throttling (429) */
    int login_lock_after;     /* LOGIN_LOCK_AFTER: failures before the username is locked (423) */
    int login_lock_s;         /* LOGIN_LOCK_S: how long a lock lasts */
    int code_ttl_s;           /* CODE_TTL_S: life of confirmation and reset codes */
    /* messaging */
    char *spool_dir;          /* SPOOL_DIR: where the local transport writes outgoing messages */
    /* edge */
    int token_cache_size;     /* TOKEN_CACHE_SIZE: verified access tokens kept per edge thread */
    /* authz */
    int projection_apply_delay_ms; /* PROJECTION_APPLY_DELAY_MS: pause before each identity event
                                    * the projection applies (0; > 0 only to watch catch-up in tests) */
    /* onboarding */
    int sign_up_sweep_after_s;  /* SIGN_UP_SWEEP_AFTER_S: an unfinished sign-up idle this long is swept */
    int sign_up_undo_after_s;   /* SIGN_UP_UNDO_AFTER_S: a pending one whose account never came is undone */
    int sign_up_addr_limit;     /* SIGN_UP_ADDR_LIMIT: sign-up + confirm-sign-up per client address a minute */
    char *onboarding_test_drop_create_reply; /* ONBOARDING_TEST_DROP_CREATE_REPLY: tests only */
    /* services: the pool for slow work (password hashing), apart from the handlers */
    int pwhash_threads;       /* PWHASH_THREADS: pool threads, each with its own PGconn; default cores - 1 */
    int pwhash_queue;         /* PWHASH_QUEUE: jobs that may wait for a pool thread; default 4 per thread */
    int pwhash_nice;          /* PWHASH_NICE: nice value added to pool threads (request workers first) */
    /* identity: login throttling by client address (login_throttle.h) */
    int login_addr_lock_after;     /* LOGIN_ADDR_LOCK_AFTER: failures from one address, any username,
                                    * before that address is refused for LOGIN_LOCK_S (429) */
    int login_user_throttle_after; /* LOGIN_USER_THROTTLE_AFTER: failures of a username from any
                                    * address before addresses it never logged in from are slowed */
    char *trusted_proxies;    /* TRUSTED_PROXIES: comma-separated addresses whose X-Forwarded-For is
                               * believed; empty: none */
    char *totp_keys;          /* TOTP_KEYS: "id:base64key,..." (32-byte keys), first encrypts TOTP
                               * secrets, all decrypt; empty: a key kept in the database */
    char *phi_keys;           /* PHI_KEYS (messaging): "id:base64key,..." as TOTP_KEYS, for patient
                               * data (PHI) at rest; empty: a key kept in the database */
    int max_upload_bytes;     /* MAX_UPLOAD_BYTES: body limit of streamed uploads (edge_route_streams_body),
                               * which travel in chunks instead of one NATS message */
    /* messaging: delivery transports (README "Delivery: templates, transports, ...") */
    char *mail_from;          /* MAIL_FROM: sender address of every email */
    char *smtp_url;           /* SMTP_URL: "smtp://host:port" or "smtps://..."; empty: the spool */
    char *smtp_user;          /* SMTP_USER: SMTP AUTH user; empty: no authentication */
    char *smtp_password;      /* SMTP_PASSWORD */
    char *smtp_starttls;      /* SMTP_STARTTLS: "required" | "try" | "off" (smtp:// only) */
    char *smtp_ca_file;       /* SMTP_CA_FILE: CA bundle to verify the server; empty: the system's */
    char *sms_url;            /* SMS_URL: HTTP endpoint SMS are POSTed to (JSON); empty: the spool */
    char *sms_token;          /* SMS_TOKEN: sent as "Authorization: Bearer <token>"; may be empty */
    int delivery_retries;     /* DELIVERY_RETRIES: attempts of one send before it is failed */
    int delivery_backoff_ms;  /* DELIVERY_BACKOFF_MS: wait after the first failed attempt, doubled */
    char *short_link_base;    /* SHORT_LINK_BASE: public URL short links start with ("/s/<code>") */
    /* identity: internal-auth (#53, #158), services/identity/internal_auth.c */
    char *internal_auth_jwks;      /* INTERNAL_AUTH_JWKS: the JWK Set (JSON) verifying service-account
                                    * tokens; empty: INTERNAL_AUTH_JWKS_FILE */
    char *internal_auth_jwks_file; /* INTERNAL_AUTH_JWKS_FILE: a file holding it, read at each use */
    char *internal_auth_audience;  /* INTERNAL_AUTH_AUDIENCE: the aud the tokens must name */
    char *internal_auth_issuer;    /* INTERNAL_AUTH_ISSUER: the iss they must carry; empty: any */
    int internal_auth_token_ttl_s; /* INTERNAL_AUTH_TOKEN_TTL_S: life of the service access token */
    /* NATS authentication (cm_nkey.h), applied to every NATS connection of the process */
    char *nats_nkey_seed_file;     /* NATS_NKEY_SEED_FILE: a file holding a user NKey seed ("SU...") */
    char *nats_creds_file;         /* NATS_CREDS_FILE: a credentials file (user JWT + seed) */
    char *nats_tls_ca_file;        /* NATS_TLS_CA_FILE: CA the servers' certificates chain to (cm_nats_tls.h) */
    char *nats_tls_cert_file;      /* NATS_TLS_CERT_FILE: client certificate (PEM) */
    char *nats_tls_key_file;       /* NATS_TLS_KEY_FILE: its private key */
};

/* Looks a variable up; returns NULL when unset. getenv fits. */
typedef const char *(*cm_config_lookup)(const char *name);

/* The process environment as a cm_config_lookup (getenv). */
const char *cm_config_env(const char *name);

/* Fills *out for service from lookup. On a bad value returns CM_EINVAL and
 * writes a message naming the variable into err (errlen bytes); *out is then
 * left released. Strings in *out are owned by it: cm_config_release. */
cm_err cm_config_load(const char *service, cm_config_lookup lookup, struct cm_config *out,
                      char *err, size_t errlen);

/* Frees the strings of cfg; cfg may be zeroed or partly filled. */
void cm_config_release(struct cm_config *cfg);

/* Default admin port of a service (edge 9100, identity 9101, ...). */
int cm_config_default_admin_port(const char *service);

#endif
