/* cm_nats.h: nats.c connections with the suite's standard options, for
 * everything but the request path (which speaks cm_wire.h): typed RPCs made
 * from handlers, the outbox relay, JetStream consumers, the edge's key and
 * revocation feed.
 *
 * Connections reconnect forever (a restarted nats-server is picked up again,
 * subscriptions included) and publish as soon as asked
 * (natsOptions_SetSendAsap: nats.c otherwise holds each message ~1 ms and
 * wakes a flusher thread).
 *
 * Requests (cm_nats_request, cm_nats_rpc) leave a server in lame-duck mode
 * at once: they move to a new connection on another server, and the old one
 * closes when no reply is awaited on it (cm_nats_ldm.h). Subscriptions and
 * JetStream contexts stay on the connection returned here until the leaving
 * server closes it, then reconnect elsewhere. */
#ifndef CM_NATS_H
#define CM_NATS_H

#include <nats/nats.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"
#include "envelope.pb-c.h"

/* Connects to urls (comma-separated) as name, driven by nats.c's own
 * threads. Retries the first connection every 250 ms until it works or
 * *stop becomes non-zero (stop may be NULL: then try for 30 s).
 * On CM_OK *out_nc is connected; caller destroys it with cm_nats_close. */
cm_err cm_nats_connect(const char *urls, const char *name, int send_asap, volatile int *stop,
                       natsConnection **out_nc);

/* Drains subscriptions (in-flight callbacks finish) within timeout_ms, then
 * closes and destroys nc and the connections its requests moved to. NULL is
 * a no-op. Call it once no request through nc is in flight. */
void cm_nats_close(natsConnection *nc, int timeout_ms);

/* True when nc is connected right now. */
int cm_nats_connected(natsConnection *nc);

/* Packs msg into a new buffer (caller frees); its length to *out_len. */
uint8_t *cm_pack(const ProtobufCMessage *msg, size_t *out_len);

/* natsConnection_Request through nc's current request connection (nc
 * itself until its server entered lame-duck mode; see above): blocking, never
 * on an event-loop thread. On NATS_OK *out_reply is the caller's
 * (natsMsg_Destroy). */
natsStatus cm_nats_request(natsMsg **out_reply, natsConnection *nc, const char *subject,
                           const void *data, int len, int timeout_ms);

/* Typed RPC (through cm_nats_request): sends payload (a packed method request) to subject
 * "<svc>.rpc.<Method>" wrapped in an RpcRequest carrying request_id and
 * principal (either may be NULL), and waits up to timeout_ms. Blocking: never
 * call it on an event-loop thread. On CM_OK *out_reply is the unpacked
 * RpcReply (caller frees with envelope__rpc_reply__free_unpacked) whose code
 * may still be an error of the callee. Returns CM_EUNAVAIL when no service
 * answers the subject, CM_ETIMEOUT on timeout. */
cm_err cm_nats_rpc(natsConnection *nc, const char *subject, const char *request_id,
                   const Envelope__Principal *principal, const uint8_t *payload, size_t len,
                   int timeout_ms, Envelope__RpcReply **out_reply);

#endif
