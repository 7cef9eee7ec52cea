/* test_saml.c: SAML 2.0 SP-initiated sign-in end to end (#123, #125)
 * against a real identity provider started by each test (npm samlify in
 * the IdP role, tests/node/saml_idp.mjs, on 127.0.0.1, signing with an RSA
 * key and certificate it makes), driven by a libcurl browser: saml-login
 * sends it to the provider with an AuthnRequest, the provider's login form
 * answers with the HTTP-POST binding's form, the browser posts it to the
 * ACS, which answers the suite's tokens. A tampered, an expired, a foreign
 * (audience, recipient) and a replayed assertion are all refused. The
 * provider row is written straight into identity.saml_providers (there is
 * no API for it yet). */
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

TestSuite(saml, .timeout = 120);

struct idp {
    struct it_idp proc;
    char base[128], cert_file[256], dir[64];
};

/* Starts tests/node/saml_idp.mjs for sp_entity and acs (mode "" for an
 * honest one) with its key and certificate in a new folder; its
 * "READY <base> <cert file>" line gives both. */
static void idp_start(struct idp *p, const char *sp_entity, const char *acs, const char *mode)
{
    char line[512];

    snprintf(p->dir, sizeof p->dir, "/tmp/saml-idp-XXXXXX");
    cr_assert(mkdtemp(p->dir) != NULL);
    it_idp_start(&p->proc, "SAML provider", line, sizeof line, "tests/node/saml_idp.mjs", p->dir,
                 sp_entity, acs, mode, (char *)NULL);
    cr_assert(eq(int, sscanf(line, "READY %127s %255s", p->base, p->cert_file), 2), "%s", line);
}

static void idp_stop(struct idp *p)
{
    char path[128];

    it_idp_stop(&p->proc);
    snprintf(path, sizeof path, "%s/idp.key", p->dir);
    unlink(path);
    unlink(p->cert_file);
    rmdir(p->dir);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 16384);
    cr_assert(f != NULL);
    fread(buf, 1, 16383, f);
    fclose(f);
    return buf;
}

/* The value of the HTML attribute after marker in html into a new string. */
static char *html_attr(const char *html, const char *marker)
{
    const char *s = strstr(html, marker), *e;
    char *v;

    cr_assert(s != NULL, "no %s in the provider's page", marker);
    s += strlen(marker);
    e = strchr(s, '"');
    cr_assert(e != NULL);
    v = strndup(s, (size_t)(e - s));
    return v;
}

struct world {
    PGconn *pg;
    char org[40], provider[40], domain[96], sp_entity[160], acs[256];
    struct idp idp;
};

