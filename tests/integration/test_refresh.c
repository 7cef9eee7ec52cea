/* test_refresh.c: POST /v1/refresh-token/ (#111) through the edge:
 * rotation, reuse revoking the session (and the edge refusing its access
 * tokens), expiry, disabled users and bad bodies. Suite: refresh. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_fixtures.h"
#include "harness.h"

TestSuite(refresh, .timeout = 30);

static long refresh(const char *token, json_t **doc)
{
    char body[2200];

    snprintf(body, sizeof body, "{\"refresh-token\": \"%s\"}", token);
    return af_call("POST", "/v1/refresh-token/", NULL, body, doc);
}

/* A fresh registered user logged in: its id, access and refresh tokens. */
static void logged_in(PGconn *pg, char *id, char *access, char *refresh_token, char *session)
{
    char user[128];
    json_t *doc = NULL;

    af_user(pg, "refresh-", 1, 1, user, id);
    cr_assert(eq(long, af_login(user, AF_PASSWORD, NULL, &doc), 201));
    snprintf(access, AF_TOKEN_MAX, "%s", af_str(doc, "access-token"));
    snprintf(refresh_token, 64, "%s", af_str(doc, "refresh-token"));
    snprintf(session, 40, "%s", af_str(doc, "session-id"));
    json_decref(doc);
}

Test(refresh, rotates_the_token_and_records_the_refresh)
{
    char id[40], access[AF_TOKEN_MAX], r1[64], sid[40];
    const char *params[1] = {id};
    json_t *doc = NULL, *who = NULL;
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    logged_in(pg, id, access, r1, sid);
    cr_assert(eq(long, refresh(r1, &doc), 201));
    cr_assert(eq(sz, strlen(af_str(doc, "refresh-token")), (size_t)43));
    cr_assert(ne(str, (char *)af_str(doc, "refresh-token"), r1));
    cr_assert(eq(str, (char *)af_str(doc, "session-id"), sid), "same session");
    cr_assert(eq(str, (char *)af_str(doc, "user-id"), id));
    cr_assert(eq(str, (char *)af_str(doc, "token-type"), "Bearer"));
    cr_assert(strlen(af_str(doc, "id-token")) > 100);
    cr_assert(eq(long, af_call("POST", "/v1/authenticate/", af_str(doc, "access-token"), NULL,
                               &who),
                 201), "the new access token works");
    json_decref(who);
    /* and the new refresh token rotates again */
    {
        char r2[64];
        json_t *doc2 = NULL;
        snprintf(r2, sizeof r2, "%s", af_str(doc, "refresh-token"));
        cr_assert(eq(long, refresh(r2, &doc2), 201));
        json_decref(doc2);
    }
    json_decref(doc);
    v = it_pg_value(pg,
                    "SELECT count(*)::text FROM identity.user_activities "
                    "WHERE user_id = $1::uuid AND event_type = 'refr'",
                    1, params);
    cr_assert(eq(str, v, "2"));
    free(v);
    PQfinish(pg);
}

