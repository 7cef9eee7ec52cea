/* test_roles.c: suite "roles": roles (#120-#122) and role-users (#118,
 * #119) over HTTP through the edge: who sees which roles, who gives and
 * takes them, the role reaching the holder's next token. Organizations and
 * accounts come from the users suite's fixtures (test_users_fixtures.h). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "test_users_fixtures.h"

/* A tenant: an organization with an admin, a member, and its role ids. */
struct tenant {
    char org[UT_ID_LEN];
    struct ut_user admin, member;
    char admin_role[UT_ID_LEN], provider[UT_ID_LEN];
};

/* The id of role name in the list response r ("" when absent). */
static void find_role(const struct it_resp *r, const char *name, char *out)
{
    json_t *doc = it_json(r), *item;
    size_t i;

    out[0] = '\0';
    json_array_foreach(json_object_get(doc, "data"), i, item)
    {
        json_t *a = json_object_get(item, "attributes");
        if (!strcmp(json_string_value(json_object_get(a, "name")), name))
            snprintf(out, UT_ID_LEN, "%s", json_string_value(json_object_get(item, "id")));
    }
    json_decref(doc);
}

static void tenant_new(struct tenant *t)
{
    struct it_resp r;

    ut_org(t->org);
    ut_account(t->org, "admin", &t->admin);
    ut_account(t->org, "patient", &t->member);
    ut_call(&r, "GET", t->admin.token, NULL, "/v1/roles/?organization-id=%s", t->org);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    find_role(&r, "admin", t->admin_role);
    find_role(&r, "provider", t->provider);
    cr_assert(t->admin_role[0] && t->provider[0], "roles of the tenant: %.500s", r.body);
    it_resp_release(&r);
}

/* A body of type with "user-id" (and "role-id" when not NULL). */
static void user_body(char *out, size_t cap, const char *type, const char *user, const char *role)
{
    if (role)
        snprintf(out, cap,
                 "{\"data\":{\"type\":\"%s\",\"attributes\":{\"role-id\":\"%s\","
                 "\"user-id\":\"%s\"}},\"meta\":{}}",
                 type, role, user);
    else
        snprintf(out, cap, "{\"data\":{\"type\":\"%s\",\"attributes\":{\"user-id\":\"%s\"}}}", type,
                 user);
}

