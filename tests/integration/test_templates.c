/* test_templates.c: organization email templates (#81-#84) and SMS
 * templates (#93-#96) through the edge: an organization admin creates,
 * reads, updates and lists its templates, and Deliver then renders them;
 * a plain member gets 403/404, another organization's admin 404 and an
 * empty list, no credentials 401; bad bodies and queries are 400s naming
 * the field; a second template of the same type, theme, locale and format
 * is a 409. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery_rpc.h"
#include "harness.h"
#include "test_users_fixtures.h"

TestSuite(templates, .timeout = 90);

#define EMAIL "/v1/organization-email-templates/"
#define SMS "/v1/organization-sms-templates/"

static size_t list_len(const json_t *doc)
{
    return json_array_size(json_object_get(doc, "data"));
}

/* Organization A with an admin and a patient, and organization B with an
 * admin. */
struct world {
    char a[UT_ID_LEN], b[UT_ID_LEN];
    struct ut_user admin, user, b_admin;
};

static void world(struct world *w)
{
    ut_org(w->a);
    ut_org(w->b);
    ut_account(w->a, "admin", &w->admin);
    ut_account(w->a, NULL, &w->user);
    ut_account(w->b, "admin", &w->b_admin);
}

static char *email_body(const char *org, const char *type, const char *locale, const char *format,
                        const char *tpl)
{
    json_t *doc = json_pack("{s:{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}}", "data", "type",
                            "organization-email-templates", "attributes", "organization-id", org,
                            "type", type, "locale", locale, "format", format, "subject",
                            "Hello {{name}}", "support-email", "help@example.com",
                            "support-email-title", "Help desk", "template", tpl);
    char *s = json_dumps(doc, 0);
    json_decref(doc);
    return s;
}

Test(templates, require_credentials)
{
    static const char *const paths[] = {EMAIL, SMS, EMAIL "7d3c1a52-0b8f-4e4b-9a53-2f3a1b0c9d11/",
                                        SMS "7d3c1a52-0b8f-4e4b-9a53-2f3a1b0c9d11/"};
    struct it_resp r;

    IT_REQUIRE_STACK();
    for (size_t i = 0; i < 4; i++) {
        it_call_token(&r, "GET", paths[i], NULL, NULL);
        it_assert_error_style(&r, "jsonapi", 401);
        it_resp_release(&r);
    }
    it_call_token(&r, "POST", EMAIL, NULL,
                  "{\"data\": {\"type\": \"organization-email-templates\"}}");
    it_assert_error_style(&r, "jsonapi", 401);
    it_resp_release(&r);
}

Test(templates, admin_creates_reads_updates_lists_and_deliver_uses_it)
{
    struct world w;
    char path[256], id[40], to[128], mid[37], *body;
    json_t *doc;
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Messaging__DeliverRequest__VariablesEntry e = MESSAGING__DELIVER_REQUEST__VARIABLES_ENTRY__INIT,
                                              *ep[1] = {&e};

    IT_REQUIRE_STACK();
    world(&w);
    body = email_body(w.a, "onboarding", "es_US", "html", "<p>Hola {{name}}</p>");
    doc = it_call_expect("POST", EMAIL, w.admin.token, body, 201);
    free(body);
    snprintf(id, sizeof id, "%s", it_data_id(doc));
    cr_assert(eq(str, (char *)it_attr_str(doc, "organization-id"), w.a));
    cr_assert(eq(str, (char *)it_attr_str(doc, "type"), "onboarding"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "locale"), "es_US"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "format"), "html"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "subject"), "Hello {{name}}"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "support-email"), "help@example.com"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "template"), "<p>Hola {{name}}</p>"));
    cr_assert(strlen(it_attr_str(doc, "created-time")) == 27);
    json_decref(doc);

    snprintf(path, sizeof path, EMAIL "%s/", id);
    doc = it_call_expect("GET", path, w.admin.token, NULL, 200);
    cr_assert(eq(str, (char *)it_data_id(doc), id));
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(json_object_get(doc, "data"), "type")),
                 "organization-email-templates"));
    json_decref(doc);

    body = NULL;
    {
        char patch[512];
        snprintf(patch, sizeof patch,
                 "{\"data\": {\"type\": \"organization-email-templates\", \"id\": \"%s\","
                 " \"attributes\": {\"subject\": \"Bienvenido {{name}}\"}}}",
                 id);
        doc = it_call_expect("PATCH", path, w.admin.token, patch, 200);
    }
    cr_assert(eq(str, (char *)it_attr_str(doc, "subject"), "Bienvenido {{name}}"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "template"), "<p>Hola {{name}}</p>"));
    json_decref(doc);

    doc = it_call_expect("GET", EMAIL "?filter[type]=onboarding&filter[locale]=es_US", w.admin.token, NULL,
               200);
    cr_assert(eq(sz, list_len(doc), 1));
    cr_assert(eq(str,
                 (char *)json_string_value(
                     json_object_get(json_array_get(json_object_get(doc, "data"), 0), "id")),
                 id));
    json_decref(doc);
    doc = it_call_expect("GET", EMAIL "?filter[type]=verify-email", w.admin.token, NULL, 200);
    cr_assert(eq(sz, list_len(doc), 0));
    json_decref(doc);

    /* Deliver renders it for A, in es_US, escaping the value */
    dr_address(to, sizeof to, "tpl-api");
    e.key = "name";
    e.value = "Ana & Co";
    req.channel = "email";
    req.to = to;
    req.template_type = "onboarding";
    req.locale = "es_US";
    req.organization_id = w.a;
    req.n_variables = 1;
    req.variables = ep;
    dr_deliver_ok(&req, mid);
    doc = it_spool_wait(to, "onboarding", 5000);
    cr_assert(doc != NULL);
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(doc, "subject")), "Bienvenido Ana & Co"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "body")),
                 "<p>Hola Ana &amp; Co</p>"));
    json_decref(doc);
}

