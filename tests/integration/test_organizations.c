/* test_organizations.c: suite "organizations": the organizations resource
 * (#101-#105, #107), user-organizations (#142, #143), their events in
 * identity's outbox and identity.rpc.GetOrganization, over HTTP through
 * the edge with real tokens. Accounts come from the users suite's fixtures
 * (test_users_fixtures.h: CreateAccount + ConfirmAccount + login). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "identity.pb-c.h"
#include "test_users_fixtures.h"

#define ORGS "/v1/organizations/"

/* POST /v1/organizations/ as the platform admin (token) with a fresh name
 * (into name, 96 bytes, may be NULL); the new id into id (UT_ID_LEN). */
static void org_create(const char *token, char *id, char *name)
{
    char n[96], body[512];
    struct it_resp r;
    json_t *doc;

    it_unique(n, sizeof n, "org-");
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":\"%s\","
             "\"display-name\":\"Clinic %s\",\"classification\":\"carium\","
             "\"provider-type\":\"coach\",\"timezone\":\"Europe/Paris\"}},\"meta\":{}}",
             n, n);
    it_call_token(&r, "POST", ORGS, token, body);
    cr_assert(eq(long, r.status, 201), "create organization: %.300s", r.body);
    doc = it_json(&r);
    snprintf(id, UT_ID_LEN, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    if (name)
        snprintf(name, 96, "%s", n);
    json_decref(doc);
    it_resp_release(&r);
}

/* Number of items of a list response; asserts it is one. */
static size_t list_len(const struct it_resp *r)
{
    json_t *doc = it_json(r);
    size_t n;

    cr_assert(it_true(json_is_array(json_object_get(doc, "data"))), "list: %.300s", r->body);
    n = json_array_size(json_object_get(doc, "data"));
    json_decref(doc);
    return n;
}

/* True when the list response r has an item of id. */
static int list_has(const struct it_resp *r, const char *id)
{
    json_t *doc = it_json(r), *item;
    size_t i;
    int found = 0;

    json_array_foreach(json_object_get(doc, "data"), i, item) found |=
        !strcmp(json_string_value(json_object_get(item, "id")), id);
    json_decref(doc);
    return found;
}

/* The id of role name of org, read through GET /v1/roles/ with token. */
static void role_id_of(const char *token, const char *org, const char *name, char *out)
{
    struct it_resp r;
    json_t *doc;

    ut_call(&r, "GET", token, NULL, "/v1/roles/?organization-id=%s&filter[name]=%s", org, name);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    doc = it_json(&r);
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1), "%.300s", r.body);
    snprintf(
        out, UT_ID_LEN, "%s",
        json_string_value(json_object_get(json_array_get(json_object_get(doc, "data"), 0), "id")));
    json_decref(doc);
    it_resp_release(&r);
}

/* An add-user or remove-user body of type "organizations". */
static void member_body(char *out, size_t cap, const char *attr, const char *value,
                        const char *role_id)
{
    if (role_id)
        snprintf(out, cap,
                 "{\"data\":{\"type\":\"organizations\",\"attributes\":{\"%s\":\"%s\","
                 "\"role-id\":\"%s\"}}}",
                 attr, value, role_id);
    else
        snprintf(out, cap, "{\"data\":{\"type\":\"organizations\",\"attributes\":{\"%s\":\"%s\"}}}",
                 attr, value);
}

