/* test_matrix_world.c: the people and resources of the route x caller
 * matrix (test_matrix.h), and how one cell's request is made.
 *
 * Organizations A and B are made by the platform admin; accounts through
 * identity's account RPCs (ut_account), and written into authz's projection
 * too (ag_project) so that authz's operations need not wait for it. Every
 * path parameter names an A-side resource, so that B's people and clients
 * must be refused. Targets named "fresh:..." and the placeholders {U},
 * {UB}, {UAB} are made anew for each cell, so that a write one caller may
 * do (disable, revoke, change-password, remove-user...) never changes what
 * another cell sees. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth_fixtures.h"
#include "cm_totp.h"
#include "harness.h"
#include "it_onboarding.h"
#include "it_projection.h"
#include "test_matrix.h"

/* from test_authz_groups.c */
void ag_project(const char *user, const char *username, const char *org, const char *role);
void ag_individual(const char *token, const char *org, const char *user, char *id);
void ag_group(const char *token, const char *org, const char *parent, const char *extra, char *id);

struct client {
    char id[UT_ID_LEN];
    char user[64];
    char key[64];
};

static struct {
    int built;
    char platform[4097]; /* the platform admin's access token */
    char a[UT_ID_LEN], b[UT_ID_LEN];
    char a_provider[UT_ID_LEN], a_patient[UT_ID_LEN], b_patient[UT_ID_LEN];
    struct ut_user user, admin, b_user, b_admin, shared, victim, member;
    char shared_token[4097]; /* the shared user's token in B */
    char victim_email[128];  /* as ut_account makes it */
    struct client client, b_client, a_client;
    char group[40], individual[40], code[65], session[64];
    char a_name[128], clinical[128]; /* A's OU name; a clinical user of A (its user_id) */
    char thread[64], message[64], pid[64]; /* A's clinical thread (to user and victim), patient */
    char attachment[32]; /* an attachment of A, uploaded by A's API client */
    char email_tpl[40], sms_tpl[40]; /* templates of A (messaging) */
    char short_link[40], short_code[16]; /* a short link of A */
    char general_message[40], feedback[40]; /* a general message of A, the victim's feedback */
    char oreq[40], doc[40]; /* an onboarding request and a service document of A */
    char oreq_email[128];   /* the request's patient email */
    char inv[40];           /* a registration invitation of A */
    char feature[64], org_feature[40], user_feature[40]; /* feature flags */
    char imp[40]; /* an impersonation request of A's admin for the member */
    char replicator[40]; /* the replicator "authz" */
    char theme[40];      /* an organization theme */
    char group_number[24]; /* group's number, the privacy API's groupID */
    char deletion[40], deletion_email[128], deletion_ref[40]; /* a fresh A patient's deletion */
    char deletion_user[40];
    char archive[40]; /* an archive request of the victim for their individual */
    char anon[40];    /* an anonymous access of the victim's (password-strength) */
    char aggregation[40]; /* an aggregation request of A's admin about individual:A */
} w;

static void basic_header(char *out, size_t cap, const struct client *c);

/* --- making things --- */

static void json_post(const char *token, const char *path, const char *body, json_t **doc)
{
    struct it_resp r;

    it_call_token(&r, "POST", path, token, body);
    cr_assert(r.status == 201 || r.status == 200, "%s: %ld %.300s", path, r.status, r.body);
    if (doc)
        *doc = it_json(&r);
    it_resp_release(&r);
}

/* A template of A of resource type (email or SMS), made by the platform
 * admin; its id into id (40 bytes). */
static void template_make(const char *type, char *id)
{
    char body[512];
    json_t *doc;

    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"%s\", \"attributes\": {\"organization-id\": \"%s\","
             " \"type\": \"onboarding\", \"template\": \"Join at {{url}}\"}}}",
             type, w.a);
    json_post(w.platform, !strcmp(type, "organization-sms-templates")
                              ? "/v1/organization-sms-templates/"
                              : "/v1/organization-email-templates/",
              body, &doc);
    snprintf(id, 40, "%s", json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    json_decref(doc);
}

/* A short link of A, made by the platform admin, into w.short_link and
 * w.short_code. */
static void short_link_make(void)
{
    char body[512];
    json_t *doc, *data;

    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"url-shorteners\", \"attributes\": {\"organization-id\":"
             " \"%s\", \"netloc\": \"app.example.com\", \"full-path\": \"/x\"}}}",
             w.a);
    json_post(w.platform, "/v1/url-shorteners/", body, &doc);
    data = json_object_get(doc, "data");
    snprintf(w.short_link, sizeof w.short_link, "%s",
             json_string_value(json_object_get(data, "id")));
    snprintf(w.short_code, sizeof w.short_code, "%s",
             json_string_value(json_object_get(json_object_get(data, "attributes"), "code")));
    json_decref(doc);
}

/* A general message of A (by the platform admin) and a feedback comment
 * of the victim's, into w.general_message and w.feedback. */
