/* test_features.c: suite "features": feature flags over HTTP through the
 * edge (#23-#28 definitions, #85-#88 organization layer, #138-#141 user
 * layer) and identity.rpc.GetFeatures: who may define and set them, the
 * resolution rule (features_resolve.h) seen by the user and over the RPC,
 * and a write seen by the RPC within 1 s. Accounts come from the users
 * suite's fixtures (test_users_fixtures.h). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_err.h"
#include "harness.h"
#include "identity.pb-c.h"
#include "test_users_fixtures.h"

TestSuite(features, .timeout = 90);

/* An organization with an admin and a patient. */
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

/* A fresh feature id (lower case) into out (64 bytes). */
static void feature_id(char *out)
{
    char u[64];
    it_unique(u, sizeof u, "ff");
    for (char *p = u; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    snprintf(out, 64, "%.60s", u);
}

/* The platform admin's token (made once per test process). */
static const char *platform(void)
{
    static char tok[4097];
    if (!tok[0])
        it_admin_token(tok);
    return tok;
}

/* POST /v1/features/ as the platform admin; asserts 201. */
static void feature_new(const char *id, int global, int assignable)
{
    char body[512];
    struct it_resp r;

    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"features\",\"attributes\":{\"id\":\"%s\",\"description\":"
             "\"d\",\"global-enabled\":%s,\"assignable\":%s,\"stage\":\"beta\"}}}",
             id, global ? "true" : "false", assignable ? "true" : "false");
    ut_call(&r, "POST", platform(), body, "/v1/features/");
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
}

/* The string data.id of r (into out, 64 bytes). */
static void id_of(const struct it_resp *r, char *out)
{
    json_t *doc = it_json(r);
    snprintf(out, 64, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")) ?: "");
    json_decref(doc);
}

/* Sets the organization layer of feature for org as token; returns the
 * status and its id into id (64 bytes) on 201. */
static long org_layer(const char *token, const char *feature, const char *org, const char *state,
                      int force, char *id)
{
    char body[512];
    struct it_resp r;
    long st;

    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organization-features\",\"attributes\":{\"feature-name\":"
             "\"%s\",\"organization-id\":\"%s\",\"state\":\"%s\",\"force\":%s}}}",
             feature, org, state, force ? "true" : "false");
    ut_call(&r, "POST", token, body, "/v1/organization-features/");
    st = r.status;
    if (id && st == 201)
        id_of(&r, id);
    it_resp_release(&r);
    return st;
}

/* As org_layer for the user layer of user in org ("" = not given). */
static long user_layer(const char *token, const char *feature, const char *user, const char *org,
                       const char *state, int force, char *id)
{
    char body[640], orgattr[96] = "";
    struct it_resp r;
    long st;

    if (org[0])
        snprintf(orgattr, sizeof orgattr, ",\"organization-id\":\"%s\"", org);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"user-features\",\"attributes\":{\"feature-name\":\"%s\","
             "\"user-id\":\"%s\",\"state\":\"%s\",\"force\":%s%s}}}",
             feature, user, state, force ? "true" : "false", orgattr);
    ut_call(&r, "POST", token, body, "/v1/user-features/");
    st = r.status;
    if (id && st == 201)
        id_of(&r, id);
    else if (st != 201)
        cr_log_info("user layer: %.300s", r.body);
    it_resp_release(&r);
    return st;
}

