/* test_oidc.c: OpenID Connect sign-in end to end (#60-#67) against a real
 * OpenID provider started by each test (npm oidc-provider,
 * tests/node/oidc_idp.mjs, on 127.0.0.1), driven by a libcurl "browser"
 * that keeps cookies and follows every redirect itself: the launcher sends
 * it to the provider, the provider's login form signs a subject in, the
 * provider sends it back to the redirector, which sends it on to the
 * application's redirect URI with a one-time code; the application trades
 * the code at oauth2-tokens for the suite's tokens. Tampered, expired,
 * foreign and nonce-less ID tokens (the provider re-signs them on demand)
 * are refused; codes and states work once. Also the oauth2-client-settings
 * operations and their access rules. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "it_node_idp.h"

TestSuite(oidc, .timeout = 120);

#define SETTINGS "/v1/oauth2-client-settings/"
#define APP_CALLBACK "https://app.example.test/callback"
#define RP_ID "suite-rp"
#define RP_SECRET "suite-rp-secret"

/* --- the OpenID provider --- */

struct idp {
    struct it_idp proc;
    char issuer[256];
};

/* Starts tests/node/oidc_idp.mjs (tamper "" for an honest provider); its
 * "READY <issuer>" line gives the issuer. */
static void idp_start(struct idp *p, const char *tamper)
{
    char redirect[512], line[256];

    snprintf(redirect, sizeof redirect, "%s/v1/oauth2-redirector/", it_env("TEST_EDGE_URL"));
    it_idp_start(&p->proc, "OpenID provider", line, sizeof line, "tests/node/oidc_idp.mjs",
                 redirect, tamper, (char *)NULL);
    snprintf(p->issuer, sizeof p->issuer, "%s", line + 6);
}

/* Value of query parameter name of url into buf ("" when absent), decoded. */
static void url_param(const char *url, const char *name, char *buf, size_t cap)
{
    char key[64];
    const char *q = strchr(url, '?');

    buf[0] = '\0';
    snprintf(key, sizeof key, "%s=", name);
    for (const char *p = q; p && *p; p = strchr(p + 1, '&')) {
        if (!strncmp(p + 1, key, strlen(key))) {
            const char *v = p + 1 + strlen(key);
            int n = (int)strcspn(v, "&#");
            char *dec = curl_easy_unescape(NULL, v, n, &n);
            snprintf(buf, cap, "%s", dec);
            curl_free(dec);
            return;
        }
    }
}

/* What one sign-in through the browser came to. */
struct journey {
    long status;             /* of the last answer: 302 to the app, or the refusal */
    char app_url[8192];      /* the app's redirect URI with code and state */
    char redirector[8192];   /* the provider's callback to the suite, as followed */
    json_t *error;           /* the refusal's body (JSON), or NULL */
    char auth_url[8192];     /* the provider's authorization request */
};

/* The journey of subject (email, verified) from the launcher with iss. */
static void sign_in(const char *iss, const char *launch, const char *subject, const char *email,
                    int verified, struct journey *j)
{
    CURL *b = curl_easy_init();
    struct it_page pg = {0};
    char url[8192], form[512], *e_iss = curl_easy_escape(NULL, iss, 0);
    char *e_sub = curl_easy_escape(NULL, subject, 0), *e_mail = curl_easy_escape(NULL, email, 0);
    int hops = 0;

    memset(j, 0, sizeof *j);
    cr_assert(b != NULL);
    curl_easy_setopt(b, CURLOPT_COOKIEFILE, ""); /* cookie engine on */
    snprintf(url, sizeof url, "%s/v1/oauth2-launcher/?iss=%s&launch=%s", it_env("TEST_EDGE_URL"),
             e_iss, launch);
    it_browse(b, url, NULL, &pg);
    cr_assert(eq(long, pg.status, 302), "launcher: %s", pg.body ? pg.body : "");
    snprintf(j->auth_url, sizeof j->auth_url, "%s", pg.location);
    snprintf(form, sizeof form, "login=%s&email=%s&verified=%d", e_sub, e_mail, verified);
    for (;;) {
        cr_assert(hops++ < 15, "too many redirects");
        if (pg.status >= 300 && pg.status < 400) {
            if (!strncmp(pg.location, APP_CALLBACK, strlen(APP_CALLBACK)))
                break;
            if (strstr(pg.location, "/v1/oauth2-redirector/"))
                snprintf(j->redirector, sizeof j->redirector, "%s", pg.location);
            snprintf(url, sizeof url, "%s", pg.location);
            it_browse(b, url, NULL, &pg);
        } else if (pg.status == 200 && strstr(url, "/interaction/")) {
            it_browse(b, url, form, &pg); /* the provider's login form */
        } else {
            break; /* a refusal */
        }
    }
    j->status = pg.status;
    if (pg.status == 302)
        snprintf(j->app_url, sizeof j->app_url, "%s", pg.location);
    else if (pg.body)
        j->error = json_loads(pg.body, 0, NULL);
    free(pg.body);
    curl_free(e_iss);
    curl_free(e_sub);
    curl_free(e_mail);
    curl_easy_cleanup(b);
}

