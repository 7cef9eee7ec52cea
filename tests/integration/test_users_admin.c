/* test_users_admin.c: a user's credentials and standing (suite users_admin):
 * change-password with its policy, old-password check and session
 * revocation, disable (the user's tokens refused by the edge within a
 * second) and enable (which also lifts a login lock). Fixtures come from
 * test_users.c (test_users_fixtures.h). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "test_users_fixtures.h"

TestSuite(users_admin, .timeout = 60);

/* Polls GET /v1/users/{id}/ with token until it answers want, at most ms.
 * Returns the last status. */
static long poll_read(const char *token, const char *id, long want, double ms)
{
    double until = it_now_ms() + ms;
    long status;

    do {
        struct it_resp r;
        ut_call(&r, "GET", token, NULL, "/v1/users/%s/", id);
        status = r.status;
        it_resp_release(&r);
        if (status == want)
            break;
        usleep(50 * 1000);
    } while (it_now_ms() < until);
    return status;
}

/* Logs username in with password and reads id with the new token, retrying
 * for up to ms: a token issued in the second of a revocation is refused
 * (the edge compares whole seconds). Returns the login status. */
static long login_and_read(const char *username, const char *password, const char *id, double ms)
{
    double until = it_now_ms() + ms;
    char token[4097];
    long status;

    do {
        status = it_login(username, password, NULL, token, NULL);
        if (status != 201 || poll_read(token, id, 200, 0) == 200)
            return status;
        usleep(100 * 1000);
    } while (it_now_ms() < until);
    return -1;
}

static char *pg_value1(const char *sql, const char *param)
{
    PGconn *pg = it_pg();
    const char *params[1] = {param};
    char *v = it_pg_value(pg, sql, 1, params);
    PQfinish(pg);
    return v;
}

/* ---- change-password (#150) ---- */

/* Bodies refused and the pointer each names. */
static const char *const bad_passwords[][3] = {
    {"{\"old-password\": \"" UT_PASSWORD "\"}", "400", "/new-password"},
    {"{\"new-password\": \"" UT_PASSWORD2 "\"}", "400", "/old-password"},
    {"{\"new-password\": \"password\", \"old-password\": \"" UT_PASSWORD "\"}", "400",
     "/new-password"},
    {"{\"new-password\": 12, \"old-password\": \"" UT_PASSWORD "\"}", "400", "/new-password"},
    {"{\"new-password\": \"" UT_PASSWORD2 "\", \"old-password\": \"" UT_PASSWORD
     "\", \"maintain-active-sessions\": \"yes\"}",
     "400", "/maintain-active-sessions"},
    {"{\"new-password\": \"" UT_PASSWORD2 "\", \"old-password\": \"" UT_PASSWORD
     "\", \"extra\": 1}",
     "400", "/extra"},
    {"[1]", "400", ""},
    {"{\"new-password\": \"" UT_PASSWORD2 "\", \"old-password\": \"Wrong-Pass-123!\"}", "403",
     "/old-password"},
};

ParameterizedTestParameters(users_admin, change_password_refuses_bad_bodies)
{
    IT_INDEX_PARAMS(bad_passwords);
}

ParameterizedTest(size_t *i, users_admin, change_password_refuses_bad_bodies)
{
    char org[UT_ID_LEN];
    struct ut_user u;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, NULL, &u);
    ut_call(&r, "POST", u.token, bad_passwords[*i][0], "/v1/users/%s/change-password/", u.id);
    ut_assert_error(&r, strtol(bad_passwords[*i][1], NULL, 10), bad_passwords[*i][2]);
    it_resp_release(&r);
    /* nothing changed: the password still works, the token too */
    cr_assert(eq(long, poll_read(u.token, u.id, 200, 0), 200));
    cr_assert(eq(long, it_login(u.username, UT_PASSWORD, NULL, NULL, NULL), 201));
}

/* Wrong old passwords count as failed logins: change-password is no way
 * round the login throttle. */
Test(users_admin, change_password_wrong_old_passwords_are_throttled)
{
    static const char body[] =
        "{\"new-password\": \"" UT_PASSWORD2 "\", \"old-password\": \"Wrong-Pass-123!\"}";
    char org[UT_ID_LEN];
    struct ut_user u;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, NULL, &u);
    for (int i = 0; i < 5; i++) {
        ut_call(&r, "POST", u.token, body, "/v1/users/%s/change-password/", u.id);
        ut_assert_error(&r, 403, "/old-password");
        it_resp_release(&r);
    }
    ut_call(&r, "POST", u.token, body, "/v1/users/%s/change-password/", u.id);
    ut_assert_error(&r, 429, NULL);
    it_resp_release(&r);
    cr_assert(eq(long, it_login(u.username, UT_PASSWORD, NULL, NULL, NULL), 429),
              "the same record as login's");
}