Test(organizations, create_read_list_update_with_events)
{
    char admin[4097], id[UT_ID_LEN], name[96], body[512],
        theme[] = "0b22aaad-1980-4406-b809-32552bc3d8e2";
    struct it_resp r;
    json_t *a;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    org_create(admin, id, name);

    ut_call(&r, "GET", admin, NULL, ORGS "%s/", id);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    a = ut_attrs_of(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "name")), name));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "classification")), "carium"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "provider-type")), "coach"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "timezone")), "Europe/Paris"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "authorization-type")), "open"));
    cr_assert(it_true(json_is_true(json_object_get(a, "is-active"))));
    cr_assert(it_true(json_is_false(json_object_get(a, "logo-ready-to-use"))));
    cr_assert(it_true(json_is_null(json_object_get(a, "theme-id"))));
    cr_assert(it_true(json_is_string(json_object_get(a, "last-modified-time"))));
    json_decref(a);
    it_resp_release(&r);

    /* its default roles */
    ut_call(&r, "GET", admin, NULL, "/v1/roles/?organization-id=%s", id);
    cr_assert(eq(long, r.status, 200));
    cr_assert(eq(sz, list_len(&r), 3), "%.500s", r.body);
    cr_assert(it_true(strstr(r.body, "\"Organization admin\"") != NULL), "%.500s", r.body);
    cr_assert(it_true(strstr(r.body, "\"provider\"") && strstr(r.body, "\"patient\"")));
    it_resp_release(&r);

    /* list filters */
    ut_call(&r, "GET", admin, NULL, ORGS "?filter[name]=%s", name);
    cr_assert(eq(long, r.status, 200));
    cr_assert(eq(sz, list_len(&r), 1));
    cr_assert(list_has(&r, id));
    it_resp_release(&r);
    ut_call(&r, "GET", admin, NULL, ORGS "?filter[name][contains]=%s&page[limit]=1000", name + 4);
    cr_assert(eq(long, r.status, 200));
    cr_assert(list_has(&r, id));
    it_resp_release(&r);
    ut_call(&r, "GET", admin, NULL,
            ORGS "?filter[name]=%s&filter[cmp-last-modified-time]=%%3C2000-01-01T00:00:00Z", name);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(eq(sz, list_len(&r), 0));
    it_resp_release(&r);
    ut_call(&r, "GET", admin, NULL,
            ORGS "?filter[name]=%s&filter[cmp-last-modified-time]=%%3E2000-01-01T00:00:00Z", name);
    cr_assert(eq(sz, list_len(&r), 1));
    it_resp_release(&r);

    /* update: theme-id as a uuid, then {} for none */
    snprintf(
        body, sizeof body,
        "{\"data\":{\"type\":\"organizations\",\"id\":\"%s\",\"attributes\":{"
        "\"display-name\":\"Renamed\",\"theme-id\":\"%s\",\"authorization-type\":\"closed\"}}}",
        id, theme);
    ut_call(&r, "PATCH", admin, body, ORGS "%s/", id);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    a = ut_attrs_of(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "display-name")), "Renamed"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "theme-id")), theme));
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(a, "authorization-type")), "closed"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "name")), name));
    json_decref(a);
    it_resp_release(&r);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organizations\",\"id\":\"%s\",\"attributes\":{"
             "\"theme-id\":{}}},\"meta\":{}}",
             id);
    ut_call(&r, "PATCH", admin, body, ORGS "%s/", id);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    a = ut_attrs_of(&r);
    cr_assert(it_true(json_is_null(json_object_get(a, "theme-id"))));
    json_decref(a);
    it_resp_release(&r);

    cr_assert(eq(long, ut_outbox_count("evt.identity.organization.created", id), 1));
    cr_assert(eq(long, ut_outbox_count("evt.identity.organization.updated", id), 2));
}

/* Bodies POST /v1/organizations/ refuses, with the pointer at fault. */
static const struct {
    const char *body;
    const char *source;
} bad_creates[] = {
    {"", "/data"},
    {"{\"data\":", ""},
    {"[]", ""},
    {"{\"data\":{\"type\":\"users\",\"attributes\":{\"name\":\"x\"}}}", "/data/type"},
    {"{\"data\":{\"type\":\"organizations\",\"attributes\":{}}}", "/data/attributes/name"},
    {"{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":42}}}",
     "/data/attributes/name"},
    {"{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":\"\"}}}",
     "/data/attributes/name"},
    {"{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":\"x\",\"colour\":1}}}",
     "/data/attributes/colour"},
    {"{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":\"x\","
     "\"classification\":\"gold\"}}}",
     "/data/attributes/classification"},
    {"{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":\"x\","
     "\"timezone\":\"Mars/Olympus\"}}}",
     "/data/attributes/timezone"},
    {"{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":\"x\","
     "\"theme-id\":\"nope\"}}}",
     "/data/attributes/theme-id"},
    {"{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":\"x\","
     "\"authorization-type\":true}}}",
     "/data/attributes/authorization-type"},
    {"{\"data\":{\"type\":\"organizations\",\"id\":\"x\",\"attributes\":{\"name\":\"x\"}}}",
     "/data/id"},
};

ParameterizedTestParameters(organizations, create_refuses_bad_bodies)
{
    IT_INDEX_PARAMS(bad_creates);
}

