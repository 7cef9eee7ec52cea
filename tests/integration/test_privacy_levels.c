/* test_privacy_levels.c: suite "privacy_levels": the privacy API (seed 000)
 * through the edge: an organization's API client requests privacy levels of
 * its care groups (by number) and participants (by external id), reads them
 * back, and lists its groups' numbers; a participant reads and sets their
 * own level with their own token; privacy.rpc.CheckInNotice says when a
 * check-in must ask them to review, until they do. Also the seed's Node
 * example, run as written (tests/node/privacy_seed_example.mjs).
 *
 * The world: organizations A and B, A's admin and a patient with an
 * individual in a care group of A (through /v1, the projection rows written
 * directly as test_authz_groups.c does), and an API client of each. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "auth_fixtures.h"
#include "cm_nats.h"
#include "harness.h"
#include "privacy.pb-c.h"
#include "test_matrix.h"
#include "test_users_fixtures.h"

/* from test_authz_groups.c */
void ag_person(const char *org, const char *role, struct ut_user *u);
void ag_individual(const char *token, const char *org, const char *user, char *id);
void ag_group(const char *token, const char *org, const char *parent, const char *extra,
              char *id);

static char org_a[40], org_b[40], group_a[40], number_a[24], ind[40];
static char key_a[64], key_b[64];
static struct ut_user admin_a, admin_b, patient;

/* A new API client of org (made by token); its key to key (64 bytes). */
static void client_key(const char *token, const char *org, char *key)
{
    char body[512], name[64];
    struct it_resp r;
    json_t *doc;

    it_unique(name, sizeof name, "privacy-client-");
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"api-clients\",\"attributes\":{\"name\":\"%s\","
             "\"organization-id\":\"%s\",\"roles\":[]}},\"meta\":{}}",
             name, org);
    it_call_token(&r, "POST", "/v1/api-clients/", token, body);
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    doc = it_json(&r);
    snprintf(key, 64, "%s",
             json_string_value(json_object_get(
                 json_object_get(json_object_get(doc, "data"), "attributes"), "api-key")));
    json_decref(doc);
    it_resp_release(&r);
}

static void setup(void)
{
    PGconn *pg;
    char extra[128], *v;
    const char *p[1];

    IT_REQUIRE_STACK();
    ut_org(org_a);
    ut_org(org_b);
    ag_person(org_a, "admin", &admin_a);
    ag_person(org_b, "admin", &admin_b);
    ag_person(org_a, NULL, &patient);
    ag_individual(admin_a.token, org_a, patient.id, ind);
    snprintf(extra, sizeof extra, ", \"individual-ids\": [\"%s\"]", ind);
    ag_group(admin_a.token, org_a, NULL, extra, group_a);
    pg = it_pg();
    p[0] = group_a;
    v = it_pg_value(pg, "SELECT number::text FROM authz.groups WHERE id = $1::uuid", 1, p);
    cr_assert(v != NULL);
    snprintf(number_a, sizeof number_a, "%s", v);
    free(v);
    PQfinish(pg);
    client_key(admin_a.token, org_a, key_a);
    client_key(admin_b.token, org_b, key_b);
}

/* method on path with x-api-key: key (none when NULL) and a raw body
 * sent as text/plain, as Node's fetch sends it (none when body is NULL). */
static void api(struct it_resp *r, const char *method, const char *path, const char *key,
                const char *body)
{
    char header[128];
    const char *headers[3] = {NULL, NULL, NULL};
    struct it_req rq = {.method = method, .path = path, .headers = headers, .body = body,
                        .body_len = body ? strlen(body) : 0};
    size_t n = 0;

    snprintf(header, sizeof header, "x-api-key: %s", key ? key : "");
    if (key)
        headers[n++] = header;
    if (body)
        headers[n++] = "Content-Type: text/plain;charset=UTF-8";
    cr_assert(eq(int, it_http(&rq, r), 0), "%s", r->error);
}

/* Asserts r is 200 {"message": "success"}. */
static void assert_success(const struct it_resp *r)
{
    json_t *doc;
    cr_assert(eq(long, r->status, 200), "%.300s", r->body);
    doc = it_json(r);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "message")), "success"));
    cr_assert(eq(sz, json_object_size(doc), 1));
    json_decref(doc);
}

