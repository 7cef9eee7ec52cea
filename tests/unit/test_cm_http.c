/* test_cm_http.c: surfaces and their error styles. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdlib.h>

#include "cm_http.h"

Test(cm_http, tells_the_surface_from_the_path)
{
    cr_assert(eq(int, cm_http_surface_of("/v1/users/"), ENVELOPE__SURFACE__SURFACE_JSONAPI));
    cr_assert(eq(int, cm_http_surface_of("/v2/individual-groups/"),
                 ENVELOPE__SURFACE__SURFACE_JSONAPI));
    cr_assert(eq(int, cm_http_surface_of("/api/2015-02-01/util/test/1"),
                 ENVELOPE__SURFACE__SURFACE_CUREATR));
    cr_assert(eq(int, cm_http_surface_of("/configure/groups/1/privacy"),
                 ENVELOPE__SURFACE__SURFACE_OKAYA));
    cr_assert(eq(int, cm_http_surface_of("/v10/x"), ENVELOPE__SURFACE__SURFACE_UNKNOWN));
    cr_assert(eq(int, cm_http_surface_of("/"), ENVELOPE__SURFACE__SURFACE_UNKNOWN));
}

Test(cm_http, jsonapi_errors_carry_status_code_detail_and_source)
{
    struct cm_http_source src = {"/data/attributes/email", NULL};
    char *body = cm_http_error_body(ENVELOPE__SURFACE__SURFACE_JSONAPI, 400, "invalid",
                                    "email is malformed", &src, NULL);
    json_t *doc = json_loads(body, 0, NULL);
    json_t *e = json_array_get(json_object_get(doc, "errors"), 0);

    cr_assert(eq(int, (int)json_integer_value(json_object_get(e, "status")), 400));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(e, "code")), "invalid"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(e, "detail")),
                 "email is malformed"));
    cr_assert(eq(str,
                 (char *)json_string_value(
                     json_object_get(json_object_get(e, "source"), "pointer")),
                 "/data/attributes/email"));
    json_decref(doc);
    free(body);
}

Test(cm_http, cureatr_and_okaya_styles_match_their_seeds)
{
    char *a = cm_http_error_body(ENVELOPE__SURFACE__SURFACE_CUREATR, 401, "unauthorized",
                                 "not authorized", NULL, NULL);
    char *b = cm_http_error_body(ENVELOPE__SURFACE__SURFACE_OKAYA, 400, "invalid",
                                 "groupID must be a number", NULL, NULL);

    cr_assert(eq(str, a, "{\"status\": \"error\", \"message\": \"not authorized\"}"));
    cr_assert(eq(str, b, "{\"error\":\"groupID must be a number\"}"));
    free(a);
    free(b);
}

Test(cm_http, never_echoes_a_detail_that_is_not_utf8)
{
    char *body = cm_http_error_body(ENVELOPE__SURFACE__SURFACE_OKAYA, 400, "invalid",
                                    "bad \xff\xfe", NULL, NULL);
    cr_assert(eq(str, body, "{\"error\":\"Bad Request\"}"));
    free(body);
}
