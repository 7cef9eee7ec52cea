/* test_privacy_checkin.c: suite "privacy_checkin": the check-in
 * (POST /v1/user-checkins/, onboarding) carries privacy's "review your
 * privacy settings" notice in meta.privacy-notice while a request asks a
 * level the participant has not set, at every check-in until they review;
 * and a privacy outage (privacy killed) does not fail the check-in, which
 * then answers without the notice. The world: an organization, its admin,
 * a patient with an individual in a care group, an API client. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "test_users_fixtures.h"

/* from test_authz_groups.c */
void ag_person(const char *org, const char *role, struct ut_user *u);
void ag_individual(const char *token, const char *org, const char *user, char *id);
void ag_group(const char *token, const char *org, const char *parent, const char *extra, char *id);

static char org[40], group[40], number[24], ind[40], key[64];
static struct ut_user admin, patient;

static void setup(void)
{
    char extra[128], body[512], name[64], *v;
    const char *p[1];
    struct it_resp r;
    PGconn *pg;
    json_t *doc;

    IT_REQUIRE_STACK();
    ut_org(org);
    ag_person(org, "admin", &admin);
    ag_person(org, NULL, &patient);
    ag_individual(admin.token, org, patient.id, ind);
    snprintf(extra, sizeof extra, ", \"individual-ids\": [\"%s\"]", ind);
    ag_group(admin.token, org, NULL, extra, group);
    pg = it_pg();
    p[0] = group;
    v = it_pg_value(pg, "SELECT number::text FROM authz.groups WHERE id = $1::uuid", 1, p);
    cr_assert(v != NULL);
    snprintf(number, sizeof number, "%s", v);
    free(v);
    PQfinish(pg);
    it_unique(name, sizeof name, "checkin-client-");
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"api-clients\",\"attributes\":{\"name\":\"%s\","
             "\"organization-id\":\"%s\",\"roles\":[]}},\"meta\":{}}",
             name, org);
    it_call_token(&r, "POST", "/v1/api-clients/", admin.token, body);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    doc = it_json(&r);
    snprintf(key, sizeof key, "%s",
             json_string_value(json_object_get(
                 json_object_get(json_object_get(doc, "data"), "attributes"), "api-key")));
    json_decref(doc);
    it_resp_release(&r);
}

static void teardown(void)
{
    it_stack_restore(90000);
}

TestSuite(privacy_checkin, .init = setup, .fini = teardown, .timeout = 180);

/* The API client asks levels (a JSON list text) of the patient's group. */
static void request_group_level(const char *levels)
{
    char header[128], path[128], b[128];
    const char *headers[2] = {header, NULL};
    struct it_req rq = {.method = "POST", .path = path, .headers = headers, .body = b};
    struct it_resp r;

    snprintf(header, sizeof header, "x-api-key: %s", key);
    snprintf(path, sizeof path, "/configure/groups/%s/privacy", number);
    snprintf(b, sizeof b, "{\"requestedPrivacyLevel\": %s}", levels);
    rq.body_len = strlen(b);
    cr_assert(eq(int, it_http(&rq, &r), 0));
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    it_resp_release(&r);
}

/* The patient checks in (asserts 201); the answer's meta.privacy-notice,
 * or NULL (caller json_decref the returned document through *doc). */
static json_t *check_in(json_t **doc)
{
    const char *b = "{\"data\": {\"type\": \"user-checkins\", \"attributes\": {\"source\": "
                    "\"ios\", \"model\": \"iPhone 15\"}}}";
    struct it_resp r;

    it_call_token(&r, "POST", "/v1/user-checkins/", patient.token, b);
    cr_assert(eq(long, r.status, 201), "check-in: %.300s", r.body);
    *doc = it_json(&r);
    it_resp_release(&r);
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(json_object_get(*doc, "data"), "type")),
                 "user-checkins"));
    return json_object_get(json_object_get(*doc, "meta"), "privacy-notice");
}

/* Joined strings of the list member of o into out (64 bytes). */
static const char *joined(json_t *o, const char *member, char *out)
{
    json_t *v;
    size_t i;

    out[0] = '\0';
    cr_assert(it_true(json_is_array(json_object_get(o, member))), "%s", member);
    json_array_foreach(json_object_get(o, member), i, v)
    {
        if (i)
            strcat(out, ",");
        strncat(out, json_string_value(v), 20);
    }
    return out;
}

Test(privacy_checkin, the_check_in_carries_the_notice_until_the_participant_reviews)
{
    json_t *doc, *n;
    char got[64];
    struct it_resp r;

    n = check_in(&doc);
    cr_assert(n == NULL, "no request yet, no notice");
    json_decref(doc);
    request_group_level("[\"mhci\", \"transcript\"]");
    /* every check-in carries it until they review */
    for (int i = 0; i < 2; i++) {
        n = check_in(&doc);
        cr_assert(n != NULL, "check-in %d has no notice", i);
        cr_assert(eq(str, (char *)json_string_value(json_object_get(n, "code")),
                     "review-privacy-settings"));
        cr_assert(strlen(json_string_value(json_object_get(n, "detail"))) > 0);
        cr_assert(eq(str, (char *)joined(n, "requested-privacy-level", got), "mhci,transcript"));
        cr_assert(eq(str, (char *)joined(n, "privacy-level", got), ""));
        json_decref(doc);
    }
    /* they review, setting less than asked: they are not forced; no notice */
    it_call_token(&r, "POST", "/configure/me/privacy", patient.token,
                  "{\"privacyLevel\": [\"mhci\"]}");
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    it_resp_release(&r);
    n = check_in(&doc);
    cr_assert(n == NULL, "the notice stays after the review");
    json_decref(doc);
}

/* Runs after the test above (alphabetical order within the suite is not
 * relied on: it sets up its own due notice). */
Test(privacy_checkin, zz_a_privacy_outage_does_not_fail_the_check_in)
{
    json_t *doc, *n;
    struct it_resp r;

    /* a notice is due (a new request asking a level they have not set) */
    it_call_token(&r, "POST", "/configure/me/privacy", patient.token, "{\"privacyLevel\": []}");
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    it_resp_release(&r);
    request_group_level("[\"transcript\"]");
    request_group_level("[\"mhci\"]");
    n = check_in(&doc);
    cr_assert(n != NULL, "a notice is due before the outage");
    json_decref(doc);
    /* privacy dies: the check-in still succeeds, without the notice */
    cr_assert(eq(int, kill((pid_t)it_pid_of("privacy"), SIGKILL), 0));
    n = check_in(&doc);
    cr_assert(n == NULL, "a notice without privacy?");
    json_decref(doc);
    /* privacy is back: the notice is too */
    cr_assert(eq(int, it_stack(NULL, 0, "start", "privacy", NULL), 0));
    cr_assert(it_wait_all_ready(60000));
    n = check_in(&doc);
    cr_assert(n != NULL, "the notice did not come back with privacy");
    json_decref(doc);
}