ParameterizedTest(size_t *i, organizations, create_refuses_bad_bodies)
{
    char admin[4097];
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    it_call_token(&r, "POST", ORGS, admin, bad_creates[*i].body);
    ut_assert_error(&r, 400, bad_creates[*i].source[0] ? bad_creates[*i].source : NULL);
    it_resp_release(&r);
}

Test(organizations, create_limits_conflicts_and_who)
{
    char admin[4097], id[UT_ID_LEN], name[96], body[1024], longname[300];
    struct ut_user patient;
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    org_create(admin, id, name);
    /* a name of 256 characters is past the limit */
    memset(longname, 'n', 256);
    longname[256] = '\0';
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":\"%s\"}}}", longname);
    it_call_token(&r, "POST", ORGS, admin, body);
    ut_assert_error(&r, 400, "/data/attributes/name");
    it_resp_release(&r);
    /* the same name twice */
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organizations\",\"attributes\":{\"name\":\"%s\"}}}", name);
    it_call_token(&r, "POST", ORGS, admin, body);
    ut_assert_error(&r, 409, "/data/attributes/name");
    it_resp_release(&r);
    /* no credentials: 401; not the platform admin: 403 (creating is not
     * about any one tenant, so nothing is hidden by a 404) */
    it_call_token(&r, "POST", ORGS, NULL, body);
    ut_assert_error(&r, 401, NULL);
    it_resp_release(&r);
    ut_account(id, "admin", &patient);
    it_call_token(&r, "POST", ORGS, patient.token, body);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
}

Test(organizations, list_refuses_bad_queries)
{
    static const struct {
        const char *query, *param;
    } bad[] = {
        {"page[limit]=1001", "page[limit]"},
        {"page[limit]=0", "page[limit]"},
        {"page[offset]=-1", "page[offset]"},
        {"page[limit]=abc", "page[limit]"},
        {"filter[include-inactive]=maybe", "filter[include-inactive]"},
        {"filter[cmp-last-modified-time]=2020-01-01", "filter[cmp-last-modified-time]"},
        {"filter[cmp-last-modified-time]=%3C2020-01-01T00:00:00Z&filter[cmp-last-modified-time]="
         "%3C2021-01-01T00:00:00Z",
         "filter[cmp-last-modified-time]"},
        {"sort-by=name", "sort-by"},
    };
    char admin[4097];
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ut_call(&r, "GET", admin, NULL, ORGS "?%s", bad[i].query);
        ut_assert_error(&r, 400, bad[i].param);
        it_resp_release(&r);
    }
    it_call_token(&r, "GET", ORGS, NULL, NULL);
    ut_assert_error(&r, 401, NULL);
    it_resp_release(&r);
}

Test(organizations, tenants_see_only_their_own)
{
    char admin[4097], a[UT_ID_LEN], b[UT_ID_LEN], bname[96], body[512];
    struct ut_user a_admin, a_patient;
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    org_create(admin, a, NULL);
    org_create(admin, b, bname);
    ut_account(a, "admin", &a_admin);
    ut_account(a, "patient", &a_patient);

    /* the other tenant's organization does not exist for them */
    ut_call(&r, "GET", a_admin.token, NULL, ORGS "%s/", b);
    ut_assert_error(&r, 404, NULL);
    cr_assert(it_true(strstr(r.body, bname) == NULL));
    it_resp_release(&r);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organizations\",\"id\":\"%s\",\"attributes\":{"
             "\"display-name\":\"taken over\"}}}",
             b);
    ut_call(&r, "PATCH", a_admin.token, body, ORGS "%s/", b);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    member_body(body, sizeof body, "user-id", a_patient.id, NULL);
    ut_call(&r, "POST", a_admin.token, body, ORGS "%s/add-user/", b);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    ut_call(&r, "GET", a_admin.token, NULL, ORGS "?page[limit]=1000");
    cr_assert(eq(long, r.status, 200));
    cr_assert(list_has(&r, a));
    cr_assert(eq(sz, list_len(&r), 1), "only their organization: %.300s", r.body);
    it_resp_release(&r);

    /* a member who is not its admin reads it but may not change it: 403 */
    ut_call(&r, "GET", a_patient.token, NULL, ORGS "%s/", a);
    cr_assert(eq(long, r.status, 200));
    it_resp_release(&r);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organizations\",\"id\":\"%s\",\"attributes\":{"
             "\"display-name\":\"mine now\"}}}",
             a);
    ut_call(&r, "PATCH", a_patient.token, body, ORGS "%s/", a);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    /* its admin may */
    ut_call(&r, "PATCH", a_admin.token, body, ORGS "%s/", a);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    it_resp_release(&r);
}

