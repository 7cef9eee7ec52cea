/* test_users.c: identity's users resource as users and organization admins
 * see it (suite users): the account RPCs onboarding calls (CreateAccount,
 * ConfirmAccount), reading and listing users with tenancy, filters, sort
 * and paging, PATCH, change-email and confirm-phone. Also the fixtures the
 * users_admin suite (test_users_admin.c) shares, named ut_*: organizations
 * are made through POST /v1/organizations/ (which gives them the roles
 * admin, provider and patient), accounts through identity.rpc.CreateAccount
 * and ConfirmAccount, then logged in. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_nats.h"
#include "harness.h"
#include "identity.pb-c.h"
#include "it_onboarding.h"
#include "test_users_fixtures.h"

TestSuite(users, .timeout = 60);

/* ---- fixtures (declared in test_users_fixtures.h) ---- */

void ut_org(char *org_id)
{
    char admin[OB_TOKEN_MAX];

    it_admin_token(admin);
    ob_create_org(admin, org_id, NULL);
}

int ut_rpc(const char *method, const ProtobufCMessage *msg, Envelope__RpcReply **out)
{
    natsConnection *nc = NULL;
    char subject[96];
    uint8_t *payload;
    size_t len;
    cm_err err;
    int code;

    cr_assert(eq(int, cm_nats_connect(it_env("TEST_NATS_URL"), "test-users", 1, NULL, &nc),
                 CM_OK),
              "NATS");
    snprintf(subject, sizeof subject, "identity.rpc.%s", method);
    payload = cm_pack(msg, &len);
    err = cm_nats_rpc(nc, subject, "test-users", NULL, payload, len, 10000, out);
    free(payload);
    cm_nats_close(nc, 1000);
    cr_assert(eq(int, err, CM_OK), "RPC %s: %s", method, cm_err_name(err));
    code = (*out)->code;
    return code;
}

/* CreateAccount with username and password in org with role; its reply
 * code; the id into user_id (may be NULL) on success. */
static int create_account(const char *username, const char *password, const char *org,
                          const char *role, char *user_id)
{
    Identity__CreateAccountRequest rq = IDENTITY__CREATE_ACCOUNT_REQUEST__INIT;
    Identity__CreateAccountReply *reply;
    Envelope__RpcReply *r = NULL;
    char email[160];
    int code;

    snprintf(email, sizeof email, "%s@example.com", username);
    rq.username = (char *)username;
    rq.password = (char *)password;
    rq.email = email;
    rq.first_name = "Ann";
    rq.last_name = (char *)username;
    rq.organization_id = (char *)org;
    rq.role = (char *)(role ? role : "");
    rq.tz = "Europe/Paris";
    code = ut_rpc("CreateAccount", &rq.base, &r);
    if (code == 0) {
        reply = identity__create_account_reply__unpack(NULL, r->payload.len, r->payload.data);
        cr_assert(reply != NULL, "CreateAccountReply");
        cr_assert(eq(str, reply->account_type, (char *)(role ? role : "patient")));
        if (user_id)
            snprintf(user_id, UT_ID_LEN, "%s", reply->user_id);
        identity__create_account_reply__free_unpacked(reply, NULL);
    }
    envelope__rpc_reply__free_unpacked(r, NULL);
    return code;
}

static int confirm_account(const char *user_id)
{
    Identity__ConfirmAccountRequest rq = IDENTITY__CONFIRM_ACCOUNT_REQUEST__INIT;
    Envelope__RpcReply *r = NULL;
    int code;

    rq.user_id = (char *)user_id;
    rq.tz = "";
    code = ut_rpc("ConfirmAccount", &rq.base, &r);
    envelope__rpc_reply__free_unpacked(r, NULL);
    return code;
}

void ut_account(const char *org, const char *role, struct ut_user *u)
{
    memset(u, 0, sizeof *u);
    it_unique(u->username, sizeof u->username, "ut-");
    cr_assert(eq(int, create_account(u->username, UT_PASSWORD, org, role, u->id), 0),
              "CreateAccount");
    cr_assert(eq(int, confirm_account(u->id), 0), "ConfirmAccount");
    cr_assert(eq(long, it_login(u->username, UT_PASSWORD, NULL, u->token, NULL), 201),
              "login of %s", u->username);
}

