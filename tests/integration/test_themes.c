/* test_themes.c: suite "themes": organization themes (#97-#100) through
 * the edge: the platform admin creates and changes them, every
 * authenticated caller reads them, with the seed's filters. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "test_users_fixtures.h"

TestSuite(themes, .timeout = 60);

Test(themes, platform_admin_manages_everyone_reads)
{
    char org[UT_ID_LEN], admin[4097], domain[96], body[512], id[64], pid[UT_ID_LEN];
    struct ut_user a, u;
    struct it_resp r;
    json_t *doc, *at;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    ut_org(org);
    ut_account(org, "admin", &a);
    ut_account(org, NULL, &u);
    it_unique(domain, sizeof domain, "care-");
    strcat(domain, ".example.org");
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organization-themes\",\"attributes\":{\"domain\":\"%s\","
             "\"support-email\":\"help@example.org\",\"support-email-name\":\"Help desk\"}}}",
             domain);
    ut_call(&r, "POST", a.token, body, "/v1/organization-themes/");
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    ut_call(&r, "POST", admin, body, "/v1/organization-themes/");
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    doc = it_json(&r);
    snprintf(id, sizeof id, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    at = json_object_get(json_object_get(doc, "data"), "attributes");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(at, "domain")), domain));
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(at, "support-email-name")), "Help desk"));
    snprintf(pid, sizeof pid, "%s",
             json_string_value(json_object_get(json_object_get(at, "created-by"), "id")) ?: "");
    cr_assert(it_true(pid[0] != '\0'), "created-by names the admin: %.300s", r.body);
    json_decref(doc);
    it_resp_release(&r);
    /* bad input */
    ut_call(&r, "POST", admin,
            "{\"data\":{\"type\":\"organization-themes\",\"attributes\":{\"support-email\":"
            "\"not-an-email\"}}}",
            "/v1/organization-themes/");
    ut_assert_error(&r, 400, "/data/attributes/support-email");
    it_resp_release(&r);
    ut_call(&r, "POST", admin,
            "{\"data\":{\"type\":\"organization-themes\",\"attributes\":{\"colour\":\"red\"}}}",
            "/v1/organization-themes/");
    ut_assert_error(&r, 400, "/data/attributes/colour");
    it_resp_release(&r);
    /* read and list as a plain member */
    ut_call(&r, "GET", u.token, NULL, "/v1/organization-themes/%s/", id);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", u.token, NULL, "/v1/organization-themes/?filter[domain]=%s", domain);
    cr_assert(eq(long, r.status, 200));
    cr_assert(it_true(strstr(r.body, id) != NULL), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", u.token, NULL,
            "/v1/organization-themes/?filter[cmp-last-modified-time]=%%3E2000-01-01T00:00:00Z"
            "&filter[cmp-last-modified-time]=%%3C2000-01-02T00:00:00Z&filter[domain]=%s",
            domain);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(it_true(strstr(r.body, "\"data\":[]") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", u.token, NULL,
            "/v1/organization-themes/?filter[cmp-last-modified-time]=soon");
    ut_assert_error(&r, 400, "filter[cmp-last-modified-time]");
    it_resp_release(&r);
    ut_call(&r, "GET", u.token, NULL,
            "/v1/organization-themes/11111111-1111-1111-1111-111111111111/");
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    it_call_token(&r, "GET", "/v1/organization-themes/", NULL, NULL);
    ut_assert_error(&r, 401, NULL);
    it_resp_release(&r);
    /* update: inactive themes drop out of the list unless asked for */
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organization-themes\",\"id\":\"%s\",\"attributes\":"
             "{\"is-active\":false,\"support-email-name\":\"Support\"}}}",
             id);
    ut_call(&r, "PATCH", a.token, body, "/v1/organization-themes/%s/", id);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    ut_call(&r, "PATCH", admin, body, "/v1/organization-themes/%s/", id);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(it_true(strstr(r.body, "\"support-email-name\":\"Support\"") &&
                      strstr(r.body, "\"domain\":\"") && strstr(r.body, domain)),
              "%.400s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", u.token, NULL, "/v1/organization-themes/?filter[domain]=%s", domain);
    cr_assert(it_true(strstr(r.body, id) == NULL), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", u.token, NULL,
            "/v1/organization-themes/?filter[domain]=%s&filter[include-inactive]=true", domain);
    cr_assert(it_true(strstr(r.body, id) != NULL), "%.300s", r.body);
    it_resp_release(&r);
    /* an organization points at it */
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organizations\",\"id\":\"%s\",\"attributes\":{\"theme-id\":"
             "\"%s\"}}}",
             org, id);
    ut_call(&r, "PATCH", a.token, body, "/v1/organizations/%s/", org);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(it_true(strstr(r.body, id) != NULL));
    it_resp_release(&r);
}
