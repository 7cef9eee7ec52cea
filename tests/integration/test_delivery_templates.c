/* test_delivery_templates.c: messaging.rpc.Deliver with a template type:
 * the built-in default in the asked locale, the organization's own template
 * winning over it with HTML escaping, bad types and locales refused; one
 * send per idempotency key and recipient; a permanent bounce closing an
 * address until it is cleared. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "cm_err.h"
#include "delivery_rpc.h"
#include "harness.h"

TestSuite(delivery_templates, .timeout = 60);

static const char *member(const json_t *msg, const char *name)
{
    const char *v = json_string_value(json_object_get(msg, name));
    return v ? v : "(absent)";
}

/* A request of template type to address, with variables name and code. */
static void templated(Messaging__DeliverRequest *req, Messaging__DeliverRequest__VariablesEntry *e,
                      Messaging__DeliverRequest__VariablesEntry **ep, const char *channel,
                      const char *type, const char *to)
{
    messaging__deliver_request__init(req);
    for (int i = 0; i < 2; i++) {
        messaging__deliver_request__variables_entry__init(&e[i]);
        ep[i] = &e[i];
    }
    e[0].key = "name";
    e[0].value = "Ann <script>";
    e[1].key = "code";
    e[1].value = "424242";
    req->channel = (char *)channel;
    req->to = (char *)to;
    req->template_type = (char *)type;
    req->n_variables = 2;
    req->variables = ep;
}

static long count(const char *sql, const char *p1)
{
    const char *params[1] = {p1};
    PGconn *pg = it_pg();
    char *v = it_pg_value(pg, sql, 1, params);
    long n = v ? atol(v) : -1;
    free(v);
    PQfinish(pg);
    return n;
}

Test(delivery_templates, renders_the_default_with_variables)
{
    Messaging__DeliverRequest req;
    Messaging__DeliverRequest__VariablesEntry e[2], *ep[2];
    char to[128], id[37];
    json_t *msg;

    IT_REQUIRE_STACK();
    dr_address(to, sizeof to, "tpl-default");
    templated(&req, e, ep, "email", "verify-email", to);
    dr_deliver_ok(&req, id);
    msg = it_spool_wait(to, "verify-email", 5000);
    cr_assert(msg != NULL, "no spooled message");
    cr_assert(eq(str, (char *)member(msg, "subject"), "Confirm your email address"));
    cr_assert(strstr(member(msg, "body"), "Hello Ann <script>,") != NULL, "%s",
              member(msg, "body"));
    cr_assert(strstr(member(msg, "body"), "Your confirmation code is 424242.") != NULL);
    cr_assert(eq(str, (char *)member(msg, "format"), "txt"));
    cr_assert(eq(str, (char *)member(msg, "id"), id));
    json_decref(msg);
}

Test(delivery_templates, follows_the_locale_and_falls_back_to_en_us)
{
    Messaging__DeliverRequest req;
    Messaging__DeliverRequest__VariablesEntry e[2], *ep[2];
    char to[128], to2[128], id[37];
    json_t *msg;

    IT_REQUIRE_STACK();
    dr_address(to, sizeof to, "tpl-es");
    templated(&req, e, ep, "email", "forgot-password", to);
    req.locale = "es_US";
    dr_deliver_ok(&req, id);
    msg = it_spool_wait(to, "forgot-password", 5000);
    cr_assert(msg != NULL);
    cr_assert(eq(str, (char *)member(msg, "subject"), "Restablezca su contraseña"));
    json_decref(msg);

    dr_address(to2, sizeof to2, "tpl-es2");
    templated(&req, e, ep, "email", "reverify-email", to2);
    req.locale = "es_US";
    dr_deliver_ok(&req, id);
    msg = it_spool_wait(to2, "reverify-email", 5000);
    cr_assert(msg != NULL);
    cr_assert(eq(str, (char *)member(msg, "subject"), "Confirm your new email address"));
    json_decref(msg);
}