/* --- the organization's settings --- */

struct world {
    PGconn *pg;
    char org[40], admin[AF_TOKEN_MAX];
    char settings_id[64], client_id[64], secret[128];
    struct idp idp;
};

/* A fresh organization whose settings point at a fresh provider. */
static void world_new(struct world *w, const char *tamper, const char *policy)
{
    char body[2048];
    json_t *doc = NULL;

    memset(w, 0, sizeof *w);
    IT_REQUIRE_STACK();
    w->pg = it_pg();
    af_org(w->pg, w->org);
    it_admin_token_accepted(w->admin);
    idp_start(&w->idp, tamper);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"oauth2-client-settings\",\"attributes\":{\"name\":\"portal\","
             "\"organization-id\":\"%s\",\"redirect-uris\":[\"" APP_CALLBACK "\"],"
             "\"issuer\":\"%s\",\"provider-client-id\":\"" RP_ID "\","
             "\"provider-client-secret\":\"" RP_SECRET "\",\"account-policy\":\"%s\"}}}",
             w->org, w->idp.issuer, policy);
    cr_assert(eq(long, af_call("POST", SETTINGS, w->admin, body, &doc), 201));
    snprintf(w->settings_id, sizeof w->settings_id, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    snprintf(w->client_id, sizeof w->client_id, "%s",
             json_string_value(json_object_get(
                 json_object_get(json_object_get(doc, "data"), "attributes"), "client-id")));
    snprintf(w->secret, sizeof w->secret, "%s",
             json_string_value(json_object_get(
                 json_object_get(json_object_get(doc, "data"), "attributes"), "secret")));
    json_decref(doc);
}

static void world_free(struct world *w)
{
    it_idp_stop(&w->idp.proc);
    if (w->pg)
        PQfinish(w->pg);
}

/* A confirmed member of w's organization with a verified email; its email
 * to email (128 bytes) and id to id (40 bytes). */
static void member(struct world *w, char *email, char *id)
{
    af_user(w->pg, "sso-", 1, 1, email, id);
    af_member(w->pg, id, w->org, "patient");
}

/* POST /v1/oauth2-tokens/ with the app's credentials and code. */
static long trade(const struct world *w, const char *secret, const char *code, json_t **doc)
{
    json_t *b = json_pack("{s:s, s:s, s:s, s:s}", "client_id", w->client_id, "client_secret",
                          secret, "code", code, "grant_type", "authorization_code");
    char *text = json_dumps(b, JSON_COMPACT);
    long status = af_call("POST", "/v1/oauth2-tokens/", NULL, text, doc);

    free(text);
    json_decref(b);
    return status;
}

/* --- the journey --- */

