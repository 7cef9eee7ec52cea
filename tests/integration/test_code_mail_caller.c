/* test_code_mail_caller.c: suite "code_mail_caller": identity's code mail
 * (code_mail.c) hands a reset code to messaging.rpc.Deliver through
 * cm_peer_ask_secret_from: as the service "identity", with the request id of
 * the forgot-password request that queued it, the code in the request's
 * variables, and the code in no daemon's log. The test listens on the
 * subject beside messaging (a plain subscriber gets a copy; only messaging
 * answers). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <ctype.h>
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "envelope.pb-c.h"
#include "harness.h"
#include "messaging.pb-c.h"

TestSuite(code_mail_caller, .timeout = 60);

/* The first Deliver request to `to` seen on sub within ms (caller frees
 * with envelope__rpc_request__free_unpacked); its DeliverRequest to *out. */
static Envelope__RpcRequest *deliver_to(natsSubscription *sub, const char *to, double ms,
                                        Messaging__DeliverRequest **out)
{
    double until = it_now_ms() + ms;

    while (it_now_ms() < until) {
        natsMsg *m = NULL;
        Envelope__RpcRequest *rq;

        if (natsSubscription_NextMsg(&m, sub, 200) != NATS_OK)
            continue;
        rq = envelope__rpc_request__unpack(NULL, (size_t)natsMsg_GetDataLength(m),
                                           (const uint8_t *)natsMsg_GetData(m));
        natsMsg_Destroy(m);
        cr_assert(ne(ptr, rq, NULL), "an RpcRequest");
        *out = messaging__deliver_request__unpack(NULL, rq->payload.len, rq->payload.data);
        cr_assert(ne(ptr, *out, NULL), "a DeliverRequest");
        if (!strcmp((*out)->to, to))
            return rq;
        messaging__deliver_request__free_unpacked(*out, NULL);
        envelope__rpc_request__free_unpacked(rq, NULL);
    }
    return NULL;
}

/* Does the daemon's log hold code on its own (not inside a longer run of
 * letters and digits, such as an id)? */
static int log_holds_code(const char *daemon, const char *code)
{
    char path[1024];
    size_t n = strlen(code), len;
    char *text;
    FILE *f;
    long size;
    int found = 0;

    snprintf(path, sizeof path, "%s/log/%s.log", it_env("TEST_VAR_DIR"), daemon);
    f = fopen(path, "r");
    cr_assert(ne(ptr, f, NULL), "%s", path);
    cr_assert(zero(fseek(f, 0, SEEK_END)));
    size = ftell(f);
    rewind(f);
    text = calloc(1, (size_t)size + 1);
    cr_assert(ne(ptr, text, NULL));
    len = fread(text, 1, (size_t)size, f);
    fclose(f);
    for (const char *p = text; !found && (p = strstr(p, code)) != NULL; p += n)
        found = (p == text || !isalnum((unsigned char)p[-1])) &&
                (p + n >= text + len || !isalnum((unsigned char)p[n]));
    free(text);
    return found;
}

Test(code_mail_caller, a_reset_code_goes_to_messaging_as_identity_and_not_to_logs)
{
    const char *daemons[] = {"identity", "messaging", "edge"};
    natsConnection *nc = NULL;
    natsSubscription *sub = NULL;
    Envelope__RpcRequest *rq;
    Messaging__DeliverRequest *d = NULL;
    char user[128], id[40], body[300], code[16] = "";
    json_t *msg;
    PGconn *pg;

    IT_REQUIRE_STACK();
    cr_assert(eq(int, natsConnection_ConnectTo(&nc, it_env("TEST_NATS_URL")), NATS_OK));
    cr_assert(eq(int, natsConnection_SubscribeSync(&sub, nc, "messaging.rpc.Deliver"), NATS_OK));
    cr_assert(eq(int, natsConnection_Flush(nc), NATS_OK));
    pg = it_pg();
    af_user(pg, "codemail-", 1, 1, user, id);
    PQfinish(pg);
    snprintf(body, sizeof body, "{\"username\": \"%s\"}", user);
    cr_assert(eq(long, af_call("POST", "/v1/forgot-password/", NULL, body, NULL), 201));

    rq = deliver_to(sub, user, 15000, &d);
    cr_assert(ne(ptr, rq, NULL), "identity asked messaging to send the reset code");
    cr_assert(ne(ptr, rq->principal, NULL), "the request carries a principal");
    cr_assert(eq(int, rq->principal->kind, ENVELOPE__PRINCIPAL_KIND__PRINCIPAL_SERVICE));
    cr_assert(eq(str, rq->principal->user_id, "identity"));
    cr_assert(ne(sz, strlen(rq->request_id), (size_t)0), "with the request's id");
    cr_assert(eq(str, d->kind, "reset-code"));
    for (size_t i = 0; i < d->n_variables; i++)
        if (!strcmp(d->variables[i]->key, "code"))
            snprintf(code, sizeof code, "%s", d->variables[i]->value);
    cr_assert(eq(sz, strlen(code), (size_t)6), "the code is a variable of the template");
    messaging__deliver_request__free_unpacked(d, NULL);
    envelope__rpc_request__free_unpacked(rq, NULL);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);

    /* sent: the spool has it, with the same code */
    msg = it_spool_wait(user, "reset-code", 10000);
    cr_assert(ne(ptr, msg, NULL), "the reset code was sent");
    {
        char sent[16];
        it_spool_code(msg, sent, sizeof sent);
        cr_assert(eq(str, sent, code));
    }
    json_decref(msg);
    for (size_t i = 0; i < sizeof daemons / sizeof daemons[0]; i++)
        cr_assert(not(log_holds_code(daemons[i], code)), "the code is in %s.log", daemons[i]);
}
