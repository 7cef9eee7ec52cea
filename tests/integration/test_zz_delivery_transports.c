/* test_zz_delivery_transports.c: messaging's remote transports against
 * real servers (it_mail_servers.h, tests/integration/delivery_servers.py): an
 * aiosmtpd SMTP server that requires STARTTLS and AUTH receives a rendered,
 * MIME-encoded email; the SMS endpoint receives JSON after two 503s
 * (retries with backoff: the message stays queued, then is sent once); a
 * 400 fails a message for good and an endpoint that stays down fails it
 * after DELIVERY_RETRIES attempts; a queued message survives a restart of
 * messaging; a request's idempotency key sends one email. messaging is restarted with the
 * transports set, and again without them at the end ("zz": it changes the shared stack). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_err.h"
#include "delivery_rpc.h"
#include "harness.h"
#include "it_mail_servers.h"

static void servers_up(void)
{
    it_mail_servers_up("--sms-fail 2");
}

TestSuite(zz_delivery_transports, .init = servers_up, .fini = it_mail_servers_down, .timeout = 120);

/* The email_logs status of message id, polled until it is want (at most
 * ms); returns the last one seen (caller frees). */
static char *wait_status(const char *id, const char *want, double ms)
{
    const char *params[1] = {id};
    char *v = NULL;

    for (double until = it_now_ms() + ms; it_now_ms() < until; usleep(50000)) {
        PGconn *pg = it_pg();
        free(v);
        v = it_pg_value(pg, "SELECT status FROM messaging.email_logs WHERE id = $1", 1, params);
        PQfinish(pg);
        if (v && !strcmp(v, want))
            break;
    }
    return v;
}

static long queued_rows(const char *id)
{
    const char *params[1] = {id};
    PGconn *pg = it_pg();
    char *v =
        it_pg_value(pg, "SELECT count(*)::text FROM messaging.deliveries WHERE id = $1", 1, params);
    long n = atol(v);
    free(v);
    PQfinish(pg);
    return n;
}

Test(zz_delivery_transports, smtp_with_starttls_and_auth_receives_the_rendered_email)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Messaging__DeliverRequest__VariablesEntry e = MESSAGING__DELIVER_REQUEST__VARIABLES_ENTRY__INIT,
                                              *ep[1] = {&e};
    char to[128], id[37], id2[37], key[64], needle[200], body[4096], *mail, *status;

    IT_REQUIRE_STACK();
    dr_address(to, sizeof to, "smtp");
    e.key = "code";
    e.value = "583920";
    req.channel = "email";
    req.to = to;
    req.template_type = "verify-email";
    req.locale = "es_US";
    req.n_variables = 1;
    req.variables = ep;
    it_unique(key, sizeof key, "req-");
    req.idempotency_key = key;
    cr_assert(eq(int, dr_deliver_ok(&req, id), 0));
    cr_assert(eq(int, dr_deliver_ok(&req, id2), 1), "a repeat is queued again");
    cr_assert(eq(str, id, id2));

    snprintf(needle, sizeof needle, "X-Envelope-To: %s\r\n", to);
    mail = it_mail_wait_file("mail", needle, 20000);
    cr_assert(mail != NULL, "no email at the SMTP server (see %s)", it_mail_dir);
    cr_assert(strstr(mail, "X-Auth-User: " SMTP_USER "\r\n") != NULL, "not authenticated");
    cr_assert(strstr(mail, "X-Mail-From: no-reply@health.test") != NULL);
    cr_assert(strstr(mail, "Subject: =?UTF-8?B?") != NULL, "subject not RFC 2047: %.400s", mail);
    snprintf(needle, sizeof needle, "Message-ID: <%s@messaging>", id);
    cr_assert(strstr(mail, needle) != NULL);
    cr_assert(strstr(mail, "Content-Type: text/plain; charset=UTF-8") != NULL);
    it_mail_decode_body(mail, body, sizeof body);
    cr_assert(strstr(body, "Su código de confirmación es 583920.") != NULL, "%s", body);
    free(mail);

    status = wait_status(id, "sent", 10000);
    cr_assert(eq(str, status, "sent"));
    free(status);
    cr_assert(eq(long, queued_rows(id), 0), "the body stays queued after the send");
    usleep(500000);
    snprintf(needle, sizeof needle, "X-Envelope-To: %s\r\n", to);
    cr_assert(eq(long, it_mail_count("mail", needle), 1), "sent twice");
}

Test(zz_delivery_transports, sms_endpoint_gets_json_after_retries_and_once)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Messaging__DeliverRequest__VariablesEntry e = MESSAGING__DELIVER_REQUEST__VARIABLES_ENTRY__INIT,
                                              *ep[1] = {&e};
    char to[32], id[37], needle[128], *sms, *status;
    json_t *doc;

    IT_REQUIRE_STACK();
    snprintf(to, sizeof to, "+1555%06u1", (unsigned)randombytes_uniform(1000000));
    e.key = "code";
    e.value = "246810";
    req.channel = "sms";
    req.to = to;
    req.template_type = "verify";
    req.n_variables = 1;
    req.variables = ep;
    dr_deliver_ok(&req, id);
    snprintf(needle, sizeof needle, "\"to\": \"%s\"", to);
    sms = it_mail_wait_file("sms", needle, 20000);
    cr_assert(sms != NULL, "no SMS at the endpoint (see %s)", it_mail_dir);
    doc = json_loads(sms, 0, NULL);
    cr_assert(doc != NULL);
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(json_object_get(doc, "body"), "body")),
                 "Your confirmation code is 246810."));
    cr_assert(eq(
        str, (char *)json_string_value(json_object_get(json_object_get(doc, "body"), "id")), id));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "authorization")),
                 "Bearer " SMS_TOKEN));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "idempotency-key")), id));
    cr_assert(json_integer_value(json_object_get(doc, "attempt")) >= 3,
              "the endpoint's two 503s were not retried");
    json_decref(doc);
    free(sms);
    status = wait_status(id, "sent", 10000);
    cr_assert(eq(str, status, "sent"));
    free(status);
    cr_assert(eq(long, it_mail_count("sms", needle), 1));
}

