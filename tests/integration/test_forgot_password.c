/* test_forgot_password.c: POST /v1/forgot-password/ (not in the seed) and
 * POST /v1/confirm-forgot-password/ (#16) through the edge, with the code
 * read from messaging's spool. Suite: forgot_password. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "harness.h"

TestSuite(forgot_password, .timeout = 60);

#define NEW_PASSWORD "Amber-Lantern-4096?"

static long forgot(const char *username, const char *source)
{
    char body[300];
    json_t *doc = NULL;
    long status;

    if (source)
        snprintf(body, sizeof body, "{\"username\": \"%s\", \"source\": \"%s\"}", username,
                 source);
    else
        snprintf(body, sizeof body, "{\"username\": \"%s\"}", username);
    status = af_call("POST", "/v1/forgot-password/", NULL, body, &doc);
    if (status == 201) {
        cr_assert(it_true(json_is_null(json_object_get(doc, "data"))));
        cr_assert(it_true(json_is_object(json_object_get(doc, "meta"))));
    }
    json_decref(doc);
    return status;
}

/* Asks for a code for username and reads it from the spool (sent to `to`). */
static void code_for(const char *username, const char *to, const char *source, char *code)
{
    json_t *msg;

    cr_assert(eq(long, forgot(username, source), 201));
    msg = it_spool_wait(to, "reset-code", 5000);
    cr_assert(msg != NULL, "no reset code was sent to %s", to);
    it_spool_code(msg, code, 16);
    cr_assert(eq(sz, strlen(code), (size_t)6));
    json_decref(msg);
}

static long confirm(const char *username, const char *code, const char *password, int login,
                    json_t **doc)
{
    char body[400];

    snprintf(body, sizeof body,
             "{\"username\": \"%s\", \"confirmation-code\": \"%s\", \"password\": \"%s\", "
             "\"login\": %s, \"source\": \"email\"}",
             username, code, password, login ? "true" : "false");
    return af_call("POST", "/v1/confirm-forgot-password/", NULL, body, doc);
}

/* POST /v1/forgot-password/ for username with source (NULL: none) into r
 * (caller releases). */
static void forgot_raw(struct it_resp *r, const char *username, const char *source)
{
    char body[300];

    if (source)
        snprintf(body, sizeof body, "{\"username\": \"%s\", \"source\": \"%s\"}", username,
                 source);
    else
        snprintf(body, sizeof body, "{\"username\": \"%s\"}", username);
    it_call_token(r, "POST", "/v1/forgot-password/", NULL, body);
}

/* The caller cannot tell a known username from an unknown one: the same
 * status, type and document, while only the known one is sent a code. */
Test(forgot_password, an_unknown_username_gets_the_same_answer)
{
    const char *sources[] = {NULL, "email", "sms"};
    char user[128], id[40], name[128];
    struct it_resp known, unknown;
    json_t *kdoc, *udoc, *want = json_pack("{s:n, s:{}}", "data", "meta"), *msg;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "forgot-same-", 1, 1, user, id);
    PQfinish(pg);
    it_unique(name, sizeof name, "nobody-");
    for (size_t i = 0; i < sizeof sources / sizeof *sources; i++) {
        const char *src = sources[i] ? sources[i] : "(none)";

        forgot_raw(&known, user, sources[i]);
        forgot_raw(&unknown, name, sources[i]);
        cr_assert(eq(long, known.status, 201), "known, source %s: %s", src, known.body);
        cr_assert(eq(long, unknown.status, 201), "unknown, source %s: %s", src, unknown.body);
        cr_assert(eq(str, (char *)it_header_str(&unknown, "Content-Type"),
                     (char *)it_header_str(&known, "Content-Type")), "source %s", src);
        kdoc = it_json(&known);
        udoc = it_json(&unknown);
        cr_assert(it_true(json_equal(kdoc, want)), "known, source %s: %s", src, known.body);
        cr_assert(it_true(json_equal(udoc, want)), "unknown, source %s: %s", src, unknown.body);
        json_decref(kdoc);
        json_decref(udoc);
        it_resp_release(&known);
        it_resp_release(&unknown);
    }
    json_decref(want);
    /* the known user's code arrives; by then none went to the unknown name */
    msg = it_spool_wait(user, "reset-code", 5000);
    cr_assert(msg != NULL, "no reset code was sent to the known user");
    json_decref(msg);
    cr_assert(it_spool_wait(name, NULL, 500) == NULL, "a message went to an unknown username");
}