/* PATCH a layer (kind "organization-features" or "user-features"); status. */
static long layer_patch(const char *token, const char *kind, const char *id, const char *attrs)
{
    char body[512];
    struct it_resp r;
    long st;

    snprintf(body, sizeof body, "{\"data\":{\"type\":\"%s\",\"id\":\"%s\",\"attributes\":{%s}}}",
             kind, id, attrs);
    ut_call(&r, "PATCH", token, body, "/v1/%s/%s/", kind, id);
    st = r.status;
    if (st == 200)
        cr_assert(it_true(strstr(r.body, "\"data\":null") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    return st;
}

/* GetFeatures for user in org ("" each when not given): 1 enabled, 0 not,
 * -1 when feature is not in the reply; the reply code to *code. */
static int rpc_enabled(const char *user, const char *org, const char *feature, int *code)
{
    Identity__GetFeaturesRequest rq = IDENTITY__GET_FEATURES_REQUEST__INIT;
    Envelope__RpcReply *reply = NULL;
    Identity__GetFeaturesReply *fr;
    int found = -1;

    rq.user_id = (char *)user;
    rq.organization_id = (char *)org;
    *code = ut_rpc("GetFeatures", &rq.base, &reply);
    if (*code == CM_OK) {
        fr = identity__get_features_reply__unpack(NULL, reply->payload.len, reply->payload.data);
        cr_assert(fr != NULL);
        for (size_t i = 0; i < fr->n_features; i++)
            if (!strcmp(fr->features[i]->id, feature))
                found = fr->features[i]->enabled;
        identity__get_features_reply__free_unpacked(fr, NULL);
    }
    envelope__rpc_reply__free_unpacked(reply, NULL);
    return found;
}

/* 1 when GET /v1/features/?filter[user-id]=user (as token) lists feature
 * (with "enabled": true), 0 when not; asserts 200. */
static int http_enabled(const char *token, const char *user, const char *feature)
{
    struct it_resp r;
    char want[96];
    int yes;

    ut_call(&r, "GET", token, NULL, "/v1/features/?filter[user-id]=%s&page[limit]=1000", user);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    snprintf(want, sizeof want, "\"id\":\"%s\"", feature);
    yes = strstr(r.body, want) != NULL;
    if (yes)
        cr_assert(it_true(strstr(r.body, "\"enabled\":true") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    return yes;
}

Test(features, definitions_create_read_update_by_the_platform_admin_only)
{
    struct tenant t;
    char id[64], body[512];
    struct it_resp r;
    json_t *a;

    IT_REQUIRE_STACK();
    tenant_new(&t);
    feature_id(id);
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"features\",\"attributes\":{\"id\":\"%s\",\"description\":"
             "\"Video visits\",\"global-enabled\":true,\"stage\":\"alpha\"}},\"meta\":{}}",
             id);
    /* an organization admin may not define features */
    ut_call(&r, "POST", t.admin.token, body, "/v1/features/");
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    it_call_token(&r, "POST", "/v1/features/", NULL, body);
    ut_assert_error(&r, 401, NULL);
    it_resp_release(&r);
    ut_call(&r, "POST", platform(), body, "/v1/features/");
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    a = ut_attrs_of(&r);
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(a, "description")), "Video visits"));
    cr_assert(it_true(json_is_true(json_object_get(a, "global-enabled"))));
    cr_assert(it_true(json_is_true(json_object_get(a, "assignable"))), "default assignable");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "stage")), "alpha"));
    cr_assert(it_true(json_string_value(json_object_get(a, "created-time")) != NULL));
    json_decref(a);
    it_resp_release(&r);
    /* the id is taken */
    ut_call(&r, "POST", platform(), body, "/v1/features/");
    ut_assert_error(&r, 409, "/data/attributes/id");
    it_resp_release(&r);
    /* a bad id, an unknown attribute */
    ut_call(&r, "POST", platform(),
            "{\"data\":{\"type\":\"features\",\"attributes\":{\"id\":\"Bad Id\"}}}",
            "/v1/features/");
    ut_assert_error(&r, 400, "/data/attributes/id");
    it_resp_release(&r);
    ut_call(&r, "POST", platform(),
            "{\"data\":{\"type\":\"features\",\"attributes\":{\"id\":\"x1\",\"colour\":1}}}",
            "/v1/features/");
    ut_assert_error(&r, 400, "/data/attributes/colour");
    it_resp_release(&r);
    /* read: any authenticated caller */
    ut_call(&r, "GET", t.member.token, NULL, "/v1/features/%s/", id);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", t.member.token, NULL, "/v1/features/no-such-feature/");
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    /* update */
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"features\",\"id\":\"%s\",\"attributes\":{\"global-enabled\":"
             "false,\"assignable\":false}}}",
             id);
    ut_call(&r, "PATCH", t.admin.token, body, "/v1/features/%s/", id);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    ut_call(&r, "PATCH", platform(), body, "/v1/features/%s/", id);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    a = ut_attrs_of(&r);
    cr_assert(it_true(json_is_false(json_object_get(a, "global-enabled"))));
    cr_assert(it_true(json_is_false(json_object_get(a, "assignable"))));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "description")), "Video visits"),
              "unchanged");
    json_decref(a);
    it_resp_release(&r);
    /* list with filter[assignable] */
    ut_call(&r, "GET", t.member.token, NULL,
            "/v1/features/?filter[assignable]=false&page[limit]=1000");
    cr_assert(eq(long, r.status, 200));
    cr_assert(it_true(strstr(r.body, id) != NULL), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", t.member.token, NULL,
            "/v1/features/?filter[assignable]=true&page[limit]=1000");
    cr_assert(it_true(strstr(r.body, id) == NULL));
    it_resp_release(&r);
    ut_call(&r, "GET", t.member.token, NULL, "/v1/features/?page[limit]=0");
    ut_assert_error(&r, 400, "page[limit]");
    it_resp_release(&r);
    ut_call(&r, "GET", t.member.token, NULL, "/v1/features/?filter[individual-id]=%s", t.member.id);
    ut_assert_error(&r, 400, "filter[individual-id]");
    it_resp_release(&r);
}