void ut_call(struct it_resp *r, const char *method, const char *token, const char *body,
             const char *fmt, ...)
{
    char path[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    it_call_token(r, method, path, token, body);
}

void ut_assert_error(const struct it_resp *r, long status, const char *source)
{
    json_t *doc, *src;
    const char *ptr, *param;

    it_assert_error_style(r, "jsonapi", status);
    if (!source || !source[0])
        return;
    doc = it_json(r);
    src = json_object_get(json_array_get(json_object_get(doc, "errors"), 0), "source");
    ptr = json_string_value(json_object_get(src, "pointer"));
    param = json_string_value(json_object_get(src, "parameter"));
    cr_assert(it_true((ptr && !strcmp(ptr, source)) || (param && !strcmp(param, source))),
              "source %s in %.300s", source, r->body);
    json_decref(doc);
}

long ut_outbox_count(const char *subject, const char *needle)
{
    PGconn *pg = it_pg();
    const char *params[2] = {subject, needle};
    char *v = it_pg_value(pg,
                          "SELECT count(*)::text FROM identity.outbox WHERE subject = $1 "
                          "AND position(convert_to($2, 'UTF8') IN payload) > 0",
                          2, params);
    long n = strtol(v, NULL, 10);

    free(v);
    PQfinish(pg);
    return n;
}

json_t *ut_attrs_of(const struct it_resp *r)
{
    json_t *doc = it_json(r);
    json_t *attrs = json_incref(json_object_get(json_object_get(doc, "data"), "attributes"));
    cr_assert(it_true(json_is_object(attrs)), "attributes in %.300s", r->body);
    json_decref(doc);
    return attrs;
}

/* The ids of the users of a list response, in order, comma-joined into out. */
static void list_ids(const struct it_resp *r, char *out, size_t cap)
{
    json_t *doc = it_json(r), *item;
    size_t i;

    out[0] = '\0';
    cr_assert(it_true(json_is_array(json_object_get(doc, "data"))), "list: %.300s", r->body);
    json_array_foreach(json_object_get(doc, "data"), i, item)
    {
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%s", i ? "," : "",
                 json_string_value(json_object_get(item, "id")));
    }
    json_decref(doc);
}

/* ---- the account RPCs ---- */

static char *user_column(const char *user_id, const char *sql)
{
    PGconn *pg = it_pg();
    const char *params[1] = {user_id};
    char *v = it_pg_value(pg, sql, 1, params);
    PQfinish(pg);
    return v;
}

