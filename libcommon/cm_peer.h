/* cm_peer.h: a typed RPC from a handler (or a worker's flow, or a
 * service's own thread) to another service, made as this service: what
 * every service's "call" wrote alike. The request is packed here, sent
 * with cm_nats_rpc under a PRINCIPAL_SERVICE principal named after the
 * caller and a request id, and waited for; the answer is checked, logged
 * when it is not the callee's ordinary refusal, and (cm_peer_ask*)
 * unpacked. Blocking: never on an event-loop thread. */
#ifndef CM_PEER_H
#define CM_PEER_H

#include <stddef.h>

#include "cm_err.h"
#include "cm_service.h"
#include "envelope.pb-c.h"

/* Who calls, for a call made outside a request worker (a saga's or a
 * mailer's thread). All borrowed for the call. */
struct cm_peer_from {
    natsConnection *nc;
    const char *service;    /* the caller's name: the principal's user_id */
    const char *request_id; /* the log context's request id; NULL: none */
    int timeout_ms;
};

/* Sends req to subject. On CM_OK *out_reply is the callee's successful
 * reply (caller frees with envelope__rpc_reply__free_unpacked). Otherwise
 * nothing is kept and:
 *   - no answer: CM_EUNAVAIL or CM_ETIMEOUT (logged), detail is
 *     "<subject> is unavailable, retry later";
 *   - the callee's error: its cm_err, detail is the callee's message ("" when
 *     none); errors other than CM_EINVAL, CM_ENOTFOUND, CM_ECONFLICT and
 *     CM_EDENIED are logged.
 * detail (cap bytes) may be NULL. As w's service, with the log context's
 * request id, waiting w->cfg->rpc_timeout_ms. */
cm_err cm_peer_call(struct cm_worker *w, const char *subject, const ProtobufCMessage *req,
                    Envelope__RpcReply **out_reply, char *detail, size_t cap);

/* cm_peer_call waiting at most timeout_ms (capped by w->cfg->rpc_timeout_ms):
 * for an optional answer that must not hold the request up, such as the
 * privacy notice of a check-in. */
cm_err cm_peer_call_within(struct cm_worker *w, const char *subject, const ProtobufCMessage *req,
                           int timeout_ms, Envelope__RpcReply **out_reply, char *detail,
                           size_t cap);

/* cm_peer_call, then the reply's payload unpacked as a reply_desc message
 * into *out_msg (caller frees with protobuf_c_message_free_unpacked, or the
 * type's __free_unpacked). A payload that does not unpack is CM_EINTERNAL
 * (logged "rpc <subject>: malformed reply"; detail "malformed reply"). */
cm_err cm_peer_ask(struct cm_worker *w, const char *subject, const ProtobufCMessage *req,
                   const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **out_msg,
                   char *detail, size_t cap);

/* cm_peer_ask as from describes (timeout_ms as given). */
cm_err cm_peer_ask_from(const struct cm_peer_from *from, const char *subject,
                        const ProtobufCMessage *req, const ProtobufCMessageDescriptor *reply_desc,
                        ProtobufCMessage **out_msg, char *detail, size_t cap);

/* cm_peer_ask_from for a request that carries a secret (a one-time code in
 * a message to send): the packed copy of req is wiped (sodium_memzero) as
 * soon as it is sent. Nothing of req is logged, here or by any cm_peer
 * call: only the subject and error names, never the callee's detail. */
cm_err cm_peer_ask_secret_from(const struct cm_peer_from *from, const char *subject,
                               const ProtobufCMessage *req,
                               const ProtobufCMessageDescriptor *reply_desc,
                               ProtobufCMessage **out_msg, char *detail, size_t cap);

#endif
