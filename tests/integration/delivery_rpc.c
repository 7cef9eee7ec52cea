/* delivery_rpc.c: messaging's delivery RPCs for the suites (delivery_rpc.h). */
#include "delivery_rpc.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_err.h"
#include "cm_nats.h"
#include "harness.h"

Envelope__RpcReply *dr_call(const char *method, const ProtobufCMessage *msg)
{
    natsConnection *nc = NULL;
    Envelope__RpcReply *reply = NULL;
    char subject[96];
    size_t len;
    uint8_t *payload = cm_pack(msg, &len);
    natsStatus s = natsConnection_ConnectTo(&nc, it_env("TEST_NATS_URL"));
    cm_err err;

    cr_assert(eq(int, s, NATS_OK), "nats: %s", natsStatus_GetText(s));
    snprintf(subject, sizeof subject, "messaging.rpc.%s", method);
    err = cm_nats_rpc(nc, subject, "it-delivery", NULL, payload, len, 10000, &reply);
    cr_assert(eq(int, err, CM_OK), "rpc %s: %s", method, cm_err_name(err));
    free(payload);
    natsConnection_Destroy(nc);
    return reply;
}

int dr_deliver_ok(const Messaging__DeliverRequest *req, char *id)
{
    Envelope__RpcReply *reply = dr_call("Deliver", &req->base);
    Messaging__DeliverReply *out;
    int repeated;

    cr_assert(eq(int, reply->code, CM_OK), "Deliver failed: %s", reply->message);
    out = messaging__deliver_reply__unpack(NULL, reply->payload.len, reply->payload.data);
    cr_assert(out != NULL);
    snprintf(id, 37, "%s", out->message_id);
    repeated = out->repeated;
    messaging__deliver_reply__free_unpacked(out, NULL);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    return repeated;
}

void dr_address(char *out, size_t cap, const char *prefix)
{
    char user[64];
    it_unique(user, sizeof user, prefix);
    snprintf(out, cap, "%s@example.com", user);
}
