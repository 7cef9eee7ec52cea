/* test_service_documents.c: service documents (#126, #127) and the
 * agreements they need: a login, refresh or sign-up without agreement to
 * the current required documents of the person's organizations is refused
 * with 403 naming them, and goes through once they are agreed to; #152
 * forgets the agreements. Documents are written straight into onboarding's
 * table (the API has no operation that writes them), always for a fresh
 * organization of the test: a platform document would gate every other
 * suite's logins. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "it_onboarding.h"

TestSuite(service_documents, .timeout = 90, .init = ob_clear_addr_limit);

#define DOCS "/v1/service-documents/"

/* A document of org (required or not) of type and version; its id into id
 * (37 bytes). */
static void doc_new(const char *org, const char *type, const char *version, int required, char *id)
{
    PGconn *pg = it_pg();
    char title[128];
    const char *p[] = {org, type, version, title, required ? "true" : "false"};
    char *v;

    snprintf(title, sizeof title, "%s %s", type, version);
    v = it_pg_value(pg,
                    "INSERT INTO onboarding.service_documents (organization_id, type, version, "
                    "title, html_link, html, translations, required) VALUES ($1::uuid, $2, $3, "
                    "$4, 'https://docs.example.com/' || $2 || '/' || $3, '<p>' || $4 || '</p>', "
                    "jsonb_build_array(jsonb_build_object('locale', 'es_US', 'title', "
                    "'es ' || $4, 'html-link', 'https://docs.example.com/es')), $5::boolean) "
                    "RETURNING id::text",
                    5, p);
    PQfinish(pg);
    cr_assert(v != NULL);
    snprintf(id, 37, "%s", v);
    free(v);
}

/* A registered member (role patient) of a fresh organization. */
static void person(char *org, char *username, char *user_id)
{
    PGconn *pg = it_pg();

    af_org(pg, org);
    af_user(pg, "it-sdoc", 1, 1, username, user_id);
    af_member(pg, user_id, org, "patient");
    PQfinish(pg);
}

/* Asserts doc is the 403 refusal naming exactly doc_id. */
static void assert_refusal_names(const json_t *doc, const char *doc_id)
{
    const json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
    const json_t *docs = json_object_get(json_object_get(e, "meta"), "service-documents");

    af_error(doc, 403, "/service-document-agreements");
    cr_assert(eq(str, (char *)af_str(e, "code"), "service_document_agreements_required"));
    cr_assert(strstr(af_str(e, "detail"), doc_id) != NULL, "%s", af_str(e, "detail"));
    cr_assert(eq(sz, json_array_size(docs), 1));
    cr_assert(eq(str, (char *)af_str(json_array_get(docs, 0), "id"), (char *)doc_id));
    cr_assert(strlen(af_str(json_array_get(docs, 0), "title")) > 0);
}

static long refresh(const char *token, json_t **doc)
{
    char body[AF_TOKEN_MAX + 64];

    snprintf(body, sizeof body, "{\"refresh-token\": \"%s\"}", token);
    return af_call("POST", "/v1/refresh-token/", NULL, body, doc);
}

Test(service_documents, login_needs_agreement_to_a_newly_required_document)
{
    char org[40], username[128], user_id[40], doc_id[37], doc2[37], old_refresh[AF_TOKEN_MAX];
    char extra[160];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    person(org, username, user_id);
    cr_assert(eq(long, af_login(username, AF_PASSWORD, NULL, &doc), 201));
    snprintf(old_refresh, sizeof old_refresh, "%s", af_str(doc, "refresh-token"));
    json_decref(doc);

    /* a required document appears: login and refresh are refused, naming it */
    doc_new(org, "terms-of-service", "1", 1, doc_id);
    cr_assert(eq(long, af_login(username, AF_PASSWORD, NULL, &doc), 403));
    assert_refusal_names(doc, doc_id);
    json_decref(doc);
    cr_assert(eq(long, refresh(old_refresh, &doc), 403));
    assert_refusal_names(doc, doc_id);
    json_decref(doc);

    /* agreeing at login lets it through, and is remembered */
    snprintf(extra, sizeof extra, "{\"service-document-agreements\": [\"%s\"]}", doc_id);
    cr_assert(eq(long, af_login(username, AF_PASSWORD, extra, &doc), 201));
    cr_assert(strlen(af_str(doc, "access-token")) > 0);
    json_decref(doc);
    cr_assert(eq(long, af_login(username, AF_PASSWORD, NULL, &doc), 201));
    json_decref(doc);
    /* the refused refresh did not use its token up */
    cr_assert(eq(long, refresh(old_refresh, &doc), 201));
    json_decref(doc);

    /* a new version of it must be agreed to again; an optional one need not */
    usleep(2000);
    doc_new(org, "terms-of-service", "2", 1, doc2);
    doc_new(org, "newsletter", "1", 0, doc_id);
    cr_assert(eq(long, af_login(username, AF_PASSWORD, NULL, &doc), 403));
    assert_refusal_names(doc, doc2);
    json_decref(doc);
    snprintf(extra, sizeof extra, "{\"service-document-agreements\": [\"%s\"]}", doc2);
    cr_assert(eq(long, af_login(username, AF_PASSWORD, extra, &doc), 201));
    json_decref(doc);
}

