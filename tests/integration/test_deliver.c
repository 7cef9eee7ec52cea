/* test_deliver.c: messaging.rpc.Deliver over NATS (DESIGN.md §3): a message
 * lands in the spool folder as one JSON file with every member, a 'sent' row
 * without the body is in messaging.email_logs, bad requests change nothing,
 * and neither the body nor the recipient reaches messaging's log. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_err.h"
#include "cm_nats.h"
#include "harness.h"
#include "messaging.pb-c.h"

TestSuite(deliver, .timeout = 30);

/* Sends req to messaging.rpc.Deliver; returns the reply (caller frees). */
static Envelope__RpcReply *deliver(const Messaging__DeliverRequest *req)
{
    natsConnection *nc = NULL;
    Envelope__RpcReply *reply = NULL;
    size_t len;
    uint8_t *payload = cm_pack(&req->base, &len);
    natsStatus s = natsConnection_ConnectTo(&nc, it_env("TEST_NATS_URL"));
    cm_err err;

    cr_assert(eq(int, s, NATS_OK), "nats on %s: %s", it_env("TEST_NATS_URL"),
              natsStatus_GetText(s));
    err = cm_nats_rpc(nc, "messaging.rpc.Deliver", "it-deliver", NULL, payload, len, 5000, &reply);
    cr_assert(eq(int, err, CM_OK), "rpc: %s", cm_err_name(err));
    free(payload);
    natsConnection_Destroy(nc);
    return reply;
}

/* Message id from a successful reply into id (37 bytes). */
static void reply_id(const Envelope__RpcReply *reply, char *id)
{
    Messaging__DeliverReply *out;
    cr_assert(eq(int, reply->code, CM_OK), "Deliver failed: %s", reply->message);
    out = messaging__deliver_reply__unpack(NULL, reply->payload.len, reply->payload.data);
    cr_assert(out != NULL);
    cr_assert(eq(sz, strlen(out->message_id), 36));
    snprintf(id, 37, "%s", out->message_id);
    messaging__deliver_reply__free_unpacked(out, NULL);
}

static const char *member(const json_t *msg, const char *name)
{
    const char *v = json_string_value(json_object_get(msg, name));
    return v ? v : "(absent)";
}

/* The column col of the email_logs row id, NULL when no row. */
static char *log_column(const char *id, const char *col)
{
    char sql[160];
    const char *params[1] = {id};
    PGconn *pg = it_pg();
    char *v;

    snprintf(sql, sizeof sql, "SELECT %s::text FROM messaging.email_logs WHERE id = $1::uuid",
             col);
    v = it_pg_value(pg, sql, 1, params);
    PQfinish(pg);
    return v;
}

Test(deliver, writes_the_spool_file_and_logs_the_send)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Envelope__RpcReply *reply;
    char to[128], user[64], id[37];
    json_t *msg;
    char *status, *recipient, *kind;

    IT_REQUIRE_STACK();
    it_unique(user, sizeof user, "deliver");
    snprintf(to, sizeof to, "%s@example.com", user);
    req.channel = "email";
    req.to = to;
    req.subject = "Your code";
    req.body = "Your code is 424242.";
    req.kind = "it-deliver";
    req.organization_id = "";
    reply = deliver(&req);
    reply_id(reply, id);
    envelope__rpc_reply__free_unpacked(reply, NULL);

    msg = it_spool_wait(to, "it-deliver", 3000);
    cr_assert(msg != NULL, "no spooled message to %s", to);
    cr_assert(eq(str, (char *)member(msg, "subject"), "Your code"));
    cr_assert(eq(str, (char *)member(msg, "body"), "Your code is 424242."));
    cr_assert(eq(str, (char *)member(msg, "channel"), "email"));
    cr_assert(eq(str, (char *)member(msg, "organization_id"), ""));
    cr_assert(eq(str, (char *)member(msg, "id"), id));
    cr_assert(strlen(member(msg, "created_at")) == 27);
    json_decref(msg);

    status = log_column(id, "status");
    recipient = log_column(id, "recipient");
    kind = log_column(id, "kind");
    cr_assert(status != NULL, "no email_logs row %s", id);
    cr_assert(eq(str, status, "sent"));
    cr_assert(eq(str, recipient, to));
    cr_assert(eq(str, kind, "it-deliver"));
    free(status);
    free(recipient);
    free(kind);
}

