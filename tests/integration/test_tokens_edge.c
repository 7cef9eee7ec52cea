/* test_tokens_edge.c: access tokens verified by the edge itself (DESIGN.md
 * §6): a good token reaches identity's /v1/authenticate/ with its principal;
 * missing, malformed, tampered, foreign-key, unknown-key, id and expired
 * tokens are refused at the edge with a JSON:API 401; a reused refresh
 * token revokes its session and the edge refuses the session's access token
 * within a second (SessionRevoked through JetStream); API keys still work. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "cm_token.h"
#include "harness.h"

TestSuite(tokens_edge, .timeout = 30);

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define TOKEN_BUF (CM_TOKEN_MAX_LEN + 1)

/* The tokens of one login. */
struct login {
    char access[TOKEN_BUF];
    char id[TOKEN_BUF];
    char refresh[TOKEN_BUF];
};

static void copy_member(json_t *doc, const char *name, char *dst)
{
    json_t *v = json_object_get(doc, name);
    dst[0] = '\0';
    if (json_is_string(v) && json_string_length(v) < TOKEN_BUF)
        memcpy(dst, json_string_value(v), json_string_length(v) + 1);
}

/* Logs the platform admin in (a new session), with an access-token lifetime
 * when ttl_s > 0. Asserts 201 and that the three tokens came back. */
static void login(struct login *out, int ttl_s)
{
    json_t *body = json_pack("{s:s, s:s}", "username", it_env("TEST_ADMIN_EMAIL"), "password",
                             it_env("TEST_ADMIN_PASSWORD"));
    struct it_resp r;
    json_t *doc;
    char *text;

    if (ttl_s > 0)
        json_object_set_new(body, "access-token-expiration-seconds", json_integer(ttl_s));
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    it_call_token(&r, "POST", "/v1/login/", NULL, text);
    free(text);
    cr_assert(eq(long, r.status, 201), "login: %ld %.300s", r.status, r.body);
    doc = it_json(&r);
    copy_member(doc, "access-token", out->access);
    copy_member(doc, "id-token", out->id);
    copy_member(doc, "refresh-token", out->refresh);
    json_decref(doc);
    it_resp_release(&r);
    cr_assert(out->access[0] && out->id[0] && out->refresh[0], "login returned all three tokens");
}

/* The claims of token, decoded without checking anything (caller
 * json_decref). */
static json_t *claims_of(const char *token)
{
    const char *p = strchr(token, '.') + 1, *end = strchr(p, '.');
    unsigned char raw[CM_TOKEN_MAX_LEN];
    size_t n = 0;
    json_t *j;

    cr_assert(eq(int,
                 sodium_base642bin(raw, sizeof raw, p, (size_t)(end - p), NULL, &n, NULL, B64),
                 0));
    j = json_loadb((const char *)raw, n, 0, NULL);
    cr_assert(j != NULL, "token payload is JSON");
    return j;
}

/* Copies header.payload.signature of token with the payload replaced by
 * claims (re-encoded) into out. */
static void with_payload(const char *token, const json_t *claims, char *out)
{
    const char *p = strchr(token, '.') + 1, *sig = strrchr(token, '.');
    char *text = json_dumps(claims, JSON_COMPACT), b64[CM_TOKEN_MAX_LEN];

    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)text, strlen(text), B64);
    snprintf(out, TOKEN_BUF, "%.*s%s%s", (int)(p - token), token, b64, sig);
    free(text);
}

/* POST /v1/authenticate/ with token (none when NULL). */
static void authenticate(struct it_resp *r, const char *token)
{
    it_call_token(r, "POST", "/v1/authenticate/", token, "{}");
}

/* Asserts r is the edge's JSON:API 401 and does not echo the token. */
static void assert_refused(const struct it_resp *r, const char *token)
{
    json_t *doc;

    it_assert_error_style(r, "jsonapi", 401);
    doc = it_json(r);
    cr_assert(eq(str,
                 (char *)json_string_value(
                     json_object_get(json_array_get(json_object_get(doc, "errors"), 0), "code")),
                 "unauthorized"));
    json_decref(doc);
    if (token && strlen(token) > 16)
        cr_assert(strstr(r->body, token) == NULL, "the error echoes the token");
}