Test(forgot_password, the_code_resets_the_password_and_revokes_sessions)
{
    char user[128], id[40], code[16];
    const char *params[1] = {id};
    json_t *doc = NULL, *login = NULL;
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "forgot-", 1, 1, user, id);
    cr_assert(eq(long, af_login(user, AF_PASSWORD, NULL, &login), 201));
    /* a failed login, cleared by the reset */
    cr_assert(eq(long, af_login(user, "Not-The-Password-1", NULL, NULL), 401));
    code_for(user, user, NULL, code);
    v = it_pg_value(pg,
                    "SELECT (count(*) = 1)::text FROM identity.reset_codes "
                    "WHERE user_id = $1::uuid AND length(code_hash) = 32",
                    1, params);
    cr_assert(eq(str, v, "true"), "the code is stored hashed");
    free(v);

    cr_assert(eq(long, confirm(user, code, "password", 0, &doc), 400), "a weak password");
    af_error(doc, 400, "/password");
    json_decref(doc);
    cr_assert(eq(long, confirm(user, code, NEW_PASSWORD, 0, &doc), 201));
    cr_assert(it_true(json_is_null(json_object_get(doc, "login-error"))));
    cr_assert(it_true(json_object_get(doc, "access-token") == NULL), "no login asked");
    json_decref(doc);

    cr_assert(eq(long, af_login(user, AF_PASSWORD, NULL, NULL), 401), "the old password");
    cr_assert(eq(long, af_login(user, NEW_PASSWORD, NULL, NULL), 201), "the new password");
    {
        char body[128];
        snprintf(body, sizeof body, "{\"refresh-token\": \"%s\"}", af_str(login, "refresh-token"));
        cr_assert(eq(long, af_call("POST", "/v1/refresh-token/", NULL, body, NULL), 401),
                  "sessions from before the reset are revoked");
    }
    cr_assert(eq(long, confirm(user, code, NEW_PASSWORD, 0, &doc), 400), "a code works once");
    af_error(doc, 400, "/confirmation-code");
    json_decref(doc);
    json_decref(login);
    PQfinish(pg);
}

Test(forgot_password, confirm_with_login_returns_working_tokens)
{
    char user[128], id[40], code[16];
    json_t *doc = NULL;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "forgot-login-", 1, 1, user, id);
    code_for(user, user, "email", code);
    cr_assert(eq(long, confirm(user, code, NEW_PASSWORD, 1, &doc), 201));
    cr_assert(it_true(json_is_null(json_object_get(doc, "login-error"))));
    cr_assert(eq(str, (char *)af_str(doc, "user-id"), id));
    cr_assert(eq(sz, strlen(af_str(doc, "refresh-token")), (size_t)43));
    cr_assert(eq(long, af_call("POST", "/v1/authenticate/", af_str(doc, "access-token"), NULL,
                               NULL),
                 201), "the new access token is not caught by the revocation");
    json_decref(doc);
    PQfinish(pg);
}

/* An account whose sign-up is not confirmed but whose email is verified
 * (codes go only to verified addresses). */
Test(forgot_password, an_unconfirmed_account_resets_but_login_reports_why_not)
{
    char user[128], id[40], code[16];
    const char *params[1] = {id};
    json_t *doc = NULL, *err;
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "forgot-unconf-", 0, 1, user, id);
    v = it_pg_value(pg,
                    "WITH u AS (UPDATE identity.users SET email_verified = true "
                    "WHERE id = $1::uuid) SELECT 'ok'",
                    1, params);
    free(v);
    code_for(user, user, NULL, code);
    cr_assert(eq(long, confirm(user, code, NEW_PASSWORD, 1, &doc), 201));
    err = json_object_get(doc, "login-error");
    cr_assert(eq(int, (int)json_integer_value(json_object_get(err, "status")), 403));
    cr_assert(eq(str, (char *)af_str(err, "detail"), "account not confirmed"));
    cr_assert(it_true(json_object_get(doc, "access-token") == NULL));
    json_decref(doc);
    PQfinish(pg);
}

