/* test_login.c: POST /v1/login/ (#54) with its throttle and lock,
 * POST /v1/authenticate/ (#9), GET /v1/sessions/{id}/ (#128),
 * POST /v1/users/{id}/switch-organization/ (#155) and
 * GET /v1/user-activities/ (#135), through the edge. Suites: login,
 * sessions, activities. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "harness.h"

TestSuite(login, .timeout = 60);
TestSuite(sessions, .timeout = 30);
TestSuite(activities, .timeout = 30);

/* Logs username in; asserts 201; the access token to access (may be NULL)
 * and the response to *doc (may be NULL). */
static void login_ok(const char *username, char *access, json_t **doc)
{
    json_t *d = NULL;
    long status = af_login(username, AF_PASSWORD, NULL, &d);

    cr_assert(eq(long, status, 201), "login of %s: %ld", username, status);
    if (access)
        snprintf(access, AF_TOKEN_MAX, "%s", af_str(d, "access-token"));
    if (doc)
        *doc = d;
    else
        json_decref(d);
}

static void set_param(PGconn *pg, const char *sql, const char *a)
{
    const char *params[1] = {a};
    char *v = it_pg_value(pg, sql, 1, params);
    free(v);
}

/* --- login --- */

Test(login, the_platform_admin_gets_login_info_and_tokens)
{
    json_t *doc = NULL;
    char lower[256];

    IT_REQUIRE_STACK();
    snprintf(lower, sizeof lower, "%s", it_env("TEST_ADMIN_EMAIL"));
    cr_assert(eq(long, af_login(lower, it_env("TEST_ADMIN_PASSWORD"), NULL, &doc), 201));
    cr_assert(eq(str, (char *)af_str(doc, "username"), lower));
    cr_assert(eq(str, (char *)af_str(doc, "email"), lower));
    cr_assert(eq(str, (char *)af_str(doc, "token-type"), "Bearer"));
    cr_assert(strlen(af_str(doc, "access-token")) > 100);
    cr_assert(strlen(af_str(doc, "id-token")) > 100);
    cr_assert(eq(sz, strlen(af_str(doc, "refresh-token")), (size_t)43));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(doc, "expires-in")), 3600));
    cr_assert(it_true(json_is_null(json_object_get(doc, "redirect-url"))));
    cr_assert(it_true(json_is_array(json_object_get(doc, "organizations"))));
    cr_assert(it_true(json_is_boolean(json_object_get(doc, "multi-organization"))));
    cr_assert(it_true(json_is_boolean(json_object_get(doc, "locale-explicit"))));
    cr_assert(strlen(af_str(doc, "session-id")) == 36);
    cr_assert(strlen(af_str(doc, "user-id")) == 36);
    json_decref(doc);
}

Test(login, records_the_login_and_honours_the_lifetimes)
{
    char user[128], id[40], org[40];
    const char *params[1] = {id};
    json_t *doc = NULL;
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "Login-", 1, 1, user, id);
    af_org(pg, org);
    af_member(pg, id, org, "provider");
    /* upper case in the request: usernames are lower-cased */
    for (char *p = user; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    cr_assert(eq(long,
                 af_login(user,
                          AF_PASSWORD,
                          "{\"access-token-expiration-seconds\": 60, "
                          "\"refresh-token-expiration-seconds\": 120, \"interactive\": false, "
                          "\"locale\": \"fr_FR\", \"service-document-agreements\": "
                          "[\"11111111-1111-4111-8111-111111111111\"], "
                          "\"sticky-access-token-expiration\": true}",
                          &doc),
                 201));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(doc, "expires-in")), 60));
    cr_assert(eq(str, (char *)af_str(doc, "organization-id"), org));
    cr_assert(eq(str, (char *)af_str(doc, "locale"), "fr_FR"));
    json_decref(doc);
    v = it_pg_value(pg,
                    "SELECT (count(*) = 1)::text FROM identity.user_activities "
                    "WHERE user_id = $1::uuid AND event_type = 'login'",
                    1, params);
    cr_assert(eq(str, v, "true"), "one login activity");
    free(v);
    v = it_pg_value(pg,
                    "SELECT (expires_at < now() + interval '121 seconds' AND NOT interactive "
                    "AND access_ttl_s = 60 AND organization_id IS NOT NULL)::text "
                    "FROM identity.sessions WHERE user_id = $1::uuid",
                    1, params);
    cr_assert(eq(str, v, "true"), "the session's terms");
    free(v);
    v = it_pg_value(pg,
                    "SELECT (last_login_time IS NOT NULL)::text FROM identity.users "
                    "WHERE id = $1::uuid",
                    1, params);
    cr_assert(eq(str, v, "true"));
    free(v);
    PQfinish(pg);
}

