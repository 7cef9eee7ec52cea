/* test_impersonation.c: suite "impersonation": impersonation requests
 * (#32-#35) and their end over HTTP through the edge: the approval rules
 * (never a platform admin by an organization admin, only accounts the admin
 * fully administers, never oneself), the impersonation session whose tokens
 * and login info carry impersonated-by, the user activities that attribute
 * it (imps, refr, impe), and its tokens refused once it ends. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "test_users_fixtures.h"

TestSuite(impersonation, .timeout = 90);

struct tenant {
    char org[UT_ID_LEN];
    struct ut_user admin, member;
};

static void tenant_new(struct tenant *t)
{
    ut_org(t->org);
    ut_account(t->org, "admin", &t->admin);
    ut_account(t->org, "patient", &t->member);
}

static char psid[UT_ID_LEN]; /* the platform admin's session (platform()) */

/* The platform admin's token and user id (once per process). */
static const char *platform(char *id_out)
{
    static char tok[4097], id[UT_ID_LEN];

    if (!tok[0])
        it_admin_session(tok, id, psid);
    if (id_out)
        snprintf(id_out, UT_ID_LEN, "%s", id);
    return tok;
}

/* POST /v1/impersonation-requests/ for user as token; the status, and the
 * request id into id (UT_ID_LEN) on 201. */
static long request(const char *token, const char *user, char *id)
{
    char body[256];
    struct it_resp r;
    long st;

    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"impersonation-requests\",\"attributes\":{\"user-id\":\"%s\"}}}",
             user);
    ut_call(&r, "POST", token, body, "/v1/impersonation-requests/");
    st = r.status;
    if (st == 201 && id) {
        json_t *doc = it_json(&r);
        snprintf(id, UT_ID_LEN, "%s",
                 json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
        json_decref(doc);
    } else if (st != 201) {
        cr_log_info("request: %.300s", r.body);
    }
    it_resp_release(&r);
    return st;
}

/* The impersonation's tokens and session. */
struct imp_session {
    char access[4097], refresh[512], session[UT_ID_LEN];
};

/* POST .../impersonate/ as token; the status, the tokens into s on 201. */
static long impersonate(const char *token, const char *req, struct imp_session *s, json_t **doc_out)
{
    struct it_resp r;
    json_t *doc;
    long st;

    ut_call(&r, "POST", token, "{\"access-token-expiration-seconds\": 600}",
            "/v1/impersonation-requests/%s/impersonate/", req);
    st = r.status;
    if (st == 201 && s) {
        doc = it_json(&r);
        snprintf(s->access, sizeof s->access, "%s",
                 json_string_value(json_object_get(doc, "access-token")));
        snprintf(s->refresh, sizeof s->refresh, "%s",
                 json_string_value(json_object_get(doc, "refresh-token")));
        snprintf(s->session, sizeof s->session, "%s",
                 json_string_value(json_object_get(doc, "session-id")));
        if (doc_out)
            *doc_out = doc;
        else
            json_decref(doc);
    }
    it_resp_release(&r);
    return st;
}

/* The number of user activities of user of type with impersonated-by imp
 * and session-id session, as the platform admin lists them. */
static int activities(const char *user, const char *type, const char *imp, const char *session)
{
    struct it_resp r;
    json_t *doc, *item;
    size_t i;
    int n = 0;

    ut_call(&r, "GET", platform(NULL), NULL,
            "/v1/user-activities/?filter[user-id]=%s&filter[event-types]=%s", user, type);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    doc = it_json(&r);
    json_array_foreach(json_object_get(doc, "data"), i, item)
    {
        json_t *a = json_object_get(item, "attributes");
        const char *by = json_string_value(json_object_get(a, "impersonated-by"));
        const char *sid = json_string_value(json_object_get(a, "session-id"));
        if (by && !strcmp(by, imp) && sid && !strcmp(sid, session))
            n++;
    }
    json_decref(doc);
    it_resp_release(&r);
    return n;
}

