/* test_onboarding_journey.c: issue 13's journey, onboarding's half: an
 * admin onboards a patient with email and SMS invitations; the
 * organization requires a service document; the person signs up with the
 * request's code as referral-code, agreeing to the document, confirms,
 * logs in (the agreement given at sign-up holds), checks in; the request
 * is claimed. (Templates, SMTP and short links are delivery's half.) */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "it_onboarding.h"

TestSuite(onboarding_journey, .timeout = 90, .init = ob_clear_addr_limit);

Test(onboarding_journey, invited_patient_agrees_signs_up_logs_in_and_checks_in)
{
    struct ob_fixture f;
    char email[128], body[1024], id[40], code[64], doc_id[40], path[256];
    char access[AF_TOKEN_MAX];
    const char *p[1];
    json_t *doc = NULL, *msg, *sign_up;
    PGconn *pg;
    char *v;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    /* the organization requires its terms */
    pg = it_pg();
    p[0] = f.org_id;
    v = it_pg_value(pg,
                    "INSERT INTO onboarding.service_documents (organization_id, type, version, "
                    "title) VALUES ($1::uuid, 'terms-of-service', '1', 'Terms') RETURNING id::text",
                    1, p);
    PQfinish(pg);
    snprintf(doc_id, sizeof doc_id, "%s", v);
    free(v);

    /* 1. the admin onboards the patient, by email and SMS */
    it_unique(email, 100, "it-journey-ob-");
    strcat(email, "@example.com");
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"onboarding-requests\", \"attributes\": {\"organization\": "
             "\"%s\", \"patient-email\": \"%s\", \"phone-number\": \"+15551239999\", "
             "\"notifications\": [\"email\", \"sms\"]}}}",
             f.org_id, email);
    cr_assert(eq(long, af_call("POST", "/v1/onboarding-requests/", f.admin, body, &doc), 201));
    snprintf(id, sizeof id, "%s", af_str(json_object_get(doc, "data"), "id"));
    snprintf(code, sizeof code, "%s",
             af_str(json_object_get(json_object_get(doc, "data"), "attributes"), "code"));
    json_decref(doc);
    msg = it_spool_wait(email, "onboarding", 5000);
    cr_assert(msg != NULL, "the email invitation arrived");
    cr_assert(strstr(af_str(msg, "body"), code) != NULL);
    json_decref(msg);
    msg = it_spool_wait("+15551239999", "onboarding", 5000);
    cr_assert(msg != NULL, "the SMS invitation arrived");
    json_decref(msg);

    /* 2. the documents the sign-up form shows */
    snprintf(path, sizeof path, "/v1/service-documents/?latest=true&referral-code=%s", f.code);
    cr_assert(eq(long, af_call("GET", path, NULL, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);

    /* 3. sign-up with the request's code, agreeing; confirmation */
    sign_up = ob_sign_up_body(f.code, email, NULL);
    json_object_set_new(sign_up, "referral-code", json_string(code));
    json_object_set_new(sign_up, "service-document-agreements", json_pack("[s]", doc_id));
    ob_sign_up_confirmed(sign_up);
    json_decref(sign_up);

    /* 4. login: the agreement given at sign-up holds */
    cr_assert(eq(long, af_login(email, OB_PASSWORD, NULL, &doc), 201));
    snprintf(access, sizeof access, "%s", af_str(doc, "access-token"));
    json_decref(doc);

    /* 5. a check-in */
    cr_assert(eq(long,
                 af_call("POST", "/v1/user-checkins/", access,
                         "{\"data\": {\"type\": \"user-checkins\", \"attributes\": {\"source\": "
                         "\"ios\", \"model\": \"iPhone\", \"app-version\": \"1.0\"}}}",
                         &doc),
                 201));
    json_decref(doc);

    /* the request is claimed */
    snprintf(path, sizeof path, "/v1/onboarding-requests/%s/", id);
    cr_assert(eq(long, af_call("GET", path, f.admin, NULL, &doc), 200));
    cr_assert(eq(str,
                 (char *)af_str(json_object_get(json_object_get(doc, "data"), "attributes"),
                                "status"),
                 "claimed"));
    json_decref(doc);
}