Test(login, refuses_wrong_and_unknown_credentials_alike)
{
    char user[128], id[40], unknown[128];
    json_t *doc = NULL;
    const char *params[1] = {user};
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "wrong-", 1, 1, user, id);
    cr_assert(eq(long, af_login(user, "Not-The-Password-1", NULL, &doc), 401));
    cr_assert(eq(str, (char *)af_error(doc, 401, NULL), "wrong username or password"));
    json_decref(doc);
    it_unique(unknown, sizeof unknown, "nobody-");
    cr_assert(eq(long, af_login(unknown, "Not-The-Password-1", NULL, &doc), 401));
    cr_assert(eq(str, (char *)af_error(doc, 401, NULL), "wrong username or password"));
    json_decref(doc);
    v = it_pg_value(pg, "SELECT failures::text FROM identity.login_attempts WHERE username = $1",
                    1, params);
    cr_assert(eq(str, v, "1"));
    free(v);
    PQfinish(pg);
}

Test(login, a_disabled_account_is_403_only_with_the_right_password)
{
    char user[128], id[40];
    json_t *doc = NULL;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "disabled-", 1, 0, user, id);
    cr_assert(eq(long, af_login(user, "Not-The-Password-1", NULL, &doc), 401));
    json_decref(doc);
    cr_assert(eq(long, af_login(user, AF_PASSWORD, NULL, &doc), 403));
    cr_assert(eq(str, (char *)af_error(doc, 403, NULL), "account disabled"));
    json_decref(doc);
    PQfinish(pg);
}

Test(login, an_unconfirmed_sign_up_is_403)
{
    char user[128], id[40];
    json_t *doc = NULL;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "unconfirmed-", 0, 1, user, id);
    cr_assert(eq(long, af_login(user, AF_PASSWORD, NULL, &doc), 403));
    cr_assert(eq(str, (char *)af_error(doc, 403, NULL), "account not confirmed"));
    json_decref(doc);
    PQfinish(pg);
}

/* Moves the last failure of username back, past any throttle delay. */
static void age_failures(PGconn *pg, const char *username)
{
    set_param(pg,
              "WITH u AS (UPDATE identity.login_attempts SET last_failure_at = now() - "
              "interval '70 seconds' WHERE username = $1), "
              "p AS (UPDATE identity.login_attempts_pair SET last_failure_at = now() - "
              "interval '70 seconds' WHERE username = $1) SELECT 'ok'",
              username);
}

Test(login, throttles_after_five_failures_and_a_success_resets)
{
    char user[128], id[40];
    const char *params[1] = {user};
    json_t *doc = NULL;
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "throttle-", 1, 1, user, id);
    for (int i = 0; i < 5; i++)
        cr_assert(eq(long, af_login(user, "Not-The-Password-1", NULL, NULL), 401), "try %d", i);
    /* within the delay: refused without checking the password */
    cr_assert(eq(long, af_login(user, AF_PASSWORD, NULL, &doc), 429));
    af_error(doc, 429, NULL);
    json_decref(doc);
    age_failures(pg, user);
    cr_assert(eq(long, af_login(user, AF_PASSWORD, NULL, NULL), 201));
    v = it_pg_value(pg, "SELECT count(*)::text FROM identity.login_attempts WHERE username = $1",
                    1, params);
    cr_assert(eq(str, v, "0"), "a success clears the failures");
    free(v);
    PQfinish(pg);
}

