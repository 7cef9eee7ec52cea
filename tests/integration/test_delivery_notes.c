/* test_delivery_notes.c: organization general messages (#89-#92) and
 * feedback comments (#29-#31) through the edge: admins write an
 * organization's messages and its people read them, others see none (404,
 * an empty list); a second message of one name and locale is a 409;
 * anyone authenticated writes feedback, read by its author, the admins of
 * the author's organization and the platform admin only; bad input is a
 * 400 naming the field; no credentials, 401. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "test_users_fixtures.h"

TestSuite(delivery_notes, .timeout = 90);

#define GM "/v1/organization-general-messages/"
#define FB "/v1/feedback-comments/"

static void refused(const char *method, const char *path, const char *token, const char *body,
                    long status, const char *source)
{
    struct it_resp r;

    it_call_token(&r, method, path, token, body);
    if (status == 401)
        it_assert_error_style(&r, "jsonapi", 401);
    else
        ut_assert_error(&r, status, source);
    it_resp_release(&r);
}

static size_t list_len(const json_t *doc)
{
    return json_array_size(json_object_get(doc, "data"));
}

Test(delivery_notes, general_messages_are_written_by_admins_and_read_by_members)
{
    struct ut_user admin, user, b_admin;
    char a[UT_ID_LEN], b[UT_ID_LEN], body[512], id[40], path[128], list[128], patch[512];
    json_t *doc;

    IT_REQUIRE_STACK();
    ut_org(a);
    ut_org(b);
    ut_account(a, "admin", &admin);
    ut_account(a, NULL, &user);
    ut_account(b, "admin", &b_admin);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"organization-general-messages\", \"attributes\": "
             "{\"organization-id\": \"%s\", \"name\": \"contact\", \"locale\": \"es_US\", "
             "\"message\": \"Llame al 555-0100\"}}}",
             a);
    refused("POST", GM, user.token, body, 403, "/data/attributes/organization-id");
    refused("POST", GM, b_admin.token, body, 403, "/data/attributes/organization-id");
    refused("POST", GM, NULL, body, 401, NULL);
    doc = it_call_expect("POST", GM, admin.token, body, 201);
    snprintf(id, sizeof id, "%s", it_data_id(doc));
    cr_assert(eq(str, (char *)it_attr_str(doc, "name"), "contact"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "locale"), "es_US"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "message"), "Llame al 555-0100"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "organization-id"), a));
    json_decref(doc);
    refused("POST", GM, admin.token, body, 409, NULL);

    snprintf(path, sizeof path, GM "%s/", id);
    json_decref(it_call_expect("GET", path, user.token, NULL, 200)); /* a member reads it */
    refused("GET", path, b_admin.token, NULL, 404, NULL);
    snprintf(list, sizeof list, GM "?organization-id=%s", a);
    doc = it_call_expect("GET", list, user.token, NULL, 200);
    cr_assert(eq(sz, list_len(doc), 1));
    json_decref(doc);
    doc = it_call_expect("GET", list, b_admin.token, NULL, 200);
    cr_assert(eq(sz, list_len(doc), 0));
    json_decref(doc);
    refused("GET", GM, admin.token, NULL, 400, "organization-id");

    snprintf(patch, sizeof patch,
             "{\"data\": {\"type\": \"organization-general-messages\", \"id\": \"%s\", "
             "\"attributes\": {\"message\": \"Llame al 555-0199\"}}}",
             id);
    refused("PATCH", path, user.token, patch, 403, NULL);
    refused("PATCH", path, b_admin.token, patch, 404, NULL);
    doc = it_call_expect("PATCH", path, admin.token, patch, 200);
    cr_assert(eq(str, (char *)it_attr_str(doc, "message"), "Llame al 555-0199"));
    json_decref(doc);
    snprintf(patch, sizeof patch,
             "{\"data\": {\"type\": \"organization-general-messages\", \"id\": \"%s\", "
             "\"attributes\": {\"name\": \"other\"}}}",
             id);
    refused("PATCH", path, admin.token, patch, 400, "/data/attributes/name");
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"organization-general-messages\", \"attributes\": "
             "{\"organization-id\": \"%s\", \"name\": \"contact\", \"locale\": \"fr_FR\", "
             "\"message\": \"x\"}}}",
             a);
    refused("POST", GM, admin.token, body, 400, "/data/attributes/locale");
}

Test(delivery_notes, feedback_is_read_by_its_author_and_admins_only)
{
    struct ut_user admin, user, other, b_admin;
    char a[UT_ID_LEN], b[UT_ID_LEN], platform[4097], id[40], path[128];
    json_t *doc;
    size_t i;
    json_t *item;
    int found;

    IT_REQUIRE_STACK();
    ut_org(a);
    ut_org(b);
    ut_account(a, "admin", &admin);
    ut_account(a, NULL, &user);
    ut_account(a, NULL, &other);
    ut_account(b, "admin", &b_admin);
    it_admin_token(platform);
    refused("POST", FB, NULL, "{\"data\": {\"type\": \"feedback-comments\"}}", 401, NULL);
    refused("POST", FB, user.token,
            "{\"data\": {\"type\": \"feedback-comments\", \"attributes\": {}}}", 400,
            "/data/attributes/comment");
    refused("POST", FB, user.token,
            "{\"data\": {\"type\": \"feedback-comments\", \"attributes\": {\"comment\": \"x\", "
            "\"individual-id\": \"nope\"}}}",
            400, "/data/attributes/individual-id");
    doc = it_call_expect("POST", FB, user.token,
               "{\"data\": {\"type\": \"feedback-comments\", \"attributes\": {\"comment\": "
               "\"The chart page is slow\", \"current-page\": \"/charts\"}}}",
               201);
    snprintf(id, sizeof id, "%s", it_data_id(doc));
    cr_assert(eq(str, (char *)it_attr_str(doc, "created-by"), user.id));
    cr_assert(eq(str, (char *)it_attr_str(doc, "comment"), "The chart page is slow"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "current-page"), "/charts"));
    json_decref(doc);

    snprintf(path, sizeof path, FB "%s/", id);
    json_decref(it_call_expect("GET", path, user.token, NULL, 200));
    json_decref(it_call_expect("GET", path, admin.token, NULL, 200));
    json_decref(it_call_expect("GET", path, platform, NULL, 200));
    refused("GET", path, other.token, NULL, 404, NULL);
    refused("GET", path, b_admin.token, NULL, 404, NULL);
    refused("GET", path, NULL, NULL, 401, NULL);

    doc = it_call_expect("GET", FB, other.token, NULL, 200);
    cr_assert(eq(sz, list_len(doc), 0));
    json_decref(doc);
    doc = it_call_expect("GET", FB "?page[limit]=1000", admin.token, NULL, 200);
    found = 0;
    json_array_foreach(json_object_get(doc, "data"), i, item)
    {
        found += !strcmp(json_string_value(json_object_get(item, "id")), id);
    }
    cr_assert(eq(int, found, 1));
    json_decref(doc);
    doc = it_call_expect("GET", FB, b_admin.token, NULL, 200);
    json_array_foreach(json_object_get(doc, "data"), i, item)
    {
        cr_assert(strcmp(json_string_value(json_object_get(item, "id")), id) != 0);
    }
    json_decref(doc);
}