Test(tokens_edge, a_valid_access_token_authenticates_its_user_and_session)
{
    struct login l;
    struct it_resp r;
    json_t *claims, *doc, *data;

    IT_REQUIRE_STACK();
    login(&l, 0);
    claims = claims_of(l.access);
    for (int round = 0; round < 3; round++) { /* then from the edge's cache */
        authenticate(&r, l.access);
        cr_assert(eq(long, r.status, 201), "round %d: %ld %.300s", round, r.status, r.body);
        doc = it_json(&r);
        data = json_object_get(doc, "data");
        cr_assert(eq(str, (char *)json_string_value(json_object_get(data, "user-id")),
                     (char *)json_string_value(json_object_get(claims, "sub"))));
        cr_assert(eq(str, (char *)json_string_value(json_object_get(data, "session-id")),
                     (char *)json_string_value(json_object_get(claims, "sid"))));
        json_decref(doc);
        it_resp_release(&r);
    }
    json_decref(claims);
}

Test(tokens_edge, refuses_a_request_without_a_token)
{
    struct it_resp r;

    IT_REQUIRE_STACK();
    authenticate(&r, NULL);
    assert_refused(&r, NULL);
    it_resp_release(&r);
}

static const char *const garbage[] = {
    "not-a-token",
    "a.b.c",
    "eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.e30.AAAA",
    "....",
};

ParameterizedTestParameters(tokens_edge, refuses_garbage)
{
    IT_INDEX_PARAMS(garbage);
}

ParameterizedTest(size_t *i, tokens_edge, refuses_garbage)
{
    struct it_resp r;

    IT_REQUIRE_STACK();
    authenticate(&r, garbage[*i]);
    assert_refused(&r, garbage[*i]);
    it_resp_release(&r);
}

Test(tokens_edge, refuses_a_token_over_the_length_limit)
{
    static char big[CM_TOKEN_MAX_LEN + 2];
    struct it_resp r;

    IT_REQUIRE_STACK();
    memset(big, 'a', CM_TOKEN_MAX_LEN + 1);
    authenticate(&r, big);
    assert_refused(&r, big);
    it_resp_release(&r);
}

/* The ways to forge a token out of a real one. */
enum forgery {
    FORGE_PAYLOAD,   /* another user's id in the claims, signature kept */
    FORGE_SIGNATURE, /* one character of the signature changed */
    FORGE_OTHER_KEY, /* the same claims and kid, signed with another key */
    FORGE_UNKNOWN_KID,
    FORGE_ID_TOKEN, /* the login's id token presented as an access token */
};

ParameterizedTestParameters(tokens_edge, refuses_forged_tokens)
{
    static enum forgery cases[] = {FORGE_PAYLOAD, FORGE_SIGNATURE, FORGE_OTHER_KEY,
                                   FORGE_UNKNOWN_KID, FORGE_ID_TOKEN};
    return cr_make_param_array(enum forgery, cases, sizeof cases / sizeof cases[0]);
}

/* Signs the claims of token again with a new key under kid (the token's own
 * kid when NULL). */
static void resign(const char *token, const char *kid, char *out)
{
    unsigned char pk[CM_TOKEN_PK_BYTES], sk[CM_TOKEN_SK_BYTES];
    struct cm_token_claims c = {0};
    json_t *j = claims_of(token), *role;
    char own_kid[CM_TOKEN_KID_MAX], *t;
    size_t k;

    cr_assert(eq(int, cm_token_kid(token, own_kid), CM_OK));
    crypto_sign_keypair(pk, sk);
    snprintf(c.typ, sizeof c.typ, "%s", json_string_value(json_object_get(j, "typ")));
    snprintf(c.sub, sizeof c.sub, "%s", json_string_value(json_object_get(j, "sub")));
    snprintf(c.sid, sizeof c.sid, "%s", json_string_value(json_object_get(j, "sid")));
    json_array_foreach(json_object_get(j, "roles"), k, role)
        if (c.nroles < CM_TOKEN_MAX_ROLES)
            snprintf(c.roles[c.nroles++], sizeof c.roles[0], "%s", json_string_value(role));
    c.iat = json_integer_value(json_object_get(j, "iat"));
    c.exp = json_integer_value(json_object_get(j, "exp"));
    t = cm_token_sign(&c, NULL, kid ? kid : own_kid, sk);
    cr_assert(t != NULL);
    snprintf(out, TOKEN_BUF, "%s", t);
    free(t);
    json_decref(j);
}