Test(login, locks_after_ten_failures_even_for_the_right_password)
{
    char user[128], id[40];
    const char *params[1] = {user};
    json_t *doc = NULL;
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "lock-", 1, 1, user, id);
    for (int i = 0; i < 10; i++) {
        age_failures(pg, user);
        cr_assert(eq(long, af_login(user, "Not-The-Password-1", NULL, NULL), 401), "try %d", i);
    }
    age_failures(pg, user); /* the lock does not depend on the last failure */
    cr_assert(eq(long, af_login(user, AF_PASSWORD, NULL, &doc), 423));
    cr_assert(strstr(af_error(doc, 423, NULL), "account locked") != NULL);
    json_decref(doc);
    v = it_pg_value(pg,
                    "SELECT (locked_until > now() + interval '800 seconds')::text "
                    "FROM identity.login_attempts_pair WHERE username = $1",
                    1, params);
    cr_assert(eq(str, v, "true"));
    free(v);
    PQfinish(pg);
}

Test(login, a_totp_code_is_required_then_checked)
{
    char user[128], id[40];
    const char *params[1] = {id};
    json_t *doc = NULL;
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "totp-", 1, 1, user, id);
    v = it_pg_value(pg,
                    "INSERT INTO identity.mfa_totp (user_id, secret, enabled, enabled_at) "
                    "VALUES ($1::uuid, decode(md5(random()::text) || md5(random()::text), 'hex'), true, now()) RETURNING 'ok'",
                    1, params);
    free(v);
    cr_assert(eq(long, af_login(user, AF_PASSWORD, NULL, &doc), 401));
    cr_assert(eq(str, (char *)af_error(doc, 401, "/totp-code"), "totp code required"));
    json_decref(doc);
    cr_assert(eq(long, af_login(user, AF_PASSWORD, "{\"totp-code\": \"000000\"}", &doc), 401));
    cr_assert(eq(str, (char *)af_error(doc, 401, "/totp-code"), "totp code is wrong"));
    json_decref(doc);
    PQfinish(pg);
}

struct bad_login {
    char body[400];
    char pointer[48];
};

ParameterizedTestParameters(login, refuses_bad_bodies_with_a_pointer)
{
    static struct bad_login cases[] = {
        {"{}", "/username"},
        {"{\"username\": 1, \"password\": \"x\"}", "/username"},
        {"{\"username\": \"a\"}", "/password"},
        {"{\"username\": \"a\", \"password\": \"\"}", "/password"},
        {"{\"username\": \"a\", \"password\": \"x\", \"access-token-expiration-seconds\": 0}",
         "/access-token-expiration-seconds"},
        {"{\"username\": \"a\", \"password\": \"x\", \"access-token-expiration-seconds\": 3601}",
         "/access-token-expiration-seconds"},
        {"{\"username\": \"a\", \"password\": \"x\", \"access-token-expiration-seconds\": \"9\"}",
         "/access-token-expiration-seconds"},
        {"{\"username\": \"a\", \"password\": \"x\", \"refresh-token-expiration-seconds\": 0}",
         "/refresh-token-expiration-seconds"},
        {"{\"username\": \"a\", \"password\": \"x\", \"interactive\": \"yes\"}", "/interactive"},
        {"{\"username\": \"a\", \"password\": \"x\", \"totp-code\": 123456}", "/totp-code"},
        {"{\"username\": \"a\", \"password\": \"x\", \"locale\": \"??\"}", "/locale"},
        {"{\"username\": \"a\", \"password\": \"x\", \"service-document-agreements\": [\"x\"]}",
         "/service-document-agreements/0"},
        {"{\"username\": \"a\", \"password\": \"x\", \"service-document-agreements\": 1}",
         "/service-document-agreements"},
        {"{\"username\": \"a\", \"password\": \"x\", \"simulated-queue-delay\": 0}",
         "/simulated-queue-delay"},
        {"{\"username\": \"a\", \"password\": \"x\", \"bogus\": 1}", "/bogus"},
        {"[1]", ""},
        {"{\"username\": ", ""},
    };
    return cr_make_param_array(struct bad_login, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bad_login *c, login, refuses_bad_bodies_with_a_pointer)
{
    IT_REQUIRE_STACK();
    af_refuses_body("/v1/login/", c->body, c->pointer);
}

Test(login, refuses_a_username_past_255_characters)
{
    char body[600], name[300];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    memset(name, 'a', 256);
    name[256] = '\0';
    snprintf(body, sizeof body, "{\"username\": \"%s\", \"password\": \"x\"}", name);
    cr_assert(eq(long, af_call("POST", "/v1/login/", NULL, body, &doc), 400));
    af_error(doc, 400, "/username");
    json_decref(doc);
}

/* --- authenticate and sessions --- */

Test(sessions, authenticate_answers_the_callers_principal)
{
    char user[128], id[40], org[40], access[AF_TOKEN_MAX];
    json_t *doc = NULL, *data, *login = NULL;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "authn-", 1, 1, user, id);
    af_org(pg, org);
    af_member(pg, id, org, "admin");
    login_ok(user, access, &login);
    cr_assert(eq(long, af_call("POST", "/v1/authenticate/", access, "{\"edge-request\": true}",
                               &doc),
                 201));
    data = json_object_get(doc, "data");
    cr_assert(eq(str, (char *)af_str(data, "user-id"), id));
    cr_assert(eq(str, (char *)af_str(data, "email"), user));
    cr_assert(eq(str, (char *)af_str(data, "organization-id"), org));
    cr_assert(eq(str, (char *)af_str(data, "session-id"), (char *)af_str(login, "session-id")));
    cr_assert(eq(sz, json_array_size(json_object_get(data, "roles")), (size_t)1));
    cr_assert(eq(str, (char *)json_string_value(json_array_get(json_object_get(data, "roles"), 0)),
                 "admin"));
    json_decref(doc);
    cr_assert(eq(long, af_call("POST", "/v1/authenticate/", access, NULL, &doc), 201),
              "the body is optional");
    json_decref(doc);
    cr_assert(eq(long, af_call("POST", "/v1/authenticate/", access, "{\"edge-request\": 1}", &doc),
                 400));
    af_error(doc, 400, "/edge-request");
    json_decref(doc);
    cr_assert(eq(long, af_call("POST", "/v1/authenticate/", NULL, "{}", &doc), 401));
    json_decref(doc);
    json_decref(login);
    PQfinish(pg);
}

