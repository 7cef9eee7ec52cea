/* cm_peer.c: a typed RPC to another service, made as this service
 * (cm_peer.h). */
#include "cm_peer.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "cm_log.h"
#include "cm_nats.h"

/* The caller w is, waiting timeout_ms at most (capped by the config). */
static struct cm_peer_from from_worker(struct cm_worker *w, int timeout_ms)
{
    struct cm_peer_from f = {w->nc, w->cfg->service, cm_log_request_id(),
                             timeout_ms < w->cfg->rpc_timeout_ms ? timeout_ms
                                                                 : w->cfg->rpc_timeout_ms};
    return f;
}

/* cm_peer_call as from describes; secret: the packed request is wiped
 * once sent. */
static cm_err call_from(const struct cm_peer_from *from, const char *subject,
                        const ProtobufCMessage *req, int secret, Envelope__RpcReply **out_reply,
                        char *detail, size_t cap)
{
    Envelope__Principal self = ENVELOPE__PRINCIPAL__INIT;
    Envelope__RpcReply *reply = NULL;
    size_t len;
    uint8_t *payload = cm_pack(req, &len);
    cm_err err;

    self.kind = ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_SERVICE;
    self.user_id = (char *)from->service;
    if (detail && cap)
        detail[0] = '\0';
    err = cm_nats_rpc(from->nc, subject, from->request_id, &self, payload, len, from->timeout_ms,
                      &reply);
    if (secret)
        sodium_memzero(payload, len);
    free(payload);
    if (err != CM_OK) {
        cm_warn("rpc %s: %s", subject, cm_err_name(err));
        if (detail && cap)
            snprintf(detail, cap, "%s is unavailable, retry later", subject);
        return err;
    }
    err = cm_err_from_wire(reply->code);
    if (err != CM_OK) {
        if (detail && cap)
            snprintf(detail, cap, "%s", reply->message ? reply->message : "");
        if (err != CM_EINVAL && err != CM_ENOTFOUND && err != CM_ECONFLICT && err != CM_EDENIED)
            cm_warn("rpc %s answered %s", subject, cm_err_name(err));
        envelope__rpc_reply__free_unpacked(reply, NULL);
        return err;
    }
    *out_reply = reply;
    return CM_OK;
}

cm_err cm_peer_call(struct cm_worker *w, const char *subject, const ProtobufCMessage *req,
                    Envelope__RpcReply **out_reply, char *detail, size_t cap)
{
    return cm_peer_call_within(w, subject, req, w->cfg->rpc_timeout_ms, out_reply, detail, cap);
}

cm_err cm_peer_call_within(struct cm_worker *w, const char *subject, const ProtobufCMessage *req,
                           int timeout_ms, Envelope__RpcReply **out_reply, char *detail,
                           size_t cap)
{
    struct cm_peer_from f = from_worker(w, timeout_ms);

    return call_from(&f, subject, req, 0, out_reply, detail, cap);
}

cm_err cm_peer_ask(struct cm_worker *w, const char *subject, const ProtobufCMessage *req,
                   const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **out_msg,
                   char *detail, size_t cap)
{
    struct cm_peer_from f = from_worker(w, w->cfg->rpc_timeout_ms);

    return cm_peer_ask_from(&f, subject, req, reply_desc, out_msg, detail, cap);
}

/* cm_peer_ask_from; secret as call_from takes it. */
static cm_err ask_from(const struct cm_peer_from *from, const char *subject,
                       const ProtobufCMessage *req, int secret,
                       const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **out_msg,
                       char *detail, size_t cap)
{
    Envelope__RpcReply *reply = NULL;
    ProtobufCMessage *m;
    cm_err err = call_from(from, subject, req, secret, &reply, detail, cap);

    if (err != CM_OK)
        return err;
    m = protobuf_c_message_unpack(reply_desc, NULL, reply->payload.len, reply->payload.data);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    if (!m) {
        cm_warn("rpc %s: malformed reply", subject);
        if (detail && cap)
            snprintf(detail, cap, "malformed reply");
        return CM_EINTERNAL;
    }
    *out_msg = m;
    return CM_OK;
}

cm_err cm_peer_ask_from(const struct cm_peer_from *from, const char *subject,
                        const ProtobufCMessage *req, const ProtobufCMessageDescriptor *reply_desc,
                        ProtobufCMessage **out_msg, char *detail, size_t cap)
{
    return ask_from(from, subject, req, 0, reply_desc, out_msg, detail, cap);
}

cm_err cm_peer_ask_secret_from(const struct cm_peer_from *from, const char *subject,
                               const ProtobufCMessage *req,
                               const ProtobufCMessageDescriptor *reply_desc,
                               ProtobufCMessage **out_msg, char *detail, size_t cap)
{
    return ask_from(from, subject, req, 1, reply_desc, out_msg, detail, cap);
}
