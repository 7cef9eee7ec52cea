/* test_short_links.c: url-shorteners (#131-#134) and the public redirect
 * /s/<code> through the edge: an organization admin creates, reads, lists
 * and updates links; anyone following one gets a 302 to its target and the
 * count goes up; an expired or unknown code is a 404; others get 403/404
 * (401 without credentials); a redirect carries Location, no-store and
 * {"meta": {"location"}} as every redirect does; bad bodies are 400s naming the field; an SMS
 * rendered with a URL variable carries a short link that redirects to it. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery_rpc.h"
#include "harness.h"
#include "test_users_fixtures.h"

TestSuite(short_links, .timeout = 90);

#define LINKS "/v1/url-shorteners/"

static json_t *attrs(const json_t *doc)
{
    return json_object_get(json_object_get(doc, "data"), "attributes");
}

/* GET /s/<code> without credentials; returns the status, Location into loc. */
static long follow(const char *code, char *loc, size_t cap)
{
    struct it_resp r;
    char path[64];
    long status;

    snprintf(path, sizeof path, "/s/%s", code);
    it_call(&r, "GET", path, IT_AUTH_NONE, NULL, NULL);
    status = r.status;
    snprintf(loc, cap, "%s", it_header_str(&r, "location"));
    if (status >= 400)
        it_assert_error_style(&r, "jsonapi", status);
    if (status == 302) { /* every redirect answers alike (cm_resp_redirect) */
        json_t *doc = it_json(&r);
        cr_assert(eq(str, (char *)it_header_str(&r, "cache-control"), "no-store"));
        cr_assert(eq(str, (char *)json_string_value(json_object_get(json_object_get(doc, "meta"),
                                                                    "location")),
                     loc));
        json_decref(doc);
    }
    it_resp_release(&r);
    return status;
}

static void create(const char *token, const char *org, char *id, char *code)
{
    char body[512];
    json_t *doc;

    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"url-shorteners\", \"attributes\": {\"organization-id\": "
             "\"%s\", \"netloc\": \"app.example.com\", \"full-path\": \"/claim?t=abc&x=1\"}}}",
             org);
    doc = it_call_expect("POST", LINKS, token, body, 201);
    snprintf(id, 40, "%s", json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    snprintf(code, 16, "%s", it_attr_str(doc, "code"));
    json_decref(doc);
}

Test(short_links, admin_manages_links_and_anyone_follows_them)
{
    struct ut_user admin;
    char org[UT_ID_LEN], id[40], code[16], path[128], loc[512], body[512], shorturl[256];
    json_t *doc;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &admin);
    create(admin.token, org, id, code);
    cr_assert(eq(sz, strlen(code), 8));
    snprintf(path, sizeof path, LINKS "%s/", id);
    doc = it_call_expect("GET", path, admin.token, NULL, 200);
    cr_assert(
        eq(str, (char *)it_attr_str(doc, "redirect-url"), "https://app.example.com/claim?t=abc&x=1"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "netloc"), "app.example.com"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "full-path"), "/claim?t=abc&x=1"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "organization-id"), org));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(attrs(doc), "redirect-count")), 0));
    cr_assert(it_true(json_is_null(json_object_get(attrs(doc), "expires-at"))));
    snprintf(shorturl, sizeof shorturl, "%s/s/%s", it_env("TEST_EDGE_URL"), code);
    cr_assert(eq(str, (char *)it_attr_str(doc, "short-url"), shorturl));
    json_decref(doc);

    cr_assert(eq(long, follow(code, loc, sizeof loc), 302));
    cr_assert(eq(str, loc, "https://app.example.com/claim?t=abc&x=1"));
    cr_assert(eq(long, follow(code, loc, sizeof loc), 302));
    doc = it_call_expect("GET", path, admin.token, NULL, 200);
    cr_assert(eq(int, (int)json_integer_value(json_object_get(attrs(doc), "redirect-count")), 2));
    json_decref(doc);

    /* expired: 404; no expiry again: redirects */
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"url-shorteners\", \"id\": \"%s\", \"attributes\": "
             "{\"expires-at\": \"2001-01-01T00:00:00Z\", \"full-path\": \"/other\"}}}",
             id);
    doc = it_call_expect("PATCH", path, admin.token, body, 200);
    cr_assert(eq(str, (char *)it_attr_str(doc, "expires-at"), "2001-01-01T00:00:00.000000Z"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "redirect-url"), "https://app.example.com/other"));
    json_decref(doc);
    cr_assert(eq(long, follow(code, loc, sizeof loc), 404));
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"url-shorteners\", \"id\": \"%s\", \"attributes\": "
             "{\"expires-at\": null}}}",
             id);
    json_decref(it_call_expect("PATCH", path, admin.token, body, 200));
    cr_assert(eq(long, follow(code, loc, sizeof loc), 302));
    cr_assert(eq(str, loc, "https://app.example.com/other"));

    /* the list, narrowed by code */
    snprintf(path, sizeof path, LINKS "?code=%s", code);
    doc = it_call_expect("GET", path, admin.token, NULL, 200);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
    cr_assert(eq(long, follow("zzzzzzz9", loc, sizeof loc), 404));
    cr_assert(eq(long, follow("bad-code!", loc, sizeof loc), 404));
}