Test(sessions, a_session_is_read_by_its_user_and_the_platform_admin_only)
{
    char a[128], a_id[40], b[128], b_id[40], access_a[AF_TOKEN_MAX], access_b[AF_TOKEN_MAX];
    char admin[AF_TOKEN_MAX], path[128];
    json_t *login = NULL, *doc = NULL, *attrs;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "sess-a-", 1, 1, a, a_id);
    af_user(pg, "sess-b-", 1, 1, b, b_id);
    login_ok(a, access_a, &login);
    login_ok(b, access_b, NULL);
    it_admin_token(admin);
    snprintf(path, sizeof path, "/v1/sessions/%s/?include-login-info=true",
             af_str(login, "session-id"));
    cr_assert(eq(long, af_call("GET", path, access_a, NULL, &doc), 200));
    attrs = json_object_get(json_object_get(doc, "data"), "attributes");
    cr_assert(eq(str, (char *)af_str(json_object_get(doc, "data"), "type"), "sessions"));
    cr_assert(eq(str, (char *)af_str(attrs, "user-id"), a_id));
    cr_assert(strlen(af_str(attrs, "expiration-time")) == 27);
    cr_assert(eq(str, (char *)af_str(json_object_get(attrs, "login-info"), "username"), a));
    json_decref(doc);
    cr_assert(eq(long, af_call("GET", path, access_b, NULL, &doc), 404), "another user's");
    af_error(doc, 404, NULL);
    json_decref(doc);
    cr_assert(eq(long, af_call("GET", path, admin, NULL, &doc), 200), "the platform admin");
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/sessions/%s/", af_str(login, "session-id"));
    cr_assert(eq(long, af_call("GET", path, access_a, NULL, &doc), 200));
    attrs = json_object_get(json_object_get(doc, "data"), "attributes");
    cr_assert(it_true(json_is_null(json_object_get(attrs, "login-info"))));
    json_decref(doc);
    cr_assert(eq(long, af_call("GET", path, NULL, NULL, &doc), 401));
    json_decref(doc);
    cr_assert(eq(long, af_call("GET", "/v1/sessions/99999999-9999-4999-8999-999999999999/",
                               access_a, NULL, &doc),
                 404));
    json_decref(doc);
    cr_assert(eq(long, af_call("GET", "/v1/sessions/not-a-uuid/", access_a, NULL, &doc), 404));
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/sessions/%s/?bogus=1", af_str(login, "session-id"));
    cr_assert(eq(long, af_call("GET", path, access_a, NULL, &doc), 400));
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/sessions/%s/?include-login-info=maybe",
             af_str(login, "session-id"));
    cr_assert(eq(long, af_call("GET", path, access_a, NULL, &doc), 400));
    json_decref(doc);
    json_decref(login);
    PQfinish(pg);
}