Test(delivery_templates, the_organizations_template_wins_and_escapes_html)
{
    Messaging__DeliverRequest req;
    Messaging__DeliverRequest__VariablesEntry e[2], *ep[2];
    char to[128], id[37], org[40];
    const char *params[1] = {org};
    json_t *msg;
    PGconn *pg;
    char *ok;

    IT_REQUIRE_STACK();
    pg = it_pg();
    ok = it_pg_value(pg, "SELECT gen_random_uuid()::text", 0, NULL);
    snprintf(org, sizeof org, "%s", ok);
    free(ok);
    ok = it_pg_value(pg,
                     "INSERT INTO messaging.templates (id, channel, organization_id, type, locale,"
                     " format, subject, body) VALUES (gen_random_uuid(), 'email', $1,"
                     " 'verify-email', 'en_US', 'html', 'Welcome {{name}}',"
                     " '<p>Hi {{name}}, code {{code}}</p>') RETURNING 'ok'",
                     1, params);
    free(ok);
    PQfinish(pg);

    dr_address(to, sizeof to, "tpl-org");
    templated(&req, e, ep, "email", "verify-email", to);
    req.organization_id = org;
    req.locale = "es_US"; /* the organization has en_US only: that one, not the es_US default */
    dr_deliver_ok(&req, id);
    msg = it_spool_wait(to, "verify-email", 5000);
    cr_assert(msg != NULL);
    cr_assert(eq(str, (char *)member(msg, "subject"), "Welcome Ann <script>"));
    cr_assert(eq(str, (char *)member(msg, "body"), "<p>Hi Ann &lt;script&gt;, code 424242</p>"));
    cr_assert(eq(str, (char *)member(msg, "format"), "html"));
    cr_assert(eq(str, (char *)member(msg, "organization_id"), org));
    json_decref(msg);
}

static const struct {
    const char *channel, *type, *locale;
} bad[] = {
    {"email", "no-such-type", ""},
    {"sms", "verify-email", ""},
    {"email", "verify-email", "fr_FR"},
};

ParameterizedTestParameters(delivery_templates, refuses_unknown_types_and_locales)
{
    IT_INDEX_PARAMS(bad);
}

ParameterizedTest(size_t *i, delivery_templates, refuses_unknown_types_and_locales)
{
    Messaging__DeliverRequest req;
    Messaging__DeliverRequest__VariablesEntry e[2], *ep[2];
    Envelope__RpcReply *reply;
    char to[128];

    IT_REQUIRE_STACK();
    dr_address(to, sizeof to, "tpl-bad");
    templated(&req, e, ep, bad[*i].channel, bad[*i].type, to);
    if (!strcmp(bad[*i].channel, "sms"))
        req.to = "+15550001111";
    req.locale = (char *)bad[*i].locale;
    reply = dr_call("Deliver", &req.base);
    cr_assert(eq(int, reply->code, CM_EINVAL), "case %zu: %s", *i, reply->message);
    cr_assert(reply->message && reply->message[0]);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    cr_assert(eq(long,
                 count("SELECT count(*)::text FROM messaging.email_logs WHERE recipient = $1", to),
                 0));
}

Test(delivery_templates, sends_once_per_idempotency_key_and_recipient)
{
    Messaging__DeliverRequest req;
    Messaging__DeliverRequest__VariablesEntry e[2], *ep[2];
    char to[128], to2[128], key[64], id1[37], id2[37], id3[37];

    IT_REQUIRE_STACK();
    dr_address(to, sizeof to, "tpl-once");
    dr_address(to2, sizeof to2, "tpl-once2");
    it_unique(key, sizeof key, "request-");
    templated(&req, e, ep, "email", "onboarding", to);
    req.idempotency_key = key;
    cr_assert(eq(int, dr_deliver_ok(&req, id1), 0));
    cr_assert(eq(int, dr_deliver_ok(&req, id2), 1), "the repeat is not marked repeated");
    cr_assert(eq(str, id1, id2));
    req.to = to2; /* same request, another recipient: sent */
    cr_assert(eq(int, dr_deliver_ok(&req, id3), 0));
    cr_assert(strcmp(id3, id1) != 0);
    cr_assert(eq(long,
                 count("SELECT count(*)::text FROM messaging.email_logs WHERE recipient = $1"
                       " AND status = 'sent'",
                       to),
                 1));
}

static Envelope__RpcReply *bounce(const char *address, const char *type, const char *ref)
{
    Messaging__ReportBounceRequest b = MESSAGING__REPORT_BOUNCE_REQUEST__INIT;
    b.address = (char *)address;
    b.bounce_type = (char *)type;
    b.bounce_subtype = "General";
    b.message_id = (char *)ref;
    return dr_call("ReportBounce", &b.base);
}