Test(templates, others_get_403_404_or_an_empty_list)
{
    struct world w;
    char path[256], id[40], list[256], patch[512], *body;
    json_t *doc;
    struct it_resp r;

    IT_REQUIRE_STACK();
    world(&w);
    body = email_body(w.a, "verify-email", "en_US", "txt", "Code {{code}}");
    doc = it_call_expect("POST", EMAIL, w.admin.token, body, 201);
    snprintf(id, sizeof id, "%s", it_data_id(doc));
    json_decref(doc);
    snprintf(path, sizeof path, EMAIL "%s/", id);
    snprintf(patch, sizeof patch,
             "{\"data\": {\"type\": \"organization-email-templates\", \"id\": \"%s\","
             " \"attributes\": {\"subject\": \"x\"}}}",
             id);

    /* a plain member of A */
    it_call_token(&r, "GET", EMAIL, w.user.token, NULL);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    it_call_token(&r, "GET", path, w.user.token, NULL);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    it_call_token(&r, "POST", EMAIL, w.user.token, body);
    ut_assert_error(&r, 403, "/data/attributes/organization-id");
    it_resp_release(&r);
    /* B's admin */
    it_call_token(&r, "GET", path, w.b_admin.token, NULL);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    it_call_token(&r, "PATCH", path, w.b_admin.token, patch);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    it_call_token(&r, "POST", EMAIL, w.b_admin.token, body);
    ut_assert_error(&r, 403, "/data/attributes/organization-id");
    it_resp_release(&r);
    snprintf(list, sizeof list, EMAIL "?organization-id=%s", w.a);
    doc = it_call_expect("GET", list, w.b_admin.token, NULL, 200);
    cr_assert(eq(sz, list_len(doc), 0));
    json_decref(doc);
    doc = it_call_expect("GET", EMAIL, w.b_admin.token, NULL, 200); /* B's own: none */
    cr_assert(eq(sz, list_len(doc), 0));
    json_decref(doc);
    /* the platform admin sees it */
    {
        char admin[4097];
        it_admin_token(admin);
        doc = it_call_expect("GET", list, admin, NULL, 200);
        cr_assert(eq(sz, list_len(doc), 1));
        json_decref(doc);
        doc = it_call_expect("GET", path, admin, NULL, 200);
        json_decref(doc);
    }
    /* the same type, theme, locale and format again */
    it_call_token(&r, "POST", EMAIL, w.admin.token, body);
    ut_assert_error(&r, 409, NULL);
    it_resp_release(&r);
    free(body);
}

static const struct {
    const char *attrs; /* inside "attributes" (after organization-id) */
    const char *pointer;
} bad_bodies[] = {
    {"\"type\": \"verify-email\", \"template\": \"{{code\"", "/data/attributes/template"},
    {"\"type\": \"verify-email\", \"template\": \"{{#a}}x\"", "/data/attributes/template"},
    {"\"type\": \"no-such\", \"template\": \"x\"", "/data/attributes/type"},
    {"\"template\": \"x\"", "/data/attributes/type"},
    {"\"type\": \"verify-email\"", "/data/attributes/template"},
    {"\"type\": \"verify-email\", \"template\": \"x\", \"locale\": \"fr_FR\"",
     "/data/attributes/locale"},
    {"\"type\": \"verify-email\", \"template\": \"x\", \"format\": \"pdf\"",
     "/data/attributes/format"},
    {"\"type\": \"verify-email\", \"template\": \"x\", \"subject\": \"a\\nb\"",
     "/data/attributes/subject"},
    {"\"type\": \"verify-email\", \"template\": \"x\", \"color\": \"red\"",
     "/data/attributes/color"},
};

