/* it_onboarding.c: the sign-up suites' shared steps (see it_onboarding.h). */
#include "it_onboarding.h"

#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"

void ob_post_json(struct it_resp *r, const char *path, const char *token, const json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    it_call_token(r, "POST", path, token, text);
    free(text);
}

void ob_create_org(const char *token, char *org_id, char *name)
{
    struct it_resp r;
    char unique[96];
    json_t *body, *doc;

    it_unique(unique, sizeof unique, "org-");
    body = json_pack("{s:{s:s, s:{s:s, s:s}}}", "data", "type", "organizations", "attributes",
                     "name", unique, "display-name", "Clinic of the journey");
    ob_post_json(&r, "/v1/organizations/", token, body);
    json_decref(body);
    cr_assert(eq(long, r.status, 201), "create organization: %s", r.body);
    doc = it_json(&r);
    snprintf(org_id, 37, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    cr_assert(eq(sz, strlen(org_id), 36), "organization id in %s", r.body);
    if (name)
        snprintf(name, 128, "%s", unique);
    json_decref(doc);
    it_resp_release(&r);
}

void ob_create_code(const char *token, const char *org_id, const char *expires_at, char *code)
{
    struct it_resp r;
    json_t *body, *doc;

    body = json_pack("{s:{s:s, s:{s:s, s:o, s:{s:s}}}}", "data", "type", "organization-codes",
                     "attributes", "organization-id", org_id, "expires-at",
                     expires_at ? json_string(expires_at) : json_null(), "enrollment-schema",
                     "version", "1");
    ob_post_json(&r, "/v1/organization-codes/", token, body);
    json_decref(body);
    cr_assert(eq(long, r.status, 201), "create code: %s", r.body);
    doc = it_json(&r);
    snprintf(code, 65, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    cr_assert(code[0] != '\0', "code id in %s", r.body);
    json_decref(doc);
    it_resp_release(&r);
}

json_t *ob_sign_up_body(const char *code, const char *username, const char *email)
{
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "first-name", "Ann", "last-name",
                             "Lee", "organization-code", code, "password", OB_PASSWORD,
                             "username", username);
    if (email)
        json_object_set_new(body, "email", json_string(email));
    return body;
}

void ob_sign_up_ok(const json_t *body)
{
    struct it_resp r;

    ob_post_json(&r, "/v1/sign-up/", NULL, body);
    cr_assert(eq(long, r.status, 201), "sign-up: %s", r.body);
    it_resp_release(&r);
}

/* The confirmation code spooled to username into out (16 bytes). */
static void spooled_code(const char *username, char *out)
{
    json_t *msg = it_spool_wait(username, "sign-up-code", 5000);

    cr_assert(msg != NULL, "no code was sent to %s", username);
    it_spool_code(msg, out, 16);
    json_decref(msg);
    cr_assert(eq(sz, strlen(out), 6), "a 6-digit code");
}

void ob_sign_up_and_get_code(const char *code, const char *username, char *out)
{
    json_t *body = ob_sign_up_body(code, username, NULL);

    ob_sign_up_ok(body);
    json_decref(body);
    spooled_code(username, out);
}

void ob_sign_up_confirmed(const json_t *body)
{
    const char *username = json_string_value(json_object_get(body, "username"));
    struct it_resp r;
    char conf[16];

    cr_assert(username != NULL, "the sign-up body names no username");
    ob_sign_up_ok(body);
    spooled_code(username, conf);
    cr_assert(eq(long, ob_confirm(&r, username, conf, 0), 201), "confirm-sign-up: %s", r.body);
    it_resp_release(&r);
}

char *ob_sign_up_user_id(const char *username)
{
    PGconn *pg = it_pg();
    const char *p[] = {username};
    char *id = it_pg_value(pg,
                           "SELECT user_id::text FROM onboarding.sign_up_requests "
                           "WHERE username = lower($1)",
                           1, p);

    PQfinish(pg);
    cr_assert(id != NULL && strlen(id) == 36, "no user for the sign-up of %s", username);
    return id;
}

long ob_request_create(const char *token, const char *attributes, json_t **doc)
{
    char body[2048];

    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"onboarding-requests\", \"attributes\": %s}}", attributes);
    return af_call("POST", "/v1/onboarding-requests/", token, body, doc);
}

long ob_confirm(struct it_resp *r, const char *username, const char *confirmation, int login)
{
    json_t *body = json_pack("{s:s, s:s, s:b}", "username", username, "confirmation-code",
                             confirmation, "login", login);
    ob_post_json(r, "/v1/confirm-sign-up/", NULL, body);
    json_decref(body);
    return r->status;
}

void ob_error_pointer(const struct it_resp *r, char *out)
{
    json_t *doc = json_loadb(r->body, r->len, 0, NULL);
    json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
    const char *p = json_string_value(json_object_get(json_object_get(e, "source"), "pointer"));
    snprintf(out, 128, "%s", p ? p : "");
    json_decref(doc);
}

void ob_fixture_make(struct ob_fixture *f)
{
    it_admin_token_accepted(f->admin);
    ob_create_org(f->admin, f->org_id, NULL);
    ob_create_code(f->admin, f->org_id, NULL, f->code);
}

void ob_clear_addr_limit(void)
{
    PGconn *pg = it_pg();

    free(it_pg_value(pg,
                     "WITH d AS (DELETE FROM onboarding.sign_up_limits WHERE kind = 'addr' "
                     "RETURNING 1) SELECT count(*) FROM d",
                     0, NULL));
    PQfinish(pg);
}