/* Asserts r is status {"error": msg} (any message when msg is NULL). */
static void assert_error(const struct it_resp *r, long status, const char *msg)
{
    json_t *doc;
    it_assert_error_style(r, "okaya", status);
    doc = it_json(r);
    if (msg)
        cr_assert(eq(str, (char *)json_string_value(json_object_get(doc, "error")), (char *)msg),
                  "%.300s", r->body);
    json_decref(doc);
}

/* The list member of r's JSON body, joined with ',' into out (64 bytes). */
static const char *levels_of(const struct it_resp *r, const char *member, char *out)
{
    json_t *doc = it_json(r), *v;
    size_t i;
    out[0] = '\0';
    cr_assert(it_true(json_is_array(json_object_get(doc, member))), "%s: %.300s", member, r->body);
    json_array_foreach(json_object_get(doc, member), i, v)
    {
        if (i)
            strcat(out, ",");
        strncat(out, json_string_value(v), 20);
    }
    json_decref(doc);
    return out;
}

/* privacy.rpc.CheckInNotice for user; asserts success. Caller frees. */
static Privacy__CheckInNoticeReply *notice_of(const char *user, int *code)
{
    Privacy__CheckInNoticeRequest rq = PRIVACY__CHECK_IN_NOTICE_REQUEST__INIT;
    Privacy__CheckInNoticeReply *n = NULL;
    Envelope__RpcReply *reply = NULL;
    natsConnection *nc = NULL;
    uint8_t *payload;
    size_t len;

    rq.user_id = (char *)user;
    cr_assert(eq(int, cm_nats_connect(it_env("TEST_NATS_URL"), "test-privacy", 1, NULL, &nc),
                 CM_OK));
    payload = cm_pack(&rq.base, &len);
    cr_assert(eq(int, cm_nats_rpc(nc, "privacy.rpc.CheckInNotice", "test-privacy", NULL, payload,
                                  len, 10000, &reply),
                 CM_OK));
    free(payload);
    cm_nats_close(nc, 1000);
    *code = reply->code;
    if (reply->code == 0)
        n = privacy__check_in_notice_reply__unpack(NULL, reply->payload.len, reply->payload.data);
    envelope__rpc_reply__free_unpacked(reply, NULL);
    return n;
}

/* Asserts CheckInNotice for user: due, and requested levels joined. */
static void assert_notice(const char *user, int due, const char *requested)
{
    int code;
    char got[64] = "";
    Privacy__CheckInNoticeReply *n = notice_of(user, &code);

    cr_assert(eq(int, code, 0));
    cr_assert(n != NULL);
    cr_assert(eq(int, n->due, due));
    for (size_t i = 0; i < n->n_requested_levels; i++) {
        if (i)
            strcat(got, ",");
        strncat(got, n->requested_levels[i], 20);
    }
    cr_assert(eq(str, got, (char *)requested));
    if (due)
        cr_assert(it_true(strstr(n->message, "review") != NULL), "%s", n->message);
    privacy__check_in_notice_reply__free_unpacked(n, NULL);
}

TestSuite(privacy_levels, .init = setup, .timeout = 120);

Test(privacy_levels, group_request_is_set_read_and_cleared)
{
    char path[128], got[64];
    struct it_resp r;
    json_t *doc;

    snprintf(path, sizeof path, "/configure/groups/%s/privacy", number_a);
    api(&r, "POST", path, key_a, "{\"requestedPrivacyLevel\": [\"transcript\", \"mhci\", \"mhci\"]}");
    assert_success(&r);
    it_resp_release(&r);
    api(&r, "GET", path, key_a, NULL);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(eq(str, (char *)levels_of(&r, "requestedPrivacyLevel", got), "mhci,transcript"));
    doc = it_json(&r);
    cr_assert(eq(i64, (long long)json_integer_value(json_object_get(doc, "groupID")),
                 atoll(number_a)));
    json_decref(doc);
    it_resp_release(&r);
    api(&r, "POST", path, key_a, "{\"requestedPrivacyLevel\": []}");
    assert_success(&r);
    it_resp_release(&r);
    api(&r, "GET", path, key_a, NULL);
    cr_assert(eq(str, (char *)levels_of(&r, "requestedPrivacyLevel", got), ""));
    it_resp_release(&r);
}