Test(features, resolution_rule_seen_by_the_user_and_over_the_rpc)
{
    struct tenant t;
    char f[64], ol[64], ul[64];
    int code;

    IT_REQUIRE_STACK();
    tenant_new(&t);
    feature_id(f);
    feature_new(f, 0, 1);
    /* 5. global-enabled false */
    cr_assert(eq(int, rpc_enabled(t.member.id, "", f, &code), 0));
    cr_assert(eq(int, http_enabled(t.member.token, t.member.id, f), 0));
    /* 4. the organization enables it */
    cr_assert(eq(long, org_layer(t.admin.token, f, t.org, "enabled", 0, ol), 201));
    cr_assert(eq(int, rpc_enabled(t.member.id, t.org, f, &code), 1));
    cr_assert(eq(int, rpc_enabled("", t.org, f, &code), 1), "the organization's own value");
    cr_assert(eq(int, http_enabled(t.member.token, t.member.id, f), 1));
    /* 3. the user layer disables it for this member */
    cr_assert(eq(long, user_layer(t.admin.token, f, t.member.id, t.org, "disabled", 0, ul), 201));
    cr_assert(eq(int, rpc_enabled(t.member.id, t.org, f, &code), 0));
    cr_assert(eq(int, http_enabled(t.member.token, t.member.id, f), 0));
    cr_assert(eq(int, rpc_enabled(t.admin.id, t.org, f, &code), 1), "others keep the org's");
    /* 2. the organization forces it on: beats the user's setting */
    cr_assert(
        eq(long, layer_patch(t.admin.token, "organization-features", ol, "\"force\":true"), 200));
    cr_assert(eq(int, rpc_enabled(t.member.id, t.org, f, &code), 1));
    /* 1. a forced user setting beats the forced organization */
    cr_assert(eq(long, layer_patch(t.admin.token, "user-features", ul, "\"force\":true"), 200));
    cr_assert(eq(int, rpc_enabled(t.member.id, t.org, f, &code), 0));
    cr_assert(eq(int, http_enabled(t.member.token, t.member.id, f), 0));
    /* dontcare on both layers: global again */
    cr_assert(
        eq(long, layer_patch(t.admin.token, "user-features", ul, "\"state\":\"dontcare\""), 200));
    cr_assert(eq(long,
                 layer_patch(t.admin.token, "organization-features", ol, "\"state\":\"dontcare\""),
                 200));
    cr_assert(eq(int, rpc_enabled(t.member.id, t.org, f, &code), 0));
    /* RPC errors */
    cr_assert(eq(int, rpc_enabled("", "", f, &code), -1));
    cr_assert(eq(int, code, CM_EINVAL));
    cr_assert(eq(int, rpc_enabled("11111111-1111-1111-1111-111111111111", "", f, &code), -1));
    cr_assert(eq(int, code, CM_ENOTFOUND));
}