Test(service_documents, unknown_documents_are_skipped_and_a_wrong_password_learns_nothing)
{
    char org[40], username[128], user_id[40], doc_id[37], extra[200];
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    person(org, username, user_id);
    /* an id that is no document is skipped: nothing is required yet */
    cr_assert(eq(long,
                 af_login(username, AF_PASSWORD,
                          "{\"service-document-agreements\": "
                          "[\"7f1d5b8e-0000-4000-8000-000000000001\"]}",
                          &doc),
                 201));
    json_decref(doc);
    cr_assert(eq(
        long, af_login(username, AF_PASSWORD, "{\"service-document-agreements\": [\"x\"]}", &doc),
        400));
    af_error(doc, 400, "/service-document-agreements/0");
    json_decref(doc);
    /* a wrong password never learns about documents */
    doc_new(org, "privacy-policy", "1", 1, doc_id);
    cr_assert(eq(long, af_login(username, "Wrong-Password-123!", NULL, &doc), 401));
    json_decref(doc);
    /* an unknown id beside the right one */
    snprintf(extra, sizeof extra,
             "{\"service-document-agreements\": [\"7f1d5b8e-0000-4000-8000-000000000001\", "
             "\"%s\"]}",
             doc_id);
    cr_assert(eq(long, af_login(username, AF_PASSWORD, extra, &doc), 201));
    json_decref(doc);
}

Test(service_documents, deleting_agreements_makes_the_next_login_agree_again)
{
    char org[40], username[128], user_id[40], doc_id[37], extra[160], path[160];
    char access[AF_TOKEN_MAX], other[128], other_id[40], other_access[AF_TOKEN_MAX];
    PGconn *pg;
    json_t *doc = NULL;

    IT_REQUIRE_STACK();
    person(org, username, user_id);
    doc_new(org, "terms-of-service", "1", 1, doc_id);
    snprintf(extra, sizeof extra, "{\"service-document-agreements\": [\"%s\"]}", doc_id);
    cr_assert(eq(long, af_login(username, AF_PASSWORD, extra, &doc), 201));
    snprintf(access, sizeof access, "%s", af_str(doc, "access-token"));
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/users/%s/delete-service-document-agreements/", user_id);

    /* somebody else of no organization: 404 */
    pg = it_pg();
    af_user(pg, "it-sdoc-other", 1, 1, other, other_id);
    PQfinish(pg);
    cr_assert(eq(long, af_login(other, AF_PASSWORD, NULL, &doc), 201));
    snprintf(other_access, sizeof other_access, "%s", af_str(doc, "access-token"));
    json_decref(doc);
    cr_assert(eq(long, af_call("POST", path, other_access, "{}", &doc), 404));
    json_decref(doc);
    cr_assert(eq(long, af_call("POST", path, NULL, "{}", &doc), 401));
    json_decref(doc);
    cr_assert(eq(long, af_call("POST", path, access, "{\"x\": 1}", &doc), 400));
    json_decref(doc);

    /* the person themselves */
    cr_assert(eq(long, af_call("POST", path, access, "{}", &doc), 201));
    cr_assert(it_true(json_is_null(json_object_get(doc, "data"))) || doc == NULL ||
              json_is_null(doc));
    json_decref(doc);
    cr_assert(eq(long, af_login(username, AF_PASSWORD, NULL, &doc), 403));
    assert_refusal_names(doc, doc_id);
    json_decref(doc);
    /* the agreement and its deletion were announced */
    pg = it_pg();
    {
        const char *p[] = {user_id};
        char *n = it_pg_value(pg,
                              "SELECT count(DISTINCT subject)::text FROM onboarding.outbox "
                              "WHERE subject LIKE 'evt.onboarding.service_document_agreements.%' "
                              "AND position(convert_to($1, 'UTF8') in payload) > 0",
                              1, p);
        cr_assert(eq(str, n, "2"));
        free(n);
    }
    PQfinish(pg);
}

/* True when the list doc holds id. */
static int lists(const json_t *doc, const char *id)
{
    size_t i;
    json_t *item;

    json_array_foreach(json_object_get(doc, "data"), i, item)
    {
        if (!strcmp(af_str(item, "id"), id))
            return 1;
    }
    return 0;
}

