/* test_sign_up.c: POST /v1/sign-up/ (#129) and POST /v1/confirm-sign-up/
 * (#17) through the edge: the code sent through messaging's spool, stored
 * only hashed and never logged; wrong, exhausted and expired codes; login on
 * confirmation; bad bodies refused with a pointer and nothing changed. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "it_onboarding.h"

TestSuite(sign_up, .timeout = 60, .init = ob_clear_addr_limit);

/* An organization and a code of it, made by the platform admin. */
struct fixture {
    char admin[OB_TOKEN_MAX];
    char org_id[37];
    char code[65];
};

static void make_fixture(struct fixture *f)
{
    it_admin_token(f->admin);
    ob_create_org(f->admin, f->org_id, NULL);
    ob_create_code(f->admin, f->org_id, NULL, f->code);
}

/* A fresh username that is an email address, into out (128 bytes). */
static void fresh_email(char *out, const char *prefix)
{
    char u[96];
    it_unique(u, sizeof u, prefix);
    snprintf(out, 128, "%s@example.com", u);
}

/* Value of a column of onboarding.sign_up_requests for username. */
static char *request_column(const char *username, const char *expr)
{
    char sql[256];
    const char *params[1] = {username};
    PGconn *pg = it_pg();
    char *v;

    snprintf(sql, sizeof sql,
             "SELECT (%s)::text FROM onboarding.sign_up_requests WHERE username = lower($1)",
             expr);
    v = it_pg_value(pg, sql, 1, params);
    PQfinish(pg);
    return v;
}

/* --- bad bodies: refused before anything happens --- */

static const struct {
    const char *body;
    const char *pointer;
} bad_bodies[] = {
    {"{}", "/first-name"},
    {"{\"first-name\": \"A\", \"last-name\": \"L\", \"password\": \"x\", \"username\": \"u\"}",
     "/organization-code"},
    {"{\"first-name\": 1, \"last-name\": \"L\", \"organization-code\": \"c\", \"password\": \"x\", "
     "\"username\": \"u@example.com\"}",
     "/first-name"},
    {"{\"first-name\": \"A\", \"last-name\": \"L\", \"organization-code\": \"c\", \"password\": "
     "\"x\", \"username\": \"u@example.com\", \"role\": \"admin\"}",
     "/role"},
    {"{\"first-name\": \"A\", \"last-name\": \"L\", \"organization-code\": \"c\", \"password\": "
     "\"x\", \"username\": \"u@example.com\", \"gender\": \"robot\"}",
     "/gender"},
    {"{\"first-name\": \"A\", \"last-name\": \"L\", \"organization-code\": \"c\", \"password\": "
     "\"x\", \"username\": \"u@example.com\", \"locale\": \"fr_FR\"}",
     "/locale"},
    {"{\"first-name\": \"A\", \"last-name\": \"L\", \"organization-code\": \"c\", \"password\": "
     "\"x\", \"username\": \"u@example.com\", \"birth-date\": \"2001-02-30\"}",
     "/birth-date"},
    {"{\"first-name\": \"A\", \"last-name\": \"L\", \"organization-code\": \"c\", \"password\": "
     "\"x\", \"username\": \"u@example.com\", \"email\": \"not an address\"}",
     "/email"},
    {"{\"first-name\": \"A\", \"last-name\": \"L\", \"organization-code\": \"c\", \"password\": "
     "\"x\", \"username\": \"u@example.com\", \"source\": \"fax\"}",
     "/source"},
    {"{\"first-name\": \"A\", \"last-name\": \"L\", \"organization-code\": \"c\", \"password\": "
     "\"x\", \"username\": \"u@example.com\", \"notifications\": [\"email\", \"pigeon\"]}",
     "/notifications"},
    {"{\"first-name\": \"A\", \"last-name\": \"L\", \"organization-code\": \"c\", \"password\": "
     "\"x\", \"username\": \"u@example.com\", \"enrollment-data\": [1]}",
     "/enrollment-data"},
    {"{\"first-name\": \"A\", \"last-name\": \"L\", \"organization-code\": \"c\", \"password\": "
     "\"x\", \"username\": \"u@example.com\", \"tz\": \"../../etc\"}",
     "/tz"},
    {"{\"first-name\": \"A\", \"last-name\": \"L\", \"organization-code\": \"c\", \"password\": "
     "\"x\", \"username\": \"u@example.com\", \"contact-phone-mobile\": \"555\"}",
     "/contact-phone-mobile"},
    {"{\"first-name\": \"A\", \"last-name\": \"L\", \"organization-code\": \"c\", \"password\": "
     "\"x\", \"username\": \"u@example.com\", \"auto-sign-up\": \"yes\"}",
     "/auto-sign-up"},
    {"{\"first-name\": \"A\", \"last-name\": \"L\", \"organization-code\": \"c\", \"password\": "
     "\"x\", \"username\": \"no-address\"}",
     "/email"},
    {"{\"first-name\": \"A\", \"last-name\": \"L\", \"organization-code\": \"c\", \"password\": "
     "\"x\", \"username\": \"u@example.com\", \"source\": \"sms\"}",
     "/contact-phone-mobile"},
    {"{\"first-name\": \"A\"", ""},
    {"[]", ""},
};