Test(privacy_levels, groups_list_shows_the_numbers_of_own_groups_only)
{
    struct it_resp r;
    char needle[64];

    api(&r, "GET", "/configure/groups", key_a, NULL);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    snprintf(needle, sizeof needle, "\"groupID\":%s", number_a);
    cr_assert(it_true(strstr(r.body, group_a) != NULL && strstr(r.body, needle) != NULL),
              "%.300s", r.body);
    it_resp_release(&r);
    api(&r, "GET", "/configure/groups", key_b, NULL);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(it_true(strstr(r.body, group_a) == NULL), "%.300s", r.body);
    it_resp_release(&r);
}

Test(privacy_levels, group_errors_answer_as_the_seed)
{
    char path[128], other[128];
    struct it_resp r;

    snprintf(path, sizeof path, "/configure/groups/%s/privacy", number_a);
    api(&r, "POST", "/configure/groups/undefined/privacy", key_a, "{\"requestedPrivacyLevel\": []}");
    assert_error(&r, 400, "You are missing the path parameter groupID");
    it_resp_release(&r);
    api(&r, "POST", "/configure/groups/%20/privacy", key_a, "{\"requestedPrivacyLevel\": []}");
    assert_error(&r, 400, "You are missing the path parameter groupID");
    it_resp_release(&r);
    api(&r, "POST", "/configure/groups/12ab/privacy", key_a, "{\"requestedPrivacyLevel\": []}");
    assert_error(&r, 400, "groupID must be a number");
    it_resp_release(&r);
    api(&r, "GET", "/configure/groups/-4/privacy", key_a, NULL);
    assert_error(&r, 400, "groupID must be a number");
    it_resp_release(&r);
    api(&r, "POST", path, key_a, "{\"requestedPrivacyLevel\": [\"everything\"]}");
    assert_error(&r, 400, "requestedPrivacyLevel[0] must be one of \"mhci\", \"transcript\"");
    it_resp_release(&r);
    api(&r, "POST", path, key_a, "{\"requestedPrivacyLevel\": \"mhci\"}");
    assert_error(&r, 400, "requestedPrivacyLevel must be a list");
    it_resp_release(&r);
    api(&r, "POST", path, key_a, "{\"requestedPrivacyLevel\": [1]}");
    assert_error(&r, 400, NULL);
    it_resp_release(&r);
    api(&r, "POST", path, key_a, "[\"mhci\"]");
    assert_error(&r, 400, "The body must be a JSON object");
    it_resp_release(&r);
    api(&r, "POST", path, key_a, "{\"requestedPrivacyLevel\": [], \"x\": 1}");
    assert_error(&r, 400, NULL);
    it_resp_release(&r);
    api(&r, "POST", path, key_a, "{}");
    assert_error(&r, 400, "You are missing the body parameter requestedPrivacyLevel");
    it_resp_release(&r);
    api(&r, "POST", path, key_a, NULL);
    assert_error(&r, 400, "You are missing the body parameter requestedPrivacyLevel");
    it_resp_release(&r);
    /* another organization's client, a number nobody has */
    api(&r, "POST", path, key_b, "{\"requestedPrivacyLevel\": [\"mhci\"]}");
    assert_error(&r, 404, "group not found");
    it_resp_release(&r);
    api(&r, "GET", path, key_b, NULL);
    assert_error(&r, 404, "group not found");
    it_resp_release(&r);
    api(&r, "POST", "/configure/groups/999999999999/privacy", key_a,
        "{\"requestedPrivacyLevel\": []}");
    assert_error(&r, 404, "group not found");
    it_resp_release(&r);
    /* no credentials, a wrong key, a person's token */
    api(&r, "POST", path, NULL, "{\"requestedPrivacyLevel\": []}");
    assert_error(&r, 401, NULL);
    it_resp_release(&r);
    api(&r, "POST", path, "not-a-key", "{\"requestedPrivacyLevel\": []}");
    assert_error(&r, 401, NULL);
    it_resp_release(&r);
    it_call_token(&r, "POST", path, admin_a.token, "{\"requestedPrivacyLevel\": []}");
    assert_error(&r, 401, "Unauthorized");
    it_resp_release(&r);
    /* nothing was stored by any of these */
    snprintf(other, sizeof other, "%s", path);
    api(&r, "GET", other, key_a, NULL);
    cr_assert(eq(long, r.status, 200));
    cr_assert(it_true(strstr(r.body, "mhci") == NULL), "%.300s", r.body);
    it_resp_release(&r);
}