Test(service_documents, list_by_organization_or_code_and_read)
{
    struct ob_fixture f;
    char v1[37], v2[37], path[256];
    json_t *doc = NULL, *attrs;

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    doc_new(f.org_id, "terms-of-service", "1", 1, v1);
    usleep(2000);
    doc_new(f.org_id, "terms-of-service", "2", 1, v2);

    snprintf(path, sizeof path, DOCS "?latest=true&organizations=%s", f.org_id);
    cr_assert(eq(long, af_call("GET", path, NULL, NULL, &doc), 200));
    cr_assert(it_true(lists(doc, v2) && !lists(doc, v1)));
    json_decref(doc);
    snprintf(path, sizeof path, DOCS "?latest=false&organization-code=%s", f.code);
    cr_assert(eq(long, af_call("GET", path, NULL, NULL, &doc), 200));
    cr_assert(it_true(lists(doc, v2) && lists(doc, v1)));
    json_decref(doc);
    snprintf(path, sizeof path, DOCS "?latest=true&referral-code=%s", f.code);
    cr_assert(eq(long, af_call("GET", path, NULL, NULL, &doc), 200));
    cr_assert(it_true(lists(doc, v2) && !lists(doc, v1)));
    json_decref(doc);
    /* another organization's documents are not shown */
    cr_assert(eq(long, af_call("GET", DOCS "?latest=true", NULL, NULL, &doc), 200));
    cr_assert(it_true(!lists(doc, v2)));
    json_decref(doc);

    /* errors */
    cr_assert(eq(long, af_call("GET", DOCS, NULL, NULL, &doc), 400));
    af_error(doc, 400, NULL);
    json_decref(doc);
    cr_assert(
        eq(long, af_call("GET", DOCS "?latest=true&organizations=nope", NULL, NULL, &doc), 400));
    json_decref(doc);
    cr_assert(eq(
        long, af_call("GET", DOCS "?latest=true&organization-code=NoSuchCode1", NULL, NULL, &doc),
        404));
    json_decref(doc);
    cr_assert(eq(long, af_call("GET", DOCS "?latest=true&color=red", NULL, NULL, &doc), 400));
    json_decref(doc);

    /* read: plain, translated with html */
    snprintf(path, sizeof path, DOCS "%s/", v2);
    cr_assert(eq(long, af_call("GET", path, NULL, NULL, &doc), 200));
    attrs = json_object_get(json_object_get(doc, "data"), "attributes");
    cr_assert(eq(str, (char *)af_str(attrs, "title"), "terms-of-service 2"));
    cr_assert(eq(str, (char *)af_str(attrs, "version"), "2"));
    cr_assert(eq(str, (char *)af_str(json_object_get(attrs, "organization"), "id"), f.org_id));
    cr_assert(json_object_get(attrs, "html") == NULL);
    json_decref(doc);
    snprintf(path, sizeof path, DOCS "%s/?html=true&locale=es_US&reflow=true", v2);
    cr_assert(eq(long, af_call("GET", path, NULL, NULL, &doc), 200));
    attrs = json_object_get(json_object_get(doc, "data"), "attributes");
    cr_assert(eq(str, (char *)af_str(attrs, "title"), "es terms-of-service 2"));
    cr_assert(strstr(af_str(attrs, "html"), "<p>terms-of-service 2</p>") != NULL);
    cr_assert(strstr(af_str(attrs, "html"), "<style>") != NULL);
    json_decref(doc);
    cr_assert(eq(
        long, af_call("GET", DOCS "7f1d5b8e-0000-4000-8000-000000000002/", NULL, NULL, &doc), 404));
    json_decref(doc);
    cr_assert(eq(long, af_call("GET", DOCS "not-a-uuid/", NULL, NULL, &doc), 404));
    json_decref(doc);
}

Test(service_documents, sign_up_needs_the_documents_of_the_code)
{
    struct ob_fixture f;
    char doc_id[37], username[128], *agreed;
    struct it_resp r;
    json_t *body, *doc;
    PGconn *pg;
    const char *p[2];

    IT_REQUIRE_STACK();
    ob_fixture_make(&f);
    doc_new(f.org_id, "terms-of-service", "1", 1, doc_id);
    it_unique(username, sizeof username, "it-sdoc-signup-");
    strcat(username, "@example.com");
    body = ob_sign_up_body(f.code, username, NULL);
    ob_post_json(&r, "/v1/sign-up/", NULL, body);
    cr_assert(eq(long, r.status, 403), "%s", r.body);
    doc = it_json(&r);
    assert_refusal_names(doc, doc_id);
    json_decref(doc);
    it_resp_release(&r);

    /* agreed, beside an id that is no document (skipped) */
    json_object_set_new(body, "service-document-agreements",
                        json_pack("[s, s]", doc_id, "7f1d5b8e-0000-4000-8000-000000000003"));
    ob_sign_up_ok(body);
    json_decref(body);

    pg = it_pg();
    p[0] = username;
    p[1] = doc_id;
    agreed = it_pg_value(pg,
                         "SELECT count(*)::text FROM onboarding.service_document_agreements a "
                         "JOIN onboarding.sign_up_requests s ON s.user_id = a.user_id "
                         "WHERE s.username = lower($1) AND a.document_id = $2::uuid",
                         2, p);
    PQfinish(pg);
    cr_assert(eq(str, agreed, "1"));
    free(agreed);
}