ParameterizedTest(enum forgery *f, tokens_edge, refuses_forged_tokens)
{
    static char forged[TOKEN_BUF];
    struct login l;
    struct it_resp r;
    json_t *claims;
    size_t n;

    IT_REQUIRE_STACK();
    login(&l, 0);
    authenticate(&r, l.access); /* the genuine one works (and is cached) */
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
    switch (*f) {
    case FORGE_PAYLOAD:
        claims = claims_of(l.access);
        json_object_set_new(claims, "sub", json_string("99999999-9999-4999-8999-999999999999"));
        with_payload(l.access, claims, forged);
        json_decref(claims);
        break;
    case FORGE_SIGNATURE:
        snprintf(forged, sizeof forged, "%s", l.access);
        n = strlen(forged);
        forged[n - 10] = forged[n - 10] == 'A' ? 'B' : 'A';
        break;
    case FORGE_OTHER_KEY:
        resign(l.access, NULL, forged);
        break;
    case FORGE_UNKNOWN_KID:
        resign(l.access, "no-such-kid", forged);
        break;
    case FORGE_ID_TOKEN:
        snprintf(forged, sizeof forged, "%s", l.id);
        break;
    }
    authenticate(&r, forged);
    assert_refused(&r, forged);
    it_resp_release(&r);
}

Test(tokens_edge, refuses_an_expired_token)
{
    struct login l;
    struct it_resp r;
    json_t *claims;

    IT_REQUIRE_STACK();
    login(&l, 1);
    claims = claims_of(l.access);
    cr_assert(le(i64, json_integer_value(json_object_get(claims, "exp")) -
                          json_integer_value(json_object_get(claims, "iat")),
                 1),
              "the lifetime asked for");
    json_decref(claims);
    authenticate(&r, l.access); /* possibly cached now, possibly already expired */
    it_resp_release(&r);
    usleep(2100 * 1000);
    authenticate(&r, l.access);
    assert_refused(&r, l.access);
    it_resp_release(&r);
}

/* POST /v1/refresh-token/ with token; returns the status and copies a new
 * access token into access when 201. */
static long refresh(const char *token, char *access)
{
    json_t *body = json_pack("{s:s}", "refresh-token", token), *doc;
    char *text = json_dumps(body, JSON_COMPACT);
    struct it_resp r;
    long status;

    json_decref(body);
    it_call_token(&r, "POST", "/v1/refresh-token/", NULL, text);
    free(text);
    status = r.status;
    if (status == 201 && access) {
        doc = it_json(&r);
        copy_member(doc, "access-token", access);
        json_decref(doc);
    }
    it_resp_release(&r);
    return status;
}

/* Presents a refresh token already rotated: the caller must see 401 on the
 * field, saying it was already used (which revokes its session). */
static void assert_reuse_refused(const char *token)
{
    json_t *body = json_pack("{s:s}", "refresh-token", token), *doc = NULL;
    char *text = json_dumps(body, JSON_COMPACT);
    long status = af_call("POST", "/v1/refresh-token/", NULL, text, &doc);

    json_decref(body);
    free(text);
    cr_assert(eq(long, status, 401), "reuse of a rotated refresh token: %ld", status);
    cr_assert(it_true(strstr(af_error(doc, 401, "/refresh-token"), "already used") != NULL),
              "the detail says the token was already used");
    json_decref(doc);
}