Test(delivery_templates, a_permanent_bounce_closes_the_address_until_cleared)
{
    Messaging__DeliverRequest req;
    Messaging__DeliverRequest__VariablesEntry e[2], *ep[2];
    Messaging__ClearBounceRequest c = MESSAGING__CLEAR_BOUNCE_REQUEST__INIT;
    Envelope__RpcReply *reply;
    char to[128], upper[128], id[37];

    IT_REQUIRE_STACK();
    dr_address(to, sizeof to, "tpl-bounce");
    templated(&req, e, ep, "email", "verify-email", to);
    dr_deliver_ok(&req, id);

    reply = bounce(to, "Transient", id);
    cr_assert(eq(int, reply->code, CM_OK), "%s", reply->message);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    dr_deliver_ok(&req, id); /* a transient bounce closes nothing */

    snprintf(upper, sizeof upper, "%s", to);
    upper[0] = (char)(upper[0] - 'a' + 'A');
    reply = bounce(upper, "Permanent", id);
    cr_assert(eq(int, reply->code, CM_OK), "%s", reply->message);
    envelope__rpc_reply__free_unpacked(reply, NULL);

    reply = dr_call("Deliver", &req.base);
    cr_assert(eq(int, reply->code, CM_ECONFLICT), "sent to a bounced address");
    cr_assert(strstr(reply->message, "bounce") != NULL, "%s", reply->message);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    cr_assert(eq(long,
                 count("SELECT count(*)::text FROM messaging.email_logs WHERE recipient = $1"
                       " AND status = 'suppressed'",
                       to),
                 1));
    cr_assert(eq(long,
                 count("SELECT count(*)::text FROM messaging.email_logs WHERE lower(recipient) ="
                       " $1 AND status = 'bounced' AND kind = 'verify-email'",
                       to),
                 2));

    c.address = to;
    reply = dr_call("ClearBounce", &c.base);
    cr_assert(eq(int, reply->code, CM_OK), "%s", reply->message);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    dr_deliver_ok(&req, id);
}

Test(delivery_templates, refuses_bad_bounce_reports)
{
    Envelope__RpcReply *reply = NULL;

    IT_REQUIRE_STACK();
    reply = bounce("not-an-address", "Permanent", "");
    cr_assert(eq(int, reply->code, CM_EINVAL));
    envelope__rpc_reply__free_unpacked(reply, NULL);
    reply = bounce("a@example.com", "Sometimes", "");
    cr_assert(eq(int, reply->code, CM_EINVAL));
    envelope__rpc_reply__free_unpacked(reply, NULL);
    reply = bounce("a@example.com", "Permanent", "not-a-uuid");
    cr_assert(eq(int, reply->code, CM_EINVAL));
    envelope__rpc_reply__free_unpacked(reply, NULL);
}

Test(delivery_templates, identitys_reset_codes_are_rendered_from_the_templates)
{
    char user[128], id[40], body[300], *key;
    const char *params[1] = {user};
    json_t *msg;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "tpl-reset-", 1, 1, user, id);
    PQfinish(pg);
    snprintf(body, sizeof body, "{\"username\": \"%s\"}", user);
    cr_assert(eq(long, af_call("POST", "/v1/forgot-password/", NULL, body, NULL), 201));
    msg = it_spool_wait(user, "reset-code", 10000);
    cr_assert(msg != NULL, "no reset code");
    /* the forgot-password default, with identity's variables */
    cr_assert(eq(str, (char *)member(msg, "subject"), "Reset your password"));
    cr_assert(strstr(member(msg, "body"), "Your password reset code is ") != NULL, "%s",
              member(msg, "body"));
    cr_assert(strstr(member(msg, "body"), " It expires in ") != NULL);
    json_decref(msg);
    /* sent once per queued message: identity's key is on the row */
    pg = it_pg();
    key = it_pg_value(pg,
                      "SELECT idempotency_key FROM messaging.email_logs WHERE recipient = $1"
                      " AND kind = 'reset-code'",
                      1, params);
    PQfinish(pg);
    cr_assert(key != NULL && strlen(key) == 32, "no idempotency key");
    free(key);
}
