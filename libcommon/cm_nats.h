/* cm_nats.h: NATS connections with the suite's standard options.
 *
 * Connections reconnect forever (a restarted nats-server is picked up again,
 * subscriptions included) and publish as soon as asked
 * (natsOptions_SetSendAsap: nats.c otherwise holds each message ~1 ms and
 * wakes a flusher thread). The edge attaches its connections to its libevent
 * loops, where the writes of one loop iteration go out together. */
#ifndef CM_NATS_H
#define CM_NATS_H

#include <event2/event.h>
#include <nats/nats.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_err.h"
#include "envelope.pb-c.h"

/* Connects to urls (comma-separated) as name. When base is not NULL the
 * connection is driven by that libevent loop (nats.c's libevent adapter;
 * call cm_nats_use_libevent() once first), otherwise by nats.c's own threads. Retries the first connection every 250 ms until it works
 * or *stop becomes non-zero (stop may be NULL: then try for 30 s).
 * On CM_OK *out_nc is connected; caller destroys it with cm_nats_close. */
cm_err cm_nats_connect(const char *urls, const char *name, struct event_base *base,
                       int send_asap, volatile int *stop, natsConnection **out_nc);

/* Prepares nats.c's libevent adapter (evthread_use_pthreads). Call once,
 * before any event_base is created. */
void cm_nats_use_libevent(void);

/* Drains subscriptions (in-flight callbacks finish) within timeout_ms, then
 * closes and destroys nc. NULL is a no-op. */
void cm_nats_close(natsConnection *nc, int timeout_ms);

/* True when nc is connected right now. */
int cm_nats_connected(natsConnection *nc);

/* Packs msg into a new buffer (caller frees); its length to *out_len. */
uint8_t *cm_pack(const ProtobufCMessage *msg, size_t *out_len);

/* Publishes msg, packed, to subject, with reply as its reply subject when not
 * NULL. When max_payload > 0 a message larger than it is not sent:
 * CM_ETOOBIG. Returns CM_EUNAVAIL when NATS refuses. */
cm_err cm_nats_publish_msg(natsConnection *nc, const char *subject, const char *reply,
                           const ProtobufCMessage *msg, int64_t max_payload);

/* Typed RPC: sends payload (a packed method request) to subject
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
