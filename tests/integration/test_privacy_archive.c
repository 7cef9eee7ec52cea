/* test_privacy_archive.c: suite "privacy_archive": archive requests
 * (#6-#8) through the edge: a person asks, re-authenticating with their
 * password, for an individual they may write (their own); the interview's
 * answers move the request to archive-requested or archive-canceled, after
 * which answers are refused; who may read and answer; every refusal. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "test_users_fixtures.h"

#define Q_CONFIRM "6f1c1b8e-4a51-4e5c-9a8b-0c0a1a7e0001"
#define Q_REASON "6f1c1b8e-4a51-4e5c-9a8b-0c0a1a7e0002"

void ag_person(const char *org, const char *role, struct ut_user *u);
void ag_individual(const char *token, const char *org, const char *user, char *id);
long ag_call(const char *method, const char *token, const char *body, json_t **doc,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static char org[40], ind[40];
static struct ut_user admin, person, other;

static void setup(void)
{
    IT_REQUIRE_STACK();
    ut_org(org);
    ag_person(org, "admin", &admin);
    ag_person(org, NULL, &person);
    ag_person(org, NULL, &other);
    ag_individual(admin.token, org, person.id, ind);
}

TestSuite(privacy_archive, .init = setup, .timeout = 120);

/* POST /v1/archive-requests/ as token; status, doc (caller json_decref). */
static long create(const char *token, const char *individual, const char *password, json_t **doc)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"archive-requests\", \"attributes\": {\"individual-id\": "
             "\"%s\", \"password\": \"%s\"}}}",
             individual, password);
    return af_call("POST", "/v1/archive-requests/", token, body, doc);
}

/* A new request of person; its id and interview id (40 bytes each). */
static void create_ok(char *id, char *interview)
{
    json_t *doc = NULL, *a;
    cr_assert(eq(long, create(person.token, ind, UT_PASSWORD, &doc), 201));
    a = json_object_get(json_object_get(doc, "data"), "attributes");
    snprintf(id, 40, "%s", af_str(json_object_get(doc, "data"), "id"));
    snprintf(interview, 40, "%s", af_str(a, "interview-id"));
    json_decref(doc);
}

/* POST answer as token; the status (doc to *doc when not NULL). */
static long answer(const char *token, const char *id, const char *body, json_t **doc)
{
    return ag_call("POST", token, body, doc, "/v1/archive-requests/%s/answer/", id);
}

/* The request-state of id as person lists it. */
static char *state_of(const char *id, char *out)
{
    json_t *doc = NULL, *d;
    size_t i;
    out[0] = '\0';
    cr_assert(eq(long, ag_call("GET", person.token, NULL, &doc, "/v1/archive-requests/"), 200));
    json_array_foreach(json_object_get(doc, "data"), i, d) if (!strcmp(af_str(d, "id"), id))
        snprintf(out, 40, "%s", af_str(json_object_get(d, "attributes"), "request-state"));
    json_decref(doc);
    return out;
}

Test(privacy_archive, a_request_opens_an_interview_whose_answers_decide_its_state)
{
    char id[40], interview[40], body[512], st[40], email[160];
    json_t *doc = NULL, *a;

    cr_assert(eq(long, create(person.token, ind, UT_PASSWORD, &doc), 201));
    a = json_object_get(json_object_get(doc, "data"), "attributes");
    cr_assert(eq(str, (char *)af_str(json_object_get(doc, "data"), "type"), "archive-requests"));
    cr_assert(eq(str, (char *)af_str(a, "request-state"), "interview-pending"));
    cr_assert(eq(str, (char *)af_str(a, "individual-id"), ind));
    cr_assert(eq(str, (char *)af_str(a, "created-by"), person.id));
    snprintf(email, sizeof email, "%s@example.com", person.username);
    cr_assert(eq(str, (char *)af_str(a, "email"), email));
    cr_assert(it_true(strlen(af_str(a, "interview-id")) == 36));
    snprintf(id, sizeof id, "%s", af_str(json_object_get(doc, "data"), "id"));
    snprintf(interview, sizeof interview, "%s", af_str(a, "interview-id"));
    json_decref(doc);
    /* a reason (with an extra property, which the seed allows), then yes */
    snprintf(body, sizeof body,
             "{\"question-id\": \"%s\", \"interview-id\": \"%s\", \"individual-id\": \"%s\", "
             "\"value\": \"moving away\", \"note\": 1}",
             Q_REASON, interview, ind);
    cr_assert(eq(long, answer(person.token, id, body, &doc), 201));
    cr_assert(eq(sz, json_object_size(doc), 0));
    json_decref(doc);
    cr_assert(eq(str, state_of(id, st), "interview-pending"));
    snprintf(body, sizeof body, "{\"question-id\": \"%s\", \"value\": \"yes\"}", Q_CONFIRM);
    cr_assert(eq(long, answer(person.token, id, body, NULL), 201));
    cr_assert(eq(str, state_of(id, st), "archive-requested"));
    /* the interview is over */
    cr_assert(eq(long, answer(person.token, id, body, &doc), 409));
    json_decref(doc);
    /* another request, canceled by "no" */
    create_ok(id, interview);
    snprintf(body, sizeof body, "{\"question-id\": \"%s\", \"value\": \"no\"}", Q_CONFIRM);
    cr_assert(eq(long, answer(person.token, id, body, NULL), 201));
    cr_assert(eq(str, state_of(id, st), "archive-canceled"));
    snprintf(body, sizeof body, "{\"question-id\": \"%s\", \"value\": \"why not\"}", Q_REASON);
    cr_assert(eq(long, answer(person.token, id, body, NULL), 409));
}

