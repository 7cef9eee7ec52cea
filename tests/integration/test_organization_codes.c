/* test_organization_codes.c: organization codes (#76-#80) and the public
 * organization-code-info (#75) through the edge: the platform admin creates,
 * reads, updates and lists codes and sees who signed up with them; others
 * get 404 (401 without credentials); bad bodies and queries are 400s with a
 * source; unknown and expired codes have no info. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "it_onboarding.h"

TestSuite(organization_codes, .timeout = 60);

#define CODES "/v1/organization-codes/"

static json_t *attr(const json_t *doc, const char *name)
{
    return json_object_get(json_object_get(json_object_get(doc, "data"), "attributes"), name);
}

/* True when the list doc has a resource with id. */
static int lists(const json_t *doc, const char *id)
{
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(doc, "data"), i, item)
    {
        if (!strcmp(json_string_value(json_object_get(item, "id")), id))
            return 1;
    }
    return 0;
}

Test(organization_codes, require_credentials)
{
    static const char *const paths[] = {CODES, CODES "ABC/", CODES "ABC/users/"};
    struct it_resp r;

    IT_REQUIRE_STACK();
    for (size_t i = 0; i < 3; i++) {
        it_call_token(&r, "GET", paths[i], NULL, NULL);
        it_assert_error_style(&r, "jsonapi", 401);
        it_resp_release(&r);
    }
    it_call_token(&r, "POST", CODES, NULL, "{\"data\": {\"type\": \"organization-codes\"}}");
    it_assert_error_style(&r, "jsonapi", 401);
    it_resp_release(&r);
}

Test(organization_codes, admin_creates_reads_updates_and_lists)
{
    char admin[OB_TOKEN_MAX], org_id[37], name[128], id[64], path[256], *text;
    struct it_resp r;
    json_t *body, *doc;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    ob_create_org(admin, org_id, name);
    it_unique(id, sizeof id, "Code_");
    body = json_pack("{s:{s:s, s:{s:s, s:s, s:s, s:s, s:{s:[s]}}}}", "data", "type",
                     "organization-codes", "attributes", "id", id, "organization-id", org_id,
                     "individual-group-id", "2c390a49-63fa-425c-8fd5-5b58aa277ace", "expires-at",
                     "2099-01-01T00:00:00Z", "enrollment-schema", "fields", "zip");
    ob_post_json(&r, CODES, admin, body);
    json_decref(body);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    doc = it_json(&r);
    it_resp_release(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json_object_get(doc, "data"), "id")), id));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json_object_get(doc, "data"), "type")),
                 "organization-codes"));
    cr_assert(eq(str, (char *)it_attr_str(doc, "expires-at"), "2099-01-01T00:00:00.000000Z"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(attr(doc, "organization"), "name")), name));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(attr(doc, "organization"), "id")), org_id));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(attr(doc, "individual-group"), "id")),
                 "2c390a49-63fa-425c-8fd5-5b58aa277ace"));
    cr_assert(eq(i64, json_integer_value(attr(doc, "sign-up-requests-count")), 0));
    cr_assert(it_true(json_is_object(json_object_get(doc, "meta"))));
    json_decref(doc);

    /* read */
    snprintf(path, sizeof path, CODES "%s/", id);
    doc = it_call_expect("GET", path, admin, NULL, 200);
    cr_assert(it_true(json_is_array(json_object_get(attr(doc, "enrollment-schema"), "fields"))));
    json_decref(doc);

    /* update: never expires, new schema, no group */
    body = json_pack("{s:{s:s, s:s, s:{s:n, s:n, s:{s:b}}}}", "data", "type",
                     "organization-codes", "id", id, "attributes", "expires-at",
                     "individual-group-id", "enrollment-schema", "consent", 1);
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    it_call_token(&r, "PATCH", path, admin, text);
    free(text);
    cr_assert(eq(long, r.status, 200), "%s", r.body);
    doc = it_json(&r);
    it_resp_release(&r);
    cr_assert(it_true(json_is_null(attr(doc, "expires-at"))), "expires-at cleared");
    cr_assert(it_true(json_is_null(attr(doc, "individual-group"))), "group cleared");
    cr_assert(it_true(json_is_true(json_object_get(attr(doc, "enrollment-schema"), "consent"))));
    json_decref(doc);

    /* list, filtered by organization, and paged */
    snprintf(path, sizeof path, CODES "?filter[organization-id]=%s", org_id);
    doc = it_call_expect("GET", path, admin, NULL, 200);
    cr_assert(lists(doc, id));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
    doc = it_call_expect("GET", CODES "?page[limit]=1", admin, NULL, 200);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
}

