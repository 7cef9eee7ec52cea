/* test_delivery_email_logs.c: email-logs (#22) through the edge: every
 * send, refusal and bounce as the seed's SES-like entries with integer ids;
 * the platform admin sees all, an organization admin its organization's
 * only, others 403 (401 without credentials); filters by destination and
 * time; bad filters are 400s naming the parameter. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_err.h"
#include "delivery_rpc.h"
#include "harness.h"
#include "test_users_fixtures.h"

TestSuite(delivery_email_logs, .timeout = 90);

#define LOGS "/v1/email-logs/"

static const char *attr(const json_t *item, const char *name)
{
    const char *v = json_string_value(json_object_get(json_object_get(item, "attributes"), name));
    return v ? v : "(none)";
}

static void send_to(const char *to, const char *org, char *id)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Messaging__DeliverRequest__VariablesEntry e = MESSAGING__DELIVER_REQUEST__VARIABLES_ENTRY__INIT,
                                              *ep[1] = {&e};
    e.key = "code";
    e.value = "111222";
    req.channel = "email";
    req.to = (char *)to;
    req.template_type = "verify-email";
    req.organization_id = (char *)org;
    req.n_variables = 1;
    req.variables = ep;
    dr_deliver_ok(&req, id);
}

Test(delivery_email_logs, require_an_administrator)
{
    struct ut_user user;
    char org[UT_ID_LEN];
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_call_token(&r, "GET", LOGS, NULL, NULL);
    it_assert_error_style(&r, "jsonapi", 401);
    it_resp_release(&r);
    ut_org(org);
    ut_account(org, NULL, &user);
    it_call_token(&r, "GET", LOGS, user.token, NULL);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
}

Test(delivery_email_logs, shows_sends_and_bounces_to_whom_they_belong)
{
    struct ut_user admin;
    char org[UT_ID_LEN], platform[4097], to[128], other[128], id[37], id2[37], path[512];
    Messaging__ReportBounceRequest b = MESSAGING__REPORT_BOUNCE_REQUEST__INIT;
    Envelope__RpcReply *reply;
    json_t *doc, *item;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &admin);
    it_admin_token(platform);
    dr_address(to, sizeof to, "logs-a");
    dr_address(other, sizeof other, "logs-none");
    send_to(to, org, id);
    send_to(other, "", id2);
    b.address = to;
    b.bounce_type = "Permanent";
    b.bounce_subtype = "NoEmail";
    b.message_id = id;
    reply = dr_call("ReportBounce", &b.base);
    cr_assert(eq(int, reply->code, CM_OK), "%s", reply->message);
    envelope__rpc_reply__free_unpacked(reply, NULL);

    /* the organization admin: its send and the bounce of it */
    snprintf(path, sizeof path, LOGS "?filter[destination]=%s", to);
    doc = it_call_expect("GET", path, admin.token, NULL, 200);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 2), "%s", json_dumps(doc, 0));
    item = json_array_get(json_object_get(doc, "data"), 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(item, "type")), "email-logs"));
    cr_assert(it_true(json_is_integer(json_object_get(item, "id"))));
    cr_assert(eq(str, (char *)attr(item, "notification-type"), "Send"));
    cr_assert(eq(str, (char *)attr(item, "destination"), to));
    cr_assert(eq(str, (char *)attr(item, "subject"), "Confirm your email address"));
    cr_assert(eq(str, (char *)attr(item, "ses-id"), id));
    cr_assert(strlen(attr(item, "timestamp")) == 27);
    item = json_array_get(json_object_get(doc, "data"), 1);
    cr_assert(eq(str, (char *)attr(item, "notification-type"), "Bounce"));
    cr_assert(eq(str, (char *)attr(item, "bounce-type"), "Permanent"));
    cr_assert(eq(str, (char *)attr(item, "bounce-subtype"), "NoEmail"));
    cr_assert(eq(str, (char *)attr(item, "ses-id"), id));
    json_decref(doc);

    /* a message for no organization: the platform admin only */
    snprintf(path, sizeof path, LOGS "?filter[destination]=%s", other);
    doc = it_call_expect("GET", path, admin.token, NULL, 200);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    json_decref(doc);
    doc = it_call_expect("GET", path, platform, NULL, 200);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);

    /* the refusal after the permanent bounce is logged too */
    {
        Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
        req.channel = "email";
        req.to = to;
        req.template_type = "verify-email";
        req.organization_id = org;
        reply = dr_call("Deliver", &req.base);
        cr_assert(eq(int, reply->code, CM_ECONFLICT));
        envelope__rpc_reply__free_unpacked(reply, NULL);
    }
    snprintf(path, sizeof path, LOGS "?filter[destination]=%s&page[offset]=2", to);
    doc = it_call_expect("GET", path, admin.token, NULL, 200);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    cr_assert(eq(str,
                 (char *)attr(json_array_get(json_object_get(doc, "data"), 0), "notification-type"),
                 "Suppressed"));
    json_decref(doc);

    /* time filters */
    snprintf(path, sizeof path,
             LOGS "?filter[destination]=%s&filter[timestamp][gte]=2999-01-01T00:00:00Z", to);
    doc = it_call_expect("GET", path, platform, NULL, 200);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    json_decref(doc);
    snprintf(path, sizeof path,
             LOGS "?filter[destination]=%s&filter[timestamp][gte]=2000-01-01&"
                  "filter[timestamp][lte]=2999-01-01T00:00:00Z",
             to);
    doc = it_call_expect("GET", path, platform, NULL, 200);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 3));
    json_decref(doc);
}

Test(delivery_email_logs, refuses_bad_filters)
{
    static const struct {
        const char *query, *param;
    } q[] = {{"?filter[timestamp][gte]=yesterday", "filter[timestamp][gte]"},
             {"?filter[timestamp][lte]=2024-13-01", "filter[timestamp][lte]"},
             {"?page[limit]=5000", "page[limit]"},
             {"?filter[to]=x", "filter[to]"}};
    char platform[4097], path[128];
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token(platform);
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        snprintf(path, sizeof path, LOGS "%s", q[i].query);
        it_call_token(&r, "GET", path, platform, NULL);
        ut_assert_error(&r, 400, q[i].param);
        it_resp_release(&r);
    }
}
