/* clinical_fixtures.c: the clinical API suites' world and calls
 * (clinical_fixtures.h). */
#include "clinical_fixtures.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_fixtures.h"

void cf_org(const char *platform, const char *name, char *id)
{
    struct it_resp r;
    char *text;
    json_t *body = json_pack("{s:{s:s, s:{s:s}}}", "data", "type", "organizations", "attributes",
                             "name", name), *doc;

    text = json_dumps(body, JSON_COMPACT);
    it_call_token(&r, "POST", "/v1/organizations/", platform, text);
    free(text);
    json_decref(body);
    cr_assert(eq(long, r.status, 201), "create organization %s: %s", name, r.body);
    doc = it_json(&r);
    snprintf(id, 40, "%s", json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    json_decref(doc);
    it_resp_release(&r);
}

void cf_client_make(const char *platform, const char *org, const char *roles, struct cf_client *c)
{
    char body[512], name[64];
    struct it_resp r;
    json_t *doc, *a;

    it_unique(name, sizeof name, "cf-client-");
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"api-clients\",\"attributes\":{\"name\":\"%s\","
             "\"organization-id\":\"%s\",\"roles\":%s}}}",
             name, org, roles);
    it_call_token(&r, "POST", "/v1/api-clients/", platform, body);
    cr_assert(eq(long, r.status, 201), "create api client: %s", r.body);
    doc = it_json(&r);
    a = json_object_get(json_object_get(doc, "data"), "attributes");
    snprintf(c->user, sizeof c->user, "%s", json_string_value(json_object_get(a, "api-user-id")));
    snprintf(c->key, sizeof c->key, "%s", json_string_value(json_object_get(a, "api-key")));
    json_decref(doc);
    it_resp_release(&r);
}

void cf_world_make(struct cf_world *w)
{
    char r[64];

    memset(w, 0, sizeof *w);
    it_admin_token_accepted(w->platform);
    it_unique(r, sizeof r, "cf-");
    snprintf(w->root, sizeof w->root, "%s", r);
    snprintf(w->child, sizeof w->child, "%s:1234", r);
    it_unique(w->other, sizeof w->other, "cf-other-");
    cf_org(w->platform, w->root, w->root_id);
    cf_org(w->platform, w->child, w->child_id);
    cf_org(w->platform, w->other, w->other_id);
    cf_client_make(w->platform, w->root_id, "[\"admin\"]", &w->admin);
    cf_client_make(w->platform, w->root_id, "[]", &w->reader);
    cf_client_make(w->platform, w->child_id, "[\"admin\"]", &w->child_admin);
    cf_client_make(w->platform, w->other_id, "[\"admin\"]", &w->other_admin);
}

void cf_call_raw(const struct cf_client *c, const char *method, const char *path,
                 const char *ctype, const char *body, struct it_resp *r)
{
    char pair[256], b64[512], auth[600], ct[128];
    const char *hs[3] = {NULL, NULL, NULL};
    struct it_req rq = {.method = method, .path = path, .headers = hs};
    int k = 0;

    if (c) {
        snprintf(pair, sizeof pair, "%s:%s", c->user, c->key);
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)pair, strlen(pair),
                          sodium_base64_VARIANT_ORIGINAL);
        snprintf(auth, sizeof auth, "Authorization: Basic %s", b64);
        hs[k++] = auth;
    }
    if (body) {
        snprintf(ct, sizeof ct, "Content-Type: %s",
                 ctype ? ctype : "application/x-www-form-urlencoded");
        hs[k++] = ct;
        rq.body = body;
        rq.body_len = strlen(body);
    }
    cr_assert(eq(int, it_http(&rq, r), 0), "%s %s: %s", method, path, r->error);
}

long cf_call(const struct cf_client *c, const char *method, const char *path, const char *ctype,
             const char *body, json_t **doc)
{
    struct it_resp r;
    long status;

    cf_call_raw(c, method, path, ctype, body, &r);
    status = r.status;
    if (doc)
        *doc = json_loads(r.body, 0, NULL);
    it_resp_release(&r);
    return status;
}

const char *cf_str(const json_t *doc, const char *name)
{
    const char *s = json_string_value(json_object_get(doc, name));
    return s ? s : "";
}

void cf_assert_error(const json_t *doc, const char *message)
{
    cr_assert(eq(str, (char *)cf_str(doc, "status"), "error"));
    cr_assert(eq(str, (char *)cf_str(doc, "message"), (char *)message));
}

void cf_user(const struct cf_client *c, const char *ou, const char *extra, char *email)
{
    char local[64], body[2048];
    json_t *doc = NULL;
    long s;

    it_unique(local, sizeof local, "cfu-");
    snprintf(email, 128, "%s@example.com", local);
    snprintf(body, sizeof body,
             "first_name=Jo&last_name=Doe&email=%s&specialty=Cardiology&title=MD"
             "&send_activation_email=False%s%s%s",
             email, ou ? "&primary_ou=" : "", ou ? ou : "", extra ? extra : "");
    s = cf_call(c, "POST", "/api/2015-02-01/admin/users", NULL, body, &doc);
    cr_assert(eq(long, s, 200), "create user: %ld %s", s, doc ? json_dumps(doc, 0) : "");
    json_decref(doc);
}

long cf_events(const char *subject, const char *text)
{
    PGconn *pg = it_pg();
    const char *params[2] = {subject, text};
    char *v = it_pg_value(pg,
                          "SELECT count(*) FROM messaging.outbox WHERE subject = $1 AND "
                          "position(convert_to($2, 'UTF8') in payload) > 0",
                          2, params);
    long n = v ? atol(v) : -1;

    free(v);
    PQfinish(pg);
    return n;
}