Test(users, create_account_makes_an_unconfirmed_member_with_its_events)
{
    char org[UT_ID_LEN], id[UT_ID_LEN], name[96], *v;

    IT_REQUIRE_STACK();
    ut_org(org);
    it_unique(name, sizeof name, "UT-Upper-");
    cr_assert(eq(int, create_account(name, UT_PASSWORD, org, NULL, id), 0));
    v = user_column(id, "SELECT username || ' ' || registered || ' ' || "
                        "(default_organization_id = (SELECT organization_id FROM "
                        "identity.user_organizations WHERE user_id = $1)) "
                        "FROM identity.users WHERE id = $1");
    for (char *p = name; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    cr_assert(v && !strncmp(v, name, strlen(name)), "lower-cased username: %s", v);
    cr_assert(strstr(v, " false true") != NULL, "unregistered, default org: %s", v);
    free(v);
    v = user_column(id, "SELECT r.name FROM identity.role_users ru JOIN identity.roles r "
                        "ON r.id = ru.role_id WHERE ru.user_id = $1");
    cr_assert(eq(str, v, "patient"));
    free(v);
    cr_assert(eq(long, ut_outbox_count("evt.identity.user.created", id), 1));
    cr_assert(eq(long, ut_outbox_count("evt.identity.membership.added", id), 1));
    cr_assert(eq(long, ut_outbox_count("evt.identity.role.added", id), 1));
}

Test(users, create_account_refuses_bad_requests)
{
    char org[UT_ID_LEN], name[96], missing[UT_ID_LEN] = "00000000-0000-4000-8000-000000000000";
    Envelope__RpcReply *r = NULL;
    Identity__CreateAccountRequest rq = IDENTITY__CREATE_ACCOUNT_REQUEST__INIT;

    IT_REQUIRE_STACK();
    ut_org(org);
    it_unique(name, sizeof name, "ut-bad-");
    cr_assert(eq(int, create_account(name, "password", org, NULL, NULL), CM_EINVAL), "weak");
    cr_assert(eq(int, create_account(name, UT_PASSWORD, missing, NULL, NULL), CM_ENOTFOUND));
    cr_assert(eq(int, create_account(name, UT_PASSWORD, org, "no-such-role", NULL), CM_EINVAL));
    cr_assert(eq(int, create_account("has space", UT_PASSWORD, org, NULL, NULL), CM_EINVAL));
    cr_assert(eq(int, create_account(name, UT_PASSWORD, org, NULL, NULL), 0));
    cr_assert(eq(int, create_account(name, UT_PASSWORD, org, NULL, NULL), CM_ECONFLICT), "taken");
    /* the policy's reason reaches the caller */
    rq.username = "ut-weak-detail";
    rq.password = "123456";
    rq.organization_id = org;
    cr_assert(eq(int, ut_rpc("CreateAccount", &rq.base, &r), CM_EINVAL));
    cr_assert(strstr(r->message, "password") != NULL, "detail: %s", r->message);
    envelope__rpc_reply__free_unpacked(r, NULL);
}

Test(users, confirm_account_registers_once)
{
    char org[UT_ID_LEN], id[UT_ID_LEN], name[96], *v;

    IT_REQUIRE_STACK();
    ut_org(org);
    it_unique(name, sizeof name, "ut-confirm-");
    cr_assert(eq(int, create_account(name, UT_PASSWORD, org, NULL, id), 0));
    cr_assert(eq(int, confirm_account(id), 0));
    cr_assert(eq(int, confirm_account(id), 0), "idempotent");
    v = user_column(id, "SELECT registered || ' ' || email_verified || ' ' || "
                        "(registration_completed_time IS NOT NULL) || ' ' || "
                        "(SELECT count(*) FROM identity.user_activities WHERE user_id = $1 "
                        "AND event_type = 'sreg') FROM identity.users WHERE id = $1");
    cr_assert(eq(str, v, "true true true 1"));
    free(v);
    cr_assert(eq(long, ut_outbox_count("evt.identity.user.confirmed", id), 1));
    cr_assert(eq(int, confirm_account("00000000-0000-4000-8000-000000000000"), CM_ENOTFOUND));
}

/* ---- read (#147) ---- */

Test(users, a_user_reads_themselves_with_organizations_and_roles)
{
    char org[UT_ID_LEN];
    struct ut_user u;
    struct it_resp r;
    json_t *a, *role;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, NULL, &u);
    ut_call(&r, "GET", u.token, NULL, "/v1/users/%s/?with-roles=true&with-signups=true", u.id);
    cr_assert(eq(long, r.status, 200), "%s", r.body);
    a = ut_attrs_of(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "username")), u.username));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "state")), "registered"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "status")), "active"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "organization-id")), org));
    cr_assert(it_true(json_is_true(json_object_get(a, "email-verified"))));
    cr_assert(it_true(json_is_false(json_object_get(a, "organization-admin"))));
    cr_assert(eq(sz, json_array_size(json_object_get(a, "organizations")), 1));
    role = json_array_get(json_object_get(a, "roles"), 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(role, "name")), "patient"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(role, "organization-id")), org));
    cr_assert(it_true(json_is_object(json_object_get(a, "enrollment-data"))));
    cr_assert(it_true(json_is_array(json_object_get(a, "onboarding-requests"))));
    cr_assert(json_object_get(a, "locked-until") == NULL, "locks are for admins");
    json_decref(a);
    it_resp_release(&r);
}

