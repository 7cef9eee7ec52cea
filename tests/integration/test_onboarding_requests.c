/* test_onboarding_requests.c: onboarding requests (#69-#73) and
 * onboarding-info (#68) through the edge: an admin onboards a patient with
 * email and SMS invitations (sent through messaging, results in
 * last-invite), lists, reads, updates and resends; the person claims the
 * request by signing up with its code as referral-code; auto-sign-up
 * makes an account that logs in; bad bodies, strangers and unknown ids get
 * 4xx in the JSON:API style. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "it_onboarding.h"

TestSuite(onboarding_requests, .timeout = 90, .init = ob_clear_addr_limit);

#define REQS "/v1/onboarding-requests/"

static const json_t *attrs_of(const json_t *doc)
{
    return json_object_get(json_object_get(doc, "data"), "attributes");
}

static const char *attr(const json_t *doc, const char *name)
{
    return af_str(attrs_of(doc), name);
}

/* A unique email address into out (128 bytes). */
static void unique_email(char *out, const char *prefix)
{
    it_unique(out, 100, prefix);
    strcat(out, "@example.com");
}

static long info(const char *attributes, json_t **doc)
{
    char body[1200];

    snprintf(body, sizeof body, "{\"data\": {\"type\": \"onboarding-info\", \"attributes\": %s}}",
             attributes);
    return af_call("POST", "/v1/onboarding-info/", NULL, body, doc);
}

/* Polls (up to 5 s) for an event of subject in onboarding's outbox whose
 * payload holds id; asserts there is one. */
static void assert_event(const char *subject, const char *id)
{
    PGconn *pg = it_pg();
    const char *p[] = {subject, id};
    char *v = NULL;

    for (double until = it_now_ms() + 5000; it_now_ms() < until; usleep(100 * 1000)) {
        free(v);
        v = it_pg_value(pg,
                        "SELECT count(*)::text FROM onboarding.outbox WHERE subject = $1 "
                        "AND position(convert_to($2, 'UTF8') in payload) > 0",
                        2, p);
        if (v && strcmp(v, "0"))
            break;
    }
    PQfinish(pg);
    cr_assert(v && strcmp(v, "0"), "no %s event for %s", subject, id);
    free(v);
}