Test(organization_codes, generates_an_id_and_refuses_a_duplicate)
{
    char admin[OB_TOKEN_MAX], org_id[37], code[65], pointer[128];
    struct it_resp r;
    json_t *body;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    ob_create_org(admin, org_id, NULL);
    ob_create_code(admin, org_id, NULL, code);
    cr_assert(eq(sz, strlen(code), 10), "generated: %s", code);
    body = json_pack("{s:{s:s, s:{s:s, s:s}}}", "data", "type", "organization-codes",
                     "attributes", "id", code, "organization-id", org_id);
    ob_post_json(&r, CODES, admin, body);
    json_decref(body);
    it_assert_error_style(&r, "jsonapi", 409);
    ob_error_pointer(&r, pointer);
    cr_assert(eq(str, pointer, "/data/attributes/id"));
    it_resp_release(&r);
}

Test(organization_codes, unknown_codes_and_organizations_are_404)
{
    char admin[OB_TOKEN_MAX];
    struct it_resp r;
    json_t *body;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    json_decref(it_call_expect("GET", CODES "no-such-code/", admin, NULL, 404));
    json_decref(it_call_expect("GET", CODES "no-such-code/users/", admin, NULL, 404));
    json_decref(it_call_expect("GET", CODES "bad%20code/", admin, NULL, 404));
    body = json_pack("{s:{s:s, s:{s:s}}}", "data", "type", "organization-codes", "attributes",
                     "organization-id", "5bde7683-6e91-4fd9-86a3-b24499f30e53");
    ob_post_json(&r, CODES, admin, body);
    json_decref(body);
    it_assert_error_style(&r, "jsonapi", 404);
    it_resp_release(&r);
}

static const struct {
    const char *attrs; /* the attributes object, or a whole body when it starts with '!' */
    const char *pointer;
} bad_creates[] = {
    {"{}", "/data/attributes/organization-id"},
    {"{\"organization-id\": \"nope\"}", "/data/attributes/organization-id"},
    {"{\"organization-id\": \"%s\", \"id\": \"has space\"}", "/data/attributes/id"},
    {"{\"organization-id\": \"%s\", \"id\": "
     "\"x1234567890123456789012345678901234567890123456789012345678901234\"}",
     "/data/attributes/id"},
    {"{\"organization-id\": \"%s\", \"id\": 7}", "/data/attributes/id"},
    {"{\"organization-id\": \"%s\", \"expires-at\": \"tomorrow\"}", "/data/attributes/expires-at"},
    {"{\"organization-id\": \"%s\", \"expires-at\": \"2030-02-30T00:00:00Z\"}",
     "/data/attributes/expires-at"},
    {"{\"organization-id\": \"%s\", \"enrollment-schema\": \"text\"}",
     "/data/attributes/enrollment-schema"},
    {"{\"organization-id\": \"%s\", \"individual-group-id\": \"12\"}",
     "/data/attributes/individual-group-id"},
    {"{\"organization-id\": \"%s\", \"owner\": \"me\"}", "/data/attributes/owner"},
    {"!{\"data\": {\"type\": \"organizations\", \"attributes\": {}}}", "/data/type"},
    {"!{\"data\": {\"type\": \"organization-codes\", \"id\": \"x\", \"attributes\": {}}}",
     "/data/id"},
};

ParameterizedTestParameters(organization_codes, refuses_bad_bodies_with_a_pointer)
{
    IT_INDEX_PARAMS(bad_creates);
}

ParameterizedTest(size_t *i, organization_codes, refuses_bad_bodies_with_a_pointer)
{
    char admin[OB_TOKEN_MAX], attrs[512], body[1024], pointer[128], *count;
    const char *org = "5bde7683-6e91-4fd9-86a3-b24499f30e53";
    struct it_resp r;
    PGconn *pg;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    pg = it_pg();
    count = it_pg_value(pg, "SELECT count(*)::text FROM onboarding.organization_codes", 0, NULL);
    snprintf(attrs, sizeof attrs, bad_creates[*i].attrs, org);
    if (attrs[0] == '!')
        snprintf(body, sizeof body, "%s", attrs + 1);
    else
        snprintf(body, sizeof body, "{\"data\": {\"type\": \"organization-codes\", "
                 "\"attributes\": %s}}", attrs);
    it_call_token(&r, "POST", CODES, admin, body);
    it_assert_error_style(&r, "jsonapi", 400);
    ob_error_pointer(&r, pointer);
    cr_assert(eq(str, pointer, (char *)bad_creates[*i].pointer), "case %zu: %s", *i, r.body);
    it_resp_release(&r);
    {
        char *after = it_pg_value(pg, "SELECT count(*)::text FROM onboarding.organization_codes",
                                  0, NULL);
        cr_assert(eq(str, after, count), "nothing was written");
        free(after);
    }
    free(count);
    PQfinish(pg);
}

Test(organization_codes, refuses_bad_queries)
{
    static const char *const paths[] = {
        CODES "?page[limit]=0",         CODES "?page[limit]=1001",
        CODES "?filter[organization-id]=x", CODES "?sort=id",
    };
    char admin[OB_TOKEN_MAX];
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        it_call_token(&r, "GET", paths[i], admin, NULL);
        it_assert_error_style(&r, "jsonapi", 400);
        it_resp_release(&r);
    }
}