Test(organizations, read_and_update_errors)
{
    char admin[4097], id[UT_ID_LEN], other[UT_ID_LEN], body[512];
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    org_create(admin, id, NULL);
    org_create(admin, other, NULL);
    ut_call(&r, "GET", admin, NULL, ORGS "%s/", "11111111-1111-1111-1111-111111111111");
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    ut_call(&r, "GET", admin, NULL, ORGS "%s/", "not-a-uuid");
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    /* data.id must be the path's */
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organizations\",\"id\":\"%s\",\"attributes\":{}}}", other);
    ut_call(&r, "PATCH", admin, body, ORGS "%s/", id);
    ut_assert_error(&r, 400, "/data/id");
    it_resp_release(&r);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organizations\",\"id\":\"%s\",\"attributes\":{"
             "\"theme-id\":{\"id\":1}}}}",
             id);
    ut_call(&r, "PATCH", admin, body, ORGS "%s/", id);
    ut_assert_error(&r, 400, "/data/attributes/theme-id");
    it_resp_release(&r);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organizations\",\"id\":\"%s\",\"attributes\":{"
             "\"is-active\":false}}}",
             id);
    ut_call(&r, "PATCH", admin, body, ORGS "%s/", id);
    ut_assert_error(&r, 400, "/data/attributes/is-active");
    it_resp_release(&r);
    ut_call(&r, "PATCH", admin, "{\"data\":", ORGS "%s/", id);
    ut_assert_error(&r, 400, NULL);
    it_resp_release(&r);
    /* processing a logo before any upload (the logos suite has the rest) */
    ut_call(&r, "POST", admin, "{}", ORGS "%s/process-logo-upload/", id);
    ut_assert_error(&r, 409, NULL);
    it_resp_release(&r);
}

Test(organizations, add_and_remove_members_with_roles_and_events)
{
    char admin[4097], home[UT_ID_LEN], org[UT_ID_LEN], other[UT_ID_LEN], provider[UT_ID_LEN],
        foreign_role[UT_ID_LEN], body[512], email[160];
    struct ut_user u;
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    org_create(admin, home, NULL);
    org_create(admin, org, NULL);
    org_create(admin, other, NULL);
    ut_account(home, "patient", &u);
    role_id_of(admin, org, "provider", provider);
    role_id_of(admin, other, "provider", foreign_role);

    /* a role of another organization */
    member_body(body, sizeof body, "user-id", u.id, foreign_role);
    ut_call(&r, "POST", admin, body, ORGS "%s/add-user/", org);
    ut_assert_error(&r, 404, "/data/attributes/role-id");
    it_resp_release(&r);
    /* neither user-id nor email; an unknown user; a wrong type */
    ut_call(&r, "POST", admin, "{\"data\":{\"type\":\"organizations\",\"attributes\":{}}}",
            ORGS "%s/add-user/", org);
    ut_assert_error(&r, 400, "/data/attributes/user-id");
    it_resp_release(&r);
    member_body(body, sizeof body, "user-id", "11111111-1111-1111-1111-111111111111", NULL);
    ut_call(&r, "POST", admin, body, ORGS "%s/add-user/", org);
    ut_assert_error(&r, 404, "/data/attributes/user-id");
    it_resp_release(&r);
    ut_call(&r, "POST", admin,
            "{\"data\":{\"type\":\"organizations\",\"attributes\":{"
            "\"user-id\":7}}}",
            ORGS "%s/add-user/", org);
    ut_assert_error(&r, 400, "/data/attributes/user-id");
    it_resp_release(&r);
    ut_call(&r, "POST", admin, "{\"data\":{\"type\":\"roles\",\"attributes\":{}}}",
            ORGS "%s/add-user/", org);
    ut_assert_error(&r, 400, "/data/type");
    it_resp_release(&r);

    /* added by email with a role: 201 null, then idempotent */
    snprintf(email, sizeof email, "%s@example.com", u.username);
    member_body(body, sizeof body, "email", email, provider);
    ut_call(&r, "POST", admin, body, ORGS "%s/add-user/", org);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    cr_assert(eq(str, r.body, "null"));
    it_resp_release(&r);
    ut_call(&r, "POST", admin, body, ORGS "%s/add-user/", org);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", admin, NULL, "/v1/user-organizations/?user-id=%s", u.id);
    cr_assert(eq(long, r.status, 200));
    cr_assert(eq(sz, list_len(&r), 2), "%.500s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", admin, NULL, "/v1/role-users/?role-id=%s", provider);
    cr_assert(eq(long, r.status, 200));
    cr_assert(it_true(strstr(r.body, u.id) != NULL), "%.500s", r.body);
    it_resp_release(&r);
    cr_assert(eq(long, ut_outbox_count("evt.identity.membership.added", org), 1));
    cr_assert(eq(long, ut_outbox_count("evt.identity.role.added", provider), 1));

    /* removed: the membership and its roles go */
    member_body(body, sizeof body, "user-id", u.id, NULL);
    ut_call(&r, "POST", admin, body, ORGS "%s/remove-user/", org);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    cr_assert(eq(str, r.body, "null"));
    it_resp_release(&r);
    ut_call(&r, "GET", admin, NULL, "/v1/user-organizations/?user-id=%s&organization-id=%s", u.id,
            org);
    cr_assert(eq(sz, list_len(&r), 0));
    it_resp_release(&r);
    ut_call(&r, "GET", admin, NULL, "/v1/role-users/?role-id=%s", provider);
    cr_assert(it_true(strstr(r.body, u.id) == NULL), "%.500s", r.body);
    it_resp_release(&r);
    cr_assert(eq(long, ut_outbox_count("evt.identity.membership.removed", org), 1));
    cr_assert(eq(long, ut_outbox_count("evt.identity.role.removed", provider), 1));
    /* no longer a member: 404 */
    ut_call(&r, "POST", admin, body, ORGS "%s/remove-user/", org);
    ut_assert_error(&r, 404, "/data/attributes/user-id");
    it_resp_release(&r);
}

