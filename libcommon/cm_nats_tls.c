/* cm_nats_tls.c: the process's client TLS context for NATS (cm_nats_tls.h). */
#include "cm_nats_tls.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cm_log.h"

static char g_ca[512], g_cert[512], g_key[512];
static SSL_CTX *g_ctx;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static SSL_CTX *make_ctx(char *why, size_t whylen)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (!ctx) {
        snprintf(why, whylen, "cannot create a TLS context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (g_ca[0] ? SSL_CTX_load_verify_locations(ctx, g_ca, NULL) != 1
                : SSL_CTX_set_default_verify_paths(ctx) != 1) {
        snprintf(why, whylen, "NATS_TLS_CA_FILE cannot be loaded");
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (g_cert[0] &&
        (SSL_CTX_use_certificate_chain_file(ctx, g_cert) != 1 ||
         SSL_CTX_use_PrivateKey_file(ctx, g_key[0] ? g_key : g_cert, SSL_FILETYPE_PEM) != 1 ||
         SSL_CTX_check_private_key(ctx) != 1)) {
        snprintf(why, whylen, "NATS_TLS_CERT_FILE or NATS_TLS_KEY_FILE cannot be loaded");
        SSL_CTX_free(ctx);
        return NULL;
    }
    ERR_clear_error();
    return ctx;
}

int cm_nats_tls_configure(const char *ca_file, const char *cert_file, const char *key_file,
                          char *why, size_t whylen)
{
    SSL_CTX *ctx = NULL;

    pthread_mutex_lock(&g_lock);
    snprintf(g_ca, sizeof g_ca, "%s", ca_file ? ca_file : "");
    snprintf(g_cert, sizeof g_cert, "%s", cert_file ? cert_file : "");
    snprintf(g_key, sizeof g_key, "%s", key_file ? key_file : "");
    if (g_key[0] && !g_cert[0]) {
        snprintf(why, whylen, "NATS_TLS_KEY_FILE is set without NATS_TLS_CERT_FILE");
        pthread_mutex_unlock(&g_lock);
        return -1;
    }
    if (g_ca[0] || g_cert[0]) {
        ctx = make_ctx(why, whylen);
        if (!ctx) {
            pthread_mutex_unlock(&g_lock);
            return -1;
        }
    }
    SSL_CTX_free(g_ctx);
    g_ctx = ctx;
    pthread_mutex_unlock(&g_lock);
    return 0;
}

int cm_nats_tls_wanted(void)
{
    return g_ca[0] || g_cert[0];
}

const char *cm_nats_tls_ca_file(void)
{
    return g_ca;
}

const char *cm_nats_tls_cert_file(void)
{
    return g_cert;
}

const char *cm_nats_tls_key_file(void)
{
    return g_key;
}

SSL *cm_nats_tls_new(const char *host)
{
    char why[128];
    struct in6_addr a6;
    struct in_addr a4;
    SSL *ssl;

    pthread_mutex_lock(&g_lock);
    if (!g_ctx)
        g_ctx = make_ctx(why, sizeof why);
    ssl = g_ctx ? SSL_new(g_ctx) : NULL;
    pthread_mutex_unlock(&g_lock);
    if (!ssl) {
        cm_warn("nats tls: cannot make a TLS session");
        return NULL;
    }
    if (inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
    } else {
        SSL_set_tlsext_host_name(ssl, host);
        SSL_set1_host(ssl, host);
    }
    return ssl;
}

int cm_nats_tls_info_requires(const char *json, size_t len)
{
    json_t *info = json_loadb(json, len, 0, NULL);
    int req = json_is_true(json_object_get(info, "tls_required")) ||
              (cm_nats_tls_wanted() && json_is_true(json_object_get(info, "tls_available")));

    json_decref(info);
    return req;
}
