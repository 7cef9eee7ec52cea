/* cm_nats.c: NATS connection setup, publishing and blocking typed RPC. */
#include "cm_nats.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_alloc.h"
#include "cm_log.h"
#include "cm_nats_ldm.h"
#include "cm_nats_tls.h"
#include "cm_nkey.h"
#include "cm_time.h"
#include "cm_wire.h"

static void on_disconnected(natsConnection *nc, void *closure)
{
    if (natsConnection_IsClosed(nc) || natsConnection_IsDraining(nc))
        return; /* our own close, not a lost connection */
    cm_warn("nats disconnected from %s, reconnecting", (const char *)closure);
}

static void on_reconnected(natsConnection *nc, void *closure)
{
    (void)nc;
    cm_info("nats reconnected (%s)", (const char *)closure);
}

static void on_error(natsConnection *nc, natsSubscription *sub, natsStatus s, void *closure)
{
    (void)nc;
    (void)sub;
    cm_warn("nats error on %s: %s", (const char *)closure, natsStatus_GetText(s));
}

/* What nats.c last said went wrong on this thread (a server's -ERR such
 * as "Authorization Violation"), without its source position. Borrowed. */
static const char *last_error(void)
{
    const char *text = nats_GetLastError(NULL), *p;

    if (!text || !*text)
        return "no detail";
    p = text[0] == '(' ? strstr(text, "): ") : NULL;
    return p ? p + 3 : text;
}

/* Splits "a,b" into a NULL-terminated array in buf; returns the count. */
static int split_urls(char *buf, const char **urls, int max)
{
    int n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok && n < max;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        for (char *end = tok + strlen(tok); end > tok && end[-1] == ' ';)
            *--end = '\0';
        if (*tok)
            urls[n++] = tok;
    }
    return n;
}

/* The process's NKey or credentials file (cm_nkey.h), as the cm_wire
 * clients use them. */
static natsStatus apply_auth(natsOptions *opts)
{
    char seed[128], pub[CM_NKEY_PUBLIC_LEN + 1];
    uint8_t sk[64];
    int rc;

    if (cm_nkey_creds_file()[0])
        return natsOptions_SetUserCredentialsFromFiles(opts, cm_nkey_creds_file(), NULL);
    if (!cm_nkey_seed_file()[0])
        return NATS_OK;
    if (cm_nkey_read_seed_file(cm_nkey_seed_file(), seed, sizeof seed) != 0)
        return NATS_ERR;
    rc = cm_nkey_from_seed(seed, strlen(seed), pub, sk);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(sk, sizeof sk);
    if (rc != 0)
        return NATS_ERR;
    return natsOptions_SetNKeyFromSeed(opts, pub, cm_nkey_seed_file());
}

/* The process's TLS settings (cm_nats_tls.h), as the cm_wire clients use
 * them: the server's chain is verified (nats.c checks no host name unless
 * told one, and a cluster has several). */
static natsStatus apply_tls(natsOptions *opts)
{
    natsStatus s = natsOptions_SetSecure(opts, true);

    if (s == NATS_OK && cm_nats_tls_ca_file()[0])
        s = natsOptions_LoadCATrustedCertificates(opts, cm_nats_tls_ca_file());
    if (s == NATS_OK && cm_nats_tls_cert_file()[0])
        s = natsOptions_LoadCertificatesChain(opts, cm_nats_tls_cert_file(),
                                              cm_nats_tls_key_file()[0] ? cm_nats_tls_key_file()
                                                                        : cm_nats_tls_cert_file());
    return s;
}

/* Options for a connection to list[0..n) as name (the suite's standard
 * settings, auth and TLS); f's lame-duck callback is set when f is given.
 * On NATS_OK *out is the caller's (natsOptions_Destroy). */
static natsStatus make_options(natsOptions **out, const char **list, int n, const char *name,
                               int send_asap, int tls, struct cm_nats_family *f)
{
    natsOptions *opts = NULL;
    natsStatus s = natsOptions_Create(&opts);

    if (s == NATS_OK)
        s = natsOptions_SetServers(opts, list, n);
    if (s == NATS_OK)
        s = natsOptions_SetName(opts, name);
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(opts, -1);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectWait(opts, 250);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectJitter(opts, 100, 100);
    if (s == NATS_OK)
        s = natsOptions_SetPingInterval(opts, CM_WIRE_PING_MS); /* the one policy */
    if (s == NATS_OK)
        s = natsOptions_SetMaxPingsOut(opts, CM_WIRE_PINGS_MISSED);
    if (s == NATS_OK)
        s = natsOptions_SetDisconnectedCB(opts, on_disconnected, (void *)name);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectedCB(opts, on_reconnected, (void *)name);
    if (s == NATS_OK)
        s = natsOptions_SetErrorHandler(opts, on_error, (void *)name);
    if (s == NATS_OK && f)
        s = natsOptions_SetLameDuckModeCB(opts, cm_nats_ldm_on_lame_duck, f);
    /* Without SendAsap nats.c holds each publish for its flusher thread
     * (about 1 ms); with it, a publish is written at once. */
    if (s == NATS_OK)
        s = natsOptions_SetSendAsap(opts, send_asap != 0);
    if (s == NATS_OK)
        s = apply_auth(opts);
    if (s == NATS_OK && tls)
        s = apply_tls(opts);
    if (s != NATS_OK) {
        cm_error("nats options: %s", natsStatus_GetText(s));
        natsOptions_Destroy(opts);
        return s;
    }
    *out = opts;
    return NATS_OK;
}