Test(users_admin, change_password_keeps_sessions_only_when_asked)
{
    char org[UT_ID_LEN];
    struct ut_user u;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, NULL, &u);
    ut_call(&r, "POST", u.token,
            "{\"new-password\": \"" UT_PASSWORD2 "\", \"old-password\": \"" UT_PASSWORD
            "\", \"maintain-active-sessions\": true}",
            "/v1/users/%s/change-password/", u.id);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    cr_assert(eq(str, r.body, "null"));
    it_resp_release(&r);
    usleep(300 * 1000);
    cr_assert(eq(long, poll_read(u.token, u.id, 200, 0), 200), "session kept");
    /* and back, this time revoking every session */
    ut_call(&r, "POST", u.token,
            "{\"new-password\": \"" UT_PASSWORD "\", \"old-password\": \"" UT_PASSWORD2 "\"}",
            "/v1/users/%s/change-password/", u.id);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    it_resp_release(&r);
    cr_assert(eq(long, poll_read(u.token, u.id, 401, 1000), 401), "token refused within 1 s");
    cr_assert(it_login(u.username, UT_PASSWORD2, NULL, NULL, NULL) != 201, "old password");
    cr_assert(eq(long, login_and_read(u.username, UT_PASSWORD, u.id, 2500), 201));
    cr_assert(eq(long, ut_outbox_count("evt.identity.user.password_changed", u.id), 2));
    cr_assert(eq(long, ut_outbox_count("evt.identity.session.revoked", u.id), 1));
}

Test(users_admin, the_platform_admin_sets_a_password_without_the_old_one)
{
    char org[UT_ID_LEN], admin[4097];
    struct ut_user u, orgadmin;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, NULL, &u);
    ut_account(org, "admin", &orgadmin);
    /* an organization admin still needs the old password */
    ut_call(&r, "POST", orgadmin.token, "{\"new-password\": \"" UT_PASSWORD2 "\"}",
            "/v1/users/%s/change-password/", u.id);
    ut_assert_error(&r, 400, "/old-password");
    it_resp_release(&r);
    it_admin_token(admin);
    ut_call(&r, "POST", admin,
            "{\"new-password\": \"" UT_PASSWORD2 "\", \"context\": \"carium-support\"}",
            "/v1/users/%s/change-password/", u.id);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    it_resp_release(&r);
    cr_assert(eq(long, login_and_read(u.username, UT_PASSWORD2, u.id, 2500), 201));
}

/* ---- disable (#153) and enable (#154) ---- */

Test(users_admin, disable_refuses_the_users_tokens_at_once_and_enable_restores)
{
    char org[UT_ID_LEN];
    struct ut_user admin, u;
    struct it_resp r;
    json_t *a;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &admin);
    ut_account(org, NULL, &u);
    cr_assert(eq(long, poll_read(u.token, u.id, 200, 0), 200));
    ut_call(&r, "POST", admin.token, "{}", "/v1/users/%s/disable/", u.id);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    a = ut_attrs_of(&r);
    cr_assert(it_true(json_is_false(json_object_get(a, "enabled"))));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "state")), "disabled"));
    json_decref(a);
    it_resp_release(&r);
    cr_assert(eq(long, poll_read(u.token, u.id, 401, 1000), 401), "token refused within 1 s");
    cr_assert(it_login(u.username, UT_PASSWORD, NULL, NULL, NULL) != 201, "disabled login");
    cr_assert(eq(long, ut_outbox_count("evt.identity.user.disabled", u.id), 1));
    cr_assert(eq(long, ut_outbox_count("evt.identity.session.revoked", u.id), 1));

    ut_call(&r, "POST", admin.token, "", "/v1/users/%s/enable/", u.id);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    a = ut_attrs_of(&r);
    cr_assert(it_true(json_is_true(json_object_get(a, "enabled"))));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "state")), "registered"));
    json_decref(a);
    it_resp_release(&r);
    cr_assert(eq(long, login_and_read(u.username, UT_PASSWORD, u.id, 2500), 201));
    cr_assert(eq(long, ut_outbox_count("evt.identity.user.enabled", u.id), 1));
}