static void notes_make(void)
{
    char body[512];
    json_t *doc;

    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"organization-general-messages\", \"attributes\": "
             "{\"organization-id\": \"%s\", \"name\": \"contact\", \"message\": \"Call us\"}}}",
             w.a);
    json_post(w.platform, "/v1/organization-general-messages/", body, &doc);
    snprintf(w.general_message, sizeof w.general_message, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    json_decref(doc);
    json_post(w.victim.token, "/v1/feedback-comments/",
              "{\"data\": {\"type\": \"feedback-comments\", \"attributes\": {\"comment\": "
              "\"fine\"}}}",
              &doc);
    snprintf(w.feedback, sizeof w.feedback, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    json_decref(doc);
}

/* A confirmed account of org (role NULL: patient), logged in, projected. */
static void person(const char *org, const char *role, struct ut_user *u)
{
    ut_account(org, role, u);
    ag_project(u->id, u->username, org, role ? role : "patient");
}

/* Adds u to B as a patient (by the platform admin), projected. */
static void also_in_b(const struct ut_user *u)
{
    ap_org_member(w.platform, w.b, "add-user", u->id, w.b_patient);
    ag_project(u->id, u->username, w.b, "patient");
}

static void client_make(const char *token, const char *org, const char *roles, struct client *c)
{
    char body[512], name[64];
    json_t *doc, *d, *a;

    it_unique(name, sizeof name, "mx-client-");
    snprintf(body, sizeof body,
             "{\"data\":{\"type\":\"api-clients\",\"attributes\":{\"name\":\"%s\","
             "\"organization-id\":\"%s\",\"roles\":%s}}}",
             name, org, roles);
    json_post(token, "/v1/api-clients/", body, &doc);
    d = json_object_get(doc, "data");
    a = json_object_get(d, "attributes");
    snprintf(c->id, sizeof c->id, "%s", json_string_value(json_object_get(d, "id")));
    snprintf(c->user, sizeof c->user, "%s", json_string_value(json_object_get(a, "api-user-id")));
    snprintf(c->key, sizeof c->key, "%s", json_string_value(json_object_get(a, "api-key")));
    json_decref(doc);
}


static json_t *clinical_call(const char *method, const char *path, const char *json);

/* The clinical API's fixtures of A, made by A's client: a thread to the
 * plain member and the victim (its first message), a patient, and a pager
 * number of the victim's (PUT admin/users). */
static void clinical_make(void)
{
    char auth[300], body[512], path[256];
    const char *hs[3] = {auth, "Content-Type: application/json", NULL};
    struct it_req rq = {0};
    struct it_resp r;
    json_t *doc;

    basic_header(auth, sizeof auth, &w.client);
    rq.method = "POST";
    rq.headers = hs;
    rq.path = "/api/2014-08-01/thread/create";
    snprintf(body, sizeof body,
             "{\"subject\": \"mx\", \"message\": \"hello\", \"recipients\": "
             "[\"%s@example.com\", \"%s\"]}",
             w.user.username, w.victim_email);
    rq.body = body;
    rq.body_len = strlen(body);
    cr_assert(eq(int, it_http(&rq, &r), 0));
    cr_assert(eq(long, r.status, 200), "thread/create: %.300s", r.body);
    doc = it_json(&r);
    snprintf(w.thread, sizeof w.thread, "%s", json_string_value(json_object_get(doc, "thread_id")));
    snprintf(w.message, sizeof w.message, "%s",
             json_string_value(json_object_get(doc, "message_id")));
    json_decref(doc);
    it_resp_release(&r);
    it_unique(w.pid, sizeof w.pid, "mx-pid-");
    rq.path = "/api/2014-08-01/patients";
    snprintf(body, sizeof body,
             "{\"pid\": \"%s\", \"dob\": \"1972-11-02\", \"sex\": \"M\", "
             "\"name\": {\"given\": \"HENRY\", \"family\": \"WALLACE\"}}",
             w.pid);
    rq.body = body;
    rq.body_len = strlen(body);
    cr_assert(eq(int, it_http(&rq, &r), 0));
    cr_assert(eq(long, r.status, 200), "patients: %.300s", r.body);
    it_resp_release(&r);
    snprintf(path, sizeof path, "/api/2015-02-01/admin/users/%s", w.victim.username);
    json_decref(clinical_call("PUT", path, "{\"pager_number\": \"5559001\"}"));
}

/* method path with JSON body as the client of A (clinical API); asserts
 * 200 and returns the parsed answer (caller json_decref). */
static json_t *clinical_call(const char *method, const char *path, const char *json)
{
    char auth[600];
    const char *hs[3] = {"Content-Type: application/json", auth, NULL};
    struct it_req rq = {.method = method, .path = path, .headers = hs, .body = json,
                        .body_len = strlen(json)};
    struct it_resp r;
    json_t *doc;

    basic_header(auth, sizeof auth, &w.client);
    cr_assert(eq(int, it_http(&rq, &r), 0), "%s: %s", path, r.error);
    cr_assert(eq(long, r.status, 200), "%s: %ld %s", path, r.status, r.body);
    doc = it_json(&r);
    it_resp_release(&r);
    return doc;
}

/* A's services (ER) and a clinical user of A holding it (w.clinical). */
static void clinical_people_make(void)
{
    char path[256], body[512];

    snprintf(path, sizeof path, "/api/2018-04-01/admin/services/%s", w.a_name);
    json_decref(clinical_call("PUT", path, "{\"services\": [\"ER\"]}"));
    it_unique(w.clinical, sizeof w.clinical, "mx-clinical-");
    for (char *p = w.clinical; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    strcat(w.clinical, "@example.com");
    snprintf(body, sizeof body,
             "{\"first_name\": \"Cli\", \"last_name\": \"Nic\", \"email\": \"%s\", "
             "\"specialty\": \"s\", \"title\": \"t\", \"services\": [\"ER\"], "
             "\"send_activation_email\": false}",
             w.clinical);
    json_decref(clinical_call("POST", "/api/2015-02-01/admin/users", body));
}

/* A fresh recipient group of A with the clinical user; its id into id. */
static void rgroup_make(char *id)
{
    char name[64], body[512];
    json_t *doc;

    it_unique(name, sizeof name, "mx-rg-");
    snprintf(body, sizeof body,
             "{\"iid\": \"%s\", \"name\": \"%s\", \"recipient_ids\": [\"%s\"]}", w.a_name,
             name, w.clinical);
    doc = clinical_call("POST", "/api/2019-03-01/recipient_groups", body);
    snprintf(id, 40, "%s",
             json_string_value(json_object_get(json_object_get(doc, "recipient_group"), "id")));
    json_decref(doc);
}

/* Fresh oauth2-client-settings of A (no OpenID provider); its id into id. */
static void oauth2_make(char *id)
{
    char body[512];
    json_t *doc;

    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"oauth2-client-settings\", \"attributes\": {\"name\": "
             "\"mx\", \"organization-id\": \"%s\", \"redirect-uris\": [\"https://app.test/cb\"]}}}",
             w.a);
    json_post(w.admin.token, "/v1/oauth2-client-settings/", body, &doc);
    snprintf(id, 40, "%s", json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    json_decref(doc);
}

/* A group of A led by the victim, with the member and the individual. */
static void group_make(char *id)
{
    char extra[128], body[128];

    snprintf(extra, sizeof extra, ", \"leader-ids\": [\"%s\"]", w.victim.id);
    ag_group(w.admin.token, w.a, NULL, extra, id);
    snprintf(body, sizeof body, "{\"user-ids\": [\"%s\"]}", w.member.id);
    snprintf(extra, sizeof extra, "/v1/individual-groups/%s/add-members/", id);
    json_post(w.admin.token, extra, body, NULL);
    snprintf(body, sizeof body, "{\"individual-ids\": [\"%s\"]}", w.individual);
    snprintf(extra, sizeof extra, "/v1/individual-groups/%s/add-individuals/", id);
    json_post(w.admin.token, extra, body, NULL);
}

/* A fresh A user with a TOTP setup, enabled when enable; its id into id. */
static void totp_make(int enable, char *id)
{
    struct ut_user u;
    uint8_t key[64];
    size_t keylen;
    char a[CM_TOTP_CODE_MAX], b[CM_TOTP_CODE_MAX], body[256], path[160];
    json_t *doc, *data;
    const char *secret;
    time_t t;
    int64_t step;

    person(w.a, NULL, &u);
    json_post(u.token, "/v1/mfa-totp/", "{}", &doc);
    data = json_object_get(doc, "data");
    snprintf(id, 64, "%s", json_string_value(json_object_get(data, "id")));
    secret = json_string_value(json_object_get(
        json_object_get(json_object_get(data, "attributes"), "secret"), "shared-secret-key"));
    cr_assert(secret != NULL);
    cr_assert(eq(int, cm_base32_decode(secret, key, sizeof key, &keylen), CM_OK));
    json_decref(doc);
    if (!enable)
        return;
    t = time(NULL);
    if (CM_TOTP_STEP_S - t % CM_TOTP_STEP_S < 3) { /* keep both codes in the window */
        sleep(3);
        t = time(NULL);
    }
    step = cm_totp_step((int64_t)t);
    cr_assert(eq(int, cm_totp_code(key, keylen, step - 1, CM_TOTP_DIGITS, a), CM_OK));
    cr_assert(eq(int, cm_totp_code(key, keylen, step, CM_TOTP_DIGITS, b), CM_OK));
    snprintf(body, sizeof body, "{\"codes\": [\"%s\", \"%s\"], \"password\": \"%s\"}", a, b,
             UT_PASSWORD);
    snprintf(path, sizeof path, "/v1/mfa-totp/%s/enable/", id);
    json_post(u.token, path, body, NULL);
}

/* Logs the platform admin in, once, and waits (at most 15 s) until the
 * edge accepts tokens: it answers 503 until it has identity's keys. */
static void platform_ready(void)
{
    if (w.platform[0])
        return;
    it_admin_token(w.platform);
    for (double until = it_now_ms() + 15000;;) {
        long s = af_call("POST", "/v1/authenticate/", w.platform, NULL, NULL);
        if (s != 503 || it_now_ms() > until)
            break;
        usleep(100000);
    }
}

static long send(const char *method, const char *path, const char *auth, const char *body,
                 char *out, size_t cap);
static void basic_header(char *out, size_t cap, const struct client *c);

/* An attachment of A, uploaded by A's admin API client; its id into id[32]. */
static void attachment_make(char *id)
{
    char auth[512], out[1024];
    json_t *doc;

    basic_header(auth, sizeof auth, &w.client);
    cr_assert(eq(long, send("POST", "/api/2014-08-01/attachment", auth, "multipart:matrix", out,
                            sizeof out),
                 200),
              "%s", out);
    doc = json_loads(out, 0, NULL);
    snprintf(id, 32, "%s",
             json_string_value(json_object_get(json_object_get(doc, "attachment"), "id")));
    json_decref(doc);
}

/* A fresh assignable feature (made by the platform admin) into id (64). */
static void feature_make(char *id)
{
    char body[256];
    json_t *doc;

    it_unique(id, 64, "mxf");
    for (char *p = id; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"features\", \"attributes\": {\"id\": \"%s\"}}}", id);
    json_post(w.platform, "/v1/features/", body, &doc);
    json_decref(doc);
}

/* The feature flag targets: a feature, its layer for A and for the victim
 * in A. */
static void features_make(void)
{
    char body[512];
    json_t *doc;

    feature_make(w.feature);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"organization-features\", \"attributes\": "
             "{\"feature-name\": \"%s\", \"organization-id\": \"%s\"}}}",
             w.feature, w.a);
    json_post(w.platform, "/v1/organization-features/", body, &doc);
    snprintf(w.org_feature, sizeof w.org_feature, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"user-features\", \"attributes\": "
             "{\"feature-name\": \"%s\", \"organization-id\": \"%s\", \"user-id\": \"%s\"}}}",
             w.feature, w.a, w.victim.id);
    json_post(w.platform, "/v1/user-features/", body, &doc);
    snprintf(w.user_feature, sizeof w.user_feature, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    json_decref(doc);
}

/* An impersonation request of A's admin for user (NULL: a fresh patient of
 * A), used at once when used; its id into id (40 bytes). */
static void imp_make(const char *user, int used, char *id)
{
    char body[256], path[128];
    struct ut_user u;
    json_t *doc;

    if (!user) {
        person(w.a, NULL, &u);
        user = u.id;
    }
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"impersonation-requests\", \"attributes\": "
             "{\"user-id\": \"%s\"}}}",
             user);
    json_post(w.admin.token, "/v1/impersonation-requests/", body, &doc);
    snprintf(id, 40, "%s", json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    json_decref(doc);
    if (used) {
        snprintf(path, sizeof path, "/v1/impersonation-requests/%s/impersonate/", id);
        json_post(w.admin.token, path, "{}", &doc);
        json_decref(doc);
    }
}

/* A logo upload target of A made by A's admin (id into id, 40 bytes), with
 * a small PNG put to it when with_image. */
static void logo_upload_make(int with_image, char *id)
{
    static const unsigned char png[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
        0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
        0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82}; /* 1 x 1 */
    char path[160], auth[4200];
    const char *headers[3] = {auth, "Content-Type: image/png", NULL};
    struct it_req rq = {0};
    struct it_resp r;
    json_t *doc;

    snprintf(path, sizeof path, "/v1/organizations/%s/upload-logo/", w.a);
    json_post(w.admin.token, path, "{\"content-type\": \"image/png\", \"filename\": \"l.png\"}",
              &doc);
    snprintf(id, 40, "%s", json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    json_decref(doc);
    if (!with_image)
        return;
    snprintf(path, sizeof path, "/v1/organizations/%s/logo-uploads/%s/", w.a, id);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", w.admin.token);
    rq.method = "PUT";
    rq.path = path;
    rq.headers = headers;
    rq.body = png;
    rq.body_len = sizeof png;
    cr_assert(eq(int, it_http(&rq, &r), 0));
    cr_assert(eq(long, r.status, 201), "%.300s", r.body);
    it_resp_release(&r);
}

/* The id of the replicator "authz" into w.replicator. */
static void replicator_find(void)
{
    struct it_resp r;
    json_t *doc, *item;
    size_t i;

    it_call_token(&r, "GET", "/v1/replicators/", w.platform, NULL);
    cr_assert(eq(long, r.status, 200), "%.300s", r.body);
    doc = it_json(&r);
    json_array_foreach(json_object_get(doc, "data"), i, item)
    {
        const char *name =
            json_string_value(json_object_get(json_object_get(item, "attributes"), "name"));
        if (name && !strcmp(name, "authz"))
            snprintf(w.replicator, sizeof w.replicator, "%s",
                     json_string_value(json_object_get(item, "id")));
    }
    json_decref(doc);
    it_resp_release(&r);
    cr_assert(it_true(w.replicator[0] != '\0'), "replicator authz");
}

/* The number of group (authz groups.number) into out (24 bytes). */
static void group_number_of(const char *group, char *out)
{
    PGconn *pg = it_pg();
    const char *p[1] = {group};
    char *v = it_pg_value(pg, "SELECT number::text FROM authz.groups WHERE id = $1::uuid", 1, p);

    cr_assert(v != NULL, "group %s has no number", group);
    snprintf(out, 24, "%s", v);
    free(v);
    PQfinish(pg);
}

/* A deletion request of a fresh patient of A (who is no caller): its id,
 * the person's email and its first step's reference-id. */
static void deletion_make(void)
{
    struct ut_user u;
    char body[512], *v;
    const char *p[1];
    json_t *doc;
    PGconn *pg;

    person(w.a, NULL, &u);
    snprintf(w.deletion_user, sizeof w.deletion_user, "%s", u.id);
    snprintf(w.deletion_email, sizeof w.deletion_email, "%s@example.com", u.username);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"deletion-requests\", \"attributes\": {\"user-id\": "
             "\"%s\", \"password\": \"%s\"}}}",
             u.id, UT_PASSWORD);
    json_post(u.token, "/v1/deletion-requests/", body, &doc);
    snprintf(w.deletion, sizeof w.deletion, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    json_decref(doc);
    pg = it_pg();
    p[0] = w.deletion;
    v = it_pg_value(pg,
                    "SELECT reference_id::text FROM privacy.deletion_steps WHERE request_id = "
                    "$1::uuid ORDER BY seq LIMIT 1",
                    1, p);
    cr_assert(v != NULL);
    snprintf(w.deletion_ref, sizeof w.deletion_ref, "%s", v);
    free(v);
    PQfinish(pg);
}

void mx_world_build(void)
{
    json_t *doc;
    char body[256], path[160];

    if (w.built)
        return;
    platform_ready();
    ob_create_org(w.platform, w.a, w.a_name);
    ob_create_org(w.platform, w.b, NULL);
    ap_role_id(w.platform, w.a, "provider", w.a_provider);
    ap_role_id(w.platform, w.a, "patient", w.a_patient);
    ap_role_id(w.platform, w.b, "patient", w.b_patient);
    person(w.a, NULL, &w.user);
    person(w.a, "admin", &w.admin);
    person(w.b, NULL, &w.b_user);
    person(w.b, "admin", &w.b_admin);
    person(w.a, NULL, &w.victim);
    snprintf(w.victim_email, sizeof w.victim_email, "%.100s@example.com", w.victim.username);
    person(w.a, NULL, &w.member);
    person(w.a, NULL, &w.shared);
    also_in_b(&w.shared);
    /* the shared user acts in B */
    cr_assert(eq(long, it_login(w.shared.username, UT_PASSWORD, NULL, w.shared.token, NULL), 201));
    snprintf(path, sizeof path, "/v1/users/%s/switch-organization/", w.shared.id);
    snprintf(body, sizeof body, "{\"organization-id\": \"%s\"}", w.b);
    json_post(w.shared.token, path, body, &doc);
    snprintf(w.shared_token, sizeof w.shared_token, "%s",
             json_string_value(json_object_get(doc, "access-token")));
    json_decref(doc);
    client_make(w.admin.token, w.a, "[\"admin\"]", &w.client);
    client_make(w.b_admin.token, w.b, "[\"admin\"]", &w.b_client);
    client_make(w.admin.token, w.a, "[]", &w.a_client);
    clinical_people_make();
    clinical_make();
    ag_individual(w.admin.token, w.a, w.victim.id, w.individual);
    group_make(w.group);
    attachment_make(w.attachment);
    group_number_of(w.group, w.group_number);
    deletion_make();
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"archive-requests\", \"attributes\": {\"individual-id\": "
             "\"%s\", \"password\": \"%s\"}}}",
             w.individual, UT_PASSWORD);
    json_post(w.victim.token, "/v1/archive-requests/", body, &doc);
    snprintf(w.archive, sizeof w.archive, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"anonymous-accesses\", \"attributes\": {\"user-id\": "
             "\"%s\", \"allowed-endpoints\": [{\"service\": \"identity\", \"path\": "
             "\"/v1/password-strength/\", \"method\": \"post\"}], \"expired-at\": "
             "\"2099-01-01T00:00:00Z\"}}}",
             w.victim.id);
    json_post(w.victim.token, "/v1/anonymous-accesses/", body, &doc);
    snprintf(w.anon, sizeof w.anon, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"aggregation-requests\", \"attributes\": {\"entries\": "
             "[{\"column\": \"last-name\", \"individual-id\": \"%s\"}]}}}",
             w.individual);
    json_post(w.admin.token, "/v1/aggregation-requests/", body, &doc);
    snprintf(w.aggregation, sizeof w.aggregation, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    json_decref(doc);
    ob_create_code(w.platform, w.a, NULL, w.code);
    template_make("organization-email-templates", w.email_tpl);
    template_make("organization-sms-templates", w.sms_tpl);
    short_link_make();
    notes_make();
    /* an onboarding request of A, a check-in of the victim's, a (not
     * required) service document of A */
    {
        char big[640];
        it_unique(w.oreq_email, 100, "mx-oreq-");
        strcat(w.oreq_email, "@example.com");
        snprintf(big, sizeof big,
                 "{\"data\": {\"type\": \"onboarding-requests\", \"attributes\": "
                 "{\"organization\": \"%.36s\", \"phone-number\": \"+14155550123\", "
                 "\"patient-email\": \"%.100s\"}}}",
                 w.a, w.oreq_email);
        json_post(w.platform, "/v1/onboarding-requests/", big, &doc);
        snprintf(w.oreq, sizeof w.oreq, "%s",
                 json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
        json_decref(doc);
        snprintf(big, sizeof big,
                 "{\"data\": {\"type\": \"registration-invitations\", \"attributes\": "
                 "{\"organization-id\": \"%.36s\", \"invited-email\": \"x-%.100s\"}}}",
                 w.a, w.oreq_email);
        json_post(w.platform, "/v1/registration-invitations/", big, &doc);
        snprintf(w.inv, sizeof w.inv, "%s",
                 json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
        json_decref(doc);
    }
    json_post(w.victim.token, "/v1/user-checkins/",
              "{\"data\": {\"type\": \"user-checkins\", \"attributes\": {\"source\": \"web\"}}}",
              NULL);
    {
        PGconn *pg = it_pg();
        const char *p[] = {w.a};
        char *id = it_pg_value(pg,
                               "INSERT INTO onboarding.service_documents (organization_id, type, "
                               "version, title, required) VALUES ($1::uuid, 'matrix', '1', "
                               "'Matrix', false) RETURNING id::text",
                               1, p);
        PQfinish(pg);
        cr_assert(id != NULL);
        snprintf(w.doc, sizeof w.doc, "%s", id);
        free(id);
    }
    /* a session of the victim's */
    snprintf(body, sizeof body, "{\"username\": \"%s\", \"password\": \"%s\"}", w.victim.username,
             UT_PASSWORD);
    json_post(NULL, "/v1/login/", body, &doc);
    snprintf(w.session, sizeof w.session, "%s",
             json_string_value(json_object_get(doc, "session-id")));
    json_decref(doc);
    features_make();
    imp_make(w.member.id, 0, w.imp);
    replicator_find();
    json_post(w.platform, "/v1/organization-themes/",
              "{\"data\": {\"type\": \"organization-themes\", \"attributes\": "
              "{\"domain\": \"matrix.example.org\"}}}",
              &doc);
    snprintf(w.theme, sizeof w.theme, "%s",
             json_string_value(json_object_get(json_object_get(doc, "data"), "id")));
    json_decref(doc);
    w.built = 1;
}

/* --- one cell --- */

struct cell {
    const struct mx_row *row;
    enum mx_caller caller;
    char t[72];                                       /* the target's id */
    char u[UT_ID_LEN], ub[UT_ID_LEN], uab[UT_ID_LEN]; /* fresh people, "" until made */
    char fresh[48], uuid[40];
    char feature[64]; /* {F}, "" until made */
    char upload[40];  /* {upload}, "" until made */
};

static void fresh_uuid(char *out)
{
    uint8_t b[16];

    randombytes_buf(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

/* The id the target names (made now when fresh); -1 when unknown. */
static int target_of(struct cell *c)
{
    char t[48];
    struct ut_user u;
    struct client cl;
    static const struct {
        const char *name;
        const char *id;
    } fixed[] = {
        {"org:A", w.a},
        {"user:victim", w.victim.id},
        {"user:shared", w.shared.id},
        {"user:member", w.member.id},
        {"role:A-provider", w.a_provider},
        {"role:A-patient", w.a_patient},
        {"group:A", w.group},
        {"groupnum:A", w.group_number},
        {"deletion:A", w.deletion},
        {"archive:A", w.archive},
        {"anon:A", w.anon},
        {"aggregation:A", w.aggregation},
        {"individual:A", w.individual},
        {"client:A", w.a_client.id},
        {"code:A", w.code},
        {"email-template:A", w.email_tpl},
        {"sms-template:A", w.sms_tpl},
        {"short-link:A", w.short_link},
        {"short-code:A", w.short_code},
        {"general-message:A", w.general_message},
        {"feedback:victim", w.feedback},
        {"session:victim", w.session},
        {"thread:A", w.thread},
        {"message:A", w.message},
        {"patient:A", w.pid},
        {"attachment:A", w.attachment},
        {"clinical:A", w.clinical},
        {"ou:A", w.a_name},
        {"oreq:A", w.oreq},
        {"doc:A", w.doc},
        {"inv:A", w.inv},
        {"feature:mx", w.feature},
        {"org-feature:A", w.org_feature},
        {"user-feature:victim", w.user_feature},
        {"imp:A", w.imp},
        {"replicator:authz", w.replicator},
        {"theme:T", w.theme},
    };

    /* "kind:name#label": the label only tells two rows apart */
    snprintf(t, sizeof t, "%.*s", (int)strcspn(c->row->target, "#"), c->row->target);
    c->t[0] = '\0';
    if (!strcmp(t, "-"))
        return 0;
    if (!strncmp(t, "lit:", 4)) {
        snprintf(c->t, sizeof c->t, "%s", t + 4);
        return 0;
    }
    for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++)
        if (!strcmp(t, fixed[k].name)) {
            snprintf(c->t, sizeof c->t, "%s", fixed[k].id);
            return 0;
        }
    if (!strcmp(t, "fresh:user-a") || !strcmp(t, "fresh:user-ab")) {
        person(w.a, NULL, &u);
        if (!strcmp(t, "fresh:user-ab"))
            also_in_b(&u);
        snprintf(c->t, sizeof c->t, "%s", u.id);
    } else if (!strcmp(t, "fresh:client-a")) {
        client_make(w.admin.token, w.a, "[]", &cl);
        snprintf(c->t, sizeof c->t, "%s", cl.id);
    } else if (!strcmp(t, "fresh:logo-a")) {
        char up[40];
        logo_upload_make(1, up);
        snprintf(c->t, sizeof c->t, "%s", w.a);
    } else if (!strcmp(t, "fresh:imp-a") || !strcmp(t, "fresh:imp-used")) {
        imp_make(NULL, !strcmp(t, "fresh:imp-used"), c->t);
    } else if (!strcmp(t, "fresh:group-a")) {
        group_make(c->t);
    } else if (!strcmp(t, "fresh:rgroup-a")) {
        rgroup_make(c->t);
    } else if (!strcmp(t, "fresh:oreq-sms")) { /* the SMS invitation of a new request of A */
        char body[512];
        json_t *doc = NULL;
        snprintf(body, sizeof body,
                 "{\"data\": {\"type\": \"onboarding-requests\", \"attributes\": "
                 "{\"organization\": \"%.36s\", \"phone-number\": \"+14155550125\", "
                 "\"notifications\": [\"sms\"]}}}",
                 w.a);
        json_post(w.platform, "/v1/onboarding-requests/", body, &doc);
        snprintf(c->t, sizeof c->t, "%s",
                 json_string_value(json_object_get(
                     json_object_get(json_object_get(json_object_get(json_object_get(doc, "data"),
                                                                     "attributes"),
                                                     "last-invite"),
                                     "sms"),
                     "id")));
        json_decref(doc);
    } else if (!strcmp(t, "fresh:oauth2-a")) {
        oauth2_make(c->t);
    } else if (!strcmp(t, "fresh:totp") || !strcmp(t, "fresh:totp-enabled")) {
        totp_make(!strcmp(t, "fresh:totp-enabled"), c->t);
    } else {
        return -1;
    }
    return 0;
}

/* The caller's password, for bodies that re-authenticate ({mypw}). */
static const char *password_of(enum mx_caller k)
{
    switch (k) {
    case MX_PLATFORM:
        return it_env("TEST_ADMIN_PASSWORD");
    case MX_USER:
    case MX_ADMIN:
    case MX_B_USER:
    case MX_B_ADMIN:
    case MX_SHARED:
        return UT_PASSWORD;
    default:
        return "";
    }
}

/* The value of placeholder name (made now when fresh); NULL when unknown. */
static const char *placeholder(struct cell *c, const char *name)
{
    struct ut_user u;

    if (!strcmp(name, "T"))
        return c->t;
    if (!strcmp(name, "A"))
        return w.a;
    if (!strcmp(name, "B"))
        return w.b;
    if (!strcmp(name, "victim"))
        return w.victim.id;
    if (!strcmp(name, "victim-name"))
        return w.victim.username;
    if (!strcmp(name, "victim-email"))
        return w.victim_email;
    if (!strcmp(name, "A-name"))
        return w.a_name;
    if (!strcmp(name, "shared"))
        return w.shared.id;
    if (!strcmp(name, "deletion-email"))
        return w.deletion_email;
    if (!strcmp(name, "deletion-ref"))
        return w.deletion_ref;
    if (!strcmp(name, "deletion-user"))
        return w.deletion_user;
    if (!strcmp(name, "member"))
        return w.member.id;
    if (!strcmp(name, "group"))
        return w.group;
    if (!strcmp(name, "individual"))
        return w.individual;
    if (!strcmp(name, "code"))
        return w.code;
    if (!strcmp(name, "oreq-email"))
        return w.oreq_email;
    if (!strcmp(name, "A-provider"))
        return w.a_provider;
    if (!strcmp(name, "A-patient"))
        return w.a_patient;
    if (!strcmp(name, "clinical"))
        return w.clinical;
    if (!strcmp(name, "pw"))
        return UT_PASSWORD;
    if (!strcmp(name, "pw2"))
        return UT_PASSWORD2;
    if (!strcmp(name, "mypw"))
        return password_of(c->caller);
    if (!strcmp(name, "new")) {
        if (!c->fresh[0])
            it_unique(c->fresh, sizeof c->fresh, "mx");
        for (char *p = c->fresh; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        return c->fresh;
    }
    if (!strcmp(name, "feature"))
        return w.feature;
    if (!strcmp(name, "upload")) {
        if (!c->upload[0])
            logo_upload_make(0, c->upload);
        return c->upload;
    }
    if (!strcmp(name, "F")) {
        if (!c->feature[0])
            feature_make(c->feature);
        return c->feature;
    }
    if (!strcmp(name, "uuid")) {
        if (!c->uuid[0])
            fresh_uuid(c->uuid);
        return c->uuid;
    }
    if (!strcmp(name, "U") || !strcmp(name, "UAB")) {
        char *dst = name[1] ? c->uab : c->u;
        if (!dst[0]) {
            person(w.a, NULL, &u);
            if (name[1])
                also_in_b(&u);
            snprintf(dst, UT_ID_LEN, "%s", u.id);
        }
        return dst;
    }
    if (!strcmp(name, "UB")) {
        if (!c->ub[0]) {
            person(w.b, NULL, &u);
            snprintf(c->ub, sizeof c->ub, "%s", u.id);
        }
        return c->ub;
    }
    return NULL;
}

/* Copies tmpl into out (cap bytes) with each {name} replaced; in a path
 * (is_path) every {param} is the target. Returns -1 (why in out) for an
 * unknown placeholder. */
static int expand(struct cell *c, const char *tmpl, int is_path, char *out, size_t cap)
{
    size_t n = 0;

    for (const char *s = tmpl; *s;) {
        const char *end = *s == '{' ? strchr(s, '}') : NULL;
        const char *v;
        char name[48];

        /* a JSON object's brace is not a placeholder: names are short words */
        if (end && end - s - 1 > 0 && end - s - 1 < (long)sizeof name &&
            strspn(s + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
                (size_t)(end - s - 1)) {
            snprintf(name, sizeof name, "%.*s", (int)(end - s - 1), s + 1);
            /* in a path {id} is the target; another parameter ({upload}) is
             * the placeholder of its name */
            v = is_path && !strcmp(name, "id") ? c->t : placeholder(c, name);
            if (!v && is_path)
                v = c->t;
            if (!v) {
                snprintf(out, cap, "unknown placeholder {%s}", name);
                return -1;
            }
            n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s", v);
            s = end + 1;
        } else {
            if (n + 1 < cap)
                out[n] = *s;
            n++;
            s++;
        }
    }
    if (n >= cap) {
        snprintf(out, cap, "request too long");
        return -1;
    }
    out[n] = '\0';
    return 0;
}

static void basic_header(char *out, size_t cap, const struct client *c)
{
    char pair[160], b64[256];

    snprintf(pair, sizeof pair, "%s:%s", c->user, c->key);
    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)pair, strlen(pair),
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, cap, "Authorization: Basic %s", b64);
}

static void auth_header(enum mx_caller k, char *out, size_t cap)
{
    const char *token = NULL;

    out[0] = '\0';
    switch (k) {
    case MX_ANON:
        return;
    case MX_USER:
        token = w.user.token;
        break;
    case MX_ADMIN:
        token = w.admin.token;
        break;
    case MX_B_USER:
        token = w.b_user.token;
        break;
    case MX_B_ADMIN:
        token = w.b_admin.token;
        break;
    case MX_PLATFORM:
        token = w.platform;
        break;
    case MX_SHARED:
        token = w.shared_token;
        break;
    case MX_CLIENT:
        basic_header(out, cap, &w.client);
        return;
    case MX_B_CLIENT:
        basic_header(out, cap, &w.b_client);
        return;
    default:
        return;
    }
    snprintf(out, cap, "Authorization: Bearer %s", token);
}

#define MX_MULTIPART "multipart:" /* a body "multipart:<text>": one file field "attachment" */
#define MX_BOUNDARY "mx-boundary-42"

static long send(const char *method, const char *path, const char *auth, const char *body,
                 char *out, size_t cap)
{
    const char *hs[3] = {"Content-Type: application/json", auth[0] ? auth : NULL, NULL};
    struct it_req rq = {.method = method, .path = path, .headers = hs};
    struct it_resp r;
    long status;
    char form[1024];

    if (body && !strncmp(body, MX_MULTIPART, strlen(MX_MULTIPART))) {
        hs[0] = "Content-Type: multipart/form-data; boundary=" MX_BOUNDARY;
        snprintf(form, sizeof form,
                 "--" MX_BOUNDARY "\r\nContent-Disposition: form-data; name=\"attachment\"; "
                 "filename=\"mx.txt\"\r\n\r\n%s\r\n--" MX_BOUNDARY "--\r\n",
                 body + strlen(MX_MULTIPART));
        body = form;
    }
    if (body) {
        rq.body = body;
        rq.body_len = strlen(body);
    }
    if (it_http(&rq, &r) != 0) {
        snprintf(out, cap, "no response: %s", r.error);
        it_resp_release(&r);
        return 0;
    }
    status = r.status;
    if (r.len >= cap) /* judged on a cut answer: say so rather than guess */
        snprintf(out, cap, "answer of %zu bytes is over the test's buffer", r.len);
    else
        snprintf(out, cap, "%s", r.body ? r.body : "");
    it_resp_release(&r);
    return status;
}

int mx_send(const struct mx_row *row, enum mx_caller caller, long *status, char *body, size_t cap,
            char *target)
{
    struct cell c = {.row = row, .caller = caller};
    char path[1024], query[1024], req[2048], auth[4200];
    int has_body = strcmp(row->method, "GET") && strcmp(row->method, "DELETE");

    *status = 0;
    if (target_of(&c) != 0) {
        snprintf(body, cap, "unknown target %s", row->target);
        return -1;
    }
    snprintf(target, 64, "%.63s", c.t);
    if (expand(&c, row->path, 1, path, sizeof path) != 0 ||
        expand(&c, row->query, 0, query, sizeof query) != 0 ||
        expand(&c, has_body && row->body[0] ? row->body : "", 0, req, sizeof req) != 0) {
        snprintf(body, cap, "%s%s%s", path, query, req);
        return -1;
    }
    if (strlen(path) + strlen(query) + 1 > sizeof path) {
        snprintf(body, cap, "path too long");
        return -1;
    }
    strcat(path, query);
    auth_header(caller, auth, sizeof auth);
    *status = send(row->method, path, auth, has_body ? (req[0] ? req : "{}") : NULL, body, cap);
    return 0;
}

long mx_send_stub(const char *method, const char *path)
{
    struct cell c = {0};
    char full[1024], auth[4200], out[256];
    int v1 = !strncmp(path, "/v1/", 4) || !strncmp(path, "/v2/", 4);
    int has_body = strcmp(method, "GET") && strcmp(method, "DELETE");

    fresh_uuid(c.t);
    if (expand(&c, path, 1, full, sizeof full) != 0)
        return 0;
    if (v1) {
        platform_ready();
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", w.platform);
    } else {
        struct client boot;
        snprintf(boot.user, sizeof boot.user, "%s", it_env("TEST_API_USER"));
        snprintf(boot.key, sizeof boot.key, "%s", it_env("TEST_API_KEY"));
        basic_header(auth, sizeof auth, &boot);
    }
    return send(method, full, auth, has_body ? "{}" : NULL, out, sizeof out);
}
