/* test_onboarding_request_grants.c: an onboarding request's
 * individual-group-ids and provider-roles are applied to its account
 * (authz.rpc.AddGroupMembers, identity.rpc.GrantRoles): when the person
 * claims the request by signing up, and when auto-sign-up makes the
 * account; a retry (the sweeper applying again) duplicates nothing; unknown
 * or other-organization groups and unknown roles are 400 at creation, a
 * role the caller may not give 403. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "it_onboarding.h"

TestSuite(onboarding_request_grants, .timeout = 120, .init = ob_clear_addr_limit);

#define REQS "/v1/onboarding-requests/"

static const json_t *attrs_of(const json_t *doc)
{
    return json_object_get(json_object_get(doc, "data"), "attributes");
}

/* A new group of org made by token through authz's API; its id to id (40). */
static void new_group(const char *token, const char *org, char *id)
{
    char body[512], name[64];
    json_t *doc = NULL;

    it_unique(name, sizeof name, "obg-");
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"individual-groups\", \"attributes\": {\"name\": \"%s\", "
             "\"organization-id\": \"%s\"}}}",
             name, org);
    cr_assert(eq(long, af_call("POST", "/v1/individual-groups/", token, body, &doc), 201));
    snprintf(id, 40, "%s", af_str(json_object_get(doc, "data"), "id"));
    json_decref(doc);
}

/* Whether the text of doc contains needle. */
static int doc_has(const json_t *doc, const char *needle)
{
    char *text = json_dumps(doc, 0);
    int yes = text && strstr(text, needle);

    free(text);
    return yes;
}

/* Whether user is among the members of group g, read through authz's API. */
static int is_member(const char *token, const char *g, const char *user)
{
    char path[256];
    json_t *doc = NULL, *m;
    size_t i;
    int found = 0;

    snprintf(path, sizeof path, "/v1/individual-groups/%s/?with-members=true", g);
    cr_assert(eq(long, af_call("GET", path, token, NULL, &doc), 200));
    json_array_foreach(json_object_get(attrs_of(doc), "members"), i, m)
    {
        if (!strcmp(af_str(m, "id"), user))
            found = 1;
    }
    json_decref(doc);
    return found;
}

/* Polls (up to 10 s) until user is a member of g; asserts it. */
static void assert_member(const char *token, const char *g, const char *user)
{
    int yes = 0;

    for (double until = it_now_ms() + 10000; !yes && it_now_ms() < until;) {
        yes = is_member(token, g, user);
        if (!yes)
            usleep(100 * 1000);
    }
    cr_assert(yes, "user %s is not a member of group %s", user, g);
}

/* The number (text parsed) of sql with parameters a, b. */
static long count_of(const char *sql, const char *a, const char *b)
{
    PGconn *pg = it_pg();
    const char *p[2] = {a, b};
    char *v = it_pg_value(pg, sql, b ? 2 : 1, p);
    long n = v ? atol(v) : -1;

    free(v);
    PQfinish(pg);
    return n;
}

/* How many times user holds role name in org (identity's role_users). */
static long role_count(const char *user, const char *name, const char *org)
{
    PGconn *pg = it_pg();
    const char *p[3] = {user, name, org};
    char *v = it_pg_value(pg,
                          "SELECT count(*)::text FROM identity.role_users ru "
                          "JOIN identity.roles r ON r.id = ru.role_id "
                          "WHERE ru.user_id = $1::uuid AND r.name = $2 "
                          "AND r.organization_id = $3::uuid",
                          3, p);
    long n = v ? atol(v) : -1;

    free(v);
    PQfinish(pg);
    return n;
}

/* Polls (up to 10 s) until request id's grants are marked applied. */
static void assert_applied(const char *id)
{
    long n = 0;

    for (double until = it_now_ms() + 10000; n != 1 && it_now_ms() < until;) {
        n = count_of("SELECT count(*)::text FROM onboarding.onboarding_requests "
                     "WHERE id = $1::uuid AND grants_applied",
                     id, NULL);
        if (n != 1)
            usleep(100 * 1000);
    }
    cr_assert(eq(long, n, 1), "request %s: grants not applied", id);
}

Test(onboarding_request_grants, a_claimed_request_makes_a_group_member_with_the_role)
{
    struct ob_fixture f;
    char email[128], attrs[1024], id[40], code[64], g[40], *user_id;
    json_t *doc = NULL, *sign_up;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    new_group(f.admin, f.org_id, g);
    it_unique(email, 100, "it-obg-");
    strcat(email, "@example.com");
    snprintf(attrs, sizeof attrs,
             "{\"organization\": \"%s\", \"onboard-type\": \"provider\", \"patient-email\": "
             "\"%s\", \"notifications\": [\"email\"], \"individual-group-ids\": [\"%s\"], "
             "\"provider-roles\": [\"provider\"]}",
             f.org_id, email, g);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 201));
    snprintf(id, sizeof id, "%s", af_str(json_object_get(doc, "data"), "id"));
    snprintf(code, sizeof code, "%s", af_str(attrs_of(doc), "code"));
    json_decref(doc);

    /* the person signs up with the request's code and confirms */
    sign_up = ob_sign_up_body(f.code, email, NULL);
    json_object_set_new(sign_up, "referral-code", json_string(code));
    ob_sign_up_confirmed(sign_up);
    json_decref(sign_up);
    user_id = ob_sign_up_user_id(email);

    /* a member of the group (authz's API) and holds the role */
    assert_member(f.admin, g, user_id);
    assert_applied(id);
    cr_assert(eq(long, role_count(user_id, "provider", f.org_id), 1));

    /* applied again (as a retry whose answer was lost): nothing doubles */
    cr_assert(eq(long,
                 count_of("WITH u AS (UPDATE onboarding.onboarding_requests SET grants_applied = "
                          "false WHERE id = $1::uuid RETURNING 1) SELECT count(*)::text FROM u",
                          id, NULL),
                 1));
    assert_applied(id);
    cr_assert(eq(long,
                 count_of("SELECT count(*)::text FROM authz.group_members "
                          "WHERE group_id = $1::uuid AND user_id = $2::uuid",
                          g, user_id),
                 1));
    cr_assert(eq(long,
                 count_of("SELECT count(*)::text FROM authz.group_logs WHERE group_id = $1::uuid "
                          "AND subject_id = $2::uuid AND event = 'add'",
                          g, user_id),
                 1));
    cr_assert(eq(long, role_count(user_id, "provider", f.org_id), 1));
    free(user_id);
}

