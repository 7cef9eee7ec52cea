/* test_onboarding_enrollment.c: sign-up's enrollment-data is checked
 * against the organization code's enrollment-schema (JSON Schema draft
 * 2020-12 subset, enrollment_schema.h): missing or wrong data is a 400
 * pointing into enrollment-data; valid data signs up and is stored. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "it_onboarding.h"

TestSuite(onboarding_enrollment, .timeout = 60, .init = ob_clear_addr_limit);

Test(onboarding_enrollment, sign_up_data_must_match_the_code_schema)
{
    char admin[OB_TOKEN_MAX], org[37], code[80], username[128], pointer[128], *stored;
    struct it_resp r;
    json_t *body;
    PGconn *pg;
    const char *p[1];

    IT_REQUIRE_STACK();
    it_admin_token_accepted(admin);
    ob_create_org(admin, org, NULL);
    it_unique(code, 60, "Enr_");
    body = json_loads("{\"type\": \"object\", \"required\": [\"zip\"], \"properties\": {\"zip\": "
                      "{\"type\": \"string\", \"pattern\": \"^[0-9]{5}$\"}, \"age\": {\"type\": "
                      "\"integer\", \"minimum\": 18}}}",
                      0, NULL);
    body = json_pack("{s:{s:s, s:{s:s, s:s, s:o}}}", "data", "type", "organization-codes",
                     "attributes", "id", code, "organization-id", org, "enrollment-schema", body);
    ob_post_json(&r, "/v1/organization-codes/", admin, body);
    json_decref(body);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    it_resp_release(&r);

    it_unique(username, 100, "it-enr-");
    strcat(username, "@example.com");
    body = ob_sign_up_body(code, username, NULL);
    /* no data: zip is required */
    ob_post_json(&r, "/v1/sign-up/", NULL, body);
    it_assert_error_style(&r, "jsonapi", 400);
    ob_error_pointer(&r, pointer);
    cr_assert(eq(str, pointer, "/enrollment-data/zip"), "%s", r.body);
    it_resp_release(&r);
    /* wrong zip, then too young */
    json_object_set_new(body, "enrollment-data", json_pack("{s:s}", "zip", "0213"));
    ob_post_json(&r, "/v1/sign-up/", NULL, body);
    it_assert_error_style(&r, "jsonapi", 400);
    ob_error_pointer(&r, pointer);
    cr_assert(eq(str, pointer, "/enrollment-data/zip"), "%s", r.body);
    it_resp_release(&r);
    json_object_set_new(body, "enrollment-data",
                        json_pack("{s:s, s:i}", "zip", "02139", "age", 12));
    ob_post_json(&r, "/v1/sign-up/", NULL, body);
    it_assert_error_style(&r, "jsonapi", 400);
    ob_error_pointer(&r, pointer);
    cr_assert(eq(str, pointer, "/enrollment-data/age"), "%s", r.body);
    it_resp_release(&r);
    /* valid */
    json_object_set_new(body, "enrollment-data",
                        json_pack("{s:s, s:i}", "zip", "02139", "age", 40));
    ob_sign_up_ok(body);
    json_decref(body);

    pg = it_pg();
    p[0] = username;
    stored = it_pg_value(pg,
                         "SELECT enrollment_data->>'zip' FROM onboarding.sign_up_requests "
                         "WHERE username = lower($1)",
                         1, p);
    PQfinish(pg);
    cr_assert(eq(str, stored, "02139"));
    free(stored);
}
