/* auth_fixtures.c: shared fixtures of the authentication suites
 * (auth_fixtures.h). */
#include "auth_fixtures.h"

#include <criterion/new/assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void af_user(PGconn *pg, const char *prefix, int registered, int enabled, char *username,
             char *id)
{
    char hash[crypto_pwhash_STRBYTES];
    const char *params[4];
    char *v;

    cr_assert(sodium_init() >= 0);
    /* the cheapest argon2id: the hash carries its parameters */
    cr_assert(eq(int,
                 crypto_pwhash_str(hash, AF_PASSWORD, strlen(AF_PASSWORD), 1, 8192 * 1024), 0));
    it_unique(username, 100, prefix);
    strcat(username, "@example.com"); /* an email: username = email */
    for (char *p = username; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    params[0] = username;
    params[1] = hash;
    params[2] = registered ? "true" : "false";
    params[3] = enabled ? "true" : "false";
    v = it_pg_value(pg,
                    "INSERT INTO identity.users (username, email, first_name, last_name, "
                    "password_hash, registered, email_verified, enabled) "
                    "VALUES ($1, $1, 'Test', 'Person', $2, $3::bool, $3::bool, $4::bool) "
                    "RETURNING id::text",
                    4, params);
    cr_assert(v != NULL);
    snprintf(id, 40, "%s", v);
    free(v);
}

void af_org(PGconn *pg, char *id)
{
    char name[96];
    const char *params[1] = {name};
    char *v;

    it_unique(name, sizeof name, "org-");
    v = it_pg_value(pg,
                    "WITH o AS (INSERT INTO identity.organizations (name, display_name) "
                    "VALUES ($1, $1) RETURNING id), "
                    "r AS (INSERT INTO identity.roles (organization_id, name, display_name) "
                    "SELECT o.id, n, n FROM o, unnest(ARRAY['admin', 'provider', 'patient']) n) "
                    "SELECT id::text FROM o",
                    1, params);
    cr_assert(v != NULL);
    snprintf(id, 40, "%s", v);
    free(v);
}

void af_member(PGconn *pg, const char *user, const char *org, const char *role)
{
    const char *params[3] = {user, org, role};
    char *v = it_pg_value(pg,
                          "WITH m AS (INSERT INTO identity.user_organizations (user_id, "
                          "organization_id) VALUES ($1::uuid, $2::uuid)), "
                          "r AS (INSERT INTO identity.role_users (role_id, user_id) "
                          "SELECT id, $1::uuid FROM identity.roles WHERE organization_id = "
                          "$2::uuid AND name = $3::text) SELECT 'ok'",
                          3, params);
    free(v);
}

void af_member_login(const char *prefix, char *org, const char *role, char *user_id,
                     char *access)
{
    PGconn *pg = it_pg();
    char username[128];
    json_t *doc = NULL;

    if (!org[0])
        af_org(pg, org);
    af_user(pg, prefix, 1, 1, username, user_id);
    af_member(pg, user_id, org, role);
    PQfinish(pg);
    cr_assert(eq(long, af_login(username, AF_PASSWORD, NULL, &doc), 201), "login of %s", username);
    snprintf(access, AF_TOKEN_MAX, "%s", af_str(doc, "access-token"));
    json_decref(doc);
}

long af_call(const char *method, const char *path, const char *token, const char *body,
             json_t **doc)
{
    struct it_resp r;
    long status;

    it_call_token(&r, method, path, token, body);
    status = r.status;
    if (doc)
        *doc = r.body && r.len ? json_loadb(r.body, r.len, 0, NULL) : NULL;
    it_resp_release(&r);
    return status;
}

long af_login(const char *username, const char *password, const char *extra, json_t **doc)
{
    json_t *body = extra ? json_loads(extra, 0, NULL) : json_object();
    char *text;
    long status;

    cr_assert(body != NULL, "extra is not JSON: %s", extra);
    json_object_set_new(body, "username", json_string(username));
    json_object_set_new(body, "password", json_string(password));
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    status = af_call("POST", "/v1/login/", NULL, text, doc);
    free(text);
    return status;
}

const char *af_str(const json_t *doc, const char *name)
{
    const json_t *v = json_object_get(doc, name);
    return json_is_string(v) ? json_string_value(v) : "";
}

const char *af_error(const json_t *doc, long status, const char *pointer)
{
    const json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
    const json_t *src = json_object_get(e, "source");

    cr_assert(e != NULL, "not a JSON:API error");
    cr_assert(eq(long, (long)json_integer_value(json_object_get(e, "status")), status));
    cr_assert(it_true(json_is_string(json_object_get(e, "code"))));
    if (pointer)
        cr_assert(eq(str, (char *)af_str(src, "pointer"), (char *)pointer));
    return af_str(e, "detail");
}

void af_error_is(const json_t *doc, long status, const char *code, const char *detail)
{
    const json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
    char *text = json_dumps(doc, JSON_COMPACT);

    cr_assert(e != NULL, "not a JSON:API error: %s", text ? text : "(none)");
    cr_assert(eq(long, (long)json_integer_value(json_object_get(e, "status")), status), "%s", text);
    cr_assert(eq(str, (char *)af_str(e, "code"), (char *)code), "%s", text);
    if (detail)
        cr_assert(eq(str, (char *)af_str(e, "detail"), (char *)detail), "%s", text);
    free(text);
}

void af_refuses_body(const char *path, const char *body, const char *pointer)
{
    struct it_resp r;
    json_t *doc;

    it_call_token(&r, "POST", path, NULL, body);
    it_assert_error_style(&r, "jsonapi", 400);
    doc = it_json(&r);
    if (pointer[0])
        af_error(doc, 400, pointer);
    json_decref(doc);
    it_resp_release(&r);
}