static void world_new(struct world *w, const char *mode, const char *policy)
{
    char *cert, *v, sso[200], entity[200], slo[200];
    const char *params[9];

    memset(w, 0, sizeof *w);
    IT_REQUIRE_STACK();
    w->pg = it_pg();
    af_org(w->pg, w->org);
    v = it_pg_value(w->pg, "SELECT gen_random_uuid()::text", 0, NULL);
    snprintf(w->provider, sizeof w->provider, "%s", v);
    free(v);
    it_unique(w->domain, 64, "sso");
    for (char *c = w->domain; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    strcat(w->domain, ".test");
    snprintf(w->sp_entity, sizeof w->sp_entity, "https://suite.test/saml/%s", w->domain);
    snprintf(w->acs, sizeof w->acs, "%s/v1/saml-acs/%s/acs/", it_env("TEST_EDGE_URL"), w->provider);
    idp_start(&w->idp, w->sp_entity, w->acs, mode);
    cert = slurp(w->idp.cert_file);
    snprintf(sso, sizeof sso, "%s/sso", w->idp.base);
    snprintf(entity, sizeof entity, "%s/metadata", w->idp.base);
    snprintf(slo, sizeof slo, "%s/slo", w->idp.base);
    params[0] = w->provider;
    params[1] = w->org;
    params[2] = w->domain;
    params[3] = entity;
    params[4] = sso;
    params[5] = cert;
    params[6] = w->sp_entity;
    params[7] = policy;
    params[8] = slo;
    v = it_pg_value(w->pg,
                    "INSERT INTO identity.saml_providers (id, organization_id, domain, "
                    "idp_entity_id, idp_sso_url, idp_cert_pem, sp_entity_id, account_policy, "
                    "idp_slo_url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING 'ok'",
                    9, params);
    free(v);
    free(cert);
}

static void world_free(struct world *w)
{
    idp_stop(&w->idp);
    if (w->pg)
        PQfinish(w->pg);
}

/* The provider's answer for email after saml-login (next "/home"): the
 * form's SAMLResponse (caller frees). */
static char *idp_answer(struct world *w, const char *email)
{
    CURL *b = curl_easy_init();
    struct it_page pg = {0};
    char url[8192], form[300], *resp, *action;
    char *e_mail = curl_easy_escape(NULL, email, 0);

    snprintf(url, sizeof url, "%s/v1/saml-login/?domain=%s&next=%%2Fhome", it_env("TEST_EDGE_URL"),
             w->domain);
    it_browse(b, url, NULL, &pg);
    cr_assert(eq(long, pg.status, 302), "saml-login: %s", pg.body ? pg.body : "");
    cr_assert(strncmp(pg.location, w->idp.base, strlen(w->idp.base)) == 0);
    cr_assert(strstr(pg.location, "SAMLRequest=") != NULL);
    snprintf(url, sizeof url, "%s", pg.location);
    it_browse(b, url, NULL, &pg);
    cr_assert(eq(long, pg.status, 200), "provider: %s", pg.body ? pg.body : "");
    action = html_attr(pg.body, "action=\"");
    snprintf(url, sizeof url, "%s%s", w->idp.base, action);
    free(action);
    snprintf(form, sizeof form, "email=%s", e_mail);
    it_browse(b, url, form, &pg);
    cr_assert(eq(long, pg.status, 200), "provider login: %s", pg.body ? pg.body : "");
    action = html_attr(pg.body, "action=\"");
    cr_assert(eq(str, action, w->acs));
    free(action);
    resp = html_attr(pg.body, "name=\"SAMLResponse\" value=\"");
    free(pg.body);
    curl_free(e_mail);
    curl_easy_cleanup(b);
    return resp;
}

/* POSTs SAMLResponse to the ACS as the browser would (a form); the status,
 * the body parsed to *doc. */
static long post_acs(const struct world *w, const char *saml_response, json_t **doc)
{
    CURL *b = curl_easy_init();
    struct it_page pg = {0};
    char *e = curl_easy_escape(NULL, saml_response, 0);
    size_t n = strlen(e) + 64;
    char *form = malloc(n);
    long status;

    snprintf(form, n, "SAMLResponse=%s&RelayState=", e);
    it_browse(b, w->acs, form, &pg);
    status = pg.status;
    *doc = pg.body ? json_loads(pg.body, 0, NULL) : NULL;
    free(pg.body);
    free(form);
    curl_free(e);
    curl_easy_cleanup(b);
    return status;
}

Test(saml, member_signs_in_and_a_replayed_assertion_is_refused)
{
    struct world w;
    char email[128], id[40];
    char *resp;
    json_t *doc = NULL;
    struct it_resp r = {0};
    long status;

    world_new(&w, "", "link");
    af_user(w.pg, "saml-", 1, 1, email, id);
    af_member(w.pg, id, w.org, "patient");
    resp = idp_answer(&w, email);
    status = post_acs(&w, resp, &doc);
    cr_assert(eq(long, status, 201), "%s", doc ? json_dumps(doc, 0) : "");
    cr_assert(eq(str, (char *)af_str(doc, "user-id"), id));
    cr_assert(eq(str, (char *)af_str(doc, "redirect-url"), "/home"));
    it_call_token(&r, "POST", "/v1/authenticate/", af_str(doc, "access-token"), "{}");
    cr_assert(eq(long, r.status, 201));
    it_resp_release(&r);
    json_decref(doc);
    /* the same response again: a replay */
    status = post_acs(&w, resp, &doc);
    cr_assert(eq(long, status, 401));
    cr_assert(eq(str, (char *)af_error(doc, 401, NULL), "the SAML assertion was already used"));
    json_decref(doc);
    free(resp);
    world_free(&w);
}

Test(saml, provision_policy_makes_a_member)
{
    struct world w;
    char email[128], *resp, *v;
    const char *params[2];
    json_t *doc = NULL;
    long status;

    world_new(&w, "", "provision");
    it_unique(email, 64, "samlnew");
    for (char *c = email; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    strcat(email, "@idp.test");
    resp = idp_answer(&w, email);
    status = post_acs(&w, resp, &doc);
    cr_assert(eq(long, status, 201), "%s", doc ? json_dumps(doc, 0) : "");
    params[0] = af_str(doc, "user-id");
    params[1] = w.org;
    v = it_pg_value(w.pg,
                    "SELECT u.email FROM identity.users u JOIN identity.user_organizations m "
                    "ON m.user_id = u.id WHERE u.id = $1::uuid AND m.organization_id = $2::uuid "
                    "AND u.registered",
                    2, params);
    cr_assert(v != NULL);
    cr_assert(eq(str, v, email));
    free(v);
    json_decref(doc);
    free(resp);
    world_free(&w);
}

struct spoil {
    char mode[12];
    char detail[80];
};

ParameterizedTestParameters(saml, spoiled_assertions_are_refused)
{
    static struct spoil cases[] = {
        {"tamper", "the SAML signature is wrong"},
        {"expired", "the SAML assertion has expired or is not valid yet"},
        {"audience", "the SAML assertion is for another audience"},
        {"recipient", "the SAML response is for another destination"},
    };
    return cr_make_param_array(struct spoil, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct spoil *c, saml, spoiled_assertions_are_refused)
{
    struct world w;
    char email[128], id[40], *resp, *v;
    const char *params[1];
    json_t *doc = NULL;
    long status;

    world_new(&w, c->mode, "provision");
    af_user(w.pg, "saml-", 1, 1, email, id);
    af_member(w.pg, id, w.org, "patient");
    resp = idp_answer(&w, email);
    status = post_acs(&w, resp, &doc);
    cr_assert(eq(long, status, 401), "mode %s", c->mode);
    cr_assert(eq(str, (char *)af_error(doc, 401, NULL), c->detail));
    json_decref(doc);
    params[0] = w.provider;
    v = it_pg_value(w.pg,
                    "SELECT count(*)::text FROM identity.saml_assertions_seen WHERE provider = "
                    "$1::uuid",
                    1, params);
    cr_assert(eq(str, v, "0"), "nothing accepted");
    free(v);
    free(resp);
    world_free(&w);
}

Test(saml, login_and_acs_refuse_bad_input)
{
    struct world w;
    struct it_resp r = {0};
    json_t *doc = NULL;
    char path[256];
    long status;

    world_new(&w, "", "link");
    it_call(&r, "GET", "/v1/saml-login/", IT_AUTH_NONE, NULL, NULL);
    it_assert_error_style(&r, "jsonapi", 400);
    it_resp_release(&r);
    it_call(&r, "GET", "/v1/saml-login/?domain=nobody.invalid", IT_AUTH_NONE, NULL, NULL);
    it_assert_error_style(&r, "jsonapi", 404);
    it_resp_release(&r);
    snprintf(path, sizeof path, "/v1/saml-login/?domain=%s&next=%%2F%%2Fevil.test", w.domain);
    it_call(&r, "GET", path, IT_AUTH_NONE, NULL, NULL);
    it_assert_error_style(&r, "jsonapi", 400);
    cr_assert(strstr(r.body, "next must be a path on this site") != NULL);
    it_resp_release(&r);
    it_call(&r, "POST", "/v1/saml-acs/8a1f7f0e-3c4b-4d2a-9f1e-2b3c4d5e6f70/acs/", IT_AUTH_NONE,
            "application/json", "{\"SAMLResponse\": \"eA==\"}");
    it_assert_error_style(&r, "jsonapi", 404);
    it_resp_release(&r);
    snprintf(path, sizeof path, "/v1/saml-acs/%s/acs/", w.provider);
    status = af_call("POST", path, NULL, "{\"SAMLResponse\": \"***\"}", &doc);
    cr_assert(eq(long, status, 400));
    af_error(doc, 400, "/SAMLResponse");
    json_decref(doc);
    status = af_call("POST", path, NULL, "{\"SAMLResponse\": \"bm90IHhtbA==\"}", &doc);
    cr_assert(eq(long, status, 400));
    cr_assert(eq(str, (char *)af_error(doc, 400, "/SAMLResponse"), "SAMLResponse is not XML"));
    json_decref(doc);
    status = af_call("POST", path, NULL, "{\"RelayState\": \"x\"}", &doc);
    cr_assert(eq(long, status, 400));
    af_error(doc, 400, "/SAMLResponse");
    json_decref(doc);
    world_free(&w);
}

/* The provider's signed LogoutRequest URL (to the suite) for email. */
static void logout_url(const struct world *w, const char *email, char *out, size_t cap)
{
    CURL *b = curl_easy_init();
    struct it_page pg = {0};
    char url[512], *e = curl_easy_escape(NULL, email, 0);

    snprintf(url, sizeof url, "%s/logout?email=%s", w->idp.base, e);
    it_browse(b, url, NULL, &pg);
    cr_assert(eq(long, pg.status, 302), "%s", pg.body ? pg.body : "");
    snprintf(out, cap, "%s", pg.location);
    free(pg.body);
    curl_free(e);
    curl_easy_cleanup(b);
}

Test(saml, single_logout_from_the_provider_ends_the_sessions)
{
    struct world w;
    char email[128], id[40], url[8192], bad[8192], access[AF_TOKEN_MAX], *resp, *sig;
    json_t *doc = NULL;
    struct it_resp r = {0};
    double start;
    long status;

    world_new(&w, "", "link");
    af_user(w.pg, "saml-", 1, 1, email, id);
    af_member(w.pg, id, w.org, "patient");
    resp = idp_answer(&w, email);
    status = post_acs(&w, resp, &doc);
    cr_assert(eq(long, status, 201));
    snprintf(access, sizeof access, "%s", af_str(doc, "access-token"));
    json_decref(doc);
    free(resp);
    logout_url(&w, email, url, sizeof url);
    cr_assert(strstr(url, "/v1/saml-acs/") != NULL && strstr(url, "Signature=") != NULL, "%s", url);
    /* unsigned and tampered requests are refused, the session stays */
    snprintf(bad, sizeof bad, "%s", url);
    sig = strstr(bad, "Signature=") + strlen("Signature=");
    *sig = *sig == 'A' ? 'B' : 'A';
    it_call_token(&r, "GET", strstr(bad, "/v1/"), NULL, NULL);
    cr_assert(eq(long, r.status, 401), "%s", r.body);
    cr_assert(strstr(r.body, "signature is wrong") != NULL, "%s", r.body);
    it_resp_release(&r);
    snprintf(bad, sizeof bad, "%s", url);
    *strstr(bad, "&Signature=") = '\0';
    it_call_token(&r, "GET", strstr(bad, "/v1/"), NULL, NULL);
    cr_assert(eq(long, r.status, 401), "%s", r.body);
    it_resp_release(&r);
    it_call_token(&r, "POST", "/v1/authenticate/", access, "{}");
    cr_assert(eq(long, r.status, 201));
    it_resp_release(&r);
    /* the signed request: 302 back to the provider with a LogoutResponse */
    it_call_token(&r, "GET", strstr(url, "/v1/"), NULL, NULL);
    cr_assert(eq(long, r.status, 302), "%s", r.body);
    cr_assert(strncmp(it_header_str(&r, "location"), w.idp.base, strlen(w.idp.base)) == 0);
    cr_assert(strstr(it_header_str(&r, "location"), "SAMLResponse=") != NULL);
    cr_assert(strstr(it_header_str(&r, "location"), "RelayState=relay-1") != NULL);
    it_resp_release(&r);
    /* the access token stops working (revocation reaches the edge) */
    start = it_now_ms();
    for (;;) {
        it_call_token(&r, "POST", "/v1/authenticate/", access, "{}");
        status = r.status;
        it_resp_release(&r);
        if (status == 401 || it_now_ms() - start > 10000)
            break;
        usleep(50 * 1000);
    }
    cr_assert(eq(long, status, 401), "the token still works after single logout");
    world_free(&w);
}