Test(onboarding_requests, an_invited_patient_claims_the_request_by_signing_up)
{
    struct ob_fixture f;
    char email[128], attrs[1024], id[40], code[64], path[256], body[512];
    const json_t *invite;
    json_t *doc = NULL, *msg, *sign_up;
    char *user_id;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    unique_email(email, "it-obr-");
    snprintf(attrs, sizeof attrs,
             "{\"organization\": \"%s\", \"onboard-type\": \"patient\", \"patient-email\": "
             "\"%s\", \"phone-number\": \"+15551230001\", \"notifications\": [\"email\", "
             "\"sms\"], \"provider-roles\": [\"provider\"]}",
             f.org_id, email);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 201));
    snprintf(id, sizeof id, "%s", af_str(json_object_get(doc, "data"), "id"));
    snprintf(code, sizeof code, "%s", attr(doc, "code"));
    cr_assert(eq(str, (char *)af_str(json_object_get(doc, "data"), "type"), "onboarding-requests"));
    cr_assert(eq(str, (char *)attr(doc, "status"), "created"));
    cr_assert(eq(str, (char *)attr(doc, "organization"), f.org_id));
    cr_assert(eq(str, (char *)attr(doc, "patient-email"), email));
    cr_assert(it_true(json_is_false(json_object_get(attrs_of(doc), "done"))));
    cr_assert(it_true(json_is_null(json_object_get(attrs_of(doc), "claimed-by"))));
    cr_assert(eq(str,
                 (char *)json_string_value(
                     json_array_get(json_object_get(attrs_of(doc), "provider-roles"), 0)),
                 "provider"));
    invite = json_object_get(json_object_get(attrs_of(doc), "last-invite"), "email");
    cr_assert(eq(str, (char *)af_str(invite, "status"), "sent"));
    cr_assert(strlen(af_str(invite, "id")) == 36);
    invite = json_object_get(json_object_get(attrs_of(doc), "last-invite"), "sms");
    cr_assert(eq(str, (char *)af_str(invite, "status"), "sent"));
    json_decref(doc);
    msg = it_spool_wait(email, "onboarding", 5000);
    cr_assert(msg != NULL, "no invitation reached %s", email);
    cr_assert(strstr(af_str(msg, "body"), code) != NULL);
    json_decref(msg);

    /* list, filter, read */
    snprintf(path, sizeof path, REQS "?organization=%s&email=%s", f.org_id, email);
    cr_assert(eq(long, af_call("GET", path, f.admin, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
    snprintf(path, sizeof path, REQS "?organization=%s&onboard-type=provider", f.org_id);
    cr_assert(eq(long, af_call("GET", path, f.admin, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    json_decref(doc);
    snprintf(path, sizeof path, REQS "%s/", id);
    cr_assert(eq(long, af_call("GET", path, f.admin, NULL, &doc), 200));
    cr_assert(eq(str, (char *)attr(doc, "code"), code));
    json_decref(doc);

    /* update the phone, resend */
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"onboarding-requests\", \"id\": \"%s\", \"attributes\": "
             "{\"phone-number\": \"+15551230002\"}}}",
             id);
    cr_assert(eq(long, af_call("PATCH", path, f.admin, body, &doc), 200));
    cr_assert(eq(str, (char *)attr(doc, "phone-number"), "+15551230002"));
    json_decref(doc);
    snprintf(path, sizeof path, REQS "%s/resend-notifications/", id);
    cr_assert(eq(
        long,
        af_call("POST", path, f.admin,
                "{\"data\": {\"type\": \"onboarding-requests-email\", \"attributes\": {}}}", &doc),
        201));
    cr_assert(
        eq(str,
           (char *)af_str(json_object_get(json_object_get(attrs_of(doc), "last-invite"), "sms"),
                          "status"),
           "sent"));
    json_decref(doc);

    /* onboarding-info by code and by email */
    snprintf(attrs, sizeof attrs, "{\"code\": \"%s\"}", code);
    cr_assert(eq(long, info(attrs, &doc), 201));
    cr_assert(eq(str,
                 (char *)af_str(json_object_get(attrs_of(doc), "onboarding-request"), "status"),
                 "created"));
    cr_assert(
        eq(str, (char *)af_str(json_object_get(attrs_of(doc), "organization"), "id"), f.org_id));
    json_decref(doc);

    /* the person signs up with the request's code as referral code */
    sign_up = ob_sign_up_body(f.code, email, NULL);
    json_object_set_new(sign_up, "referral-code", json_string(code));
    ob_sign_up_confirmed(sign_up);
    json_decref(sign_up);
    user_id = ob_sign_up_user_id(email);
    snprintf(path, sizeof path, REQS "%s/", id);
    cr_assert(eq(long, af_call("GET", path, f.admin, NULL, &doc), 200));
    cr_assert(eq(str, (char *)attr(doc, "status"), "claimed"));
    cr_assert(eq(str, (char *)attr(doc, "claimed-by"), user_id));
    assert_event("evt.onboarding.onboarding_request.created", id);
    assert_event("evt.onboarding.onboarding_request.updated", id);
    assert_event("evt.onboarding.onboarding_request.claimed", id);
    cr_assert(strlen(attr(doc, "claimed-time")) > 0);
    cr_assert(it_true(json_is_true(json_object_get(attrs_of(doc), "done"))));
    json_decref(doc);
    free(user_id);
    snprintf(attrs, sizeof attrs, "{\"email\": \"%s\"}", email);
    cr_assert(eq(long, info(attrs, &doc), 201));
    cr_assert(it_true(json_is_true(
        json_object_get(json_object_get(attrs_of(doc), "onboarding-request"), "done"))));
    json_decref(doc);

    /* a claimed request is done */
    cr_assert(eq(long, af_call("PATCH", path, f.admin, body, &doc), 409));
    json_decref(doc);
    snprintf(path, sizeof path, REQS "%s/resend-notifications/", id);
    cr_assert(eq(
        long,
        af_call("POST", path, f.admin,
                "{\"data\": {\"type\": \"onboarding-requests-email\", \"attributes\": {}}}", &doc),
        409));
    json_decref(doc);
}

Test(onboarding_requests, auto_sign_up_makes_an_account_that_logs_in)
{
    struct ob_fixture f;
    char email[128], attrs[1024], path[256];
    json_t *doc = NULL;
    long before;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    unique_email(email, "it-obr-auto-");
    snprintf(attrs, sizeof attrs,
             "{\"organization\": \"%s\", \"patient-email\": \"%s\", \"auto-sign-up\": true, "
             "\"auto-confirm\": true, \"password\": \"%s\", \"email-user-now\": true}",
             f.org_id, email, OB_PASSWORD);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 201));
    cr_assert(eq(str, (char *)attr(doc, "account-step"), "created"));
    cr_assert(strlen(attr(doc, "patient")) == 36);
    cr_assert(eq(str, (char *)attr(doc, "username"), email));
    cr_assert(json_object_get(attrs_of(doc), "password") == NULL);
    json_decref(doc);
    cr_assert(eq(long, af_login(email, OB_PASSWORD, NULL, &doc), 201));
    json_decref(doc);

    /* the same username again: 409, and no request is left behind */
    snprintf(path, sizeof path, REQS "?organization=%s", f.org_id);
    cr_assert(eq(long, af_call("GET", path, f.admin, NULL, &doc), 200));
    before = (long)json_array_size(json_object_get(doc, "data"));
    json_decref(doc);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 409));
    af_error(doc, 409, "/data/attributes/username");
    json_decref(doc);
    /* a weak password: 400 at password */
    unique_email(email, "it-obr-weak-");
    snprintf(attrs, sizeof attrs,
             "{\"organization\": \"%s\", \"patient-email\": \"%s\", \"auto-sign-up\": true, "
             "\"password\": \"abc\"}",
             f.org_id, email);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 400));
    af_error(doc, 400, "/data/attributes/password");
    json_decref(doc);
    cr_assert(eq(long, af_call("GET", path, f.admin, NULL, &doc), 200));
    cr_assert(eq(long, (long)json_array_size(json_object_get(doc, "data")), before));
    json_decref(doc);
}

