/* test_privacy_aggregation.c: suite "privacy_aggregation": aggregation
 * requests (#1) and their read-back: a person collects columns of
 * individuals they may read from authz (the record) and privacy (the
 * privacy level) into one result only they read back; individuals they
 * may not read are 404 at the entry; bad columns are 400. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_fixtures.h"
#include "harness.h"
#include "test_users_fixtures.h"

void ag_person(const char *org, const char *role, struct ut_user *u);
void ag_individual(const char *token, const char *org, const char *user, char *id);
long ag_call(const char *method, const char *token, const char *body, json_t **doc,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static char org[40], ind[40];
static struct ut_user admin, person, other;

static void setup(void)
{
    struct it_resp r;

    IT_REQUIRE_STACK();
    ut_org(org);
    ag_person(org, "admin", &admin);
    ag_person(org, NULL, &person);
    ag_person(org, NULL, &other);
    ag_individual(admin.token, org, person.id, ind);
    it_call_token(&r, "POST", "/configure/me/privacy", person.token,
                  "{\"privacyLevel\": [\"transcript\"]}");
    cr_assert(eq(long, r.status, 200));
    it_resp_release(&r);
}

TestSuite(privacy_aggregation, .init = setup, .timeout = 120);

static long create(const char *token, const char *entries, json_t **doc)
{
    char body[2048];
    snprintf(body, sizeof body,
             "{\"data\": {\"type\": \"aggregation-requests\", \"attributes\": {\"entries\": %s}}}",
             entries);
    return af_call("POST", "/v1/aggregation-requests/", token, body, doc);
}

Test(privacy_aggregation, collects_columns_from_their_owners_for_the_asker_only)
{
    char entries[512], id[40];
    json_t *doc = NULL, *row;

    snprintf(entries, sizeof entries,
             "[{\"column\": \"privacy-level\", \"individual-id\": \"%s\"}, "
             "{\"column\": \"group-ids\", \"individual-id\": \"%s\"}, "
             "{\"column\": \"birth-date\", \"individual-id\": \"%s\"}]",
             ind, ind, ind);
    /* the organization's admin may read the individual */
    cr_assert(eq(long, create(admin.token, entries, &doc), 201));
    cr_assert(eq(str, (char *)af_str(json_object_get(doc, "data"), "type"),
                 "aggregation-requests"));
    cr_assert(eq(sz, json_object_size(json_object_get(json_object_get(doc, "data"),
                                                      "attributes")),
                 0));
    snprintf(id, sizeof id, "%s", af_str(json_object_get(doc, "data"), "id"));
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", admin.token, NULL, &doc, "/v1/aggregation-requests/%s/",
                               id),
                 200));
    row = json_object_get(
        json_object_get(json_object_get(json_object_get(doc, "data"), "attributes"), "result"),
        ind);
    cr_assert(row != NULL, "no row for the individual");
    cr_assert(eq(str,
                 (char *)json_string_value(json_array_get(json_object_get(row, "privacy-level"),
                                                          0)),
                 "transcript"));
    cr_assert(it_true(json_is_array(json_object_get(row, "group-ids"))));
    cr_assert(it_true(json_is_null(json_object_get(row, "birth-date"))));
    json_decref(doc);
    /* nobody else reads it back */
    cr_assert(eq(long, ag_call("GET", person.token, NULL, &doc, "/v1/aggregation-requests/%s/",
                               id),
                 404));
    json_decref(doc);
    cr_assert(eq(long, ag_call("GET", NULL, NULL, &doc, "/v1/aggregation-requests/%s/", id),
                 401));
    json_decref(doc);
    /* the person may aggregate their own individual */
    cr_assert(eq(long, create(person.token, entries, &doc), 201));
    json_decref(doc);
}

Test(privacy_aggregation, refusals)
{
    char entries[512];
    json_t *doc = NULL;

    snprintf(entries, sizeof entries, "[{\"column\": \"email\", \"individual-id\": \"%s\"}]", ind);
    cr_assert(eq(long, create(other.token, entries, &doc), 404));
    cr_assert(it_true(af_error(doc, 404, "/data/attributes/entries/0/individual-id") != NULL));
    json_decref(doc);
    cr_assert(eq(long, create(NULL, entries, &doc), 401));
    json_decref(doc);
    snprintf(entries, sizeof entries,
             "[{\"column\": \"email\", \"individual-id\": \"%s\"}, {\"column\": \"password\", "
             "\"individual-id\": \"%s\"}]",
             ind, ind);
    cr_assert(eq(long, create(admin.token, entries, &doc), 400));
    cr_assert(it_true(af_error(doc, 400, "/data/attributes/entries/1/column") != NULL));
    json_decref(doc);
    cr_assert(eq(long, create(admin.token, "[]", &doc), 400));
    json_decref(doc);
    cr_assert(eq(long, create(admin.token, "[{\"column\": \"email\", \"individual-id\": \"x\"}]",
                              &doc),
                 400));
    json_decref(doc);
    cr_assert(eq(long, create(admin.token,
                              "[{\"column\": \"email\", \"individual-id\": "
                              "\"00000000-0000-4000-8000-000000000000\"}]",
                              &doc),
                 404));
    json_decref(doc);
}