ParameterizedTestParameters(templates, refuses_bad_bodies)
{
    IT_INDEX_PARAMS(bad_bodies);
}

ParameterizedTest(size_t *i, templates, refuses_bad_bodies)
{
    struct ut_user admin;
    char org[UT_ID_LEN], body[1024];
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &admin);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"organization-email-templates\", \"attributes\": "
             "{\"organization-id\": \"%s\", %s}}}",
             org, bad_bodies[*i].attrs);
    it_call_token(&r, "POST", EMAIL, admin.token, body);
    ut_assert_error(&r, 400, bad_bodies[*i].pointer);
    it_resp_release(&r);
}

Test(templates, refuses_bad_queries)
{
    static const struct {
        const char *query, *param;
    } q[] = {{"?filter[locale]=fr_FR", "filter[locale]"},
             {"?filter[type]=nope", "filter[type]"},
             {"?organization-id=12", "organization-id"},
             {"?page[limit]=0", "page[limit]"},
             {"?color=red", "color"}};
    struct ut_user admin;
    char org[UT_ID_LEN], path[128];
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &admin);
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        snprintf(path, sizeof path, EMAIL "%s", q[i].query);
        it_call_token(&r, "GET", path, admin.token, NULL);
        ut_assert_error(&r, 400, q[i].param);
        it_resp_release(&r);
    }
    it_call_token(&r, "GET", SMS "?filter[format]=html", admin.token, NULL);
    ut_assert_error(&r, 400, "filter[format]");
    it_resp_release(&r);
}

Test(templates, sms_templates_are_managed_and_used)
{
    struct ut_user admin;
    char org[UT_ID_LEN], body[1024], path[256], id[40], patch[512], mid[37], to[32];
    json_t *doc;
    Messaging__DeliverRequest req = MESSAGING__DELIVER_REQUEST__INIT;
    Messaging__DeliverRequest__VariablesEntry e = MESSAGING__DELIVER_REQUEST__VARIABLES_ENTRY__INIT,
                                              *ep[1] = {&e};

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &admin);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"organization-sms-templates\", \"attributes\": "
             "{\"organization-id\": \"%s\", \"type\": \"verify\", \"template\": \"A: {{code}}\"}}}",
             org);
    doc = it_call_expect("POST", SMS, admin.token, body, 201);
    snprintf(id, sizeof id, "%s", it_data_id(doc));
    cr_assert(eq(str, (char *)it_attr_str(doc, "locale"), "en_US"));
    cr_assert(json_object_get(json_object_get(json_object_get(doc, "data"), "attributes"),
                              "subject") == NULL);
    json_decref(doc);
    snprintf(path, sizeof path, SMS "%s/", id);
    snprintf(patch, sizeof patch,
             "{\"data\": {\"type\": \"organization-sms-templates\", \"id\": \"%s\","
             " \"attributes\": {\"template\": \"Org code {{code}}\"}}}",
             id);
    json_decref(it_call_expect("PATCH", path, admin.token, patch, 200));
    doc = it_call_expect("GET", path, admin.token, NULL, 200);
    cr_assert(eq(str, (char *)it_attr_str(doc, "template"), "Org code {{code}}"));
    json_decref(doc);
    /* an email template's id is not an SMS template */
    {
        char epath[256];
        struct it_resp r;
        snprintf(epath, sizeof epath, EMAIL "%s/", id);
        it_call_token(&r, "GET", epath, admin.token, NULL);
        ut_assert_error(&r, 404, NULL);
        it_resp_release(&r);
    }
    snprintf(to, sizeof to, "+1555%07u", (unsigned)(it_now_ms() * 1000) % 10000000u);
    e.key = "code";
    e.value = "777111";
    req.channel = "sms";
    req.to = to;
    req.template_type = "verify";
    req.organization_id = org;
    req.n_variables = 1;
    req.variables = ep;
    dr_deliver_ok(&req, mid);
    doc = it_spool_wait(to, "verify", 5000);
    cr_assert(doc != NULL);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "body")), "Org code 777111"));
    json_decref(doc);
}