Test(users, nobody_reads_a_user_of_another_organization)
{
    char org1[UT_ID_LEN], org2[UT_ID_LEN];
    struct ut_user admin, patient, other;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org1);
    ut_org(org2);
    ut_account(org1, "admin", &admin);
    ut_account(org1, NULL, &patient);
    ut_account(org2, NULL, &other);
    /* a plain user reading another user of their own organization */
    ut_call(&r, "GET", patient.token, NULL, "/v1/users/%s/", admin.id);
    ut_assert_error(&r, 404, NULL);
    cr_assert(strstr(r.body, admin.username) == NULL, "no data of theirs");
    it_resp_release(&r);
    /* an organization admin reading a user of another organization */
    ut_call(&r, "GET", admin.token, NULL, "/v1/users/%s/", other.id);
    ut_assert_error(&r, 404, NULL);
    cr_assert(strstr(r.body, other.username) == NULL, "no data of theirs");
    it_resp_release(&r);
    /* and their own member */
    ut_call(&r, "GET", admin.token, NULL, "/v1/users/%s/", patient.id);
    cr_assert(eq(long, r.status, 200), "%s", r.body);
    cr_assert(strstr(r.body, "\"locked-until\":null") != NULL, "admins see locks: %s", r.body);
    it_resp_release(&r);
}

Test(users, read_refuses_unknown_ids_bad_parameters_and_anonymous_callers)
{
    char org[UT_ID_LEN];
    struct ut_user u;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, NULL, &u);
    ut_call(&r, "GET", u.token, NULL, "/v1/users/00000000-0000-4000-8000-000000000000/");
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    ut_call(&r, "GET", u.token, NULL, "/v1/users/not-a-uuid/");
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);
    ut_call(&r, "GET", u.token, NULL, "/v1/users/%s/?with-roles=maybe", u.id);
    ut_assert_error(&r, 400, "with-roles");
    it_resp_release(&r);
    ut_call(&r, "GET", u.token, NULL, "/v1/users/%s/?organization-id=x", u.id);
    ut_assert_error(&r, 400, "organization-id");
    it_resp_release(&r);
    ut_call(&r, "GET", u.token, NULL, "/v1/users/%s/?bogus=1", u.id);
    ut_assert_error(&r, 400, "bogus");
    it_resp_release(&r);
    ut_call(&r, "GET", NULL, NULL, "/v1/users/%s/", u.id);
    ut_assert_error(&r, 401, NULL);
    it_resp_release(&r);
}

/* ---- list (#146) ---- */

Test(users, a_plain_user_lists_only_themselves)
{
    char org[UT_ID_LEN], ids[1024];
    struct ut_user a, b;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, NULL, &a);
    ut_account(org, NULL, &b);
    ut_call(&r, "GET", a.token, NULL, "/v1/users/?filter%%5Binclude-participants%%5D=true");
    cr_assert(eq(long, r.status, 200), "%s", r.body);
    list_ids(&r, ids, sizeof ids);
    cr_assert(eq(str, ids, a.id));
    it_resp_release(&r);
    /* participants (patients only) are left out by default */
    ut_call(&r, "GET", a.token, NULL, "/v1/users/");
    list_ids(&r, ids, sizeof ids);
    cr_assert(eq(str, ids, ""));
    it_resp_release(&r);
}