Test(onboarding_requests, bad_input_and_strangers_are_refused)
{
    struct ob_fixture f;
    char attrs[1024], path[256], org[40], uid[40], stranger[AF_TOKEN_MAX];
    char id[40];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    cr_assert(eq(long, ob_request_create(NULL, "{}", &doc), 401));
    json_decref(doc);
    cr_assert(eq(long, ob_request_create(f.admin, "{}", &doc), 400));
    af_error(doc, 400, "/data/attributes/organization");
    json_decref(doc);
    cr_assert(eq(
        long, ob_request_create(f.admin, "{\"organization\": \"7f1d5b8e-0000-4000-8000-000000000009\"}", &doc),
        404));
    json_decref(doc);
    snprintf(attrs, sizeof attrs, "{\"organization\": \"%s\", \"patient-email\": \"nope\"}",
             f.org_id);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 400));
    af_error(doc, 400, "/data/attributes/patient-email");
    json_decref(doc);
    snprintf(attrs, sizeof attrs, "{\"organization\": \"%s\", \"notifications\": [\"sms\"]}",
             f.org_id);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 400));
    af_error(doc, 400, "/data/attributes/phone-number");
    json_decref(doc);
    snprintf(attrs, sizeof attrs, "{\"organization\": \"%s\", \"notifications\": [\"fax\"]}",
             f.org_id);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 400));
    json_decref(doc);
    snprintf(attrs, sizeof attrs, "{\"organization\": \"%s\", \"password\": \"x\"}", f.org_id);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 400));
    af_error(doc, 400, "/data/attributes/password");
    json_decref(doc);
    snprintf(attrs, sizeof attrs, "{\"organization\": \"%s\", \"color\": \"red\"}", f.org_id);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 400));
    json_decref(doc);

    /* a request without invitations */
    snprintf(attrs, sizeof attrs, "{\"organization\": \"%s\"}", f.org_id);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 201));
    snprintf(id, sizeof id, "%s", af_str(json_object_get(doc, "data"), "id"));
    cr_assert(it_true(
        json_is_null(json_object_get(json_object_get(attrs_of(doc), "last-invite"), "email"))));
    json_decref(doc);

    /* an admin of another organization sees nothing */
    org[0] = '\0';
    af_member_login("it-obr-stranger", org, "admin", uid, stranger);
    snprintf(attrs, sizeof attrs, "{\"organization\": \"%s\"}", f.org_id);
    cr_assert(eq(long, ob_request_create(stranger, attrs, &doc), 404));
    json_decref(doc);
    snprintf(path, sizeof path, REQS "%s/", id);
    cr_assert(eq(long, af_call("GET", path, stranger, NULL, &doc), 404));
    json_decref(doc);
    snprintf(path, sizeof path, REQS "?organization=%s", f.org_id);
    cr_assert(eq(long, af_call("GET", path, stranger, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    json_decref(doc);
    /* but onboards in their own */
    snprintf(attrs, sizeof attrs, "{\"organization\": \"%s\", \"onboard-type\": \"provider\"}",
             org);
    cr_assert(eq(long, ob_request_create(stranger, attrs, &doc), 201));
    json_decref(doc);

    /* queries and ids */
    cr_assert(eq(long, af_call("GET", REQS, f.admin, NULL, &doc), 400));
    json_decref(doc);
    snprintf(path, sizeof path, REQS "?organization=%s&patient-ids=x", f.org_id);
    cr_assert(eq(long, af_call("GET", path, f.admin, NULL, &doc), 400));
    json_decref(doc);
    cr_assert(eq(long,
                 af_call("GET", REQS "7f1d5b8e-0000-4000-8000-00000000000a/", f.admin, NULL, &doc),
                 404));
    json_decref(doc);
    snprintf(path, sizeof path, REQS "%s/resend-notifications/", id);
    cr_assert(eq(
        long,
        af_call("POST", path, f.admin,
                "{\"data\": {\"type\": \"onboarding-requests-email\", \"attributes\": {}}}", &doc),
        400));
    json_decref(doc);

    /* onboarding-info */
    cr_assert(eq(long, info("{}", &doc), 400));
    json_decref(doc);
    cr_assert(eq(long, info("{\"code\": \"NoSuchCode42\"}", &doc), 404));
    json_decref(doc);
    cr_assert(eq(long, info("{\"email\": \"bad\"}", &doc), 400));
    json_decref(doc);
}

Test(onboarding_requests, resend_invitation_and_text_status)
{
    struct ob_fixture f;
    char email[128], new_email[128], attrs[1024], id[40], sms_id[40], path[256], body[512];
    char org[40], uid[40], stranger[AF_TOKEN_MAX];
    const json_t *sms;
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    unique_email(email, "it-obr-resend-");
    unique_email(new_email, "it-obr-new-");
    snprintf(attrs, sizeof attrs,
             "{\"organization\": \"%s\", \"patient-email\": \"%s\", \"phone-number\": "
             "\"+15551230003\", \"notifications\": [\"email\", \"sms\"]}",
             f.org_id, email);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 201));
    snprintf(id, sizeof id, "%s", af_str(json_object_get(doc, "data"), "id"));
    json_decref(doc);

    /* resend to a new email */
    snprintf(body, sizeof body, "{\"username\": \"%s\", \"new-email\": \"%s\"}", email, new_email);
    cr_assert(eq(long, af_call("POST", "/v1/resend-invitation/", f.admin, body, &doc), 201));
    cr_assert(eq(str, (char *)af_str(doc, "signup-request-id"), id));
    cr_assert(eq(str, (char *)af_str(doc, "signup-request-type"), "onboard"));
    json_decref(doc);
    doc = it_spool_wait(new_email, "onboarding", 5000);
    cr_assert(doc != NULL, "no invitation reached the new email");
    json_decref(doc);
    snprintf(path, sizeof path, REQS "%s/", id);
    cr_assert(eq(long, af_call("GET", path, f.admin, NULL, &doc), 200));
    cr_assert(eq(str, (char *)attr(doc, "patient-email"), new_email));
    sms = json_object_get(json_object_get(attrs_of(doc), "last-invite"), "sms");
    cr_assert(eq(str, (char *)af_str(sms, "status"), "sent"));
    snprintf(sms_id, sizeof sms_id, "%s", af_str(sms, "id"));
    json_decref(doc);
    cr_assert(eq(sz, strlen(sms_id), 36));

    /* refusals of resend-invitation */
    cr_assert(eq(long, af_call("POST", "/v1/resend-invitation/", NULL, body, &doc), 401));
    json_decref(doc);
    cr_assert(eq(long, af_call("POST", "/v1/resend-invitation/", f.admin, "{}", &doc), 400));
    json_decref(doc);
    cr_assert(eq(long,
                 af_call("POST", "/v1/resend-invitation/", f.admin,
                         "{\"username\": \"nobody-here@example.com\"}", &doc),
                 404));
    json_decref(doc);
    org[0] = '\0';
    af_member_login("it-obr-stranger2", org, "admin", uid, stranger);
    snprintf(body, sizeof body, "{\"username\": \"%s\"}", new_email);
    cr_assert(eq(long, af_call("POST", "/v1/resend-invitation/", stranger, body, &doc), 404));
    json_decref(doc);

    /* the SMS gateway reports delivery */
    snprintf(path, sizeof path, "/v1/onboarding-texts/%s/update-status/", sms_id);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"string\", \"id\": \"%s\", \"attributes\": {\"status\": "
             "\"delivered\"}}}",
             sms_id);
    cr_assert(eq(long, af_call("POST", path, NULL, body, &doc), 401));
    json_decref(doc);
    cr_assert(eq(long, af_call("POST", path, stranger, body, &doc), 404));
    json_decref(doc);
    cr_assert(eq(long, af_call("POST", path, f.admin, body, &doc), 201));
    cr_assert(it_true(json_is_object(doc) && json_object_size(doc) == 0));
    json_decref(doc);
    snprintf(path, sizeof path, REQS "%s/", id);
    cr_assert(eq(long, af_call("GET", path, f.admin, NULL, &doc), 200));
    sms = json_object_get(json_object_get(attrs_of(doc), "last-invite"), "sms");
    cr_assert(eq(str, (char *)af_str(sms, "status"), "delivered"));
    cr_assert(strlen(af_str(sms, "respond-time")) > 0);
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/onboarding-texts/%s/update-status/", sms_id);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"string\", \"attributes\": {\"status\": \"lost\"}}}");
    cr_assert(eq(long, af_call("POST", path, f.admin, body, &doc), 400));
    json_decref(doc);
    cr_assert(eq(long,
                 af_call("POST",
                         "/v1/onboarding-texts/7f1d5b8e-0000-4000-8000-00000000000b/update-status/",
                         f.admin, "{\"data\": {\"type\": \"string\", \"attributes\": {}}}", &doc),
                 404));
    json_decref(doc);
}