ParameterizedTestParameters(sign_up, refuses_bad_bodies_with_a_pointer)
{
    IT_INDEX_PARAMS(bad_bodies);
}

ParameterizedTest(size_t *i, sign_up, refuses_bad_bodies_with_a_pointer)
{
    struct it_resp r;
    char pointer[128];

    IT_REQUIRE_STACK();
    it_call_token(&r, "POST", "/v1/sign-up/", NULL, bad_bodies[*i].body);
    it_assert_error_style(&r, "jsonapi", 400);
    ob_error_pointer(&r, pointer);
    cr_assert(eq(str, pointer, (char *)bad_bodies[*i].pointer), "case %zu: %s", *i, r.body);
    it_resp_release(&r);
}

static const struct {
    const char *body;
    const char *pointer;
} bad_confirms[] = {
    {"{}", "/confirmation-code"},
    {"{\"confirmation-code\": \"123456\"}", "/username"},
    {"{\"confirmation-code\": \"123456789012345678901\", \"username\": \"u\"}",
     "/confirmation-code"},
    {"{\"confirmation-code\": 123456, \"username\": \"u\"}", "/confirmation-code"},
    {"{\"confirmation-code\": \"123456\", \"username\": \"u\", \"login\": \"true\"}", "/login"},
    {"{\"confirmation-code\": \"123456\", \"username\": \"u\", \"tz\": \"not a zone\"}", "/tz"},
    {"{\"confirmation-code\": \"123456\", \"username\": \"u\", \"extra\": 1}", "/extra"},
    {"{\"confirmation-code\": \"123456\", \"username\": \"nobody-at-all\"}", "/confirmation-code"},
};

ParameterizedTestParameters(sign_up, refuses_bad_confirmations_with_a_pointer)
{
    IT_INDEX_PARAMS(bad_confirms);
}

ParameterizedTest(size_t *i, sign_up, refuses_bad_confirmations_with_a_pointer)
{
    struct it_resp r;
    char pointer[128];

    IT_REQUIRE_STACK();
    it_call_token(&r, "POST", "/v1/confirm-sign-up/", NULL, bad_confirms[*i].body);
    it_assert_error_style(&r, "jsonapi", 400);
    ob_error_pointer(&r, pointer);
    cr_assert(eq(str, pointer, (char *)bad_confirms[*i].pointer), "case %zu: %s", *i, r.body);
    it_resp_release(&r);
}

Test(sign_up, refuses_an_unknown_code_with_404)
{
    struct it_resp r;
    char pointer[128];
    json_t *body = ob_sign_up_body("no-such-code-anywhere", "someone@example.com", NULL);

    IT_REQUIRE_STACK();
    ob_post_json(&r, "/v1/sign-up/", NULL, body);
    json_decref(body);
    it_assert_error_style(&r, "jsonapi", 404);
    ob_error_pointer(&r, pointer);
    cr_assert(eq(str, pointer, "/organization-code"));
    it_resp_release(&r);
}

/* --- the journey's pieces --- */

Test(sign_up, sends_a_code_that_confirms_and_logs_in)
{
    struct fixture f;
    struct it_resp r;
    char user[128], code[16], *hash_len, *state;
    json_t *doc;

    IT_REQUIRE_STACK();
    make_fixture(&f);
    fresh_email(user, "su-");
    ob_sign_up_and_get_code(f.code, user, code);
    hash_len = request_column(user, "length(code_hash)");
    state = request_column(user, "state");
    cr_assert(eq(str, hash_len, "32"), "the code is kept as a 32-byte hash");
    cr_assert(eq(str, state, "init"));
    free(hash_len);
    free(state);

    cr_assert(eq(long, ob_confirm(&r, user, code, 1), 201), "%s", r.body);
    doc = it_json(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "account-type")), "patient"));
    cr_assert(it_true(json_is_null(json_object_get(doc, "login-error"))), "%s", r.body);
    cr_assert(json_string_length(json_object_get(doc, "access-token")) > 0, "%s", r.body);
    json_decref(doc);
    it_resp_release(&r);
    state = request_column(user, "state || ' ' || (code_hash IS NULL)::text");
    cr_assert(eq(str, state, "registered true"));
    free(state);

    /* a second confirmation: refused like any wrong code (no hint that the
     * username exists) */
    cr_assert(eq(long, ob_confirm(&r, user, code, 0), 400), "%s", r.body);
    it_resp_release(&r);
}