Test(users, an_organization_admin_lists_their_organization_only)
{
    char org1[UT_ID_LEN], org2[UT_ID_LEN], ids[2048], want[256];
    struct ut_user admin, prov, pat, other;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org1);
    ut_org(org2);
    ut_account(org1, "admin", &admin);
    ut_account(org1, "provider", &prov);
    ut_account(org1, NULL, &pat);
    ut_account(org2, "provider", &other);
    ut_call(&r, "GET", admin.token, NULL,
            "/v1/users/?filter%%5Binclude-participants%%5D=true&sort-by=id");
    cr_assert(eq(long, r.status, 200), "%s", r.body);
    list_ids(&r, ids, sizeof ids);
    cr_assert(strstr(ids, admin.id) && strstr(ids, prov.id) && strstr(ids, pat.id), "%s", ids);
    cr_assert(strstr(ids, other.id) == NULL, "another organization's user: %s", ids);
    it_resp_release(&r);
    /* default: no participants */
    ut_call(&r, "GET", admin.token, NULL, "/v1/users/");
    list_ids(&r, ids, sizeof ids);
    cr_assert(strstr(ids, pat.id) == NULL && strstr(ids, prov.id), "%s", ids);
    it_resp_release(&r);
    /* another organization's id: an empty list */
    ut_call(&r, "GET", admin.token, NULL, "/v1/users/?organization-id=%s", org2);
    cr_assert(eq(long, r.status, 200), "%s", r.body);
    list_ids(&r, ids, sizeof ids);
    cr_assert(eq(str, ids, ""));
    it_resp_release(&r);
    /* filter[organization-admin] */
    ut_call(&r, "GET", admin.token, NULL, "/v1/users/?filter%%5Borganization-admin%%5D=true");
    list_ids(&r, ids, sizeof ids);
    cr_assert(eq(str, ids, admin.id));
    it_resp_release(&r);
    /* text search, case-insensitive, on the last name (the username here) */
    snprintf(want, sizeof want, "/v1/users/?text=%.90s", prov.username + 3);
    for (char *p = want + 16; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    ut_call(&r, "GET", admin.token, NULL, "%s", want);
    list_ids(&r, ids, sizeof ids);
    cr_assert(eq(str, ids, prov.id), "%s", want);
    it_resp_release(&r);
}

Test(users, the_platform_admin_lists_any_organization_sorted_and_paged)
{
    char org[UT_ID_LEN], ids[2048], admin_token[4097], first[UT_ID_LEN * 3];
    struct ut_user a, b, c;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, "provider", &a);
    ut_account(org, "provider", &b);
    ut_account(org, "provider", &c);
    it_admin_token(admin_token);
    ut_call(&r, "GET", admin_token, NULL, "/v1/users/?organization-id=%s&sort-by=-id", org);
    cr_assert(eq(long, r.status, 200), "%s", r.body);
    list_ids(&r, ids, sizeof ids);
    it_resp_release(&r);
    cr_assert(eq(sz, strlen(ids), 3 * 36 + 2), "%s", ids);
    cr_assert(strcmp(ids, ids + 37) > 0 && strcmp(ids + 37, ids + 74) > 0, "descending: %s", ids);
    snprintf(first, sizeof first, "%.73s", ids);
    ut_call(&r, "GET", admin_token, NULL,
            "/v1/users/?organization-id=%s&sort-by=-id&page%%5Blimit%%5D=2", org);
    list_ids(&r, ids, sizeof ids);
    cr_assert(eq(str, ids, first));
    it_resp_release(&r);
    ut_call(&r, "GET", admin_token, NULL,
            "/v1/users/?organization-id=%s&sort-by=-id&page%%5Blimit%%5D=2&page%%5Boffset%%5D=2",
            org);
    list_ids(&r, ids, sizeof ids);
    cr_assert(eq(sz, strlen(ids), 36), "%s", ids);
    it_resp_release(&r);
    /* filter[username] and a last-modified window */
    ut_call(&r, "GET", admin_token, NULL, "/v1/users/?filter%%5Busername%%5D=%s", b.username);
    list_ids(&r, ids, sizeof ids);
    cr_assert(eq(str, ids, b.id));
    it_resp_release(&r);
    ut_call(&r, "GET", admin_token, NULL,
            "/v1/users/?organization-id=%s&filter%%5Bcmp-last-modified-time%%5D=%%3E2000-01-01T00:00:00Z"
            "&filter%%5Bcmp-last-modified-time%%5D=%%3C2999-01-01",
            org);
    list_ids(&r, ids, sizeof ids);
    cr_assert(eq(sz, strlen(ids), 3 * 36 + 2), "%s", ids);
    it_resp_release(&r);
    ut_call(&r, "GET", admin_token, NULL,
            "/v1/users/?organization-id=%s&filter%%5Bcmp-last-modified-time%%5D=%%3C2000-01-01", org);
    list_ids(&r, ids, sizeof ids);
    cr_assert(eq(str, ids, ""));
    it_resp_release(&r);
    (void)a;
    (void)c;
}