Test(roles, list_shows_only_the_callers_organizations)
{
    struct tenant a, b;
    struct it_resp r;
    json_t *doc, *item;
    size_t i;

    IT_REQUIRE_STACK();
    tenant_new(&a);
    tenant_new(&b);
    ut_call(&r, "GET", a.member.token, NULL, "/v1/roles/");
    cr_assert(eq(long, r.status, 200));
    doc = it_json(&r);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 3), "%.500s", r.body);
    json_array_foreach(json_object_get(doc, "data"), i, item)
    {
        json_t *attrs = json_object_get(item, "attributes");
        cr_assert(
            eq(str, (char *)json_string_value(json_object_get(attrs, "organization-id")), a.org));
        cr_assert(eq(str,
                     (char *)json_string_value(
                         json_object_get(json_object_get(attrs, "organization"), "id")),
                     a.org));
    }
    json_decref(doc);
    it_resp_release(&r);
    ut_call(&r, "GET", a.member.token, NULL, "/v1/roles/?filter[name]=admin");
    cr_assert(eq(long, r.status, 200));
    cr_assert(it_true(strstr(r.body, a.admin_role) && !strstr(r.body, b.admin_role)));
    it_resp_release(&r);
    /* another tenant's organization as a filter: nothing of it */
    ut_call(&r, "GET", a.admin.token, NULL, "/v1/roles/?organization-id=%s", b.org);
    cr_assert(eq(long, r.status, 200));
    cr_assert(it_true(strstr(r.body, "\"data\":[]") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", a.admin.token, NULL, "/v1/roles/?organization-id=x");
    ut_assert_error(&r, 400, "organization-id");
    it_resp_release(&r);
    ut_call(&r, "GET", a.admin.token, NULL, "/v1/roles/?role=admin");
    ut_assert_error(&r, 400, "role");
    it_resp_release(&r);
    it_call_token(&r, "GET", "/v1/roles/", NULL, NULL);
    ut_assert_error(&r, 401, NULL);
    it_resp_release(&r);
}

Test(roles, role_users_give_list_take)
{
    struct tenant t;
    char body[512], want[128];
    struct it_resp r;
    json_t *doc, *d;

    IT_REQUIRE_STACK();
    tenant_new(&t);
    /* POST /v1/role-users/: 201 with an integer id */
    user_body(body, sizeof body, "role-users", t.member.id, t.provider);
    it_call_token(&r, "POST", "/v1/role-users/", t.admin.token, body);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    doc = it_json(&r);
    d = json_object_get(doc, "data");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(d, "type")), "role-users"));
    cr_assert(it_true(json_is_integer(json_object_get(d, "id"))), "%.300s", r.body);
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(
                     json_object_get(json_object_get(d, "attributes"), "role"), "name")),
                 "provider"));
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(
                     json_object_get(json_object_get(d, "attributes"), "user"), "id")),
                 t.member.id));
    json_decref(doc);
    it_resp_release(&r);
    /* twice: 409 */
    it_call_token(&r, "POST", "/v1/role-users/", t.admin.token, body);
    ut_assert_error(&r, 409, NULL);
    it_resp_release(&r);
    /* listed */
    ut_call(&r, "GET", t.admin.token, NULL, "/v1/role-users/?role-id=%s&page[limit]=10",
            t.provider);
    cr_assert(eq(long, r.status, 200));
    snprintf(want, sizeof want, "\"id\":\"%s\"", t.member.id);
    cr_assert(it_true(strstr(r.body, want) != NULL), "%.500s", r.body);
    it_resp_release(&r);
    /* remove-user: 201 null, then idempotent */
    user_body(body, sizeof body, "roles", t.member.id, NULL);
    ut_call(&r, "POST", t.admin.token, body, "/v1/roles/%s/remove-user/", t.provider);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    cr_assert(eq(str, r.body, "null"));
    it_resp_release(&r);
    ut_call(&r, "POST", t.admin.token, body, "/v1/roles/%s/remove-user/", t.provider);
    cr_assert(eq(long, r.status, 201));
    it_resp_release(&r);
    ut_call(&r, "GET", t.admin.token, NULL, "/v1/role-users/?role-id=%s", t.provider);
    cr_assert(it_true(strstr(r.body, want) == NULL), "%.500s", r.body);
    it_resp_release(&r);
    /* the deprecated add-user gives it back */
    ut_call(&r, "POST", t.admin.token, body, "/v1/roles/%s/add-user/", t.provider);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    cr_assert(eq(str, r.body, "null"));
    it_resp_release(&r);
    ut_call(&r, "GET", t.admin.token, NULL, "/v1/role-users/?role-id=%s", t.provider);
    cr_assert(it_true(strstr(r.body, want) != NULL), "%.500s", r.body);
    it_resp_release(&r);
}

Test(roles, a_new_admin_role_reaches_the_next_token)
{
    struct tenant t;
    char body[512], token[4097];
    struct it_resp r;

    IT_REQUIRE_STACK();
    tenant_new(&t);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organizations\",\"id\":\"%s\",\"attributes\":{"
             "\"display-name\":\"by the new admin\"}}}",
             t.org);
    ut_call(&r, "PATCH", t.member.token, body, "/v1/organizations/%s/", t.org);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    user_body(body, sizeof body, "roles", t.member.id, NULL);
    ut_call(&r, "POST", t.admin.token, body, "/v1/roles/%s/add-user/", t.admin_role);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
    cr_assert(eq(long, it_login(t.member.username, UT_PASSWORD, NULL, token, NULL), 201));
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organizations\",\"id\":\"%s\",\"attributes\":{"
             "\"display-name\":\"by the new admin\"}}}",
             t.org);
    ut_call(&r, "PATCH", token, body, "/v1/organizations/%s/", t.org);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(strstr(r.body, "\"display-name\":\"by the new admin\"") != NULL, "%.300s", r.body);
    it_resp_release(&r);
}