Test(features, a_write_reaches_the_rpc_within_one_second)
{
    struct tenant t;
    char f[64], body[256];
    struct it_resp r;
    double t0;
    int code, seen = 0;

    IT_REQUIRE_STACK();
    tenant_new(&t);
    feature_id(f);
    feature_new(f, 0, 1);
    cr_assert(eq(int, rpc_enabled(t.member.id, t.org, f, &code), 0));
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"features\",\"id\":\"%s\",\"attributes\":{\"global-enabled\":"
             "true}}}",
             f);
    ut_call(&r, "PATCH", platform(), body, "/v1/features/%s/", f);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    it_resp_release(&r);
    t0 = it_now_ms();
    /* poll for 1 s: every copy of identity reads the database, no cache */
    while (!seen && it_now_ms() - t0 < 1000.0)
        seen = rpc_enabled(t.member.id, t.org, f, &code) == 1;
    cr_assert(it_true(seen), "enabled within 1 s of the write");
}

Test(features, organization_layer_set_by_its_admins_read_by_its_members)
{
    struct tenant a, b;
    char fid[64], locked[64], ol[64], body[256];
    struct it_resp r;
    json_t *at;

    IT_REQUIRE_STACK();
    tenant_new(&a);
    tenant_new(&b);
    feature_id(fid);
    feature_new(fid, 0, 1);
    feature_id(locked);
    feature_new(locked, 0, 0);
    cr_assert(eq(long, org_layer(a.member.token, fid, a.org, "enabled", 0, NULL), 403));
    cr_assert(eq(long, org_layer(b.admin.token, fid, a.org, "enabled", 0, NULL), 404),
              "another tenant's organization is not there");
    cr_assert(
        eq(long, org_layer(a.admin.token, "no-such-feature", a.org, "enabled", 0, NULL), 404));
    cr_assert(eq(long, org_layer(a.admin.token, fid, a.org, "maybe", 0, NULL), 400));
    /* not assignable: the platform admin only */
    cr_assert(eq(long, org_layer(a.admin.token, locked, a.org, "enabled", 0, NULL), 403));
    cr_assert(eq(long, org_layer(platform(), locked, a.org, "enabled", 0, NULL), 201));
    cr_assert(eq(long, org_layer(a.admin.token, fid, a.org, "disabled", 1, ol), 201));
    cr_assert(eq(long, org_layer(a.admin.token, fid, a.org, "enabled", 0, NULL), 409));
    /* read by a member, not by another tenant */
    ut_call(&r, "GET", a.member.token, NULL, "/v1/organization-features/%s/", ol);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    at = ut_attrs_of(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(at, "feature-name")), fid));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(at, "organization-id")), a.org));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(at, "state")), "disabled"));
    cr_assert(it_true(json_is_true(json_object_get(at, "force"))));
    cr_assert(it_true(json_is_true(json_object_get(at, "feature-assignable"))));
    json_decref(at);
    it_resp_release(&r);
    ut_call(&r, "GET", b.admin.token, NULL, "/v1/organization-features/%s/", ol);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    ut_call(&r, "GET", a.member.token, NULL,
            "/v1/organization-features/?organization-id=%s&filter[feature-name]=%s", a.org, fid);
    cr_assert(eq(long, r.status, 200));
    cr_assert(it_true(strstr(r.body, ol) != NULL), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", b.member.token, NULL, "/v1/organization-features/?organization-id=%s",
            a.org);
    cr_assert(eq(long, r.status, 200));
    cr_assert(it_true(strstr(r.body, "\"data\":[]") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    /* PATCH: its admins, 200 null */
    cr_assert(eq(long,
                 layer_patch(a.member.token, "organization-features", ol, "\"state\":\"enabled\""),
                 403));
    cr_assert(eq(long,
                 layer_patch(b.admin.token, "organization-features", ol, "\"state\":\"enabled\""),
                 404));
    cr_assert(
        eq(long, layer_patch(a.admin.token, "organization-features", ol, "\"state\":\"on\""), 400));
    cr_assert(eq(long,
                 layer_patch(a.admin.token, "organization-features", ol, "\"state\":\"enabled\""),
                 200));
    ut_call(&r, "GET", a.admin.token, NULL, "/v1/organization-features/%s/", ol);
    cr_assert(it_true(strstr(r.body, "\"state\":\"enabled\"") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    /* wrong data.id */
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"organization-features\",\"id\":\"%s\",\"attributes\":{}}}",
             a.org);
    ut_call(&r, "PATCH", a.admin.token, body, "/v1/organization-features/%s/", ol);
    ut_assert_error(&r, 400, "/data/id");
    it_resp_release(&r);
}

Test(features, user_layer_set_by_admins_for_members_read_by_the_user)
{
    struct tenant a, b;
    char fid[64], ul[64];
    struct it_resp r;
    json_t *at;

    IT_REQUIRE_STACK();
    tenant_new(&a);
    tenant_new(&b);
    feature_id(fid);
    feature_new(fid, 0, 1);
    cr_assert(
        eq(long, user_layer(a.member.token, fid, a.member.id, a.org, "enabled", 0, NULL), 403),
        "a user does not set their own flags");
    cr_assert(eq(long, user_layer(a.admin.token, fid, b.member.id, a.org, "enabled", 0, NULL), 404),
              "not a member");
    cr_assert(eq(long, user_layer(a.admin.token, fid, a.member.id, b.org, "enabled", 0, NULL), 403),
              "not their organization");
    /* organization-id defaults to the admin's current organization */
    cr_assert(eq(long, user_layer(a.admin.token, fid, a.member.id, "", "enabled", 0, ul), 201));
    cr_assert(
        eq(long, user_layer(a.admin.token, fid, a.member.id, a.org, "enabled", 0, NULL), 409));
    ut_call(&r, "GET", a.member.token, NULL, "/v1/user-features/%s/", ul);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    at = ut_attrs_of(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(at, "user-id")), a.member.id));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(at, "organization-id")), a.org));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(at, "feature-name")), fid));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(at, "state")), "enabled"));
    json_decref(at);
    it_resp_release(&r);
    ut_call(&r, "GET", b.admin.token, NULL, "/v1/user-features/%s/", ul);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    ut_call(&r, "GET", a.admin.token, NULL, "/v1/user-features/?user-id=%s", a.member.id);
    cr_assert(eq(long, r.status, 200));
    cr_assert(it_true(strstr(r.body, ul) != NULL), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", b.admin.token, NULL, "/v1/user-features/?user-id=%s", a.member.id);
    cr_assert(it_true(strstr(r.body, "\"data\":[]") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    ut_call(&r, "GET", a.admin.token, NULL, "/v1/user-features/?user-id=nope");
    ut_assert_error(&r, 400, "user-id");
    it_resp_release(&r);
    /* PATCH */
    cr_assert(eq(long, layer_patch(a.member.token, "user-features", ul, "\"force\":true"), 403));
    cr_assert(eq(long, layer_patch(b.admin.token, "user-features", ul, "\"force\":true"), 404));
    cr_assert(eq(long, layer_patch(a.admin.token, "user-features", ul, "\"force\":\"yes\""), 400));
    cr_assert(eq(long, layer_patch(a.admin.token, "user-features", ul, "\"force\":true"), 200));
    /* the subject filter of #23: another tenant's user is not there */
    ut_call(&r, "GET", b.admin.token, NULL, "/v1/features/?filter[user-id]=%s", a.member.id);
    ut_assert_error(&r, 404, "filter[user-id]");
    it_resp_release(&r);
    cr_assert(eq(int, http_enabled(a.admin.token, a.member.id, fid), 1));
}

Test(features, add_and_remove_users_hold_in_every_organization)
{
    struct tenant a;
    char fid[64], body[512];
    struct it_resp r;
    int code;

    IT_REQUIRE_STACK();
    tenant_new(&a);
    feature_id(fid);
    feature_new(fid, 0, 1);
    snprintf(body, sizeof body, "{\"user-ids\":[\"%s\"],\"state\":\"enabled\"}", a.member.id);
    ut_call(&r, "POST", a.admin.token, body, "/v1/features/%s/add-users/", fid);
    ut_assert_error(&r, 403, NULL);
    it_resp_release(&r);
    ut_call(&r, "POST", platform(), body, "/v1/features/%s/add-users/", fid);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    cr_assert(it_true(strstr(r.body, "\"type\":\"features\"") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    /* in every organization: with or without one named */
    cr_assert(eq(int, rpc_enabled(a.member.id, a.org, fid, &code), 1));
    cr_assert(eq(int, rpc_enabled(a.member.id, "", fid, &code), 1));
    cr_assert(eq(int, rpc_enabled(a.admin.id, a.org, fid, &code), 0));
    ut_call(&r, "GET", a.member.token, NULL, "/v1/user-features/?filter[feature-name]=%s", fid);
    cr_assert(eq(long, r.status, 200));
    cr_assert(it_true(strstr(r.body, "\"organization-id\":null") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    /* by email too; again is fine */
    snprintf(body, sizeof body, "{\"user-emails\":[\"%s\"]}", a.member.username);
    ut_call(&r, "POST", platform(), body, "/v1/features/%s/add-users/", fid);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
    /* errors */
    ut_call(&r, "POST", platform(), "{\"user-ids\":[]}", "/v1/features/%s/add-users/", fid);
    ut_assert_error(&r, 400, "/user-ids");
    it_resp_release(&r);
    ut_call(&r, "POST", platform(), "{\"user-ids\":[\"11111111-1111-1111-1111-111111111111\"]}",
            "/v1/features/%s/add-users/", fid);
    ut_assert_error(&r, 404, "/user-ids/0");
    it_resp_release(&r);
    ut_call(&r, "POST", platform(), "{\"user-ids\":[\"x\"]}", "/v1/features/%s/add-users/", fid);
    ut_assert_error(&r, 400, "/user-ids/0");
    it_resp_release(&r);
    snprintf(body, sizeof body, "{\"user-ids\":[\"%s\"],\"state\":\"on\"}", a.member.id);
    ut_call(&r, "POST", platform(), body, "/v1/features/%s/add-users/", fid);
    ut_assert_error(&r, 400, "/state");
    it_resp_release(&r);
    ut_call(&r, "POST", platform(), body, "/v1/features/no-such/add-users/");
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    /* remove */
    snprintf(body, sizeof body, "{\"user-ids\":[\"%s\"],\"state\":\"enabled\"}", a.member.id);
    ut_call(&r, "POST", platform(), body, "/v1/features/%s/remove-users/", fid);
    ut_assert_error(&r, 400, "/state");
    it_resp_release(&r);
    snprintf(body, sizeof body, "{\"user-ids\":[\"%s\"]}", a.member.id);
    ut_call(&r, "POST", platform(), body, "/v1/features/%s/remove-users/", fid);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
    cr_assert(eq(int, rpc_enabled(a.member.id, a.org, fid, &code), 0));
}