Test(impersonation, platform_admin_impersonates_attributed_and_ended)
{
    struct tenant t;
    char pid[UT_ID_LEN], req[UT_ID_LEN], body[700];
    struct imp_session s;
    struct it_resp r;
    json_t *doc, *a;
    int refused = 0;

    IT_REQUIRE_STACK();
    tenant_new(&t);
    platform(pid);
    cr_assert(eq(long, request(platform(NULL), t.member.id, req), 201));
    ut_call(&r, "GET", platform(NULL), NULL, "/v1/impersonation-requests/%s/", req);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    a = ut_attrs_of(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "state")), "approved"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "created-by")), pid));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json_object_get(a, "user"), "id")),
                 t.member.id));
    json_decref(a);
    it_resp_release(&r);
    /* the user sees who asked to impersonate them */
    ut_call(&r, "GET", t.member.token, NULL, "/v1/impersonation-requests/?filter[created-by]=%s",
            pid);
    cr_assert(eq(long, r.status, 200));
    cr_assert(it_true(strstr(r.body, req) != NULL), "%.300s", r.body);
    it_resp_release(&r);
    /* ... but only the requester uses it */
    cr_assert(eq(long, impersonate(t.member.token, req, NULL, NULL), 403));
    cr_assert(eq(long, impersonate(t.admin.token, req, NULL, NULL), 404));
    cr_assert(eq(long, impersonate(platform(NULL), req, &s, &doc), 201));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "user-id")), t.member.id));
    cr_assert(eq(
        str,
        (char *)json_string_value(json_object_get(json_object_get(doc, "impersonated-by"), "id")),
        pid));
    cr_assert(eq(str,
                 (char *)json_string_value(
                     json_object_get(json_object_get(doc, "impersonated-by"), "session-id")),
                 psid),
              "the impersonator's own session");
    json_decref(doc);
    /* once */
    cr_assert(eq(long, impersonate(platform(NULL), req, NULL, NULL), 409));
    /* the impersonation token acts as the user; its session shows the impersonator */
    ut_call(&r, "GET", s.access, NULL, "/v1/sessions/%s/?include-login-info=true", s.session);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    a = ut_attrs_of(&r);
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(
                     json_object_get(json_object_get(a, "login-info"), "impersonated-by"), "id")),
                 pid));
    json_decref(a);
    it_resp_release(&r);
    /* an impersonation session does not impersonate further */
    cr_assert(eq(long, request(s.access, t.admin.id, NULL), 403));
    /* activities: started, and a refresh during it, attributed */
    cr_assert(eq(int, activities(t.member.id, "imps", pid, s.session), 1));
    snprintf(body, sizeof body, "{\"refresh-token\": \"%s\"}", s.refresh);
    it_call_token(&r, "POST", "/v1/refresh-token/", NULL, body);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    cr_assert(it_true(strstr(r.body, pid) != NULL), "the new tokens still say who: %.300s", r.body);
    it_resp_release(&r);
    cr_assert(eq(int, activities(t.member.id, "refr", pid, s.session), 1));
    /* end it from the impersonation session itself */
    ut_call(&r, "POST", s.access, "{}", "/v1/impersonation-requests/%s/end/", req);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    cr_assert(it_true(strstr(r.body, "\"state\":\"ended\"") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    cr_assert(eq(int, activities(t.member.id, "impe", pid, s.session), 1));
    /* its tokens stop within a second (polled, generous deadline) */
    for (double until = it_now_ms() + 3000; !refused && it_now_ms() < until;) {
        it_call_token(&r, "POST", "/v1/authenticate/", s.access, "{}");
        refused = r.status == 401;
        it_resp_release(&r);
        if (!refused)
            usleep(50000);
    }
    cr_assert(it_true(refused), "the impersonation token is refused after the end");
    /* the user's own token still works */
    it_call_token(&r, "POST", "/v1/authenticate/", t.member.token, "{}");
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "POST", platform(NULL), "{}", "/v1/impersonation-requests/%s/end/", req);
    ut_assert_error(&r, 409, NULL);
    it_resp_release(&r);
}

