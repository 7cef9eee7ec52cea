/* test_onboarding_delivery_feed.c: messaging's delivery events fed back to
 * onboarding requests (issue 13, glue): a spooled invitation publishes
 * evt.messaging.delivery.sent through messaging's outbox; a bounce report
 * about the email invitation (ReportBounce with its message id) becomes
 * the request's `email-dsn`, through the durable consumer
 * "onboarding-delivery". */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "cm_err.h"
#include "delivery_rpc.h"
#include "harness.h"
#include "it_onboarding.h"

TestSuite(onboarding_delivery_feed, .timeout = 90, .init = ob_clear_addr_limit);

static const json_t *attrs_of(const json_t *doc)
{
    return json_object_get(json_object_get(doc, "data"), "attributes");
}

/* Polls messaging's outbox (up to 10 s) for subject with id in its payload. */
static int outbox_has(const char *subject, const char *id)
{
    PGconn *pg = it_pg();
    const char *p[] = {subject, id};
    char *v = NULL;
    int found = 0;

    for (double until = it_now_ms() + 10000; !found && it_now_ms() < until; usleep(100 * 1000)) {
        free(v);
        v = it_pg_value(pg,
                        "SELECT count(*)::text FROM messaging.outbox WHERE subject = $1 "
                        "AND position(convert_to($2, 'UTF8') in payload) > 0",
                        2, p);
        found = v && strcmp(v, "0");
    }
    free(v);
    PQfinish(pg);
    return found;
}

Test(onboarding_delivery_feed, a_bounce_of_the_email_invitation_becomes_email_dsn)
{
    struct ob_fixture f;
    char email[128], body[1024], id[40], msg_id[40], path[256];
    json_t *doc = NULL;
    const json_t *dsn = NULL;
    Messaging__ReportBounceRequest b = MESSAGING__REPORT_BOUNCE_REQUEST__INIT;
    Envelope__RpcReply *reply;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    it_unique(email, 100, "it-obdf-");
    strcat(email, "@example.com");
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"onboarding-requests\", \"attributes\": {\"organization\": "
             "\"%s\", \"patient-email\": \"%s\", \"notifications\": [\"email\"]}}}",
             f.org_id, email);
    cr_assert(eq(long, af_call("POST", "/v1/onboarding-requests/", f.admin, body, &doc), 201));
    snprintf(id, sizeof id, "%s", af_str(json_object_get(doc, "data"), "id"));
    snprintf(msg_id, sizeof msg_id, "%s",
             af_str(json_object_get(json_object_get(attrs_of(doc), "last-invite"), "email"), "id"));
    cr_assert(it_true(json_is_null(json_object_get(attrs_of(doc), "email-dsn"))));
    json_decref(doc);
    doc = NULL; /* the polling loop below releases doc before each read */
    cr_assert(eq(sz, strlen(msg_id), 36));
    cr_assert(outbox_has("evt.messaging.delivery.sent", msg_id), "no delivery.sent event");

    b.address = email;
    b.bounce_type = "Permanent";
    b.bounce_subtype = "NoEmail";
    b.message_id = msg_id;
    reply = dr_call("ReportBounce", &b.base);
    cr_assert(eq(int, reply->code, CM_OK), "%s", reply->message);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    cr_assert(outbox_has("evt.messaging.delivery.bounced", msg_id), "no delivery.bounced event");

    snprintf(path, sizeof path, "/v1/onboarding-requests/%s/", id);
    for (double until = it_now_ms() + 15000; it_now_ms() < until; usleep(200 * 1000)) {
        json_decref(doc);
        doc = NULL;
        cr_assert(eq(long, af_call("GET", path, f.admin, NULL, &doc), 200));
        dsn = json_object_get(attrs_of(doc), "email-dsn");
        if (json_is_object(dsn))
            break;
    }
    cr_assert(dsn != NULL && json_typeof(dsn) == JSON_OBJECT, "email-dsn is still null");
    cr_assert(eq(str, (char *)af_str(dsn, "type"), "email-dsn"));
    cr_assert(eq(str, (char *)af_str(dsn, "id"), msg_id));
    cr_assert(eq(
        str, (char *)af_str(json_object_get(json_object_get(dsn, "attributes"), "bounce"), "type"),
        "Permanent"));
    cr_assert(eq(str, (char *)af_str(json_object_get(dsn, "attributes"), "state"), "bounced"));
    json_decref(doc);
}