Test(users_admin, enable_lifts_a_login_lock)
{
    char org[UT_ID_LEN], *v;
    struct ut_user admin, u;
    struct it_resp r;
    json_t *a;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "admin", &admin);
    ut_account(org, NULL, &u);
    /* locked for the address the tests come from (login_throttle.h) */
    free(pg_value1("INSERT INTO identity.login_attempts_pair (addr, username, failures, "
                   "last_failure_at, locked_until) VALUES ('127.0.0.1', $1, 10, now(), "
                   "now() + interval '1 hour') ON CONFLICT (addr, username) DO UPDATE "
                   "SET failures = 10, locked_until = now() + interval '1 hour' RETURNING 'ok'",
                   u.username));
    ut_call(&r, "GET", admin.token, NULL, "/v1/users/%s/", u.id);
    cr_assert(eq(long, r.status, 200), "%s", r.body);
    a = ut_attrs_of(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "status")), "locked"));
    cr_assert(it_true(json_is_string(json_object_get(a, "locked-until"))), "admins see locks");
    json_decref(a);
    it_resp_release(&r);
    cr_assert(it_login(u.username, UT_PASSWORD, NULL, NULL, NULL) != 201, "locked");
    ut_call(&r, "POST", admin.token, "{}", "/v1/users/%s/enable/", u.id);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    a = ut_attrs_of(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "status")), "active"));
    cr_assert(it_true(json_is_null(json_object_get(a, "locked-until"))));
    json_decref(a);
    it_resp_release(&r);
    v = pg_value1("SELECT count(*)::text FROM identity.login_attempts_pair WHERE username = $1",
                  u.username);
    cr_assert(eq(str, v, "0"));
    free(v);
    cr_assert(eq(long, it_login(u.username, UT_PASSWORD, NULL, NULL, NULL), 201));
}

Test(users_admin, disable_and_enable_are_for_admins_of_the_user)
{
    char org1[UT_ID_LEN], org2[UT_ID_LEN], admin[4097];
    struct ut_user orgadmin, u, plain, other_admin;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org1);
    ut_org(org2);
    ut_account(org1, "admin", &orgadmin);
    ut_account(org1, NULL, &u);
    ut_account(org1, NULL, &plain);
    ut_account(org2, "admin", &other_admin);
    /* nobody disables themselves */
    ut_call(&r, "POST", orgadmin.token, "{}", "/v1/users/%s/disable/", orgadmin.id);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    ut_call(&r, "POST", u.token, "{}", "/v1/users/%s/disable/", u.id);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    /* a plain user, another organization's admin, an unknown id: 404 */
    ut_call(&r, "POST", plain.token, "{}", "/v1/users/%s/disable/", u.id);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    ut_call(&r, "POST", other_admin.token, "{}", "/v1/users/%s/disable/", u.id);
    ut_assert_error(&r, 404, NULL);
    cr_assert(strstr(r.body, u.username) == NULL);
    it_resp_release(&r);
    ut_call(&r, "POST", other_admin.token, "{}", "/v1/users/%s/enable/", u.id);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    ut_call(&r, "POST", orgadmin.token, "{}",
            "/v1/users/00000000-0000-4000-8000-000000000000/disable/");
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    /* the body is {} */
    ut_call(&r, "POST", orgadmin.token, "{\"enabled\": false}", "/v1/users/%s/disable/", u.id);
    ut_assert_error(&r, 400, "/enabled");
    it_resp_release(&r);
    ut_call(&r, "POST", orgadmin.token, "nope", "/v1/users/%s/disable/", u.id);
    ut_assert_error(&r, 400, NULL);
    it_resp_release(&r);
    cr_assert(eq(long, poll_read(u.token, u.id, 200, 0), 200), "still enabled");
    /* no credentials */
    ut_call(&r, "POST", NULL, "{}", "/v1/users/%s/disable/", u.id);
    ut_assert_error(&r, 401, NULL);
    it_resp_release(&r);
    /* the platform admin may */
    it_admin_token(admin);
    ut_call(&r, "POST", admin, "{}", "/v1/users/%s/disable/", u.id);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    it_resp_release(&r);
    ut_call(&r, "POST", admin, "{}", "/v1/users/%s/enable/", u.id);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    it_resp_release(&r);
}