Test(sessions, switch_organization_gives_tokens_for_a_membership_only)
{
    char user[128], id[40], other[128], other_id[40], org1[40], org2[40], org3[40];
    char access[AF_TOKEN_MAX], path[128], body[128];
    const char *params[1] = {id};
    json_t *doc = NULL, *who = NULL;
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "switch-", 1, 1, user, id);
    af_user(pg, "switch-other-", 1, 1, other, other_id);
    af_org(pg, org1);
    af_org(pg, org2);
    af_org(pg, org3);
    af_member(pg, id, org1, "patient");
    af_member(pg, id, org2, "admin");
    login_ok(user, access, NULL);
    snprintf(path, sizeof path, "/v1/users/%s/switch-organization/", id);
    snprintf(body, sizeof body, "{\"organization-id\": \"%s\", \"set-default\": true}", org2);
    cr_assert(eq(long, af_call("POST", path, access, body, &doc), 201));
    cr_assert(eq(str, (char *)af_str(doc, "organization-id"), org2));
    cr_assert(eq(sz, strlen(af_str(doc, "refresh-token")), (size_t)43));
    cr_assert(it_true(json_is_true(json_object_get(doc, "multi-organization"))));
    cr_assert(eq(long, af_call("POST", "/v1/authenticate/", af_str(doc, "access-token"), NULL,
                               &who),
                 201));
    cr_assert(eq(str, (char *)af_str(json_object_get(who, "data"), "organization-id"), org2));
    cr_assert(eq(str,
                 (char *)json_string_value(
                     json_array_get(json_object_get(json_object_get(who, "data"), "roles"), 0)),
                 "admin"));
    json_decref(who);
    json_decref(doc);
    v = it_pg_value(pg, "SELECT default_organization_id::text FROM identity.users WHERE id = $1::uuid",
                    1, params);
    cr_assert(eq(str, v, org2), "set-default");
    free(v);

    snprintf(body, sizeof body, "{\"organization-id\": \"%s\"}", org3);
    cr_assert(eq(long, af_call("POST", path, access, body, &doc), 404), "not a member");
    af_error(doc, 404, "/organization-id");
    json_decref(doc);
    cr_assert(eq(long, af_call("POST", path, access, "{}", &doc), 400));
    af_error(doc, 400, "/organization-id");
    json_decref(doc);
    cr_assert(eq(long, af_call("POST", path, access, "{\"organization-id\": \"x\"}", &doc), 400));
    json_decref(doc);
    snprintf(body, sizeof body, "{\"organization-id\": \"%s\", \"set-default\": 1}", org1);
    cr_assert(eq(long, af_call("POST", path, access, body, &doc), 400));
    af_error(doc, 400, "/set-default");
    json_decref(doc);
    cr_assert(eq(long, af_call("POST", path, NULL, body, &doc), 401));
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/users/%s/switch-organization/", other_id);
    snprintf(body, sizeof body, "{\"organization-id\": \"%s\"}", org1);
    cr_assert(eq(long, af_call("POST", path, access, body, &doc), 404), "someone else");
    json_decref(doc);
    PQfinish(pg);
}

/* --- user activities --- */

