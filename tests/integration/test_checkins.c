/* test_checkins.c: user check-ins (#136, #137): a person records their
 * device and app; they, an admin of the organization they checked in
 * from and the platform admin read them, newest first; others see none;
 * bad bodies and queries are 400s with a source. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "harness.h"

TestSuite(checkins, .timeout = 60);

#define CHECKINS "/v1/user-checkins/"

static const char *attr(const json_t *res, const char *name)
{
    return af_str(json_object_get(res, "attributes"), name);
}

static long checkin(const char *access, const char *source, const char *model, json_t **doc)
{
    char body[512];

    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"user-checkins\", \"attributes\": {\"source\": \"%s\", "
             "\"model\": \"%s\", \"os-version\": \"14\", \"app-version\": \"3.2.1\"}}}",
             source, model);
    return af_call("POST", CHECKINS, access, body, doc);
}

Test(checkins, a_person_checks_in_and_reads_them_back)
{
    char org[40] = "", user_id[40], access[AF_TOKEN_MAX], path[256];
    json_t *doc = NULL, *data;

    IT_REQUIRE_STACK();
    af_member_login("it-checkin", org, "patient", user_id, access);
    cr_assert(eq(long, checkin(access, "android", "Pixel 8", &doc), 201));
    data = json_object_get(doc, "data");
    cr_assert(eq(str, (char *)af_str(data, "type"), "user-checkins"));
    cr_assert(eq(str, (char *)attr(data, "user-id"), user_id));
    cr_assert(eq(str, (char *)attr(data, "source"), "android"));
    cr_assert(eq(str, (char *)attr(data, "model"), "Pixel 8"));
    cr_assert(eq(str, (char *)attr(data, "os-version"), "14"));
    cr_assert(eq(str, (char *)attr(data, "app-version"), "3.2.1"));
    cr_assert(strlen(attr(data, "created-time")) > 0);
    json_decref(doc);
    cr_assert(eq(long, checkin(access, "ios", "iPhone 15", &doc), 201));
    json_decref(doc);

    snprintf(path, sizeof path, CHECKINS "?individual-id=%s", user_id);
    cr_assert(eq(long, af_call("GET", path, access, NULL, &doc), 200));
    data = json_object_get(doc, "data");
    cr_assert(eq(sz, json_array_size(data), 2));
    cr_assert(eq(str, (char *)attr(json_array_get(data, 0), "source"), "ios")); /* newest first */
    json_decref(doc);
    snprintf(path, sizeof path, CHECKINS "?individual-id=%s&filter[source]=android", user_id);
    cr_assert(eq(long, af_call("GET", path, access, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
    snprintf(path, sizeof path, CHECKINS "?individual-id=%s&summary=true", user_id);
    cr_assert(eq(long, af_call("GET", path, access, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
}

Test(checkins, org_admin_reads_others_see_none)
{
    char org[40] = "", other_org[40] = "", user_id[40], access[AF_TOKEN_MAX];
    char admin_id[40], admin[AF_TOKEN_MAX], stranger_id[40], stranger[AF_TOKEN_MAX], path[256];
    char platform[AF_TOKEN_MAX];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    af_member_login("it-checkin", org, "patient", user_id, access);
    af_member_login("it-checkin", org, "admin", admin_id, admin);
    af_member_login("it-checkin", other_org, "admin", stranger_id, stranger);
    cr_assert(eq(long, checkin(access, "web", "Firefox", &doc), 201));
    json_decref(doc);
    snprintf(path, sizeof path, CHECKINS "?individual-id=%s", user_id);
    cr_assert(eq(long, af_call("GET", path, admin, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
    cr_assert(eq(long, af_call("GET", path, stranger, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    json_decref(doc);
    it_admin_token(platform);
    cr_assert(eq(long, af_call("GET", path, platform, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
}

Test(checkins, bad_input_and_callers_are_refused)
{
    char org[40] = "", user_id[40], access[AF_TOKEN_MAX], path[256];
    json_t *doc = NULL;
    struct it_resp r;

    IT_REQUIRE_STACK();
    af_member_login("it-checkin", org, "patient", user_id, access);
    cr_assert(eq(long, checkin(NULL, "android", "x", &doc), 401));
    json_decref(doc);
    cr_assert(eq(long, checkin(access, "windows", "x", &doc), 400));
    af_error(doc, 400, "/data/attributes/source");
    json_decref(doc);
    cr_assert(eq(long,
                 af_call("POST", CHECKINS, access,
                         "{\"data\": {\"type\": \"user-checkins\", \"attributes\": {}}}", &doc),
                 400));
    af_error(doc, 400, "/data/attributes/source");
    json_decref(doc);
    cr_assert(eq(long,
                 af_call("POST", CHECKINS, access,
                         "{\"data\": {\"type\": \"user-checkins\", \"attributes\": "
                         "{\"source\": \"ios\", \"user-id\": \"x\"}}}",
                         &doc),
                 400));
    json_decref(doc);
    /* an API client is no person */
    it_call(&r, "POST", CHECKINS, IT_AUTH_BOOTSTRAP, "application/json",
            "{\"data\": {\"type\": \"user-checkins\", \"attributes\": {\"source\": \"ios\"}}}");
    it_assert_error_style(&r, "jsonapi", 403);
    it_resp_release(&r);

    cr_assert(eq(long, af_call("GET", CHECKINS, access, NULL, &doc), 400));
    json_decref(doc);
    cr_assert(eq(long, af_call("GET", CHECKINS "?individual-id=nope", access, NULL, &doc), 400));
    json_decref(doc);
    snprintf(path, sizeof path, CHECKINS "?individual-id=%s&filter[source]=tv", user_id);
    cr_assert(eq(long, af_call("GET", path, access, NULL, &doc), 400));
    json_decref(doc);
    snprintf(path, sizeof path, CHECKINS "?individual-id=%s&page[limit]=0", user_id);
    cr_assert(eq(long, af_call("GET", path, access, NULL, &doc), 400));
    json_decref(doc);
    snprintf(path, sizeof path, CHECKINS "?individual-id=%s", user_id);
    cr_assert(eq(long, af_call("GET", path, NULL, NULL, &doc), 401));
    json_decref(doc);
}