Test(short_links, others_get_401_403_or_404)
{
    struct ut_user admin, user, b_admin;
    char org[UT_ID_LEN], b[UT_ID_LEN], id[40], code[16], path[128], list[128], body[512];
    struct it_resp r;
    json_t *doc;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_org(b);
    ut_account(org, "admin", &admin);
    ut_account(org, NULL, &user);
    ut_account(b, "admin", &b_admin);
    create(admin.token, org, id, code);
    snprintf(path, sizeof path, LINKS "%s/", id);
    it_call_token(&r, "GET", path, NULL, NULL);
    it_assert_error_style(&r, "jsonapi", 401);
    it_resp_release(&r);
    it_call_token(&r, "GET", path, user.token, NULL);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    it_call_token(&r, "GET", path, b_admin.token, NULL);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    it_call_token(&r, "GET", LINKS, user.token, NULL);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    snprintf(list, sizeof list, LINKS "?organization-id=%s", org);
    doc = it_call_expect("GET", list, b_admin.token, NULL, 200);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"url-shorteners\", \"attributes\": {\"organization-id\": "
             "\"%s\", \"netloc\": \"x.example.com\", \"full-path\": \"/\"}}}",
             org);
    it_call_token(&r, "POST", LINKS, b_admin.token, body);
    ut_assert_error(&r, 403, "/data/attributes/organization-id");
    it_resp_release(&r);
}

static const struct {
    const char *attrs, *pointer;
} bad[] = {
    {"\"netloc\": \"bad host\", \"full-path\": \"/\"", "/data/attributes/netloc"},
    {"\"netloc\": \"x.example.com:99999\", \"full-path\": \"/\"", "/data/attributes/netloc"},
    {"\"netloc\": \"x.example.com\", \"full-path\": \"no-slash\"", "/data/attributes/full-path"},
    {"\"netloc\": \"x.example.com\", \"full-path\": \"/a b\"", "/data/attributes/full-path"},
    {"\"netloc\": \"x.example.com\"", "/data/attributes/full-path"},
    {"\"netloc\": \"x.example.com\", \"full-path\": \"/\", \"scheme\": \"ftp\"",
     "/data/attributes/scheme"},
    {"\"netloc\": \"x.example.com\", \"full-path\": \"/\", \"expires-at\": \"tomorrow\"",
     "/data/attributes/expires-at"},
    {"\"netloc\": \"x.example.com\", \"full-path\": \"/\", \"code\": \"mine\"",
     "/data/attributes/code"},
};

ParameterizedTestParameters(short_links, refuses_bad_bodies)
{
    IT_INDEX_PARAMS(bad);
}

ParameterizedTest(size_t *i, short_links, refuses_bad_bodies)
{
    char admin[4097], body[512];
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"url-shorteners\", \"attributes\": {\"organization-id\": "
             "\"7d3c1a52-0b8f-4e4b-9a53-2f3a1b0c9d11\", %s}}}",
             bad[*i].attrs);
    it_call_token(&r, "POST", LINKS, admin, body);
    ut_assert_error(&r, 400, bad[*i].pointer);
    it_resp_release(&r);
}

Test(short_links, sms_carry_short_links_that_redirect)
{
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Messaging__DeliverRequest__VariablesEntry e = MESSAGING__DELIVER_REQUEST__VARIABLES_ENTRY__INIT,
                                              *ep[1] = {&e};
    char to[32], id[37], prefix[128], code[16], loc[512];
    const char *body, *at;
    json_t *msg;

    IT_REQUIRE_STACK();
    snprintf(to, sizeof to, "+1555%07u", (unsigned)(it_now_ms() * 1000) % 10000000u);
    e.key = "url";
    e.value = "https://portal.example.org/onboarding/claim?request=5b1e&token=Zx9";
    req.channel = "sms";
    req.to = to;
    req.template_type = "onboarding";
    req.n_variables = 1;
    req.variables = ep;
    dr_deliver_ok(&req, id);
    msg = it_spool_wait(to, "onboarding", 5000);
    cr_assert(msg != NULL);
    body = json_string_value(json_object_get(msg, "body"));
    snprintf(prefix, sizeof prefix, "%s/s/", it_env("TEST_EDGE_URL"));
    at = strstr(body, prefix);
    cr_assert(at != NULL, "no short link in \"%s\"", body);
    cr_assert(strstr(body, "portal.example.org") == NULL, "the long URL is in the SMS");
    snprintf(code, sizeof code, "%.8s", at + strlen(prefix));
    json_decref(msg);
    cr_assert(eq(long, follow(code, loc, sizeof loc), 302));
    cr_assert(eq(str, loc, "https://portal.example.org/onboarding/claim?request=5b1e&token=Zx9"));
}