/* The value of sql with parameter a (caller frees); NULL for none. */
static char *value_for(const char *sql, const char *a)
{
    PGconn *pg = it_pg();
    const char *p[] = {a};
    char *v = it_pg_value(pg, sql, 1, p);

    PQfinish(pg);
    return v;
}

Test(onboarding_requests, a_lost_account_reply_is_finished_by_the_sweeper)
{
    struct ob_fixture f;
    char user[128], attrs[1024], *step;
    json_t *doc = NULL;
    long status;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    it_unique(user, 96, "it-lost-reply-obr-"); /* with-test-stack.sh's drop prefix */
    strcat(user, "@example.com");
    snprintf(attrs, sizeof attrs,
             "{\"organization\": \"%s\", \"patient-email\": \"%s\", \"auto-sign-up\": true, "
             "\"auto-confirm\": true, \"password\": \"%s\"}",
             f.org_id, user, OB_PASSWORD);
    status = ob_request_create(f.admin, attrs, &doc);
    /* the lost reply: a 504 saying the request is saved and finished later */
    cr_assert(eq(long, status, 504));
    af_error_is(doc, 504, "timeout", NULL);
    cr_assert(strstr(af_error(doc, 504, NULL), "is saved but its account is not made yet") != NULL);
    json_decref(doc);
    step = value_for("SELECT account_step FROM onboarding.onboarding_requests "
                     "WHERE username = $1",
                     user);
    cr_assert(eq(str, step, "pending"));
    free(step);
    /* as if SIGN_UP_SWEEP_AFTER_S had passed */
    free(value_for("UPDATE onboarding.onboarding_requests SET last_modified_time = now() - "
                   "interval '1 hour' WHERE username = $1 RETURNING 1",
                   user));
    step = NULL;
    for (double until = it_now_ms() + 20000; it_now_ms() < until; usleep(200 * 1000)) {
        free(step);
        step = value_for("SELECT account_step FROM onboarding.onboarding_requests "
                         "WHERE username = $1",
                         user);
        if (step && !strcmp(step, "created"))
            break;
    }
    cr_assert(eq(str, step, "created"), "the sweeper finished the request");
    free(step);
    cr_assert(eq(long, af_login(user, OB_PASSWORD, NULL, &doc), 201), "confirmed by the sweeper");
    json_decref(doc);
}