Test(onboarding_request_grants, auto_sign_up_applies_groups_and_roles_at_once)
{
    struct ob_fixture f;
    char email[128], attrs[1024], g[40], user[40];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    new_group(f.admin, f.org_id, g);
    it_unique(email, 100, "it-obg-auto-");
    strcat(email, "@example.com");
    snprintf(attrs, sizeof attrs,
             "{\"organization\": \"%s\", \"onboard-type\": \"provider\", \"patient-email\": "
             "\"%s\", \"auto-sign-up\": true, \"auto-confirm\": true, \"password\": \"%s\", "
             "\"individual-group-id\": \"%s\", \"provider-roles\": [\"provider\", \"admin\"]}",
             f.org_id, email, OB_PASSWORD, g);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 201));
    cr_assert(eq(str, (char *)af_str(attrs_of(doc), "account-step"), "created"));
    snprintf(user, sizeof user, "%s", af_str(attrs_of(doc), "patient"));
    json_decref(doc);
    /* applied before the answer: no polling needed */
    cr_assert(is_member(f.admin, g, user));
    cr_assert(eq(long, role_count(user, "provider", f.org_id), 1));
    cr_assert(eq(long, role_count(user, "admin", f.org_id), 1));
}

Test(onboarding_request_grants, bad_groups_and_roles_are_refused_at_creation)
{
    struct ob_fixture f, other;
    char email[128], attrs[1024], g_other[40];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    ob_fixture_make(&other);
    new_group(other.admin, other.org_id, g_other);
    it_unique(email, 100, "it-obg-bad-");
    strcat(email, "@example.com");
    /* a group that does not exist */
    snprintf(attrs, sizeof attrs,
             "{\"organization\": \"%s\", \"patient-email\": \"%s\", \"individual-group-ids\": "
             "[\"2c390a49-63fa-425c-8fd5-5b58aa277ace\"]}",
             f.org_id, email);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 400));
    af_error(doc, 400, "/data/attributes/individual-group-ids");
    cr_assert(doc_has(doc, "2c390a49-63fa-425c-8fd5-5b58aa277ace"));
    json_decref(doc);
    /* a group of another organization */
    snprintf(attrs, sizeof attrs,
             "{\"organization\": \"%s\", \"patient-email\": \"%s\", \"individual-group-id\": "
             "\"%s\"}",
             f.org_id, email, g_other);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 400));
    af_error(doc, 400, "/data/attributes/individual-group-ids");
    json_decref(doc);
    /* a role the organization does not have */
    snprintf(attrs, sizeof attrs,
             "{\"organization\": \"%s\", \"patient-email\": \"%s\", \"provider-roles\": "
             "[\"provider\", \"nurse\"]}",
             f.org_id, email);
    cr_assert(eq(long, ob_request_create(f.admin, attrs, &doc), 400));
    af_error(doc, 400, "/data/attributes/provider-roles");
    cr_assert(doc_has(doc, "nurse"));
    json_decref(doc);
    /* nothing was recorded */
    cr_assert(eq(long,
                 count_of("SELECT count(*)::text FROM onboarding.onboarding_requests "
                          "WHERE organization_id = $1::uuid",
                          f.org_id, NULL),
                 0));
}

Test(onboarding_request_grants, a_provider_gives_only_roles_it_holds)
{
    struct ob_fixture f;
    char email[128], attrs[1024], uid[40], provider[AF_TOKEN_MAX];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    af_member_login("it-obg-prov", f.org_id, "provider", uid, provider);
    it_unique(email, 100, "it-obg-prov-");
    strcat(email, "@example.com");
    snprintf(attrs, sizeof attrs,
             "{\"organization\": \"%s\", \"patient-email\": \"%s\", \"provider-roles\": "
             "[\"admin\"]}",
             f.org_id, email);
    cr_assert(eq(long, ob_request_create(provider, attrs, &doc), 403));
    af_error(doc, 403, "/data/attributes/provider-roles");
    json_decref(doc);
    snprintf(attrs, sizeof attrs,
             "{\"organization\": \"%s\", \"patient-email\": \"%s\", \"provider-roles\": "
             "[\"provider\"]}",
             f.org_id, email);
    cr_assert(eq(long, ob_request_create(provider, attrs, &doc), 201));
    {
        const json_t *a = json_object_get(json_object_get(doc, "data"), "attributes");
        json_t *want = json_pack("[s]", "provider");

        cr_assert(it_true(json_equal(json_object_get(a, "provider-roles"), want)),
                  "the role it holds is kept");
        cr_assert(eq(str, (char *)af_str(a, "created-by"), uid), "made by the provider");
        json_decref(want);
    }
    json_decref(doc);
}
