/* test_journey.c: the account journey end to end through the edge (issue 3's
 * acceptance test): the platform admin creates an organization and a code;
 * a person signs up with it, reads the code from the spool, confirms with
 * login: true, refreshes, reads and updates their own user, cannot read a
 * user of another organization, and is refused within a second once the
 * admin disables them. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "it_onboarding.h"

TestSuite(journey, .timeout = 90);

static const char *str_member(const json_t *obj, const char *name)
{
    const char *v = json_string_value(json_object_get(obj, name));
    return v ? v : "";
}

/* Signs a fresh person up with code and confirms with login: true; their
 * username into user (128 bytes), user id into user_id (37 bytes) and
 * tokens into access / refresh (OB_TOKEN_MAX bytes each). */
static void join(const char *code, const char *prefix, char *user, char *user_id, char *access,
                 char *refresh)
{
    char base[96], confirmation[16];
    struct it_resp r;
    json_t *doc;

    it_unique(base, sizeof base, prefix);
    snprintf(user, 128, "%s@example.com", base);
    ob_sign_up_and_get_code(code, user, confirmation);
    cr_assert(eq(long, ob_confirm(&r, user, confirmation, 1), 201), "confirm: %s", r.body);
    doc = it_json(&r);
    cr_assert(it_true(json_is_null(json_object_get(doc, "login-error"))), "%s", r.body);
    snprintf(access, OB_TOKEN_MAX, "%s", str_member(doc, "access-token"));
    snprintf(refresh, OB_TOKEN_MAX, "%s", str_member(doc, "refresh-token"));
    snprintf(user_id, 37, "%s", str_member(doc, "user-id"));
    cr_assert(access[0] != '\0', "an access token in %s", r.body);
    cr_assert(refresh[0] != '\0', "a refresh token in %s", r.body);
    cr_assert(eq(sz, strlen(user_id), 36), "user-id in %s", r.body);
    json_decref(doc);
    it_resp_release(&r);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

Test(journey, sign_up_confirm_refresh_self_service_tenancy_and_disable)
{
    char admin[OB_TOKEN_MAX], org_a[37], org_b[37], code_a[65], code_b[65];
    char user[128], user_id[37], access[OB_TOKEN_MAX], refresh[OB_TOKEN_MAX];
    char other[128], other_id[37], other_access[OB_TOKEN_MAX], other_refresh[OB_TOKEN_MAX];
    char path[256], *text;
    struct it_resp r;
    json_t *doc, *body;
    double deadline;
    long status = 0;

    IT_REQUIRE_STACK();
    /* the platform admin: two organizations, a code for each */
    it_admin_token(admin);
    ob_create_org(admin, org_a, NULL);
    ob_create_org(admin, org_b, NULL);
    ob_create_code(admin, org_a, NULL, code_a);
    ob_create_code(admin, org_b, NULL, code_b);

    /* a person joins A; someone else joins B */
    join(code_a, "journey-", user, user_id, access, refresh);
    join(code_b, "other-", other, other_id, other_access, other_refresh);

    /* refresh: a new access token */
    body = json_pack("{s:s}", "refresh-token", refresh);
    ob_post_json(&r, "/v1/refresh-token/", NULL, body);
    json_decref(body);
    cr_assert(eq(long, r.status, 201), "refresh: %s", r.body);
    doc = it_json(&r);
    cr_assert(json_string_length(json_object_get(doc, "access-token")) > 0, "%s", r.body);
    snprintf(access, sizeof access, "%s", str_member(doc, "access-token"));
    cr_assert(json_string_length(json_object_get(doc, "refresh-token")) > 0, "%s", r.body);
    snprintf(refresh, sizeof refresh, "%s", str_member(doc, "refresh-token")); /* rotated */
    json_decref(doc);
    it_resp_release(&r);

    /* their own user: read, then update */
    snprintf(path, sizeof path, "/v1/users/%s/", user_id);
    it_call_token(&r, "GET", path, access, NULL);
    cr_assert(eq(long, r.status, 200), "read self: %s", r.body);
    doc = it_json(&r);
    cr_assert(eq(str, (char *)str_member(json_object_get(json_object_get(doc, "data"), "attributes"), "username"),
                 user));
    json_decref(doc);
    it_resp_release(&r);
    body = json_pack("{s:{s:s, s:s, s:{s:s}}}", "data", "type", "users", "id", user_id,
                     "attributes", "first-name", "Annie");
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    it_call_token(&r, "PATCH", path, access, text);
    free(text);
    cr_assert(eq(long, r.status, 200), "update self: %s", r.body);
    doc = it_json(&r);
    cr_assert(eq(str, (char *)str_member(json_object_get(json_object_get(doc, "data"), "attributes"), "first-name"),
                 "Annie"));
    json_decref(doc);
    it_resp_release(&r);

    /* another organization's user does not exist for them */
    snprintf(path, sizeof path, "/v1/users/%s/", other_id);
    it_call_token(&r, "GET", path, access, NULL);
    it_assert_error_style(&r, "jsonapi", 404);
    cr_assert(strstr(r.body, other) == NULL, "none of their data");
    it_resp_release(&r);

    /* the admin disables them: their token is refused within a second */
    snprintf(path, sizeof path, "/v1/users/%s/disable/", user_id);
    it_call_token(&r, "POST", path, admin, "{}");
    cr_assert(eq(long, r.status, 201), "disable: %s", r.body);
    it_resp_release(&r);
    snprintf(path, sizeof path, "/v1/users/%s/", user_id);
    deadline = it_now_ms() + 1000;
    do {
        it_call_token(&r, "GET", path, access, NULL);
        status = r.status;
        it_resp_release(&r);
        if (status == 401)
            break;
        sleep_ms(50);
    } while (it_now_ms() < deadline);
    cr_assert(eq(long, status, 401), "a disabled user's token still works after 1 s");
    /* and they cannot log in or refresh again */
    cr_assert(eq(long, af_login(user, OB_PASSWORD, NULL, &doc), 403));
    af_error_is(doc, 403, "forbidden", "account disabled");
    json_decref(doc);
    body = json_pack("{s:s}", "refresh-token", refresh);
    ob_post_json(&r, "/v1/refresh-token/", NULL, body);
    json_decref(body);
    cr_assert(eq(long, r.status, 401), "refresh: %s", r.body);
    doc = it_json(&r);
    af_error_is(doc, 401, "unauthorized", "session revoked");
    json_decref(doc);
    it_resp_release(&r);
}