/* Query strings #146 refuses, and the parameter each names. */
static const char *const bad_lists[][2] = {
    {"page%5Blimit%5D=0", "page[limit]"},
    {"page%5Blimit%5D=1001", "page[limit]"},
    {"page%5Boffset%5D=-1", "page[offset]"},
    {"sort-by=username", "sort-by"},
    {"sort-by=id&sort-by=email", "sort-by"},
    {"filter%5Bcmp-last-modified-time%5D=%3C%3D2024-01-01", "filter[cmp-last-modified-time]"},
    {"filter%5Bcmp-last-modified-time%5D=%3C2024-01-01&filter%5Bcmp-last-modified-time%5D="
     "%3E2023-01-01&filter%5Bcmp-last-modified-time%5D=%3E2022-01-01",
     "filter[cmp-last-modified-time]"},
    {"filter%5Borganization-admin%5D=false", "filter[organization-admin]"},
    {"filter%5Bclassification%5D=nope", "filter[classification]"},
    {"filter%5Bphone-number%5D=12345", "filter[phone-number]"},
    {"filter%5Bregistration-invite%5D=maybe", "filter[registration-invite]"},
    {"filter%5Bprimary-individual-ids%5D=x", "filter[primary-individual-ids]"},
    {"filter%5Benabled%5D=yes", "filter[enabled]"},
    {"organization-id=nope", "organization-id"},
    {"unknown=1", "unknown"},
};

ParameterizedTestParameters(users, list_refuses_bad_parameters)
{
    IT_INDEX_PARAMS(bad_lists);
}

ParameterizedTest(size_t *i, users, list_refuses_bad_parameters)
{
    char token[4097];
    struct it_resp r;

    IT_REQUIRE_STACK();
    it_admin_token(token);
    ut_call(&r, "GET", token, NULL, "/v1/users/?%s", bad_lists[*i][0]);
    ut_assert_error(&r, 400, bad_lists[*i][1]);
    it_resp_release(&r);
}

Test(users, list_refuses_anonymous_callers)
{
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_call(&r, "GET", NULL, NULL, "/v1/users/");
    ut_assert_error(&r, 401, NULL);
    it_resp_release(&r);
}

/* ---- PATCH (#148), change-email (#149), confirm-phone (#151) ---- */

static char *patch_body(const char *id, const char *attrs_json)
{
    char *s = malloc(strlen(attrs_json) + 256);
    sprintf(s, "{\"data\": {\"type\": \"users\", \"id\": \"%s\", \"attributes\": %s}}", id,
            attrs_json);
    return s;
}

Test(users, a_user_updates_their_profile)
{
    char org[UT_ID_LEN], attrs[512], *body;
    struct ut_user u;
    struct it_resp r;
    json_t *a;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, NULL, &u);
    snprintf(attrs, sizeof attrs,
             "{\"first-name\": \"Zoe\", \"locale\": \"fr_FR\", \"tz\": \"America/New_York\", "
             "\"email\": \"zoe@example.org\", \"phone\": \"+14155550123\", "
             "\"communication-preferences\": {\"sms\": {\"enabled\": true}}, "
             "\"default-organization-id\": \"%s\"}",
             org);
    body = patch_body(u.id, attrs);
    ut_call(&r, "PATCH", u.token, body, "/v1/users/%s/", u.id);
    free(body);
    cr_assert(eq(long, r.status, 200), "%s", r.body);
    a = ut_attrs_of(&r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "first-name")), "Zoe"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "locale")), "fr_FR"));
    cr_assert(it_true(json_is_true(json_object_get(a, "locale-explicit"))));
    cr_assert(it_true(json_is_true(json_object_get(a, "tz-explicit"))));
    /* the new email waits for its code (test_account_scope.c) */
    cr_assert(eq(str, (char *)json_string_value(json_object_get(a, "pending-email")),
                 "zoe@example.org"));
    cr_assert(strcmp(json_string_value(json_object_get(a, "email")), "zoe@example.org") != 0);
    cr_assert(it_true(json_is_true(json_object_get(a, "email-verified"))), "the old one stays");
    cr_assert(it_true(json_is_true(json_object_get(
        json_object_get(json_object_get(a, "communication-preferences"), "sms"), "enabled"))));
    json_decref(a);
    it_resp_release(&r);
    cr_assert(eq(long, ut_outbox_count("evt.identity.user.updated", u.id), 1));
}