Test(deliver, sends_sms_with_an_organization)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Envelope__RpcReply *reply;
    char to[32], id[37], *org;
    json_t *msg;

    IT_REQUIRE_STACK();
    snprintf(to, sizeof to, "+1555%07u", (unsigned)(it_now_ms() * 1000) % 10000000u);
    req.channel = "sms";
    req.to = to;
    req.body = "Code 135791";
    req.kind = "it-deliver-sms";
    req.organization_id = "5bde7683-6e91-4fd9-86a3-b24499f30e53";
    reply = deliver(&req);
    reply_id(reply, id);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    msg = it_spool_wait(to, "it-deliver-sms", 3000);
    cr_assert(msg != NULL);
    cr_assert(eq(str, (char *)member(msg, "channel"), "sms"));
    json_decref(msg);
    org = log_column(id, "organization_id");
    cr_assert(eq(str, org, "5bde7683-6e91-4fd9-86a3-b24499f30e53"));
    free(org);
}

/* Bad requests: index into this table. */
static const struct {
    const char *channel, *to;
} bad[] = {
    {"fax", "x@example.com"}, {"email", ""}, {"email", "not-an-address"}, {"sms", "12345"},
};

ParameterizedTestParameters(deliver, refuses_bad_requests)
{
    IT_INDEX_PARAMS(bad);
}

ParameterizedTest(size_t *i, deliver, refuses_bad_requests)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Envelope__RpcReply *reply;
    char kind[64], *count;
    const char *params[1] = {kind};
    PGconn *pg;

    IT_REQUIRE_STACK();
    it_unique(kind, sizeof kind, "it-bad-");
    req.channel = (char *)bad[*i].channel;
    req.to = (char *)bad[*i].to;
    req.body = "x";
    req.kind = kind;
    reply = deliver(&req);
    cr_assert(eq(int, reply->code, CM_EINVAL), "case %zu", *i);
    cr_assert(reply->message && reply->message[0]);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    pg = it_pg();
    count = it_pg_value(pg, "SELECT count(*)::text FROM messaging.email_logs WHERE kind = $1", 1,
                        params);
    PQfinish(pg);
    cr_assert(eq(str, count, "0"));
    free(count);
}

Test(deliver, keeps_bodies_out_of_the_log_table_and_the_log)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Envelope__RpcReply *reply;
    char to[128], user[64], id[37], path[1024], *has_body;
    char line[4096];
    PGconn *pg;
    FILE *f;

    IT_REQUIRE_STACK();
    it_unique(user, sizeof user, "secret");
    snprintf(to, sizeof to, "%s@example.com", user);
    req.channel = "email";
    req.to = to;
    req.body = "Your code is 987612.";
    req.kind = "it-deliver";
    reply = deliver(&req);
    reply_id(reply, id);
    envelope__rpc_reply__free_unpacked(reply, NULL);

    pg = it_pg();
    has_body = it_pg_value(pg,
                           "SELECT count(*)::text FROM information_schema.columns WHERE "
                           "table_schema = 'messaging' AND table_name = 'email_logs' AND "
                           "column_name = 'body'",
                           0, NULL);
    PQfinish(pg);
    cr_assert(eq(str, has_body, "0"));
    free(has_body);

    snprintf(path, sizeof path, "%s/log/messaging.log", it_env("TEST_VAR_DIR"));
    f = fopen(path, "r");
    cr_assert(f != NULL, "%s", path);
    while (fgets(line, sizeof line, f)) {
        cr_assert(strstr(line, "987612") == NULL, "the code is in the log: %s", line);
        cr_assert(strstr(line, user) == NULL, "the recipient is in the log: %s", line);
    }
    fclose(f);
}