Test(roles, changes_are_refused_to_outsiders_and_members)
{
    struct tenant a, b;
    char body[512];
    struct it_resp r;

    IT_REQUIRE_STACK();
    tenant_new(&a);
    tenant_new(&b);
    /* another tenant's role: 404, nothing of it shown */
    user_body(body, sizeof body, "roles", a.member.id, NULL);
    ut_call(&r, "POST", a.admin.token, body, "/v1/roles/%s/add-user/", b.provider);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    user_body(body, sizeof body, "role-users", a.member.id, b.provider);
    it_call_token(&r, "POST", "/v1/role-users/", a.admin.token, body);
    ut_assert_error(&r, 404, "/data/attributes/role-id");
    it_resp_release(&r);
    ut_call(&r, "GET", a.admin.token, NULL, "/v1/role-users/?role-id=%s", b.provider);
    ut_assert_error(&r, 404, NULL);
    cr_assert(it_true(strstr(r.body, b.member.id) == NULL));
    it_resp_release(&r);
    /* someone not a member of the role's organization: 404 on the user */
    user_body(body, sizeof body, "role-users", b.member.id, a.provider);
    it_call_token(&r, "POST", "/v1/role-users/", a.admin.token, body);
    ut_assert_error(&r, 404, "/data/attributes/user-id");
    it_resp_release(&r);
    /* a member who is not an admin sees the role but may not change it: 403 */
    user_body(body, sizeof body, "role-users", a.member.id, a.admin_role);
    it_call_token(&r, "POST", "/v1/role-users/", a.member.token, body);
    ut_assert_error(&r, 403, "/data/attributes/role-id");
    it_resp_release(&r);
    user_body(body, sizeof body, "roles", a.admin.id, NULL);
    ut_call(&r, "POST", a.member.token, body, "/v1/roles/%s/remove-user/", a.admin_role);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    ut_call(&r, "GET", a.member.token, NULL, "/v1/role-users/?role-id=%s", a.admin_role);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    /* no credentials */
    it_call_token(&r, "POST", "/v1/role-users/", NULL, body);
    ut_assert_error(&r, 401, NULL);
    it_resp_release(&r);
}

Test(roles, bad_input)
{
    static const struct {
        const char *body, *source;
    } bad[] = {
        {"", "/data"},
        {"{\"data\":{\"type\":\"roles\",\"attributes\":{}}}", "/data/type"},
        {"{\"data\":{\"type\":\"role-users\",\"attributes\":{}}}", "/data/attributes/role-id"},
        {"{\"data\":{\"type\":\"role-users\",\"attributes\":{\"role-id\":1}}}",
         "/data/attributes/role-id"},
        {"{\"data\":{\"type\":\"role-users\",\"attributes\":{\"role-id\":\"x\"}}}",
         "/data/attributes/role-id"},
        {"{\"data\":{\"type\":\"role-users\",\"attributes\":{\"name\":\"x\"}}}",
         "/data/attributes/name"},
        {"not json", NULL},
    };
    struct tenant t;
    struct it_resp r;

    IT_REQUIRE_STACK();
    tenant_new(&t);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        it_call_token(&r, "POST", "/v1/role-users/", t.admin.token, bad[i].body);
        ut_assert_error(&r, 400, bad[i].source);
        it_resp_release(&r);
    }
    ut_call(&r, "POST", t.admin.token, "{\"data\":{\"type\":\"roles\",\"attributes\":{}}}",
            "/v1/roles/%s/add-user/", t.provider);
    ut_assert_error(&r, 400, "/data/attributes/user-id");
    it_resp_release(&r);
    ut_call(&r, "GET", t.admin.token, NULL, "/v1/role-users/");
    ut_assert_error(&r, 400, "role-id");
    it_resp_release(&r);
    ut_call(&r, "GET", t.admin.token, NULL, "/v1/role-users/?role-id=%s&page[limit]=1001",
            t.provider);
    ut_assert_error(&r, 400, "page[limit]");
    it_resp_release(&r);
    ut_call(&r, "GET", t.admin.token, NULL, "/v1/role-users/?role-id=%s",
            "11111111-1111-1111-1111-111111111111");
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
}
