/* test_authz_repopulate_caller.c: suite "authz_repopulate_caller": authz's
 * re-population asks identity.rpc.ExportUsers as a service (DESIGN.md §6:
 * every request a service handles carries a Principal), through cm_peer:
 * each page request carries a PRINCIPAL_SERVICE principal "authz" and the
 * request id of the authz.rpc.Repopulate call that started it. The test
 * listens on the subject beside identity (a plain subscriber gets a copy of
 * each request; only identity answers). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <nats/nats.h>
#include <string.h>
#include <unistd.h>

#include "cm_err.h"
#include "envelope.pb-c.h"
#include "harness.h"
#include "identity.pb-c.h"
#include "it_projection.h"

TestSuite(authz_repopulate_caller, .timeout = 90);

Test(authz_repopulate_caller, export_pages_are_asked_as_authz_with_the_request_id)
{
    natsConnection *nc = NULL;
    natsSubscription *sub = NULL;
    Authz__RepopulateReply *reply = NULL;
    double until;
    int code = CM_ECONFLICT, pages = 0;

    IT_REQUIRE_STACK();
    cr_assert(eq(int, natsConnection_ConnectTo(&nc, it_env("TEST_NATS_URL")), NATS_OK));
    cr_assert(eq(int, natsConnection_SubscribeSync(&sub, nc, "identity.rpc.ExportUsers"),
                 NATS_OK));
    cr_assert(eq(int, natsConnection_Flush(nc), NATS_OK));
    /* a re-population already running (authz's own first one) is a conflict: again */
    until = it_now_ms() + 60000;
    while (code == CM_ECONFLICT && it_now_ms() < until) {
        code = ap_repopulate(&reply);
        if (code == CM_ECONFLICT)
            usleep(500 * 1000);
    }
    cr_assert(eq(int, code, CM_OK), "Repopulate: %s", cm_err_name((cm_err)code));
    authz__repopulate_reply__free_unpacked(reply, NULL);

    /* every page request of that call, as identity received it */
    for (;;) {
        natsMsg *m = NULL;
        Envelope__RpcRequest *rq;
        Identity__ExportUsersRequest *in;

        if (natsSubscription_NextMsg(&m, sub, 2000) != NATS_OK)
            break; /* the call has answered: every request came before */
        rq = envelope__rpc_request__unpack(NULL, (size_t)natsMsg_GetDataLength(m),
                                           (const uint8_t *)natsMsg_GetData(m));
        natsMsg_Destroy(m);
        cr_assert(ne(ptr, rq, NULL), "an RpcRequest");
        if (strcmp(rq->request_id, "test-projection") != 0) { /* another caller's */
            envelope__rpc_request__free_unpacked(rq, NULL);
            continue;
        }
        cr_assert(ne(ptr, rq->principal, NULL), "the page request carries a principal");
        cr_assert(eq(int, rq->principal->kind, ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_SERVICE));
        cr_assert(eq(str, rq->principal->user_id, "authz"));
        in = identity__export_users_request__unpack(NULL, rq->payload.len, rq->payload.data);
        cr_assert(ne(ptr, in, NULL), "an ExportUsersRequest");
        cr_assert(in->limit > 0, "a page size"); /* criterion 2.4.1's gt() passes on equal */
        identity__export_users_request__free_unpacked(in, NULL);
        envelope__rpc_request__free_unpacked(rq, NULL);
        pages++;
    }
    cr_assert(pages > 0, "identity was asked with the Repopulate call's request id");
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
}
