/* test_onboarding_templates.c: onboarding's messages are rendered by
 * messaging from the organization's templates (issue 13, glue): an
 * onboarding request's email and SMS invitations in the locale of its
 * communication-preferences (the SMS carrying a short link that redirects
 * to ONBOARDING_URL?code=<code>), and the sign-up code in the sign-up's
 * locale. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "it_onboarding.h"

TestSuite(onboarding_templates, .timeout = 90, .init = ob_clear_addr_limit);

static const char *attr(const json_t *doc, const char *name)
{
    return af_str(json_object_get(json_object_get(doc, "data"), "attributes"), name);
}

/* POSTs template (an attributes object, stolen) to path as token; 201. */
static void make_template(const char *token, const char *path, const char *type, json_t *attrs)
{
    json_t *doc = json_pack("{s:{s:s, s:o}}", "data", "type", type, "attributes", attrs);
    char *body = json_dumps(doc, 0);
    json_t *out = NULL;

    json_decref(doc);
    cr_assert(eq(long, af_call("POST", path, token, body, &out), 201));
    free(body);
    json_decref(out);
}

static void email_template(const char *token, const char *org, const char *type,
                           const char *subject, const char *tpl)
{
    make_template(token, "/v1/organization-email-templates/", "organization-email-templates",
                  json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "organization-id", org,
                            "type", type, "locale", "es_US", "format", "txt", "subject", subject,
                            "support-email", "help@example.com", "support-email-title", "Ayuda",
                            "template", tpl));
}

/* A phone number no other test uses, into out (20 bytes). */
static void unique_phone(char *out)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(out, 20, "+1555%07ld", (long)((ts.tv_nsec / 1000 + getpid() * 7919L) % 10000000L));
}

Test(onboarding_templates, invitations_use_the_organization_templates_in_the_person_locale)
{
    struct ob_fixture f;
    char email[128], phone[20], attrs[1024], body[2048], code[64], prefix[256], link[16], loc[512],
        want[512];
    json_t *doc = NULL, *msg;
    const char *text, *at;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    email_template(f.admin, f.org_id, "onboarding", "Invitación {{code}}",
                   "Hola desde {{organization_name}}: abra {{url}}");
    make_template(f.admin, "/v1/organization-sms-templates/", "organization-sms-templates",
                  json_pack("{s:s, s:s, s:s, s:s}", "organization-id", f.org_id, "type",
                            "onboarding", "locale", "es_US", "template", "Únase: {{url}}"));
    it_unique(email, 100, "it-obt-");
    strcat(email, "@example.com");
    unique_phone(phone);
    snprintf(attrs, sizeof attrs,
             "{\"organization\": \"%s\", \"patient-email\": \"%s\", \"phone-number\": \"%s\", "
             "\"notifications\": [\"email\", \"sms\"], \"communication-preferences\": "
             "{\"locale\": \"es_US\"}}",
             f.org_id, email, phone);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"onboarding-requests\", \"attributes\": %s}}", attrs);
    cr_assert(eq(long, af_call("POST", "/v1/onboarding-requests/", f.admin, body, &doc), 201));
    snprintf(code, sizeof code, "%s", attr(doc, "code"));
    json_decref(doc);

    msg = it_spool_wait(email, "onboarding", 5000);
    cr_assert(msg != NULL, "no invitation reached the email address");
    text = json_string_value(json_object_get(msg, "body"));
    cr_assert(text && !strncmp(text, "Hola desde ", 11), "body \"%s\"", text ? text : "");
    snprintf(want, sizeof want, "abra https://app.example.com/onboarding?code=%s", code);
    cr_assert(strstr(text, want) != NULL, "body \"%s\"", text);
    snprintf(want, sizeof want, "Invitación %s", code);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(msg, "subject")), want));
    json_decref(msg);

    msg = it_spool_wait(phone, "onboarding", 5000);
    cr_assert(msg != NULL, "no invitation reached the phone");
    text = json_string_value(json_object_get(msg, "body"));
    snprintf(prefix, sizeof prefix, "Únase: %s/s/", it_env("TEST_EDGE_URL"));
    cr_assert(text && !strncmp(text, prefix, strlen(prefix)), "SMS \"%s\"", text ? text : "");
    at = text + strlen(prefix);
    snprintf(link, sizeof link, "%.8s", at);
    json_decref(msg);
    snprintf(body, sizeof body, "/s/%s", link);
    it_call(&r, "GET", body, IT_AUTH_NONE, NULL, NULL);
    cr_assert(eq(long, r.status, 302));
    snprintf(loc, sizeof loc, "%s", it_header_str(&r, "location"));
    it_resp_release(&r);
    snprintf(want, sizeof want, "https://app.example.com/onboarding?code=%s", code);
    cr_assert(eq(str, loc, want));
}

Test(onboarding_templates, the_sign_up_code_uses_the_organization_template_in_the_sign_up_locale)
{
    struct ob_fixture f;
    char email[128], conf[16];
    json_t *body, *msg;
    const char *text;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    email_template(f.admin, f.org_id, "sign-up-code", "Su código",
                   "Su código es {{code}} ({{ttl_minutes}} min) para {{organization_name}}.");
    it_unique(email, 100, "it-obt-su-");
    strcat(email, "@example.com");
    body = ob_sign_up_body(f.code, email, NULL);
    json_object_set_new(body, "locale", json_string("es_US"));
    ob_sign_up_ok(body);
    json_decref(body);
    msg = it_spool_wait(email, "sign-up-code", 5000);
    cr_assert(msg != NULL);
    text = json_string_value(json_object_get(msg, "body"));
    cr_assert(text && !strncmp(text, "Su código es ", 14), "body \"%s\"", text ? text : "");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(msg, "subject")), "Su código"));
    it_spool_code(msg, conf, sizeof conf);
    json_decref(msg);
    cr_assert(eq(sz, strlen(conf), 6));
    cr_assert(eq(long, ob_confirm(&r, email, conf, 0), 201), "%s", r.body);
    it_resp_release(&r);
}
