/* cm_nats_tls.h: TLS for NATS connections (issue 15), settled once from
 * the configuration for every NATS connection of the process, as cm_nkey.h
 * is for authentication:
 *   NATS_TLS_CA_FILE    CA bundle the server's certificate must chain to
 *                       (empty: the system's);
 *   NATS_TLS_CERT_FILE  client certificate (PEM), when the server asks;
 *   NATS_TLS_KEY_FILE   its private key.
 * TLS is spoken to a server given as tls://, to any server whose INFO says
 * tls_required, and to every server once a CA or certificate is set. The
 * server's certificate is verified, host name included (the host of the
 * URL, or of a discovered cluster address). */
#ifndef CM_NATS_TLS_H
#define CM_NATS_TLS_H

#include <openssl/ssl.h>

/* Builds the process's client TLS context from the files (any may be NULL
 * or ""). 0, or -1 with why[] when a file cannot be loaded. */
int cm_nats_tls_configure(const char *ca_file, const char *cert_file, const char *key_file,
                          char *why, size_t whylen);

/* True when a CA or client certificate was configured (TLS everywhere). */
int cm_nats_tls_wanted(void);

/* The configured files ("" when not set). */
const char *cm_nats_tls_ca_file(void);
const char *cm_nats_tls_cert_file(void);
const char *cm_nats_tls_key_file(void);

/* A new client SSL for a connection to host, verifying its certificate
 * and name (SNI set); NULL on failure (logged). The context is made with
 * the system's CAs when nothing was configured. */
SSL *cm_nats_tls_new(const char *host);

/* Does the INFO json[0..len) say tls_required (or tls_available with TLS
 * wanted by us)? */
int cm_nats_tls_info_requires(const char *json, size_t len);

#endif
