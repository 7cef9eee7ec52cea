/* cm_peer.h: a typed RPC from a handler (or a worker's flow) to another
 * service, made as this service: what every service's "call" wrote alike.
 * The request is packed here, sent with cm_nats_rpc under a
 * PRINCIPAL_SERVICE principal named w->cfg->service and the log context's
 * request id, and waited for w->cfg->rpc_timeout_ms. Blocking: never on an
 * event-loop thread. */
#ifndef CM_PEER_H
#define CM_PEER_H

#include <stddef.h>

#include "cm_err.h"
#include "cm_service.h"
#include "envelope.pb-c.h"

/* Sends req to subject. On CM_OK *out_reply is the callee's successful
 * reply (caller frees with envelope__rpc_reply__free_unpacked). Otherwise
 * nothing is kept and:
 *   - no answer: CM_EUNAVAIL or CM_ETIMEOUT (logged), detail is
 *     "<subject> is unavailable, retry later";
 *   - the callee's error: its cm_err, detail is the callee's message ("" when
 *     none); errors other than CM_EINVAL, CM_ENOTFOUND, CM_ECONFLICT and
 *     CM_EDENIED are logged.
 * detail (cap bytes) may be NULL. */
cm_err cm_peer_call(struct cm_worker *w, const char *subject, const ProtobufCMessage *req,
                    Envelope__RpcReply **out_reply, char *detail, size_t cap);

/* cm_peer_call waiting at most timeout_ms (capped by w->cfg->rpc_timeout_ms):
 * for an optional answer that must not hold the request up, such as the
 * privacy notice of a check-in. */
cm_err cm_peer_call_within(struct cm_worker *w, const char *subject, const ProtobufCMessage *req,
                           int timeout_ms, Envelope__RpcReply **out_reply, char *detail,
                           size_t cap);

#endif