Test(privacy_archive, refusals_of_create)
{
    json_t *doc = NULL;
    char body[256];

    cr_assert(eq(long, create(NULL, ind, UT_PASSWORD, &doc), 401));
    json_decref(doc);
    cr_assert(eq(long, create(person.token, ind, "wrong-password", &doc), 403));
    cr_assert(eq(str, (char *)af_error(doc, 403, "/data/attributes/password"),
                 "the password is wrong"));
    json_decref(doc);
    /* someone else's individual: 404, their own password or not */
    cr_assert(eq(long, create(other.token, ind, UT_PASSWORD, &doc), 404));
    cr_assert(it_true(af_error(doc, 404, "/data/attributes/individual-id") != NULL));
    json_decref(doc);
    cr_assert(eq(long, create(person.token, "00000000-0000-4000-8000-000000000000", UT_PASSWORD,
                              &doc),
                 404));
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"archive-requests\", \"attributes\": {\"individual-id\": "
             "\"%s\"}}}",
             ind);
    cr_assert(eq(long, af_call("POST", "/v1/archive-requests/", person.token, body, &doc), 400));
    cr_assert(it_true(af_error(doc, 400, "/data/attributes/password") != NULL));
    json_decref(doc);
    cr_assert(eq(long, create(person.token, "nope", UT_PASSWORD, &doc), 400));
    json_decref(doc);
    /* nothing was made */
    cr_assert(eq(long, ag_call("GET", person.token, NULL, &doc, "/v1/archive-requests/"), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    json_decref(doc);
}

Test(privacy_archive, refusals_of_answer_and_who_lists_what)
{
    char id[40], interview[40], body[512], path[256];
    json_t *doc = NULL;

    create_ok(id, interview);
    snprintf(body, sizeof body, "{\"question-id\": \"%s\", \"value\": \"yes\"}", Q_CONFIRM);
    cr_assert(eq(long, answer(other.token, id, body, &doc), 404));
    json_decref(doc);
    cr_assert(eq(long, answer(admin.token, id, body, &doc), 404));
    json_decref(doc);
    cr_assert(eq(long, answer(NULL, id, body, &doc), 401));
    json_decref(doc);
    snprintf(body, sizeof body, "{\"question-id\": \"%s\", \"value\": \"maybe\"}", Q_CONFIRM);
    cr_assert(eq(long, answer(person.token, id, body, &doc), 400));
    cr_assert(it_true(af_error(doc, 400, "/value") != NULL));
    json_decref(doc);
    cr_assert(eq(long, answer(person.token, id,
                              "{\"question-id\": \"00000000-0000-4000-8000-000000000000\", "
                              "\"value\": \"yes\"}",
                              &doc),
                 400));
    cr_assert(it_true(af_error(doc, 400, "/question-id") != NULL));
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"question-id\": \"%s\", \"value\": \"yes\", \"interview-id\": "
             "\"00000000-0000-4000-8000-000000000000\"}",
             Q_CONFIRM);
    cr_assert(eq(long, answer(person.token, id, body, &doc), 400));
    cr_assert(it_true(af_error(doc, 400, "/interview-id") != NULL));
    json_decref(doc);
    cr_assert(eq(long, answer(person.token, id, "{\"question-id\": \"" Q_REASON "\"}", &doc),
                 400));
    cr_assert(it_true(af_error(doc, 400, "/value") != NULL));
    json_decref(doc);
    cr_assert(eq(long, answer(person.token, "00000000-0000-4000-8000-000000000000",
                              "{\"question-id\": \"" Q_REASON "\", \"value\": \"x\"}", &doc),
                 404));
    json_decref(doc);
    /* lists: their own; others none; the platform admin, by individual */
    cr_assert(eq(long, ag_call("GET", person.token, NULL, &doc, "/v1/archive-requests/"), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", other.token, NULL, &doc, "/v1/archive-requests/"), 200));
    cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 0));
    json_decref(doc);
    {
        char admin_token[4097];
        it_admin_token(admin_token);
        snprintf(path, sizeof path, "/v1/archive-requests/?filter[individual-id]=%s", ind);
        cr_assert(eq(long, af_call("GET", path, admin_token, NULL, &doc), 200));
        cr_assert(eq(sz, json_array_size(json_object_get(doc, "data")), 1));
        cr_assert(eq(str, (char *)af_str(json_array_get(json_object_get(doc, "data"), 0), "id"),
                     id));
        json_decref(doc);
    }
    cr_assert(eq(long, ag_call("GET", person.token, NULL, &doc,
                               "/v1/archive-requests/?filter[individual-id]=x"),
                 400));
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", NULL, NULL, &doc, "/v1/archive-requests/"), 401));
    json_decref(doc);
}