Test(oidc, existing_member_signs_in_through_the_provider_and_codes_work_once)
{
    struct world w;
    struct journey j;
    char email[128], id[40], code[256], state[64], challenge[128], sub[64];
    json_t *doc = NULL;
    struct it_resp r = {0};

    world_new(&w, "", "link");
    member(&w, email, id);
    it_unique(sub, sizeof sub, "sub-");
    sign_in(w.idp.issuer, "launch-1", sub, email, 1, &j);
    cr_assert(eq(long, j.status, 302), "redirector refused: %s",
              j.error ? json_dumps(j.error, 0) : "");
    /* the authorization request: code flow with PKCE S256, a nonce */
    url_param(j.auth_url, "code_challenge_method", challenge, sizeof challenge);
    cr_assert(eq(str, challenge, "S256"));
    url_param(j.auth_url, "code_challenge", challenge, sizeof challenge);
    cr_assert(eq(sz, strlen(challenge), 43));
    url_param(j.auth_url, "nonce", state, sizeof state);
    cr_assert(strlen(state) >= 32);
    url_param(j.auth_url, "response_type", state, sizeof state);
    cr_assert(eq(str, state, "code"));
    /* the app gets a code and its launch back */
    url_param(j.app_url, "code", code, sizeof code);
    url_param(j.app_url, "state", state, sizeof state);
    cr_assert(eq(str, state, "launch-1"));
    cr_assert(strlen(code) > 20);
    /* a wrong secret is refused and does not spend the code */
    cr_assert(eq(long, trade(&w, "not-the-secret", code, &doc), 401));
    af_error(doc, 401, NULL);
    json_decref(doc);
    cr_assert(eq(long, trade(&w, w.secret, code, &doc), 201));
    cr_assert(eq(str, (char *)af_str(doc, "user-id"), id));
    cr_assert(strlen(af_str(doc, "access-token")) > 20);
    cr_assert(strlen(af_str(doc, "refresh-token")) > 20);
    cr_assert(eq(str, (char *)af_str(doc, "token-type"), "Bearer"));
    /* the suite's token works */
    it_call_token(&r, "POST", "/v1/authenticate/", af_str(doc, "access-token"), "{}");
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    cr_assert(strstr(r.body, id) != NULL);
    it_resp_release(&r);
    json_decref(doc);
    /* the code works once */
    cr_assert(eq(long, trade(&w, w.secret, code, &doc), 400));
    cr_assert(eq(str, (char *)af_error(doc, 400, "/code"), "the code is unknown, used or expired"));
    json_decref(doc);
    /* the provider's callback replayed: the state works once */
    cr_assert(j.redirector[0] != '\0');
    it_call_token(&r, "GET", strstr(j.redirector, "/v1/"), NULL, NULL);
    cr_assert(eq(long, r.status, 400), "%s", r.body);
    cr_assert(strstr(r.body, "unknown, used or expired state") != NULL, "%s", r.body);
    it_resp_release(&r);
    /* the link holds: the subject signs in again, even with another email */
    sign_in(w.idp.issuer, "launch-2", sub, "other@idp.test", 0, &j);
    cr_assert(eq(long, j.status, 302));
    url_param(j.app_url, "code", code, sizeof code);
    cr_assert(eq(long, trade(&w, w.secret, code, &doc), 201));
    cr_assert(eq(str, (char *)af_str(doc, "user-id"), id));
    json_decref(doc);
    world_free(&w);
}