static size_t count_activities(const char *query, const char *token, long want)
{
    char path[512];
    json_t *doc = NULL;
    size_t n;

    snprintf(path, sizeof path, "/v1/user-activities/%s", query);
    cr_assert(eq(long, af_call("GET", path, token, NULL, &doc), want), "%s", path);
    n = json_array_size(json_object_get(doc, "data"));
    json_decref(doc);
    return n;
}

Test(activities, a_user_sees_their_own_and_admins_see_more)
{
    char a[128], a_id[40], b[128], b_id[40], boss[128], boss_id[40], org[40];
    char access_a[AF_TOKEN_MAX], access_boss[AF_TOKEN_MAX], admin[AF_TOKEN_MAX], q[256];
    json_t *doc = NULL, *item, *attrs;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_org(pg, org);
    af_user(pg, "act-a-", 1, 1, a, a_id);
    af_user(pg, "act-b-", 1, 1, b, b_id);
    af_user(pg, "act-boss-", 1, 1, boss, boss_id);
    af_member(pg, a_id, org, "patient");
    af_member(pg, boss_id, org, "admin");
    login_ok(a, access_a, NULL);
    login_ok(b, NULL, NULL);
    login_ok(boss, access_boss, NULL);
    it_admin_token(admin);

    cr_assert(eq(long, af_call("GET", "/v1/user-activities/", access_a, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), (size_t)1));
    item = json_array_get(json_object_get(doc, "data"), 0);
    attrs = json_object_get(item, "attributes");
    cr_assert(eq(str, (char *)af_str(item, "type"), "user-activities"));
    cr_assert(eq(str, (char *)af_str(attrs, "event-type"), "login"));
    cr_assert(eq(str, (char *)af_str(attrs, "user-id"), a_id));
    cr_assert(strlen(af_str(attrs, "timestamp")) == 27);
    cr_assert(it_true(json_is_false(json_object_get(attrs, "carium-employee"))));
    json_decref(doc);

    snprintf(q, sizeof q, "?filter[user-id]=%s", b_id);
    cr_assert(eq(sz, count_activities(q, access_a, 200), (size_t)0), "not another user's");
    cr_assert(eq(sz, count_activities(q, access_boss, 200), (size_t)0), "not outside the org");
    cr_assert(eq(sz, count_activities(q, admin, 200), (size_t)1), "the platform admin");
    snprintf(q, sizeof q, "?filter[user-id]=%s", a_id);
    cr_assert(eq(sz, count_activities(q, access_boss, 200), (size_t)1), "the org admin");
    cr_assert(eq(sz, count_activities("?filter[event-types]=refr", access_a, 200), (size_t)0));
    cr_assert(eq(sz, count_activities("?filter[event-types]=login,refr", access_a, 200),
                 (size_t)1));
    cr_assert(eq(sz, count_activities("?filter[cmp-timestamp]=%3E%3D2999-01-01", access_a, 200),
                 (size_t)0));
    cr_assert(eq(sz,
                 count_activities("?filter[cmp-timestamp]=%3E2000-01-01&"
                                  "filter[cmp-timestamp]=%3C2999-01-01T00:00:00Z",
                                  access_a, 200),
                 (size_t)1));
    cr_assert(eq(sz, count_activities("?page[limit]=1&page[offset]=1", access_a, 200), (size_t)0));
    PQfinish(pg);
}

Test(activities, refuses_bad_parameters)
{
    char user[128], id[40], access[AF_TOKEN_MAX];
    const char *bad[] = {
        "?page[limit]=1001",
        "?page[limit]=0",
        "?page[offset]=-1",
        "?filter[event-types]=logout",
        "?filter[event-types]=",
        "?filter[cmp-timestamp]=2024-01-01",
        "?filter[cmp-timestamp]=%3E1&filter[cmp-timestamp]=%3C2",
        "?filter[cmp-timestamp]=%3E2000-01-01&filter[cmp-timestamp]=%3E2000-01-01&"
        "filter[cmp-timestamp]=%3E2000-01-01",
        "?filter[user-id]=nope",
        "?filter[exclude-carium-activity]=perhaps",
        "?bogus=1",
    };
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "act-bad-", 1, 1, user, id);
    login_ok(user, access, NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        count_activities(bad[i], access, 400);
    count_activities("", NULL, 401);
    PQfinish(pg);
}