cm_err cm_nats_connect(const char *urls, const char *name, int send_asap, volatile int *stop,
                       natsConnection **out_nc)
{
    natsOptions *opts = NULL;
    natsConnection *nc = NULL;
    struct cm_nats_family *fam;
    struct cm_wire_url parsed[CM_WIRE_MAX_URLS];
    char why[128], where[512]; /* where: the servers without credentials, for logs */
    char *buf;
    const char *list[CM_WIRE_MAX_URLS];
    int n, n_parsed;

    /* one URL syntax for every client: what cm_wire refuses, nats.c is not given */
    n_parsed = cm_wire_urls_parse(urls, parsed, CM_WIRE_MAX_URLS, why, sizeof why);
    if (n_parsed < 0) {
        cm_error("NATS_URL: %s", why);
        return CM_EINVAL;
    }
    buf = cm_xstrdup(urls);
    n = split_urls(buf, list, CM_WIRE_MAX_URLS);
    fam = cm_nats_family_new(urls, name, send_asap);
    natsStatus s = make_options(&opts, list, n, name, send_asap,
                                cm_nats_tls_wanted() || strstr(urls, "tls://"), fam);
    if (s != NATS_OK) {
        cm_nats_family_discard(fam);
        free(buf);
        return CM_EINTERNAL;
    }
    int64_t deadline = cm_now_ms() + 30000;

    for (int attempt = 0;; attempt++) {
        s = natsConnection_Connect(&nc, opts);
        if (s == NATS_OK)
            break;
        if (attempt % 20 == 0)
            cm_warn("nats connect to %s failed: %s (%s); retrying",
                    cm_wire_urls_describe(parsed, n_parsed, where, sizeof where),
                    natsStatus_GetText(s), last_error());
        if ((stop && *stop) || (!stop && cm_now_ms() > deadline))
            break;
        usleep(250 * 1000);
    }
    natsOptions_Destroy(opts);
    free(buf);
    if (s != NATS_OK) {
        cm_nats_family_discard(fam);
        return CM_EUNAVAIL;
    }
    cm_nats_family_start(fam, nc);
    *out_nc = nc;
    return CM_OK;
}

cm_err cm_nats_dial(const char *urls, const char *name, int send_asap, char **extra, int nextra,
                    struct cm_nats_family *f, natsConnection **out_nc)
{
    natsOptions *opts = NULL;
    natsConnection *nc = NULL;
    const char *list[2 * CM_WIRE_MAX_URLS];
    char *buf = cm_xstrdup(urls);
    int n = split_urls(buf, list, CM_WIRE_MAX_URLS);
    natsStatus s;

    for (int i = 0; i < nextra && n < (int)(sizeof list / sizeof *list); i++)
        list[n++] = extra[i];
    s = make_options(&opts, list, n, name, send_asap,
                     cm_nats_tls_wanted() || strstr(urls, "tls://"), f);
    if (s != NATS_OK) {
        free(buf);
        return CM_EINTERNAL;
    }
    s = natsConnection_Connect(&nc, opts);
    natsOptions_Destroy(opts);
    free(buf);
    if (s != NATS_OK)
        return CM_EUNAVAIL;
    *out_nc = nc;
    return CM_OK;
}

void cm_nats_close(natsConnection *nc, int timeout_ms)
{
    if (!nc)
        return;
    cm_nats_family_end(nc, timeout_ms); /* the connections its requests moved to */
    if (natsConnection_DrainTimeout(nc, timeout_ms) == NATS_OK) {
        for (int i = 0; i < timeout_ms / 10 && !natsConnection_IsClosed(nc); i++)
            usleep(10 * 1000);
    }
    natsConnection_Close(nc);
    natsConnection_Destroy(nc);
}

int cm_nats_connected(natsConnection *nc)
{
    return nc && natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED;
}

uint8_t *cm_pack(const ProtobufCMessage *msg, size_t *out_len)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = cm_xmalloc(len);
    protobuf_c_message_pack(msg, buf);
    *out_len = len;
    return buf;
}

natsStatus cm_nats_request(natsMsg **out_reply, natsConnection *nc, const char *subject,
                           const void *data, int len, int timeout_ms)
{
    struct cm_nats_link *held = NULL;
    natsConnection *use = cm_nats_acquire(nc, &held);
    natsStatus s = natsConnection_Request(out_reply, use, subject, data, len, timeout_ms);

    cm_nats_release(held);
    return s;
}

cm_err cm_nats_rpc(natsConnection *nc, const char *subject, const char *request_id,
                   const Envelope__Principal *principal, const uint8_t *payload, size_t len,
                   int timeout_ms, Envelope__RpcReply **out_reply)
{
    Envelope__RpcRequest req = ENVELOPE__RPC_REQUEST__INIT;
    natsMsg *reply = NULL;
    Envelope__RpcReply *out;
    uint8_t *buf;
    size_t buflen;
    natsStatus s;

    req.request_id = (char *)(request_id ? request_id : "");
    req.principal = (Envelope__Principal *)principal;
    req.payload.data = (uint8_t *)payload;
    req.payload.len = len;
    buf = cm_pack(&req.base, &buflen);
    s = cm_nats_request(&reply, nc, subject, buf, (int)buflen, timeout_ms);
    free(buf);
    if (s == NATS_NO_RESPONDERS)
        return CM_EUNAVAIL;
    if (s == NATS_TIMEOUT)
        return CM_ETIMEOUT;
    if (s != NATS_OK)
        return CM_EUNAVAIL;
    out = envelope__rpc_reply__unpack(NULL, (size_t)natsMsg_GetDataLength(reply),
                                      (const uint8_t *)natsMsg_GetData(reply));
    natsMsg_Destroy(reply);
    if (!out) {
        cm_error("rpc %s: malformed reply", subject);
        return CM_EINTERNAL;
    }
    *out_reply = out;
    return CM_OK;
}