Test(oidc, provision_policy_makes_a_confirmed_member)
{
    struct world w;
    struct journey j;
    char email[128], sub[64], code[256];
    const char *params[2];
    json_t *doc = NULL;
    char *v;

    world_new(&w, "", "provision");
    it_unique(sub, sizeof sub, "new-");
    snprintf(email, sizeof email, "%s@idp.test", sub);
    for (char *p = email; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    sign_in(w.idp.issuer, "l", sub, email, 1, &j);
    cr_assert(eq(long, j.status, 302));
    url_param(j.app_url, "code", code, sizeof code);
    cr_assert(eq(long, trade(&w, w.secret, code, &doc), 201));
    params[0] = af_str(doc, "user-id");
    params[1] = w.org;
    v = it_pg_value(w.pg,
                    "SELECT u.email || ' ' || u.registered || ' ' || u.email_verified || ' ' || "
                    "(u.password_hash IS NULL) FROM identity.users u JOIN "
                    "identity.user_organizations m ON m.user_id = u.id "
                    "WHERE u.id = $1::uuid AND m.organization_id = $2::uuid",
                    2, params);
    cr_assert(v != NULL, "the new user is a member of the organization");
    {
        char want[200];
        snprintf(want, sizeof want, "%s true true true", email);
        cr_assert(eq(str, v, want));
    }
    free(v);
    json_decref(doc);
    world_free(&w);
}

Test(oidc, link_policy_refuses_unknown_or_unverified_emails)
{
    struct world w;
    struct journey j;
    char email[128], id[40];

    world_new(&w, "", "link");
    sign_in(w.idp.issuer, "l", "stranger", "stranger@idp.test", 1, &j);
    cr_assert(eq(long, j.status, 403));
    cr_assert(eq(str, (char *)af_error(j.error, 403, NULL),
                 "no member of the organization has this verified email"));
    json_decref(j.error);
    member(&w, email, id); /* a member, but the provider does not vouch for the email */
    sign_in(w.idp.issuer, "l", "claimer", email, 0, &j);
    cr_assert(eq(long, j.status, 403));
    cr_assert(strstr(af_error(j.error, 403, NULL), "no verified email") != NULL);
    json_decref(j.error);
    world_free(&w);
}

struct spoil {
    char mode[8];
    char detail[80];
};

ParameterizedTestParameters(oidc, spoiled_id_tokens_are_refused)
{
    static struct spoil cases[] = {
        {"sig", "the id token's signature is wrong"},
        {"none", "the id token's algorithm is not RS256 or ES256"},
        {"aud", "the id token is not for this client"},
        {"iss", "the id token's issuer is not the provider"},
        {"exp", "the id token has expired"},
        {"nonce", "the id token's nonce is not the one sent"},
    };
    return cr_make_param_array(struct spoil, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct spoil *c, oidc, spoiled_id_tokens_are_refused)
{
    struct world w;
    struct journey j;
    char email[128], id[40];
    const char *params[1];
    char *v;

    world_new(&w, c->mode, "provision");
    member(&w, email, id);
    sign_in(w.idp.issuer, "l", "victim", email, 1, &j);
    cr_assert(eq(long, j.status, 401), "mode %s", c->mode);
    cr_assert(eq(str, (char *)af_error(j.error, 401, NULL), c->detail));
    json_decref(j.error);
    params[0] = w.settings_id;
    v = it_pg_value(w.pg,
                    "SELECT (SELECT count(*) FROM identity.oauth2_codes WHERE client = $1::uuid) "
                    "|| ' ' || (SELECT count(*) FROM identity.oidc_links l JOIN "
                    "identity.oauth2_clients c ON c.issuer = l.issuer WHERE c.id = $1::uuid)",
                    1, params);
    cr_assert(eq(str, v, "0 0"), "no code and no link after a refusal");
    free(v);
    world_free(&w);
}

/* --- errors of the browser endpoints --- */

Test(oidc, launcher_redirector_and_tokens_refuse_bad_input)
{
    struct it_resp r = {0};
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    it_call(&r, "GET", "/v1/oauth2-launcher/?launch=x", IT_AUTH_NONE, NULL, NULL);
    it_assert_error_style(&r, "jsonapi", 400);
    cr_assert(strstr(r.body, "iss is required") != NULL);
    it_resp_release(&r);
    it_call(&r, "GET", "/v1/oauth2-launcher/?iss=http%3A%2F%2F127.0.0.1%3A1%2Fnobody&launch=x",
            IT_AUTH_NONE, NULL, NULL);
    it_assert_error_style(&r, "jsonapi", 404);
    it_resp_release(&r);
    it_call(&r, "GET", "/v1/oauth2-redirector/?code=abc&state=not-a-uuid", IT_AUTH_NONE, NULL,
            NULL);
    it_assert_error_style(&r, "jsonapi", 400);
    cr_assert(strstr(r.body, "state must be a uuid") != NULL);
    it_resp_release(&r);
    it_call(&r, "GET",
            "/v1/oauth2-redirector/?code=abc&state=8a1f7f0e-3c4b-4d2a-9f1e-2b3c4d5e6f70",
            IT_AUTH_NONE, NULL, NULL);
    it_assert_error_style(&r, "jsonapi", 400);
    cr_assert(strstr(r.body, "unknown, used or expired state") != NULL);
    it_resp_release(&r);
    it_call(&r, "GET", "/v1/oauth2-redirector/?error=access_denied&state=x", IT_AUTH_NONE, NULL,
            NULL);
    it_assert_error_style(&r, "jsonapi", 400);
    cr_assert(strstr(r.body, "refused the sign-in: access_denied") != NULL);
    it_resp_release(&r);
    cr_assert(eq(long,
                 af_call("POST", "/v1/oauth2-tokens/", NULL,
                         "{\"client_id\":\"a\",\"client_secret\":\"b\",\"code\":\"c\","
                         "\"grant_type\":\"password\"}",
                         &doc),
                 400));
    af_error(doc, 400, "/grant_type");
    json_decref(doc);
    cr_assert(eq(long,
                 af_call("POST", "/v1/oauth2-tokens/", NULL,
                         "{\"client_id\":\"a\",\"client_secret\":\"b\",\"code\":\"c\","
                         "\"grant_type\":\"authorization_code\"}",
                         &doc),
                 401));
    cr_assert(eq(str, (char *)af_error(doc, 401, NULL), "client authentication failed"));
    json_decref(doc);
    af_refuses_body("/v1/oauth2-tokens/", "{\"client_id\":\"a\"}", "/client_secret");
}

/* --- oauth2-client-settings --- */

Test(oidc, settings_crud_reset_secret_and_access)
{
    struct world w;
    struct journey j;
    char email[128], id[40], path[256], body[1024], other_org[40], code[256], admin2[AF_TOKEN_MAX];
    char uname[128], uid[40];
    json_t *doc = NULL, *a;
    long status;

    world_new(&w, "", "link");
    /* read: the secret is not shown again, the provider's never */
    snprintf(path, sizeof path, SETTINGS "%s/", w.settings_id);
    cr_assert(eq(long, af_call("GET", path, w.admin, NULL, &doc), 200));
    a = json_object_get(json_object_get(doc, "data"), "attributes");
    cr_assert(it_true(json_is_null(json_object_get(a, "secret"))));
    cr_assert(it_true(json_is_true(json_object_get(a, "provider-client-secret-set"))));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "issuer")), w.idp.issuer));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "grant-type")),
                 "authorization_code"));
    {
        char *text = json_dumps(a, 0);
        int leaked = text && strstr(text, RP_SECRET) != NULL;
        free(text);
        cr_assert(not(leaked), "the secret is in the settings");
    }
    json_decref(doc);
    /* list by organization */
    snprintf(path, sizeof path, SETTINGS "?organization-id=%s", w.org);
    cr_assert(eq(long, af_call("GET", path, w.admin, NULL, &doc), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
    cr_assert(eq(long, af_call("GET", SETTINGS, w.admin, NULL, &doc), 400));
    json_decref(doc);
    /* patch */
    snprintf(path, sizeof path, SETTINGS "%s/", w.settings_id);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"oauth2-client-settings\",\"id\":\"%s\",\"attributes\":"
             "{\"name\":\"renamed\",\"scopes\":[\"openid\",\"email\"]}}}",
             w.settings_id);
    cr_assert(eq(long, af_call("PATCH", path, w.admin, body, &doc), 200));
    a = json_object_get(json_object_get(doc, "data"), "attributes");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "name")), "renamed"));
    cr_assert(eq(sz, json_array_size(json_object_get(a, "scopes")), 2));
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"oauth2-client-settings\",\"id\":\"%s\",\"attributes\":"
             "{\"scopes\":[\"email\"]}}}",
             w.settings_id);
    cr_assert(eq(long, af_call("PATCH", path, w.admin, body, &doc), 400));
    af_error(doc, 400, "/data/attributes/scopes");
    json_decref(doc);
    /* bad input on create */
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"oauth2-client-settings\",\"attributes\":{\"name\":\"x\","
             "\"organization-id\":\"%s\",\"redirect-uris\":[\"javascript:alert(1)\"]}}}",
             w.org);
    cr_assert(eq(long, af_call("POST", SETTINGS, w.admin, body, &doc), 400));
    af_error(doc, 400, "/data/attributes/redirect-uris/0");
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"oauth2-client-settings\",\"attributes\":{\"name\":\"x\","
             "\"organization-id\":\"%s\",\"redirect-uris\":[\"https://a.test/\"],"
             "\"account-policy\":\"anyone\"}}}",
             w.org);
    cr_assert(eq(long, af_call("POST", SETTINGS, w.admin, body, &doc), 400));
    af_error(doc, 400, "/data/attributes/account-policy");
    json_decref(doc);
    /* the same issuer for another organization */
    af_org(w.pg, other_org);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"oauth2-client-settings\",\"attributes\":{\"name\":\"x\","
             "\"organization-id\":\"%s\",\"redirect-uris\":[\"https://a.test/\"],"
             "\"issuer\":\"%s\"}}}",
             other_org, w.idp.issuer);
    cr_assert(eq(long, af_call("POST", SETTINGS, w.admin, body, &doc), 409));
    json_decref(doc);
    /* another organization's admin: 403 on create and list, 404 by id */
    af_user(w.pg, "sso-adm-", 1, 1, uname, uid);
    af_member(w.pg, uid, other_org, "admin");
    cr_assert(eq(long, af_login(uname, AF_PASSWORD, NULL, &doc), 201));
    snprintf(admin2, sizeof admin2, "%s", af_str(doc, "access-token"));
    json_decref(doc);
    snprintf(path, sizeof path, SETTINGS "%s/", w.settings_id);
    cr_assert(eq(long, af_call("GET", path, admin2, NULL, &doc), 404));
    json_decref(doc);
    snprintf(path, sizeof path, SETTINGS "%s/reset-secret/", w.settings_id);
    cr_assert(eq(long, af_call("POST", path, admin2, "{}", &doc), 404));
    json_decref(doc);
    snprintf(path, sizeof path, SETTINGS "?organization-id=%s", w.org);
    cr_assert(eq(long, af_call("GET", path, admin2, NULL, &doc), 403));
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"oauth2-client-settings\",\"attributes\":{\"name\":\"x\","
             "\"organization-id\":\"%s\",\"redirect-uris\":[\"https://a.test/\"]}}}",
             w.org);
    cr_assert(eq(long, af_call("POST", SETTINGS, admin2, body, &doc), 403));
    json_decref(doc);
    status = af_call("POST", SETTINGS, NULL, body, &doc);
    cr_assert(eq(long, status, 401));
    json_decref(doc);
    /* reset-secret: the old secret stops working */
    member(&w, email, id);
    sign_in(w.idp.issuer, "l", "resetter", email, 1, &j);
    cr_assert(eq(long, j.status, 302));
    url_param(j.app_url, "code", code, sizeof code);
    snprintf(path, sizeof path, SETTINGS "%s/reset-secret/", w.settings_id);
    cr_assert(eq(long, af_call("POST", path, w.admin, "{}", &doc), 201));
    a = json_object_get(json_object_get(doc, "data"), "attributes");
    cr_assert(it_true(json_is_string(json_object_get(a, "secret"))));
    cr_assert(strcmp(json_string_value(json_object_get(a, "secret")), w.secret) != 0);
    status = trade(&w, w.secret, code, NULL);
    cr_assert(eq(long, status, 401));
    snprintf(w.secret, sizeof w.secret, "%s", json_string_value(json_object_get(a, "secret")));
    json_decref(doc);
    cr_assert(eq(long, trade(&w, w.secret, code, &doc), 201));
    cr_assert(eq(str, (char *)af_str(doc, "user-id"), id));
    json_decref(doc);
    world_free(&w);
}