/* 1 when user belongs to org (identity.user_organizations), else 0. */
static long is_member(const char *user, const char *org)
{
    PGconn *pg = it_pg();
    const char *p[] = {user, org};
    char *v = it_pg_value(pg,
                          "SELECT count(*)::text FROM identity.user_organizations "
                          "WHERE user_id = $1::uuid AND organization_id = $2::uuid",
                          2, p);
    long n = v ? atol(v) : -1;

    PQfinish(pg);
    free(v);
    return n;
}

Test(organizations, an_org_admin_cannot_pull_in_other_tenants_users)
{
    char admin[4097], a[UT_ID_LEN], b[UT_ID_LEN], body[512];
    struct ut_user a_admin, a_patient, b_user;
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    org_create(admin, a, NULL);
    org_create(admin, b, NULL);
    ut_account(a, "admin", &a_admin);
    ut_account(a, "patient", &a_patient);
    ut_account(b, "patient", &b_user);
    /* someone of another tenant is not found (404, as an unknown user) */
    member_body(body, sizeof body, "user-id", b_user.id, NULL);
    ut_call(&r, "POST", a_admin.token, body, ORGS "%s/add-user/", a);
    ut_assert_error(&r, 404, "/data/attributes/user-id");
    it_resp_release(&r);
    /* a member who is not an admin: 403 */
    member_body(body, sizeof body, "user-id", a_admin.id, NULL);
    ut_call(&r, "POST", a_patient.token, body, ORGS "%s/remove-user/", a);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    /* the admin removes a member */
    member_body(body, sizeof body, "user-id", a_patient.id, NULL);
    cr_assert(eq(long, is_member(a_patient.id, a), 1));
    ut_call(&r, "POST", a_admin.token, body, ORGS "%s/remove-user/", a);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
    cr_assert(eq(long, is_member(a_patient.id, a), 0), "removed from the organization");
    cr_assert(eq(long, is_member(b_user.id, a), 0), "the other tenant's user was not added");
    cr_assert(eq(long, is_member(a_admin.id, a), 1), "the 403 removed no one");
}