/* PATCH bodies refused, with the pointer each names; "%s" is the user id. */
static const char *const bad_patches[][2] = {
    {"not json", ""},
    {"{\"data\": {\"type\": \"people\", \"id\": \"%s\", \"attributes\": {}}}", "/data/type"},
    {"{\"data\": {\"type\": \"users\", \"id\": \"00000000-0000-4000-8000-000000000000\", "
     "\"attributes\": {}}}",
     "/data/id"},
    {"{\"data\": {\"type\": \"users\", \"attributes\": {}}}", "/data/id"},
    {"{\"data\": {\"type\": \"users\", \"id\": \"%s\", \"attributes\": {\"nope\": 1}}}",
     "/data/attributes/nope"},
    {"{\"data\": {\"type\": \"users\", \"id\": \"%s\", \"attributes\": {\"first-name\": 5}}}",
     "/data/attributes/first-name"},
    {"{\"data\": {\"type\": \"users\", \"id\": \"%s\", \"attributes\": {\"email\": \"x\"}}}",
     "/data/attributes/email"},
    {"{\"data\": {\"type\": \"users\", \"id\": \"%s\", \"attributes\": {\"tz\": \"Mars/Base\"}}}",
     "/data/attributes/tz"},
    {"{\"data\": {\"type\": \"users\", \"id\": \"%s\", \"attributes\": {\"locale\": \"english\"}}}",
     "/data/attributes/locale"},
    {"{\"data\": {\"type\": \"users\", \"id\": \"%s\", \"attributes\": {\"phone\": \"555\"}}}",
     "/data/attributes/phone"},
    {"{\"data\": {\"type\": \"users\", \"id\": \"%s\", \"attributes\": {\"username\": \"a b\"}}}",
     "/data/attributes/username"},
    {"{\"data\": {\"type\": \"users\", \"id\": \"%s\", \"attributes\": "
     "{\"communication-preferences\": {\"fax\": {}}}}}",
     "/data/attributes/communication-preferences"},
    {"{\"data\": {\"type\": \"users\", \"id\": \"%s\", \"attributes\": "
     "{\"default-organization-id\": \"00000000-0000-4000-8000-000000000000\"}}}",
     "/data/attributes/default-organization-id"},
    {"{\"data\": {\"type\": \"users\", \"id\": \"%s\", \"attributes\": {\"last-name\": "
     "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}}",
     "/data/attributes/last-name"},
};

ParameterizedTestParameters(users, patch_refuses_bad_bodies)
{
    IT_INDEX_PARAMS(bad_patches);
}

ParameterizedTest(size_t *i, users, patch_refuses_bad_bodies)
{
    char org[UT_ID_LEN], body[1024], *before, *after;
    struct ut_user u;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, NULL, &u);
    before = user_column(u.id, "SELECT last_modified_time::text FROM identity.users WHERE id = $1");
    snprintf(body, sizeof body, bad_patches[*i][0], u.id);
    ut_call(&r, "PATCH", u.token, body, "/v1/users/%s/", u.id);
    ut_assert_error(&r, 400, bad_patches[*i][1]);
    it_resp_release(&r);
    after = user_column(u.id, "SELECT last_modified_time::text FROM identity.users WHERE id = $1");
    cr_assert(eq(str, before, after), "nothing changed");
    free(before);
    free(after);
}