Test(tokens_edge, a_reused_refresh_token_revokes_the_session_at_the_edge_within_a_second)
{
    static char rotated[TOKEN_BUF];
    struct login l;
    struct it_resp r;
    double t0, waited = -1;

    IT_REQUIRE_STACK();
    login(&l, 0);
    authenticate(&r, l.access); /* hot in the edge's cache */
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
    cr_assert(eq(long, refresh(l.refresh, rotated), 201), "first use of the refresh token");
    cr_assert(rotated[0] != '\0');
    authenticate(&r, rotated);
    cr_assert(eq(long, r.status, 201), "the refreshed access token works: %.300s", r.body);
    it_resp_release(&r);

    assert_reuse_refused(l.refresh);
    t0 = it_now_ms();
    while (it_now_ms() - t0 < 3000) {
        authenticate(&r, l.access);
        if (r.status == 401) {
            waited = it_now_ms() - t0;
            assert_refused(&r, l.access);
            it_resp_release(&r);
            break;
        }
        cr_assert(eq(long, r.status, 201), "%ld %.300s", r.status, r.body);
        it_resp_release(&r);
        usleep(50 * 1000);
    }
    cr_assert(ge(dbl, waited, 0.0), "the old access token was still accepted after 3 s");
    cr_assert(lt(dbl, waited, 1000.0), "refused only after %.0f ms", waited);
    cr_log_info("session revocation reached the edge in %.0f ms", waited);
    authenticate(&r, rotated);
    assert_refused(&r, rotated); /* every token of the session */
    it_resp_release(&r);
}

/* Other sessions of the same user are not touched by one's revocation. */
Test(tokens_edge, revoking_one_session_leaves_the_others_alone)
{
    struct login a, b;
    struct it_resp r;

    IT_REQUIRE_STACK();
    login(&a, 0);
    login(&b, 0);
    cr_assert(eq(long, refresh(a.refresh, NULL), 201));
    assert_reuse_refused(a.refresh);
    usleep(1000 * 1000);
    /* b still authenticates as its own session; a's session is gone */
    authenticate(&r, b.access);
    cr_assert(eq(long, r.status, 201), "%ld %.300s", r.status, r.body);
    {
        json_t *doc = it_json(&r), *cb = claims_of(b.access), *ca = claims_of(a.access);
        const char *sid = json_string_value(
            json_object_get(json_object_get(doc, "data"), "session-id"));

        cr_assert(eq(str, (char *)(sid ? sid : ""),
                     (char *)json_string_value(json_object_get(cb, "sid"))),
                  "%.300s", r.body);
        cr_assert(strcmp(sid, json_string_value(json_object_get(ca, "sid"))) != 0,
                  "two logins, two sessions");
        json_decref(doc);
        json_decref(cb);
        json_decref(ca);
    }
    it_resp_release(&r);
    for (double until = it_now_ms() + 5000;; usleep(50 * 1000)) {
        authenticate(&r, a.access);
        if (r.status != 201 || it_now_ms() > until)
            break;
        it_resp_release(&r);
    }
    assert_refused(&r, a.access);
    it_resp_release(&r);
}

Test(tokens_edge, api_keys_still_work_beside_tokens)
{
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_call(&r, "GET", IT_UTIL_TEST, IT_AUTH_BOOTSTRAP, NULL, NULL);
    cr_assert(eq(long, r.status, 200), "Basic: %.300s", r.body);
    it_resp_release(&r);
    it_call(&r, "GET", IT_PRIVACY_PATH, IT_AUTH_API_KEY, NULL, NULL);
    cr_assert(ne(long, r.status, 401), "x-api-key: %.300s", r.body);
    it_resp_release(&r);
}

/* Bearer is read on every surface: a bad token on the messaging surface is
 * refused in that surface's style. */
Test(tokens_edge, refuses_a_bad_token_on_the_other_surfaces_in_their_style)
{
    const char *hs[] = {"Authorization: Bearer a.b.c", NULL};
    struct it_req rq = {.path = IT_UTIL_TEST, .headers = hs};
    struct it_req rq2 = {.path = IT_PRIVACY_PATH, .method = "PUT", .headers = hs};
    struct it_resp r;

    IT_REQUIRE_STACK();
    cr_assert(eq(int, it_http(&rq, &r), 0), "%s", r.error);
    it_assert_error_style(&r, "cureatr", 401);
    it_resp_release(&r);
    cr_assert(eq(int, it_http(&rq2, &r), 0), "%s", r.error);
    it_assert_error_style(&r, "okaya", 401);
    it_resp_release(&r);
}
