/* test_password_strength.c: POST /v1/password-strength/ (#109) through the
 * edge: its 201 body, and JSON:API errors for bad bodies. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <string.h>

#include "harness.h"

#define PATH "/v1/password-strength/"

static json_t *rate(const char *body, long want_status, struct it_resp *r)
{
    it_call(r, "POST", PATH, IT_AUTH_NONE, "application/json", body);
    cr_assert(eq(long, r->status, want_status), "%ld %s", r->status, r->body);
    return it_json(r);
}

Test(password_strength, rates_a_common_password_very_weak_and_checks_the_list)
{
    struct it_resp r;
    json_t *doc;

    IT_REQUIRE_STACK();
    doc = rate("{\"password\": \"password\", \"check-pwned\": true}", 201, &r);
    cr_assert(doc != NULL);
    cr_assert(eq(int, (int)json_integer_value(json_object_get(json_object_get(doc, "strength"), "value")), 0));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json_object_get(doc, "strength"), "label")), "very weak"));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(json_object_get(doc, "pwned"), "times")), 1));
    cr_assert(json_array_size(json_object_get(doc, "suggestions")) >= 1);
    json_decref(doc);
    it_resp_release(&r);
}

Test(password_strength, rates_a_long_random_password_very_strong_unchecked)
{
    struct it_resp r;
    json_t *doc;

    IT_REQUIRE_STACK();
    doc = rate("{\"password\": \"8fK#q2Lz!9vR@m4X\"}", 201, &r);
    cr_assert(doc != NULL);
    cr_assert(eq(int, (int)json_integer_value(json_object_get(json_object_get(doc, "strength"), "value")), 4));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(json_object_get(doc, "pwned"), "times")), -1));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "suggestions")), 0));
    json_decref(doc);
    it_resp_release(&r);
}

struct bad_body {
    char body[300];
    char pointer[32];
};

ParameterizedTestParameters(password_strength, refuses_bad_bodies_with_a_pointer)
{
    static struct bad_body cases[] = {
        {"{}", "/password"},
        {"{\"password\": 12}", "/password"},
        {"{\"password\": \"\"}", "/password"},
        {"{\"password\": \"x\", \"check-pwned\": \"yes\"}", "/check-pwned"},
        {"{\"password\": \"x\", \"role\": \"admin\"}", "/role"},
        {"{\"password\": \"x'; DROP TABLE api_clients; --\", \"x\": 1}", "/x"},
        {"[\"password\"]", ""},
        {"{\"password\": ", ""},
    };
    return cr_make_param_array(struct bad_body, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bad_body *c, password_strength, refuses_bad_bodies_with_a_pointer)
{
    struct it_resp r;
    json_t *doc, *e;

    IT_REQUIRE_STACK();
    doc = rate(c->body, 400, &r);
    it_assert_error_style(&r, "jsonapi", 400);
    e = json_array_get(json_object_get(doc, "errors"), 0);
    if (!c->pointer[0]) { /* the whole body is at fault: no source */
        cr_assert(json_object_get(e, "source") == NULL, "%s", r.body);
    } else {
        const char *got =
            json_string_value(json_object_get(json_object_get(e, "source"), "pointer"));
        cr_assert(got != NULL, "%s", r.body);
        cr_assert(eq(str, (char *)got, c->pointer), "%s", r.body);
    }
    json_decref(doc);
    it_resp_release(&r);
}

Test(password_strength, refuses_passwords_over_255_characters)
{
    char body[400];
    struct it_resp r;
    json_t *doc;

    IT_REQUIRE_STACK();
    strcpy(body, "{\"password\": \"");
    memset(body + strlen(body), 'a', 256);
    strcpy(body + 14 + 256, "\"}");
    doc = rate(body, 400, &r);
    json_decref(doc);
    it_resp_release(&r);
    /* 255 two-byte characters are 255 characters, not 510 */
    strcpy(body, "{\"password\": \"");
    for (int i = 0; i < 120; i++)
        memcpy(body + 14 + 2 * i, "\xc3\xa9", 2);
    strcpy(body + 14 + 240, "\"}");
    doc = rate(body, 201, &r);
    json_decref(doc);
    it_resp_release(&r);
}

Test(password_strength, wants_json_and_post)
{
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_call(&r, "POST", PATH, IT_AUTH_NONE, "application/x-www-form-urlencoded", "password=x");
    it_assert_error_style(&r, "jsonapi", 400);
    it_resp_release(&r);
    it_call(&r, "GET", PATH, IT_AUTH_NONE, NULL, NULL);
    it_assert_error_style(&r, "jsonapi", 405);
    it_resp_release(&r);
}