Test(organization_codes, lists_who_signed_up_with_filters)
{
    char admin[OB_TOKEN_MAX], org_id[37], code[65], u1[128], u2[128], base[96], c1[16], c2[16];
    char path[512];
    struct it_resp r;
    json_t *doc, *first;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    ob_create_org(admin, org_id, NULL);
    ob_create_code(admin, org_id, NULL, code);
    it_unique(base, sizeof base, "cu-");
    snprintf(u1, sizeof u1, "%sa@example.com", base);
    snprintf(u2, sizeof u2, "%sb@example.com", base);
    ob_sign_up_and_get_code(code, u1, c1);
    ob_sign_up_and_get_code(code, u2, c2);
    cr_assert(eq(long, ob_confirm(&r, u2, c2, 0), 201), "%s", r.body);
    it_resp_release(&r);

    snprintf(path, sizeof path, CODES "%s/users/", code);
    doc = it_call_expect("GET", path, admin, NULL, 200);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 2));
    first = json_array_get(json_object_get(doc, "data"), 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(first, "type")),
                 "organization-code-users"));
    cr_assert(eq(sz, strlen(json_string_value(json_object_get(first, "id"))), 36));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json_object_get(first, "attributes"), "username")), u1));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json_object_get(first, "attributes"), "state")), "init"));
    json_decref(doc);

    snprintf(path, sizeof path, CODES "%s/users/?state=registered&email-verified=true", code);
    doc = it_call_expect("GET", path, admin, NULL, 200);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
    snprintf(path, sizeof path, CODES "%s/users/?text=%sA", code, base);
    doc = it_call_expect("GET", path, admin, NULL, 200);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1), "text ignores case");
    json_decref(doc);
    snprintf(path, sizeof path, CODES "%s/users/?page[offset]=1", code);
    doc = it_call_expect("GET", path, admin, NULL, 200);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
    snprintf(path, sizeof path, CODES "%s/", code);
    doc = it_call_expect("GET", path, admin, NULL, 200);
    cr_assert(eq(i64, json_integer_value(attr(doc, "sign-up-requests-count")), 2));
    json_decref(doc);

    snprintf(path, sizeof path, CODES "%s/users/?state=sleeping", code);
    json_decref(it_call_expect("GET", path, admin, NULL, 400));
    snprintf(path, sizeof path, CODES "%s/users/?colour=red", code);
    json_decref(it_call_expect("GET", path, admin, NULL, 400));
}

Test(organization_codes, others_see_nothing)
{
    char admin[OB_TOKEN_MAX], org_id[37], code[65], user[128], base[96], c[16], path[256];
    char token[OB_TOKEN_MAX];
    struct it_resp r;
    json_t *doc, *body;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    ob_create_org(admin, org_id, NULL);
    ob_create_code(admin, org_id, NULL, code);
    it_unique(base, sizeof base, "pat-");
    snprintf(user, sizeof user, "%s@example.com", base);
    ob_sign_up_and_get_code(code, user, c);
    cr_assert(eq(long, ob_confirm(&r, user, c, 1), 201), "%s", r.body);
    doc = it_json(&r);
    snprintf(token, sizeof token, "%s", json_string_value(json_object_get(doc, "access-token")));
    json_decref(doc);
    it_resp_release(&r);
    cr_assert(token[0] != '\0', "a token for the patient");

    /* a patient of the very organization is no admin of it */
    doc = it_call_expect("GET", CODES, token, NULL, 200);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    json_decref(doc);
    snprintf(path, sizeof path, CODES "%s/", code);
    json_decref(it_call_expect("GET", path, token, NULL, 404));
    snprintf(path, sizeof path, CODES "%s/users/", code);
    json_decref(it_call_expect("GET", path, token, NULL, 404));
    body = json_pack("{s:{s:s, s:{s:s}}}", "data", "type", "organization-codes", "attributes",
                     "organization-id", org_id);
    ob_post_json(&r, CODES, token, body);
    json_decref(body);
    it_assert_error_style(&r, "jsonapi", 404);
    it_resp_release(&r);
}

Test(organization_codes, info_is_public_until_the_code_expires)
{
    char admin[OB_TOKEN_MAX], org_id[37], name[128], code[65], old[65], path[256];
    json_t *doc;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    ob_create_org(admin, org_id, name);
    ob_create_code(admin, org_id, NULL, code);
    ob_create_code(admin, org_id, "2001-01-01T00:00:00+02:00", old);
    snprintf(path, sizeof path, "/v1/organization-code-info/%s/", code);
    doc = it_call_expect("GET", path, NULL, NULL, 200);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json_object_get(doc, "data"), "type")),
                 "organization-code-info"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(attr(doc, "organization"), "name")), name));
    cr_assert(json_object_get(attr(doc, "organization"), "logo-url") != NULL);
    cr_assert(json_object_get(attr(doc, "organization"), "id") == NULL, "no organization id");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(attr(doc, "enrollment-schema"), "version")), "1"));
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/organization-code-info/%s/", old);
    json_decref(it_call_expect("GET", path, NULL, NULL, 404));
    json_decref(it_call_expect("GET", "/v1/organization-code-info/no-such-code/", NULL, NULL, 404));
}
