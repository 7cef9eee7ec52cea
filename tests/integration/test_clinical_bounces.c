/* test_clinical_bounces.c: the clinical API's bounced_emails (PUT
 * admin/users/{uid}) clears a permanent bounce of the user's address as
 * messaging.rpc.ClearBounce does: before it, Deliver refuses the address
 * (CM_ECONFLICT); after it, the address receives mail again. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "clinical_fixtures.h"
#include "cm_err.h"
#include "delivery_rpc.h"
#include "harness.h"

TestSuite(clinical_bounces, .timeout = 90);

/* Deliver of a verify-email to to; the reply's code. */
static int deliver_code(const char *to)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Envelope__RpcReply *reply;
    int code;

    req.channel = "email";
    req.to = (char *)to;
    req.template_type = "verify-email";
    reply = dr_call("Deliver", &req.base);
    code = reply->code;
    envelope__rpc_reply__free_unpacked(reply, NULL);
    return code;
}

Test(clinical_bounces, bounced_emails_clears_the_bounce_of_the_address)
{
    struct cf_world w;
    Messaging__ReportBounceRequest b = MESSAGING__REPORT_BOUNCE_REQUEST__INIT;
    Envelope__RpcReply *reply;
    char email[128], path[300];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    cf_world_make(&w);
    cf_user(&w.admin, NULL, "", email);
    b.address = email;
    b.bounce_type = "Permanent";
    b.bounce_subtype = "General";
    b.message_id = "";
    reply = dr_call("ReportBounce", &b.base);
    cr_assert(eq(int, reply->code, CM_OK), "%s", reply->message);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    cr_assert(eq(int, deliver_code(email), CM_ECONFLICT), "a bounced address is still sent to");

    snprintf(path, sizeof path, "/api/2015-02-01/admin/users/%s", email);
    cr_assert(eq(long, cf_call(&w.admin, "PUT", path, NULL, "bounced_emails=1", &doc), 200));
    json_decref(doc);
    cr_assert(eq(int, deliver_code(email), CM_OK), "bounced_emails did not clear the bounce");
}