Test(zz_delivery_transports, refused_and_exhausted_sends_fail_and_are_logged)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    char id400[37], id503[37], *status;
    const char *params[1] = {id503};
    PGconn *pg;
    char *attempts;

    IT_REQUIRE_STACK();
    req.channel = "sms";
    req.body = "hello";
    req.kind = "it-transport";
    req.to = "+15557770400";
    dr_deliver_ok(&req, id400);
    req.to = "+15557770503";
    dr_deliver_ok(&req, id503);
    status = wait_status(id400, "failed", 10000);
    cr_assert(eq(str, status, "failed"), "a 400 is final");
    free(status);
    cr_assert(eq(long, queued_rows(id400), 0));
    /* 8 attempts, 100, 200, ... 6400 ms apart, then failed */
    cr_assert(eq(long, queued_rows(id503), 1), "dropped before its retries");
    status = wait_status(id503, "failed", 60000);
    cr_assert(eq(str, status, "failed"));
    free(status);
    cr_assert(eq(long, queued_rows(id503), 0));
    pg = it_pg();
    attempts = it_pg_value(pg, "SELECT error FROM messaging.email_logs WHERE id = $1", 1, params);
    PQfinish(pg);
    cr_assert(strstr(attempts, "503") != NULL, "%s", attempts);
    free(attempts);
}

Test(zz_delivery_transports, smtp_gets_the_organizations_html_template_in_the_locale)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Messaging__DeliverRequest__VariablesEntry e = MESSAGING__DELIVER_REQUEST__VARIABLES_ENTRY__INIT,
                                              *ep[1] = {&e};
    char to[128], id[37], org[40], needle[200], body[4096], *mail, *v;
    const char *params[1] = {org};
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    v = it_pg_value(pg, "SELECT gen_random_uuid()::text", 0, NULL);
    snprintf(org, sizeof org, "%s", v);
    free(v);
    v = it_pg_value(pg,
                    "INSERT INTO messaging.templates (id, channel, organization_id, type, locale,"
                    " format, subject, body) VALUES (gen_random_uuid(), 'email', $1, 'onboarding',"
                    " 'es_US', 'html', 'Bienvenida a la clínica, {{name}}',"
                    " '<p>Hola {{name}}</p>') RETURNING 'ok'",
                    1, params);
    free(v);
    PQfinish(pg);
    dr_address(to, sizeof to, "smtp-org");
    e.key = "name";
    e.value = "Ana <b>";
    req.channel = "email";
    req.to = to;
    req.template_type = "onboarding";
    req.locale = "es_US";
    req.organization_id = org;
    req.n_variables = 1;
    req.variables = ep;
    dr_deliver_ok(&req, id);
    snprintf(needle, sizeof needle, "X-Envelope-To: %s\r\n", to);
    mail = it_mail_wait_file("mail", needle, 20000);
    cr_assert(mail != NULL, "no email at the SMTP server (see %s)", it_mail_dir);
    cr_assert(strstr(mail, "Content-Type: text/html; charset=UTF-8") != NULL);
    it_mail_decode_body(mail, body, sizeof body);
    cr_assert(eq(str, body, "<p>Hola Ana &lt;b&gt;</p>"));
    free(mail);
}

Test(zz_delivery_transports, a_queued_message_survives_a_restart_of_messaging)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    char to[32], id[37], down[600], needle[128], *status, *sms;
    const char *params[1] = {id};
    FILE *f;

    IT_REQUIRE_STACK();
    snprintf(down, sizeof down, "%s/sms-down", it_mail_dir);
    f = fopen(down, "w");
    cr_assert(f != NULL);
    fclose(f);
    snprintf(to, sizeof to, "+1556%06u2", (unsigned)randombytes_uniform(1000000));
    req.channel = "sms";
    req.to = to;
    req.body = "kept across a restart";
    req.kind = "it-transport";
    dr_deliver_ok(&req, id);
    /* it was tried and failed at least once */
    for (double until = it_now_ms() + 10000; it_now_ms() < until; usleep(50000)) {
        PGconn *pg = it_pg();
        char *a = it_pg_value(pg, "SELECT attempts::text FROM messaging.deliveries WHERE id = $1",
                              1, params);
        PQfinish(pg);
        int tried = a && atoi(a) >= 1;
        free(a);
        if (tried)
            break;
    }
    cr_assert(eq(long, queued_rows(id), 1));
    cr_assert(eq(int, it_stack(NULL, 0, "restart", "messaging", NULL), 0));
    cr_assert(eq(long, queued_rows(id), 1), "not queued any more after the restart");
    unlink(down);
    snprintf(needle, sizeof needle, "\"to\": \"%s\"", to);
    sms = it_mail_wait_file("sms", needle, 20000);
    cr_assert(sms != NULL, "the queued SMS was lost");
    free(sms);
    status = wait_status(id, "sent", 10000);
    cr_assert(eq(str, status, "sent"));
    free(status);
    cr_assert(eq(long, it_mail_count("sms", needle), 1));
}
