/* test_zz_onboarding_smtp_journey.c: issue 13's "Done when" journey through
 * the real transports (it_mail_servers.h:
 * aiosmtpd with STARTTLS and AUTH, a local SMS endpoint; messaging is
 * restarted with them and again without them at the end, hence "zz"): a
 * provider creates an onboarding request with email and SMS notifications;
 * the email arrives at the SMTP server rendered from the organization's
 * es_US template (the person's locale); the SMS carries a short link that
 * redirects; the person signs up with the request's code agreeing to the
 * organization's document, confirms with the code mailed through SMTP,
 * logs in, checks in; the request is claimed; email logs show both sends. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "it_mail_servers.h"
#include "it_onboarding.h"

static void servers_up(void)
{
    it_mail_servers_up("");
}

TestSuite(zz_onboarding_smtp_journey, .init = servers_up, .fini = it_mail_servers_down,
          .timeout = 180);

static const json_t *attrs_of(const json_t *doc)
{
    return json_object_get(json_object_get(doc, "data"), "attributes");
}

Test(zz_onboarding_smtp_journey, provider_invites_patient_through_smtp_and_sms)
{
    struct ob_fixture f;
    char org[40], org_code[65], provider[128], provider_id[40], email[128], phone[20];
    char body[4096], attrs[1024], id[40], code[64], conf[16], *doc_id, access[AF_TOKEN_MAX],
        want[512], needle[300], link[16], loc[512];
    const char *p[1], *at;
    char *sms;
    struct it_resp r;
    json_t *doc = NULL, *sign_up, *tpl;
    PGconn *pg;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    pg = it_pg();
    af_org(pg, org);
    af_user(pg, "it-smtpj-prov", 1, 1, provider, provider_id);
    af_member(pg, provider_id, org, "provider");
    p[0] = org;
    doc_id = it_pg_value(pg,
                         "INSERT INTO onboarding.service_documents (organization_id, type, "
                         "version, title) VALUES ($1::uuid, 'terms-of-service', '1', 'Terms') "
                         "RETURNING id::text",
                         1, p);
    PQfinish(pg);
    cr_assert(doc_id != NULL);
    ob_create_code(f.admin, org, NULL, org_code);
    tpl = json_pack("{s:{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}}", "data", "type",
                    "organization-email-templates", "attributes", "organization-id", org, "type",
                    "onboarding", "locale", "es_US", "format", "txt", "subject", "Bienvenido",
                    "support-email", "help@example.com", "support-email-title", "Ayuda", "template",
                    "Hola: su código es {{code}}. Abra {{url}}");
    {
        char *t = json_dumps(tpl, 0);
        cr_assert(
            eq(long, af_call("POST", "/v1/organization-email-templates/", f.admin, t, &doc), 201));
        free(t);
        json_decref(doc);
        json_decref(tpl);
    }

    /* 1. the provider onboards the patient by email and SMS */
    snprintf(attrs, sizeof attrs, "{\"service-document-agreements\": [\"%s\"]}", doc_id);
    cr_assert(eq(long, af_login(provider, AF_PASSWORD, attrs, &doc), 201));
    snprintf(access, sizeof access, "%s", af_str(doc, "access-token"));
    json_decref(doc);
    it_unique(email, 100, "it-smtpj-");
    strcat(email, "@example.com");
    snprintf(phone, sizeof phone, "+1555%07u", (unsigned)(randombytes_random() % 10000000u));
    snprintf(attrs, sizeof attrs,
             "{\"data\": {\"type\": \"onboarding-requests\", \"attributes\": {\"organization\": "
             "\"%s\", \"patient-email\": \"%s\", \"phone-number\": \"%s\", \"notifications\": "
             "[\"email\", \"sms\"], \"communication-preferences\": {\"locale\": \"es_US\"}}}}",
             org, email, phone);
    cr_assert(eq(long, af_call("POST", "/v1/onboarding-requests/", access, attrs, &doc), 201));
    snprintf(id, sizeof id, "%s", af_str(json_object_get(doc, "data"), "id"));
    snprintf(code, sizeof code, "%s", af_str(attrs_of(doc), "code"));
    json_decref(doc);

    /* 2. the email at the SMTP server, from the organization's es_US template */
    snprintf(needle, sizeof needle, "Hola: su código es %s.", code);
    it_mail_wait_body(email, needle, body, sizeof body, 20000);
    /* 3. the SMS with a short link that redirects */
    sms = it_mail_wait_file("sms", phone, 20000);
    cr_assert(sms != NULL, "no SMS at the endpoint (see %s)", it_mail_dir);
    snprintf(needle, sizeof needle, "%s/s/", it_env("TEST_EDGE_URL"));
    at = strstr(sms, needle);
    cr_assert(at != NULL, "no short link in %s", sms);
    snprintf(link, sizeof link, "%.8s", at + strlen(needle));
    free(sms);
    snprintf(needle, sizeof needle, "/s/%s", link);
    it_call(&r, "GET", needle, IT_AUTH_NONE, NULL, NULL);
    cr_assert(eq(long, r.status, 302));
    snprintf(loc, sizeof loc, "%s", it_header_str(&r, "location"));
    it_resp_release(&r);
    snprintf(want, sizeof want, "https://app.example.com/onboarding?code=%s", code);
    cr_assert(eq(str, loc, want));

    /* 4. sign-up with the request's code, agreeing; the code comes by SMTP */
    sign_up = ob_sign_up_body(org_code, email, NULL);
    json_object_set_new(sign_up, "referral-code", json_string(code));
    json_object_set_new(sign_up, "locale", json_string("es_US"));
    json_object_set_new(sign_up, "service-document-agreements", json_pack("[s]", doc_id));
    free(doc_id);
    ob_sign_up_ok(sign_up);
    json_decref(sign_up);
    /* no es_US default: en_US */
    it_mail_wait_body(email, "confirmation code is", body, sizeof body, 20000);
    {
        json_t *m = json_pack("{s:s}", "body", body);
        it_spool_code(m, conf, sizeof conf);
        json_decref(m);
    }
    cr_assert(eq(sz, strlen(conf), 6), "no code in \"%s\"", body);
    cr_assert(eq(long, ob_confirm(&r, email, conf, 0), 201), "%s", r.body);
    it_resp_release(&r);

    /* 5. login, check-in */
    cr_assert(eq(long, af_login(email, OB_PASSWORD, NULL, &doc), 201));
    snprintf(access, sizeof access, "%s", af_str(doc, "access-token"));
    json_decref(doc);
    cr_assert(eq(long,
                 af_call("POST", "/v1/user-checkins/", access,
                         "{\"data\": {\"type\": \"user-checkins\", \"attributes\": {\"source\": "
                         "\"ios\"}}}",
                         &doc),
                 201));
    json_decref(doc);

    /* 6. the request is claimed; the email logs show both sends */
    snprintf(want, sizeof want, "/v1/onboarding-requests/%s/", id);
    cr_assert(eq(long, af_call("GET", want, f.admin, NULL, &doc), 200));
    cr_assert(eq(str, (char *)af_str(attrs_of(doc), "status"), "claimed"));
    json_decref(doc);
    doc = NULL; /* the poll below releases doc before each call */
    snprintf(want, sizeof want, "/v1/email-logs/?filter[destination]=%s", email);
    for (double until = it_now_ms() + 10000; it_now_ms() < until; usleep(200000)) {
        size_t sends = 0;
        json_t *data;
        json_decref(doc);
        doc = NULL;
        cr_assert(eq(long, af_call("GET", want, f.admin, NULL, &doc), 200));
        data = json_object_get(doc, "data");
        for (size_t i = 0; i < json_array_size(data); i++)
            sends += !strcmp(
                af_str(json_object_get(json_array_get(data, i), "attributes"), "notification-type"),
                "Send");
        if (sends >= 2)
            break;
    }
    {
        size_t sends = 0;
        json_t *data = json_object_get(doc, "data");
        for (size_t i = 0; i < json_array_size(data); i++)
            sends += !strcmp(
                af_str(json_object_get(json_array_get(data, i), "attributes"), "notification-type"),
                "Send");
        cr_assert(eq(sz, sends, 2), "email logs: %zu sends to the person", sends);
    }
    json_decref(doc);
}