Test(impersonation, organization_admin_rules)
{
    struct tenant a, b;
    struct ut_user both, padmin, other_admin, off;
    char req[UT_ID_LEN], body[256];
    struct imp_session s;
    struct it_resp r;
    PGconn *pg;
    const char *v[1];

    IT_REQUIRE_STACK();
    tenant_new(&a);
    tenant_new(&b);
    ut_account(a.org, "admin", &other_admin);
    /* a member of A and B: A's admin does not administer all of it */
    ut_account(a.org, "patient", &both);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organizations\",\"attributes\":{\"user-id\":\"%s\"}}}",
             both.id);
    ut_call(&r, "POST", platform(NULL), body, "/v1/organizations/%s/add-user/", b.org);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
    /* a platform admin who is a member of A */
    ut_account(a.org, "patient", &padmin);
    pg = it_pg();
    v[0] = padmin.id;
    free(it_pg_value(pg,
                     "UPDATE identity.users SET is_platform_admin = true WHERE id = $1 "
                     "RETURNING id::text",
                     1, v));
    PQfinish(pg);
    ut_account(a.org, "patient", &off);

    cr_assert(eq(long, request(a.admin.token, padmin.id, NULL), 403), "never a platform admin");
    cr_assert(eq(long, request(a.admin.token, both.id, NULL), 403), "not all theirs");
    cr_assert(eq(long, request(a.admin.token, b.member.id, NULL), 404), "another tenant");
    cr_assert(eq(long, request(a.member.token, off.id, NULL), 404), "a plain user");
    cr_assert(eq(long, request(a.admin.token, a.admin.id, NULL), 400), "oneself");
    cr_assert(eq(long, request(platform(NULL), padmin.id, NULL), 403), "nor by the platform");
    ut_call(&r, "POST", a.admin.token, "{}", "/v1/users/%s/disable/", off.id);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
    cr_assert(eq(long, request(a.admin.token, off.id, NULL), 409), "disabled");
    ut_call(&r, "POST", a.admin.token,
            "{\"data\":{\"type\":\"impersonation-requests\",\"attributes\":{}}}",
            "/v1/impersonation-requests/");
    ut_assert_error(&r, 400, "/data/attributes/user-id");
    it_resp_release(&r);
    it_call_token(&r, "POST", "/v1/impersonation-requests/", NULL, "{}");
    ut_assert_error(&r, 401, NULL);
    it_resp_release(&r);

    /* a member fully theirs: approved, used in A */
    cr_assert(eq(long, request(a.admin.token, a.member.id, req), 201));
    ut_call(&r, "GET", other_admin.token, NULL, "/v1/impersonation-requests/%s/", req);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    ut_call(&r, "GET", a.admin.token, NULL, "/v1/impersonation-requests/?filter[user-id]=%s",
            a.member.id);
    cr_assert(eq(long, r.status, 200));
    cr_assert(it_true(strstr(r.body, req) != NULL), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", a.admin.token, NULL, "/v1/impersonation-requests/?filter[user-id]=x");
    ut_assert_error(&r, 400, "filter[user-id]");
    it_resp_release(&r);
    ut_call(&r, "GET", a.admin.token, NULL, "/v1/impersonation-requests/?page[limit]=5");
    ut_assert_error(&r, 400, "page[limit]");
    it_resp_release(&r);
    ut_call(&r, "POST", a.admin.token, "{\"access-token-expiration-seconds\": 99999}",
            "/v1/impersonation-requests/%s/impersonate/", req);
    ut_assert_error(&r, 400, "/access-token-expiration-seconds");
    it_resp_release(&r);
    cr_assert(eq(long, impersonate(a.admin.token, req, &s, NULL), 201));
    it_call_token(&r, "POST", "/v1/authenticate/", s.access, "{}");
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    cr_assert(it_true(strstr(r.body, a.member.id) && strstr(r.body, a.org)), "%.300s", r.body);
    it_resp_release(&r);
    /* the requester ends it */
    ut_call(&r, "POST", a.admin.token, "{}", "/v1/impersonation-requests/%s/end/", req);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);

    /* an unused request expires */
    cr_assert(eq(long, request(a.admin.token, a.member.id, req), 201));
    pg = it_pg();
    v[0] = req;
    free(it_pg_value(pg,
                     "UPDATE identity.impersonation_requests SET expires_at = now() - "
                     "interval '1 second' WHERE id = $1 RETURNING id::text",
                     1, v));
    PQfinish(pg);
    ut_call(&r, "GET", a.admin.token, NULL, "/v1/impersonation-requests/%s/", req);
    cr_assert(it_true(strstr(r.body, "\"state\":\"expired\"") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    cr_assert(eq(long, impersonate(a.admin.token, req, NULL, NULL), 409));
    ut_call(&r, "POST", a.admin.token, "{}", "/v1/impersonation-requests/%s/end/", req);
    ut_assert_error(&r, 409, NULL);
    it_resp_release(&r);
    ut_call(&r, "GET", a.admin.token, NULL, "/v1/impersonation-requests/not-a-uuid/");
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
}