Test(privacy_levels, participant_request_by_username_or_id_with_their_groups)
{
    char path[256], gpath[128], got[64];
    struct it_resp r;

    snprintf(gpath, sizeof gpath, "/configure/groups/%s/privacy", number_a);
    api(&r, "POST", gpath, key_a, "{\"requestedPrivacyLevel\": [\"mhci\"]}");
    assert_success(&r);
    it_resp_release(&r);
    snprintf(path, sizeof path, "/configure/participants/%s/privacy", patient.username);
    api(&r, "POST", path, key_a, "{\"requestedPrivacyLevel\": [\"transcript\"]}");
    assert_success(&r);
    it_resp_release(&r);
    snprintf(path, sizeof path, "/configure/participants/%s/privacy", patient.id);
    api(&r, "GET", path, key_a, NULL);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(eq(str, (char *)levels_of(&r, "requestedPrivacyLevel", got), "mhci,transcript"));
    cr_assert(eq(str, (char *)levels_of(&r, "participantRequestedPrivacyLevel", got), "transcript"));
    cr_assert(eq(str, (char *)levels_of(&r, "groupsRequestedPrivacyLevel", got), "mhci"));
    cr_assert(eq(str, (char *)levels_of(&r, "privacyLevel", got), ""));
    it_resp_release(&r);
    /* by the individual id too; [] clears the participant's own request */
    snprintf(path, sizeof path, "/configure/participants/%s/privacy", ind);
    api(&r, "POST", path, key_a, "{\"requestedPrivacyLevel\": []}");
    assert_success(&r);
    it_resp_release(&r);
    api(&r, "GET", path, key_a, NULL);
    cr_assert(eq(str, (char *)levels_of(&r, "participantRequestedPrivacyLevel", got), ""));
    cr_assert(eq(str, (char *)levels_of(&r, "requestedPrivacyLevel", got), "mhci"));
    it_resp_release(&r);
}

Test(privacy_levels, participant_errors_answer_as_the_seed)
{
    char path[256];
    struct it_resp r;

    api(&r, "POST", "/configure/participants/undefined/privacy", key_a,
        "{\"requestedPrivacyLevel\": []}");
    assert_error(&r, 400, "You are missing the path parameter externalID");
    it_resp_release(&r);
    api(&r, "POST", "/configure/participants/nobody-by-that-name/privacy", key_a,
        "{\"requestedPrivacyLevel\": []}");
    assert_error(&r, 404, "participant not found");
    it_resp_release(&r);
    snprintf(path, sizeof path, "/configure/participants/%s/privacy", patient.username);
    api(&r, "POST", path, key_b, "{\"requestedPrivacyLevel\": [\"mhci\"]}");
    assert_error(&r, 404, "participant not found");
    it_resp_release(&r);
    api(&r, "GET", path, key_b, NULL);
    assert_error(&r, 404, "participant not found");
    it_resp_release(&r);
    api(&r, "POST", path, key_a, "{\"requestedPrivacyLevel\": [\"mhci\", \"x\"]}");
    assert_error(&r, 400, "requestedPrivacyLevel[1] must be one of \"mhci\", \"transcript\"");
    it_resp_release(&r);
    api(&r, "POST", path, key_a, "{\"requestedPrivacyLevel\": null}");
    assert_error(&r, 400, "requestedPrivacyLevel must be a list");
    it_resp_release(&r);
    it_call_token(&r, "POST", path, patient.token, "{\"requestedPrivacyLevel\": []}");
    assert_error(&r, 401, "Unauthorized");
    it_resp_release(&r);
}

