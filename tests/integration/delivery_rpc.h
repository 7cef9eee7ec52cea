/* delivery_rpc.h: what the delivery suites share: messaging's typed RPCs
 * (Deliver, ReportBounce, ClearBounce) called over the test stack's NATS,
 * and a fresh recipient address. */
#ifndef IT_DELIVERY_RPC_H
#define IT_DELIVERY_RPC_H

#include <stddef.h>

#include "envelope.pb-c.h"
#include "messaging.pb-c.h"

/* Packs msg, requests messaging.rpc.<method>, asserts an answer came back;
 * the reply is returned (caller envelope__rpc_reply__free_unpacked). */
Envelope__RpcReply *dr_call(const char *method, const ProtobufCMessage *msg);

/* Deliver with req; asserts CM_OK and copies the message id into id (37
 * bytes); returns DeliverReply.repeated. */
int dr_deliver_ok(const Messaging__DeliverRequest *req, char *id);

/* A fresh address "<prefix><random>@example.com" into out (cap bytes). */
void dr_address(char *out, size_t cap, const char *prefix);

#endif