Test(sign_up, confirms_without_login)
{
    struct fixture f;
    struct it_resp r;
    char user[128], code[16];
    json_t *doc;

    IT_REQUIRE_STACK();
    make_fixture(&f);
    fresh_email(user, "nolog-");
    ob_sign_up_and_get_code(f.code, user, code);
    cr_assert(eq(long, ob_confirm(&r, user, code, 0), 201), "%s", r.body);
    doc = it_json(&r);
    cr_assert(json_object_get(doc, "access-token") == NULL, "%s", r.body);
    cr_assert(it_true(json_is_null(json_object_get(doc, "login-error"))));
    cr_assert(json_string_length(json_object_get(doc, "account-type")) > 0);
    json_decref(doc);
    it_resp_release(&r);
    /* and the password works */
    cr_assert(eq(long, it_login(user, OB_PASSWORD, NULL, NULL, NULL), 201));
}

Test(sign_up, five_wrong_codes_invalidate_it_until_a_new_sign_up)
{
    struct fixture f;
    struct it_resp r;
    char user[128], code[16], wrong[16], pointer[128], again[16];

    IT_REQUIRE_STACK();
    make_fixture(&f);
    fresh_email(user, "wrong-");
    ob_sign_up_and_get_code(f.code, user, code);
    snprintf(wrong, sizeof wrong, "%06d", (atoi(code) + 1) % 1000000);
    for (int i = 0; i < 5; i++) {
        cr_assert(eq(long, ob_confirm(&r, user, wrong, 0), 400), "%s", r.body);
        it_assert_error_style(&r, "jsonapi", 400);
        ob_error_pointer(&r, pointer);
        cr_assert(eq(str, pointer, "/confirmation-code"));
        it_resp_release(&r);
    }
    /* the right code no longer works, and says why */
    cr_assert(eq(long, ob_confirm(&r, user, code, 0), 400), "%s", r.body);
    cr_assert(strstr(r.body, "sign up again") != NULL, "%s", r.body);
    it_resp_release(&r);
    /* a new sign-up sends a new code, which works */
    ob_sign_up_and_get_code(f.code, user, again);
    cr_assert(eq(long, ob_confirm(&r, user, again, 0), 201), "%s", r.body);
    it_resp_release(&r);
}

Test(sign_up, refuses_an_expired_confirmation_code)
{
    struct fixture f;
    struct it_resp r;
    char user[128], code[16];
    const char *params[1] = {user};
    PGconn *pg;

    IT_REQUIRE_STACK();
    make_fixture(&f);
    fresh_email(user, "late-");
    ob_sign_up_and_get_code(f.code, user, code);
    pg = it_pg();
    free(it_pg_value(pg,
                     "UPDATE onboarding.sign_up_requests SET code_expires_at = now() - "
                     "interval '1 second' WHERE username = lower($1) RETURNING 1",
                     1, params));
    PQfinish(pg);
    cr_assert(eq(long, ob_confirm(&r, user, code, 0), 400), "%s", r.body);
    cr_assert(strstr(r.body, "expired") != NULL, "%s", r.body);
    it_resp_release(&r);
}

Test(sign_up, refuses_an_expired_organization_code_with_400)
{
    struct fixture f;
    struct it_resp r;
    char code[65], pointer[128];
    json_t *body;

    IT_REQUIRE_STACK();
    it_admin_token(f.admin);
    ob_create_org(f.admin, f.org_id, NULL);
    ob_create_code(f.admin, f.org_id, "2001-01-01T00:00:00Z", code);
    body = ob_sign_up_body(code, "expired-code@example.com", NULL);
    ob_post_json(&r, "/v1/sign-up/", NULL, body);
    json_decref(body);
    it_assert_error_style(&r, "jsonapi", 400);
    ob_error_pointer(&r, pointer);
    cr_assert(eq(str, pointer, "/organization-code"));
    it_resp_release(&r);
}

Test(sign_up, refuses_a_weak_password_at_password)
{
    struct fixture f;
    struct it_resp r;
    char user[128], pointer[128];
    json_t *body;

    IT_REQUIRE_STACK();
    make_fixture(&f);
    fresh_email(user, "weak-");
    body = ob_sign_up_body(f.code, user, NULL);
    json_object_set_new(body, "password", json_string("password"));
    ob_post_json(&r, "/v1/sign-up/", NULL, body);
    json_decref(body);
    it_assert_error_style(&r, "jsonapi", 400);
    ob_error_pointer(&r, pointer);
    cr_assert(eq(str, pointer, "/password"), "%s", r.body);
    it_resp_release(&r);
    cr_assert(it_spool_wait(user, NULL, 300) == NULL, "nothing was sent");
}