Test(privacy_levels, check_in_notice_until_the_participant_reviews)
{
    char gpath[128], ppath[256], got[64];
    struct it_resp r;
    int code;

    assert_notice(patient.id, 0, "");
    snprintf(gpath, sizeof gpath, "/configure/groups/%s/privacy", number_a);
    api(&r, "POST", gpath, key_a, "{\"requestedPrivacyLevel\": [\"mhci\"]}");
    assert_success(&r);
    it_resp_release(&r);
    assert_notice(patient.id, 1, "mhci");
    /* the participant sees it and reviews without changing anything */
    it_call_token(&r, "GET", "/configure/me/privacy", patient.token, NULL);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    cr_assert(eq(str, (char *)levels_of(&r, "requestedPrivacyLevel", got), "mhci"));
    cr_assert(eq(str, (char *)levels_of(&r, "privacyLevel", got), ""));
    cr_assert(it_true(strstr(r.body, "\"reviewRequested\":true") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    it_call_token(&r, "POST", "/configure/me/privacy", patient.token, "{\"privacyLevel\": []}");
    assert_success(&r);
    it_resp_release(&r);
    assert_notice(patient.id, 0, "mhci");
    /* the same request again is not a new one */
    api(&r, "POST", gpath, key_a, "{\"requestedPrivacyLevel\": [\"mhci\"]}");
    it_resp_release(&r);
    assert_notice(patient.id, 0, "mhci");
    /* a new request asking more: the notice is back, until they set enough */
    snprintf(ppath, sizeof ppath, "/configure/participants/%s/privacy", patient.username);
    api(&r, "POST", ppath, key_a, "{\"requestedPrivacyLevel\": [\"transcript\"]}");
    assert_success(&r);
    it_resp_release(&r);
    assert_notice(patient.id, 1, "mhci,transcript");
    it_call_token(&r, "POST", "/configure/me/privacy", patient.token,
                  "{\"privacyLevel\": [\"mhci\", \"transcript\"]}");
    assert_success(&r);
    it_resp_release(&r);
    assert_notice(patient.id, 0, "mhci,transcript");
    it_call_token(&r, "GET", "/configure/me/privacy", patient.token, NULL);
    cr_assert(eq(str, (char *)levels_of(&r, "privacyLevel", got), "mhci,transcript"));
    cr_assert(it_true(strstr(r.body, "\"reviewRequested\":false") != NULL), "%.300s", r.body);
    it_resp_release(&r);
    /* the API client sees what they set */
    api(&r, "GET", ppath, key_a, NULL);
    cr_assert(eq(str, (char *)levels_of(&r, "privacyLevel", got), "mhci,transcript"));
    it_resp_release(&r);
    /* a bad user id is refused */
    cr_assert(notice_of("not-a-uuid", &code) == NULL);
    cr_assert(eq(int, code, 1)); /* CM_EINVAL */
}

Test(privacy_levels, participant_setting_errors)
{
    struct it_resp r;

    it_call_token(&r, "POST", "/configure/me/privacy", patient.token,
                  "{\"privacyLevel\": [\"all\"]}");
    assert_error(&r, 400, "privacyLevel[0] must be one of \"mhci\", \"transcript\"");
    it_resp_release(&r);
    it_call_token(&r, "POST", "/configure/me/privacy", patient.token, "{\"privacyLevel\": {}}");
    assert_error(&r, 400, "privacyLevel must be a list");
    it_resp_release(&r);
    api(&r, "GET", "/configure/me/privacy", key_a, NULL);
    assert_error(&r, 401, NULL);
    it_resp_release(&r);
    api(&r, "GET", "/configure/me/privacy", NULL, NULL);
    assert_error(&r, 401, NULL);
    it_resp_release(&r);
}

Test(privacy_levels, seed_node_example_succeeds)
{
    char cmd[1024];
    int rc;

    snprintf(cmd, sizeof cmd,
             "PRIVACY_BASE_URL='%s' PRIVACY_API_KEY='%s' PRIVACY_GROUP_ID='%s' "
             "PRIVACY_EXTERNAL_ID='%s' node '%s/tests/node/privacy_seed_example.mjs' 2>&1",
             it_env("TEST_EDGE_URL"), key_a, number_a, patient.username, mx_root());
    rc = system(cmd);
    cr_assert(it_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0), "node example failed (%d)", rc);
}