Test(refresh, reuse_revokes_the_session_and_its_access_tokens)
{
    char id[40], access[AF_TOKEN_MAX], r1[64], r2[64], sid[40];
    const char *params[1] = {sid};
    json_t *doc = NULL;
    double until;
    long status = 0;
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    logged_in(pg, id, access, r1, sid);
    cr_assert(eq(long, refresh(r1, &doc), 201));
    snprintf(r2, sizeof r2, "%s", af_str(doc, "refresh-token"));
    json_decref(doc);
    cr_assert(eq(long, refresh(r1, &doc), 401), "the used token again");
    cr_assert(strstr(af_error(doc, 401, "/refresh-token"), "already used") != NULL);
    json_decref(doc);
    v = it_pg_value(pg,
                    "SELECT revoke_reason FROM identity.sessions WHERE id = $1::uuid "
                    "AND revoked_at IS NOT NULL",
                    1, params);
    cr_assert(eq(str, v, "refresh_reuse"));
    free(v);
    v = it_pg_value(pg,
                    "SELECT count(*)::text FROM identity.outbox "
                    "WHERE subject = 'evt.identity.session.revoked' "
                    "AND position(convert_to($1, 'UTF8') IN payload) > 0",
                    1, params);
    cr_assert(eq(str, v, "1"), "one SessionRevoked for the session");
    free(v);
    cr_assert(eq(long, refresh(r2, &doc), 401), "the rotated token dies with its session");
    cr_assert(eq(str, (char *)af_error(doc, 401, "/refresh-token"), "session revoked"));
    json_decref(doc);
    /* the edge refuses the session's access token within a second or so */
    until = it_now_ms() + 3000;
    do {
        status = af_call("POST", "/v1/authenticate/", access, NULL, NULL);
    } while (status != 401 && it_now_ms() < until);
    cr_assert(eq(long, status, 401), "the revoked session's access token still works");
    PQfinish(pg);
}

Test(refresh, an_expired_token_is_refused)
{
    char id[40], access[AF_TOKEN_MAX], r1[64], sid[40];
    const char *params[1] = {sid};
    json_t *doc = NULL;
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    logged_in(pg, id, access, r1, sid);
    v = it_pg_value(pg,
                    "WITH u AS (UPDATE identity.refresh_tokens SET expires_at = now() - "
                    "interval '1 second' WHERE session_id = $1::uuid) SELECT 'ok'",
                    1, params);
    free(v);
    cr_assert(eq(long, refresh(r1, &doc), 401));
    cr_assert(eq(str, (char *)af_error(doc, 401, "/refresh-token"), "refresh token expired"));
    json_decref(doc);
    PQfinish(pg);
}

Test(refresh, a_disabled_user_cannot_refresh)
{
    char id[40], access[AF_TOKEN_MAX], r1[64], sid[40];
    const char *params[1] = {id};
    json_t *doc = NULL;
    char *v;
    PGconn *pg;

    IT_REQUIRE_STACK();
    pg = it_pg();
    logged_in(pg, id, access, r1, sid);
    v = it_pg_value(pg,
                    "WITH u AS (UPDATE identity.users SET enabled = false WHERE id = $1::uuid) "
                    "SELECT 'ok'",
                    1, params);
    free(v);
    cr_assert(eq(long, refresh(r1, &doc), 403));
    cr_assert(eq(str, (char *)af_error(doc, 403, NULL), "account disabled"));
    json_decref(doc);
    PQfinish(pg);
}

Test(refresh, an_unknown_token_is_401)
{
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    cr_assert(eq(long, refresh("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &doc), 401));
    cr_assert(eq(str, (char *)af_error(doc, 401, "/refresh-token"), "refresh token is invalid"));
    json_decref(doc);
}

struct bad_refresh {
    char body[128];
    char pointer[32];
};

ParameterizedTestParameters(refresh, refuses_bad_bodies)
{
    static struct bad_refresh cases[] = {
        {"{}", "/refresh-token"},
        {"{\"refresh-token\": 5}", "/refresh-token"},
        {"{\"refresh-token\": \"\"}", "/refresh-token"},
        {"{\"refresh-token\": \"x\", \"interactive\": \"no\"}", "/interactive"},
        {"{\"refresh-token\": \"x\", \"other\": 1}", "/other"},
        {"\"x\"", ""},
        {"{", ""},
    };
    return cr_make_param_array(struct bad_refresh, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bad_refresh *c, refresh, refuses_bad_bodies)
{
    IT_REQUIRE_STACK();
    af_refuses_body("/v1/refresh-token/", c->body, c->pointer);
}

Test(refresh, refuses_a_token_past_2048_characters)
{
    char token[2100];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    memset(token, 'A', 2049);
    token[2049] = '\0';
    cr_assert(eq(long, refresh(token, &doc), 400));
    af_error(doc, 400, "/refresh-token");
    json_decref(doc);
}
