/* it_clinical.c: fixtures of the clinical API suites (it_clinical.h). */
#include "it_clinical.h"

#include "it_onboarding.h"

#include <criterion/new/assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ic_world(struct ic_client *c, const char *roles)
{
    char admin[4097], body[512], name[64];
    json_t *doc, *d, *a;
    struct it_resp r;

    memset(c, 0, sizeof *c);
    it_admin_token_accepted(admin);
    ob_create_org(admin, c->org, c->org_name);
    if (strstr(roles, "view-phi")) { /* no /v1 operation makes roles: written into identity */
        PGconn *pg = it_pg();
        const char *v[1] = {c->org};
        char *id = it_pg_value(pg,
                               "INSERT INTO identity.roles (organization_id, name, display_name) "
                               "VALUES ($1::uuid, 'view-phi', 'View PHI') RETURNING id::text",
                               1, v);
        free(id);
        PQfinish(pg);
    }
    it_unique(name, sizeof name, "ic-client-");
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"api-clients\",\"attributes\":{\"name\":\"%s\","
             "\"organization-id\":\"%s\",\"roles\":%s}}}",
             name, c->org, roles);
    it_call_token(&r, "POST", "/v1/api-clients/", admin, body);
    cr_assert(r.status == 201 || r.status == 200, "api client: %ld %.300s", r.status, r.body);
    doc = it_json(&r);
    d = json_object_get(doc, "data");
    a = json_object_get(d, "attributes");
    snprintf(c->user, sizeof c->user, "%s", json_string_value(json_object_get(a, "api-user-id")));
    snprintf(c->key, sizeof c->key, "%s", json_string_value(json_object_get(a, "api-key")));
    json_decref(doc);
    it_resp_release(&r);
}

void ic_person(const struct ic_client *c, struct ut_user *u, char *email)
{
    ut_account(c->org, NULL, u);
    snprintf(email, 160, "%s@example.com", u->username);
}

static long finish(struct it_resp *r, json_t **doc)
{
    long st = r->status;

    if (doc)
        *doc = it_json(r);
    it_resp_release(r);
    return st;
}

long ic_api(const struct ic_client *c, const char *method, const char *path, const char *ctype,
            const char *body, json_t **doc)
{
    char pair[160], b64[256], auth[300], type[128];
    const char *hs[3] = {auth, NULL, NULL};
    struct it_req rq = {0};
    struct it_resp r;

    snprintf(pair, sizeof pair, "%s:%s", c->user, c->key);
    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)pair, strlen(pair),
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(auth, sizeof auth, "Authorization: Basic %s", b64);
    if (ctype) {
        snprintf(type, sizeof type, "Content-Type: %s", ctype);
        hs[1] = type;
    }
    rq.method = method;
    rq.path = path;
    rq.headers = hs;
    rq.body = body;
    rq.body_len = body ? strlen(body) : 0;
    rq.timeout_ms = 30000;
    if (it_http(&rq, &r) != 0)
        cr_fail("%s %s: no response: %s", method, path, r.error);
    return finish(&r, doc);
}

/* method path as c with a body, asserting 200. */
static void admin_ok(const struct ic_client *c, const char *method, const char *path,
                     const char *ctype, const char *body)
{
    json_t *doc = NULL;
    long status = ic_api(c, method, path, ctype, body, &doc);
    char *text = doc ? json_dumps(doc, 0) : NULL;

    cr_assert(eq(long, status, 200), "%s %s: %s", method, path, text ? text : "");
    free(text);
    json_decref(doc);
}

void ic_services(const struct ic_client *c, const char *services)
{
    char path[256], body[1024];

    snprintf(path, sizeof path, "/api/2018-04-01/admin/services/%s", c->org_name);
    snprintf(body, sizeof body, "{\"services\": %s}", services);
    admin_ok(c, "PUT", path, "application/json", body);
}

void ic_user_put(const struct ic_client *c, const char *user, const char *form)
{
    char path[256];

    snprintf(path, sizeof path, "/api/2015-02-01/admin/users/%s", user);
    admin_ok(c, "PUT", path, "application/x-www-form-urlencoded", form);
}

void ic_service_pager(const struct ic_client *c, const char *number, const char *service)
{
    char body[512];

    snprintf(body, sizeof body, "{\"pager_number\": \"%s\", \"iid\": \"%s\", \"service\": \"%s\"}",
             number, c->org_name, service);
    admin_ok(c, "POST", "/api/2019-03-01/pager/service", "application/json", body);
}

long ic_token(const char *token, const char *method, const char *path, const char *body,
              json_t **doc)
{
    struct it_resp r;

    it_call_token(&r, method, path, token, body);
    return finish(&r, doc);
}

const char *ic_str(const json_t *doc, const char *name)
{
    const char *s = json_string_value(json_object_get(doc, name));
    return s ? s : "";
}

long ic_int2(const json_t *doc, const char *a, const char *b)
{
    const json_t *v = json_object_get(json_object_get(doc, a), b);
    return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

void ic_counters(const struct ic_client *c, const char *user, long *unread, long *unseen)
{
    char path[256];
    json_t *doc = NULL;

    snprintf(path, sizeof path, "/api/2016-11-01/user/counters/%s", user);
    cr_assert(eq(long, ic_api(c, "GET", path, NULL, NULL, &doc), 200));
    *unread = ic_int2(doc, "unread", "msg");
    *unseen = ic_int2(doc, "unseen", "msg");
    cr_assert(eq(long, ic_int2(doc, "unread", "ctn"), 0));
    json_decref(doc);
}

int ic_has(const json_t *a, const char *s)
{
    for (size_t i = 0; i < json_array_size(a); i++)
        if (!strcmp(json_string_value(json_array_get(a, i)) ?: "", s))
            return 1;
    return 0;
}