Test(sign_up, refuses_a_taken_username_with_409)
{
    struct fixture f;
    struct it_resp r;
    char user[128], code[16], pointer[128], *n;
    const char *p[] = {user};
    json_t *body;
    PGconn *pg;

    IT_REQUIRE_STACK();
    make_fixture(&f);
    fresh_email(user, "taken-");
    ob_sign_up_and_get_code(f.code, user, code);
    cr_assert(eq(long, ob_confirm(&r, user, code, 0), 201), "%s", r.body);
    it_resp_release(&r);
    body = ob_sign_up_body(f.code, user, NULL);
    ob_post_json(&r, "/v1/sign-up/", NULL, body);
    json_decref(body);
    it_assert_error_style(&r, "jsonapi", 409);
    ob_error_pointer(&r, pointer);
    cr_assert(eq(str, pointer, "/username"), "%s", r.body);
    cr_assert(strstr(r.body, "\"code\":\"conflict\"") != NULL, "%s", r.body);
    cr_assert(strstr(r.body, "this username is taken") != NULL, "%s", r.body);
    it_resp_release(&r);
    pg = it_pg();
    n = it_pg_value(pg, "SELECT count(*)::text FROM identity.users WHERE username = lower($1)", 1,
                    p);
    PQfinish(pg);
    cr_assert(eq(str, n, "1"), "one account for the username");
    free(n);
}

Test(sign_up, sends_by_sms_when_asked)
{
    struct fixture f;
    struct it_resp r;
    char user[128], phone[32], code[16];
    json_t *body, *msg;

    IT_REQUIRE_STACK();
    make_fixture(&f);
    fresh_email(user, "sms-");
    snprintf(phone, sizeof phone, "+1555%07u", (unsigned)(it_now_ms() * 1000) % 10000000u);
    body = ob_sign_up_body(f.code, user, NULL);
    json_object_set_new(body, "source", json_string("sms"));
    json_object_set_new(body, "contact-phone-mobile", json_string(phone));
    ob_sign_up_ok(body);
    json_decref(body);
    msg = it_spool_wait(phone, "sign-up-code", 5000);
    cr_assert(msg != NULL);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(msg, "channel")), "sms"));
    it_spool_code(msg, code, sizeof code);
    json_decref(msg);
    cr_assert(eq(long, ob_confirm(&r, user, code, 0), 201), "%s", r.body);
    it_resp_release(&r);
}

Test(sign_up, keeps_codes_out_of_logs_and_announces_events)
{
    struct fixture f;
    struct it_resp r;
    char user[128], code[16], path[1024], line[8192], *events;
    const char *logs[] = {"onboarding", "messaging", "identity", "edge"};
    PGconn *pg;
    FILE *fp;

    IT_REQUIRE_STACK();
    make_fixture(&f);
    fresh_email(user, "quiet-");
    ob_sign_up_and_get_code(f.code, user, code);
    cr_assert(eq(long, ob_confirm(&r, user, code, 0), 201), "%s", r.body);
    it_resp_release(&r);
    for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
        snprintf(path, sizeof path, "%s/log/%s.log", it_env("TEST_VAR_DIR"), logs[i]);
        fp = fopen(path, "r");
        cr_assert(fp != NULL, "%s", path);
        while (fgets(line, sizeof line, fp)) {
            char *p = line;
            while ((p = strstr(p, code))) { /* the code, not inside an id or a number */
                int inside = (p > line && isalnum((unsigned char)p[-1])) ||
                             isalnum((unsigned char)p[6]);
                cr_assert(inside, "the code is in %s.log: %s", logs[i], line);
                p += 6;
            }
            cr_assert(strstr(line, OB_PASSWORD) == NULL, "the password is in %s.log", logs[i]);
        }
        fclose(fp);
    }
    pg = it_pg();
    events = it_pg_value(pg,
                         "SELECT string_agg(DISTINCT subject, ' ' ORDER BY subject) FROM "
                         "onboarding.outbox WHERE subject LIKE 'evt.onboarding.%'",
                         0, NULL);
    PQfinish(pg);
    cr_assert(events != NULL);
    cr_assert(strstr(events, "evt.onboarding.sign_up.created") != NULL, "%s", events);
    cr_assert(strstr(events, "evt.onboarding.sign_up.confirmed") != NULL, "%s", events);
    cr_assert(strstr(events, "evt.onboarding.organization_code.created") != NULL, "%s", events);
    free(events);
}