Test(forgot_password, five_wrong_codes_void_the_code)
{
    char user[128], id[40], code[16], wrong[16];
    json_t *doc = NULL;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "forgot-wrong-", 1, 1, user, id);
    code_for(user, user, NULL, code);
    snprintf(wrong, sizeof wrong, "%06d", (atoi(code) + 1) % 1000000);
    for (int i = 0; i < 5; i++) {
        cr_assert(eq(long, confirm(user, wrong, NEW_PASSWORD, 0, &doc), 400), "try %d", i);
        af_error(doc, 400, "/confirmation-code");
        json_decref(doc);
    }
    cr_assert(eq(long, confirm(user, code, NEW_PASSWORD, 0, &doc), 400), "the code is void");
    json_decref(doc);
    {
        const char *params[1] = {id};
        char *v = it_pg_value(pg,
                              "SELECT void_reason FROM identity.reset_codes "
                              "WHERE user_id = $1::uuid",
                              1, params);
        cr_assert(eq(str, v, "wrong_codes"), "the voided code stays recorded");
        free(v);
    }
    cr_assert(eq(long, af_login(user, AF_PASSWORD, NULL, NULL), 201), "password unchanged");
    PQfinish(pg);
}

/* Asking again within a minute sends nothing and keeps the first code (no
 * mail bombing, and no way to reset the wrong-code count), with the same
 * answer as always. */
Test(forgot_password, a_second_request_within_a_minute_sends_nothing)
{
    char user[128], id[40], code[16], again[16];
    json_t *doc = NULL, *msg;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "forgot-again-", 1, 1, user, id);
    code_for(user, user, NULL, code);
    cr_assert(eq(long, forgot(user, NULL), 201));
    cr_assert(eq(long, forgot(user, "email"), 201));
    usleep(500 * 1000); /* time for a message, were one sent */
    msg = it_spool_wait(user, "reset-code", 1000);
    it_spool_code(msg, again, sizeof again);
    json_decref(msg);
    cr_assert(eq(str, again, code), "no new code was sent");
    cr_assert(eq(long, confirm(user, code, NEW_PASSWORD, 0, &doc), 201), "the first code works");
    json_decref(doc);
    PQfinish(pg);
}

Test(forgot_password, sms_sends_the_code_to_the_phone)
{
    char user[128], id[40], code[16];
    const char *params[1] = {id};
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    af_user(pg, "forgot-sms-", 1, 1, user, id);
    v = it_pg_value(pg,
                    "WITH u AS (UPDATE identity.users SET phone = '+15550100777', "
                    "phone_verified = true "
                    "WHERE id = $1::uuid) SELECT 'ok'",
                    1, params);
    free(v);
    code_for(user, "+15550100777", "sms", code);
    PQfinish(pg);
}

struct bad_reset {
    char path[40];
    char body[200];
    char pointer[32];
};

ParameterizedTestParameters(forgot_password, refuses_bad_bodies)
{
    static struct bad_reset cases[] = {
        {"/v1/forgot-password/", "{}", "/username"},
        {"/v1/forgot-password/", "{\"username\": 1}", "/username"},
        {"/v1/forgot-password/", "{\"username\": \"a\", \"source\": \"fax\"}", "/source"},
        {"/v1/forgot-password/", "{\"username\": \"a\", \"x\": 1}", "/x"},
        {"/v1/forgot-password/", "[]", ""},
        {"/v1/confirm-forgot-password/", "{\"confirmation-code\": \"1\", \"password\": \"p\"}",
         "/username"},
        {"/v1/confirm-forgot-password/", "{\"username\": \"a\", \"password\": \"p\"}",
         "/confirmation-code"},
        {"/v1/confirm-forgot-password/",
         "{\"username\": \"a\", \"confirmation-code\": \"123456789012345678901\", "
         "\"password\": \"p\"}",
         "/confirmation-code"},
        {"/v1/confirm-forgot-password/", "{\"username\": \"a\", \"confirmation-code\": \"1\"}",
         "/password"},
        {"/v1/confirm-forgot-password/",
         "{\"username\": \"a\", \"confirmation-code\": \"1\", \"password\": \"p\", "
         "\"login\": \"yes\"}",
         "/login"},
        {"/v1/confirm-forgot-password/",
         "{\"username\": \"a\", \"confirmation-code\": \"1\", \"password\": \"p\", "
         "\"source\": \"fax\"}",
         "/source"},
        {"/v1/confirm-forgot-password/",
         "{\"username\": \"nobody-at-all\", \"confirmation-code\": \"123456\", "
         "\"password\": \"" NEW_PASSWORD "\"}",
         "/confirmation-code"},
    };
    return cr_make_param_array(struct bad_reset, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bad_reset *c, forgot_password, refuses_bad_bodies)
{
    IT_REQUIRE_STACK();
    af_refuses_body(c->path, c->body, c->pointer);
}