Test(organizations, user_organizations_list_and_create)
{
    char admin[4097], a[UT_ID_LEN], b[UT_ID_LEN], body[512], want[3 * UT_ID_LEN];
    struct ut_user a_admin, a_patient, b_user;
    struct it_resp r;
    json_t *attrs;

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    org_create(admin, a, NULL);
    org_create(admin, b, NULL);
    ut_account(a, "admin", &a_admin);
    ut_account(a, "patient", &a_patient);
    ut_account(b, "patient", &b_user);

    /* a patient sees their own memberships only */
    ut_call(&r, "GET", a_patient.token, NULL, "/v1/user-organizations/?organization-id=%s", a);
    cr_assert(eq(long, r.status, 200));
    cr_assert(eq(sz, list_len(&r), 1), "%.500s", r.body);
    snprintf(want, sizeof want, "%s:%s", a_patient.id, a);
    cr_assert(list_has(&r, want));
    it_resp_release(&r);
    /* the organization admin sees its members, not other tenants' */
    ut_call(&r, "GET", a_admin.token, NULL, "/v1/user-organizations/?organization-id=%s", a);
    cr_assert(eq(sz, list_len(&r), 2), "%.500s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", a_admin.token, NULL, "/v1/user-organizations/?user-id=%s", b_user.id);
    cr_assert(eq(sz, list_len(&r), 0), "%.500s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", a_admin.token, NULL, "/v1/user-organizations/?page[limit]=5000");
    ut_assert_error(&r, 400, "page[limit]");
    it_resp_release(&r);
    ut_call(&r, "GET", a_admin.token, NULL, "/v1/user-organizations/?user-id=nope");
    ut_assert_error(&r, 400, "user-id");
    it_resp_release(&r);

    /* the platform admin adds b's user to a: 201 with the membership */
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"user-organizations\",\"attributes\":{"
             "\"organization-id\":\"%s\",\"user-id\":\"%s\"}},\"meta\":{}}",
             a, b_user.id);
    it_call_token(&r, "POST", "/v1/user-organizations/", admin, body);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    attrs = ut_attrs_of(&r);
    cr_assert(eq(int, (int)json_integer_value(json_object_get(attrs, "organization-count")), 2));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(attrs, "organization-id")), a));
    json_decref(attrs);
    snprintf(want, sizeof want, "\"id\":\"%s:%s\"", b_user.id, a);
    cr_assert(it_true(strstr(r.body, want) != NULL), "%.300s", r.body);
    it_resp_release(&r);
    it_call_token(&r, "POST", "/v1/user-organizations/", admin, body);
    ut_assert_error(&r, 409, NULL);
    it_resp_release(&r);
    /* a patient may not add members; a's admin does not see b */
    it_call_token(&r, "POST", "/v1/user-organizations/", a_patient.token, body);
    ut_assert_error(&r, 403, "/data/attributes/organization-id");
    it_resp_release(&r);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"user-organizations\",\"attributes\":{"
             "\"organization-id\":\"%s\",\"user-id\":\"%s\"}}}",
             b, a_patient.id);
    it_call_token(&r, "POST", "/v1/user-organizations/", a_admin.token, body);
    ut_assert_error(&r, 404, "/data/attributes/organization-id");
    it_resp_release(&r);
    it_call_token(&r, "POST", "/v1/user-organizations/", admin,
                  "{\"data\":{\"type\":\"user-organizations\",\"attributes\":{"
                  "\"organization-id\":\"x\"}}}");
    ut_assert_error(&r, 400, "/data/attributes/organization-id");
    it_resp_release(&r);
}

Test(organizations, get_organization_rpc)
{
    Identity__GetOrganizationRequest rq = IDENTITY__GET_ORGANIZATION_REQUEST__INIT;
    Identity__GetOrganizationReply *reply;
    Envelope__RpcReply *r = NULL;
    char admin[4097], id[UT_ID_LEN], name[96];

    IT_REQUIRE_STACK();
    it_admin_token(admin);
    org_create(admin, id, name);
    rq.organization_id = id;
    cr_assert(eq(int, ut_rpc("GetOrganization", &rq.base, &r), 0));
    reply = identity__get_organization_reply__unpack(NULL, r->payload.len, r->payload.data);
    cr_assert(reply != NULL);
    cr_assert(eq(str, reply->id, id));
    cr_assert(eq(str, reply->name, name));
    cr_assert(reply->is_active);
    identity__get_organization_reply__free_unpacked(reply, NULL);
    envelope__rpc_reply__free_unpacked(r, NULL);
    rq.organization_id = "11111111-1111-1111-1111-111111111111";
    cr_assert(eq(int, ut_rpc("GetOrganization", &rq.base, &r), 2 /* CM_ENOTFOUND */));
    envelope__rpc_reply__free_unpacked(r, NULL);
}