Test(users, patch_guards_usernames_classification_and_tenancy)
{
    char org1[UT_ID_LEN], org2[UT_ID_LEN], attrs[256], admin_token[4097], *body;
    struct ut_user a, b, other;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org1);
    ut_org(org2);
    ut_account(org1, NULL, &a);
    ut_account(org1, NULL, &b);
    ut_account(org2, "admin", &other);
    snprintf(attrs, sizeof attrs, "{\"username\": \"%s\"}", b.username);
    body = patch_body(a.id, attrs);
    ut_call(&r, "PATCH", a.token, body, "/v1/users/%s/", a.id);
    ut_assert_error(&r, 409, "/data/attributes/username");
    it_resp_release(&r);
    /* another organization's admin: 404, nothing of the user shown */
    ut_call(&r, "PATCH", other.token, body, "/v1/users/%s/", a.id);
    ut_assert_error(&r, 404, NULL);
    cr_assert(strstr(r.body, a.username) == NULL);
    it_resp_release(&r);
    free(body);
    body = patch_body(a.id, "{\"classification\": \"carium\"}");
    ut_call(&r, "PATCH", a.token, body, "/v1/users/%s/", a.id);
    ut_assert_error(&r, 403, "/data/attributes/classification");
    it_resp_release(&r);
    it_admin_token(admin_token);
    ut_call(&r, "PATCH", admin_token, body, "/v1/users/%s/", a.id);
    cr_assert(eq(long, r.status, 200), "%s", r.body);
    cr_assert(strstr(r.body, "\"classification\":\"carium\"") != NULL, "%s", r.body);
    it_resp_release(&r);
    free(body);
}

Test(users, change_email_and_confirm_phone)
{
    char org[UT_ID_LEN], *v;
    struct ut_user u, other;
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ut_account(org, NULL, &u);
    ut_account(org, NULL, &other);
    ut_call(&r, "POST", u.token, "{\"email\": \"new@example.net\"}", "/v1/users/%s/change-email/",
            u.id);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    cr_assert(eq(str, r.body, "null"));
    it_resp_release(&r);
    v = user_column(u.id, "SELECT (SELECT email FROM identity.email_changes c WHERE c.user_id = "
                          "u.id AND verified_at IS NULL) || ' ' || email_verified "
                          "FROM identity.users u WHERE id = $1");
    cr_assert(eq(str, v, "new@example.net true"), "pending; the verified email stays");
    free(v);
    ut_call(&r, "POST", u.token, "{}", "/v1/users/%s/change-email/", u.id);
    ut_assert_error(&r, 400, "/email");
    it_resp_release(&r);
    ut_call(&r, "POST", u.token, "{\"email\": 7}", "/v1/users/%s/change-email/", u.id);
    ut_assert_error(&r, 400, "/email");
    it_resp_release(&r);
    ut_call(&r, "POST", u.token, "{\"email\": \"a@b.c\", \"x\": 1}", "/v1/users/%s/change-email/",
            u.id);
    ut_assert_error(&r, 400, "/x");
    it_resp_release(&r);
    ut_call(&r, "POST", u.token, "{\"email\": \"a@b.c\"}", "/v1/users/%s/change-email/", other.id);
    ut_assert_error(&r, 404, NULL);
    it_resp_release(&r);

    ut_call(&r, "POST", u.token, "{\"phone-number\": \"+14155550199\"}",
            "/v1/users/%s/confirm-phone/", u.id);
    cr_assert(eq(long, r.status, 201), "%s", r.body);
    cr_assert(eq(str, r.body, "null"));
    it_resp_release(&r);
    v = user_column(u.id, "SELECT phone || ' ' || phone_verified FROM identity.users WHERE id = $1");
    cr_assert(eq(str, v, "+14155550199 true"));
    free(v);
    ut_call(&r, "POST", u.token, "{\"phone-number\": \"4155550199\"}",
            "/v1/users/%s/confirm-phone/", u.id);
    ut_assert_error(&r, 400, "/phone-number");
    it_resp_release(&r);
    ut_call(&r, "POST", u.token, "{}", "/v1/users/%s/confirm-phone/", u.id);
    ut_assert_error(&r, 400, "/phone-number");
    it_resp_release(&r);
}
